// The monitoring files, checked by the real tools: `promtool check config|rules`, `amtool
// check-config` for every example stack and receiver kind, and `promtool test rules` unit tests
// of the alert rules with synthetic series. Plus the dashboards-vs-scrape-config label contract.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { ConfigError } from "../config/errors";
import type { PlatformModel } from "../config/model";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { renderHostFiles } from "../render";
import type { HostFile } from "../render/files";
import { renderMonitoring } from "../render/monitoring";
import { BACKUP_MAX_AGE_SECONDS } from "../render/monitoring/backup-hook";
import { dashboardFiles } from "../render/monitoring/grafana";
import { CONF, SLACK_WEBHOOK_FILE } from "../render/monitoring/paths";
import { prometheusConfig, RULES_FILE } from "../render/monitoring/prometheus";
import { NGINX_RESPONSES_METRIC } from "../render/monitoring/rules";
import { EXPORTER_KINDS } from "../config/monitoring";
import { baseConfig, sourceOf, STACKS } from "./fixtures";
import { haveCommand, requireTool } from "./support/tools";

const PROMTOOL = haveCommand("promtool");
const AMTOOL = haveCommand("amtool");
const INSTALL = "apt-get install -y prometheus prometheus-alertmanager";

const stackModel = (stack: string) => loadPlatformModel(fromStackFile(stackFile(stack)));

/** Writes files under dir in the on-host layout; returns dir. */
function writeTree(files: HostFile[], dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-mon-"))): string {
    for (const f of files) {
        const dest = path.join(dir, f.path);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, f.content, { mode: f.mode });
    }
    return dir;
}

