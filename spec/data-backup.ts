// The backup sidecar of a Redis or RabbitMQ service (pure), as PostgreSQL's (spec/postgres.ts):
// the kind's script (catalog/<kind>.ts `backup`) looping in the image built from
// images/backup/Dockerfile FROM the service's image, its own `backups` volume, the schedule and
// retention of backup-lib.sh, metrics into node-exporter's textfile directory when it runs, and
// the off-host credentials as a 0400 rclone.conf (secret values offsite-access-key-id and
// offsite-secret-access-key), never in the environment.
import { kindOf } from "../catalog";
import type { DataServiceModel } from "../config/services";
import { RCLONE_CONF_PATH, renderRcloneConf } from "../render/backup-offsite";
import { backupMetricsFile, backupScheduleEnv, type BackupSettings } from "../render/backup-sidecar";
import { BACKUP_TEXTFILE_HOST_DIR, BACKUP_TEXTFILE_MOUNT } from "../render/monitoring/backup-hook";
import { dataVolumeSpec, dataWorkload } from "./data";
import type { FileSpec, SecretValues, WorkloadSpec } from "./workload";

/** The schedule of a kind with scheduled backups, when they are on. */
export function dataBackupSettings(s: DataServiceModel): (BackupSettings & { enabled: boolean }) | undefined {
    const b = (s.settings as { backup?: BackupSettings & { enabled: boolean } }).backup;
    return kindOf(s.type).backup && b?.enabled ? b : undefined;
}

export function dataBackupSidecar(s: DataServiceModel, textfile: boolean, image: string): WorkloadSpec {
    const kind = kindOf(s.type).backup;
    const b = dataBackupSettings(s);
    if (!kind || !b) throw new Error(`${s.environment}/${s.name}: no scheduled backups`);
    const part = kind.part(s);
    return backupWorkload(s, b, textfile, { image, script: kind.script, env: part.env ?? [], files: part.files ?? [], memoryMb: part.memoryMb });
}

/** What a backup sidecar adds to the common one: its script, how it reaches the service, its limits. */
export interface BackupPart {
    image?: string;
    script: string;
    env: string[];
    files: FileSpec[];
    memoryMb?: number;
}

/** Any backup sidecar (PostgreSQL's too): `<script> loop` with the schedule, metrics and off-host settings of `b`. */
export function backupWorkload(s: DataServiceModel, b: BackupSettings, textfile: boolean, part: BackupPart): WorkloadSpec {
    const metricsFile = backupMetricsFile(s, textfile);
    const s3 = b.s3;
    const w = dataWorkload(
        s,
        {
            role: "backup",
            image: part.image,
            entrypoint: ["bash", `/usr/local/bin/${part.script}`],
            command: ["loop"],
            env: [...part.env, ...backupScheduleEnv(s, b, metricsFile)],
            files: [
                ...part.files,
                ...(s3 ? [{ path: RCLONE_CONF_PATH, content: { secret: (v: SecretValues) => renderRcloneConf(s3, v["offsite-access-key-id"], v["offsite-secret-access-key"]) }, permissions: "0400" }] : []),
            ],
            health: { ...s.health, test: ["CMD", "test", "-f", metricsFile], startPeriod: "10s" },
            cpus: 0.5,
            memoryMb: part.memoryMb,
        },
        [{ volume: dataVolumeSpec(s, "backups"), target: "/backups" }],
    );
    return { ...w, hostDirs: textfile ? [{ hostPath: BACKUP_TEXTFILE_HOST_DIR, containerPath: BACKUP_TEXTFILE_MOUNT }] : [] };
}
