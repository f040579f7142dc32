// End-to-end tier, `hostplane:cluster` (Docker Swarm): the real Pulumi engine deploys an app stack
// to three test hosts (scripts/testhost/testhost.sh: each its own network namespace, root
// filesystem, sshd and dockerd on the bridge hpth0), reached over SSH like existing machines: the
// program bootstraps them, forms the swarm (init on n1, n2 and n3 join), runs the app as a Swarm
// service with 3 replicas and the proxy on n1 (the edge node). The CI machine's own engine is never
// part of the swarm (other tiers share it). No registry: images reach every node with
// `docker save | docker load` (the fixture). Traffic goes only to the test hosts' addresses.
// Run: `npm run test:swarm` (root). Encrypted overlays cannot carry traffic on this kernel (no
// rfc4106(gcm(aes)), `scripts/testhost/cluster.sh ipsec`): the stack sets encrypted: false here;
// tests/swarm-graph.test.ts checks the option statically.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { TestHost, testHostDown, testHostUnavailable, testHostUp } from "../support/testhost";
import type { LoadOptions, LoadReport } from "../load/report";
import { formatReport, startLoad } from "../load/run";

const REPO = path.resolve(__dirname, "../..");
const NODES = ["hpsw1", "hpsw2", "hpsw3"];
const STACK = "swarme2e";
const PREFIX = "hpsw";
const IMAGES = ["hostplane-e2e/demo-app:1", "hostplane-e2e/demo-app:2", "hostplane-e2e/nginx:1"];
const APP_DOMAIN = "app.localhost";
const SERVICE_PREFIX = `${PREFIX}-app-demo-`;

const lines = (s: string) => s.split("\n").filter(Boolean);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);

/** The stack: three ssh nodes (n1 manager and edge), one app with 3 replicas behind the proxy. */
function stackYaml(hosts: TestHost[]): string {
    const node = (h: TestHost, i: number) =>
        `      - { name: n${i + 1}, role: ${i === 0 ? "manager" : "worker"}, labels: [${i === 0 ? "edge" : ""}], host: { provider: ssh, address: "${h.address}", user: ${h.user}, port: ${h.port}, swap: "0" } }`;
    return `config:
  hostplane:prefix: ${PREFIX}
  hostplane:cluster:
    encrypted: false
    nodes:
${hosts.map(node).join("\n")}
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
          cpus: 0.25
          memory: 128M
          user: app
          replicas: 3
          env: { GREETING: hello }
          routes: [{ path: / }]
`;
}

/** A temp copy of the program with the stack file; HOME is a temp dir too (key file, known_hosts). */
function projectCopy(hosts: TestHost[]): { dir: string; home: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-swarm-e2e-"));
    const skip = (n: string) => ["node_modules", ".git", ".state", "e2e", "tests"].includes(n) || /^Pulumi\..+\.yaml$/.test(n);
    for (const n of fs.readdirSync(REPO).filter((x) => !skip(x))) fs.cpSync(path.join(REPO, n), path.join(dir, n), { recursive: true });
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), stackYaml(hosts));
    fs.mkdirSync(path.join(dir, ".state"));
    fs.mkdirSync(path.join(dir, "home"));
    return { dir, home: path.join(dir, "home") };
}

/** One key for the whole cluster (the stack's sshPrivateKey): n1's key is authorized on every node. */
function authorizeKey(hosts: TestHost[]): void {
    const pub = fs.readFileSync(`${hosts[0].keyFile}.pub`, "utf8");
    for (const h of hosts.slice(1)) h.exec(["sh", "-c", `cat >> ~${h.user}/.ssh/authorized_keys`], pub);
}

/** docker save | docker load into every node (no registry here). */
function shipImages(hosts: TestHost[]): void {
    const t0 = Date.now();
    const save = execFileSync("docker", ["save", ...IMAGES], { maxBuffer: 2 * 1024 * 1024 * 1024 });
    for (const h of hosts) h.exec(["docker", "load", "-q"], save);
    console.log(`      images loaded into ${hosts.length} nodes (${Math.round(save.length / 1e6)} MB each) in ${seconds(t0)}s`);
}

