// The backup-age hook. Backups run as one-shot jobs that Prometheus cannot scrape, so they report
// through node-exporter's textfile collector: after each successful dump the job writes
//
//   <TEXTFILE_DIR>/backup-<env>-<service>.prom
//     hostplane_backup_last_success_timestamp_seconds{env="<env>",service="<service>"} <unix time>
//     hostplane_backup_max_age_seconds{env="<env>",service="<service>"} <seconds>
//
// atomically (write a temp file in the same directory, then mv). The max age travels with the
// metric, so the BackupTooOld rule needs no knowledge of schedules: it fires when
// time() - last_success > max_age. For hourly dumps the job should declare 2h + its own runtime.
//
// The rule matches the two series on *all* their labels, so a job may add its own (database,
// kind=hourly|weekly…) as long as it writes both gauges with the same label set, e.g. one max age
// per kind. env/service must be set: node-exporter is scraped with honor_labels, so they survive.
// One file per job (the collector reads every *.prom in the directory; names must not collide).
import { TEXTFILE_DIR } from "./paths";

export const BACKUP_LAST_SUCCESS_METRIC = "hostplane_backup_last_success_timestamp_seconds";
export const BACKUP_MAX_AGE_METRIC = "hostplane_backup_max_age_seconds";

export interface BackupMetric {
    env: string;
    service: string;
    /** Unix seconds of the last successful backup. */
    lastSuccess: number;
    /** How old the newest backup may be before the alert fires. */
    maxAgeSeconds: number;
}

export const backupTextfileName = (env: string, service: string) => `backup-${env}-${service}.prom`;

/** The textfile collector content (Prometheus text exposition format). */
export function renderBackupTextfile(m: BackupMetric): string {
    const labels = `{env="${m.env}",service="${m.service}"}`;
    return [
        `# HELP ${BACKUP_LAST_SUCCESS_METRIC} Unix time of the newest successful backup.`,
        `# TYPE ${BACKUP_LAST_SUCCESS_METRIC} gauge`,
        `${BACKUP_LAST_SUCCESS_METRIC}${labels} ${Math.floor(m.lastSuccess)}`,
        `# HELP ${BACKUP_MAX_AGE_METRIC} Age after which the newest backup counts as overdue.`,
        `# TYPE ${BACKUP_MAX_AGE_METRIC} gauge`,
        `${BACKUP_MAX_AGE_METRIC}${labels} ${Math.floor(m.maxAgeSeconds)}`,
        "",
    ].join("\n");
}

/**
 * A POSIX sh snippet for the backup job to run after a successful dump, with the textfile
 * directory mounted at `dir` (default: the host path). Atomic: node-exporter never reads half a file.
 */
export function backupSuccessScript(env: string, service: string, maxAgeSeconds: number, dir: string = TEXTFILE_DIR.host): string {
    const file = `${dir}/${backupTextfileName(env, service)}`;
    const l = `{env=\\"${env}\\",service=\\"${service}\\"}`;
    return (
        `now=$(date +%s); ` +
        `printf '%s\\n' "${BACKUP_LAST_SUCCESS_METRIC}${l} $now" "${BACKUP_MAX_AGE_METRIC}${l} ${maxAgeSeconds}" > ${file}.$$ && mv ${file}.$$ ${file}`
    );
}
