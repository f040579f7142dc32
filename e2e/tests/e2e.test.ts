// End-to-end tier: the real Pulumi engine applies the `e2e` stack to the local Docker engine.
// Needs: the Pulumi CLI + plugins (scripts/toolchain/build.sh, or the official installer),
// a running Docker engine (scripts/docker-engine.sh) and the images (images/build.sh).
// `.ci/run` prepares all three; run by hand: `npm run test:e2e`.
import * as assert from "assert";
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { dockerCli } from "../../cli/ops/docker";
import { inFlightAtSwitch, LoadOptions, LoadReport } from "../load/report";
import { formatReport, startLoad } from "../load/run";
import { formatTable, status } from "../../cli/ops/status";
import { drift } from "../../cli/ops/drift";
import { formatDrift } from "../../lib/drift/report";
import { fromStackFile, stackFile } from "../../config/sources";
import { loadPlatformModel } from "../../config/validate";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { checkExpressions, dashboardExpressions, instantQuery, promApi, ruleExpressions } from "../support/prometheus";

const REPO = path.resolve(__dirname, "../..");
const PREFIX = "hpe2e";
const NETWORK = `${PREFIX}_e2e_network`;
const PROBE_IMAGE = "hostplane-e2e/demo-app:1";
/** The webhook receiver of the alert test: a demo-app container on the monitoring network. */
const ALERT_SINK = `${PREFIX}-alert-sink`;
const ALERT_SINK_URL = "http://alert-sink:8000/alerts";
const byService = (svc: string) => lines(docker("ps", "--filter", "label=hostplane.stack=e2e", "--filter", `label=hostplane.service=${svc}`, "--format", "{{.Names}}"))[0];
/**
 * Loki's stand-in (VictoriaLogs, images/victorialogs: another OTLP log store): Pulumi.e2e.yaml
 * points monitoring.logsEndpoint at this alias on the monitoring network.
 */
const LOG_STORE = { name: `${PREFIX}-victorialogs`, alias: "victorialogs", image: "hostplane-e2e/victorialogs:1", network: `${PREFIX}_monitoring_network` };
const removeLogStore = () => execFileSync("docker", ["rm", "-f", LOG_STORE.name], { stdio: "ignore" });

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
const lines = (s: string) => s.split("\n").filter(Boolean);
const stackContainers = () => lines(docker("ps", "-a", "--filter", "label=hostplane.stack=e2e", "--format", "{{.Names}}"));
const appContainers = () => lines(docker("ps", "-a", "--filter", "label=hostplane.stack=e2e", "--filter", "label=hostplane.kind=app", "--format", "{{.Names}}"));

/** An HTTP GET from inside the environment network, through Docker's DNS, as the proxy would do. */
function getInNetwork(url: string, timeoutSeconds = 5): { code: number; body: string } {
    const py = `import urllib.request as u, urllib.error as e
try:
    r = u.urlopen(${JSON.stringify(url)}, timeout=${timeoutSeconds}); print(r.status); print(r.read().decode())
except e.HTTPError as x:
    print(x.code); print(x.read().decode())`;
    const out = docker("run", "--rm", "--network", NETWORK, PROBE_IMAGE, "python3", "-c", py);
    const [code, ...body] = out.split("\n");
    return { code: Number(code), body: body.join("\n") };
}

/**
 * Load through the proxy, as users reach the app: HTTPS to 127.0.0.1:18443 with the route's host
 * name as SNI and Host header; 4 keep-alive and 4 connection-per-request clients plus 2 clients
 * that always keep a 2 s request in flight. Bounded: 10 minutes or 500k requests at most.
 */
