// The backup sidecar of a Redis or RabbitMQ service (pure), as PostgreSQL's (spec/postgres.ts):
// the kind's script (catalog/<kind>.ts `backup`) looping in the image built from
// images/backup/Dockerfile FROM the service's image, its own `backups` volume, the schedule and
// retention of backup-lib.sh, metrics into node-exporter's textfile directory when it runs, and
// the off-host credentials as a 0400 rclone.conf (secret values offsite-access-key-id and
// offsite-secret-access-key), never in the environment.
import { kindOf } from "../catalog";
import type { BackupSource } from "../catalog/types";
import type { DataServiceModel } from "../config/services";
import { RCLONE_CONF_PATH, renderRcloneConf } from "../render/backup-offsite";
import { backupMetricsFile, backupScheduleEnv, type BackupSettings } from "../render/backup-sidecar";
import { BACKUP_TEXTFILE_HOST_DIR, BACKUP_TEXTFILE_MOUNT } from "../render/monitoring/backup-hook";
import { dataVolumeSpec, dataWorkload } from "./data";
import type { FileSpec, SecretValues, WorkloadSpec } from "./workload";

/** The schedule of a kind with scheduled backups, when they are on (a bucket mirror: with an off-host target). */
export function dataBackupSettings(s: DataServiceModel): (BackupSettings & { enabled: boolean }) | undefined {
    const b = (s.settings as { backup?: BackupSettings & { enabled: boolean } }).backup;
    const kind = kindOf(s.type).backup;
    return kind && b?.enabled && (b.s3 || !kind.offsiteOnly) ? b : undefined;
}

/** The image the sidecar is built FROM: the service's own, or the kind's Debian base. */
export const backupBase = (s: DataServiceModel) => kindOf(s.type).backup?.base ?? s.image;

export function dataBackupSidecar(s: DataServiceModel, textfile: boolean, image: string): WorkloadSpec {
    const kind = kindOf(s.type).backup;
    const b = dataBackupSettings(s);
    if (!kind || !b) throw new Error(`${s.environment}/${s.name}: no scheduled backups`);
    const part = kind.part(s);
    return backupWorkload(s, b, textfile, { image, script: kind.script, env: part.env ?? [], files: part.files ?? [], memoryMb: part.memoryMb, source: part.source });
}

/** What a backup sidecar adds to the common one: its script, how it reaches the service, its limits. */
export interface BackupPart {
    image?: string;
    script: string;
    env: string[];
    files: FileSpec[];
    memoryMb?: number;
    /** An object store it reads: a `source` remote in the same rclone.conf (bucket mirrors). */
    source?: BackupSource;
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
                ...(s3 ? [{ path: RCLONE_CONF_PATH, content: { secret: (v: SecretValues) => sourceRemote(part.source, v) + renderRcloneConf(s3, v["offsite-access-key-id"], v["offsite-secret-access-key"]) }, permissions: "0400" }] : []),
            ],
            health: { ...s.health, test: ["CMD", "test", "-f", metricsFile], startPeriod: "10s" },
            cpus: 0.5,
            memoryMb: part.memoryMb,
        },
        [{ volume: dataVolumeSpec(s, "backups"), target: "/backups" }],
    );
    return { ...w, hostDirs: textfile ? [{ hostPath: BACKUP_TEXTFILE_HOST_DIR, containerPath: BACKUP_TEXTFILE_MOUNT }] : [] };
}

/** rclone.conf's `source` remote (the object store a bucket mirror reads), or nothing. */
export const sourceRemote = (src: BackupSource | undefined, v: SecretValues) =>
    src ? renderRcloneConf({ endpoint: src.endpoint, region: "us-east-1" }, src.accessKeyId(v), src.secretAccessKey(v), "source") : "";
