// The postgres backup sidecar's plain settings, shared by the Pulumi component
// (components/data/postgres.ts) and the compose renderer (render/compose/postgres.ts) so both run
// the same scripts with the same environment.
import * as fs from "fs";
import * as path from "path";
import type { z } from "zod";
import type { BackupSchedule } from "../config/schema";
import type { DataServiceModel } from "../config/model";
import { offsiteEnv } from "./backup-offsite";
import { BACKUP_MAX_AGE_SECONDS, BACKUP_TEXTFILE_MOUNT, backupTextfileName } from "./monitoring/backup-hook";

export type BackupSettings = z.output<typeof BackupSchedule>;

export const BACKUP_SCRIPTS_DIR = path.resolve(__dirname, "../scripts/postgres");

/** pg_dump plus the scratch server every dump is restored into (32 MB shared_buffers). */
export const BACKUP_MEMORY_MB = 512;

/** Every file of scripts/postgres the sidecar runs or sources, installed in /usr/local/bin. */
export function backupScriptFiles(): { name: string; content: string; executable: boolean }[] {
    return fs
        .readdirSync(BACKUP_SCRIPTS_DIR)
        .filter((f) => /\.(sh|sql)$/.test(f))
        .sort()
        .map((f) => ({ name: f, content: fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, f), "utf8"), executable: f.endsWith(".sh") }));
}

/** With node-exporter running, metrics go to its textfile directory; otherwise into the backups volume. */
export const backupMetricsFile = (s: DataServiceModel, textfile: boolean) =>
    textfile ? `${BACKUP_TEXTFILE_MOUNT}/${backupTextfileName(s.environment, s.name)}` : "/backups/metrics/hostplane_backup.prom";

/** The sidecar's environment: connection, retention, drills, metrics, off-host target (no secrets). */
export function backupSidecarEnv(s: DataServiceModel, metricsFile: string): string[] {
    if (s.settings.type !== "postgres") throw new Error(`${s.name} is not a postgres service`);
    return [...pgConnectionEnv(s), ...backupScheduleEnv(s, s.settings.backup, metricsFile)];
}

/** How the postgres sidecar reaches the server: libpq's variables, the password in a pgpass file. */
export const pgConnectionEnv = (s: DataServiceModel) => [`PGHOST=${s.alias}`, `PGPORT=${s.port}`, "PGUSER=postgres", "PGPASSFILE=/run/secrets/pgpass"];

/** Retention, drills, metrics and the off-host target of any backup sidecar (backup-lib.sh reads them). */
export function backupScheduleEnv(s: DataServiceModel, b: BackupSettings, metricsFile: string): string[] {
    return [
        "BACKUP_DIR=/backups",
        `HOURLY_KEEP_DAYS=${b.hourlyKeepDays}`,
        `WEEKLY_KEEP_DAYS=${b.weeklyKeepDays}`,
        `HOURLY_KEEP_MIN=${b.hourlyKeepMin}`,
        `WEEKLY_KEEP_MIN=${b.weeklyKeepMin}`,
        `MANUAL_KEEP_DAYS=${b.manualKeepDays}`,
        `DRILL_EVERY_HOURS=${b.drillEveryHours}`,
        `HOURLY_MAX_AGE_SECONDS=${BACKUP_MAX_AGE_SECONDS.hourly}`,
        `WEEKLY_MAX_AGE_SECONDS=${BACKUP_MAX_AGE_SECONDS.weekly}`,
        `HOSTPLANE_ENV=${s.environment}`,
        `HOSTPLANE_SERVICE=${s.name}`,
        `METRICS_FILE=${metricsFile}`,
        ...(b.s3 ? offsiteEnv(b.s3, s.environment, s.name) : []),
    ];
}
