// Alert rules. Every alert carries env/service labels where the series have them, a severity,
// and a summary that names what is wrong. Thresholds come from `hostplane:monitoring.alerts`.
import { stringify } from "yaml";
import type { PlatformModel } from "../../config/model";
import type { HostFile } from "../files";
import {
    BACKUP_FAILED_METRIC,
    BACKUP_LAST_SUCCESS_METRIC,
    BACKUP_MAX_AGE_METRIC,
    BACKUP_METRICS_MAX_AGE_SECONDS,
    BACKUP_METRICS_UPDATED_METRIC,
    DRILL_FAILED_METRIC,
    DRILL_LAST_SUCCESS_METRIC,
    DRILL_MAX_AGE_METRIC,
} from "./backup-hook";
import { CONF } from "./paths";
import { JOBS, RULES_FILE } from "./prometheus";

/** Real filesystems only: dockprom's fstype="aufs" never matched on ext4/overlay2 hosts. */
export const DISK_FSTYPES = "ext4|xfs|btrfs";
/** The collector's count of the proxy's responses by status_class (otelcol.ts, count connector). */
export const NGINX_RESPONSES_METRIC = "nginx_http_responses_total";
/** The collector's docker_stats series (otelcol.ts), as its Prometheus exporter names them. */
export const CONTAINER_METRICS = {
    restarts: "container_restarts_total",
    memory: "container_memory_usage_total_bytes",
    memoryLimit: "container_memory_usage_limit_bytes",
    cpu: "container_cpu_usage_nanoseconds_total",
    networkRx: "container_network_io_usage_rx_bytes_total",
    networkTx: "container_network_io_usage_tx_bytes_total",
} as const;

interface Rule {
    alert: string;
    expr: string;
    for?: string;
    labels: { severity: "critical" | "warning" };
    annotations: { summary: string; description?: string };
}

