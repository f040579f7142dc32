// The OpenTelemetry Collector: hostplane's log and container-metrics agent (it replaced Promtail
// and cAdvisor). Three jobs, one process:
// - logs: Docker's json-file logs of this stack's containers (filelog), labelled env/service/
//   container from the attrs every line carries (render/log-opts.ts), shipped over OTLP/HTTP to
//   Loki 3's native endpoint (or any OTLP log store: hostplane:monitoring.logsEndpoint);
// - the proxy's responses by status class, counted from its JSON access log (count connector):
//   the nginx dashboard and the Nginx5xxRatioHigh rule use them;
// - per-container CPU, memory, network and restarts from the Docker API (docker_stats).
// Metrics leave through the Prometheus exporter, which Prometheus scrapes (job "otelcol").
// `otelcol validate` checks every rendered file in tests/otelcol.test.ts.
import { stringify } from "yaml";
import type { PlatformModel } from "../../config/model";
import type { HostFile } from "../files";
import { CONF, ENDPOINTS } from "./paths";

export const OTELCOL_CONFIG_FILE = "otelcol.yaml";
/** The collector's file_storage (read offsets of the log files): its data volume. */
export const OTELCOL_STORAGE_DIR = "/var/lib/otelcol";
/** Where the json-file logs are; mounted read-only at the same path. */
export const DOCKER_CONTAINERS_DIR = "/var/lib/docker/containers";
/** The count connector's metric; Prometheus sees it as nginx_http_responses_total. */
export const NGINX_RESPONSES_OTEL_METRIC = "nginx.http.responses";
/** Docker Engine API version the docker_stats receiver asks for: Debian 12's 20.10 (1.41) and current engines both serve it. */
export const DOCKER_API_VERSION = "1.41";

/** Docker labels the env and service labels come from. */
export const LOG_LABELS = { env: "hostplane.environment", service: "hostplane.service" } as const;
/** Resource attributes of every log record: the labels Loki indexes (loki.ts) and queries select on. */
export const LOG_RESOURCE_ATTRIBUTES = ["env", "service", "container"] as const;

/** The env label of lines from containers outside every environment (the proxy, certbot). */
export const PLATFORM_ENV = "platform";
/** Resource attributes kept as Prometheus labels (container.name → container_name). */
export const METRIC_RESOURCE_LABELS = ["env", "service", "container", "container.name", "container.image.name"] as const;

const attr = (label: string) => `attributes.attrs["${label}"]`;

/** Stanza operators: a json-file line → body, timestamp, stream and the env/service/container resource. */
function logOperators(model: PlatformModel): Record<string, unknown>[] {
    // Other stacks and non-hostplane containers on the same host are not this stack's logs.
    const foreign = `${attr("hostplane.stack")} != ${JSON.stringify(model.stack)} or ${attr("hostplane.project")} != ${JSON.stringify(model.project)}`;
    return [
        { type: "json_parser", timestamp: { parse_from: "attributes.time", layout_type: "gotime", layout: "2006-01-02T15:04:05.999999999Z07:00" } },
        { type: "filter", expr: `attributes.attrs == nil or ${foreign}` },
        { type: "move", from: "attributes.log", to: "body" },
        { type: "move", from: "attributes.stream", to: 'attributes["log.iostream"]' },
        // Platform containers (the proxy, certbot) have no environment label: env "platform".
        { type: "add", if: `${attr(LOG_LABELS.env)} == nil`, field: "resource.env", value: PLATFORM_ENV },
        { type: "move", if: `${attr(LOG_LABELS.env)} != nil`, from: attr(LOG_LABELS.env), to: "resource.env" },
        { type: "move", if: `${attr(LOG_LABELS.service)} != nil`, from: attr(LOG_LABELS.service), to: "resource.service" },
        { type: "move", from: "attributes.attrs.tag", to: "resource.container" },
        { type: "remove", field: "attributes.attrs" },
        { type: "remove", field: "attributes.time" },
        // The proxy's JSON access log ("status":502,…): its status class, for the count connector.
        { type: "regex_parser", if: 'resource.service == "proxy"', parse_from: "body", regex: '"status":(?P<status_class>[1-5])[0-9]{2}[,}]', on_error: "send_quiet" },
        { type: "add", if: "attributes.status_class != nil", field: "attributes.status_class", value: 'EXPR(attributes.status_class + "xx")' },
    ];
}

export function otelcolConfig(model: PlatformModel): Record<string, unknown> {
    const m = model.monitoring;
    const logsOut = m.logsEndpoint ? ["otlp_http/logs"] : [];
    return {
        extensions: { file_storage: { directory: OTELCOL_STORAGE_DIR, create_directory: true } },
        receivers: {
            "file_log/docker": {
                include: [`${DOCKER_CONTAINERS_DIR}/*/*-json.log`],
                // With file_storage, "beginning" applies to files seen for the first time only.
                start_at: "beginning",
                storage: "file_storage",
                include_file_name: false,
                operators: logOperators(model),
            },
            docker_stats: {
                endpoint: "unix:///var/run/docker.sock",
                api_version: DOCKER_API_VERSION,
                collection_interval: m.scrapeInterval,
                // The same env/service labels every other job's series carry.
                container_labels_to_metric_labels: { [LOG_LABELS.env]: "env", [LOG_LABELS.service]: "service" },
                metrics: { "container.restarts": { enabled: true }, "container.uptime": { enabled: true } },
            },
        },
        connectors: {
            "count/nginx": {
                logs: {
                    [NGINX_RESPONSES_OTEL_METRIC]: {
                        description: "nginx responses by status class, counted from the proxy's access log",
                        conditions: ['attributes["status_class"] != nil'],
                        attributes: [{ key: "status_class" }],
                    },
                },
            },
        },
        processors: {
            // Below the container's limit (spec/monitoring.ts), so a log burst is refused, not OOM-killed.
            memory_limiter: { check_interval: "1s", limit_mib: 200, spike_limit_mib: 50 },
            batch: { timeout: "2s" },
        },
        exporters: {
            ...(m.logsEndpoint ? { "otlp_http/logs": { endpoint: m.logsEndpoint, compression: "gzip" } } : {}),
            prometheus: {
                endpoint: `0.0.0.0:${ENDPOINTS.otelcol.port}`,
                // These resource attributes become labels of each series: env/service (from the
                // Docker labels), the container's name and image (docker_stats) or the log
                // stream's container (the proxy's responses).
                resource_constant_labels: { included: [...METRIC_RESOURCE_LABELS] },
                without_scope_info: true,
                metric_expiration: "10m",
            },
        },
        service: {
            extensions: ["file_storage"],
            telemetry: { logs: { level: "warn" } },
            pipelines: {
                logs: { receivers: ["file_log/docker"], processors: ["memory_limiter", "batch"], exporters: [...logsOut, "count/nginx"] },
                metrics: { receivers: ["docker_stats", "count/nginx"], processors: ["memory_limiter", "batch"], exporters: ["prometheus"] },
            },
        },
    };
}

export function renderOtelcol(model: PlatformModel): HostFile[] {
    const content = `# Generated by hostplane; do not edit on the host.\n${stringify(otelcolConfig(model), { lineWidth: 0 })}`;
    return [{ path: `${CONF.otelcol.host}/${OTELCOL_CONFIG_FILE}`, content, mode: 0o644 }];
}
