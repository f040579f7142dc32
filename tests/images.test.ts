// Private registries and digest pinning: config errors before anything is created, the graph
// (provider credentials as secrets, apps on repo@sha256:…, a pull ahead of the container),
// and the messages a failed digest lookup turns into. The real registry: e2e/tests/registry.test.ts.
import * as assert from "assert";
import { parseImageRef, resolvesDigest, registryImagesModel } from "../config/images";
import { loadPlatformModel } from "../config/validate";
import { explainLookupError } from "../components/images";
import { captureGraph, SECRET_MARK } from "../lib/graph";
import { baseConfig, configIssues, sourceOf, stackGraph } from "./fixtures";

const issuesOf = configIssues;
const withImages = (images: unknown): Record<string, any> => ({ ...baseConfig(), images });
const DIGEST = `sha256:${"a".repeat(64)}`;

describe("images: registry config", () => {
    it("accepts a registry with a username and a password key set as a secret", () => {
        const m = loadPlatformModel(sourceOf(withImages({ registries: [{ server: "ghcr.io", username: "bot", password: "ghcrToken" }] }), ["stripeApiKey", "ghcrToken"]));
        assert.deepStrictEqual(m.images.registries, [{ host: "ghcr.io", address: "ghcr.io", username: "bot", passwordKey: "ghcrToken", key: "images.registries[0]" }]);
        assert.ok(m.configSecretKeys.includes("ghcrToken"));
    });

    it("rejects a registry entry without credentials, naming the entry and how to set them", () => {
        const issues = issuesOf(withImages({ registries: [{ server: "registry.example.com:5000" }] }));
        assert.strictEqual(issues.length, 1, JSON.stringify(issues));
        assert.strictEqual(issues[0].key, "hostplane:images.registries[0]");
        assert.match(issues[0].message, /registry registry\.example\.com:5000 has no credentials; expected username and password/);
    });

    it("rejects a password that names a secret key which is not set", () => {
        const issues = issuesOf(withImages({ registries: [{ server: "ghcr.io", username: "bot", password: "ghcrToken" }] }));
        assert.deepStrictEqual(issues.map((i) => i.key), ["hostplane:images.registries[0].password"]);
        assert.match(issues[0].message, /names the secret hostplane:ghcrToken, which is not set; set it with 'pulumi config set --secret hostplane:ghcrToken <password> --stack test'/);
        // ...and which app images it blocks, with their keys.
        assert.match(issues[0].message, /; needed by ghcr\.io\/example\/api:1\.0\.0 \(hostplane:environments\.production\.apps\.api\.image\)/);
    });

    it("rejects the same registry twice, a bad server and a malformed pinned digest", () => {
        const cfg = withImages({
            registries: [
                { server: "ghcr.io", username: "a", password: "t" },
                { server: "https://ghcr.io", username: "b", password: "t" },
            ],
        });
        cfg.environments.production.apps.api.image = "ghcr.io/example/api@sha256:abc";
        const issues = issuesOf(cfg, ["stripeApiKey", "t"]);
        assert.deepStrictEqual(issues.map((i) => i.key).sort(), ["hostplane:environments.production.apps.api.image", "hostplane:images.registries[1].server"]);
        assert.match(issuesOf(withImages({ registries: [{ server: "ftp://x" }] }))[0].message, /expected a registry host like ghcr\.io/);
    });

    it("parses references the way Docker does", () => {
        assert.deepStrictEqual(parseImageRef("127.0.0.1:5000/demo-app:1"), { registry: "127.0.0.1:5000", repository: "127.0.0.1:5000/demo-app", tag: "1", digest: undefined });
        assert.deepStrictEqual(parseImageRef(`ghcr.io/a/b@${DIGEST}`), { registry: "ghcr.io", repository: "ghcr.io/a/b", tag: undefined, digest: DIGEST });
        assert.deepStrictEqual(parseImageRef("hostplane-e2e/nginx:1"), { registry: "", repository: "hostplane-e2e/nginx", tag: "1", digest: undefined });
        assert.deepStrictEqual(parseImageRef("localhost/x"), { registry: "localhost", repository: "localhost/x", tag: undefined, digest: undefined });
    });

    it("pins only images of a listed registry by default; all or none on request", () => {
        const regs = [{ server: "http://127.0.0.1:5000", username: "u", password: "p" }];
        const m = registryImagesModel({ registries: regs, digests: "registries" });
        assert.strictEqual(m.registries[0].host, "127.0.0.1:5000");
        assert.strictEqual(m.registries[0].address, "http://127.0.0.1:5000");
        assert.strictEqual(resolvesDigest("127.0.0.1:5000/demo:1", m), true);
        assert.strictEqual(resolvesDigest("hostplane-e2e/demo-app:1", m), false, "locally built images are used as they are");
        assert.strictEqual(resolvesDigest("nginx:1.27", registryImagesModel({ registries: [], digests: "all" })), true);
        assert.strictEqual(resolvesDigest("127.0.0.1:5000/demo:1", registryImagesModel({ registries: regs, digests: "off" })), false);
    });
});

