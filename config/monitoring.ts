// The resolved monitoring model: which services run, scrape targets, exporters, probes and UI
// routes, from the `hostplane:monitoring` block (monitoring-schema.ts) and the environments.
import type { EnvironmentModel, ProxyModel } from "./model-types";
import { ENDPOINTS, EXPORTER_IMAGE_KEYS, EXPORTER_IMAGES, EXPORTER_KINDS, EXPORTERS, MONITORING_IMAGES, MONITORING_SERVICES, MONITORING_UIS } from "./monitoring-schema";
import type { AlertReceiver, ExporterImage, ExporterKind, MonitoringConfig, MonitoringService, MonitoringUi } from "./monitoring-schema";
import { hasKafkaJmxAgent, KAFKA_JMX_EXPORTER_PORT } from "./image-recipes";

export * from "./monitoring-schema";

/** One Prometheus scrape target of an app's own metrics endpoint. */
export interface MetricsTargetModel {
    env: string;
    service: string;
    /** alias:port on the environment network. */
    address: string;
    path: string;
}

/** One data service Prometheus scrapes: directly (rabbitmq, minio) or through its exporter sidecar. */
export interface ExporterTargetModel {
    env: string;
    /** The data service's name. */
    service: string;
    kind: ExporterKind;
    /** Scrape job: the kind (dashboards and rules select on it). */
    job: string;
    /** alias:port on the environment network. */
    address: string;
    path: string;
    /** The sidecar container, when the kind needs one. */
    sidecar?: { image: string; alias: string; port: number };
}

/** A monitoring UI the proxy serves. */
export interface MonitoringUiRouteModel {
    ui: MonitoringUi;
    host: string;
    path: string;
    allowFrom?: string[];
}

/** One blackbox probe: a URL and the labels it carries. */
export interface ProbeModel {
    env: string;
    service: string;
    url: string;
}

export interface MonitoringModel {
    enabled: boolean;
    /** Which services run (all false when disabled). */
    services: Record<MonitoringService, boolean>;
    images: Record<MonitoringService | ExporterImage, string>;
    scrapeInterval: string;
    metricsRetention: string;
    logsRetention: string;
    /** OTLP/HTTP base URL the collector ships logs to; none: no log store (the collector still counts the proxy's responses). */
    logsEndpoint?: string;
    prometheusMemory: string;
    alerts: MonitoringConfig["alerts"];
    probeVia: "host" | "dns";
    /** Every data service whose kind is switched on in `exporters` (none without Prometheus). */
    exporters: ExporterTargetModel[];
    /** Grafana/Prometheus UIs routed through the proxy (only for services that run). */
    uiRoutes: MonitoringUiRouteModel[];
    /** Every app with a metrics endpoint, env by env. */
    metricsTargets: MetricsTargetModel[];
    /** Public URL of every route, probed through the proxy. */
    routeProbes: ProbeModel[];
    /** Every HTTP health endpoint, probed directly on the environment network. */
    healthProbes: ProbeModel[];
    /** Routed host names blackbox must resolve to the Docker host (probeVia: host). */
    probeHosts: string[];
    /** Environment networks Prometheus joins: those with metrics targets or data-service exporters. */
    prometheusNetworks: string[];
    /** Environment networks blackbox joins: those with health probes. */
    blackboxNetworks: string[];
    /** Config keys of secrets the monitoring config references. */
    secretKeys: string[];
}

/** The part of the parsed stack config this model needs (kept structural to avoid importing schema.ts). */
export interface ParsedForMonitoring {
    monitoring: MonitoringConfig;
    environments: Record<string, { apps: Record<string, { healthcheck: { path?: string } }> }>;
}

