// Monitoring in compose, as components/monitoring.ts: the same images, flags, config files
// (rendered by render/monitoring, mounted read-only from files/monitoring/<service>), volumes,
// limits and health checks; the Grafana admin password and Alertmanager's receiver secrets as
// secret files. Compose has no reload step: `compose restart prometheus` after a config change.
import type { MonitoringService } from "../../config/monitoring";
import { memoryToMegabytes } from "../../config/units";
import { DISTROLESS_HEALTH, MONITORING_LIMITS } from "../../spec/monitoring";
import { monitoringFilesByService } from "../monitoring";
import { DOCKER_CONTAINERS_DIR, OTELCOL_CONFIG_FILE, OTELCOL_STORAGE_DIR } from "../monitoring/otelcol";
import { CONF, ENDPOINTS, GRAFANA_ADMIN_PASSWORD_FILE, SECRETS, SLACK_WEBHOOK_FILE, SMTP_PASSWORD_FILE, TEXTFILE_DIR } from "../monitoring/paths";
import { ComposeBuilder, depends } from "./builder";
import type { ComposeService } from "./types";

const wget = (svc: MonitoringService) => ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${ENDPOINTS[svc].port}${ENDPOINTS[svc].health}`];

/** Per service: extra fields, health test, what it waits for, extra (environment) networks. */
type Spec = Partial<ComposeService> & { health: string[]; after?: string[]; envNetworks?: string[] };

export function renderMonitoring(b: ComposeBuilder): void {
    const mon = b.model.monitoring;
    const on = mon.services;
    if (!mon.enabled) return;
    const files = monitoringFilesByService(b.model);
    for (const list of Object.values(files)) b.hostFiles(list);
    const conf = (svc: keyof typeof CONF) => b.bind(CONF[svc].host, CONF[svc].container);
    const vol = (svc: string, target: string) => b.volume(`${b.model.prefix}-${svc}-data`, target);
    const add = (svc: MonitoringService, spec: Spec) => {
        const { health, after, envNetworks, ...rest } = spec;
        const limits = svc === "prometheus" ? { ...MONITORING_LIMITS.prometheus, memoryMb: memoryToMegabytes(mon.prometheusMemory) } : MONITORING_LIMITS[svc];
        const networks: NonNullable<ComposeService["networks"]> = { monitoring: { aliases: [ENDPOINTS[svc].alias] } };
        for (const n of envNetworks ?? []) networks[b.model.environments.find((e) => e.networkName === n)!.name] = null;
        b.add(ENDPOINTS[svc].alias, {
            ...b.base({
                image: mon.images[svc],
                labels: b.labels({ environment: "monitoring", service: ENDPOINTS[svc].alias, kind: "monitoring" }),
                networks,
                health: { test: health, interval: "10s", timeout: "5s", retries: 5, startPeriod: "60s" },
                ...limits,
                graceSeconds: 20,
            }),
            ...rest,
            ...(after?.length ? { depends_on: depends(after.map((a) => ENDPOINTS[a as MonitoringService].alias)) } : {}),
        });
    };
    const uiUrl = (ui: "grafana" | "prometheus") => {
        const r = mon.uiRoutes.find((x) => x.ui === ui);
        const port = b.model.proxy.ports.https === 443 ? "" : `:${b.model.proxy.ports.https}`;
        return r ? { url: `https://${r.host}${port}${r.path.replace(/\/+$/, "")}`, subPath: r.path !== "/" } : undefined;
    };
    // Loki and the collector: distroless images, checked by their own binary (spec/monitoring.ts).
    if (on.loki) add("loki", { command: [`-config.file=${CONF.loki.container}/loki.yml`], volumes: [conf("loki"), vol("loki", "/loki")], health: [...DISTROLESS_HEALTH.loki] });
    if (on.alertmanager) add("alertmanager", alertmanager(b, conf("alertmanager"), vol("alertmanager", "/alertmanager")));
    if (on.nodeExporter)
        add("nodeExporter", {
            command: ["--path.rootfs=/host", `--collector.textfile.directory=${TEXTFILE_DIR.container}`, "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|var/lib/docker/.+)($|/)"],
            pid: "host",
            volumes: ["/:/host:ro,rslave", b.writableDir(TEXTFILE_DIR.host, TEXTFILE_DIR.container)],
            health: wget("nodeExporter"),
        });
    if (on.blackbox && on.prometheus)
        add("blackbox", { command: [`--config.file=${CONF.blackbox.container}/blackbox.yml`], volumes: [conf("blackbox")], extra_hosts: mon.probeHosts.map((h) => `${h}:host-gateway`), health: wget("blackbox"), envNetworks: mon.blackboxNetworks });
    const promUi = uiUrl("prometheus");
    if (on.prometheus)
        add("prometheus", {
            command: [`--config.file=${CONF.prometheus.container}/prometheus.yml`, "--storage.tsdb.path=/prometheus", `--storage.tsdb.retention.time=${mon.metricsRetention}`, "--web.enable-lifecycle", ...(promUi ? [`--web.external-url=${promUi.url}/`, "--web.route-prefix=/"] : [])],
            volumes: [conf("prometheus"), vol("prometheus", "/prometheus")],
            health: wget("prometheus"),
            envNetworks: mon.prometheusNetworks,
        });
    if (on.otelcol)
        add("otelcol", {
            command: [`--config=${CONF.otelcol.container}/${OTELCOL_CONFIG_FILE}`],
            user: "0",
            volumes: [conf("otelcol"), `${DOCKER_CONTAINERS_DIR}:${DOCKER_CONTAINERS_DIR}:ro`, "/var/run/docker.sock:/var/run/docker.sock:ro", vol("otelcol", OTELCOL_STORAGE_DIR)],
            health: [...DISTROLESS_HEALTH.otelcol],
            after: on.loki ? ["loki"] : [],
        });
    if (on.grafana) add("grafana", grafana(b, conf("grafana"), vol("grafana", "/var/lib/grafana"), uiUrl("grafana")));
}

