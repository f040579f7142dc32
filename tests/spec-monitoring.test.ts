// The monitoring workload specs are pure: model in, plain data out, no Pulumi.
import * as assert from "assert";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { MONITORING_SERVICES } from "../config/monitoring";
import { monitoringPlan, monitoringWorkload } from "../spec/monitoring";

const model = (stack: string) => loadPlatformModel(fromStackFile(stackFile(stack)));

describe("spec/monitoring: one workload spec per monitoring service", () => {
    it("every service: named by its alias, on the monitoring network under it, limits and labels set, plain JSON", () => {
        const m = model("production");
        for (const svc of MONITORING_SERVICES) {
            const w = monitoringWorkload(m, svc);
            assert.strictEqual(w.networks[0].name, m.monitoringNetworkName, svc);
            assert.deepStrictEqual(w.networks[0].aliases, [w.name], svc);
            assert.ok(w.cpus > 0 && w.memoryMb > 0, svc);
            assert.deepStrictEqual(w.labels, { environment: "monitoring", service: w.name, kind: "monitoring" });
            assert.deepStrictEqual(JSON.parse(JSON.stringify(w)), w, `${svc}: plain data`);
        }
    });

    it("data volumes are <prefix>-<service>-data; Prometheus' memory comes from prometheusMemory", () => {
        const m = model("production");
        const prom = monitoringWorkload(m, "prometheus");
        const vol = prom.mounts!.find((x) => x.type === "volume");
        assert.ok(vol && vol.type === "volume" && vol.volume.name === `${m.prefix}-prometheus-data` && vol.target === "/prometheus");
        assert.ok(prom.memoryMb >= 1024);
        assert.strictEqual(monitoringWorkload(m, "nodeExporter").mounts!.some((x) => x.type === "volume"), false);
    });

    it("Alertmanager mounts its secrets directory only when its receiver has secrets", () => {
        const m = model("production");
        const count = (s: boolean) => monitoringWorkload(m, "alertmanager", s).mounts!.filter((x) => x.type === "bind").length;
        assert.strictEqual(count(true), count(false) + 1);
    });

    it("Prometheus and blackbox join the environment networks the model names", () => {
        const m = model("staging");
        assert.deepStrictEqual(monitoringWorkload(m, "prometheus").networks.slice(1).map((n) => n.name), m.monitoring.prometheusNetworks);
        assert.deepStrictEqual(monitoringWorkload(m, "blackbox").networks.slice(1).map((n) => n.name), m.monitoring.blackboxNetworks);
    });

    it("one plan: blackbox only with Prometheus, the collector after Loki when it runs, Grafana after the datasources that run", () => {
        const all = Object.fromEntries(MONITORING_SERVICES.map((x) => [x, true])) as Record<(typeof MONITORING_SERVICES)[number], boolean>;
        const plan = (off: string[]) => monitoringPlan({ ...all, ...Object.fromEntries(off.map((o) => [o, false])) });
        assert.deepStrictEqual(plan([]).map((p) => p.svc), ["loki", "alertmanager", "nodeExporter", "blackbox", "prometheus", "otelcol", "grafana"]);
        assert.deepStrictEqual(plan([]).find((p) => p.svc === "grafana")!.after, ["prometheus", "loki"]);
        assert.ok(!plan(["prometheus"]).some((p) => p.svc === "blackbox"));
        assert.deepStrictEqual(plan(["loki"]).find((p) => p.svc === "otelcol")!.after, []);
        assert.deepStrictEqual(plan(["loki"]).find((p) => p.svc === "grafana")!.after, ["prometheus"]);
    });
});
