// Data services in the resource graph (mocks) and their rendered SQL/config against real tools.
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPlatformModel } from "../config/validate";
import { Graph } from "../lib/graph";
import { MONITOR_ROLE, renderMonitorRoleSql, renderPgbouncerIni, renderPgbouncerUserlist, renderRolesSql } from "../render/postgres";
import { baseConfig, sourceOf, STACKS, stackGraph } from "./fixtures";
import { freePort } from "./support/ports";
import { postgresBinDir, startTempPostgres, TempPostgres } from "./support/postgres";
import { haveCommand, requireTool } from "./support/tools";
import { shimHost, shimUnavailable, type ShimHost } from "./support/host-scripts";

const named = (g: Graph, n: string) => {
    const r = g.resources.find((x) => x.name === n);
    assert.ok(r, `no resource ${n}`);
    return r!;
};

for (const stack of STACKS) {
    describe(`data services of stack ${stack} under mocks`, () => {
        let g: Graph;
        before(async () => (g = await stackGraph(stack)));

        it("each data service container depends on its environment network and publishes nothing on 0.0.0.0", () => {
            for (const env of g.model.environments)
                for (const s of env.services) {
                    const containers = g.resources.filter((r) => r.type === "docker:index/container:Container" && (r.name === s.containerBaseName || r.name.startsWith(`${s.containerBaseName}-`)) && !r.name.startsWith(`${s.containerBaseName}-service`));
                    assert.ok(containers.length >= 1, s.name);
                    for (const c of containers) {
                        assert.ok(c.dependsOn.includes(env.networkName), `${c.name} dependsOn ${c.dependsOn}`);
                        for (const p of (c.inputs as any).ports) assert.strictEqual(p.ip, "127.0.0.1", c.name);
                        assert.strictEqual(c.options.deleteBeforeReplace, true, `${c.name}: a stateful container never runs twice`);
                    }
                }
        });

        it("apps start after the data services they name, and migrations sit between", () => {
            for (const env of g.model.environments)
                for (const app of env.apps)
                    for (const dep of app.dependsOn.filter((d) => env.services.some((s) => s.name === d))) {
                        const c = named(g, `${app.containerBaseName}-container`);
                        const svc = `${env.name === "" ? "" : ""}${g.model.prefix}-${env.name}-${dep}`;
                        assert.ok(c.dependsOn.includes(svc), `${c.name} after ${svc}: ${c.dependsOn}`);
                        if (app.migration) {
                            const m = named(g, `${app.containerBaseName}-migrate`);
                            assert.ok(m.dependsOn.includes(svc), `${m.name} after ${svc}`);
                            assert.ok(c.dependsOn.includes(m.name));
                        }
                    }
        });

        it("apps get connection strings as secret files, never in plain inputs", () => {
            for (const env of g.model.environments)
                for (const app of env.apps) {
                    const c = named(g, `${app.containerBaseName}-container`).inputs as any;
                    for (const s of app.secrets.filter((x) => typeof x.source === "object" && "service" in x.source)) {
                        assert.ok(c.envs.includes(`${s.name}_FILE=/run/secrets/${s.name}`), `${app.name} ${s.name}`);
                        assert.ok(c.uploads.some((u: any) => u.file === `/run/secrets/${s.name}` && u.content === "[secret]"));
                    }
                }
            const json = JSON.stringify(g.resources);
            for (const v of g.secretValues) assert.ok(!json.includes(v), "a secret leaked");
            assert.doesNotMatch(json, /postgresql:\/\/[a-z_]+:[A-Za-z0-9]/, "no DATABASE_URL with a password in plain inputs");
        });

        it("each postgres backup sidecar writes its metrics where node-exporter's textfile collector reads them", () => {
            const nodeExporter = g.resources.find((r) => r.type === "docker:index/container:Container" && r.name === `${g.model.prefix}-node-exporter`);
            for (const env of g.model.environments)
                for (const s of env.services.filter((x) => x.type === "postgres")) {
                    const c = named(g, `${s.containerBaseName}-backup`).inputs as any;
                    const file = c.envs.find((e: string) => e.startsWith("METRICS_FILE="))?.slice("METRICS_FILE=".length);
                    assert.ok(c.envs.includes(`HOSTPLANE_ENV=${env.name}`) && c.envs.includes(`HOSTPLANE_SERVICE=${s.name}`), s.name);
                    assert.deepStrictEqual(c.healthcheck.tests, ["CMD", "test", "-f", file]);
                    if (!nodeExporter) {
                        assert.strictEqual(file, "/backups/metrics/hostplane_backup.prom");
                        continue;
                    }
                    // The sidecar's mount and node-exporter's mount are the same host directory.
                    const textfileFlag = (nodeExporter.inputs as any).command.find((a: string) => a.startsWith("--collector.textfile.directory="));
                    const exporterMount = (nodeExporter.inputs as any).mounts.find((m: any) => m.target === textfileFlag.split("=")[1]);
                    assert.ok(exporterMount, "node-exporter mounts its textfile directory");
                    const sidecarMount = c.volumes.find((v: any) => v.hostPath === exporterMount.source);
                    assert.ok(sidecarMount, `${s.name}: mounts ${exporterMount.source}`);
                    assert.strictEqual(file, `${sidecarMount.containerPath}/backup-${env.name}-${s.name}.prom`);
                }
        });

        it("protects production data volumes, and only those", () => {
            for (const env of g.model.environments)
                for (const s of env.services) {
                    const v = named(g, s.volumeName);
                    assert.strictEqual(v.protect, env.kind === "production", v.name);
                }
        });
    });
}

