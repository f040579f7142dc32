// PostgreSQL: the server, one role + database per app that depends on it (created idempotently,
// apps never get the superuser), PgBouncer in front, and a backup sidecar that dumps on a
// schedule, verifies each dump, prunes by retention and publishes backup-age metrics. The
// containers are specs (spec/postgres.ts) realized by the Docker runtime; the SQL steps are here.
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { pgbouncerEnabled, pgIdentifier } from "../../config/services";
import { PGBOUNCER_PORT, renderMonitorRoleSql, renderRolesSql } from "../../render/postgres";
import { appSecret, backupSidecar, pgbouncer, postgresServer } from "../../spec/postgres";
import { dataVolumeSpec, exporterWorkload } from "../../spec/data";
import { kindOf } from "../../catalog";
import type { SecretInputs } from "../../runtime/runtime";
import type { DockerRuntime } from "../../runtime/docker";
import type { DataServiceArgs } from "./args";
import { exporterTarget } from "./exporter";
import { dataRuntime } from "./simple";
import { dockerCliEnv } from "../hosts/ssh-client";
import { BASH, hostScriptCall } from "../host-script";
import { backupImage, offsiteSecrets } from "./backup-image";

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
        const { service: s } = args;
        if (s.settings.type !== "postgres") throw new Error(`${s.name} is not a postgres service`);
        const base = s.containerBaseName;
        const runtime = dataRuntime(this, args);

        const superuser = new random.RandomPassword(`${base}-superuser`, { length: 32, special: false }, { parent: this }).result;
        for (const app of s.consumers)
            this.passwords[app] = new random.RandomPassword(`${base}-${app}-password`, { length: 32, special: false }, { parent: this }).result;
        const secrets: SecretInputs = { superuser, ...Object.fromEntries(s.consumers.map((app) => [appSecret(app), this.passwords[app]])) };

        const data = runtime.volume(dataVolumeSpec(s), args.dependsOn);
        const server = runtime.run(postgresServer(s), [...args.dependsOn, data], secrets);
        this.server = server.ready as docker.Container;

        // Roles and databases: SQL with passwords goes to psql on stdin, never onto a command line.
        const users = s.consumers.map((app) => ({ app, password: this.passwords[app] }));
        const sql = pulumi.all(users.map((u) => u.password)).apply((pws) => renderRolesSql(users.map((u, i) => ({ app: u.app, password: pws[i] }))));
        this.roles = this.psql(`${base}-roles`, args, pulumi.secret(sql));

        this.host = s.alias;
        this.port = s.port;
        if (pgbouncerEnabled(s)) {
            this.pgbouncer = runtime.run(pgbouncer(s), [this.roles], secrets).ready as docker.Container;
            this.host = `${s.alias}-pgbouncer`;
            this.port = PGBOUNCER_PORT;
        }

        this.backup = this.backupSidecar(args, runtime, superuser);
        this.exporter = this.metricsExporter(args, runtime);
        this.registerOutputs({ host: this.host, port: this.port });
    }

    /** SQL as the superuser inside the server, on stdin (scripts/host/run-sql.sh); rerun when the server or the SQL changes. */
    private psql(name: string, args: DataServiceArgs, sql: pulumi.Output<string>): command.local.Command {
        return new command.local.Command(
            name,
            {
                create: this.server.name.apply((server) => hostScriptCall("run-sql.sh", "run_sql", [server])),
                interpreter: BASH,
                stdin: sql,
                environment: dockerCliEnv(args.dockerHost),
                triggers: [this.server.id, sql],
            },
            { parent: this, dependsOn: [this.server] },
        );
    }

    /** The backup sidecar with its own volume; off-host credentials come from stack secrets. */
    private backupSidecar(args: DataServiceArgs, runtime: DockerRuntime, superuser: pulumi.Output<string>): docker.Container {
        const { model, service: s } = args;
        if (s.settings.type !== "postgres") throw new Error("unreachable");
        const secrets: SecretInputs = { superuser, ...offsiteSecrets(s, s.settings.backup) };
        const backups = runtime.volume(dataVolumeSpec(s, "backups"), args.dependsOn);
        const image = backupImage(this, s, s.settings.backup.image, args.provider, args.dependsOn, model.images.mirror);
        const after = [this.server, backups, ...(image.built ? [image.built] : [])];
        return runtime.run(backupSidecar(s, model.monitoring.services.nodeExporter, image.ref), after, secrets).ready as docker.Container;
    }

    /**
     * Metrics: postgres-exporter logs in directly (not through PgBouncer) as a read-only pg_monitor
     * role (catalog/postgres.ts). None when the exporter is off.
     */
    private metricsExporter(args: DataServiceArgs, runtime: DockerRuntime): docker.Container | undefined {
        const { model, service: s } = args;
        const target = exporterTarget(model, s);
        const sidecar = kindOf("postgres").exporter.sidecar;
        if (!target || !sidecar) return undefined;
        const monitorPassword = new random.RandomPassword(`${s.containerBaseName}-monitor-password`, { length: 32, special: false }, { parent: this }).result;
        const monitorRole = this.psql(`${s.containerBaseName}-monitor-role`, args, pulumi.secret(monitorPassword.apply(renderMonitorRoleSql)));
        const w = exporterWorkload(s, target, sidecar(s, target.sidecar!.port));
        return runtime.run(w, [this.server, monitorRole], { "monitor-password": monitorPassword }).ready as docker.Container;
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
