// Where the monitoring files live on the host and inside the containers. Each service gets a host
// directory that is bind-mounted read-only; hostplane rewrites files there and reloads the
// service in place (Prometheus/Alertmanager /-/reload), so config changes never replace containers.
import { HOST_ROOT } from "../files";

export const MONITORING_HOST_DIR = `${HOST_ROOT}/monitoring`;

/** Host directory and container mount point of each service's config. */
export const CONF = {
    prometheus: { host: `${MONITORING_HOST_DIR}/prometheus`, container: "/etc/prometheus" },
    alertmanager: { host: `${MONITORING_HOST_DIR}/alertmanager`, container: "/etc/alertmanager" },
    blackbox: { host: `${MONITORING_HOST_DIR}/blackbox`, container: "/etc/blackbox_exporter" },
    loki: { host: `${MONITORING_HOST_DIR}/loki`, container: "/etc/loki" },
    otelcol: { host: `${MONITORING_HOST_DIR}/otelcol`, container: "/etc/otelcol" },
    grafana: { host: `${MONITORING_HOST_DIR}/grafana`, container: "/etc/grafana/hostplane" },
} as const;

/**
 * Secrets are written by the Monitoring component (never rendered): 0400 files under these host
 * directories, owned by the service's uid, mounted read-only. Config files only reference them.
 */
export const SECRETS = {
    alertmanager: { host: `${MONITORING_HOST_DIR}/alertmanager-secrets`, container: "/run/secrets/alertmanager", uid: 65534 },
    grafana: { host: `${MONITORING_HOST_DIR}/grafana-secrets`, container: "/run/secrets/grafana", uid: 472 },
} as const;
export const SLACK_WEBHOOK_FILE = `${SECRETS.alertmanager.container}/slack_webhook_url`;
export const SMTP_PASSWORD_FILE = `${SECRETS.alertmanager.container}/smtp_password`;
export const GRAFANA_ADMIN_PASSWORD_FILE = `${SECRETS.grafana.container}/admin_password`;

/**
 * node-exporter's textfile collector directory. Jobs that run outside Prometheus' reach (the
 * database backups) drop `*.prom` files here; see backup-hook.ts.
 */
export const TEXTFILE_DIR = { host: `${MONITORING_HOST_DIR}/textfile`, container: "/textfile" } as const;

/** Network aliases and ports of the monitoring services: part of the monitoring catalog in config/. */
export { ENDPOINTS } from "../../config/monitoring-schema";
