// The Monitoring component under Pulumi mocks: what it scrapes and probes (decoded from the very
// config step that delivers prometheus.yml), which networks it joins, ports, health checks, edges.
import * as assert from "assert";
import { parse } from "yaml";
import { captureGraph, Graph, GraphResource } from "../lib/graph";
import { loadPlatformModel } from "../config/validate";
import { ENDPOINTS } from "../render/monitoring/paths";
import { renderNginx } from "../render/nginx";
import { baseConfig, sourceOf, STACKS, stackGraph } from "./fixtures";

const MONITORING_TYPE = "hostplane:monitoring:Monitoring";

function monitoringChildren(g: Graph): GraphResource[] {
    const root = g.resources.find((r) => r.type === MONITORING_TYPE);
    return root ? g.resources.filter((r) => r.parent === root.name) : [];
}
const containers = (g: Graph) => monitoringChildren(g).filter((r) => r.type === "docker:index/container:Container");
const byAlias = (g: Graph, alias: string) => containers(g).find((c) => c.name === `${g.model.prefix}-${alias}`);
const networksOf = (c: GraphResource) => ((c.inputs.networksAdvanced as any[]) ?? []).map((n) => n.name as string);

/** The files a config step writes, decoded from its script. */
function delivered(g: Graph, step: string): Record<string, string> {
    const cmd = monitoringChildren(g).find((r) => r.name === `${g.model.prefix}-${step}-config`);
    assert.ok(cmd, `${step}-config step`);
    const out: Record<string, string> = {};
    for (const m of String(cmd.inputs.create).matchAll(/echo ([A-Za-z0-9+/=]+) \| base64 -d > (\S+);/g)) out[m[2]] = Buffer.from(m[1], "base64").toString("utf8");
    return out;
}

