// Backups of the other data services against real servers from Debian: Redis (an RDB snapshot
// copied over the replication protocol, loaded into a scratch server) and RabbitMQ (definitions
// export and import), each with a round trip.
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "./support/ports";
import { haveCommand, requireTool } from "./support/tools";

const SCRIPTS = path.resolve(__dirname, "../scripts/backup");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The sidecar's own entry point: `<script> loop` as a process (its own process group), until its
 * metrics file shows a verified hourly backup and a successful drill (at most `seconds`); then
 * SIGTERM to the group. Returns the metrics file and the loop's log.
 */
async function runSidecarLoop(script: string, env: NodeJS.ProcessEnv, backupDir: string, seconds = 90): Promise<{ metrics: string; log: string }> {
    const metricsFile = path.join(backupDir, "metrics", "hostplane_backup.prom");
    const logFile = path.join(backupDir, "..", `${path.basename(script)}.loop.log`);
    const child = spawn("bash", [path.join(SCRIPTS, script), "loop"], { env: { ...env, BACKUP_DIR: backupDir }, stdio: ["ignore", "ignore", fs.openSync(logFile, "w")], detached: true });
    const done = (m: string) => /^hostplane_backup_last_success_timestamp_seconds\{[^}]*kind="hourly"\} \d+$/m.test(m) && /^hostplane_restore_drill_last_success_timestamp_seconds\{[^}]*\} \d+$/m.test(m);
    let metrics = "";
    try {
        for (let i = 0; i < seconds * 4 && !done(metrics); i++) {
            await sleep(250);
            metrics = fs.existsSync(metricsFile) ? fs.readFileSync(metricsFile, "utf8") : "";
        }
    } finally {
        process.kill(-child.pid!, "SIGTERM");
    }
    return { metrics, log: fs.readFileSync(logFile, "utf8") };
}

