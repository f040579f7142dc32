// Private registry, for real: Debian's docker-registry (the CNCF distribution registry) on
// loopback with htpasswd auth, the demo images pushed to it, a small stack deployed from it by
// the real Pulumi engine, then: a moved tag shows in `preview` as a rollout, `up` rolls it, and
// wrong credentials, a missing image or a pinned digest that does not match fail the preview
// with a message naming the app, the image and the key, with the running container untouched.
// Needs: docker-registry, htpasswd (apache2-utils), the Pulumi toolchain, a Docker engine and
// e2e/images/build.sh's demo images. Run: npm run test:registry
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { startRegistry, Registry } from "./registry-server";

const REPO = path.resolve(__dirname, "../..");
const PREFIX = "hpreg";
const REG_PORT = Number(process.env.HOSTPLANE_TEST_REGISTRY_PORT ?? 18500);
const APP_PORT = 18590;
const REPO_NAME = `127.0.0.1:${REG_PORT}/hpreg/demo-app`;

const docker = (args: string[], env?: NodeJS.ProcessEnv) => execFileSync("docker", args, { encoding: "utf8", env: env ?? process.env }).trim();
/** "<name> <image as created>": `docker ps` shortens repo@sha256:… to the repository, inspect does not. */
const appContainers = () =>
    docker(["ps", "-a", "-q", "--filter", "label=hostplane.stack=registry", "--filter", "label=hostplane.kind=app"])
        .split("\n")
        .filter(Boolean)
        .map((id) => docker(["inspect", "-f", "{{slice .Name 1}} {{.Config.Image}}", id]));

function stackYaml(): string {
    return `config:
  hostplane:prefix: ${PREFIX}
  hostplane:host: { provider: local }
  hostplane:defaults:
    healthcheck: { interval: 1s, timeout: 1s, retries: 3, startPeriod: 5s }
    drainSeconds: 1
  hostplane:monitoring: { enabled: false }
  hostplane:proxy: { image: "hostplane-e2e/nginx:1", ports: { http: 18580, https: 18543 }, tls: { mode: selfsigned } }
  hostplane:images:
    registries:
      - { server: "http://127.0.0.1:${REG_PORT}", username: deploy, password: registryPassword }
  hostplane:environments:
    reg:
      kind: staging
      domain: reg.localhost
      apps:
        demo:
          image: "${REPO_NAME}:stable"
          port: 8000
          healthcheck: { path: /health }
          cpus: 0.25
          memory: 64M
          user: app
          hostPort: ${APP_PORT}
`;
}

