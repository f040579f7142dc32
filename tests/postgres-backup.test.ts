// scripts/postgres/pg-backup.sh, pg-verify.sh and pg-restore.sh against a real PostgreSQL server
// (Debian's): dumps count only once restored into a scratch server, a bad dump is refused before
// anything is dropped, runs take a lock, and the metrics file stays meaningful when state breaks.
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { postgresBinDir, startTempPostgres, TempPostgres } from "./support/postgres";
import { haveCommand, requireTool } from "./support/tools";

const SCRIPTS = path.resolve(__dirname, "../scripts/postgres");

describe("PostgreSQL backup and restore scripts (real server)", function () {
    this.timeout(300000);
    let pg: TempPostgres;
    let backups: string;
    const env = (extra: Record<string, string> = {}) => ({ ...process.env, ...pg.env, BACKUP_DIR: backups, ...extra });
    const script = (name: string, args: string[], extraEnv: Record<string, string> = {}) => {
        const r = spawnSync("bash", [path.join(SCRIPTS, name), ...args], { env: env(extraEnv), encoding: "utf8" });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const metrics = () => fs.readFileSync(path.join(backups, "metrics", "hostplane_backup.prom"), "utf8");
    const dumpOf = (id: string) => path.join(backups, id.replace(/-(hourly|weekly|manual|safety)-.*$/, ""), `${id}.dump`);

    before(function () {
        requireTool(this, postgresBinDir() !== undefined && haveCommand("pg_dump"), "PostgreSQL server", "apt-get install postgresql");
        pg = startTempPostgres();
        backups = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-backups-"));
        pg.psql("CREATE ROLE shop_api LOGIN PASSWORD 'x'");
        pg.psql("CREATE DATABASE shop_api OWNER shop_api");
        pg.psql("CREATE TABLE orders (id int PRIMARY KEY, total numeric); ALTER TABLE orders OWNER TO shop_api; INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 500) g", "shop_api");
        pg.psql("CREATE DATABASE ledger");
        pg.psql("CREATE TABLE entries (id int PRIMARY KEY, memo text); INSERT INTO entries SELECT g, md5(g::text) FROM generate_series(1, 200000) g; CREATE TABLE empty_one (x int)", "ledger");
    });
    after(() => {
        pg?.stop();
        if (backups) fs.rmSync(backups, { recursive: true, force: true });
    });

    let backupId = "";
    let ledgerId = "";

    it("backs up every database, proves each dump restores into a scratch server, and records metrics", () => {
        const r = script("pg-backup.sh", ["run", "hourly"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const ids = r.stdout.trim().split("\n");
        backupId = ids.find((l) => l.startsWith("shop_api-hourly-"))!;
        ledgerId = ids.find((l) => l.startsWith("ledger-hourly-"))!;
        assert.match(backupId, /^shop_api-hourly-\d{8}T\d{6}Z$/);
        assert.match(r.stderr, /pg-verify: ok ledger-hourly-\d{8}T\d{6}Z: restored in \d+s, 2 tables, every row count matches/);
        const file = dumpOf(backupId);
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
        // The manifest holds what pg_dump saw, table by table.
        assert.strictEqual(fs.readFileSync(dumpOf(ledgerId).replace(/\.dump$/, ".rows"), "utf8"), "public.empty_one|0\npublic.entries|200000\n");
        assert.strictEqual(fs.readFileSync(file.replace(/\.dump$/, ".rows"), "utf8"), "public.orders|500\n");
        const prom = metrics();
        assert.match(prom, /^hostplane_backup_max_age_seconds\{env="",service="",database="shop_api",kind="hourly"\} 7500$/m);
        assert.match(prom, /^hostplane_backup_last_success_timestamp_seconds\{env="",service="",database="shop_api",kind="hourly"\} \d{10}$/m);
        assert.match(prom, /^hostplane_backup_last_run_failed\{env="",service=""\} 0$/m);
        assert.ok(fs.readdirSync(path.join(backups, "globals")).length === 1, "roles are dumped too");
        assert.deepStrictEqual(fs.readdirSync(path.join(backups, "ledger")).filter((f) => f.endsWith(".partial")), []);
    });

    it("restores: write rows, back up, change rows, restore, compare", () => {
        const before = pg.psql("SELECT count(*), sum(total) FROM orders", "shop_api");
        pg.psql("DELETE FROM orders WHERE id > 100; UPDATE orders SET total = 0 WHERE id = 1; CREATE TABLE junk (x int)", "shop_api");
        assert.notStrictEqual(pg.psql("SELECT count(*), sum(total) FROM orders", "shop_api"), before);

        const r = script("pg-restore.sh", [backupId]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(pg.psql("SELECT count(*), sum(total) FROM orders", "shop_api"), before);
        assert.strictEqual(pg.psql("SELECT to_regclass('junk') IS NULL", "shop_api"), "t");
        assert.strictEqual(pg.psql("SELECT tableowner FROM pg_tables WHERE tablename = 'orders'", "shop_api"), "shop_api");
        assert.strictEqual(pg.psql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop_api'"), "shop_api");
        const safety = fs.readdirSync(path.join(backups, "shop_api")).filter((f) => f.includes("-safety-"));
        assert.strictEqual(safety.length, 1);
        assert.match(r.stderr, /safety backup: shop_api-safety-/);
    });

    // The failure issue 17 found: `pg_restore --list` reads only the table of contents, so a dump
    // cut at 60 % passed the check and the database was dropped before the restore failed.
    for (const [what, damage] of [
        ["truncated at 60 %", (b: Buffer) => b.subarray(0, Math.floor(b.length * 0.6))],
        ["corrupted in the middle", (b: Buffer) => Buffer.concat([b.subarray(0, b.length / 2), Buffer.alloc(4096, 0x5a), b.subarray(b.length / 2 + 4096)])],
    ] as const) {
        it(`refuses a dump ${what} before stopping or dropping anything; the live database keeps its 200,000 rows`, () => {
            const id = `ledger-manual-2026010${what.startsWith("t") ? 1 : 2}T000000Z`;
            const good = fs.readFileSync(dumpOf(ledgerId));
            fs.writeFileSync(dumpOf(id), damage(good));
            assert.strictEqual(spawnSync("pg_restore", ["--list", dumpOf(id)]).status, 0, "the table of contents still reads: the old check passed this dump");
            const r = script("pg-restore.sh", [id]);
            assert.strictEqual(r.code, 2, r.stderr);
            assert.match(r.stderr, /does not restore cleanly into a scratch server .*nothing was changed/);
            assert.strictEqual(pg.psql("SELECT count(*) FROM entries", "ledger"), "200000", "the database was left alone");
            assert.ok(!fs.readdirSync(path.join(backups, "ledger")).some((f) => f.includes("-safety-")), "not even a safety backup was needed");
        });
    }

    it("refuses a dump whose restored row counts differ from its manifest", () => {
        const rows = dumpOf(ledgerId).replace(/\.dump$/, ".rows");
        const id = "ledger-manual-20260103T000000Z";
        fs.copyFileSync(dumpOf(ledgerId), dumpOf(id));
        fs.writeFileSync(dumpOf(id).replace(/\.dump$/, ".rows"), fs.readFileSync(rows, "utf8").replace("200000", "200001"));
        const r = script("pg-verify.sh", [dumpOf(id)]);
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /different row counts[\s\S]*< public.entries\|200001[\s\S]*> public.entries\|200000/);
    });

    it("a dump that cannot be proven is not a backup: the run fails, no file is left, the metric says so", () => {
        const before = fs.readdirSync(path.join(backups, "shop_api")).sort();
        const r = script("pg-backup.sh", ["run", "manual"], { PG_BINDIR: "/nonexistent" });
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /FAILED shop_api \(manual\): not counted as a backup/);
        assert.deepStrictEqual(fs.readdirSync(path.join(backups, "shop_api")).sort(), before);
        assert.match(metrics(), /^hostplane_backup_last_run_failed\{env="",service=""\} 1$/m);
    });

    it("rejects a missing backup id with a clear message", () => {
        const r = script("pg-restore.sh", ["shop_api-hourly-20200101T000000Z"]);
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /backup shop_api-hourly-20200101T000000Z not found .*nothing was changed/);
    });

    it("restore drill: the newest backup of each database restored and checked; a broken one fails the drill", () => {
        // ledger's newest backup is a damaged one: the drill must say so.
        fs.writeFileSync(dumpOf("ledger-manual-29991231T000000Z"), fs.readFileSync(dumpOf(ledgerId)).subarray(0, 100000));
        let r = script("pg-backup.sh", ["drill"]);
        assert.strictEqual(r.code, 1, r.stderr);
        assert.match(r.stderr, /drill ok: shop_api from shop_api-hourly-/);
        assert.match(r.stderr, /drill FAILED: ledger from ledger-manual-29991231T000000Z/);
        assert.match(metrics(), /^hostplane_restore_drill_last_run_failed\{env="",service=""\} 1$/m);
        assert.match(metrics(), /^hostplane_restore_drill_last_success_timestamp_seconds\{env="",service="",database="shop_api"\} \d{10}$/m);
        for (const f of fs.readdirSync(path.join(backups, "ledger"))) if (f.includes("-manual-")) fs.rmSync(path.join(backups, "ledger", f));
        r = script("pg-backup.sh", ["drill"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(metrics(), /^hostplane_restore_drill_last_run_failed\{env="",service=""\} 0$/m);
        assert.match(metrics(), /^hostplane_restore_drill_last_success_timestamp_seconds\{env="",service="",database="ledger"\} \d{10}$/m);
    });

    it("concurrent manual and scheduled runs: the second waits for the lock, none reports a false failure", async () => {
        const run = (kind: string) =>
            new Promise<{ code: number | null; stderr: string }>((resolve) => {
                const p = spawn("bash", [path.join(SCRIPTS, "pg-backup.sh"), "run", kind], { env: env() });
                let stderr = "";
                p.stderr.on("data", (d) => (stderr += d));
                p.on("close", (code) => resolve({ code, stderr }));
            });
        pg.psql("DROP DATABASE ledger"); // keeps each run short; the pairs below overlap anyway
        let waited = 0;
        for (let i = 0; i < 2; i++) {
            const results = await Promise.all([run("hourly"), run("manual")]);
            for (const r of results) assert.strictEqual(r.code, 0, r.stderr);
            if (results.some((r) => /holds .*\.lock; waiting/.test(r.stderr))) waited++;
            assert.match(metrics(), /^hostplane_backup_last_run_failed\{env="",service=""\} 0$/m);
        }
        assert.ok(waited >= 1, "the runs overlapped at least once");
    });

    it("a run that cannot get the lock in time says so and leaves the metrics alone", () => {
        const before = metrics();
        const holder = spawn("flock", [path.join(backups, ".lock"), "sleep", "8"]);
        try {
            spawnSync("sleep", ["0.5"]);
            const r = script("pg-backup.sh", ["run", "manual"], { LOCK_WAIT_SECONDS: "1" });
            assert.strictEqual(r.code, 75, r.stderr);
            assert.match(r.stderr, /another backup run is still going; nothing was done/);
            assert.strictEqual(metrics(), before);
        } finally {
            holder.kill();
        }
    });

    it("an empty or unreadable state file is itself a failure in the metrics, and the file stays valid", function () {
        const state = path.join(backups, "metrics", ".state");
        fs.writeFileSync(path.join(state, "shop_api-hourly.ok"), ""); // as a full disk leaves it
        fs.writeFileSync(path.join(state, "failed"), "");
        const r = script("pg-backup.sh", ["metrics"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const prom = metrics();
        assert.match(prom, /^hostplane_backup_last_run_failed\{env="",service=""\} 1$/m);
        assert.match(prom, /^hostplane_backup_state_unreadable\{env="",service=""\} 1$/m);
        if (haveCommand("promtool")) {
            const c = spawnSync("promtool", ["check", "metrics"], { input: prom, encoding: "utf8" });
            assert.strictEqual(c.status, 0, c.stdout + c.stderr);
        }
    });

    it("reports a failed run in the metrics when the server is unreachable", () => {
        const r = script("pg-backup.sh", ["run", "hourly"], { PGPORT: "1" });
        assert.notStrictEqual(r.code, 0);
        assert.match(metrics(), /^hostplane_backup_last_run_failed\{env="",service=""\} 1$/m);
    });
});

describe("backup retention (pg-backup.sh prune)", function () {
    this.timeout(120000);
    const now = Date.UTC(2026, 10, 22, 12, 0, 0) / 1000; // 2026-11-22 12:00 UTC
    const stamp = (t: number) => new Date(t * 1000).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-prune-"));
        fs.mkdirSync(path.join(dir, "app"));
        fs.mkdirSync(path.join(dir, "globals"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const add = (kind: string, t: number) => {
        const id = `app-${kind}-${stamp(t)}`;
        for (const ext of [".dump", ".rows"]) {
            fs.writeFileSync(path.join(dir, "app", id + ext), "x");
            fs.utimesSync(path.join(dir, "app", id + ext), t, t); // mtimes as the real files would have
        }
        return id;
    };
    const prune = (at: number, extra: Record<string, string> = {}) => {
        const r = spawnSync("bash", [path.join(SCRIPTS, "pg-backup.sh"), "prune", "--now", String(at)], { env: { ...process.env, BACKUP_DIR: dir, ...extra }, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        return r.stderr;
    };
    const left = () => fs.readdirSync(path.join(dir, "app")).filter((f) => f.endsWith(".dump")).map((f) => f.replace(/\.dump$/, "")).sort();

    it("100 days of backups: hourly 7 days, weekly 90 days, manual and safety 30 days; manifests go with their dumps", () => {
        const keep: string[] = [];
        for (let h = 0; h < 100 * 24; h++) {
            const t = now - h * 3600;
            const id = add("hourly", t);
            if (t >= now - 7 * 86400) keep.push(id);
        }
        for (let w = 0; w < 15; w++) {
            const t = now - w * 7 * 86400 - 3600;
            const id = add("weekly", t);
            if (t >= now - 90 * 86400) keep.push(id);
        }
        add("manual", now - 99 * 86400);
        add("safety", now - 31 * 86400);
        keep.push(add("manual", now - 29 * 86400), add("safety", now - 2 * 86400));
        prune(now);
        assert.deepStrictEqual(left(), keep.sort());
        assert.strictEqual(fs.readdirSync(path.join(dir, "app")).length, 2 * keep.length, "each kept dump kept its .rows, each removed one lost it");
        assert.strictEqual(keep.length, 7 * 24 + 1 + 13 + 2);
    });

    it("three weeks of failed runs, pruned every day (weekly kept 14 days): the newest 3 hourly and 2 weekly stay; stale .partial files go", () => {
        const lastGood = now - 21 * 86400;
        for (let h = 0; h < 30 * 24; h++) add("hourly", lastGood - h * 3600);
        for (let w = 0; w < 6; w++) add("weekly", lastGood - w * 7 * 86400 - 3600);
        for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(dir, "globals", `globals-${stamp(lastGood - i * 3600)}.sql`), "--");
        // Each failed day leaves a half-written dump behind (a crash mid-run).
        for (let day = 1; day <= 21; day++) {
            const t = lastGood + day * 86400;
            const partial = path.join(dir, "app", `app-hourly-${stamp(t)}.dump.partial`);
            fs.writeFileSync(partial, "half");
            fs.utimesSync(partial, t, t);
            const log = prune(t, { WEEKLY_KEEP_DAYS: "14" });
            assert.match(log, /removed \d+ backups and 1 stale \.partial files/);
        }
        assert.deepStrictEqual(left(), [
            `app-hourly-${stamp(lastGood - 2 * 3600)}`,
            `app-hourly-${stamp(lastGood - 3600)}`,
            `app-hourly-${stamp(lastGood)}`,
            `app-weekly-${stamp(lastGood - 7 * 86400 - 3600)}`,
            `app-weekly-${stamp(lastGood - 3600)}`,
        ].sort());
        assert.ok(!fs.readdirSync(path.join(dir, "app")).some((f) => f.endsWith(".partial")));
        assert.strictEqual(fs.readdirSync(path.join(dir, "globals")).length, 3, "the roles dumps keep the same floor");
    });
});
