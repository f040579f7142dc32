// The backup-age hook. Backups run in a sidecar that Prometheus does not scrape, so they report
// through node-exporter's textfile collector: the sidecar mounts the collector's directory and
// scripts/postgres/pg-backup.sh rewrites, atomically, after every run
//
//   <TEXTFILE_DIR>/backup-<env>-<service>.prom
//     hostplane_backup_last_success_timestamp_seconds{env,service,database,kind} <unix time>
//     hostplane_backup_max_age_seconds{env,service,database,kind} <seconds>   (hourly, weekly)
//     hostplane_backup_last_run_failed{env,service} 0|1   (1 also when the state cannot be read)
//     hostplane_backup_metrics_updated_timestamp_seconds{env,service} <unix time of the rewrite>
//     hostplane_restore_drill_last_success_timestamp_seconds{env,service,database} <unix time>
//     hostplane_restore_drill_max_age_seconds{env,service,database} <seconds>
//     hostplane_restore_drill_last_run_failed{env,service} 0|1
//
// The max age travels with the metric, so the BackupTooOld rule needs no knowledge of schedules:
// it fires when time() - last_success > max_age, matching the two series on all their labels.
// Manual and safety backups get no max age: they are never overdue. env/service survive the
// scrape because node-exporter is scraped with honor_labels.
import { TEXTFILE_DIR } from "./paths";

export const BACKUP_LAST_SUCCESS_METRIC = "hostplane_backup_last_success_timestamp_seconds";
export const BACKUP_MAX_AGE_METRIC = "hostplane_backup_max_age_seconds";
export const BACKUP_FAILED_METRIC = "hostplane_backup_last_run_failed";
export const BACKUP_METRICS_UPDATED_METRIC = "hostplane_backup_metrics_updated_timestamp_seconds";
export const DRILL_LAST_SUCCESS_METRIC = "hostplane_restore_drill_last_success_timestamp_seconds";
export const DRILL_MAX_AGE_METRIC = "hostplane_restore_drill_max_age_seconds";
export const DRILL_FAILED_METRIC = "hostplane_restore_drill_last_run_failed";

/**
 * The sidecar rewrites its file at least once an hour (every run); a file older than this means
 * the sidecar is gone, stuck or cannot write (disk full): BackupMetricsStale.
 */
export const BACKUP_METRICS_MAX_AGE_SECONDS = 3 * 3600;

/** Where the sidecar mounts the collector's directory. */
export const BACKUP_TEXTFILE_MOUNT = "/textfile";

/** One file per backup sidecar: the collector reads every *.prom, so names must not collide. */
export const backupTextfileName = (env: string, service: string) => `backup-${env}-${service}.prom`;

/** The host directory node-exporter reads (bind-mounted into each backup sidecar). */
export const BACKUP_TEXTFILE_HOST_DIR = TEXTFILE_DIR.host;

/**
 * Max ages the sidecar declares: one missed run plus the dump's own time. Kept here, beside the
 * rule that consumes them, and handed to pg-backup.sh as environment variables.
 */
export const BACKUP_MAX_AGE_SECONDS = { hourly: 2 * 3600 + 300, weekly: 8 * 86400 } as const;