describe("images: graph under mocks", () => {
    it("production: the provider gets ghcr.io credentials as a secret, apps run repo@sha256 pulled ahead", async () => {
        const g = await stackGraph("production");
        const provider = g.resources.find((r) => r.type === "pulumi:providers:docker")!;
        // The list holds the token, so the whole list is a secret in state.
        assert.strictEqual((provider.inputs as any).registryAuth, SECRET_MARK);
        assert.deepStrictEqual(g.model.images.registries.map((r) => [r.address, r.username, r.passwordKey]), [["ghcr.io", "example-deploy", "ghcrToken"]]);
        assert.ok(!JSON.stringify(g.resources).includes("mocksecret-ghcrToken"), "the token is never in plain text");
        for (const env of g.model.environments)
            for (const app of env.apps) {
                const c = g.resources.find((r) => r.name === `${app.containerBaseName}-container`)!;
                const image = (c.inputs as any).image as string;
                if (!app.image.startsWith("ghcr.io/")) {
                    assert.strictEqual(image, app.image, "a public image outside the listed registries runs by tag");
                    continue;
                }
                assert.match(image, /^ghcr\.io\/example\/[a-z-]+@sha256:[0-9a-f]{64}$/, `${app.name}: ${image}`);
                const pull = g.resources.find((r) => r.name === `${app.containerBaseName}-image`)!;
                assert.strictEqual((pull.inputs as any).name, image);
                assert.strictEqual((pull.inputs as any).keepLocally, true);
                assert.ok(c.dependsOn.includes(pull.name), `${c.name} waits for the pull`);
            }
    });

    it("e2e: locally built images are used by tag, with no lookup and no pull resource", async () => {
        const g = await stackGraph("e2e");
        // The only RemoteImages are the backup sidecars' builds on the host (components/data/backup-image.ts).
        const images = g.resources.filter((r) => r.type === "docker:index/remoteImage:RemoteImage");
        assert.ok(images.every((r) => (r.inputs as any).build?.dockerfile === "images/backup/Dockerfile"), images.map((r) => r.name).join(", "));
        const demo = g.resources.find((r) => r.name === "hpe2e-e2e-demo-container")!;
        assert.strictEqual((demo.inputs as any).image, "hostplane-e2e/demo-app:1");
    });

    it("a moved tag (another digest) is a new revision: a new container name", async () => {
        const cfg = withImages({ registries: [{ server: "ghcr.io", username: "bot", password: "ghcrToken" }] });
        const secrets = ["stripeApiKey", "ghcrToken"];
        const name = async (image: string) => {
            cfg.environments.production.apps.web.image = image;
            const g = await captureGraph(sourceOf(cfg, secrets));
            return (g.resources.find((r) => r.name === "tp-production-web-container")!.inputs as any).name;
        };
        // The mock registry answers a digest per reference, so two tags stand for a moved tag.
        assert.notStrictEqual(await name("ghcr.io/example/web:1"), await name("ghcr.io/example/web:2"));
    });
});

describe("images: lookup errors name what to fix", () => {
    const reg = { host: "ghcr.io", address: "ghcr.io", username: "bot", passwordKey: "ghcrToken", key: "images.registries[0]" };
    it("wrong credentials", () => {
        const m = explainLookupError("invocation of docker:index/getRegistryImage:getRegistryImage returned an error: bad credentials: 401 Unauthorized", "ghcr.io", reg);
        assert.strictEqual(m, "registry ghcr.io rejected user 'bot' with the password in hostplane:ghcrToken (hostplane:images.registries[0])");
    });
    it("no credentials for a registry that wants them", () => {
        assert.match(explainLookupError("got bad response from registry: 401 Unauthorized", "r.example.com", undefined), /no credentials \(add r\.example\.com to hostplane:images\.registries\)/);
    });
    it("missing image", () => {
        assert.match(explainLookupError("Got error when attempting to fetch image version x:9 from registry: got bad response from registry: 404 Not Found", "ghcr.io", reg), /does not exist in registry ghcr\.io/);
    });
    it("unreachable registry", () => {
        assert.match(explainLookupError("Error during registry request: dial tcp 127.0.0.1:1: connect: connection refused", "127.0.0.1:1", reg), /is not reachable: .*connection refused/);
    });
});