function alertmanager(b: ComposeBuilder, conf: string, data: string): Spec {
    const r = b.model.monitoring.alerts.receiver;
    const secret = r.type === "slack" ? { file: SLACK_WEBHOOK_FILE, key: r.webhookUrl } : r.type === "email" && r.authPassword ? { file: SMTP_PASSWORD_FILE, key: r.authPassword } : undefined;
    const volumes = [conf, data];
    if (secret) {
        const key = b.value(`config/${secret.key}`, { fromConfig: secret.key });
        // The directory, as the component mounts it.
        b.secretFile(`monitoring/alertmanager/${secret.file.split("/").pop()}`, (l) => l.value(key), SECRETS.alertmanager.uid);
        volumes.push(`./secrets/monitoring/alertmanager:${SECRETS.alertmanager.container}:ro`);
    }
    return { command: [`--config.file=${CONF.alertmanager.container}/alertmanager.yml`, "--storage.path=/alertmanager"], volumes, health: wget("alertmanager") };
}

function grafana(b: ComposeBuilder, conf: string, data: string, ui?: { url: string; subPath: boolean }): Spec {
    const on = b.model.monitoring.services;
    const pw = b.value("monitoring/grafana/admin-password", { generate: 32 });
    return {
        environment: [
            "GF_SECURITY_ADMIN_USER=admin", `GF_SECURITY_ADMIN_PASSWORD__FILE=${GRAFANA_ADMIN_PASSWORD_FILE}`, `GF_PATHS_PROVISIONING=${CONF.grafana.container}/provisioning`,
            "GF_USERS_ALLOW_SIGN_UP=false", "GF_ANALYTICS_REPORTING_ENABLED=false", "GF_ANALYTICS_CHECK_FOR_UPDATES=false", "GF_AUTH_BASIC_ENABLED=false",
            ...(ui ? [`GF_SERVER_ROOT_URL=${ui.url}/`, ...(ui.subPath ? ["GF_SERVER_SERVE_FROM_SUB_PATH=true"] : [])] : []),
        ],
        volumes: [conf, `${b.secretFile(`monitoring/grafana/${GRAFANA_ADMIN_PASSWORD_FILE.split("/").pop()}`, (l) => l.value(pw), SECRETS.grafana.uid).replace(/\/[^/]+$/, "")}:${SECRETS.grafana.container}:ro`, data],
        health: wget("grafana"),
        after: [...(on.prometheus ? ["prometheus"] : []), ...(on.loki ? ["loki"] : [])],
    };
}
