// PostgreSQL in compose, as components/data/postgres.ts: the server, a one-shot `roles` service
// (the idempotent roles SQL, a secret file, through psql as the superuser), PgBouncer after it,
// the backup sidecar with the same scripts, and the exporter with its pg_monitor role.
import type { DataServiceModel } from "../../config/model";
import { pgbouncerEnabled, pgIdentifier } from "../../config/services";
import { PGBOUNCER_IMAGE } from "../../catalog";
import { MONITOR_ROLE, PGBOUNCER_PORT, renderMonitorRoleSql, renderPgbouncerIni, renderPgbouncerUserlist, renderRolesSql } from "../postgres";
import { BACKUP_TEXTFILE_HOST_DIR, BACKUP_TEXTFILE_MOUNT } from "../monitoring/backup-hook";
import { backupImageFor, rcloneSecret } from "./backup";
import { BACKUP_MEMORY_MB, backupMetricsFile, backupScriptFiles, backupSidecarEnv } from "../backup-sidecar";
import { HOST_ROOT } from "../files";
import { ComposeBuilder, depends } from "./builder";
import { dataVolume, exporter, EXPORTER_UID, IMAGE_UID, passwordKey, serviceContainer, ServiceResult } from "./service";
import type { SecretLookup } from "./types";

export function renderPostgres(b: ComposeBuilder, s: DataServiceModel): ServiceResult {
    if (s.settings.type !== "postgres") throw new Error("unreachable");
    const settings = s.settings;
    const superuser = passwordKey(b, s, "superuser");
    const appKeys = Object.fromEntries(s.consumers.map((a) => [a, passwordKey(b, s, `app/${a}`)]));
    const app = (a: string) => appKeys[a];
    const users = (l: SecretLookup) => s.consumers.map((a) => ({ app: a, password: l.value(app(a)) }));
    const server = serviceContainer(b, s, {
        environment: ["POSTGRES_USER=postgres", "POSTGRES_DB=postgres", "POSTGRES_PASSWORD_FILE=/run/secrets/POSTGRES_PASSWORD", "POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256"],
        volumes: [dataVolume(b, s), b.secret(`data/${s.alias}/POSTGRES_PASSWORD`, (l) => l.value(superuser), "/run/secrets/POSTGRES_PASSWORD", IMAGE_UID)],
    });
    const roles = sqlJob(b, s, "roles", server, superuser, (l) => renderRolesSql(users(l)));
    const ready = { ...depends([server]), ...depends([roles], "service_completed_successfully") };
    let host = s.alias;
    let port = s.port;
    if (pgbouncerEnabled(s)) {
        const iniPath = `${HOST_ROOT}/data/${s.alias}/pgbouncer.ini`;
        b.hostFiles([{ path: iniPath, content: renderPgbouncerIni(s), mode: 0o444 }]);
        const uid = Number(settings.pgbouncer.uid);
        const bouncer = serviceContainer(b, s, {
            role: "pgbouncer",
            image: settings.pgbouncer.image ?? PGBOUNCER_IMAGE,
            port: PGBOUNCER_PORT,
            volumes: [b.bind(iniPath, "/etc/pgbouncer/pgbouncer.ini"), b.secret(`data/${s.alias}-pgbouncer/userlist.txt`, (l) => renderPgbouncerUserlist(users(l)), "/etc/pgbouncer/userlist.txt", Number.isNaN(uid) ? undefined : uid)],
            health: { ...s.health, test: ["CMD-SHELL", `pg_isready -h 127.0.0.1 -p ${PGBOUNCER_PORT} -d pgbouncer >/dev/null 2>&1 || nc -z 127.0.0.1 ${PGBOUNCER_PORT}`], startPeriod: "20s" },
            cpus: 0.5,
            memoryMb: 128,
            after: { ...depends([roles], "service_completed_successfully") },
        });
        Object.assign(ready, depends([bouncer]));
        host = `${s.alias}-pgbouncer`;
        port = PGBOUNCER_PORT;
    }
    backup(b, s, server, superuser);
    if (b.model.monitoring.exporters.some((e) => e.env === s.environment && e.service === s.name)) {
        const monitor = passwordKey(b, s, "monitor");
        const role = sqlJob(b, s, "monitor-role", server, superuser, (l) => renderMonitorRoleSql(l.value(monitor)));
        exporter(b, s, () => ({
            environment: [`DATA_SOURCE_URI=${s.alias}:${s.port}/postgres?sslmode=disable`, `DATA_SOURCE_USER=${MONITOR_ROLE}`, "DATA_SOURCE_PASS_FILE=/run/secrets/DATA_SOURCE_PASS"],
            volumes: [b.secret(`data/${s.alias}-exporter/DATA_SOURCE_PASS`, (l) => l.value(monitor), "/run/secrets/DATA_SOURCE_PASS", EXPORTER_UID)],
            memoryMb: 128,
            after: { ...depends([server]), ...depends([role], "service_completed_successfully") },
        }));
    }
    const url = (a: string) => (l: SecretLookup) => `postgresql://${pgIdentifier(a)}:${l.value(app(a))}@${host}:${port}/${pgIdentifier(a)}`;
    return { ready, credentials: { databaseUrl: url } };
}

