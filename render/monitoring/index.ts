// Every monitoring file for the host, grouped by service so the Monitoring component can deliver
// each service's directory and reload only what changed.
import type { PlatformModel } from "../../config/model";
import type { HostFile } from "../files";
import { renderAlertmanager } from "./alertmanager";
import { renderGrafana } from "./grafana";
import { renderLoki } from "./loki";
import { renderOtelcol } from "./otelcol";
import { renderPrometheus } from "./prometheus";
import { renderRules } from "./rules";

export type MonitoringFiles = Record<"prometheus" | "blackbox" | "alertmanager" | "loki" | "otelcol" | "grafana", HostFile[]>;

export function monitoringFilesByService(model: PlatformModel): MonitoringFiles {
    const s = model.monitoring.services;
    const prom = s.prometheus ? renderPrometheus(model) : [];
    return {
        prometheus: s.prometheus ? [...prom.filter((f) => f.path.endsWith("prometheus.yml")), ...renderRules(model)] : [],
        blackbox: prom.filter((f) => f.path.endsWith("blackbox.yml")),
        alertmanager: s.alertmanager ? renderAlertmanager(model) : [],
        loki: s.loki ? renderLoki(model) : [],
        otelcol: s.otelcol ? renderOtelcol(model) : [],
        grafana: s.grafana ? renderGrafana(model) : [],
    };
}

/** The registry entry: every monitoring file (none when monitoring is disabled). */
export function renderMonitoring(model: PlatformModel): HostFile[] {
    return Object.values(monitoringFilesByService(model)).flat();
}
