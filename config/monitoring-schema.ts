// The `hostplane:monitoring` config block (zod schema, cross-field rules) and the monitoring
// catalog: default images, exporters per data-service kind, endpoints of each service.
// Everything is optional: a stack without `hostplane:monitoring` gets the full stack (Prometheus,
// Alertmanager with no receiver, Grafana, Loki, the OpenTelemetry Collector, node-exporter,
// blackbox-exporter).
// Below the schema (schema.ts) and the model (monitoring.ts), which both import it; the data-service
// kinds' exporters come from the catalog (catalog/<kind>.ts).
import { z } from "zod";
import type { ConfigIssue } from "./errors";
import { EXPORTER_IMAGES, kindOf, SERVICE_TYPES, type ExporterImage, type ServiceType } from "../catalog";

const configKeyName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, { error: "expected a camelCase config key name" });
const imageRef = z.string().regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, {
    error: "expected a Docker image reference like prom/prometheus:v2.55.1",
});
/** Prometheus/Loki durations: 15d, 12h, 30s, 1h30m. */
const promDuration = z.string().regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, { error: "expected a duration like 30s, 12h or 15d" });
const memory = z.string().regex(/^[0-9]+(\.[0-9]+)?[kKmMgG]$/, { error: "expected a Docker memory size like 512M or 2G" });

/** Pinned images. Prometheus/Alertmanager configs are checked with Debian's promtool 2.42 / amtool 0.25 in CI. */
export const MONITORING_IMAGES = {
    prometheus: "prom/prometheus:v3.13.4",
    alertmanager: "prom/alertmanager:v0.35.1",
    grafana: "grafana/grafana:13.2.3",
    // Loki 3: native OTLP ingestion (render/monitoring/loki.ts). Distroless: no shell, no wget.
    loki: "grafana/loki:3.7.2",
    // The log and container-metrics agent (replaces Promtail, end of life, and cAdvisor): the
    // contrib distribution has every component render/monitoring/otelcol.ts uses; air-gapped
    // stacks build the same components with scripts/otelcol.sh (images/otelcol).
    otelcol: "otel/opentelemetry-collector-contrib:0.165.0",
    nodeExporter: "prom/node-exporter:v1.12.1",
    blackbox: "prom/blackbox-exporter:v0.26.0",
} as const;
export type MonitoringService = keyof typeof MONITORING_IMAGES;
export const MONITORING_SERVICES = Object.keys(MONITORING_IMAGES) as MonitoringService[];

/** Data-service kinds monitoring can scrape (every kind in catalog/ has an exporter entry). */
export const EXPORTER_KINDS = SERVICE_TYPES;
export type ExporterKind = ServiceType;

/**
 * Pinned exporter images, for the kinds without built-in metrics (catalog/<kind>.ts exporter.image).
 * RabbitMQ (rabbitmq_prometheus plugin, enabled in the official image) and MinIO
 * (/minio/v2/metrics/cluster) need no container. The sidecar images ship a busybox/alpine
 * userland: `wget` for the health check, `sh` for MongoDB's wrapper.
 */
export { EXPORTER_IMAGES };
export type { ExporterImage };
export const EXPORTER_IMAGE_KEYS = Object.keys(EXPORTER_IMAGES) as ExporterImage[];

/** How Prometheus reaches each kind: a sidecar exporter (image key, port) or the service's own port. */
export const EXPORTERS = Object.fromEntries(
    SERVICE_TYPES.map((t) => {
        const e = kindOf(t).exporter;
        return [t, { ...(e.image ? { image: e.image.key as ExporterImage } : {}), port: e.port, path: e.path }];
    }),
) as Record<ExporterKind, { image?: ExporterImage; port: number; path: string }>;

/** The UIs the proxy can serve (behind basic auth), and their default sub-domain. */
export const MONITORING_UIS = ["grafana", "prometheus"] as const;
export type MonitoringUi = (typeof MONITORING_UIS)[number];