export function monitoringModel(cfg: ParsedForMonitoring, environments: EnvironmentModel[], proxy: ProxyModel): MonitoringModel {
    const m = cfg.monitoring;
    const services = Object.fromEntries(MONITORING_SERVICES.map((s) => [s, m.enabled && m.services[s]])) as Record<MonitoringService, boolean>;
    const images = Object.fromEntries([
        ...MONITORING_SERVICES.map((s) => [s, m.images[s] ?? MONITORING_IMAGES[s]]),
        ...EXPORTER_IMAGE_KEYS.map((s) => [s, m.images[s] ?? EXPORTER_IMAGES[s]]),
    ]) as Record<MonitoringService | ExporterImage, string>;
    const exporters: ExporterTargetModel[] = services.prometheus
        ? environments.flatMap((env) =>
              env.services
                  .filter((s) => (EXPORTER_KINDS as readonly string[]).includes(s.type) && m.exporters[s.type as ExporterKind])
                  .map((s) => {
                      const kind = s.type as ExporterKind;
                      const e = kind === "kafka" && hasKafkaJmxAgent(s.image) ? { port: KAFKA_JMX_EXPORTER_PORT, path: "/metrics", image: undefined } : EXPORTERS[kind];
                      const sidecar = e.image ? { image: images[e.image], alias: `${s.alias}-exporter`, port: e.port } : undefined;
                      return { env: env.name, service: s.name, kind, job: kind, address: `${sidecar?.alias ?? s.alias}:${e.port}`, path: e.path, sidecar };
                  }),
          )
        : [];
    const metricsTargets: MetricsTargetModel[] = environments.flatMap((env) =>
        env.apps
            .filter((a) => a.metrics)
            .map((a) => ({ env: env.name, service: a.name, address: `${a.alias}:${a.metrics!.port}`, path: a.metrics!.path })),
    );
    const httpsPort = proxy.ports.https === 443 ? "" : `:${proxy.ports.https}`;
    const routeProbes: ProbeModel[] = proxy.routes.map((r) => ({ env: r.environment, service: r.app, url: `https://${r.host}${httpsPort}${r.path}` }));
    const healthProbes: ProbeModel[] = environments.flatMap((env) =>
        env.apps
            .filter((a) => cfg.environments[env.name]?.apps[a.name]?.healthcheck.path)
            .map((a) => ({ env: env.name, service: a.name, url: `http://${a.alias}:${a.port}${cfg.environments[env.name].apps[a.name].healthcheck.path}` })),
    );
    const logsEndpoint = m.logsEndpoint ?? (services.loki ? `http://${ENDPOINTS.loki.alias}:${ENDPOINTS.loki.port}/otlp` : undefined);
    const envNetworks = (names: string[]) => environments.filter((e) => names.includes(e.name)).map((e) => e.networkName);
    const secretKeys: string[] = [];
    const r = m.alerts.receiver;
    if (m.enabled && m.services.alertmanager) {
        if (r.type === "slack") secretKeys.push(r.webhookUrl);
        if (r.type === "email" && r.authPassword) secretKeys.push(r.authPassword);
    }
    return {
        enabled: m.enabled,
        services,
        images,
        scrapeInterval: m.scrapeInterval,
        metricsRetention: m.metricsRetention,
        logsRetention: m.logsRetention,
        ...(logsEndpoint ? { logsEndpoint } : {}),
        prometheusMemory: m.prometheusMemory,
        alerts: m.alerts,
        probeVia: m.probeVia,
        exporters,
        uiRoutes: monitoringUiRoutes(cfg.monitoring, environments),
        metricsTargets,
        routeProbes,
        healthProbes,
        probeHosts: m.probeVia === "host" ? [...proxy.hosts] : [],
        prometheusNetworks: services.prometheus ? envNetworks([...new Set([...metricsTargets, ...exporters].map((t) => t.env))]) : [],
        blackboxNetworks: services.blackbox && services.prometheus ? envNetworks([...new Set(healthProbes.map((p) => p.env))]) : [],
        secretKeys,
    };
}

/**
 * The UI routes: configured host/path, or <ui>.<domain> of the first production environment.
 * None for a service that does not run, and none by default in stacks without a production environment.
 */
export function monitoringUiRoutes(m: MonitoringConfig, environments: { kind: string; domain: string }[]): MonitoringUiRouteModel[] {
    if (!m.enabled) return [];
    const production = environments.find((e) => e.kind === "production");
    return MONITORING_UIS.flatMap((ui): MonitoringUiRouteModel[] => {
        const c = m.ui[ui];
        if (c === false || !m.services[ui]) return [];
        if (c === undefined && !production) return [];
        const host = c?.host ?? (production ? `${ui}.${production.domain}` : undefined);
        if (!host) return [];
        return [{ ui, host, path: c?.path ?? "/", ...(c?.allowFrom ? { allowFrom: c.allowFrom } : {}) }];
    });
}
