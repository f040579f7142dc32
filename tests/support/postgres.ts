// A throwaway PostgreSQL server from Debian's packages: its own data directory, a Unix socket in
// a temp dir, trust auth for local connections, stopped and deleted after the tests.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export function postgresBinDir(): string | undefined {
    const root = "/usr/lib/postgresql";
    if (!fs.existsSync(root)) return undefined;
    const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
    return versions.length ? path.join(root, versions[0], "bin") : undefined;
}

export interface TempPostgres {
    /** libpq environment for clients: PGHOST (socket dir), PGPORT, PGUSER. */
    env: Record<string, string>;
    psql(sql: string, db?: string): string;
    stop(): void;
}

export function startTempPostgres(port = 55432): TempPostgres {
    const bin = postgresBinDir();
    if (!bin) throw new Error("no PostgreSQL server binaries under /usr/lib/postgresql");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-pg-"));
    fs.chmodSync(dir, 0o755);
    const data = path.join(dir, "data");
    // initdb refuses to run as root: run the server as the postgres user Debian's package creates.
    const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    if (asPostgres.length) execFileSync("chown", ["postgres", dir]);
    const run = (cmd: string[]) => execFileSync(asPostgres[0] ?? cmd[0], [...asPostgres.slice(1), ...(asPostgres.length ? cmd : cmd.slice(1))], { stdio: "pipe" });
    run([path.join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
    run([path.join(bin, "pg_ctl"), "-D", data, "-l", path.join(dir, "server.log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses='' -c fsync=off`, "start"]);
    const env = { PGHOST: dir, PGPORT: String(port), PGUSER: "postgres" };
    return {
        env,
        psql: (sql, db = "postgres") =>
            execFileSync("psql", ["-X", "-v", "ON_ERROR_STOP=1", "-At", "-d", db, "-c", sql], { env: { ...process.env, ...env }, encoding: "utf8" }).trim(),
        stop: () => {
            spawnSync(asPostgres[0] ?? path.join(bin, "pg_ctl"), [...asPostgres.slice(1), ...(asPostgres.length ? [path.join(bin, "pg_ctl")] : []), "-D", data, "-m", "fast", "-w", "stop"], { stdio: "ignore" });
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
