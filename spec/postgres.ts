// Workload specs of a PostgreSQL service (pure): the server, PgBouncer and the backup sidecar as
// plain data. Per-app passwords make PostgreSQL the one kind with its own component
// (components/data/postgres.ts), which adds the roles SQL; its catalog entry is catalog/postgres.ts.
// Secret files read the secret values by name: superuser, app/<app> (one per consumer),
// offsite-access-key-id and offsite-secret-access-key (off-host backups).
import { ofKind } from "../catalog";
import { PGBOUNCER_IMAGE, PGBOUNCER_PORT } from "../catalog/postgres";
import { IMAGE_UID } from "../catalog/types";
import type { DataServiceModel } from "../config/services";
import { renderPgbouncerIni, renderPgbouncerUserlist } from "../render/postgres";
import { BACKUP_MEMORY_MB, backupScriptFiles, pgConnectionEnv } from "../render/backup-sidecar";
import { backupWorkload } from "./data-backup";
import { dataWorkload, mainWorkload } from "./data";
import type { SecretValues, WorkloadSpec } from "./workload";

/** The secret value name of an app's database password. */
export const appSecret = (app: string) => `app/${app}`;
const users = (s: DataServiceModel, v: SecretValues) => s.consumers.map((app) => ({ app, password: v[appSecret(app)] }));

/** The server: superuser password as a file the postgres user reads; scram-sha-256 for every login. */
export function postgresServer(s: DataServiceModel): WorkloadSpec {
    return mainWorkload(s, {
        env: ["POSTGRES_USER=postgres", "POSTGRES_DB=postgres", "POSTGRES_PASSWORD_FILE=/run/secrets/POSTGRES_PASSWORD", "POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256"],
        files: [{ path: "/run/secrets/POSTGRES_PASSWORD", content: { secret: (v) => v.superuser }, permissions: "0400", owner: IMAGE_UID }],
    });
}

/** PgBouncer in front (when enabled): pgbouncer.ini (no secrets) and the userlist (0400, its uid). */
export function pgbouncer(s: DataServiceModel): WorkloadSpec {
    const pg = ofKind(s, "postgres").settings.pgbouncer;
    return dataWorkload(s, {
        role: "pgbouncer",
        image: pg.image ?? PGBOUNCER_IMAGE,
        port: PGBOUNCER_PORT,
        files: [
            { path: "/etc/pgbouncer/pgbouncer.ini", content: renderPgbouncerIni(s), permissions: "0444" },
            { path: "/etc/pgbouncer/userlist.txt", content: { secret: (v) => renderPgbouncerUserlist(users(s, v)) }, permissions: "0400", owner: pg.uid },
        ],
        health: { ...s.health, test: ["CMD-SHELL", `pg_isready -h 127.0.0.1 -p ${PGBOUNCER_PORT} -d pgbouncer >/dev/null 2>&1 || nc -z 127.0.0.1 ${PGBOUNCER_PORT}`], startPeriod: "20s" },
        cpus: 0.5,
        memoryMb: 128,
    });
}

/**
 * The backup sidecar: `image`, built FROM the server's image with the off-host tools
 * (images/backup/Dockerfile; pg_dump always matches the server version), or backup.image;
 * scripts/postgres installed in /usr/local/bin; metrics into node-exporter's textfile directory
 * when it runs (`textfile`).
 */
export function backupSidecar(s: DataServiceModel, textfile: boolean, image?: string): WorkloadSpec {
    const b = ofKind(s, "postgres").settings.backup;
    return backupWorkload(s, b, textfile, {
        image: image ?? b.image,
        script: "pg-backup.sh",
        env: pgConnectionEnv(s),
        files: [
            ...backupScriptFiles().map((f) => ({ path: `/usr/local/bin/${f.name}`, content: f.content, executable: f.executable })),
            { path: "/run/secrets/pgpass", content: { secret: (v) => `${s.alias}:${s.port}:*:postgres:${v.superuser}\n` }, permissions: "0400" },
        ],
        memoryMb: BACKUP_MEMORY_MB,
    });
}