describe("Redis backup: RDB snapshot copy, scratch load, round trip (real redis-server)", function () {
    this.timeout(120000);
    let dir: string;
    let live = 0; // the port of the server being backed up
    let servers: ChildProcess[] = [];
    const startRedis = async (port: number, extra: string[] = []) => {
        const data = fs.mkdtempSync(path.join(dir, "redis-"));
        const p = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", data, "--save", "", "--appendonly", "no", "--enable-debug-command", "yes", ...extra], { stdio: "ignore" });
        servers.push(p);
        for (let i = 0; i < 100; i++) {
            if (spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout.trim() === "PONG") return data;
            await sleep(100);
        }
        throw new Error(`redis-server on ${port} did not start`);
    };
    const cli = (port: number, ...args: string[]) => spawnSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8" }).stdout.trim();
    const backup = (args: string[], extra: Record<string, string> = {}) =>
        spawnSync("bash", [path.join(SCRIPTS, "redis-backup.sh"), ...args], { env: { ...process.env, BACKUP_DIR: path.join(dir, "backups"), REDIS_PORT: String(live), ...extra }, encoding: "utf8" });

    before(async function () {
        requireTool(this, haveCommand("redis-server", ["--version"]) && haveCommand("redis-check-rdb", ["--version"]), "redis-server", "apt-get install redis-server");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-redis-"));
        live = await freePort();
        await startRedis(live);
        cli(live, "set", "greeting", "hello");
        cli(live, "hset", "user:1", "name", "ada", "plan", "pro");
        cli(live, "rpush", "queue", "a", "b", "c");
        cli(live, "-n", "3", "sadd", "tags", "x", "y");
        // 2000 keys through one redis-cli (commands on stdin): 2000 processes took over the
        // hook's 120 s on a loaded machine.
        const sets = Array.from({ length: 2000 }, (_, i) => `set k${i} ${`v${i}`.repeat(5)}`).join("\n") + "\n";
        spawnSync("redis-cli", ["-p", String(live)], { input: sets, encoding: "utf8" });
        assert.strictEqual(cli(live, "dbsize"), "2003");
    });
    after(() => {
        for (const s of servers) s.kill("SIGKILL");
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    let id = "";
    it("copies the snapshot, proves it loads, and records the key counts", () => {
        const r = backup(["run", "hourly"]);
        assert.strictEqual(r.status, 0, r.stderr);
        id = r.stdout.trim();
        assert.match(id, /^redis-hourly-\d{8}T\d{6}Z$/);
        assert.match(r.stderr, /ok redis-hourly-\S+\.rdb\.partial: loads into a scratch server \(2004 keys\)/);
        assert.strictEqual(fs.readFileSync(path.join(dir, "backups", "redis", `${id}.keys`), "utf8"), "db0 2003\ndb3 1\n");
        assert.match(fs.readFileSync(path.join(dir, "backups", "metrics", "hostplane_backup.prom"), "utf8"), /database="redis",kind="hourly"/);
    });

    it("the sidecar's loop: first backup at start, a drill, metrics; prune keeps the floor", async () => {
        const backups = path.join(dir, "loop-backups");
        const { metrics, log } = await runSidecarLoop("redis-backup.sh", { ...process.env, REDIS_HOST: "127.0.0.1", REDIS_PORT: String(live), HOSTPLANE_ENV: "test", HOSTPLANE_SERVICE: "cache" }, backups);
        assert.match(log, /started: hourly kept 7d \(at least 3\)/);
        assert.match(metrics, /^hostplane_backup_last_success_timestamp_seconds\{env="test",service="cache",database="redis",kind="hourly"\} \d+$/m, log);
        assert.match(metrics, /^hostplane_restore_drill_last_success_timestamp_seconds\{env="test",service="cache",database="redis"\} \d+$/m, log);
        assert.match(metrics, /^hostplane_backup_last_run_failed\{env="test",service="cache"\} 0$/m);
        assert.match(metrics, /^hostplane_restore_drill_last_run_failed\{env="test",service="cache"\} 0$/m);
        assert.match(log, /drill ok: redis from redis-hourly-/);
        // Retention with the clock 30 days on: the only hourly snapshot is the floor and stays.
        const list = () => spawnSync("bash", [path.join(SCRIPTS, "redis-backup.sh"), "list"], { env: { ...process.env, BACKUP_DIR: backups }, encoding: "utf8" }).stdout.trim().split("\n");
        const ids = list();
        assert.strictEqual(ids.length, 1);
        const prune = spawnSync("bash", [path.join(SCRIPTS, "redis-backup.sh"), "prune", "--now", String(Math.floor(Date.now() / 1000) + 30 * 86400)], { env: { ...process.env, BACKUP_DIR: backups }, encoding: "utf8" });
        assert.strictEqual(prune.status, 0, prune.stderr);
        assert.deepStrictEqual(list(), ids);
        assert.ok(fs.existsSync(path.join(backups, "redis", `${ids[0]}.keys`)));
    });

    it("round trip: a fresh server started from the copy holds exactly the same data (DEBUG DIGEST)", async () => {
        const data = fs.mkdtempSync(path.join(dir, "restore-"));
        fs.copyFileSync(path.join(dir, "backups", "redis", `${id}.rdb`), path.join(data, "dump.rdb"));
        const restored = await freePort();
        const p = spawn("redis-server", ["--port", String(restored), "--bind", "127.0.0.1", "--dir", data, "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no", "--enable-debug-command", "yes"], { stdio: ["ignore", fs.openSync(path.join(data, "log"), "a"), "inherit"] });
        servers.push(p);
        for (let i = 0; i < 300 && cli(restored, "ping") !== "PONG"; i++) await sleep(100);
        assert.strictEqual(cli(restored, "ping"), "PONG", "the restored server starts");
        assert.strictEqual(cli(restored, "debug", "digest"), cli(live, "debug", "digest"));
        assert.strictEqual(cli(restored, "hget", "user:1", "plan"), "pro");
        assert.strictEqual(cli(restored, "-n", "3", "scard", "tags"), "2");
    });

    it("rejects a truncated snapshot (checksum), and a failed copy is not a backup", () => {
        const bad = path.join(dir, "bad.rdb");
        const good = fs.readFileSync(path.join(dir, "backups", "redis", `${id}.rdb`));
        fs.writeFileSync(bad, good.subarray(0, Math.floor(good.length * 0.6)));
        const v = backup(["verify", bad]);
        assert.strictEqual(v.status, 1);
        assert.match(v.stderr, /redis-check-rdb rejects it/);
        const r = backup(["run", "manual"], { REDIS_PORT: "1" });
        assert.strictEqual(r.status, 1);
        assert.ok(!fs.readdirSync(path.join(dir, "backups", "redis")).some((f) => f.includes("-manual-")));
        assert.match(fs.readFileSync(path.join(dir, "backups", "metrics", "hostplane_backup.prom"), "utf8"), /^hostplane_backup_last_run_failed\{env="",service=""\} 1$/m);
    });
});

describe("RabbitMQ backup: definitions export and import, round trip (real rabbitmq-server)", function () {
    this.timeout(240000);
    const BIN = "/usr/lib/rabbitmq/bin";
    // Its own node name per run: a broker left by an interrupted run (same name) cannot answer for it.
    const NODE = `hpbackup${process.pid}@localhost`;
    let dir: string;
    let env: NodeJS.ProcessEnv;
    let apiPort = 0;
    const ctl = (...args: string[]) => spawnSync(path.join(BIN, "rabbitmqctl"), ["-n", NODE, "-q", ...args], { env, encoding: "utf8" });
    const awaitStartup = async () => {
        for (let i = 0; i < 90; i++) {
            if (ctl("await_startup", "--timeout", "60").status === 0) return;
            await sleep(1000);
        }
        throw new Error("rabbitmq did not start");
    };
    const definitions = () => {
        const r = ctl("export_definitions", "-");
        const d = JSON.parse(r.stdout);
        // Compare what the user defined, not versions.
        return { vhosts: d.vhosts, users: d.users, permissions: d.permissions, policies: d.policies, queues: d.queues, exchanges: d.exchanges, bindings: d.bindings };
    };

    before(async function () {
        requireTool(this, fs.existsSync(path.join(BIN, "rabbitmq-server")), "rabbitmq-server", "apt-get install rabbitmq-server");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-rmq-"));
        // The management plugin: the sidecar exports and imports through its HTTP API.
        fs.writeFileSync(path.join(dir, "plugins"), "[rabbitmq_management].");
        apiPort = await freePort();
        fs.writeFileSync(path.join(dir, "rabbitmq.conf"), `management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = ${apiPort}\n`);
        // Its own node name, ports, data and Erlang cookie (HOME), on loopback.
        env = {
            ...process.env,
            HOME: dir,
            RABBITMQ_NODENAME: NODE,
            RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
            RABBITMQ_NODE_PORT: String(await freePort()),
            RABBITMQ_DIST_PORT: String(await freePort()),
            RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
            RABBITMQ_LOG_BASE: path.join(dir, "log"),
            RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, "plugins"),
            RABBITMQ_CONFIG_FILE: path.join(dir, "rabbitmq"),
            RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, "advanced.config"),
            RABBITMQ_PID_FILE: path.join(dir, "pid"),
            PATH: `${BIN}:${process.env.PATH}`,
        };
        spawn(path.join(BIN, "rabbitmq-server"), [], { env, stdio: "ignore", detached: true }).unref();
        await awaitStartup();
        // What an app's setup would have declared.
        const defs = {
            vhosts: [{ name: "shop" }],
            users: [{ name: "shop_app", password_hash: "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR", hashing_algorithm: "rabbit_password_hashing_sha256", tags: [] }],
            permissions: [{ user: "shop_app", vhost: "shop", configure: "^orders", write: ".*", read: ".*" }],
            policies: [{ vhost: "shop", name: "ttl", pattern: "^orders", "apply-to": "queues", definition: { "message-ttl": 60000 }, priority: 0 }],
            queues: [{ name: "orders", vhost: "shop", durable: true, auto_delete: false, arguments: { "x-queue-type": "classic" } }],
            exchanges: [{ name: "events", vhost: "shop", type: "topic", durable: true, auto_delete: false, internal: false, arguments: {} }],
            bindings: [{ source: "events", vhost: "shop", destination: "orders", destination_type: "queue", routing_key: "order.*", arguments: {} }],
        };
        fs.writeFileSync(path.join(dir, "app.json"), JSON.stringify(defs));
        const r = ctl("import_definitions", path.join(dir, "app.json"));
        assert.strictEqual(r.status, 0, r.stderr);
        addApiUser();
    });
    // The stack's login (the broker's conf.d default user in a deployment); the sidecar uses it.
    const API_PASSWORD = "s3cret-for-tests";
    const addApiUser = () => {
        ctl("add_user", "hostplane", API_PASSWORD);
        ctl("set_user_tags", "hostplane", "administrator");
        ctl("set_permissions", "-p", "/", "hostplane", ".*", ".*", ".*");
    };
    after(() => {
        if (env) ctl("shutdown");
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("exports the definitions, and importing them into a reset broker gives the same definitions back", async () => {
        const before = definitions();
        const b = spawnSync("bash", [path.join(SCRIPTS, "rabbitmq-backup.sh"), "run", "hourly"], { env: { ...env, BACKUP_DIR: path.join(dir, "backups") }, encoding: "utf8" });
        assert.strictEqual(b.status, 0, b.stderr);
        const file = path.join(dir, "backups", "rabbitmq", `${b.stdout.trim()}.json`);
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600, "password hashes inside: owner only");
        // Wipe the broker: everything the app declared is gone.
        for (const c of [["stop_app"], ["reset"], ["start_app"]]) assert.strictEqual(ctl(...c).status, 0);
        await awaitStartup();
        assert.deepStrictEqual(definitions().queues, []);
        const r = spawnSync("bash", [path.join(SCRIPTS, "rabbitmq-backup.sh"), "restore", file], { env: { ...env, BACKUP_DIR: path.join(dir, "backups") }, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(definitions(), before);
        assert.strictEqual(before.queues[0].name, "orders");
    });

    it("the sidecar's loop over the management API: first export at start, a drill, metrics; restored through the API into a reset broker", async () => {
        const before = definitions();
        const backups = path.join(dir, "loop-backups");
        const pw = path.join(dir, "api-password");
        fs.writeFileSync(pw, API_PASSWORD, { mode: 0o400 });
        // No rabbitmqctl on the sidecar's path: only the API.
        const api = { ...process.env, RABBITMQ_API_URL: `http://127.0.0.1:${apiPort}`, RABBITMQ_USER: "hostplane", RABBITMQ_PASSWORD_FILE: pw, HOSTPLANE_ENV: "test", HOSTPLANE_SERVICE: "mq" };
        let ready = false;
        for (let i = 0; i < 120 && !ready; i++) {
            ready = spawnSync("curl", ["-fs", "-o", "/dev/null", `http://127.0.0.1:${apiPort}/api/overview`, "-u", `hostplane:${API_PASSWORD}`]).status === 0;
            if (!ready) await sleep(500);
        }
        assert.ok(ready, "the management API answers");
        const { metrics, log } = await runSidecarLoop("rabbitmq-backup.sh", api, backups);
        assert.match(metrics, /^hostplane_backup_last_success_timestamp_seconds\{env="test",service="mq",database="rabbitmq",kind="hourly"\} \d+$/m, log);
        assert.match(metrics, /^hostplane_restore_drill_last_success_timestamp_seconds\{env="test",service="mq",database="rabbitmq"\} \d+$/m, log);
        assert.match(metrics, /^hostplane_backup_last_run_failed\{env="test",service="mq"\} 0$/m);
        assert.doesNotMatch(log, new RegExp(API_PASSWORD));
        const id = spawnSync("bash", [path.join(SCRIPTS, "rabbitmq-backup.sh"), "list"], { env: { ...api, BACKUP_DIR: backups }, encoding: "utf8" }).stdout.trim();
        const file = path.join(backups, "rabbitmq", `${id}.json`);
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
        for (const c of [["stop_app"], ["reset"], ["start_app"]]) assert.strictEqual(ctl(...c).status, 0);
        await awaitStartup();
        assert.deepStrictEqual(definitions().queues, []);
        addApiUser();
        for (let i = 0; i < 120 && spawnSync("curl", ["-fs", "-o", "/dev/null", `http://127.0.0.1:${apiPort}/api/overview`, "-u", `hostplane:${API_PASSWORD}`]).status !== 0; i++) await sleep(500);
        const r = spawnSync("bash", [path.join(SCRIPTS, "rabbitmq-backup.sh"), "restore", file], { env: { ...api, BACKUP_DIR: backups }, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        // An import through the API also grants the importing user its rights on each vhost it
        // creates, and "/" comes back as the broker recreates it: compare the rest exactly.
        const app = (d: ReturnType<typeof definitions>) => ({ ...d, vhosts: d.vhosts.map((v: { name: string }) => v.name), permissions: d.permissions.filter((p: { user: string }) => p.user !== "hostplane") });
        assert.deepStrictEqual(app(definitions()), app(before));
        assert.strictEqual(app(before).queues[0].name, "orders");
    });

    it("refuses a truncated export before importing anything", () => {
        const f = path.join(dir, "cut.json");
        fs.writeFileSync(f, '{"rabbit_version":"3.10.8","users":[],"vhosts":[{"name":"x"');
        const r = spawnSync("bash", [path.join(SCRIPTS, "rabbitmq-backup.sh"), "restore", f], { env: { ...env, BACKUP_DIR: path.join(dir, "backups") }, encoding: "utf8" });
        assert.strictEqual(r.status, 2);
        // jq parses it when present (CI installs it, as the sidecar image has it); else the structural check.
        assert.match(r.stderr, /(is truncated|is not a RabbitMQ definitions export \(jq\))[\s\S]*nothing was imported/);
    });
});
