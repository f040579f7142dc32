// The Monitoring component under Pulumi mocks: what it scrapes and probes (decoded from the very
// config step that delivers prometheus.yml), which networks it joins, ports, health checks, edges.
import * as assert from "assert";
import { parse } from "yaml";
import { captureGraph, Graph, GraphResource } from "../lib/graph";
import { ENDPOINTS } from "../render/monitoring/paths";
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
                const metricsNets = g.model.environments.filter((e) => e.apps.some((a) => a.metrics)).map((e) => e.networkName).sort();
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

            it("Prometheus, Grafana, Loki, Alertmanager have health checks on their health endpoints; all have limits and log rotation", () => {
                for (const [svc, path] of [["prometheus", "/-/healthy"], ["grafana", "/api/health"], ["loki", "/ready"], ["alertmanager", "/-/healthy"]]) {
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

            it("ordering: Grafana after Prometheus and Loki, Promtail after Loki, each container after its config step", () => {
                const p = g.model.prefix;
                const deps = (alias: string) => byAlias(g, alias)?.dependsOn ?? [];
                if (g.model.monitoring.services.grafana) {
                    assert.ok(deps("grafana").includes(`${p}-prometheus`) && deps("grafana").includes(`${p}-loki`), JSON.stringify(deps("grafana")));
                }
                if (g.model.monitoring.services.promtail) assert.ok(deps("promtail").includes(`${p}-loki`));
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
        const some = await captureGraph(sourceOf({ ...baseConfig(), monitoring: { services: { grafana: false, cadvisor: false } } }));
        const names = containers(some).map((c) => c.name).sort();
        assert.deepStrictEqual(names, ["tp-alertmanager", "tp-blackbox", "tp-loki", "tp-node-exporter", "tp-prometheus", "tp-promtail"]);
    });
});
