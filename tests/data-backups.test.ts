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
        fs.writeFileSync(path.join(dir, "plugins"), "[].");
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
    });
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

    it("refuses a truncated export before importing anything", () => {
        const f = path.join(dir, "cut.json");
        fs.writeFileSync(f, '{"rabbit_version":"3.10.8","users":[],"vhosts":[{"name":"x"');
        const r = spawnSync("bash", [path.join(SCRIPTS, "rabbitmq-backup.sh"), "restore", f], { env: { ...env, BACKUP_DIR: path.join(dir, "backups") }, encoding: "utf8" });
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /is truncated[\s\S]*nothing was imported/);
    });
});
