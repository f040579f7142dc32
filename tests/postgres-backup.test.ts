// scripts/postgres/pg-backup.sh and pg-restore.sh against a real PostgreSQL server.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { postgresBinDir, startTempPostgres, TempPostgres } from "./support/postgres";
import { haveCommand, requireTool } from "./support/tools";

const SCRIPTS = path.resolve(__dirname, "../scripts/postgres");

describe("PostgreSQL backup and restore scripts (real server)", function () {
    this.timeout(120000);
    let pg: TempPostgres;
    let backups: string;
    const script = (name: string, args: string[], extraEnv: Record<string, string> = {}) => {
        const r = spawnSync("bash", [path.join(SCRIPTS, name), ...args], {
            env: { ...process.env, ...pg.env, BACKUP_DIR: backups, ...extraEnv },
            encoding: "utf8",
        });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };

    before(function () {
        requireTool(this, postgresBinDir() !== undefined && haveCommand("pg_dump"), "PostgreSQL server", "apt-get install postgresql");
        pg = startTempPostgres();
        backups = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-backups-"));
        pg.psql("CREATE ROLE shop_api LOGIN PASSWORD 'x'");
        pg.psql("CREATE DATABASE shop_api OWNER shop_api");
        pg.psql("CREATE TABLE orders (id int PRIMARY KEY, total numeric); ALTER TABLE orders OWNER TO shop_api; INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 500) g", "shop_api");
    });
    after(() => {
        pg?.stop();
        if (backups) fs.rmSync(backups, { recursive: true, force: true });
    });

    let backupId = "";

    it("backs up every database, verified, and records Prometheus metrics", () => {
        const r = script("pg-backup.sh", ["run", "hourly"]);
        assert.strictEqual(r.code, 0, r.stderr);
        backupId = r.stdout.trim().split("\n").find((l) => l.startsWith("shop_api-hourly-"))!;
        assert.match(backupId, /^shop_api-hourly-\d{8}T\d{6}Z$/);
        const file = path.join(backups, "shop_api", `${backupId}.dump`);
        assert.ok(fs.statSync(file).size > 0);
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
        const prom = fs.readFileSync(path.join(backups, "metrics", "hostplane_backup.prom"), "utf8");
        assert.match(prom, /^hostplane_backup_max_age_seconds\{env="",service="",database="shop_api",kind="hourly"\} 7500$/m);
        assert.match(prom, /^hostplane_backup_last_success_timestamp_seconds\{env="",service="",database="shop_api",kind="hourly"\} \d{10}$/m);
        assert.match(prom, /^hostplane_backup_last_run_failed\{env="",service=""\} 0$/m);
        assert.ok(fs.readdirSync(path.join(backups, "globals")).length === 1, "roles are dumped too");
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
        // the safety backup of the changed database was kept, and holds the changed rows
        const safety = fs.readdirSync(path.join(backups, "shop_api")).filter((f) => f.includes("-safety-"));
        assert.strictEqual(safety.length, 1);
        assert.match(r.stderr, /safety backup: shop_api-safety-/);
    });

    it("rejects a corrupt backup before anything is dropped", () => {
        const corrupt = path.join(backups, "shop_api", "shop_api-manual-20260101T000000Z.dump");
        const good = fs.readFileSync(path.join(backups, "shop_api", `${backupId}.dump`));
        fs.writeFileSync(corrupt, good.subarray(0, 5)); // truncated archive header
        pg.psql("INSERT INTO orders VALUES (9999, 1)", "shop_api");
        const r = script("pg-restore.sh", ["shop_api-manual-20260101T000000Z"]);
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /not a readable pg_dump archive .*nothing was changed/);
        assert.strictEqual(pg.psql("SELECT count(*) FROM orders WHERE id = 9999", "shop_api"), "1", "the database was left alone");
    });

    it("rejects a missing backup id with a clear message", () => {
        const r = script("pg-restore.sh", ["shop_api-hourly-20200101T000000Z"]);
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /backup shop_api-hourly-20200101T000000Z not found .*nothing was changed/);
    });

    it("reports a failed run in the metrics when the server is unreachable", () => {
        const r = script("pg-backup.sh", ["run", "hourly"], { PGPORT: "1" });
        assert.notStrictEqual(r.code, 0);
        assert.match(fs.readFileSync(path.join(backups, "metrics", "hostplane_backup.prom"), "utf8"), /^hostplane_backup_last_run_failed\{env="",service=""\} 1$/m);
    });
});

describe("backup retention (pg-backup.sh prune)", function () {
    this.timeout(120000);

    it("keeps exactly the right files over 100 days of hourly, weekly, manual and safety backups", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-prune-"));
        const now = Date.UTC(2026, 10, 22, 12, 0, 0) / 1000; // 2026-11-22 12:00 UTC
        const stamp = (t: number) => new Date(t * 1000).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
        const expected: string[] = [];
        fs.mkdirSync(path.join(dir, "app"));
        const add = (kind: string, t: number, keep: boolean) => {
            const f = `app-${kind}-${stamp(t)}.dump`;
            fs.writeFileSync(path.join(dir, "app", f), "x");
            if (keep) expected.push(f);
        };
        for (let h = 0; h < 100 * 24; h++) {
            const t = now - h * 3600;
            add("hourly", t, t >= now - 7 * 86400);
        }
        for (let w = 0; w < 15; w++) {
            const t = now - w * 7 * 86400 - 3600;
            add("weekly", t, t >= now - 90 * 86400);
        }
        add("manual", now - 99 * 86400, true);
        add("safety", now - 98 * 86400, true);
        const r = spawnSync("bash", [path.join(SCRIPTS, "pg-backup.sh"), "prune", "--now", String(now)], { env: { ...process.env, BACKUP_DIR: dir }, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(fs.readdirSync(path.join(dir, "app")).sort(), expected.sort());
        // 7 days of hourly (boundary included) + weekly within 90 days + manual + safety
        assert.strictEqual(expected.length, 7 * 24 + 1 + 13 + 2);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