describe("e2e: a three-node Docker Swarm cluster (test hosts over SSH)", function () {
    this.timeout(30 * 60 * 1000);
    let hosts: TestHost[] = [];
    let stack: Stack;
    let dir: string;
    const log = (s: string) => process.stdout.write(s.replace(/^/gm, "      | "));
    const manager = (...args: string[]) => hosts[0].exec(["docker", ...args]);
    const load: LoadOptions = { port: 443, host: APP_DOMAIN, path: "/", slowPath: "/slow?seconds=2", keepAlive: 4, fresh: 4, slow: 2, slowStaggerMs: 1000, timeoutMs: 10000, pauseMs: 10, maxSeconds: 600, maxRequests: 500000 };
    /** GET through the proxy on n1's address, like a user. */
    const viaProxy = () => JSON.parse(execFileSync("curl", ["-fsSk", "--max-time", "5", "--resolve", `${APP_DOMAIN}:443:${hosts[0].address}`, `https://${APP_DOMAIN}/`], { encoding: "utf8" }));
    const demoServices = () => lines(manager("service", "ls", "--filter", `label=hostplane.stack=${STACK}`, "--format", "{{.Name}}")).filter((n) => n.startsWith(SERVICE_PREFIX));
    /** Node of every running task of a service. */
    const taskNodes = (svc: string) => lines(manager("service", "ps", svc, "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}")).filter((l) => / Running /.test(l)).map((l) => l.split(" ")[0]);

    before(async function () {
        const missing = testHostUnavailable() ?? (spawnSync("pulumi", ["version"]).status === 0 ? undefined : "pulumi is not usable (scripts/toolchain/build.sh)");
        if (missing) {
            if (process.env.CI === "true") throw new Error(missing);
            console.log(`      skipped: ${missing}`);
            this.skip();
        }
        for (const img of IMAGES) assert.strictEqual(spawnSync("docker", ["image", "inspect", img], { stdio: "ignore" }).status, 0, `${img} is missing: run images/build.sh`);
        const t0 = Date.now();
        hosts = NODES.map((n) => testHostUp(n));
        console.log(`      ${hosts.length} test hosts up in ${seconds(t0)}s: ${hosts.map((h) => `${h.name} ${h.address}`).join(", ")}`);
        authorizeKey(hosts);
        shipImages(hosts);
        const copy = projectCopy(hosts);
        dir = copy.dir;
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName: STACK, workDir: dir },
            {
                envVars: {
                    HOME: copy.home,
                    PULUMI_HOME: process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"),
                    PULUMI_BACKEND_URL: `file://${dir}/.state`,
                    PULUMI_CONFIG_PASSPHRASE: "e2e-only",
                    PULUMI_SKIP_UPDATE_CHECK: "true",
                    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                },
            },
        );
        await stack.setConfig("hostplane:sshPrivateKey", { value: fs.readFileSync(hosts[0].keyFile, "utf8"), secret: true });
    });

    after(async function () {
        if (stack && process.env.SWARM_E2E_KEEP !== "1") await stack.destroy({ onOutput: () => {} }).catch((e) => console.error("cleanup destroy failed:", e.message));
        if (process.env.SWARM_E2E_KEEP !== "1") for (const n of NODES) testHostDown(n);
        if (dir && process.env.SWARM_E2E_KEEP !== "1") fs.rmSync(dir, { recursive: true, force: true });
    });

    it("1. up from nothing: the swarm formed, 3 replicas spread over the nodes, the app answers through the proxy", async () => {
        const t0 = Date.now();
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        console.log(`      up from nothing in ${seconds(t0)}s`);
        const nodes = lines(manager("node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"));
        assert.strictEqual(nodes.filter((l) => / Ready/.test(l)).length, 3, nodes.join("; "));
        const svc = demoServices();
        assert.strictEqual(svc.length, 1, svc.join(", "));
        const where = taskNodes(svc[0]);
        console.log(`      ${svc[0]}: tasks on ${where.join(", ")}`);
        assert.strictEqual(where.length, 3);
        assert.ok(new Set(where).size >= 2, `replicas spread over nodes: ${where.join(", ")}`);
        assert.strictEqual(viaProxy().version, "1");
    });

    it("2. preview right after up shows no changes", async () => {
        const res = await stack.preview({ diff: true });
        const changed = Object.entries(res.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
        assert.deepStrictEqual(changed, [], res.stdout);
    });

    it("3. rolling update of the 3-replica app under load through the proxy (8 clients + 2 slow): 0 failed requests", async () => {
        const report = await underLoad("rollout 1 -> 2", async () => {
            await stack.setConfig("hostplane:environments.app.apps.demo.image", { value: "hostplane-e2e/demo-app:2" }, true);
            const res = await stack.up({ onOutput: log });
            assert.strictEqual(res.summary.result, "succeeded");
        });
        assert.deepStrictEqual(report.failures, [], "no failed request");
        assert.deepStrictEqual(Object.keys(report.phases.after.versions), ["2"]);
        assert.strictEqual(demoServices().length, 1, "the old revision's service is gone after the drain");
    });

    it("4. a rollout whose health check fails: up fails naming the service, the old version keeps serving", async () => {
        await stack.setConfig("hostplane:environments.app.apps.demo.healthcheck.path", { value: "/nope" }, true);
        await stack.setConfig("hostplane:environments.app.apps.demo.image", { value: "hostplane-e2e/demo-app:1" }, true);
        const t0 = Date.now();
        await assert.rejects(stack.up({ onOutput: log }), (e: Error) => {
            assert.match(e.message, new RegExp(`${SERVICE_PREFIX}[0-9a-f]{8}`));
            return true;
        });
        console.log(`      failed rollout reported after ${seconds(t0)}s`);
        assert.strictEqual(viaProxy().version, "2");
        await stack.setConfig("hostplane:environments.app.apps.demo.healthcheck.path", { value: "/health" }, true);
        await stack.setConfig("hostplane:environments.app.apps.demo.image", { value: "hostplane-e2e/demo-app:2" }, true);
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.strictEqual(viaProxy().version, "2");
    });

    it("5. a worker's dockerd killed: its replicas rescheduled on the others, the app keeps answering (failed requests reported)", async () => {
        const svc = demoServices()[0];
        const victim = hosts[2];
        const victimNode = victim.exec(["hostname"]);
        let rescheduled = 0;
        const report = await underLoad("worker failover", async () => {
            const t0 = Date.now();
            victim.exec(["sh", "-c", "kill -9 \"$(cat /var/run/docker.pid)\""]);
            for (let i = 0; i < 90; i++) {
                await sleep(1000);
                const where = taskNodes(svc);
                if (where.length === 3 && !where.includes(victimNode)) {
                    rescheduled = Date.now() - t0;
                    break;
                }
            }
        });
        console.log(`      replicas off ${victimNode} and running elsewhere after ${(rescheduled / 1000).toFixed(1)}s; failed requests during the failover: ${report.phases.rollout.failed} of ${report.phases.rollout.sent}`);
        assert.ok(rescheduled > 0, "rescheduled within 90 s");
        victim.exec(["sh", "-c", "setsid sh -c 'dockerd $(cat /etc/testhost-dockerd-args) >>/var/log/dockerd.log 2>&1' </dev/null >/dev/null 2>&1 &"]);
        for (let i = 0; i < 60 && !lines(manager("node", "ls", "--format", "{{.Hostname}} {{.Status}}")).includes(`${victimNode} Ready`); i++) await sleep(1000);
        assert.ok(lines(manager("node", "ls", "--format", "{{.Hostname}} {{.Status}}")).includes(`${victimNode} Ready`), "the node rejoined");
        assert.strictEqual(viaProxy().version, "2");
    });

    it("6. destroy: no service, secret, config, network or volume left on any node, the swarm dissolved", async () => {
        const res = await stack.destroy({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        for (const h of hosts) {
            const d = (...args: string[]) => lines(h.exec(["docker", ...args]));
            assert.deepStrictEqual(d("ps", "-a", "--filter", `label=hostplane.stack=${STACK}`, "--format", "{{.Names}}"), [], h.name);
            assert.deepStrictEqual(d("network", "ls", "--filter", `name=${PREFIX}_`, "--format", "{{.Name}}"), [], h.name);
            assert.deepStrictEqual(d("volume", "ls", "--filter", `label=hostplane.stack=${STACK}`, "--format", "{{.Name}}"), [], h.name);
            assert.strictEqual(h.exec(["docker", "info", "--format", "{{.Swarm.LocalNodeState}}"]), "inactive", `${h.name} left the swarm`);
        }
    });

    /** Runs `change` under load through the proxy (phases before / rollout / after) and prints the report. */
    async function underLoad(label: string, change: () => Promise<void>): Promise<LoadReport> {
        const run = startLoad({ ...load, address: hosts[0].address });
        await sleep(5000);
        run.phase("rollout");
        try {
            await change();
        } finally {
            run.phase("after");
            await sleep(3000);
        }
        const report = await run.stop();
        console.log(`      ${label} through the proxy:\n${formatReport(report).replace(/^/gm, "      | ")}`);
        return report;
    }
});
