// Workload specs of the monitoring services (pure: model in, plain data out). The Monitoring
// component delivers each service's config files and secrets, then hands these to the runtime.
import type { PlatformModel } from "../config/model";
import { ENDPOINTS, type MonitoringService } from "../config/monitoring";
import { memoryToMegabytes } from "../config/units";
import { DOCKER_CONTAINERS_DIR, OTELCOL_CONFIG_FILE, OTELCOL_STORAGE_DIR } from "../render/monitoring/otelcol";
import { CONF, GRAFANA_ADMIN_PASSWORD_FILE, SECRETS, TEXTFILE_DIR } from "../render/monitoring/paths";
import type { MountSpec, WorkloadSpec } from "./workload";

/**
 * What the monitoring specs read of the model: the monitoring block, naming, the monitoring
 * network's name and the proxy's ports (the UIs' external URLs).
 */
export type MonitoringModelContext = Pick<PlatformModel, "prefix" | "monitoring" | "monitoringNetworkName"> & { proxy: Pick<PlatformModel["proxy"], "ports"> };

/** Resource limits: small and fixed, except Prometheus (hostplane:monitoring.prometheusMemory). */
export const MONITORING_LIMITS: Record<MonitoringService, { cpus: number; memoryMb: number }> = {
    prometheus: { cpus: 1, memoryMb: 1024 },
    alertmanager: { cpus: 0.25, memoryMb: 128 },
    grafana: { cpus: 0.5, memoryMb: 512 },
    loki: { cpus: 1, memoryMb: 1024 },
    // memory_limiter (render/monitoring/otelcol.ts) refuses data at 200 MiB, below this limit.
    otelcol: { cpus: 0.5, memoryMb: 256 },
    nodeExporter: { cpus: 0.25, memoryMb: 128 },
    blackbox: { cpus: 0.25, memoryMb: 128 },
};

/**
 * Docker runs the first check only after `interval` (start_interval needs Engine 25 / API 1.44;
 * Debian 12 has 20.10), so the interval is the time to healthy: 10 s, for a local HTTP GET.
 */
export const MONITORING_HEALTH = (test: string[]) => ({ test, interval: "10s", timeout: "5s", retries: 5, startPeriod: "60s" });

/**
 * Services whose upstream image is distroless (no shell, no wget): their config files are written
 * with the proxy's image (components/monitoring.ts), and their health check can only run their
 * own binary (DISTROLESS_HEALTH).
 */
export const SHELL_LESS: ReadonlySet<MonitoringService> = new Set(["loki", "otelcol"]);

/**
 * Health checks of the distroless images: the binary checks the mounted config it runs with (the
 * only program in the image). Healthy = running (Docker restarts it if it exits) with a config
 * its own parser accepts; whether it does its job shows in Prometheus (`up`, TargetDown).
 */
export const DISTROLESS_HEALTH = {
    loki: ["CMD", "/usr/bin/loki", `-config.file=${CONF.loki.container}/loki.yml`, "-verify-config"],
    otelcol: ["CMD", "/otelcol-contrib", "validate", `--config=${CONF.otelcol.container}/${OTELCOL_CONFIG_FILE}`],
} as const;

const wget = (svc: MonitoringService) => ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${ENDPOINTS[svc].port}${ENDPOINTS[svc].health}`];
const bind = (source: string, target: string): MountSpec => ({ type: "bind", source, target, readOnly: true });
const conf = (svc: keyof typeof CONF) => bind(CONF[svc].host, CONF[svc].container);

/** What differs per service; the rest of a monitoring workload is common (monitoringWorkload). */
type ServicePart = Pick<WorkloadSpec, "command" | "envs" | "user" | "host" | "extraHosts"> & {
    mounts: MountSpec[];
    /** Target of the service's own data volume (<prefix>-<svc>-data), if it keeps data. */
    data?: string;
    /** Container health test; none: the runtime does not wait for it. */
    health?: string[];
    /** Environment networks it joins besides the monitoring network. */
    environmentNetworks?: string[];
};

/** The public URL a UI behind the proxy generates links for (hostplane:monitoring.ui). */
export function uiUrl(model: MonitoringModelContext, ui: "grafana" | "prometheus"): { url: string; subPath: boolean } | undefined {
    const httpsPort = model.proxy.ports.https === 443 ? "" : `:${model.proxy.ports.https}`;
    const r = model.monitoring.uiRoutes.find((x) => x.ui === ui);
    return r ? { url: `https://${r.host}${httpsPort}${r.path.replace(/\/+$/, "")}`, subPath: r.path !== "/" } : undefined;
}

