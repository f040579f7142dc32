// The OpenTelemetry Collector's config, checked by the collector itself (the binary
// scripts/otelcol.sh builds with ocb, the same components the images run): `validate` accepts
// every rendered otelcol.yaml, and one real run over json-file logs written the way Docker writes
// them proves the env/service/container labels, the shipping over OTLP/HTTP and the proxy's
// responses by status class on the Prometheus exporter. All traffic stays on loopback.
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { stringify } from "yaml";
import { RETIRED_SERVICES } from "../config/monitoring-schema";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { otelcolConfig, renderOtelcol } from "../render/monitoring/otelcol";
import { baseConfig, configIssues, sourceOf, STACKS } from "./fixtures";
import { freePort } from "./support/ports";

const REPO = path.resolve(__dirname, "..");
/** The built collector, or undefined (scripts/otelcol.sh --path exits 1 when it is not built). */
function collectorBinary(): string | undefined {
    const r = spawnSync("bash", [path.join(REPO, "scripts/otelcol.sh"), "--path"], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
}

function requireCollector(ctx: Mocha.Context): string {
    const bin = collectorBinary();
    if (bin) return bin;
    const why = "the OpenTelemetry Collector is not built (bash scripts/otelcol.sh; .ci/run builds it in its Go job)";
    if (process.env.CI === "true") throw new Error(`CI=true and ${why}`);
    console.log(`      SKIPPED: ${why}`);
    ctx.skip();
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-otelcol-"));

describe("OpenTelemetry Collector config (rendered, checked by otelcol validate)", function () {
    this.timeout(120000);
    let bin: string;
    before(function () {
        bin = requireCollector(this);
    });

    const variants: [string, () => ReturnType<typeof loadPlatformModel>][] = [
        ...STACKS.map((s) => [`stack ${s}`, () => loadPlatformModel(fromStackFile(stackFile(s)))] as [string, () => ReturnType<typeof loadPlatformModel>]),
        ["no Loki and no logsEndpoint (logs only counted)", () => loadPlatformModel(sourceOf({ ...baseConfig(), monitoring: { services: { loki: false } } }))],
        ["an external OTLP log store", () => loadPlatformModel(sourceOf({ ...baseConfig(), monitoring: { logsEndpoint: "https://logs.example.com/otlp" } }))],
    ];
    for (const [name, model] of variants)
        it(`${name}: otelcol validate accepts otelcol.yaml`, () => {
            const m = model();
            if (!m.monitoring.services.otelcol) return;
            const dir = tmp();
            const file = path.join(dir, "otelcol.yaml");
            fs.writeFileSync(file, renderOtelcol(m)[0].content);
            const r = spawnSync(bin, ["validate", `--config=${file}`], { encoding: "utf8" });
            assert.strictEqual(r.status, 0, `${r.stdout}${r.stderr}`);
        });

    it("ships logs only where there is a log store", () => {
        const noStore = otelcolConfig(loadPlatformModel(sourceOf({ ...baseConfig(), monitoring: { services: { loki: false } } }))) as any;
        assert.deepStrictEqual(noStore.service.pipelines.logs.exporters, ["count/nginx"]);
        const loki = otelcolConfig(loadPlatformModel(sourceOf(baseConfig()))) as any;
        assert.strictEqual(loki.exporters["otlp_http/logs"].endpoint, "http://loki:3100/otlp");
    });
});

describe("OpenTelemetry Collector over Docker json-file logs (a real run on loopback)", function () {
    this.timeout(120000);
    let bin: string;
    before(function () {
        bin = requireCollector(this);
    });

    /** A json-file log line as Docker 28 writes it with hostplane's log options (render/log-opts.ts). */
    const line = (log: string, attrs: Record<string, string>) => JSON.stringify({ log: `${log}\n`, stream: "stdout", attrs, time: new Date().toISOString() }) + "\n";
    const ours = (env: string | undefined, service: string, tag: string) => ({
        ...(env ? { "hostplane.environment": env } : {}),
        "hostplane.service": service,
        "hostplane.stack": "test",
        "hostplane.project": "hostplane",
        tag,
    });

    it("labels each line env/service/container, ships it over OTLP/HTTP, drops other stacks' lines, counts the proxy's responses by class", async () => {
        const dir = tmp();
        const containers = path.join(dir, "containers");
        const write = (id: string, text: string) => {
            fs.mkdirSync(path.join(containers, id), { recursive: true });
            fs.writeFileSync(path.join(containers, id, `${id}-json.log`), text);
        };
        write("a1", line("GET /health 200 hello from the app", ours("production", "api", "tp-production-api-1")));
        write("p1", ["200", "200", "502"].map((s) => line(`{"time":"x","status":${s},"request":"GET / HTTP/1.1"}`, ours(undefined, "proxy", "tp-proxy"))).join(""));
        write("o1", line("another stack's line", { ...ours("production", "api", "other-api-1"), "hostplane.stack": "other" }) + line("no hostplane labels", {}));

        const received: any[] = [];
        const sink = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c) => chunks.push(c));
            req.on("end", () => {
                const body = req.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
                received.push({ path: req.url, body: JSON.parse(body.toString()) });
                res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
            });
        });
        const [sinkPort, promPort] = [await freePort(), await freePort()];
        await new Promise<void>((r) => sink.listen(sinkPort, "127.0.0.1", r));

        // The rendered config, pointed at this directory and loopback; docker_stats needs an engine
        // (the e2e tier runs it), so the metrics pipeline here carries the counted responses only.
        const cfg = otelcolConfig(loadPlatformModel(sourceOf({ ...baseConfig(), monitoring: { logsEndpoint: `http://127.0.0.1:${sinkPort}/otlp` } }))) as any;
        cfg.receivers["file_log/docker"].include = [`${containers}/*/*-json.log`];
        cfg.extensions.file_storage.directory = path.join(dir, "storage");
        cfg.exporters["otlp_http/logs"].encoding = "json";
        cfg.exporters.prometheus.endpoint = `127.0.0.1:${promPort}`;
        delete cfg.receivers.docker_stats;
        cfg.service.pipelines.metrics.receivers = ["count/nginx"];
        cfg.service.telemetry.metrics = { level: "none" };
        const file = path.join(dir, "otelcol.yaml");
        fs.writeFileSync(file, stringify(cfg));
        const proc = spawn(bin, [`--config=${file}`], { stdio: ["ignore", "pipe", "pipe"] });
        let log = "";
        proc.stderr.on("data", (d) => (log += d));
        try {
            const deadline = Date.now() + 60000;
            const records = () =>
                received.flatMap((r) => r.body.resourceLogs).flatMap((rl: any) => rl.scopeLogs.flatMap((sl: any) => sl.logRecords.map((lr: any) => ({ resource: attrs(rl.resource.attributes), record: lr }))));
            let metrics = "";
            while (Date.now() < deadline && (records().length < 4 || !/status_class="5xx"/.test(metrics))) {
                await new Promise((r) => setTimeout(r, 1000));
                metrics = await get(`http://127.0.0.1:${promPort}/metrics`).catch(() => "");
            }
            const got = records();
            assert.strictEqual(got.length, 4, `4 lines of this stack shipped, none of others (collector log:\n${log})`);
            assert.ok(received.every((r) => r.path === "/otlp/v1/logs"));
            const app = got.find((g) => g.resource.service === "api")!;
            assert.deepStrictEqual(app.resource, { env: "production", service: "api", container: "tp-production-api-1" });
            assert.strictEqual(app.record.body.stringValue, "GET /health 200 hello from the app\n");
            assert.deepStrictEqual(attrs(app.record.attributes), { "log.iostream": "stdout" });
            const proxy = got.filter((g) => g.resource.service === "proxy");
            assert.deepStrictEqual(proxy[0].resource, { env: "platform", service: "proxy", container: "tp-proxy" }, "the proxy is in no environment");
            assert.deepStrictEqual(proxy.map((p) => attrs(p.record.attributes).status_class).sort(), ["2xx", "2xx", "5xx"]);
            assert.match(metrics, /^nginx_http_responses_total\{container="tp-proxy",env="platform",service="proxy",status_class="2xx"\} 2$/m, metrics);
            assert.match(metrics, /^nginx_http_responses_total\{container="tp-proxy",env="platform",service="proxy",status_class="5xx"\} 1$/m, metrics);
        } finally {
            proc.kill();
            sink.close();
        }
    });
});

describe("retired monitoring keys (Promtail, cAdvisor)", () => {
    for (const [svc, why] of Object.entries(RETIRED_SERVICES))
        for (const block of ["services", "images"])
            it(`monitoring.${block}.${svc} is refused with what replaced it`, () => {
                const value = block === "services" ? false : `example/${svc}:1`;
                const issues = configIssues({ ...baseConfig(), monitoring: { [block]: { [svc]: value } } });
                assert.deepStrictEqual(issues, [{ key: `hostplane:monitoring.${block}.${svc}`, message: `got ${JSON.stringify(value)}; ${why}` }]);
            });
});

function attrs(list: { key: string; value: { stringValue?: string } }[] = []): Record<string, string | undefined> {
    return Object.fromEntries(list.map((a) => [a.key, a.value.stringValue]));
}

function get(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
        http.get(url, (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve(body));
        }).on("error", reject);
    });
}