const LOAD: LoadOptions = {
    port: 18443,
    host: "e2e.localhost",
    path: "/",
    slowPath: "/slow?seconds=2",
    keepAlive: 4,
    fresh: 4,
    slow: 2,
    slowStaggerMs: 1000,
    timeoutMs: 10000,
    pauseMs: 10,
    maxSeconds: 600,
    maxRequests: 500000,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `change` (a rollout of the demo app from version `from` to `to`) under load through the
 * proxy; returns the report after checking: no failed request in any phase, traffic moved from
 * `from` to `to`, a slow request answered by `from` was in flight when `to` took over, and the
 * proxy presented the route's certificate (SNI).
 */
async function rolloutUnderLoad(label: string, from: string, to: string, change: () => Promise<void>): Promise<LoadReport> {
    const load = startLoad(LOAD);
    await sleep(8000);
    load.phase("rollout");
    try {
        await change();
    } finally {
        load.phase("after");
        await sleep(3000);
    }
    const report = await load.stop();
    console.log(`      ${label} through the proxy (before / during the rollout / after it):\n${formatReport(report).replace(/^/gm, "      | ")}`);
    const switched = inFlightAtSwitch(report, from, to);
    console.log(`      slow requests: ${report.slow.length} sent, ${report.slow.filter((r) => r.ok).length} answered; in flight at the switch to ${to}: ${JSON.stringify(switched.map((r) => ({ start: r.start, end: r.end })))}`);
    assert.deepStrictEqual(report.failures, [], "no failed request");
    assert.ok(report.phases.before.sent > 0 && report.phases.rollout.sent > 0 && report.phases.after.sent > 0);
    assert.deepStrictEqual(Object.keys(report.phases.before.versions), [from]);
    assert.ok(report.phases.rollout.versions[to] > 0, `version ${to} answered during the rollout`);
    assert.deepStrictEqual(Object.keys(report.phases.after.versions), [to]);
    assert.ok(switched.length > 0, `a slow request answered by ${from} was in flight when ${to} took over`);
    assert.ok(report.slow.every((r) => r.ok));
    assert.deepStrictEqual(report.certSubjects, [LOAD.host]);
    return report;
}

/** The proxy's upstream for the demo app names the revision alias of the one running demo container. */
function assertProxySwitchedToRunningRevision(): void {
    const demo = appContainers().filter((n) => n.startsWith(`${PREFIX}-e2e-demo-`));
    assert.strictEqual(demo.length, 1, demo.join(", "));
    const revision = demo[0].slice(`${PREFIX}-e2e-demo-`.length);
    const upstream = docker("exec", `${PREFIX}-proxy`, "cat", "/etc/nginx/hostplane/upstreams/e2e-demo.conf");
    assert.match(upstream, new RegExp(`^set \\$upstream http://e2e-demo-${revision}:8000;$`, "m"));
}

/** GET through the proxy with the route's host name (SNI), like a user. */
const viaProxy = (urlPath: string) =>
    execFileSync("curl", ["-fsSk", "--max-time", "10", "--resolve", `${LOAD.host}:${LOAD.port}:127.0.0.1`, `https://${LOAD.host}:${LOAD.port}${urlPath}`], { encoding: "utf8" });

/** Runs a command without blocking the event loop (the load client reports over a pipe meanwhile). */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
    return new Promise((resolve, reject) => {
        const p = spawn(cmd, args, { cwd, env });
        let out = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (out += d));
        p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${out.slice(-4000)}`))));
    });
}

/** Copies the program into a temp dir so config changes and state never touch the repo. */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-e2e-"));
    for (const f of ["Pulumi.yaml", "Pulumi.e2e.yaml", "index.ts", "package.json", "tsconfig.json", "tsconfig.pulumi.json"]) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
    // cli: `npm run ops -- rollback` runs in the copy, against its state and stack file.
    for (const d of ["config", "catalog", "spec", "runtime", "components", "render", "lib", "scripts", "monitoring", "cli", "policy", "images"]) fs.cpSync(path.join(REPO, d), path.join(dir, d), { recursive: true });
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    fs.mkdirSync(path.join(dir, ".state"));
    // The copy routes alerts to a webhook (the Slack receiver type posts JSON to its URL): the
    // alert test's demo-app container. The URL is a secret config key, set once the stack exists.
    const file = path.join(dir, "Pulumi.e2e.yaml");
    const doc = parseYaml(fs.readFileSync(file, "utf8"));
    doc.config["hostplane:monitoring"].alerts = { receiver: { type: "slack", webhookUrl: "alertSink" } };
    fs.writeFileSync(file, stringifyYaml(doc));
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
        await stack.setConfig("hostplane:alertSink", { value: ALERT_SINK_URL, secret: true });
    });

    after(async function () {
        // Left only by a test that failed half-way.
        spawnSync("docker", ["rm", "-f", ALERT_SINK], { stdio: "ignore" });
        if (!stack) return;
        // Leave nothing behind even when a test failed half-way (the log store holds the monitoring network).
        removeLogStore();
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
        // Its own secret and the connection settings of the services it depends on, all readable by the app user.
        assert.deepStrictEqual(body.secrets, ["AMQP_URL", "DATABASE_URL", "REDIS_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "SESSION_SECRET"]);
        // the worker's host port is bound to loopback only
        assert.match(docker("port", names.find((n) => n.includes("worker"))!), /^8000\/tcp -> 127\.0\.0\.1:18002$/);
    });

    it("2. preview right after up shows no changes (convergence)", async () => {
        const res = await stack.preview({ diff: true });
        const changed = Object.entries(res.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
        assert.deepStrictEqual(changed, [], res.stdout);
        // The data services run the images the last up recorded: no release-line warning.
        assert.doesNotMatch(res.stdout, /release line/, res.stdout);
    });

    it("2b. ops status on the real engine: every declared service has a running, healthy container", () => {
        const model = loadPlatformModel(fromStackFile(stackFile("e2e", dir)));
        const r = status(model, dockerCli(undefined), {});
        console.log(formatTable(r.rows).replace(/^/gm, "      | "));
        assert.ok(r.ok, "not all healthy");
        for (const svc of ["demo", "worker", "postgres", "redis", "mq", "events", "objects"]) assert.ok(r.rows.some((x) => x.env === "e2e" && x.service === svc && x.state === "running"), svc);
    });

    it("2c. backup sidecars from the image Pulumi built: a restore drill in the postgres one passes; Prometheus sees the backup and drill metrics of PostgreSQL, Redis and RabbitMQ", async () => {
        const sidecar = byService("postgres-backup");
        // The sidecar runs the image Pulumi built on this engine from images/backup/Dockerfile FROM
        // the stack's postgres image: the off-host tools and the scripts are in it.
        const image = docker("inspect", "-f", "{{.Config.Image}}", sidecar).trim();
        assert.match(image, /^hostplane-local\/backup:[0-9a-f]{12}$/);
        const tools = execFileSync("docker", ["exec", sidecar, "sh", "-c", "age --version && rclone version | sed -n 1p && flock --version && ls /usr/local/bin"], { encoding: "utf8" });
        log(`${image}: ${tools}`);
        assert.match(tools, /rclone v/);
        assert.match(tools, /redis-backup\.sh/);
        // The sidecar took its first backup at start (proved by a scratch restore); drill it now.
        const out = execFileSync("docker", ["exec", sidecar, "pg-backup.sh", "drill"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        log(out);
        const prometheus = byService("prometheus");
        // Filtered by env: node-exporter's textfile directory is the host's, and other stacks on
        // this host (the local stack, env dev) write their backup metrics there too.
        const query = encodeURIComponent('hostplane_restore_drill_last_success_timestamp_seconds{env="e2e"}');
        let result: any[] = [];
        for (let i = 0; i < 45 && result.length === 0; i++) {
            const body = docker("exec", prometheus, "wget", "-qO-", `http://127.0.0.1:9090/api/v1/query?query=${query}`);
            result = JSON.parse(body).data.result;
            if (result.length === 0) await new Promise((r) => setTimeout(r, 2000));
        }
        assert.ok(result.length > 0, `Prometheus has no ${decodeURIComponent(query)}`);
        const drilled = Number(result[0].value[1]);
        assert.ok(Date.now() / 1000 - drilled < 600, `the drill is recent (${drilled})`);
        assert.strictEqual(result[0].metric.env, "e2e");
        // Redis's and RabbitMQ's sidecars (the same image recipe FROM their servers' images) took
        // their first backup and drill at start: Prometheus sees both for each service.
        for (const metric of ["hostplane_backup_last_success_timestamp_seconds", "hostplane_restore_drill_last_success_timestamp_seconds"]) {
            const q = encodeURIComponent(`${metric}{env="e2e"}`);
            let services: string[] = [];
            for (let i = 0; i < 60 && !["redis", "mq"].every((s) => services.includes(s)); i++) {
                services = JSON.parse(docker("exec", prometheus, "wget", "-qO-", `http://127.0.0.1:9090/api/v1/query?query=${q}`)).data.result.map((r: any) => r.metric.service);
                if (!["redis", "mq"].every((s) => services.includes(s))) await new Promise((r) => setTimeout(r, 2000));
            }
            log(`${metric}: ${services.join(", ")}`);
            for (const s of ["postgres", "redis", "mq"]) assert.ok(services.includes(s), `Prometheus has ${metric} of ${s} (has: ${services.join(", ")})`);
        }
        for (const svc of ["redis-backup", "mq-backup"]) assert.match(docker("inspect", "-f", "{{.Config.Image}}", byService(svc)), /^hostplane-local\/backup:[0-9a-f]{12}$/);
    });

    it("2d. ops drift: none after up; a stopped container and a host file edited by hand are both named; none once restored", function () {
        const model = loadPlatformModel(fromStackFile(stackFile("e2e", dir)));
        const d = dockerCli(undefined);
        const check = () => {
            const t0 = Date.now();
            const r = drift(model, d);
            log(`${formatDrift("e2e", r)}\n(ops drift in ${((Date.now() - t0) / 1000).toFixed(1)}s)\n`);
            return r;
        };
        const clean = check();
        assert.deepStrictEqual([clean.files, clean.containers], [[], []], "no drift right after up");
        assert.ok(clean.checkedFiles >= 5, `${clean.checkedFiles} files checked`);
        const file = "/opt/hostplane/proxy/conf.d/e2e.localhost.conf";
        const worker = appContainers().find((n) => n.includes("worker"))!;
        const hp = (script: string) => docker("run", "--rm", "--network", "none", "-v", "/opt/hostplane:/hp", "--entrypoint", "sh", "hostplane-e2e/nginx:1", "-c", script);
        const original = hp(`base64 -w0 /hp/${file.slice("/opt/hostplane/".length)}`);
        try {
            hp(`echo '# edited by hand' >> /hp/${file.slice("/opt/hostplane/".length)}`);
            docker("stop", "-t", "2", worker);
            const r = check();
            assert.deepStrictEqual(r.files, [{ path: file, kind: "changed" }]);
            assert.deepStrictEqual(r.containers.map((c) => `${c.env}/${c.service} ${c.container} ${c.state}`), [`e2e/worker ${worker} exited`]);
            assert.match(formatDrift("e2e", r), new RegExp(`file ${file}: changed on the host[\\s\\S]*container e2e/worker \\(${worker}\\): exited`));
        } finally {
            hp(`echo ${original} | base64 -d > /hp/${file.slice("/opt/hostplane/".length)}`);
            docker("start", worker);
        }
        // Healthy again (1 s health interval) before the next test puts load on the stack.
        const until = Date.now() + 60_000;
        while (docker("inspect", "-f", "{{.State.Health.Status}}", worker) !== "healthy" && Date.now() < until) execFileSync("sleep", ["1"]);
        const after = check();
        assert.deepStrictEqual([after.files, after.containers], [[], []], "no drift once restored");
    });

    it("2e. the demo app sends a fresh value through PostgreSQL, Redis, RabbitMQ, Kafka and SeaweedFS (S3: put, get, delete) with the settings hostplane handed it, and reads it back", () => {
        for (const kind of ["postgres", "redis", "rabbitmq", "kafka", "s3"]) {
            const t0 = Date.now();
            const r = getInNetwork(`http://e2e-demo:8000/roundtrip/${kind}`, 60);
            log(`${kind}: ${r.body.trim()} (${Date.now() - t0} ms with the probe container)\n`);
            assert.strictEqual(r.code, 200, r.body);
            const body = JSON.parse(r.body);
            assert.ok(body.ok && body.received === body.sent && /^[0-9a-f]{32}$/.test(body.sent), r.body);
        }
    });

    it("2f. Prometheus: every scrape target up == 1 (exporters, RabbitMQ's endpoint, Kafka's JMX agent, SeaweedFS's metrics port, blackbox probes), and every dashboard/rule expression has data or a stated reason", async () => {
        const q = promApi(byService("prometheus"));
        const wanted = ["postgres", "redis", "rabbitmq", "kafka", "seaweedfs", "blackbox", "node-exporter"];
        let up: any[] = [];
        let probes: any[] = [];
        const until = Date.now() + 120_000;
        for (;;) {
            up = instantQuery(q, "up");
            probes = instantQuery(q, "probe_success");
            const jobs = new Set(up.map((r) => r.metric.job));
            const ready = up.every((r) => r.value[1] === "1") && wanted.every((j) => jobs.has(j)) && probes.length > 0 && probes.every((r) => r.value[1] === "1");
            if (ready || Date.now() > until) break;
            await sleep(3000);
        }
        log(up.map((r) => `up{job="${r.metric.job}",instance="${r.metric.instance}"} ${r.value[1]}`).join("\n") + "\n");
        log(probes.map((r) => `probe_success{job="${r.metric.job}",instance="${r.metric.instance}"} ${r.value[1]}`).join("\n") + "\n");
        assert.deepStrictEqual(up.filter((r) => r.value[1] !== "1").map((r) => r.metric), [], "every target up");
        assert.deepStrictEqual(wanted.filter((j) => !up.some((r) => r.metric.job === j)), [], "every exporter job scraped");
        assert.ok(probes.length > 0 && probes.every((r) => r.value[1] === "1"), "every blackbox probe succeeds");
        const report = checkExpressions(q, [...dashboardExpressions(path.join(REPO, "monitoring/dashboards")), ...ruleExpressions(q)]);
        log(report.map((r) => `${r.state.padEnd(7)} ${r.source}${r.detail ? ` -- ${r.detail}` : ""}`).join("\n") + "\n");
        assert.deepStrictEqual(report.filter((r) => r.state === "missing").map((r) => `${r.source}: ${r.detail}`), [], "an expression lacks data without a stated reason");
    });

    it("2g. Alertmanager delivers a test alert through the rendered routing to a webhook receiver (the demo app)", async () => {
        docker("run", "-d", "--name", ALERT_SINK, "--network", `${PREFIX}_monitoring_network`, "--network-alias", "alert-sink", "--label", "hostplane.e2e.alert-sink=1", PROBE_IMAGE);
        const alertmanager = byService("alertmanager");
        const alert = JSON.stringify([{ labels: { alertname: "HostplaneE2ETestAlert", env: "e2e", service: "demo", severity: "warning" }, annotations: { summary: "e2e test alert" } }]);
        docker("exec", alertmanager, "wget", "-qO-", "--header", "Content-Type: application/json", `--post-data=${alert}`, "http://127.0.0.1:9093/api/v2/alerts");
        const t0 = Date.now();
        let received = "[]";
        try {
            // group_wait is 30 s in the rendered route.
            while (Date.now() - t0 < 90_000) {
                received = docker("exec", ALERT_SINK, "curl", "-fsS", "http://127.0.0.1:8000/alerts");
                if (received.includes("HostplaneE2ETestAlert")) break;
                await sleep(2000);
            }
        } finally {
            // Off the monitoring network before anything else: destroy removes that network.
            docker("rm", "-f", ALERT_SINK);
        }
        log(`delivered after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${received.slice(0, 400)}\n`);
        assert.match(received, /\[FIRING\] HostplaneE2ETestAlert \(e2e\)/);
        assert.match(received, /e2e test alert/);
    });

    it("2h. logs: a request through the proxy reaches the OTLP log store (VictoriaLogs for Loki) with its env/service/container labels; Prometheus scrapes the collector (up == 1)", async () => {
        removeLogStore();
        // Started after `up`: the collector queued what it read meanwhile and retries (at most 30 s apart).
        docker("run", "-d", "--name", LOG_STORE.name, "--network", LOG_STORE.network, "--network-alias", LOG_STORE.alias, LOG_STORE.image, "-storageDataPath=/victoria-logs-data", "-retentionPeriod=1d");
        try {
            const marker = `otelprobe${Date.now()}`;
            viaProxy(`/?probe=${marker}`);
            const query = (q: string) =>
                lines(docker("exec", LOG_STORE.name, "wget", "-qO-", `http://127.0.0.1:9428/select/logsql/query?query=${encodeURIComponent(q)}`)).map((l) => JSON.parse(l));
            // Bounded: 90 s for the line to be read, batched (2 s) and delivered.
            let hits: any[] = [];
            const t0 = Date.now();
            while (Date.now() - t0 < 90000 && hits.length === 0) {
                hits = query(`${marker} AND service:proxy`);
                if (hits.length === 0) await sleep(2000);
            }
            log(`log store: the proxy's line for /?probe=${marker} arrived after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(hits[0] ?? null)}\n`);
            assert.strictEqual(hits.length, 1, `the proxy's access-log line for /?probe=${marker} reached the log store`);
            assert.deepStrictEqual([hits[0].env, hits[0].service, hits[0].container], ["platform", "proxy", `${PREFIX}-proxy`]);
            assert.match(hits[0]._msg, new RegExp(`"uri":"/\\?probe=${marker}"`));
            assert.strictEqual(hits[0].status_class, "2xx");
            // An app's lines carry its environment and service, and the name of its container.
            const app = query("env:e2e AND service:demo");
            assert.ok(app.length > 0, "the demo app's lines reached the log store");
            assert.match(app[0].container, new RegExp(`^${PREFIX}-e2e-demo-`));
            // No other stack's lines: everything in the store belongs to this stack's containers.
            assert.deepStrictEqual(query("container:otelt* OR container:hp-*").length, 0);
        } finally {
            removeLogStore();
        }
        // Prometheus: the collector's target is up, and its series are there (docker_stats, the proxy's responses).
        const prometheus = byService("prometheus");
        const promQuery = (q: string) => JSON.parse(docker("exec", prometheus, "wget", "-qO-", `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(q)}`)).data.result as any[];
        let up: any[] = [];
        for (let i = 0; i < 30 && !(up.length === 1 && up[0].value[1] === "1"); i++) {
            up = promQuery('up{job="otelcol"}');
            if (!(up.length === 1 && up[0].value[1] === "1")) await sleep(2000);
        }
        assert.deepStrictEqual(up.map((r) => r.value[1]), ["1"], 'up{job="otelcol"} == 1');
        let memory: any[] = [];
        let responses: any[] = [];
        for (let i = 0; i < 30 && (memory.length === 0 || responses.length === 0); i++) {
            memory = promQuery('container_memory_usage_total_bytes{job="otelcol",env="e2e",service="demo"}');
            responses = promQuery('nginx_http_responses_total{job="otelcol",service="proxy"}');
            if (memory.length === 0 || responses.length === 0) await sleep(2000);
        }
        assert.ok(memory.length > 0, "docker_stats: the demo app's memory, labelled env/service");
        assert.ok(responses.length > 0, "the proxy's responses by status class");
        log(`Prometheus: up{job="otelcol"} = 1; ${memory.length} demo memory series; proxy responses: ${responses.map((r) => `${r.metric.status_class}=${r.value[1]}`).join(" ")}\n`);
    });

    it("2i. a preview after moving PostgreSQL to another major warns with the service, both images and versions and the README steps (the deployed images read back from the stack's last outputs)", async () => {
        const key = "hostplane:environments.e2e.services.postgres.image";
        await stack.setConfig(key, { value: "postgres:16.14-bookworm" }, true);
        try {
            const t0 = Date.now();
            const res = await stack.preview({ diff: false });
            const warning = /e2e\/postgres: the image moves to a new release line: hostplane-e2e\/postgres:1 \(15\) -> postgres:16\.14-bookworm \(16\.14\)\. Before this up: [^\n]*pg_upgrade[^\n]*Major upgrades of data services/;
            log(`preview with the new major in ${Date.now() - t0} ms: ${(res.stdout.match(/e2e\/postgres: the image moves[^\n]*/) ?? ["no warning"])[0]}\n`);
            assert.match(res.stdout, warning, res.stdout);
            // Only the service that moved: redis, rabbitmq (mq) and the rest keep their line.
            const services = new Set([...res.stdout.matchAll(/(\S+): the image moves to a new release line/g)].map((m) => m[1]));
            assert.deepStrictEqual([...services], ["e2e/postgres"], res.stdout);
        } finally {
            await stack.setConfig(key, { value: "hostplane-e2e/postgres:1" }, true);
        }
    });

    it("3. rolling update through the proxy under load: 0 failed requests, a slow request in flight at the switch completes", async () => {
        await stack.setConfig("hostplane:environments.e2e.apps.demo.image", { value: "hostplane-e2e/demo-app:2" }, true);
        await rolloutUnderLoad("rolling update 1 -> 2", "1", "2", async () => {
            const res = await stack.up({ onOutput: log });
            assert.strictEqual(res.summary.result, "succeeded");
        });
        assertProxySwitchedToRunningRevision();
        assert.strictEqual(JSON.parse(getInNetwork("http://e2e-demo:8000/").body).version, "2");
    });

    it("4. a rollout whose health check fails fails `up`, names the app, and the old version keeps serving", async () => {
        // "yes", not "1": config set --path would store 1 as a number, which env validation rejects
        // (then `up` fails on the config, not on the health check this test is about).
        await stack.setConfig("hostplane:environments.e2e.apps.demo.env.FAIL_HEALTH", { value: "yes" }, true);
        await assert.rejects(stack.up({ onOutput: log }), (e: Error) => /hpe2e-e2e-demo/.test(e.message));
        const r = getInNetwork("http://e2e-demo:8000/");
        assert.strictEqual(r.code, 200);
        assert.strictEqual(JSON.parse(r.body).version, "2");
        // The proxy was never switched to the failed revision.
        assert.strictEqual(JSON.parse(viaProxy("/")).version, "2");
        // Put the good config back: the next up converges and removes the failed revision.
        await stack.removeConfig("hostplane:environments.e2e.apps.demo.env.FAIL_HEALTH", true);
        const res = await stack.up({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.strictEqual(appContainers().length, 2, appContainers().join(", "));
    });

    it("4b. `npm run ops -- rollback demo` goes back to the previous image through the same cutover, 0 failed requests", async () => {
        const env = { ...process.env, PULUMI_BACKEND_URL: `file://${dir}/.state`, PULUMI_CONFIG_PASSPHRASE: "e2e-only", PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" };
        const dry = execFileSync("npm", ["run", "--silent", "ops", "--", "rollback", "demo", "--stack", "e2e", "--env", "e2e", "--dry-run"], { cwd: dir, env, encoding: "utf8" });
        // The file backend's history carries no update numbers: the "(as deployed by update #N)" part is optional.
        assert.match(dry, /e2e\/demo: hostplane-e2e\/demo-app:2 -> hostplane-e2e\/demo-app:1\b/);
        await rolloutUnderLoad("ops rollback 2 -> 1", "2", "1", async () => {
            const out = await run("npm", ["run", "--silent", "ops", "--", "rollback", "demo", "--stack", "e2e", "--env", "e2e"], dir, env);
            log(out);
            assert.match(out, /rolled back; commit Pulumi\.e2e\.yaml/);
        });
        assertProxySwitchedToRunningRevision();
        assert.match(fs.readFileSync(path.join(dir, "Pulumi.e2e.yaml"), "utf8"), /image: hostplane-e2e\/demo-app:1/);
        // State, config and host agree: nothing left to change.
        const preview = await stack.preview({ diff: true });
        const changed = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
        assert.deepStrictEqual(changed, [], preview.stdout);
    });

    it("5. destroy leaves no container, network or volume of the stack", async () => {
        const res = await stack.destroy({ onOutput: log });
        assert.strictEqual(res.summary.result, "succeeded");
        assert.deepStrictEqual(stackContainers(), []);
        assert.deepStrictEqual(lines(docker("network", "ls", "--filter", `name=${PREFIX}_`, "--format", "{{.Name}}")), []);
        assert.deepStrictEqual(lines(docker("volume", "ls", "--filter", "label=hostplane.stack=e2e", "--format", "{{.Name}}")), []);
    });
});