describe("Monitoring component (mock graph)", () => {
    for (const stack of STACKS) {
        describe(`stack ${stack}`, () => {
            let g: Graph;
            before(async () => (g = await stackGraph(stack)));

            it("every app with a metrics endpoint is a scrape target of the delivered prometheus.yml", () => {
                const prom = parse(delivered(g, "prometheus")["prometheus.yml"]);
                const apps = prom.scrape_configs.find((j: any) => j.job_name === "apps");
                const got = new Set((apps?.static_configs ?? []).map((s: any) => `${s.targets[0]}${s.labels.__metrics_path__}`));
                const want = g.model.environments.flatMap((e) => e.apps.filter((a) => a.metrics).map((a) => `${a.alias}:${a.metrics!.port}${a.metrics!.path}`));
                assert.ok(want.length > 0 || stack === "local", "example stacks with metrics have targets");
                for (const t of want) assert.ok(got.has(t), `${t} is scraped`);
                assert.strictEqual(got.size, want.length);
            });

            it("every route is probed (when blackbox runs)", () => {
                if (!g.model.monitoring.services.blackbox) return;
                const prom = parse(delivered(g, "prometheus")["prometheus.yml"]);
                const probes = prom.scrape_configs.find((j: any) => j.job_name === "probe-routes");
                const got = new Set(probes.static_configs.map((s: any) => s.targets[0]));
                const port = g.model.proxy.ports.https === 443 ? "" : `:${g.model.proxy.ports.https}`;
                for (const r of g.model.proxy.routes) assert.ok(got.has(`https://${r.host}${port}${r.path}`), `${r.host}${r.path} is probed`);
            });

            it("no monitoring container publishes a port", () => {
                assert.ok(containers(g).length > 0);
                for (const c of containers(g)) assert.deepStrictEqual(c.inputs.ports ?? [], [], c.name);
            });

            it("the monitoring network is its own; only Prometheus and blackbox join environment networks, and only those they scrape", () => {
                const envNets = new Set(g.model.environments.map((e) => e.networkName));
                assert.ok(!envNets.has(g.model.monitoringNetworkName));
                // Prometheus: environments with an app metrics endpoint or a scraped data service.
                const scraped = (e: (typeof g.model.environments)[number]) =>
                    e.apps.some((a) => a.metrics) || e.services.some((sv) => g.model.monitoring.exporters.some((x) => x.env === e.name && x.service === sv.name));
                const metricsNets = g.model.environments.filter(scraped).map((e) => e.networkName).sort();
                const healthNets = g.model.monitoring.blackboxNetworks.slice().sort();
                for (const c of containers(g)) {
                    const nets = networksOf(c);
                    assert.strictEqual(nets[0], g.model.monitoringNetworkName, c.name);
                    const joined = nets.filter((n) => envNets.has(n)).sort();
                    if (c.name === `${g.model.prefix}-prometheus`) assert.deepStrictEqual(joined, metricsNets);
                    else if (c.name === `${g.model.prefix}-blackbox`) assert.deepStrictEqual(joined, healthNets);
                    else assert.deepStrictEqual(joined, [], `${c.name} stays on the monitoring network`);
                }
            });

            it("every data service of an enabled kind is scraped in its kind's job with env/service labels (delivered prometheus.yml)", () => {
                const prom = parse(delivered(g, "prometheus")["prometheus.yml"]);
                const want = g.model.environments.flatMap((e) => e.services.map((sv) => ({ env: e.name, sv })));
                // e2e scrapes every data service: Kafka from images/kafka on its own JMX agent, no sidecar.
                if (g.model.stack === "e2e") assert.deepStrictEqual(g.model.monitoring.exporters.find((t) => t.kind === "kafka")?.address, "e2e-events:9404");
                for (const t of g.model.monitoring.exporters) {
                    const job = prom.scrape_configs.find((j: any) => j.job_name === t.kind);
                    assert.ok(job, `job ${t.kind}`);
                    const sc = job.static_configs.find((c: any) => c.labels.env === t.env && c.labels.service === t.service);
                    assert.ok(sc, `${t.env}/${t.service} in job ${t.kind}`);
                    assert.deepStrictEqual(sc.targets, [t.address]);
                }
                for (const { env, sv } of want)
                        assert.ok(g.model.monitoring.exporters.some((x) => x.env === env && x.service === sv.name), `${env}/${sv.name} is scraped`);
            });

            it("each exporter sidecar: on its service's network, after the service, no published port, health check, limits, log rotation, pinned image, secrets as files", () => {
                const all = g.resources.filter((r) => r.type === "docker:index/container:Container");
                for (const t of g.model.monitoring.exporters) {
                    const svc = g.model.environments.find((e) => e.name === t.env)!.services.find((x) => x.name === t.service)!;
                    const name = `${svc.containerBaseName}-exporter`;
                    const c = all.find((r) => r.name === name);
                    if (!t.sidecar) {
                        assert.strictEqual(c, undefined, `${t.kind} scrapes its built-in endpoint`);
                        continue;
                    }
                    assert.ok(c, name);
                    const i = c.inputs as any;
                    assert.deepStrictEqual(i.networksAdvanced, [{ name: g.model.environments.find((e) => e.name === t.env)!.networkName, aliases: [t.sidecar.alias] }]);
                    assert.deepStrictEqual(i.ports ?? [], [], `${name} publishes nothing`);
                    assert.ok(c.dependsOn.includes(svc.containerBaseName), `${name} after ${svc.containerBaseName}: ${c.dependsOn}`);
                    assert.ok(JSON.stringify(i.healthcheck.tests).includes(`127.0.0.1:${t.sidecar.port}`), name);
                    assert.ok(Number(i.memory) > 0 && Number(i.cpus) > 0);
                    assert.strictEqual(i.restart, "unless-stopped");
                    assert.strictEqual(i.logDriver, "json-file");
                    assert.match(i.image, /:v?[0-9][0-9.]*(-alpine)?$/, "a pinned tag");
                    assert.ok(i.labels.some((l: any) => l.label === "hostplane.environment" && l.value === t.env));
                    for (const u of i.uploads ?? []) assert.strictEqual(u.content, "[secret]", `${name}: ${u.file}`);
                    const text = JSON.stringify([i.envs, i.command, i.entrypoints]);
                    assert.doesNotMatch(text, /PASS(WORD)?=(?!.*_FILE)/, `${name} has no password in its environment`);
                    for (const v of g.secretValues) assert.ok(!text.includes(v));
                    if (t.kind === "postgres") {
                        assert.ok(i.envs.includes("DATA_SOURCE_PASS_FILE=/run/secrets/DATA_SOURCE_PASS"));
                        assert.ok(c.dependsOn.includes(`${svc.containerBaseName}-monitor-role`), "after the monitoring role exists");
                    }
                    if (t.kind === "redis") assert.ok(i.envs.includes("REDIS_PASSWORD_FILE=/run/secrets/redis-passwords.json"));
                }
                for (const t of g.model.monitoring.exporters.filter((x) => x.kind === "minio")) {
                    const svc = g.model.environments.find((e) => e.name === t.env)!.services.find((x) => x.name === t.service)!;
                    const c = all.find((r) => r.name === svc.containerBaseName)!;
                    assert.ok(JSON.stringify(c.inputs.envs).includes("MINIO_PROMETHEUS_AUTH_TYPE=public"));
                }
            });

            it("the proxy joins the monitoring network exactly when it routes to a monitoring UI; UI routes have basic auth", () => {
                const proxy = g.resources.find((r) => r.name === `${g.model.prefix}-proxy-container`)!;
                const joined = networksOf(proxy);
                const ui = g.model.proxy.routes.filter((r) => r.environment === "monitoring");
                assert.strictEqual(joined.includes(g.model.monitoringNetworkName), ui.length > 0);
                for (const r of ui) {
                    assert.strictEqual(r.basicAuth, true, `${r.host}${r.path}`);
                    assert.strictEqual(r.alias, ENDPOINTS[r.app as "grafana"].alias);
                    assert.ok(byAlias(g, r.app), `${r.app} runs`);
                }
                if (g.model.stack === "production" || g.model.stack === "staging")
                    assert.deepStrictEqual(ui.map((r) => r.app).sort(), ["grafana", "prometheus"]);
                // local configures its UIs explicitly (grafana.localhost); e2e has none.
                if (g.model.stack === "e2e") assert.deepStrictEqual(ui, [], "no production environment, no UI configured");
            });

            it("Prometheus, Grafana, Alertmanager have health checks on their health endpoints, Loki and the collector (distroless) run their own binary; all have limits and log rotation", () => {
                for (const [svc, bin] of [["loki", "/usr/bin/loki"], ["otelcol", "/otelcol-contrib"]])
                    if (byAlias(g, svc)) assert.strictEqual((byAlias(g, svc)!.inputs.healthcheck as any).tests[1], bin, `${svc}: its own binary checks it`);
                for (const [svc, path] of [["prometheus", "/-/healthy"], ["grafana", "/api/health"], ["alertmanager", "/-/healthy"]]) {
                    const c = byAlias(g, svc);
                    if (!g.model.monitoring.services[svc as "loki"]) {
                        assert.strictEqual(c, undefined, `${svc} is switched off`);
                        continue;
                    }
                    assert.ok(c, svc);
                    assert.ok(JSON.stringify((c.inputs.healthcheck as any).tests).includes(path), `${svc} checks ${path}`);
                    assert.strictEqual(c.inputs.wait, true);
                }
                for (const c of containers(g)) {
                    assert.ok(Number(c.inputs.memory) > 0 && Number(c.inputs.cpus) > 0, c.name);
                    assert.strictEqual(c.inputs.logDriver, "json-file");
                    assert.ok((c.inputs.logOpts as any)["max-size"], c.name);
                    assert.strictEqual(c.inputs.uploads, undefined, `${c.name}: config arrives via a host directory, not uploads`);
                }
            });

            it("ordering: Grafana after Prometheus and Loki, the collector after Loki, each container after its config step", () => {
                const p = g.model.prefix;
                const deps = (alias: string) => byAlias(g, alias)?.dependsOn ?? [];
                if (g.model.monitoring.services.grafana) {
                    assert.ok(deps("grafana").includes(`${p}-prometheus`) && deps("grafana").includes(`${p}-loki`), JSON.stringify(deps("grafana")));
                }
                if (g.model.monitoring.services.otelcol && g.model.monitoring.services.loki) assert.ok(deps("otelcol").includes(`${p}-loki`));
                assert.ok(deps("prometheus").includes(`${p}-prometheus-config`));
                const reload = monitoringChildren(g).find((r) => r.name === `${p}-prometheus-reload`)!;
                assert.match(String(reload.inputs.create), /\/-\/reload/);
                const prom = byAlias(g, "prometheus")!;
                assert.ok((prom.inputs.command as string[]).includes("--web.enable-lifecycle"));
            });
        });
    }

    it("production: Grafana's admin password is generated, secret in outputs, and never in the graph in plain text", async () => {
        const g = await stackGraph("production");
        assert.ok(g.resources.some((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === "shop-grafana-admin-password"));
        const outputs = g.outputs as any;
        assert.strictEqual(outputs.monitoring.grafanaAdminPassword, "[secret]");
        assert.strictEqual(outputs.monitoring.health.grafana, `http://grafana:${ENDPOINTS.grafana.port}/api/health`);
        const text = JSON.stringify(g.resources) + JSON.stringify(g.outputs);
        for (const v of g.secretValues) assert.ok(!text.includes(v), "a secret value leaked into the graph");
    });

    it("production: Grafana and Prometheus UIs on grafana./prometheus.<domain>, basic auth passwords exported as secrets, proxy reload after them", async () => {
        const g = await stackGraph("production");
        const ui = g.model.proxy.routes.filter((r) => r.environment === "monitoring").map((r) => `${r.host}${r.path} -> ${r.alias}:${r.port}`).sort();
        assert.deepStrictEqual(ui, ["grafana.example.com/ -> grafana:3000", "prometheus.example.com/ -> prometheus:9090"]);
        const outputs = g.outputs as any;
        assert.deepStrictEqual(outputs.proxy.basicAuth.grafana, { user: "admin", password: "[secret]" });
        assert.deepStrictEqual(outputs.proxy.basicAuth.prometheus, { user: "admin", password: "[secret]" });
        assert.ok(g.resources.some((r) => r.name === "shop-grafana-basic-auth" && r.type === "random:index/randomPassword:RandomPassword"));
        const reload = g.resources.find((r) => r.name === "shop-proxy-reload")!;
        assert.ok(reload.dependsOn.includes("shop-grafana") && reload.dependsOn.includes("shop-prometheus"), JSON.stringify(reload.dependsOn));
        const prom = byAlias(g, "prometheus")!;
        assert.ok((prom.inputs.command as string[]).includes("--web.external-url=https://prometheus.example.com/"));
        const grafana = byAlias(g, "grafana")!;
        assert.ok((grafana.inputs.envs as string[]).includes("GF_SERVER_ROOT_URL=https://grafana.example.com/"));
        assert.ok((grafana.inputs.envs as string[]).includes("GF_AUTH_BASIC_ENABLED=false"), "the proxy's basic auth is not a Grafana login");
        const site = renderNginx(g.model).find((f) => f.path.endsWith("/grafana.example.com.conf"))!.content;
        assert.match(site, /set \$upstream http:\/\/grafana:3000;/);
        assert.match(site, /auth_basic_user_file \/etc\/nginx\/auth\/grafana\.htpasswd;/);
        assert.match(site, /allow 198\.51\.100\.0\/24;/);
    });

    it("monitoring.ui: a sub-path for Prometheus is stripped by the proxy; false turns a UI off; exporters switch off per kind", async () => {
        const cfg = baseConfig();
        cfg.environments.production.services = { db: { type: "postgres" }, cache: { type: "redis" }, queue: { type: "rabbitmq" } };
        cfg.monitoring = { ui: { grafana: false, prometheus: { host: "example.com", path: "/prometheus" } }, exporters: { redis: false } };
        const g = await captureGraph(sourceOf(cfg));
        const ui = g.model.proxy.routes.filter((r) => r.environment === "monitoring");
        assert.deepStrictEqual(ui.map((r) => [r.host, r.path, r.stripPrefix]), [["example.com", "/prometheus", true]]);
        const site = renderNginx(g.model).find((f) => f.path.endsWith("/example.com.conf"))!.content;
        assert.match(site, /set \$upstream http:\/\/prometheus:9090;\n\s+rewrite \^\/prometheus\/\?\(\.\*\)\$ \/\$1 break;/);
        const prom = byAlias(g, "prometheus")!;
        assert.ok((prom.inputs.command as string[]).includes("--web.external-url=https://example.com/prometheus/"));
        assert.ok((prom.inputs.command as string[]).includes("--web.route-prefix=/"));
        assert.deepStrictEqual(g.model.monitoring.exporters.map((e) => `${e.kind} ${e.address}`), ["postgres production-db-exporter:9187", "rabbitmq production-queue:15692"]);
        assert.ok(!g.resources.some((r) => r.name === "tp-production-cache-exporter"));
        assert.ok(g.resources.some((r) => r.name === "tp-production-db-exporter"));
        const jobs = parse(delivered(g, "prometheus")["prometheus.yml"]).scrape_configs.map((j: any) => j.job_name);
        assert.ok(jobs.includes("postgres") && jobs.includes("rabbitmq") && !jobs.includes("redis"));
        // Without Prometheus nothing is scraped, so no exporter runs.
        const noProm = await captureGraph(sourceOf({ ...cfg, monitoring: { services: { prometheus: false } } }));
        assert.deepStrictEqual(noProm.model.monitoring.exporters, []);
        assert.ok(!noProm.resources.some((r) => /^tp-production-.*-exporter$/.test(r.name)));
    });

    it("a monitoring UI route that collides with an app route is a config error", () => {
        const cfg = baseConfig();
        cfg.monitoring = { ui: { grafana: { host: "example.com", path: "/api" } } };
        assert.throws(() => loadPlatformModel(sourceOf(cfg)), /monitoring\.ui\.grafana.*already served by production\/api/s);
        const noProd = baseConfig();
        delete noProd.environments.production;
        noProd.monitoring = { ui: { grafana: {} } };
        assert.throws(() => loadPlatformModel(sourceOf(noProd)), /monitoring\.ui\.grafana\.host.*no production environment/s);
    });

    it("a slack webhook reaches Alertmanager only as a secret file, never in the config step or graph", async () => {
        const cfg = { ...baseConfig(), monitoring: { alerts: { receiver: { type: "slack", webhookUrl: "slackWebhook" } } } };
        const g = await captureGraph(sourceOf(cfg, ["stripeApiKey", "slackWebhook"]));
        const step = monitoringChildren(g).find((r) => r.name === "tp-alertmanager-secrets")!;
        assert.strictEqual(step.inputs.environment, "[secret]");
        assert.match(delivered(g, "alertmanager")["alertmanager.yml"], /api_url_file: \/run\/secrets\/alertmanager\/slack_webhook_url/);
        const text = JSON.stringify(g.resources);
        for (const v of g.secretValues) assert.ok(!text.includes(v));
    });

    it("monitoring.enabled: false creates no monitoring resources; switched-off services have no container", async () => {
        const off = await captureGraph(sourceOf({ ...baseConfig(), monitoring: { enabled: false } }));
        assert.strictEqual(off.resources.filter((r) => r.type === MONITORING_TYPE).length, 0);
        const some = await captureGraph(sourceOf({ ...baseConfig(), monitoring: { services: { grafana: false, nodeExporter: false } } }));
        const names = containers(some).map((c) => c.name).sort();
        assert.deepStrictEqual(names, ["tp-alertmanager", "tp-blackbox", "tp-loki", "tp-otelcol", "tp-prometheus"]);
    });
});
