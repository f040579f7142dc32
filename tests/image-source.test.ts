// The image source of a stack (hostplane:images.source): registry keeps every image; local-build
// maps each to an air-gapped recipe (images/), switches default-on services without one off with a
// note, and rejects what the config asks for explicitly without one, before anything is created.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { IMAGE_RECIPES, parseImageRef, recipeFor, recipeHash } from "../config/image-recipes";
import { effectiveImageSource } from "../config/image-source";
import { loadPlatformModel } from "../config/validate";
import { baseConfig, configIssues, repoPath, sourceOf } from "./fixtures";

const localBuild = (mutate: (c: Record<string, any>) => void = () => {}) => {
    const c = baseConfig();
    c.images = { source: "local-build" };
    for (const env of Object.values<any>(c.environments)) for (const app of Object.values<any>(env.apps)) app.image = "python:3.12-alpine";
    mutate(c);
    return c;
};
const issuesOf = configIssues;

describe("image source: parsing image references", () => {
    for (const [ref, want] of [
        ["nginx:1.27-alpine", { registry: "docker.io", repository: "nginx", tag: "1.27-alpine" }],
        ["docker.io/library/postgres:16", { registry: "docker.io", repository: "postgres", tag: "16" }],
        ["prom/prometheus:v2.55.1", { registry: "docker.io", repository: "prom/prometheus", tag: "v2.55.1" }],
        ["ghcr.io/example/api:1.4.2", { registry: "ghcr.io", repository: "example/api", tag: "1.4.2" }],
        ["localhost:5000/demo@sha256:abc", { registry: "localhost:5000", repository: "demo", tag: undefined }],
        ["redis", { registry: "docker.io", repository: "redis", tag: undefined }],
    ] as const)
        it(ref, () => assert.deepStrictEqual(parseImageRef(ref), want));

    it("finds recipes only for Docker Hub repositories, and tagged entries by tag", () => {
        assert.strictEqual(recipeFor("postgres:16.4-bookworm")?.name, "postgres");
        assert.strictEqual(recipeFor("ghcr.io/library/postgres:16"), undefined);
        assert.strictEqual(recipeFor("hostplane/demo-app:2")?.tag, "2");
        assert.strictEqual(recipeFor("hostplane/demo-app:3"), undefined);
    });
});

describe("image source: registry and auto", () => {
    it("registry (the default) keeps every image and builds nothing", () => {
        const m = loadPlatformModel(sourceOf(baseConfig()));
        assert.strictEqual(m.images.source, "registry");
        assert.deepStrictEqual(m.images.builds, []);
        assert.strictEqual(m.environments[0].apps[0].image, "ghcr.io/example/api:1.0.0");
    });
    it("auto follows HOSTPLANE_REGISTRY, else the probe, else registry", () => {
        const saved = process.env.HOSTPLANE_REGISTRY;
        try {
            delete process.env.HOSTPLANE_REGISTRY;
            assert.strictEqual(effectiveImageSource("auto"), "registry");
            assert.strictEqual(effectiveImageSource("auto", () => false), "local-build");
            process.env.HOSTPLANE_REGISTRY = "reachable";
            assert.strictEqual(effectiveImageSource("auto", () => false), "registry");
            process.env.HOSTPLANE_REGISTRY = "unreachable";
            assert.strictEqual(effectiveImageSource("auto", () => true), "local-build");
            assert.strictEqual(effectiveImageSource("registry", () => false), "registry");
            delete process.env.HOSTPLANE_REGISTRY;
            const asked: (string | undefined)[] = [];
            const probe = (server?: string) => (asked.push(server), server === "mirror.internal:5000");
            assert.strictEqual(effectiveImageSource("auto", probe, "mirror.internal:5000"), "registry", "the mirror answers: registry");
            assert.strictEqual(effectiveImageSource("auto", probe), "local-build", "no mirror: Docker Hub is asked");
            assert.deepStrictEqual(asked, ["mirror.internal:5000", undefined]);
        } finally {
            if (saved === undefined) delete process.env.HOSTPLANE_REGISTRY;
            else process.env.HOSTPLANE_REGISTRY = saved;
        }
    });
});