export const AlertReceiver = z.discriminatedUnion(
    "type",
    [
        /** Alerts are evaluated and visible in Alertmanager's UI, but sent nowhere. */
        z.strictObject({ type: z.literal("none") }),
        z.strictObject({
            type: z.literal("slack"),
            /** Config key of the webhook URL: `pulumi config set --secret hostplane:<key> https://hooks.slack.com/…`. */
            webhookUrl: configKeyName,
            channel: z.string().regex(/^[#@][a-z0-9._-]+$/, { error: "expected a Slack channel like #alerts" }).optional(),
        }),
        z.strictObject({
            type: z.literal("email"),
            to: z.email({ error: "expected an e-mail address" }),
            from: z.email({ error: "expected an e-mail address" }),
            /** host:port of the SMTP relay. */
            smarthost: z.string().regex(/^[a-z0-9.-]+:[0-9]{1,5}$/, { error: "expected host:port like smtp.example.com:587" }),
            authUsername: z.string().min(1).optional(),
            /** Config key of the SMTP password (a secret). */
            authPassword: configKeyName.optional(),
            requireTls: z.boolean().default(true),
        }),
    ],
    { error: "expected alerts.receiver.type to be one of none, slack, email" },
);

const hostname = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, { error: "expected a lower-case host name like grafana.example.com" });
/** A monitoring UI behind the proxy: always basic auth, never a published port. */
const UiRoute = z.union(
    [
        z.literal(false),
        z.strictObject({
            /** Default: <ui>.<domain of the first production environment>. */
            host: hostname.optional(),
            path: z.string().regex(/^\/[A-Za-z0-9._~\-/]*$/, { error: "expected a URL path like /grafana" }).optional(),
            allowFrom: z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/, { error: "expected an IP address or CIDR like 10.0.0.0/8" })).optional(),
        }),
    ],
    { error: "expected false or { host, path, allowFrom }" },
);

/**
 * Keys of services hostplane no longer runs: refused with what replaced them, so that an old
 * stack file fails with a way forward instead of "unrecognized key".
 */
export const RETIRED_SERVICES = {
    promtail: "Promtail (end of life) was replaced by the OpenTelemetry Collector: use services.otelcol (it ships the logs and counts the proxy's responses); remove this key",
    cadvisor: "cAdvisor was replaced by the OpenTelemetry Collector's docker_stats receiver: use services.otelcol (per-container CPU, memory and network); remove this key",
} as const;
const retired = (why: string) => z.unknown().refine(() => false, { error: why }).optional();
const retiredKeys = Object.fromEntries(Object.entries(RETIRED_SERVICES).map(([k, why]) => [k, retired(why)])) as Record<keyof typeof RETIRED_SERVICES, ReturnType<typeof retired>>;

const serviceSwitches = z
    .strictObject({ ...(Object.fromEntries(MONITORING_SERVICES.map((s) => [s, z.boolean().default(true)])) as Record<MonitoringService, z.ZodDefault<z.ZodBoolean>>), ...retiredKeys })
    .prefault({});

