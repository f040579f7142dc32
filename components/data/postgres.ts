// PostgreSQL: the server, one role + database per app that depends on it (created idempotently,
// apps never get the superuser), PgBouncer in front, and a backup sidecar that dumps on a
// schedule, verifies each dump, prunes by retention and publishes backup-age metrics.
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { pgbouncerEnabled, pgIdentifier } from "../../config/services";
import { PGBOUNCER_IMAGE } from "../../catalog";
import { MONITOR_ROLE, PGBOUNCER_PORT, renderMonitorRoleSql, renderPgbouncerIni, renderPgbouncerUserlist, renderRolesSql } from "../../render/postgres";
import { BACKUP_TEXTFILE_HOST_DIR, BACKUP_TEXTFILE_MOUNT } from "../../render/monitoring/backup-hook";
import { RCLONE_CONF_PATH, renderRcloneConf } from "../../render/backup-offsite";
import { BACKUP_MEMORY_MB, backupMetricsFile, backupScriptFiles, backupSidecarEnv } from "../../render/backup-sidecar";
import { DataServiceArgs, dataVolume, serviceContainer } from "./container";
import { exporterSidecar, exporterTarget } from "./exporter";
import { dockerCliEnv } from "../hosts/ssh-client";
import { stackSecret } from "../secrets";

/** uid of the postgres user in the official (Debian-based) image: it reads the secret files. */
const POSTGRES_UID = "999";


export class Postgres extends pulumi.ComponentResource {
    readonly server: docker.Container;
    readonly pgbouncer?: docker.Container;
    readonly backup: docker.Container;
    readonly roles: command.local.Command;
    /** postgres-exporter, when hostplane:monitoring.exporters.postgres is on (and Prometheus runs). */
    readonly exporter?: docker.Container;
    private readonly passwords: Record<string, pulumi.Output<string>> = {};
    private readonly host: string;
    private readonly port: number;

    constructor(name: string, args: DataServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:data:Postgres", name, {}, opts);
        const { model, service: s } = args;
        if (s.settings.type !== "postgres") throw new Error(`${s.name} is not a postgres service`);
        const settings = s.settings;
        const base = s.containerBaseName;

        const superuser = new random.RandomPassword(`${base}-superuser`, { length: 32, special: false }, { parent: this }).result;
        for (const app of s.consumers)
            this.passwords[app] = new random.RandomPassword(`${base}-${app}-password`, { length: 32, special: false }, { parent: this }).result;

        const data = dataVolume(this, model, s, args.provider, args.dependsOn);
        this.server = serviceContainer(this, {
            ...args,
            env: ["POSTGRES_USER=postgres", "POSTGRES_DB=postgres", "POSTGRES_PASSWORD_FILE=/run/secrets/POSTGRES_PASSWORD", "POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256"],
            uploads: [{ file: "/run/secrets/POSTGRES_PASSWORD", content: superuser, permissions: "0400", owner: POSTGRES_UID, group: POSTGRES_UID }],
            mounts: [{ volume: data, target: s.dataPath }],
            dependsOn: [...args.dependsOn, data],
        });

        // Roles and databases: SQL with passwords goes to psql on stdin, never onto a command line.
        const users = s.consumers.map((app) => ({ app, password: this.passwords[app] }));
        const sql = pulumi.all(users.map((u) => u.password)).apply((pws) => renderRolesSql(users.map((u, i) => ({ app: u.app, password: pws[i] }))));
        this.roles = new command.local.Command(
            `${base}-roles`,
            {
                create: pulumi.interpolate`docker exec -i ${this.server.name} psql -X -q -U postgres -d postgres -v ON_ERROR_STOP=1`,
                stdin: pulumi.secret(sql),
                environment: dockerCliEnv(args.dockerHost),
                triggers: [this.server.id, pulumi.secret(sql)],
            },
            { parent: this, dependsOn: [this.server] },
        );

        this.host = s.alias;
        this.port = s.port;
        if (pgbouncerEnabled(s)) {
            const userlist = pulumi.all(users.map((u) => u.password)).apply((pws) => renderPgbouncerUserlist(users.map((u, i) => ({ app: u.app, password: pws[i] }))));
            this.pgbouncer = serviceContainer(this, {
                ...args,
                role: "pgbouncer",
                image: settings.pgbouncer.image ?? PGBOUNCER_IMAGE,
                port: PGBOUNCER_PORT,
                uploads: [
                    { file: "/etc/pgbouncer/pgbouncer.ini", content: renderPgbouncerIni(s), permissions: "0444" },
                    { file: "/etc/pgbouncer/userlist.txt", content: pulumi.secret(userlist), permissions: "0400", owner: settings.pgbouncer.uid, group: settings.pgbouncer.uid },
                ],
                health: { ...s.health, test: ["CMD-SHELL", `pg_isready -h 127.0.0.1 -p ${PGBOUNCER_PORT} -d pgbouncer >/dev/null 2>&1 || nc -z 127.0.0.1 ${PGBOUNCER_PORT}`], startPeriod: "20s" },
                cpus: 0.5,
                memoryMb: 128,
                dependsOn: [this.roles],
            });
            this.host = `${s.alias}-pgbouncer`;
            this.port = PGBOUNCER_PORT;
        }

        this.backup = backupSidecar(this, args, superuser);

        this.exporter = this.metricsExporter(args);
        this.registerOutputs({ host: this.host, port: this.port });
    }

