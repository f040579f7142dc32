// End-to-end tier: the real Pulumi engine applies the `e2e` stack to the local Docker engine.
// Needs: the Pulumi CLI + plugins (scripts/toolchain/build.sh, or the official installer),
// a running Docker engine (scripts/docker-engine.sh) and the images (images/build.sh).
// `.ci/run` prepares all three; run by hand: `npm run test:e2e`.
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { dockerCli } from "../../cli/ops/docker";
import { formatTable, status } from "../../cli/ops/status";
import { fromStackFile, stackFile } from "../../config/sources";
import { loadPlatformModel } from "../../config/validate";

const REPO = path.resolve(__dirname, "../..");
const PREFIX = "hpe2e";
const NETWORK = `${PREFIX}_e2e_network`;
const PROBE_IMAGE = "hostplane-e2e/demo-app:1";

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
const lines = (s: string) => s.split("\n").filter(Boolean);
const stackContainers = () => lines(docker("ps", "-a", "--filter", "label=hostplane.stack=e2e", "--format", "{{.Names}}"));
const appContainers = () => lines(docker("ps", "-a", "--filter", "label=hostplane.stack=e2e", "--filter", "label=hostplane.kind=app", "--format", "{{.Names}}"));

/** An HTTP GET from inside the environment network, through Docker's DNS, as the proxy would do. */
function getInNetwork(url: string): { code: number; body: string } {
    const py = `import urllib.request as u, urllib.error as e
try:
    r = u.urlopen(${JSON.stringify(url)}, timeout=5); print(r.status); print(r.read().decode())
except e.HTTPError as x:
    print(x.code); print(x.read().decode())`;
    const out = docker("run", "--rm", "--network", NETWORK, PROBE_IMAGE, "python3", "-c", py);
    const [code, ...body] = out.split("\n");
    return { code: Number(code), body: body.join("\n") };
}

/**
 * A load generator on the environment network: one request at a time to the alias, for
 * `seconds`, reporting sent/failed. Python in the demo image, since no registry has wrk here.
 */
function startLoad(url: string, seconds: number): Promise<{ sent: number; failed: number; versions: Record<string, number> }> {
    const py = `import urllib.request as u, time, json, collections
end = time.time() + ${seconds}; sent = failed = 0; versions = collections.Counter()
while time.time() < end:
    sent += 1
    try:
        r = u.urlopen(${JSON.stringify(url)}, timeout=2); versions[json.loads(r.read())["version"]] += 1
    except Exception:
        failed += 1
    time.sleep(0.02)
print(json.dumps({"sent": sent, "failed": failed, "versions": versions}))`;
    return new Promise((resolve, reject) => {
        const p = spawn("docker", ["run", "--rm", "--network", NETWORK, PROBE_IMAGE, "python3", "-c", py]);
        let out = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => process.stderr.write(d));
        p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
    });
}

/** Copies the program into a temp dir so config changes and state never touch the repo. */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-e2e-"));
    for (const f of ["Pulumi.yaml", "Pulumi.e2e.yaml", "index.ts", "package.json", "tsconfig.json"]) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
    for (const d of ["config", "components", "render", "lib", "scripts", "monitoring"]) fs.cpSync(path.join(REPO, d), path.join(dir, d), { recursive: true });
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    fs.mkdirSync(path.join(dir, ".state"));
    return dir;
}