export const Monitoring = z.strictObject({
    /** false: no monitoring containers at all (the monitoring network still exists). */
    enabled: z.boolean().default(true),
    /** Per-service switches; Prometheus off implies nothing scrapes (the others may still run). */
    services: serviceSwitches,
    /** Image overrides, e.g. a registry mirror. Defaults: MONITORING_IMAGES. */
    images: z
        .strictObject({
            ...(Object.fromEntries([...MONITORING_SERVICES, ...EXPORTER_IMAGE_KEYS].map((s) => [s, imageRef.optional()])) as Record<MonitoringService | ExporterImage, z.ZodOptional<typeof imageRef>>),
            ...retiredKeys,
        })
        .prefault({}),
    /**
     * Metrics of the data services, per kind (default on, when Prometheus runs): a sidecar exporter
     * for postgres, redis, kafka, mongodb; the built-in endpoint for rabbitmq and minio.
     */
    exporters: z
        .strictObject(Object.fromEntries(EXPORTER_KINDS.map((k) => [k, z.boolean().default(true)])) as Record<ExporterKind, z.ZodDefault<z.ZodBoolean>>)
        .prefault({}),
    /**
     * Grafana and Prometheus through the proxy, behind basic auth (user admin, generated password,
     * `pulumi stack output proxy --show-secrets`). Default: grafana.<domain> and prometheus.<domain>
     * of the first production environment; stacks without one serve no UI unless configured here.
     * `false` turns one off (reach it with an SSH tunnel instead).
     */
    ui: z.strictObject({ grafana: UiRoute.optional(), prometheus: UiRoute.optional() }).prefault({}),
    scrapeInterval: promDuration.default("30s"),
    /** Prometheus TSDB retention (--storage.tsdb.retention.time). */
    metricsRetention: promDuration.default("15d"),
    /**
     * Where the collector ships container logs, as an OTLP/HTTP base URL (the exporter appends
     * /v1/logs). Default: the stack's Loki (http://loki:3100/otlp). Any OTLP log store works,
     * e.g. VictoriaLogs' http://<host>:9428/insert/opentelemetry (the e2e tier uses that).
     */
    logsEndpoint: z.url({ protocol: /^https?$/, error: "expected an http(s) URL like http://loki:3100/otlp" }).optional(),
    /** Loki retention_period; a multiple of 24h. */
    logsRetention: z.string().regex(/^[0-9]+h$/, { error: "expected hours, a multiple of 24, like 168h" }).default("168h"),
    /** Memory limit of Prometheus (the largest one); the others have fixed small limits. */
    prometheusMemory: memory.default("1G"),
    alerts: z
        .strictObject({
            receiver: AlertReceiver.default({ type: "none" }),
            /** Disk alert threshold in percent of the filesystem (ext4, xfs, btrfs). */
            diskPercent: z.number().min(50).max(99).default(85),
            /** TLS certificates expiring sooner than this many days alert. */
            certExpiryDays: z.number().int().min(1).max(90).default(14),
        })
        .prefault({}),
    /**
     * How the route probes reach the proxy: `host` (default) maps every routed host name to the
     * Docker host's gateway inside the blackbox container, so probes test this host's nginx and
     * certificates without depending on public DNS or hairpin NAT; `dns` uses public DNS.
     */
    probeVia: z.enum(["host", "dns"]).default("host"),
});

export type MonitoringConfig = z.output<typeof Monitoring>;

/** Network aliases, ports and health paths of the monitoring services on the monitoring network. */
export const ENDPOINTS = {
    prometheus: { alias: "prometheus", port: 9090, health: "/-/healthy" },
    alertmanager: { alias: "alertmanager", port: 9093, health: "/-/healthy" },
    grafana: { alias: "grafana", port: 3000, health: "/api/health" },
    loki: { alias: "loki", port: 3100, health: "/ready" },
    // Port: its Prometheus exporter (container metrics, nginx responses by status class).
    otelcol: { alias: "otelcol", port: 8889, health: "/metrics" },
    nodeExporter: { alias: "node-exporter", port: 9100, health: "/metrics" },
    blackbox: { alias: "blackbox", port: 9115, health: "/-/healthy" },
} as const;

/** Cross-field rules: referenced secrets must be set; logs retention a multiple of 24h. */
export function monitoringIssues(m: MonitoringConfig, secretKeys: Set<string>, stack: string, ns: string): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const r = m.alerts.receiver;
    const need = (field: string, k: string | undefined) => {
        if (k && !secretKeys.has(k))
            issues.push({
                key: `${ns}:monitoring.alerts.receiver.${field}`,
                message: `missing secret ${ns}:${k}; set it with 'pulumi config set --secret ${ns}:${k} <value> --stack ${stack}'`,
            });
    };
    if (r.type === "slack") need("webhookUrl", r.webhookUrl);
    if (r.type === "email") need("authPassword", r.authPassword);
    const hours = Number(m.logsRetention.slice(0, -1));
    if (hours % 24 !== 0 || hours === 0)
        issues.push({ key: `${ns}:monitoring.logsRetention`, message: `got "${m.logsRetention}"; expected a non-zero multiple of 24h (Loki's retention granularity)` });
    return issues;
}