    /**
     * Metrics: postgres-exporter logs in directly (not through PgBouncer) as a read-only pg_monitor
     * role; its password reaches it as DATA_SOURCE_PASS_FILE. None when the exporter is off.
     */
    private metricsExporter(args: DataServiceArgs): docker.Container | undefined {
        const { model, service: s } = args;
        const base = s.containerBaseName;
        const target = exporterTarget(model, s);
        if (!target) return undefined;
        const monitorPassword = new random.RandomPassword(`${base}-monitor-password`, { length: 32, special: false }, { parent: this }).result;
        const monitorSql = pulumi.secret(monitorPassword.apply(renderMonitorRoleSql));
        const monitorRole = new command.local.Command(
            `${base}-monitor-role`,
            {
                create: pulumi.interpolate`docker exec -i ${this.server.name} psql -X -q -U postgres -d postgres -v ON_ERROR_STOP=1`,
                stdin: monitorSql,
                environment: dockerCliEnv(args.dockerHost),
                triggers: [this.server.id, monitorSql],
            },
            { parent: this, dependsOn: [this.server] },
        );
        return exporterSidecar(this, args, target, {
            env: [
                `DATA_SOURCE_URI=${s.alias}:${s.port}/postgres?sslmode=disable`,
                `DATA_SOURCE_USER=${MONITOR_ROLE}`,
                "DATA_SOURCE_PASS_FILE=/run/secrets/DATA_SOURCE_PASS",
            ],
            secret: { file: "/run/secrets/DATA_SOURCE_PASS", content: monitorPassword },
            memoryMb: 128,
            dependsOn: [this.server, monitorRole],
        });
    }

    /** postgresql://app:password@host:port/app — through PgBouncer when it is on. A secret. */
    databaseUrl(app: string): pulumi.Output<string> {
        const pw = this.passwords[app];
        if (!pw) throw new Error(`app ${app} does not depend on this database`);
        const db = pgIdentifier(app);
        return pulumi.secret(pulumi.interpolate`postgresql://${db}:${pw}@${this.host}:${this.port}/${db}`);
    }

    /** Everything the app's database needs before the app (or its migration) may start. */
    get ready(): pulumi.Resource[] {
        return [this.server, this.roles, ...(this.pgbouncer ? [this.pgbouncer] : [])];
    }
}

function backupSidecar(parent: Postgres, args: DataServiceArgs, superuser: pulumi.Output<string>): docker.Container {
    const { model, service: s } = args;
    if (s.settings.type !== "postgres") throw new Error("unreachable");
    const b = s.settings.backup;
    const backups = dataVolume(parent, model, s, args.provider, args.dependsOn, "backups");
    const s3 = b.s3;
    const textfile = model.monitoring.services.nodeExporter;
    const metricsFile = backupMetricsFile(s, textfile);
    const env = backupSidecarEnv(s, metricsFile);
    const secretFiles: { file: string; content: pulumi.Input<string>; permissions: string }[] = [];
    if (s3) {
        if (s3.allowInsecure) pulumi.log.warn(`${s.environment}/${s.name}: backups go off-host over plain http (${s3.endpoint}); allowInsecure is set`, parent);
        const conf = pulumi.all([stackSecret(s3.accessKeyId), stackSecret(s3.secretAccessKey)]).apply(([id, key]) => renderRcloneConf(s3, id, key));
        secretFiles.push({ file: RCLONE_CONF_PATH, content: pulumi.secret(conf), permissions: "0400" });
    }
    return serviceContainer(parent, {
        ...args,
        role: "backup",
        // The server's own image (pg_dump always matches the server version), or one built FROM it
        // with the off-host tools (images/backup/Dockerfile).
        image: b.image,
        entrypoints: ["bash", "/usr/local/bin/pg-backup.sh"],
        command: ["loop"],
        env,
        uploads: [
            ...backupScriptFiles().map((f) => ({ file: `/usr/local/bin/${f.name}`, content: f.content, executable: f.executable })),
            { file: "/run/secrets/pgpass", content: pulumi.interpolate`${s.alias}:${s.port}:*:postgres:${superuser}\n`, permissions: "0400" },
            ...secretFiles,
        ],
        mounts: [{ volume: backups, target: "/backups" }],
        hostDirs: textfile ? [{ hostPath: BACKUP_TEXTFILE_HOST_DIR, containerPath: BACKUP_TEXTFILE_MOUNT }] : [],
        health: { ...s.health, test: ["CMD", "test", "-f", metricsFile], startPeriod: "10s" },
        cpus: 0.5,
        memoryMb: BACKUP_MEMORY_MB,
        dependsOn: [parent.server, backups],
    });
}