export function alertRules(model: PlatformModel): { groups: { name: string; rules: Rule[] }[] } {
    const a = model.monitoring.alerts;
    const fs = `fstype=~"${DISK_FSTYPES}",mountpoint!~"/(run|var/lib/docker/.+)($|/.*)"`;
    return {
        groups: [
            {
                name: "hostplane.targets",
                rules: [
                    {
                        alert: "TargetDown",
                        expr: "up == 0",
                        for: "2m",
                        labels: { severity: "critical" },
                        annotations: { summary: "{{ $labels.env }}/{{ $labels.service }}: scrape target {{ $labels.instance }} ({{ $labels.job }}) is down" },
                    },
                ],
            },
            {
                name: "hostplane.containers",
                rules: [
                    {
                        alert: "ContainerRestarting",
                        // Docker's restart count (restart policy), per container, from docker_stats.
                        expr: `increase(${CONTAINER_METRICS.restarts}[15m]) >= 3`,
                        labels: { severity: "warning" },
                        annotations: { summary: "container {{ $labels.container_name }} ({{ $labels.env }}/{{ $labels.service }}) restarted {{ $value }} times in 15 minutes" },
                    },
                    {
                        alert: "ContainerMemoryNearLimit",
                        // Usage without the page cache, like `docker stats`; the limit is the host's memory when none is set.
                        expr: `${CONTAINER_METRICS.memory} / (${CONTAINER_METRICS.memoryLimit} > 0) > 0.9`,
                        for: "5m",
                        labels: { severity: "warning" },
                        annotations: { summary: "container {{ $labels.container_name }} ({{ $labels.env }}/{{ $labels.service }}) uses {{ $value | humanizePercentage }} of its memory limit" },
                    },
                ],
            },
            {
                name: "hostplane.host",
                rules: [
                    {
                        alert: "HostDiskFull",
                        expr: `(1 - node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}) * 100 > ${a.diskPercent}`,
                        for: "5m",
                        labels: { severity: "critical" },
                        annotations: { summary: "filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) is {{ $value | printf \"%.0f\" }}% full (threshold " + a.diskPercent + "%)" },
                    },
                    {
                        alert: "HostMemoryPressure",
                        expr: "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.10",
                        for: "5m",
                        labels: { severity: "warning" },
                        annotations: { summary: "host has only {{ $value | humanizePercentage }} of its memory available" },
                    },
                ],
            },
            {
                name: "hostplane.probes",
                rules: [
                    {
                        alert: "RouteProbeFailing",
                        expr: `probe_success{job="${JOBS.routes}"} == 0`,
                        for: "3m",
                        labels: { severity: "critical" },
                        annotations: { summary: "route {{ $labels.instance }} ({{ $labels.env }}/{{ $labels.service }}) fails its probe" },
                    },
                    {
                        alert: "HealthProbeFailing",
                        expr: `probe_success{job="${JOBS.health}"} == 0`,
                        for: "3m",
                        labels: { severity: "warning" },
                        annotations: { summary: "health endpoint {{ $labels.instance }} ({{ $labels.env }}/{{ $labels.service }}) fails" },
                    },
                    {
                        alert: "TLSCertificateExpiringSoon",
                        expr: `probe_ssl_earliest_cert_expiry - time() < ${a.certExpiryDays} * 86400`,
                        for: "1h",
                        labels: { severity: "warning" },
                        annotations: { summary: "TLS certificate of {{ $labels.instance }} expires in {{ $value | humanizeDuration }} (threshold " + a.certExpiryDays + " days)" },
                    },
                ],
            },
            {
                name: "hostplane.proxy",
                rules: [
                    {
                        alert: "Nginx5xxRatioHigh",
                        expr:
                            `sum by (env) (rate(${NGINX_RESPONSES_METRIC}{status_class="5xx"}[5m]))` +
                            ` / sum by (env) (rate(${NGINX_RESPONSES_METRIC}[5m])) > 0.05`,
                        for: "5m",
                        labels: { severity: "critical" },
                        annotations: { summary: "nginx answers {{ $value | humanizePercentage }} of requests with a 5xx" },
                    },
                ],
            },
            {
                name: "hostplane.backups",
                rules: [
                    {
                        // Written by the backup jobs through node-exporter's textfile collector (backup-hook.ts).
                        alert: "BackupTooOld",
                        expr: `time() - ${BACKUP_LAST_SUCCESS_METRIC} > ${BACKUP_MAX_AGE_METRIC}`,
                        labels: { severity: "critical" },
                        annotations: { summary: "newest backup of {{ $labels.env }}/{{ $labels.service }} is {{ $value | humanizeDuration }} old, older than its schedule allows" },
                    },
                    {
                        // Written by the postgres backup sidecar (scripts/postgres/pg-backup.sh).
                        alert: "BackupFailing",
                        expr: `${BACKUP_FAILED_METRIC} > 0`,
                        for: "10m",
                        labels: { severity: "critical" },
                        annotations: { summary: "the latest backup run of {{ $labels.env }}/{{ $labels.service }} failed" },
                    },
                    {
                        // The sidecar rewrites its file every run: an old file is a dead or stuck sidecar.
                        alert: "BackupMetricsStale",
                        expr: `time() - ${BACKUP_METRICS_UPDATED_METRIC} > ${BACKUP_METRICS_MAX_AGE_SECONDS}`,
                        labels: { severity: "critical" },
                        annotations: { summary: "the backup metrics of {{ $labels.env }}/{{ $labels.service }} have not been updated for {{ $value | humanizeDuration }}" },
                    },
                    {
                        // node-exporter drops a textfile it cannot parse: its series vanish, so say so.
                        alert: "TextfileMetricsUnreadable",
                        expr: "node_textfile_scrape_error > 0",
                        for: "15m",
                        labels: { severity: "warning" },
                        annotations: { summary: "node-exporter cannot parse a textfile (backup metrics may be missing)" },
                    },
                    {
                        alert: "RestoreDrillFailing",
                        expr: `${DRILL_FAILED_METRIC} > 0`,
                        labels: { severity: "critical" },
                        annotations: { summary: "the latest restore drill of {{ $labels.env }}/{{ $labels.service }} failed: a backup does not restore" },
                    },
                    {
                        alert: "RestoreDrillTooOld",
                        expr: `time() - ${DRILL_LAST_SUCCESS_METRIC} > ${DRILL_MAX_AGE_METRIC}`,
                        labels: { severity: "critical" },
                        annotations: { summary: "the newest successful restore drill of {{ $labels.env }}/{{ $labels.service }}/{{ $labels.database }} is {{ $value | humanizeDuration }} old" },
                    },
                ],
            },
        ],
    };
}

export function renderRules(model: PlatformModel): HostFile[] {
    return [
        {
            path: `${CONF.prometheus.host}/${RULES_FILE}`,
            content: `# Alert rules, generated by hostplane; do not edit on the host.\n${stringify(alertRules(model), { lineWidth: 0 })}`,
            mode: 0o644,
        },
    ];
}
