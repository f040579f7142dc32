// End-to-end tier, `host.provider: ssh`: the real Pulumi engine deploys a small app stack to a test
// host (scripts/testhost/testhost.sh: its own network namespace, root filesystem, sshd and dockerd)
// through the product's path: the SSH preflight, scripts/host/bootstrap.sh over SSH, then the Docker
// provider and the docker CLI steps over ssh://. Nothing runs on the local engine; bootstrap writes
// the test host's /etc and swap. Images reach the remote engine with `docker save | ssh docker load`
// (the fixture: hostplane has no image distribution yet). Run: `npm run test:e2e:ssh` (root).
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { TestHost, testHostDown, testHostUnavailable, testHostUp } from "../support/testhost";

const REPO = path.resolve(__dirname, "../..");
const HOST_NAME = "sshe2e";
const STACK = "sshe2e";
const PREFIX = "hpssh";
const IMAGES = ["hostplane-e2e/demo-app:1", "hostplane-e2e/demo-app:2", "hostplane-e2e/nginx:1"];
const APP_DOMAIN = "app.localhost";

const lines = (s: string) => s.split("\n").filter(Boolean);
const localDocker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
const sha = (f: string) => (fs.existsSync(f) ? crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex") : "absent");

/** The stack config: one app behind the proxy on the test host, monitoring off, fast health checks. */
function stackYaml(host: TestHost): string {
    return `config:
  hostplane:prefix: ${PREFIX}
  hostplane:host: { provider: ssh, address: "${host.address}", user: ${host.user}, port: ${host.port}, swap: 64M }
  hostplane:defaults:
    healthcheck: { interval: 1s, timeout: 1s, retries: 3, startPeriod: 5s }
    drainSeconds: 2
  hostplane:monitoring: { enabled: false }
  hostplane:proxy: { image: hostplane-e2e/nginx:1, tls: { mode: selfsigned } }
  hostplane:environments:
    app:
      kind: staging
      domain: ${APP_DOMAIN}
      apps:
        demo:
          image: hostplane-e2e/demo-app:1
          port: 8000
          healthcheck: { path: /health }
          cpus: 0.5
          memory: 128M
          user: app
          env: { GREETING: hello }
          routes: [{ path: / }]
`;
}

/** A temp copy of the program with the stack file; HOME is a temp dir too (key file, known_hosts). */
function projectCopy(host: TestHost): { dir: string; home: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-ssh-e2e-"));
    // Everything the program may import, without the repo's own stacks, state or dependencies.
    const skip = (n: string) => ["node_modules", ".git", ".state", "e2e", "tests"].includes(n) || /^Pulumi\..+\.yaml$/.test(n);
    for (const n of fs.readdirSync(REPO).filter((x) => !skip(x))) fs.cpSync(path.join(REPO, n), path.join(dir, n), { recursive: true });
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), stackYaml(host));
    fs.mkdirSync(path.join(dir, ".state"));
    fs.mkdirSync(path.join(dir, "home"));
    return { dir, home: path.join(dir, "home") };
}

