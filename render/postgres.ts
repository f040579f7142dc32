// PostgreSQL renderers: pgbouncer.ini (a host file, reviewable) and the idempotent SQL that gives
// each app its own role and database (it carries passwords, so it is fed to psql on stdin and
// never written to disk).
import type { DataServiceModel, PlatformModel } from "../config/model";
import { pgIdentifier } from "../config/services";
import { HOST_ROOT, HostFile } from "./files";
import { MONITOR_ROLE, PGBOUNCER_PORT } from "../catalog/postgres";

export { MONITOR_ROLE, PGBOUNCER_PORT };

export function renderPgbouncerIni(s: DataServiceModel): string {
    if (s.settings.type !== "postgres") throw new Error(`${s.name} is not a postgres service`);
    const b = s.settings.pgbouncer;
    const dbs = s.consumers.map((app) => `${pgIdentifier(app)} = host=${s.alias} port=${s.port} dbname=${pgIdentifier(app)}`);
    return [
        `; PgBouncer for ${s.environment}/${s.name}, rendered by hostplane. One pool per app database.`,
        "[databases]",
        ...dbs,
        "",
        "[pgbouncer]",
        "listen_addr = 0.0.0.0",
        `listen_port = ${PGBOUNCER_PORT}`,
        "unix_socket_dir =",
        "auth_type = scram-sha-256",
        "auth_file = /etc/pgbouncer/userlist.txt",
        `pool_mode = ${b.poolMode}`,
        `default_pool_size = ${b.defaultPoolSize}`,
        `max_client_conn = ${b.maxClientConn}`,
        // Drivers (JDBC, psycopg) send these; in transaction mode they must be ignored, not refused.
        "ignore_startup_parameters = extra_float_digits,options,search_path",
        "server_reset_query = DISCARD ALL",
        "log_connections = 0",
        "log_disconnections = 0",
        "",
    ].join("\n");
}

/** userlist.txt: "role" "password" per app. Secret: delivered as a 0400 file only. */
export function renderPgbouncerUserlist(users: { app: string; password: string }[]): string {
    const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
    return users.map((u) => `${q(pgIdentifier(u.app))} ${q(u.password)}`).join("\n") + "\n";
}

const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
const ident = (v: string) => `"${v.replace(/"/g, '""')}"`;

/**
 * Idempotent: creates or updates each app's role (LOGIN, its password, no superuser rights) and
 * creates its database owned by it; revokes PUBLIC's connect right so apps cannot reach each
 * other's databases. Run with `psql -v ON_ERROR_STOP=1` as the superuser.
 */
export function renderRolesSql(users: { app: string; password: string }[]): string {
    const out = ["SET client_min_messages = warning;"];
    for (const u of users) {
        const role = pgIdentifier(u.app);
        out.push(
            `SELECT format('CREATE ROLE %I LOGIN', ${lit(role)}) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${lit(role)})\\gexec`,
            `ALTER ROLE ${ident(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${lit(u.password)};`,
            `SELECT format('CREATE DATABASE %I OWNER %I', ${lit(role)}, ${lit(role)}) WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${lit(role)})\\gexec`,
            `REVOKE CONNECT ON DATABASE ${ident(role)} FROM PUBLIC;`,
            `GRANT CONNECT ON DATABASE ${ident(role)} TO ${ident(role)};`,
        );
    }
    return out.join("\n") + "\n";
}

/** Idempotent, like renderRolesSql; carries the password, so it goes to psql on stdin only. */
export function renderMonitorRoleSql(password: string): string {
    return (
        [
            "SET client_min_messages = warning;",
            `SELECT format('CREATE ROLE %I LOGIN', ${lit(MONITOR_ROLE)}) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${lit(MONITOR_ROLE)})\\gexec`,
            `ALTER ROLE ${ident(MONITOR_ROLE)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 5 PASSWORD ${lit(password)};`,
            `ALTER ROLE ${ident(MONITOR_ROLE)} SET default_transaction_read_only = on;`,
            `GRANT pg_monitor TO ${ident(MONITOR_ROLE)};`,
        ].join("\n") + "\n"
    );
}

/** Host files of every PostgreSQL service: its pgbouncer.ini. */
export function renderPostgresFiles(model: PlatformModel): HostFile[] {
    return model.environments.flatMap((env) =>
        env.services
            .filter((s) => s.settings.type === "postgres" && s.settings.pgbouncer.enabled)
            .map((s) => ({ path: `${HOST_ROOT}/${env.name}/${s.name}/pgbouncer.ini`, content: renderPgbouncerIni(s), mode: 0o644 })),
    );
}