describe("PostgreSQL wiring", () => {
    it("gives each consuming app its own role and database through PgBouncer", () => {
        const cfg = baseConfig();
        cfg.environments.production.services = { db: { type: "postgres" } };
        cfg.environments.production.apps.api.dependsOn = ["db"];
        cfg.environments.production.apps.worker.dependsOn = ["api", "db"];
        const model = loadPlatformModel(sourceOf(cfg));
        const db = model.environments[0].services[0];
        assert.deepStrictEqual(db.consumers, ["api", "worker"]);
        const ini = renderPgbouncerIni(db);
        assert.match(ini, /^api = host=production-db port=5432 dbname=api$/m);
        assert.match(ini, /^worker = host=production-db port=5432 dbname=worker$/m);
        assert.match(ini, /^pool_mode = transaction$/m);
        const api = model.environments[0].apps.find((a) => a.name === "api")!;
        assert.deepStrictEqual(api.secrets.find((s) => s.name === "DATABASE_URL")?.source, { service: "db", credential: "databaseUrl" });
    });

    it("prefixes connection variables only when an app uses two services of one type", () => {
        const cfg = baseConfig();
        cfg.environments.production.services = { main: { type: "postgres" }, analytics: { type: "postgres" }, cache: { type: "redis" } };
        cfg.environments.production.apps.api.dependsOn = ["main", "analytics", "cache"];
        const api = loadPlatformModel(sourceOf(cfg)).environments[0].apps.find((a) => a.name === "api")!;
        assert.deepStrictEqual(api.secrets.map((s) => s.name).sort(), ["ANALYTICS_DATABASE_URL", "MAIN_DATABASE_URL", "REDIS_URL", "SESSION_SECRET", "STRIPE_API_KEY"]);
    });
});