function run(cmd: string, args: string[], cwd?: string): { status: number | null; out: string } {
    const r = spawnSync(cmd, args, { encoding: "utf8", cwd });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const promDir = (root: string) => path.join(root, CONF.prometheus.host);
const amFile = (root: string) => path.join(root, CONF.alertmanager.host, "alertmanager.yml");

function withMonitoring(monitoring: Record<string, unknown>, secrets: string[] = ["stripeApiKey"]): PlatformModel {
    return loadPlatformModel(sourceOf({ ...baseConfig(), monitoring }, secrets));
}

describe("monitoring config (rendered)", () => {
    for (const stack of STACKS) {
        describe(`stack ${stack}`, () => {
            let root: string;
            before(() => (root = writeTree(renderHostFiles(stackModel(stack)))));

            it("promtool check config accepts prometheus.yml (rule_files resolved on the on-host layout)", function () {
                requireTool(this, PROMTOOL, "promtool", INSTALL);
                const r = run("promtool", ["check", "config", "prometheus.yml"], promDir(root));
                assert.strictEqual(r.status, 0, r.out);
                assert.match(r.out, /SUCCESS: 1 rule files found/);
            });

            it("promtool check rules accepts the alert rules", function () {
                requireTool(this, PROMTOOL, "promtool", INSTALL);
                const r = run("promtool", ["check", "rules", RULES_FILE], promDir(root));
                assert.strictEqual(r.status, 0, r.out);
            });

            it("amtool check-config accepts alertmanager.yml (when Alertmanager runs)", function () {
                requireTool(this, AMTOOL, "amtool", INSTALL);
                if (!stackModel(stack).monitoring.services.alertmanager) return;
                const r = run("amtool", ["check-config", amFile(root)]);
                assert.strictEqual(r.status, 0, r.out);
            });
        });
    }

    it("every app with a metrics endpoint is a scrape target, with env/service labels and its path", () => {
        for (const stack of STACKS) {
            const model = stackModel(stack);
            const apps = (prometheusConfig(model).scrape_configs as any[]).find((j) => j.job_name === "apps");
            const got = (apps?.static_configs ?? []).map((s: any) => `${s.labels.env}/${s.labels.service} ${s.targets[0]}${s.labels.__metrics_path__}`).sort();
            const want = model.environments
                .flatMap((e) => e.apps.filter((a) => a.metrics).map((a) => `${e.name}/${a.name} ${a.alias}:${a.metrics!.port}${a.metrics!.path}`))
                .sort();
            assert.deepStrictEqual(got, want, stack);
        }
    });

    it("every route and every HTTP health endpoint is probed through blackbox", () => {
        const model = stackModel("staging");
        const jobs = prometheusConfig(model).scrape_configs as any[];
        const targets = (job: string) => jobs.find((j) => j.job_name === job).static_configs.map((s: any) => s.targets[0]).sort();
        assert.deepStrictEqual(targets("probe-routes"), model.proxy.routes.map((r) => `https://${r.host}${r.path}`).sort());
        assert.ok(targets("probe-health").includes("http://staging-api:8000/health"));
        assert.ok(!targets("probe-health").some((t: string) => t.includes("worker")), "command health checks are not probed over HTTP");
    });

    it("the disk rule filters real filesystems (ext4|xfs|btrfs), never aufs", () => {
        const rules = fs.readFileSync(path.join(writeTree(renderMonitoring(stackModel("production"))), CONF.prometheus.host, RULES_FILE), "utf8");
        assert.match(rules, /fstype=~"ext4\|xfs\|btrfs"/);
        assert.doesNotMatch(rules, /aufs/);
    });

    it("monitoring.enabled: false renders no monitoring files", () => {
        assert.deepStrictEqual(renderMonitoring(withMonitoring({ enabled: false })), []);
    });
});

describe("alertmanager receivers", () => {
    const cases: [string, Record<string, unknown>, string[], RegExp][] = [
        ["none", { alerts: { receiver: { type: "none" } } }, [], /receiver: none/],
        ["slack", { alerts: { receiver: { type: "slack", webhookUrl: "slackWebhook", channel: "#alerts" } } }, ["slackWebhook"], new RegExp(`api_url_file: ${SLACK_WEBHOOK_FILE}`)],
        [
            "email",
            { alerts: { receiver: { type: "email", to: "ops@example.com", from: "am@example.com", smarthost: "smtp.example.com:587", authUsername: "am", authPassword: "smtpPassword" } } },
            ["smtpPassword"],
            /smtp_auth_password_file: /,
        ],
    ];
    for (const [name, monitoring, secrets, expect] of cases) {
        it(`${name}: amtool check-config accepts it, and no secret value is in the file`, function () {
            const model = withMonitoring(monitoring, ["stripeApiKey", ...secrets]);
            const file = renderMonitoring(model).find((f) => f.path.endsWith("alertmanager.yml"))!;
            assert.match(file.content, expect);
            assert.doesNotMatch(file.content, /hooks\.slack\.com|\[secret\]|mocksecret/);
            assert.deepStrictEqual(
                secrets.filter((s) => !model.configSecretKeys.includes(s)),
                [],
                "receiver secrets are config secret keys of the model",
            );
            requireTool(this, AMTOOL, "amtool", INSTALL);
            const root = writeTree([file]);
            const r = run("amtool", ["check-config", amFile(root)]);
            assert.strictEqual(r.status, 0, r.out);
        });
    }

    it("a slack receiver without its secret is a config error naming the key", () => {
        assert.throws(
            () => withMonitoring({ alerts: { receiver: { type: "slack", webhookUrl: "slackWebhook" } } }),
            (e: unknown) =>
                e instanceof ConfigError &&
                e.issues.some(
                    (i) =>
                        i.key === "hostplane:monitoring.alerts.receiver.webhookUrl" &&
                        i.message === "missing secret hostplane:slackWebhook; set it with 'pulumi config set --secret hostplane:slackWebhook <value> --stack test'",
                ),
        );
    });

    it("logsRetention must be a multiple of 24h", () => {
        assert.throws(
            () => withMonitoring({ logsRetention: "36h" }),
            (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.key === "hostplane:monitoring.logsRetention"),
        );
    });
});

describe("alert rules (promtool test rules)", () => {
    let rulesPath: string;
    before(function () {
        requireTool(this, PROMTOOL, "promtool", INSTALL);
        const root = writeTree(renderMonitoring(stackModel("production")));
        rulesPath = path.join(root, CONF.prometheus.host, RULES_FILE);
    });

    const api = { env: "production", service: "api" };
    const node = { job: "node-exporter", instance: "node-exporter:9100" };
    const sel = (name: string, labels: Record<string, string>) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
    const fsLabels = (mountpoint: string, fstype: string, device: string) => ({ ...node, env: "monitoring", service: "node-exporter", mountpoint, fstype, device });

    const tests = [
        {
            name: "TargetDown fires after its 2m `for`, not before",
            interval: "1m",
            input_series: [{ series: sel("up", { job: "apps", instance: "production-api:8000", ...api }), values: "0x10" }],
            alert_rule_test: [
                { eval_time: "1m", alertname: "TargetDown", exp_alerts: [] },
                {
                    eval_time: "3m",
                    alertname: "TargetDown",
                    exp_alerts: [
                        {
                            exp_labels: { severity: "critical", job: "apps", instance: "production-api:8000", ...api },
                            exp_annotations: { summary: "production/api: scrape target production-api:8000 (apps) is down" },
                        },
                    ],
                },
            ],
        },
        {
            name: "HostDiskFull fires at 86% on ext4, not at 80%, never on tmpfs/overlay",
            interval: "1m",
            input_series: [
                { series: sel("node_filesystem_size_bytes", fsLabels("/", "ext4", "/dev/sda1")), values: "100x10" },
                { series: sel("node_filesystem_avail_bytes", fsLabels("/", "ext4", "/dev/sda1")), values: "14x10" },
                { series: sel("node_filesystem_size_bytes", fsLabels("/data", "xfs", "/dev/sdb1")), values: "100x10" },
                { series: sel("node_filesystem_avail_bytes", fsLabels("/data", "xfs", "/dev/sdb1")), values: "20x10" },
                { series: sel("node_filesystem_size_bytes", fsLabels("/dev/shm", "tmpfs", "tmpfs")), values: "100x10" },
                { series: sel("node_filesystem_avail_bytes", fsLabels("/dev/shm", "tmpfs", "tmpfs")), values: "1x10" },
                { series: sel("node_filesystem_size_bytes", fsLabels("/var/lib/docker/overlay2/x/merged", "overlay", "overlay")), values: "100x10" },
                { series: sel("node_filesystem_avail_bytes", fsLabels("/var/lib/docker/overlay2/x/merged", "overlay", "overlay")), values: "1x10" },
            ],
            alert_rule_test: [
                { eval_time: "3m", alertname: "HostDiskFull", exp_alerts: [] },
                {
                    eval_time: "6m",
                    alertname: "HostDiskFull",
                    exp_alerts: [
                        {
                            exp_labels: { severity: "critical", ...fsLabels("/", "ext4", "/dev/sda1") },
                            exp_annotations: { summary: "filesystem / (/dev/sda1) is 86% full (threshold 85%)" },
                        },
                    ],
                },
            ],
        },
        {
            name: "ContainerMemoryNearLimit fires above 90% of the limit",
            interval: "1m",
            input_series: [
                { series: sel("container_memory_usage_total_bytes", { job: "otelcol", container_name: "shop-production-api-1", ...api }), values: "950x10" },
                { series: sel("container_memory_usage_limit_bytes", { job: "otelcol", container_name: "shop-production-api-1", ...api }), values: "1000x10" },
                { series: sel("container_memory_usage_total_bytes", { job: "otelcol", container_name: "shop-production-web-1", env: "production", service: "web" }), values: "500x10" },
                { series: sel("container_memory_usage_limit_bytes", { job: "otelcol", container_name: "shop-production-web-1", env: "production", service: "web" }), values: "1000x10" },
            ],
            alert_rule_test: [
                {
                    eval_time: "6m",
                    alertname: "ContainerMemoryNearLimit",
                    exp_alerts: [
                        {
                            exp_labels: { severity: "warning", job: "otelcol", container_name: "shop-production-api-1", ...api },
                            exp_annotations: { summary: "container shop-production-api-1 (production/api) uses 95% of its memory limit" },
                        },
                    ],
                },
            ],
        },
        {
            name: "ContainerRestarting fires on 3 restarts in 15 minutes",
            interval: "1m",
            // Docker's restart count as docker_stats reports it: 0, then 3 restarts by minute 5.
            input_series: [{ series: sel("container_restarts_total", { job: "otelcol", container_name: "shop-production-api-1", ...api }), values: "0 0 1 2 3 3" }],
            alert_rule_test: [
                { eval_time: "2m", alertname: "ContainerRestarting", exp_alerts: [] },
                {
                    eval_time: "5m",
                    alertname: "ContainerRestarting",
                    exp_alerts: [
                        {
                            exp_labels: { severity: "warning", job: "otelcol", container_name: "shop-production-api-1", ...api },
                            exp_annotations: { summary: "container shop-production-api-1 (production/api) restarted 3 times in 15 minutes" },
                        },
                    ],
                },
            ],
        },
        {
            name: "RouteProbeFailing fires after 3m of failed probes",
            interval: "1m",
            input_series: [{ series: sel("probe_success", { job: "probe-routes", instance: "https://example.com/api", ...api }), values: "1 0x10" }],
            alert_rule_test: [
                { eval_time: "2m", alertname: "RouteProbeFailing", exp_alerts: [] },
                {
                    eval_time: "5m",
                    alertname: "RouteProbeFailing",
                    exp_alerts: [
                        {
                            exp_labels: { severity: "critical", job: "probe-routes", instance: "https://example.com/api", ...api },
                            exp_annotations: { summary: "route https://example.com/api (production/api) fails its probe" },
                        },
                    ],
                },
            ],
        },
        {
            name: "TLSCertificateExpiringSoon fires under 14 days, not at 20",
            interval: "1m",
            input_series: [
                { series: sel("probe_ssl_earliest_cert_expiry", { job: "probe-routes", instance: "https://example.com/", ...api }), values: "864000x200" },
                { series: sel("probe_ssl_earliest_cert_expiry", { job: "probe-routes", instance: "https://python-api.example.com/", env: "production", service: "python-api" }), values: "1728000x200" },
            ],
            alert_rule_test: [
                {
                    eval_time: "2h",
                    alertname: "TLSCertificateExpiringSoon",
                    exp_alerts: [
                        {
                            exp_labels: { severity: "warning", job: "probe-routes", instance: "https://example.com/", ...api },
                            exp_annotations: { summary: "TLS certificate of https://example.com/ expires in 9d 22h 0m 0s (threshold 14 days)" },
                        },
                    ],
                },
            ],
        },
        {
            name: "Nginx5xxRatioHigh fires at 10% 5xx",
            interval: "1m",
            input_series: [
                { series: sel("nginx_http_responses_total", { job: "otelcol", env: "production", service: "proxy", status_class: "5xx" }), values: "0+10x20" },
                { series: sel("nginx_http_responses_total", { job: "otelcol", env: "production", service: "proxy", status_class: "2xx" }), values: "0+90x20" },
            ],
            alert_rule_test: [
                {
                    eval_time: "15m",
                    alertname: "Nginx5xxRatioHigh",
                    exp_alerts: [{ exp_labels: { severity: "critical", env: "production" }, exp_annotations: { summary: "nginx answers 10% of requests with a 5xx" } }],
                },
            ],
        },
        {
            name: "BackupTooOld fires when the newest backup is older than its declared max age",
            interval: "1h",
            input_series: [
                { series: sel("hostplane_backup_last_success_timestamp_seconds", { ...node, env: "production", service: "db" }), values: "0x5" },
                { series: sel("hostplane_backup_max_age_seconds", { ...node, env: "production", service: "db" }), values: "7200x5" },
                { series: sel("hostplane_backup_last_success_timestamp_seconds", { ...node, env: "production", service: "db2" }), values: "7200x5" },
                { series: sel("hostplane_backup_max_age_seconds", { ...node, env: "production", service: "db2" }), values: "7200x5" },
            ],
            alert_rule_test: [
                { eval_time: "1h", alertname: "BackupTooOld", exp_alerts: [] },
                {
                    eval_time: "3h",
                    alertname: "BackupTooOld",
                    exp_alerts: [
                        {
                            exp_labels: { severity: "critical", ...node, env: "production", service: "db" },
                            exp_annotations: { summary: "newest backup of production/db is 3h 0m 0s old, older than its schedule allows" },
                        },
                    ],
                },
            ],
        },
        {
            name: "BackupFailing fires when the backup sidecar reports a failed run for 10m",
            interval: "1m",
            input_series: [{ series: sel("hostplane_backup_last_run_failed", { ...node, env: "production", service: "db" }), values: "0 0 1x20" }],
            alert_rule_test: [
                { eval_time: "5m", alertname: "BackupFailing", exp_alerts: [] },
                {
                    eval_time: "13m",
                    alertname: "BackupFailing",
                    exp_alerts: [
                        {
                            exp_labels: { severity: "critical", ...node, env: "production", service: "db" },
                            exp_annotations: { summary: "the latest backup run of production/db failed" },
                        },
                    ],
                },
            ],
        },
    ];

    for (const t of tests) {
        it(t.name, () => {
            const { name, ...test } = t;
            const dir = path.dirname(rulesPath);
            const file = path.join(dir, `test-${name.replace(/[^a-z0-9]+/gi, "-")}.yml`);
            fs.writeFileSync(file, stringify({ rule_files: [path.basename(rulesPath)], evaluation_interval: "1m", tests: [test] }));
            const r = run("promtool", ["test", "rules", path.basename(file)], dir);
            assert.strictEqual(r.status, 0, r.out);
        });
    }
});

describe("backup-age hook: pg-backup.sh's textfile feeds the backup alerts", function () {
    this.timeout(60000);
    const SCRIPT = path.resolve(__dirname, "../scripts/postgres/pg-backup.sh");
    const node = { job: "node-exporter", instance: "node-exporter:9100" };
    let dir: string;
    let text: string;

    before(function () {
        requireTool(this, PROMTOOL, "promtool", INSTALL);
        // State as left by earlier runs: an hourly and a manual backup of `shop`. The run itself
        // cannot reach a server (port 1), so it records a failure and rewrites the metrics file:
        // exactly the path the sidecar takes, without needing PostgreSQL here.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-textfile-"));
        const state = path.join(dir, "state");
        fs.mkdirSync(state);
        fs.writeFileSync(path.join(state, "shop-hourly.ok"), "shop hourly 0 4096\n");
        fs.writeFileSync(path.join(state, "shop-manual.ok"), "shop manual 0 4096\n");
        fs.writeFileSync(path.join(state, "shop.drill"), "shop 0\n");
        fs.writeFileSync(path.join(state, "drill-failed"), "1\n");
        const r = spawnSync("bash", [SCRIPT, "run", "hourly"], {
            encoding: "utf8",
            env: {
                ...process.env,
                PGHOST: "127.0.0.1",
                PGPORT: "1",
                PGCONNECT_TIMEOUT: "2",
                BACKUP_DIR: path.join(dir, "backups"),
                STATE_DIR: state,
                METRICS_FILE: path.join(dir, "textfile", "backup-production-db.prom"),
                HOSTPLANE_ENV: "production",
                HOSTPLANE_SERVICE: "db",
                HOURLY_MAX_AGE_SECONDS: String(BACKUP_MAX_AGE_SECONDS.hourly),
                DRILL_EVERY_HOURS: "24",
                // promtool's clock starts at 0: the file is written "at" 0 too.
                METRICS_NOW: "0",
            },
        });
        assert.notStrictEqual(r.status, 0, "the run cannot reach a server and must fail");
        text = fs.readFileSync(path.join(dir, "textfile", "backup-production-db.prom"), "utf8");
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("is valid exposition format (promtool check metrics)", () => {
        const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        assert.deepStrictEqual(fs.readdirSync(path.join(dir, "textfile")), ["backup-production-db.prom"], "no temp file left behind");
    });

    it("gives scheduled kinds a max age and manual backups none", () => {
        const l = `env="production",service="db",database="shop"`;
        assert.match(text, new RegExp(`^hostplane_backup_last_success_timestamp_seconds\\{${l},kind="hourly"\\} 0$`, "m"));
        assert.match(text, new RegExp(`^hostplane_backup_max_age_seconds\\{${l},kind="hourly"\\} ${BACKUP_MAX_AGE_SECONDS.hourly}$`, "m"));
        assert.doesNotMatch(text, /max_age_seconds\{[^}]*kind="manual"/);
        assert.match(text, /^hostplane_backup_last_run_failed\{env="production",service="db"\} 1$/m);
    });

    it("BackupTooOld, BackupFailing, BackupMetricsStale, RestoreDrillFailing and RestoreDrillTooOld fire on exactly these series (promtool test rules)", () => {
        const root = writeTree(renderMonitoring(stackModel("production")));
        const rules = path.join(root, CONF.prometheus.host, RULES_FILE);
        // Every series of the file as the scrape delivers it (node-exporter target labels added;
        // honor_labels keeps env/service), held constant for 3h: the backup is from t=0.
        const series = text
            .split("\n")
            .filter((line) => line && !line.startsWith("#"))
            .map((line) => {
                const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line)!;
                return { series: `${m[1]}{${m[2]},job="${node.job}",instance="${node.instance}"}`, values: `${m[3]}x1700` };
            });
        const labels = { ...node, env: "production", service: "db" };
        const test = {
            rule_files: [path.basename(rules)],
            evaluation_interval: "1m",
            tests: [
                {
                    interval: "1m",
                    input_series: series,
                    alert_rule_test: [
                        { eval_time: "1h", alertname: "BackupTooOld", exp_alerts: [] },
                        {
                            eval_time: "2h30m",
                            alertname: "BackupTooOld",
                            exp_alerts: [
                                {
                                    exp_labels: { severity: "critical", ...labels, database: "shop", kind: "hourly" },
                                    exp_annotations: { summary: "newest backup of production/db is 2h 30m 0s old, older than its schedule allows" },
                                },
                            ],
                        },
                        {
                            eval_time: "30m",
                            alertname: "BackupFailing",
                            exp_alerts: [{ exp_labels: { severity: "critical", ...labels }, exp_annotations: { summary: "the latest backup run of production/db failed" } }],
                        },
                        // The file was written at 0 and never again: stale after 3h.
                        { eval_time: "2h59m", alertname: "BackupMetricsStale", exp_alerts: [] },
                        {
                            eval_time: "3h1m",
                            alertname: "BackupMetricsStale",
                            exp_alerts: [{ exp_labels: { severity: "critical", ...labels }, exp_annotations: { summary: "the backup metrics of production/db have not been updated for 3h 1m 0s" } }],
                        },
                        {
                            eval_time: "1m",
                            alertname: "RestoreDrillFailing",
                            exp_alerts: [{ exp_labels: { severity: "critical", ...labels }, exp_annotations: { summary: "the latest restore drill of production/db failed: a backup does not restore" } }],
                        },
                        // Drill every 24h, overdue 2h after that: 26h.
                        { eval_time: "25h59m", alertname: "RestoreDrillTooOld", exp_alerts: [] },
                        {
                            eval_time: "26h1m",
                            alertname: "RestoreDrillTooOld",
                            exp_alerts: [
                                {
                                    exp_labels: { severity: "critical", ...labels, database: "shop" },
                                    exp_annotations: { summary: "the newest successful restore drill of production/db/shop is 1d 2h 1m 0s old" },
                                },
                            ],
                        },
                    ],
                },
            ],
        };
        const file = path.join(path.dirname(rules), "test-backup-textfile.yml");
        fs.writeFileSync(file, stringify(test));
        const r = run("promtool", ["test", "rules", path.basename(file)], path.dirname(rules));
        assert.strictEqual(r.status, 0, r.out);
    });
});

describe("Grafana dashboards", () => {
    const exprs = (d: any): string[] => (d.panels ?? []).flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr)).concat((d.templating?.list ?? []).map((v: any) => v.query));

    it("ships host, containers and apps dashboards with unique uids, all on provisioned datasources", () => {
        const ds = dashboardFiles().map((f) => ({ name: f.name, d: JSON.parse(f.content) }));
        for (const n of ["host.json", "containers.json", "apps.json"]) assert.ok(ds.some((x) => x.name === n), n);
        assert.strictEqual(new Set(ds.map((x) => x.d.uid)).size, ds.length);
        for (const { name, d } of ds)
            for (const p of d.panels) assert.ok(["prometheus", "loki"].includes(p.datasource.uid), `${name}: ${p.title}`);
    });

    it("ships a dashboard per data-service kind in the example stacks' catalog (postgres, redis), a data-services and an nginx one", () => {
        const names = dashboardFiles().map((f) => f.name);
        for (const n of ["postgres.json", "redis.json", "data-services.json", "nginx.json"]) assert.ok(names.includes(n), n);
        const generic = JSON.parse(dashboardFiles().find((f) => f.name === "data-services.json")!.content);
        const up = exprs(generic).find((e) => e.startsWith("up{"))!;
        for (const kind of EXPORTER_KINDS) assert.match(up, new RegExp(`job=~"[^"]*\\b${kind}\\b`), `${kind} in the data-services dashboard`);
        const nginx = exprs(JSON.parse(dashboardFiles().find((f) => f.name === "nginx.json")!.content)).join("\n");
        assert.ok(nginx.includes(NGINX_RESPONSES_METRIC), "nginx dashboard uses the collector's access-log counter");
    });

    it("kind dashboards select their own job and only metrics that exporter produces; the collector's series keep their env/service labels", () => {
        for (const [file, job, prefix] of [["postgres.json", "postgres", /\bpg_/], ["redis.json", "redis", /\bredis_/]] as const) {
            for (const e of exprs(JSON.parse(dashboardFiles().find((f) => f.name === file)!.content))) {
                assert.match(e, new RegExp(`job="${job}"`), `${file}: ${e}`);
                assert.match(e, prefix, `${file}: ${e}`);
            }
        }
        const otelcol = (prometheusConfig(stackModel("production")).scrape_configs as any[]).find((j) => j.job_name === "otelcol");
        assert.strictEqual(otelcol.honor_labels, true, "service=\"proxy\" of the access-log counter and each container's env/service survive the scrape");
    });

    it("every job a dashboard queries is a scrape job of the rendered prometheus.yml (no 'No data' from label mismatch)", () => {
        // Union over the example stacks: staging's sandbox has every data-service kind.
        const jobs = new Set(STACKS.flatMap((st) => (prometheusConfig(stackModel(st)).scrape_configs as any[]).map((j) => j.job_name)));
        for (const f of dashboardFiles())
            for (const e of exprs(JSON.parse(f.content))) {
                for (const m of e.matchAll(/job=~?"([^"]+)"/g))
                    for (const job of m[1].split("|")) assert.ok(jobs.has(job), `${f.name}: job "${job}" in ${e} is not scraped`);
                // Dashboards filter by the env/service labels every job sets, never by Docker's raw label names.
                assert.doesNotMatch(e, /container_label_/, `${f.name}: ${e}`);
            }
    });
});