/** docker save | ssh … docker load: the images the stack uses, onto the remote engine. */
function shipImages(host: TestHost, knownHosts: string): void {
    const t0 = Date.now();
    const save = execFileSync("docker", ["save", ...IMAGES], { maxBuffer: 2 * 1024 * 1024 * 1024 });
    const r = spawnSync("ssh", [...host.sshArgs(knownHosts), "docker", "load"], { input: save, encoding: "utf8", timeout: 300_000 });
    assert.strictEqual(r.status, 0, r.stderr);
    console.log(`      images shipped over ssh (${Math.round(save.length / 1e6)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

describe("e2e: host.provider ssh against a test host (own netns, rootfs, sshd, dockerd)", function () {
    this.timeout(20 * 60 * 1000);
    let host: TestHost;
    let stack: Stack;
    let dir: string, home: string;
    const ciFiles = ["/etc/docker/daemon.json", "/etc/ssh/sshd_config.d/10-hostplane.conf", "/swapfile", "/var/lib/hostplane/bootstrap-done"];
    let ciBefore: string[];
    const log = (s: string) => process.stdout.write(s.replace(/^/gm, "      | "));
    const remote = (...args: string[]) => host.exec(["docker", ...args]);
    const remoteContainers = () => lines(remote("ps", "-a", "--filter", `label=hostplane.stack=${STACK}`, "--format", "{{.Names}}"));
    const localContainers = () => lines(localDocker("ps", "-a", "--filter", `label=hostplane.stack=${STACK}`, "--format", "{{.Names}}"));
    /** GET through the proxy the stack published on the test host's own address. */
    const viaProxy = () => execFileSync("curl", ["-fsSk", "--max-time", "5", "--resolve", `${APP_DOMAIN}:443:${host.address}`, `https://${APP_DOMAIN}/`], { encoding: "utf8" });
    /** Resources in the state besides the stack itself. */
    const stackResources = async () =>
        ((await stack.exportStack()).deployment?.resources ?? []).map((r: { type: string }) => r.type).filter((t: string) => t !== "pulumi:pulumi:Stack");

    before(async function () {
        const missing = testHostUnavailable() ?? (spawnSync("pulumi", ["version"]).status === 0 ? undefined : "pulumi is not usable (scripts/toolchain/build.sh)");
        if (missing) {
            if (process.env.CI === "true") throw new Error(missing);
            console.log(`      skipped: ${missing}`);
            this.skip();
        }
        for (const img of IMAGES) assert.strictEqual(spawnSync("docker", ["image", "inspect", img], { stdio: "ignore" }).status, 0, `${img} is missing: run e2e/images/build.sh`);
        ciBefore = ciFiles.map(sha);
        const t0 = Date.now();
        host = testHostUp(HOST_NAME);
        console.log(`      test host ${host.name} at ${host.address} up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        ({ dir, home } = projectCopy(host));
        shipImages(host, path.join(home, "fixture-known_hosts"));
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName: STACK, workDir: dir },
            {
                envVars: {
                    HOME: home,
                    PULUMI_HOME: process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"),
                    PULUMI_BACKEND_URL: `file://${dir}/.state`,
                    PULUMI_CONFIG_PASSPHRASE: "e2e-only",
                    PULUMI_SKIP_UPDATE_CHECK: "true",
                    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                },
            },
        );
    });

    after(async function () {
        if (stack) await stack.destroy({ onOutput: () => {} }).catch((e) => console.error("cleanup destroy failed:", e.message));
        if (host) testHostDown(HOST_NAME);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("1. a key the host refuses fails before any resource, naming hostplane:sshPrivateKey", async () => {
        const other = path.join(home, "not-authorized");
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
        await stack.setConfig("hostplane:sshPrivateKey", { value: fs.readFileSync(other, "utf8"), secret: true });
        await assert.rejects(stack.up({ onOutput: () => {} }), (e: Error) => {
            assert.match(e.message, /hostplane:sshPrivateKey: the host hostplane@[0-9.]+:22 refused this key \(.*Permission denied \(publickey/);
            return true;
        });
        assert.deepStrictEqual(await stackResources(), [], "nothing was registered");
        assert.deepStrictEqual(remoteContainers(), []);
    });

    it("2. an unreachable host fails before any resource, naming hostplane:host.address", async () => {
        await stack.setConfig("hostplane:sshPrivateKey", { value: fs.readFileSync(host.keyFile, "utf8"), secret: true });
        // An address on the test hosts' bridge that no host holds.
        const nowhere = `${host.gateway.split(".").slice(0, 3).join(".")}.254`;
        await stack.setConfig("hostplane:host.address", { value: nowhere }, true);
        try {
            await assert.rejects(stack.up({ onOutput: () => {} }), (e: Error) => {
                assert.match(e.message, new RegExp(`hostplane:host\\.address: cannot reach hostplane@${nowhere.replace(/\./g, "\\.")}:22 over SSH \\(.*(No route to host|timed out)`));
                return true;
            });
            assert.deepStrictEqual(await stackResources(), [], "nothing was registered");
        } finally {
            await stack.setConfig("hostplane:host.address", { value: host.address }, true);
        }
    });

    it("3. up: bootstrap writes the test host's files, every container is healthy on the remote engine, none local", async () => {
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        // bootstrap.sh ran there (sudo -n over SSH), and wrote the host's own files
        assert.match(host.exec(["cat", "/etc/docker/daemon.json"]), /"max-size": "10m"/);
        assert.match(host.exec(["cat", "/etc/ssh/sshd_config.d/10-hostplane.conf"]), /PasswordAuthentication no/);
        assert.match(host.exec(["cat", "/proc/swaps"]), /^\/swapfile /m);
        assert.ok(fs.existsSync(path.join(host.rootfs, "var/lib/hostplane/bootstrap-done")));
        assert.deepStrictEqual(ciFiles.map(sha), ciBefore, "the CI machine's daemon.json, sshd drop-in, swap file and marker are untouched");
        const names = remoteContainers();
        assert.ok(names.some((n) => n.includes("demo")) && names.some((n) => n.includes("proxy")), names.join(", "));
        for (const n of names) assert.strictEqual(remote("inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}no health check{{end}}", n), "healthy", n);
        assert.deepStrictEqual(localContainers(), [], "nothing on the local engine");
        assert.strictEqual(JSON.parse(viaProxy()).version, "1");
    });

    it("4. preview right after up shows no changes", async () => {
        const res = await stack.preview({ diff: true });
        const changed = Object.entries(res.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
        assert.deepStrictEqual(changed, [], res.stdout);
    });

    it("5. rollout: a new image and env replace the app on the remote engine", async () => {
        await stack.setConfig("hostplane:environments.app.apps.demo.image", { value: "hostplane-e2e/demo-app:2" }, true);
        await stack.setConfig("hostplane:environments.app.apps.demo.env.GREETING", { value: "hi" }, true);
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.strictEqual(JSON.parse(viaProxy()).version, "2");
        const apps = lines(remote("ps", "-a", "--filter", `label=hostplane.stack=${STACK}`, "--filter", "label=hostplane.kind=app", "--format", "{{.Names}}"));
        assert.strictEqual(apps.length, 1, apps.join(", "));
        assert.strictEqual(remote("inspect", "-f", "{{.Config.Image}}", apps[0]), "hostplane-e2e/demo-app:2");
        assert.deepStrictEqual(localContainers(), []);
    });

    it("6. destroy leaves no container, network or volume on the remote host", async () => {
        const res = await stack.destroy({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.deepStrictEqual(remoteContainers(), []);
        assert.deepStrictEqual(lines(remote("network", "ls", "--filter", `name=${PREFIX}_`, "--format", "{{.Name}}")), []);
        assert.deepStrictEqual(lines(remote("volume", "ls", "--filter", `label=hostplane.stack=${STACK}`, "--format", "{{.Name}}")), []);
    });
});