const PARTS: Record<MonitoringService, (model: MonitoringModelContext, hasSecrets: boolean) => ServicePart> = {
    loki: () => ({ command: [`-config.file=${CONF.loki.container}/loki.yml`], mounts: [conf("loki")], data: "/loki", health: [...DISTROLESS_HEALTH.loki] }),
    alertmanager: (_m, hasSecrets) => ({
        command: [`--config.file=${CONF.alertmanager.container}/alertmanager.yml`, "--storage.path=/alertmanager"],
        // The secrets directory only with a receiver that has secrets: it exists only then.
        mounts: [conf("alertmanager"), ...(hasSecrets ? [bind(SECRETS.alertmanager.host, SECRETS.alertmanager.container)] : [])],
        data: "/alertmanager",
        health: wget("alertmanager"),
    }),
    nodeExporter: () => ({
        command: ["--path.rootfs=/host", `--collector.textfile.directory=${TEXTFILE_DIR.container}`, "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|var/lib/docker/.+)($|/)"],
        host: { pidMode: "host" },
        mounts: [{ type: "bind", source: "/", target: "/host", readOnly: true, propagation: "rslave" }, bind(TEXTFILE_DIR.host, TEXTFILE_DIR.container)],
        health: wget("nodeExporter"),
    }),
    blackbox: (m) => ({
        command: [`--config.file=${CONF.blackbox.container}/blackbox.yml`],
        mounts: [conf("blackbox")],
        // Route probes go to this host's proxy (probeVia: host), not through public DNS.
        extraHosts: m.monitoring.probeHosts.map((h) => ({ host: h, ip: "host-gateway" })),
        health: wget("blackbox"),
        environmentNetworks: m.monitoring.blackboxNetworks,
    }),
    prometheus: (m) => {
        const ui = uiUrl(m, "prometheus");
        return {
            command: [
                `--config.file=${CONF.prometheus.container}/prometheus.yml`,
                "--storage.tsdb.path=/prometheus",
                `--storage.tsdb.retention.time=${m.monitoring.metricsRetention}`,
                "--web.enable-lifecycle",
                // Behind the proxy: links use the public URL; the proxy strips a sub-path, so
                // Prometheus itself (health, reload, self-scrape) keeps serving at /.
                ...(ui ? [`--web.external-url=${ui.url}/`, "--web.route-prefix=/"] : []),
            ],
            mounts: [conf("prometheus")],
            data: "/prometheus",
            health: wget("prometheus"),
            environmentNetworks: m.monitoring.prometheusNetworks,
        };
    },
    otelcol: () => ({
        command: [`--config=${CONF.otelcol.container}/${OTELCOL_CONFIG_FILE}`],
        // Root: the json-file logs (0600, root) and the Docker socket.
        user: "0",
        mounts: [conf("otelcol"), bind(DOCKER_CONTAINERS_DIR, DOCKER_CONTAINERS_DIR), bind("/var/run/docker.sock", "/var/run/docker.sock")],
        data: OTELCOL_STORAGE_DIR,
        health: [...DISTROLESS_HEALTH.otelcol],
    }),
    grafana: (m) => {
        const ui = uiUrl(m, "grafana");
        return {
            envs: [
                "GF_SECURITY_ADMIN_USER=admin",
                `GF_SECURITY_ADMIN_PASSWORD__FILE=${GRAFANA_ADMIN_PASSWORD_FILE}`,
                `GF_PATHS_PROVISIONING=${CONF.grafana.container}/provisioning`,
                "GF_USERS_ALLOW_SIGN_UP=false",
                "GF_ANALYTICS_REPORTING_ENABLED=false",
                "GF_ANALYTICS_CHECK_FOR_UPDATES=false",
                // The proxy's basic-auth header must not be taken for a Grafana login.
                "GF_AUTH_BASIC_ENABLED=false",
                ...(ui ? [`GF_SERVER_ROOT_URL=${ui.url}/`, ...(ui.subPath ? ["GF_SERVER_SERVE_FROM_SUB_PATH=true"] : [])] : []),
            ],
            mounts: [conf("grafana"), bind(SECRETS.grafana.host, SECRETS.grafana.container)],
            data: "/var/lib/grafana",
            health: wget("grafana"),
        };
    },
};

/**
 * One monitoring service as a workload: fixed name (its alias), on the monitoring network under
 * that alias, no published ports (UIs go through the proxy), limits and labels of the catalog.
 * `hasSecrets`: Alertmanager's receiver has secret files.
 */
export function monitoringWorkload(model: MonitoringModelContext, svc: MonitoringService, hasSecrets = false): WorkloadSpec {
    const { data, health, environmentNetworks, mounts, ...part } = PARTS[svc](model, hasSecrets);
    const alias = ENDPOINTS[svc].alias;
    const limits = svc === "prometheus" ? { ...MONITORING_LIMITS.prometheus, memoryMb: memoryToMegabytes(model.monitoring.prometheusMemory) } : MONITORING_LIMITS[svc];
    const volumeName = `${model.prefix}-${alias}-data`;
    return {
        name: alias,
        image: model.monitoring.images[svc],
        networks: [{ name: model.monitoringNetworkName, aliases: [alias] }, ...(environmentNetworks ?? []).map((name) => ({ name }))],
        mounts: [...mounts, ...(data ? [{ type: "volume" as const, volume: { name: volumeName, labels: { environment: "monitoring", service: alias } }, target: data }] : [])],
        publish: [],
        ...(health ? { health: MONITORING_HEALTH(health), waitSeconds: 240 } : {}),
        ...limits,
        restart: "unless-stopped",
        labels: { environment: "monitoring", service: alias, kind: "monitoring" },
        graceSeconds: 20,
        deleteFirst: true,
        ...part,
    };
}

/**
 * Which monitoring services run, in order, and which they start after: one plan for the program
 * (components/monitoring.ts) and the compose rendering. Blackbox only with Prometheus (nothing
 * else scrapes it); Grafana after its datasources. Prometheus is not
 * after Alertmanager: it starts without it and retries alert delivery, so the two start in
 * parallel instead of two health-check waits in a row.
 */
export function monitoringPlan(services: Record<MonitoringService, boolean>): { svc: MonitoringService; after: MonitoringService[] }[] {
    const on = services;
    const runs: [MonitoringService, boolean, MonitoringService[]][] = [
        ["loki", on.loki, []],
        ["alertmanager", on.alertmanager, []],
        ["nodeExporter", on.nodeExporter, []],
        ["blackbox", on.blackbox && on.prometheus, []],
        ["prometheus", on.prometheus, []],
        // After Loki when it runs (its first logs have somewhere to go; the exporter retries anyway).
        ["otelcol", on.otelcol, on.loki ? ["loki"] : []],
        ["grafana", on.grafana, (["prometheus", "loki"] as const).filter((d) => on[d])],
    ];
    return runs.filter(([, run]) => run).map(([svc, , after]) => ({ svc, after }));
}