describe("rendered PostgreSQL SQL and PgBouncer config against real servers", function () {
    this.timeout(120000);
    let pg: TempPostgres;
    const users = [
        { app: "api", password: "pw-api-'quoted'" },
        { app: "python-api", password: "pw-python" },
    ];
    const psqlAs = (user: string, password: string, db: string, extra: Record<string, string> = {}) =>
        spawnSync("psql", ["-X", "-At", "-h", "127.0.0.1", "-U", user, "-d", db, "-c", "SELECT current_user"], {
            env: { ...process.env, ...pg.env, PGPASSWORD: password, ...extra },
            encoding: "utf8",
        });

    let pgPort = 0;
    // The SQL goes through the step's own script (scripts/host/run-sql.sh: `docker exec -i <server>
    // psql …`), with the test's server standing for the container (tests/support/docker-shim.sh).
    let shim: ShimHost;
    const runSql = (sql: string) => shim.run("run-sql.sh", "run_sql", ["hp-production-db"], { input: sql, env: pg.env });
    before(async function () {
        requireTool(this, postgresBinDir() !== undefined, "PostgreSQL server", "apt-get install postgresql");
        const why = shimUnavailable();
        requireTool(this, !why, `the docker shim (${why})`, "run as root with util-linux");
        shim = shimHost("run-sql");
        pgPort = await freePort();
        pg = startTempPostgres(pgPort);
        // TCP with scram for the app roles, like the real server with --auth-host=scram-sha-256.
        pg.psql("ALTER SYSTEM SET listen_addresses = '127.0.0.1'");
        const hba = pg.psql("SHOW hba_file");
        fs.writeFileSync(hba, "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
        // stdio ignored: the restarted server would inherit a pipe and keep spawnSync waiting.
        const r = spawnSync("runuser", ["-u", "postgres", "--", path.join(postgresBinDir()!, "pg_ctl"), "-D", path.dirname(hba), "-l", path.join(pg.env.PGHOST, "restart.log"), "-w", "restart", "-o", `-p ${pgPort} -k ${pg.env.PGHOST}`], { stdio: "ignore" });
        assert.strictEqual(r.status, 0, "pg_ctl restart");
    });
    after(() => {
        pg?.stop();
        shim?.cleanup();
    });

    it("creates roles and databases idempotently, and apps cannot reach each other's database", () => {
        const sql = renderRolesSql(users);
        for (let i = 0; i < 2; i++) {
            const r = runSql(sql);
            assert.strictEqual(r.status, 0, `run ${i + 1}: ${r.stderr}`);
            assert.strictEqual(shim.log().pop(), "exec -i hp-production-db psql -X -q -U postgres -d postgres -v ON_ERROR_STOP=1");
        }
        assert.strictEqual(pg.psql("SELECT count(*) FROM pg_roles WHERE rolname IN ('api', 'python_api') AND NOT rolsuper"), "2");
        assert.strictEqual(pg.psql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'python_api'"), "python_api");
        assert.strictEqual(psqlAs("api", users[0].password, "api").stdout.trim(), "api");
        const cross = psqlAs("api", users[0].password, "python_api");
        assert.notStrictEqual(cross.status, 0, `api reached python_api: ${cross.stdout}`);
        assert.match(cross.stderr, /permission denied for database "python_api"/);
        assert.notStrictEqual(psqlAs("api", "wrong", "api").status, 0);
    });

    it("the monitoring role: idempotent, pg_monitor, read-only, logs in with its password", () => {
        for (let i = 0; i < 2; i++) assert.strictEqual(runSql(renderMonitorRoleSql("pw-monitor")).status, 0, `run ${i + 1}`);
        assert.strictEqual(pg.psql(`SELECT pg_has_role('${MONITOR_ROLE}', 'pg_monitor', 'member') AND NOT rolsuper FROM pg_roles WHERE rolname = '${MONITOR_ROLE}'`), "t");
        const r = spawnSync("psql", ["-X", "-At", "-h", "127.0.0.1", "-U", MONITOR_ROLE, "-d", "postgres", "-c", "SHOW default_transaction_read_only"], { env: { ...process.env, ...pg.env, PGPASSWORD: "pw-monitor" }, encoding: "utf8" });
        assert.strictEqual(r.stdout.trim(), "on", r.stderr);
    });

    it("a password change is applied by the next run", () => {
        const sql = renderRolesSql([{ app: "api", password: "rotated" }]);
        assert.strictEqual(runSql(sql).status, 0);
        assert.strictEqual(psqlAs("api", "rotated", "api").stdout.trim(), "api");
    });

    it("the rendered pgbouncer.ini runs in the real pgbouncer and pools the app's connections", async function () {
        requireTool(this, haveCommand("pgbouncer", ["--version"]), "pgbouncer", "apt-get install pgbouncer");
        const cfg = baseConfig();
        cfg.environments.production.services = { db: { type: "postgres" } };
        cfg.environments.production.apps.api.dependsOn = ["db"];
        const db = loadPlatformModel(sourceOf(cfg)).environments[0].services[0];
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-pgbouncer-"));
        const port = String(await freePort());
        // Same file, pointed at the test server instead of the container alias and paths.
        const ini = renderPgbouncerIni(db)
            .replace(/host=production-db port=5432/g, `host=127.0.0.1 port=${pgPort}`)
            .replace("listen_addr = 0.0.0.0", "listen_addr = 127.0.0.1")
            .replace("listen_port = 6432", `listen_port = ${port}`)
            .replace("/etc/pgbouncer/userlist.txt", path.join(dir, "userlist.txt"));
        fs.writeFileSync(path.join(dir, "pgbouncer.ini"), ini);
        fs.writeFileSync(path.join(dir, "userlist.txt"), renderPgbouncerUserlist([{ app: "api", password: "rotated" }]), { mode: 0o600 });
        spawnSync("chown", ["-R", "postgres", dir]);
        const p = spawn("runuser", ["-u", "postgres", "--", "pgbouncer", path.join(dir, "pgbouncer.ini")], { stdio: ["ignore", "pipe", "pipe"] });
        let log = "";
        p.stdout.on("data", (d) => (log += d));
        p.stderr.on("data", (d) => (log += d));
        try {
            let r;
            for (let i = 0; i < 50; i++) {
                r = spawnSync("psql", ["-X", "-At", "-h", "127.0.0.1", "-p", port, "-U", "api", "-d", "api", "-c", "SELECT current_user"], { env: { ...process.env, PGPASSWORD: "rotated" }, encoding: "utf8" });
                if (r.status === 0) break;
                await new Promise((res) => setTimeout(res, 100));
            }
            assert.strictEqual(r!.status, 0, `${r!.stderr}\npgbouncer log:\n${log}`);
            assert.strictEqual(r!.stdout.trim(), "api");
            const bad = spawnSync("psql", ["-X", "-At", "-h", "127.0.0.1", "-p", port, "-U", "api", "-d", "api", "-c", "SELECT 1"], { env: { ...process.env, PGPASSWORD: "wrong" }, encoding: "utf8" });
            assert.notStrictEqual(bad.status, 0);
        } finally {
            p.kill();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