/** SQL as the superuser, once the server is healthy: `docker exec … psql` in hostplane. */
function sqlJob(b: ComposeBuilder, s: DataServiceModel, what: string, server: string, superuser: string, sql: (l: SecretLookup) => string): string {
    const name = `${s.alias}-${what}`;
    b.add(name, {
        ...b.base({ image: s.image, labels: b.labels({ environment: s.environment, service: `${s.name}-${what}`, kind: "job", type: s.type }), networks: { [s.environment]: null }, cpus: 0.25, memoryMb: 128, restart: "no" }),
        entrypoint: ["sh", "-c"],
        // The password is read from its file inside the job: it never sits in the compose file or env.
        command: [`PGPASSWORD="$(cat /run/secrets/POSTGRES_PASSWORD)" exec psql -X -q -h ${s.alias} -p ${s.port} -U postgres -d postgres -v ON_ERROR_STOP=1 -f /run/secrets/${what}.sql`],
        volumes: [
            b.secret(`data/${s.alias}/POSTGRES_PASSWORD`, (l) => l.value(superuser), "/run/secrets/POSTGRES_PASSWORD", IMAGE_UID),
            b.secret(`data/${name}.sql`, sql, `/run/secrets/${what}.sql`, IMAGE_UID),
        ],
        user: String(IMAGE_UID),
        depends_on: depends([server]),
    });
    return name;
}

function backup(b: ComposeBuilder, s: DataServiceModel, server: string, superuser: string): void {
    if (s.settings.type !== "postgres") throw new Error("unreachable");
    const bk = s.settings.backup;
    const textfile = b.model.monitoring.services.nodeExporter;
    const metricsFile = backupMetricsFile(s, textfile);
    const scripts = `${HOST_ROOT}/scripts/postgres`;
    const files = backupScriptFiles();
    b.hostFiles(files.map((f) => ({ path: `${scripts}/${f.name}`, content: f.content, mode: f.executable ? 0o755 : 0o644 })));
    const volumesOut = [b.volume(`${b.model.prefix}_${s.environment}_${s.name}_backups`, "/backups")];
    const image = backupImageFor(b, s, bk.image);
    const name = serviceContainer(b, s, {
        role: "backup",
        image: image.image,
        entrypoint: ["bash", "/usr/local/bin/pg-backup.sh"],
        command: ["loop"],
        environment: backupSidecarEnv(s, metricsFile),
        volumes: [
            ...volumesOut,
            ...files.map((f) => b.bind(`${scripts}/${f.name}`, `/usr/local/bin/${f.name}`)),
            b.secret(`data/${s.alias}-backup/pgpass`, (l) => `${s.alias}:${s.port}:*:postgres:${l.value(superuser)}\n`, "/run/secrets/pgpass", 0),
            ...rcloneSecret(b, s, bk.s3),
            ...(textfile ? [b.writableDir(BACKUP_TEXTFILE_HOST_DIR, BACKUP_TEXTFILE_MOUNT)] : []),
        ],
        health: { ...s.health, test: ["CMD", "test", "-f", metricsFile], startPeriod: "10s" },
        cpus: 0.5,
        memoryMb: BACKUP_MEMORY_MB,
        after: depends([server]),
    });
    if (image.build) b.services[name].build = image.build;
}