describe("image source: local-build", () => {
    it("maps every image to a content-addressed local reference and lists each recipe once", () => {
        const m = loadPlatformModel(sourceOf(localBuild()));
        const api = m.environments[0].apps[0];
        assert.match(api.image, /^hostplane-local\/python:1-[0-9a-f]{12}$/);
        assert.match(m.proxy.image, /^hostplane-local\/nginx:1-[0-9a-f]{12}$/);
        assert.match(m.monitoring.images.prometheus, /^hostplane-local\/prometheus:1-/);
        assert.deepStrictEqual(m.images.builds.map((b) => b.recipe.name), ["python", "nginx", "prometheus", "alertmanager", "otelcol", "node-exporter", "blackbox-exporter"]);
        assert.ok(m.images.notes.includes(`hostplane:environments.production.apps.api.image: python:3.12-alpine -> ${api.image} (built from Debian 12 packages: Python 3.11)`));
    });
    it("switches default-on monitoring services without a recipe off, with a note each", () => {
        const m = loadPlatformModel(sourceOf(localBuild()));
        assert.strictEqual(m.monitoring.services.grafana, false);
        assert.strictEqual(m.monitoring.services.prometheus, true);
        assert.ok(
            m.images.notes.includes("hostplane:monitoring.services.grafana: switched off: no local-build recipe for grafana/grafana:13.2.3 (on by default; set hostplane:images.source to registry to run it)"),
        );
    });
    it("rejects an app image without a recipe, naming the key, the image and the way out", () => {
        assert.deepStrictEqual(issuesOf(localBuild((c) => (c.environments.staging.apps.api.image = "ghcr.io/example/api:1.0.0"))), [
            {
                key: "hostplane:environments.staging.apps.api.image",
                message:
                    "image 'ghcr.io/example/api:1.0.0' has no local-build recipe (hostplane:images.source is local-build, so every image is built from Debian packages); recipes exist for nginx, postgres, edoburu/pgbouncer, redis, python, prom/prometheus, prom/alertmanager, prom/node-exporter, prom/blackbox-exporter, prometheuscommunity/postgres-exporter, oliver006/redis_exporter, rabbitmq, apache/kafka, chrislusf/seaweedfs, otel/opentelemetry-collector-contrib, victoriametrics/victoria-logs, hostplane/demo-app:1, hostplane/demo-app:2: use one, or set hostplane:images.source to registry",
            },
        ]);
    });
    it("rejects a monitoring service asked for by name without a recipe", () => {
        assert.deepStrictEqual(issuesOf(localBuild((c) => (c.monitoring = { services: { grafana: true } }))), [
            {
                key: "hostplane:monitoring.services.grafana",
                message: "is true, but image 'grafana/grafana:13.2.3' has no local-build recipe (hostplane:images.source is local-build); set it to false, or use hostplane:images.source registry",
            },
        ]);
    });
    it("rejects a data service without a recipe (MongoDB), naming the service, its kind and the image", () => {
        const issues = issuesOf(localBuild((c) => (c.environments.staging.services = { docs: { type: "mongodb" } })));
        assert.deepStrictEqual(issues.map((i) => i.key), ["hostplane:environments.staging.services.docs.image"]);
        assert.match(issues[0].message, /^service 'docs' \(mongodb\) needs image 'mongo:[^']+', which has no local-build recipe/);
    });
    it("maps RabbitMQ and Kafka to their recipes", () => {
        const m = loadPlatformModel(sourceOf(localBuild((c) => (c.environments.staging.services = { mq: { type: "rabbitmq" }, events: { type: "kafka" } }))));
        const images = m.environments.find((e) => e.name === "staging")!.services.map((s) => s.image);
        assert.match(images[0], /^hostplane-local\/kafka:1-/);
        assert.match(images[1], /^hostplane-local\/rabbitmq:1-/);
    });
    it("gives PgBouncer the recipe's uid unless the config sets one", () => {
        const withPg = (uid?: string) =>
            loadPlatformModel(
                sourceOf(localBuild((c) => (c.environments.staging.services = { db: { type: "postgres", pgbouncer: uid ? { uid } : {} } }))),
            ).environments.find((e) => e.name === "staging")!.services[0].settings as any;
        assert.strictEqual(withPg().pgbouncer.uid, "999");
        assert.strictEqual(withPg("70").pgbouncer.uid, "70");
        assert.match(withPg().pgbouncer.image, /^hostplane-local\/pgbouncer:1-/);
    });
    it("rejects an unknown source with the choices", () => {
        const c = baseConfig();
        c.images = { source: "mirror" };
        assert.deepStrictEqual(issuesOf(c), [{ key: "hostplane:images.source", message: 'got "mirror"; expected images.source to be one of registry, local-build, auto' }]);
    });
});

describe("image recipes (images/)", () => {
    it("every recipe has a Dockerfile, and images/build.sh builds exactly the same list", () => {
        const script = fs.readFileSync(repoPath("images/build.sh"), "utf8");
        const listed = [...script.matchAll(/^\s+"([a-z-]+):([0-9]+):[^"]*"$/gm)].map((m) => `${m[1]}:${m[2]}`);
        assert.deepStrictEqual(listed.sort(), IMAGE_RECIPES.map((r) => `${r.name}:${r.tag}`).sort());
        for (const r of IMAGE_RECIPES) assert.ok(fs.existsSync(repoPath("images", r.name, "Dockerfile")), `images/${r.name}/Dockerfile`);
    });
    it("the README lists every recipe", () => {
        const readme = fs.readFileSync(repoPath("images/README.md"), "utf8");
        for (const r of IMAGE_RECIPES) assert.ok(readme.includes(`images/${r.name}`), `images/README.md names images/${r.name}`);
    });
    it("a recipe's content hash changes with a file's bytes or mode, and only then", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recipes-"));
        fs.mkdirSync(path.join(dir, "x"));
        fs.writeFileSync(path.join(dir, "x", "Dockerfile"), "FROM scratch\n");
        const r = { name: "x", tag: "1", replaces: [], provides: "" };
        const h1 = recipeHash(r, dir);
        assert.strictEqual(recipeHash(r, dir), h1);
        fs.chmodSync(path.join(dir, "x", "Dockerfile"), 0o755);
        const h2 = recipeHash(r, dir);
        assert.notStrictEqual(h2, h1);
        fs.writeFileSync(path.join(dir, "x", "Dockerfile"), "FROM scratch\n# changed\n");
        assert.notStrictEqual(recipeHash(r, dir), h2);
        assert.notStrictEqual(recipeHash({ ...r, buildArgs: { A: "1" } }, dir), recipeHash(r, dir));
    });
    it("images/build.sh refuses an unknown recipe before touching Docker", () => {
        let err: any;
        try {
            execFileSync("bash", [repoPath("images/build.sh"), "grafana"], { encoding: "utf8", stdio: "pipe", env: { ...process.env, DOCKER_HOST: "unix:///nonexistent.sock" } });
        } catch (e) {
            err = e;
        }
        assert.strictEqual(err?.status, 64);
        assert.match(err.stderr, /unknown recipe 'grafana'; recipes: nginx postgres/);
    });
});