/** The program in a temp dir with the test's own stack file; state stays there too. */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-registry-"));
    // Everything the program may import, without the repo's stacks, tests and dependencies.
    const skip = new Set(["node_modules", ".git", "e2e", "tests", ".state"]);
    for (const e of fs.readdirSync(REPO))
        if (!skip.has(e) && !/^Pulumi\..+\.yaml$/.test(e)) fs.cpSync(path.join(REPO, e), path.join(dir, e), { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.registry.yaml"), stackYaml());
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    fs.mkdirSync(path.join(dir, ".state"));
    return dir;
}

async function appVersion(): Promise<string> {
    const r = await fetch(`http://127.0.0.1:${APP_PORT}/`, { signal: AbortSignal.timeout(5000) });
    return ((await r.json()) as { version: string }).version;
}

const changes = (summary: Record<string, number>) => Object.entries(summary).filter(([op, n]) => op !== "same" && n > 0);

describe("registry: private images by digest from a real registry on loopback", function () {
    this.timeout(10 * 60 * 1000);
    let registry: Registry;
    let stack: Stack;
    let digests: { v1: string; v2: string };
    let dir: string | undefined;
    /** Mirror tags test 5 made on the engine, removed afterwards. */
    const mirrored: string[] = [];
    const log = (s: string) => process.stdout.write(s.replace(/^/gm, "      | "));

    before(async function () {
        const missing = ["docker-registry", "htpasswd", "pulumi", "docker"].filter((t) => {
            try {
                execFileSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" });
                return false;
            } catch {
                return true;
            }
        });
        if (missing.length > 0) {
            const why = `not installed: ${missing.join(", ")} (apt-get install docker-registry apache2-utils; scripts/toolchain/build.sh; scripts/docker-engine.sh)`;
            if (process.env.CI === "true") throw new Error(why);
            console.log(`      skipped: ${why}`);
            this.skip();
        }
        registry = await startRegistry(REG_PORT, "deploy");
        // v1 and v2 of the demo image under one moving tag; the local copies are untagged again,
        // so the engine has to pull from the registry, with the stack's credentials.
        digests = { v1: registry.push("hostplane-e2e/demo-app:1", `${REPO_NAME}:stable`), v2: registry.push("hostplane-e2e/demo-app:2", `${REPO_NAME}:v2`) };
        for (const tag of ["stable", "v2"]) docker(["rmi", `${REPO_NAME}:${tag}`]);
        dir = projectCopy();
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName: "registry", workDir: dir },
            { envVars: { PULUMI_BACKEND_URL: `file://${dir}/.state`, PULUMI_CONFIG_PASSPHRASE: "registry-test-only", PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" } },
        );
        await stack.setConfig("hostplane:registryPassword", { value: registry.password, secret: true });
    });

    after(async function () {
        if (stack) await stack.destroy({ onOutput: () => {} }).catch((e) => console.error("cleanup destroy failed:", e.message));
        for (const d of Object.values(digests ?? {})) {
            try {
                docker(["rmi", `${REPO_NAME}@${d}`]);
            } catch {
                // already gone
            }
        }
        for (const r of mirrored) {
            try {
                docker(["rmi", r]);
            } catch {
                // already gone
            }
        }
        registry?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("1. up pulls with the stack's credentials and runs the tag's digest", async () => {
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.deepStrictEqual(appContainers().map((c) => c.split(" ")[1]), [`${REPO_NAME}@${digests.v1}`]);
        assert.strictEqual(await appVersion(), "1");
        const preview = await stack.preview();
        assert.deepStrictEqual(changes(preview.changeSummary), [], preview.stdout);
    });

    it("2. a moved tag shows in preview as a rollout of the app, and up rolls it", async () => {
        assert.strictEqual(registry.push("hostplane-e2e/demo-app:2", `${REPO_NAME}:stable`), digests.v2);
        docker(["rmi", `${REPO_NAME}:stable`]);
        const preview = await stack.preview({ diff: true });
        assert.ok((preview.changeSummary.replace ?? 0) > 0, `preview shows a replacement: ${JSON.stringify(preview.changeSummary)}`);
        assert.ok(preview.stdout.includes(digests.v2), "the preview names the new digest");
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.deepStrictEqual(appContainers().map((c) => c.split(" ")[1]), [`${REPO_NAME}@${digests.v2}`]);
        assert.strictEqual(await appVersion(), "2");
    });

    const failsCleanly = async (pattern: RegExp) => {
        const before = appContainers();
        await assert.rejects(stack.preview(), (e: Error) => pattern.test(e.message) || assert.fail(e.message));
        await assert.rejects(stack.up({ onOutput: log }), (e: Error) => pattern.test(e.message) || assert.fail(e.message));
        assert.deepStrictEqual(appContainers(), before, "the running container is untouched");
        assert.strictEqual(await appVersion(), "2");
    };

    it("3. wrong credentials fail preview and up naming the app, the image and the key", async () => {
        await stack.setConfig("hostplane:registryPassword", { value: "wrong-password", secret: true });
        await failsCleanly(/app demo \(environment reg\): image "127\.0\.0\.1:\d+\/hpreg\/demo-app:stable" \(hostplane:environments\.reg\.apps\.demo\.image\): registry 127\.0\.0\.1:\d+ rejected user 'deploy' with the password in hostplane:registryPassword/);
        await stack.setConfig("hostplane:registryPassword", { value: registry.password, secret: true });
    });

    it("4. a missing image and a pinned digest that does not match fail the same way", async () => {
        const key = "hostplane:environments.reg.apps.demo.image";
        await stack.setConfig(key, { value: `${REPO_NAME}:no-such-tag` }, true);
        await failsCleanly(/app demo .*demo-app:no-such-tag.*hostplane:environments\.reg\.apps\.demo\.image\): does not exist in registry/);
        await stack.setConfig(key, { value: `${REPO_NAME}:stable@${digests.v1}` }, true);
        await failsCleanly(/app demo .*not the pinned digest sha256:/);
        await stack.setConfig(key, { value: `${REPO_NAME}:stable` }, true);
        const preview = await stack.preview();
        assert.deepStrictEqual(changes(preview.changeSummary), [], preview.stdout);
    });

    it("5. a mirror (images.mirror): images/mirror-fill.sh fills it with the engine's images, every container runs from it, the app by the mirror's digest", async () => {
        // The images as the stack names them (built by images/build.sh); the mirror stands in for their registry.
        await stack.setConfig("hostplane:images.mirror", { value: `http://127.0.0.1:${REG_PORT}` }, true);
        await stack.setConfig("hostplane:environments.reg.apps.demo.image", { value: "hostplane-e2e/demo-app:2" }, true);
        const fill = execFileSync("bash", [path.join(dir!, "images/mirror-fill.sh"), "--stack", "registry", "--from", "local"], { cwd: dir, env: registry.env, encoding: "utf8" });
        log(fill);
        const pushed: Record<string, string> = Object.fromEntries(fill.trim().split("\n").map((l) => l.split(" <- ").reverse()));
        assert.deepStrictEqual(Object.keys(pushed).sort(), ["hostplane-e2e/demo-app:2", "hostplane-e2e/nginx:1"]);
        mirrored.push(...Object.values(pushed).map((r) => r.split("@")[0]));
        const demo = pushed["hostplane-e2e/demo-app:2"];
        assert.match(demo, new RegExp(`^127\\.0\\.0\\.1:${REG_PORT}/hostplane-e2e/demo-app:2@sha256:[0-9a-f]{64}$`));
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.deepStrictEqual(appContainers().map((c) => c.split(" ")[1]), [demo.replace(":2@", "@")]);
        const images = docker(["ps", "--filter", "label=hostplane.stack=registry", "--format", "{{.Image}}"]).split("\n");
        for (const i of images) assert.ok(i.startsWith(`127.0.0.1:${REG_PORT}/`), `runs from the mirror: ${i}`);
        assert.strictEqual(await appVersion(), "2");
        const preview = await stack.preview();
        assert.deepStrictEqual(changes(preview.changeSummary), [], preview.stdout);
    });
});
