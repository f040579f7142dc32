// hostplane:images.mirror (air-gapped fleets): every image rewritten to the mirror, app images pinned
// to the mirror's digests, config errors before anything. The real mirror: e2e/registry/registry.test.ts.
import * as assert from "assert";
import { mirrorRef } from "../config/image-mirror";
import { resolvesDigest } from "../config/images";
import { loadPlatformModel } from "../config/validate";
import { captureGraph } from "../lib/graph";
import { baseConfig, configIssues, sourceOf } from "./fixtures";

const MIRROR = "registry.internal:5000";
const withMirror = (images: Record<string, unknown>, extra: (c: Record<string, any>) => void = () => {}) => {
    const c: Record<string, any> = { ...baseConfig(), images };
    c.environments.production.services = { db: { type: "postgres" }, cache: { type: "redis" } };
    extra(c);
    return c;
};
const issuesOf = configIssues;

describe("images: private mirror registry (hostplane:images.mirror)", () => {
    it("maps references: registry host dropped, Docker Hub's official images under library/", () => {
        assert.strictEqual(mirrorRef("nginx:1.27-alpine", MIRROR), `${MIRROR}/library/nginx:1.27-alpine`);
        assert.strictEqual(mirrorRef("docker.io/library/redis:7", MIRROR), `${MIRROR}/library/redis:7`);
        assert.strictEqual(mirrorRef("prom/prometheus:v2.54.1", MIRROR), `${MIRROR}/prom/prometheus:v2.54.1`);
        assert.strictEqual(mirrorRef("ghcr.io/example/api:1.0.0", MIRROR), `${MIRROR}/example/api:1.0.0`);
        assert.strictEqual(mirrorRef("127.0.0.1:5000/a/b@sha256:" + "c".repeat(64), MIRROR), `${MIRROR}/a/b@sha256:${"c".repeat(64)}`);
        assert.strictEqual(mirrorRef(`${MIRROR}/x/y:1`, MIRROR), `${MIRROR}/x/y:1`, "already in the mirror");
    });

    it("rewrites every image of the stack (apps, data services, pgbouncer, proxy, monitoring, exporters) and says so", () => {
        const m = loadPlatformModel(sourceOf(withMirror({ mirror: MIRROR })));
        const images = [
            ...m.environments.flatMap((e) => [...e.apps.map((a) => a.image), ...e.services.map((s) => s.image)]),
            m.proxy.image,
            // Exporters of kinds the stack does not run are never started: left as they are.
            ...Object.entries(m.monitoring.images).filter(([k]) => !["kafkaExporter", "mongodbExporter"].includes(k)).map(([, i]) => i),
        ];
        assert.ok(images.length > 10);
        for (const i of images) assert.ok(i.startsWith(`${MIRROR}/`), i);
        assert.strictEqual(m.images.mirror, MIRROR);
        assert.ok(m.images.notes.includes(`hostplane:proxy.image: nginx:1.30.5-alpine -> ${MIRROR}/library/nginx:1.30.5-alpine (mirror)`), m.images.notes.join("\n"));
        assert.ok(resolvesDigest(m.environments[0].apps[0].image, m.images), "app images are pinned to the mirror's digest");
    });

    it("the graph: containers run the mirror's references, apps by digest, pulls with the mirror's credentials", async () => {
        const cfg = withMirror({ mirror: `http://${MIRROR}`, registries: [{ server: `http://${MIRROR}`, username: "fleet", password: "mirrorToken" }] });
        const g = await captureGraph(sourceOf(cfg, ["stripeApiKey", "mirrorToken"]));
        const containers = g.resources.filter((r) => r.type === "docker:index/container:Container");
        assert.ok(containers.length > 5);
        for (const c of containers) assert.ok(String(c.inputs.image).startsWith(`${MIRROR}/`), `${c.name}: ${c.inputs.image}`);
        const api = containers.find((c) => c.name.startsWith("tp-production-api"));
        assert.match(String(api?.inputs.image), new RegExp(`^${MIRROR}/example/api@sha256:[0-9a-f]{64}$`));
        // registryAuth (address + token) is one secret as a whole: present, never in plain text.
        const provider = g.resources.find((r) => r.type === "pulumi:providers:docker");
        assert.ok(provider?.inputs.registryAuth !== undefined);
        // Nothing is built on an air-gapped fleet's hosts (no package mirror): no backup-image build.
        assert.ok(!g.resources.some((r) => r.type === "docker:index/remoteImage:RemoteImage" && (r.inputs as any).build));
    });

    it("bad input: not a host, with local-build, two images on one mirror reference; each names the key", () => {
        assert.match(issuesOf(withMirror({ mirror: "ftp://x" }))[0].message, /expected the mirror registry's host like registry\.internal:5000/);
        const lb = issuesOf(withMirror({ mirror: MIRROR, source: "local-build" }), ["stripeApiKey"]).filter((i) => i.key === "hostplane:images.mirror");
        assert.match(lb[0]?.message ?? "", /is set to 'registry\.internal:5000', but hostplane:images\.source is local-build, which pulls nothing/);
        const clash = issuesOf(
            withMirror({ mirror: MIRROR }, (c) => {
                c.environments.production.apps.web.image = "quay.io/example/api:1.0.0";
            }),
        );
        assert.deepStrictEqual(clash.map((i) => i.key), ["hostplane:environments.production.apps.web.image"]);
        assert.match(clash[0].message, /image 'quay\.io\/example\/api:1\.0\.0' and 'ghcr\.io\/example\/api:1\.0\.0' \(hostplane:environments\.production\.apps\.api\.image\) would both be registry\.internal:5000\/example\/api:1\.0\.0 in the mirror/);
    });
});