describe("e2e: pulumi up/preview/destroy against the local Docker engine", function () {
    this.timeout(15 * 60 * 1000);
    let stack: Stack;
    let dir: string;
    const log = (s: string) => process.stdout.write(s.replace(/^/gm, "      | "));

    before(async function () {
        for (const [tool, hint] of [["pulumi", "scripts/toolchain/build.sh"], ["docker", "scripts/docker-engine.sh"]]) {
            try {
                execFileSync(tool, ["version"], { stdio: "ignore" });
            } catch {
                const why = `${tool} is not usable (run ${hint})`;
                if (process.env.CI === "true") throw new Error(why);
                console.log(`      skipped: ${why}`);
                this.skip();
            }
        }
        dir = projectCopy();
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName: "e2e", workDir: dir },
            {
                envVars: {
                    PULUMI_BACKEND_URL: `file://${dir}/.state`,
                    PULUMI_CONFIG_PASSPHRASE: "e2e-only",
                    PULUMI_SKIP_UPDATE_CHECK: "true",
                    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                },
            },
        );
    });

    after(async function () {
        if (!stack) return;
        // Leave nothing behind even when a test failed half-way.
        await stack.destroy({ onOutput: () => {} }).catch((e) => console.error("cleanup destroy failed:", e.message));
    });

    it("1. up from nothing: every container healthy, the app answers on its alias", async () => {
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        const names = appContainers();
        assert.strictEqual(names.length, 2, names.join(", "));
        // Every container of the stack (apps, data services, sidecars, proxy, monitoring) is healthy.
        for (const n of stackContainers()) assert.strictEqual(docker("inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}no health check{{end}}", n), "healthy", n);
        const r = getInNetwork("http://e2e-demo:8000/");
        assert.strictEqual(r.code, 200);
        const body = JSON.parse(r.body);
        assert.strictEqual(body.version, "1");
        assert.deepStrictEqual(body.secrets, ["SESSION_SECRET"], "the secret file is there and readable by the app user");
        // the worker's host port is bound to loopback only
        assert.match(docker("port", names.find((n) => n.includes("worker"))!), /^8000\/tcp -> 127\.0\.0\.1:18002$/);
    });

    it("2. preview right after up shows no changes (convergence)", async () => {
        const res = await stack.preview({ diff: true });
        const changed = Object.entries(res.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
        assert.deepStrictEqual(changed, [], res.stdout);
    });

    it("2b. ops status on the real engine: every declared service has a running, healthy container", () => {
        const model = loadPlatformModel(fromStackFile(stackFile("e2e", REPO)));
        const r = status(model, dockerCli(undefined), {});
        console.log(formatTable(r.rows).replace(/^/gm, "      | "));
        assert.ok(r.ok, "not all healthy");
        for (const svc of ["demo", "worker", "postgres", "redis"]) assert.ok(r.rows.some((x) => x.env === "e2e" && x.service === svc && x.state === "running"), svc);
    });

    it("3. rolling update under load: the new version takes over with no failed request", async () => {
        await stack.setConfig("hostplane:environments.e2e.apps.demo.image", { value: "hostplane-e2e/demo-app:2" }, true);
        const load = startLoad("http://e2e-demo:8000/", 60);
        await new Promise((r) => setTimeout(r, 3000));
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        const stats = await load;
        console.log(`      rolling update: ${stats.sent} requests sent, ${stats.failed} failed, versions ${JSON.stringify(stats.versions)}`);
        assert.strictEqual(stats.failed, 0);
        assert.ok(stats.versions["1"] > 0 && stats.versions["2"] > 0, "traffic moved from v1 to v2");
        assert.strictEqual(JSON.parse(getInNetwork("http://e2e-demo:8000/").body).version, "2");
    });

    it("4. a rollout whose health check fails fails `up`, names the app, and the old version keeps serving", async () => {
        await stack.setConfig("hostplane:environments.e2e.apps.demo.env.FAIL_HEALTH", { value: "1" }, true);
        await assert.rejects(stack.up({ onOutput: log }), (e: Error) => /hpe2e-e2e-demo/.test(e.message));
        const r = getInNetwork("http://e2e-demo:8000/");
        assert.strictEqual(r.code, 200);
        assert.strictEqual(JSON.parse(r.body).version, "2");
        // Put the good config back: the next up converges and removes the failed revision.
        await stack.removeConfig("hostplane:environments.e2e.apps.demo.env.FAIL_HEALTH", true);
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.strictEqual(appContainers().length, 2, appContainers().join(", "));
    });

    it("5. destroy leaves no container, network or volume of the stack", async () => {
        const res = await stack.destroy({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.deepStrictEqual(stackContainers(), []);
        assert.deepStrictEqual(lines(docker("network", "ls", "--filter", `name=${PREFIX}_`, "--format", "{{.Name}}")), []);
        assert.deepStrictEqual(lines(docker("volume", "ls", "--filter", "label=hostplane.stack=e2e", "--format", "{{.Name}}")), []);
    });
});
