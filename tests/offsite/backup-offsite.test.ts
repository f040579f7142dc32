// Off-host copies end to end against real servers: Debian's PostgreSQL, SeaweedFS's S3 on
// loopback, rclone and age from Debian. An encrypted copy restores to identical data on a fresh
// server with the operator's identity; a failed upload fails the run and its metric; the remote
// keeps the same retention floor as the host.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderRcloneConf } from "../../render/backup-offsite";
import { postgresBinDir, startTempPostgres, TempPostgres } from "../support/postgres";
import { startTempS3, TempS3, weedBinary } from "../support/s3";
import { haveCommand, requireTool } from "../support/tools";

const SCRIPTS = path.resolve(__dirname, "../../scripts/postgres");
// rclone's S3 client refuses a custom CA bundle with its own HTTP transport; some machines set
// AWS_CA_BUNDLE globally. The sidecar has none: the tests run without it too.
const { AWS_CA_BUNDLE: _ignored, ...baseEnv } = process.env;

describe("off-host backup copies (real PostgreSQL, SeaweedFS S3, rclone, age)", function () {
    this.timeout(300000);
    let pg: TempPostgres;
    let fresh: TempPostgres;
    let s3: TempS3;
    let dir: string;
    let identity: string;
    let recipient: string;
    const rclone = (args: string[]) => spawnSync("rclone", ["--config", path.join(dir, "rclone.conf"), ...args], { env: baseEnv, encoding: "utf8" });

    before(async function () {
        requireTool(this, postgresBinDir() !== undefined && haveCommand("pg_dump"), "PostgreSQL server", "apt-get install postgresql");
        requireTool(this, haveCommand("rclone", ["version"]) && haveCommand("age", ["--version"]), "rclone and age", "apt-get install rclone age");
        requireTool(this, weedBinary() !== undefined, "SeaweedFS weed", "bash scripts/seaweedfs.sh");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-offsite-"));
        s3 = await startTempS3();
        fs.writeFileSync(path.join(dir, "rclone.conf"), renderRcloneConf({ endpoint: s3.endpoint, region: "us-east-1" }, s3.accessKey, s3.secretKey), { mode: 0o600 });
        const mk = rclone(["mkdir", "offsite:hostplane-backups"]);
        assert.strictEqual(mk.status, 0, mk.stderr);
        // The operator's key pair: only the public half goes to the host.
        const kg = spawnSync("age-keygen", [], { encoding: "utf8" });
        identity = kg.stdout;
        recipient = /public key: (age1\S+)/.exec(kg.stdout + kg.stderr)![1];
        pg = startTempPostgres(55442);
        pg.psql("CREATE ROLE shop LOGIN PASSWORD 'x'");
        pg.psql("CREATE DATABASE shop OWNER shop");
        pg.psql("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric); ALTER TABLE items OWNER TO shop; INSERT INTO items SELECT g, 'item ' || g, g * 0.25 FROM generate_series(1, 5000) g", "shop");
    });
    after(() => {
        pg?.stop();
        fresh?.stop();
        s3?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const env = (extra: Record<string, string> = {}) => ({
        ...baseEnv,
        ...pg.env,
        BACKUP_DIR: path.join(dir, "backups"),
        RCLONE_CONFIG: path.join(dir, "rclone.conf"),
        OFFSITE_REMOTE: "offsite:hostplane-backups/production/db",
        OFFSITE_ENDPOINT: s3.endpoint,
        ALLOW_INSECURE: "1", // loopback test server; the https rule is checked below
        AGE_RECIPIENTS: recipient,
        ...extra,
    });
    const backup = (args: string[], extra: Record<string, string> = {}, input?: string) =>
        spawnSync("bash", [path.join(SCRIPTS, "pg-backup.sh"), ...args], { env: env(extra), encoding: "utf8", input });
    const metrics = () => fs.readFileSync(path.join(dir, "backups", "metrics", "hostplane_backup.prom"), "utf8");
    let id = "";

    it("uploads every file of a run encrypted (dump, row manifest, roles dump) and checks size and MD5 of each", () => {
        const r = backup(["run", "hourly"]);
        assert.strictEqual(r.status, 0, r.stderr);
        id = r.stdout.trim().split("\n").find((l) => l.startsWith("shop-hourly-"))!;
        const stamp = id.split("-").pop();
        assert.match(r.stderr, new RegExp(`off-host: shop/${id}\\.dump\\.age \\(\\d+ bytes, md5 [0-9a-f]{32}\\) verified`));
        const objects = rclone(["lsf", "-R", "--files-only", "offsite:hostplane-backups/production/db"]).stdout.split("\n").filter(Boolean).sort();
        assert.deepStrictEqual(objects, [`globals/globals-${stamp}.sql.age`, `shop/${id}.dump.age`, `shop/${id}.rows.age`]);
        const obj = rclone(["cat", `offsite:hostplane-backups/production/db/shop/${id}.dump.age`]);
        assert.match(obj.stdout, /^age-encryption\.org\/v1/);
        assert.ok(!obj.stdout.includes("PGDMP") && !obj.stdout.includes("item 4999"), "nothing readable leaves the host");
        assert.match(metrics(), /^hostplane_backup_last_run_failed\{env="",service=""\} 0$/m);
    });

    it("an encrypted off-host copy restores to identical data on a fresh server, with the identity given on stdin", () => {
        fresh = startTempPostgres(55443);
        fresh.psql("CREATE ROLE shop LOGIN PASSWORD 'x'");
        const fenv = { ...fresh.env, BACKUP_DIR: path.join(dir, "fresh-backups") };
        const wrong = spawnSync("age-keygen", [], { encoding: "utf8" }).stdout;
        let f = backup(["fetch", id], fenv, wrong);
        assert.notStrictEqual(f.status, 0);
        assert.match(f.stderr, /cannot decrypt .* with the identity given/);
        f = backup(["fetch", id], fenv, identity);
        assert.strictEqual(f.status, 0, f.stderr);
        assert.ok(!fs.readdirSync(path.join(dir, "fresh-backups", "shop")).some((n) => /key|identity|\.age/.test(n)), "the identity is not written anywhere");
        const r = spawnSync("bash", [path.join(SCRIPTS, "pg-restore.sh"), id], { env: env(fenv), encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        const q = "SELECT count(*), sum(price), md5(string_agg(id || name || price, ',' ORDER BY id)) FROM items";
        assert.strictEqual(fresh.psql(q, "shop"), pg.psql(q, "shop"));
    });

    it("an upload that fails fails the run and sets the failure metric (wrong credentials)", () => {
        const bad = path.join(dir, "bad-rclone.conf");
        fs.writeFileSync(bad, renderRcloneConf({ endpoint: s3.endpoint, region: "us-east-1" }, s3.accessKey, "wrong-secret"));
        const r = backup(["run", "manual"], { RCLONE_CONFIG: bad });
        assert.strictEqual(r.status, 1, r.stderr);
        assert.match(r.stderr, /off-host copy of shop\/shop-manual-\S+\.dump\.age FAILED/);
        assert.match(metrics(), /^hostplane_backup_last_run_failed\{env="",service=""\} 1$/m);
    });

    it("refuses plain http without allowInsecure, and encryption without a recipient, failing the run", () => {
        let r = backup(["run", "manual"], { ALLOW_INSECURE: "0" });
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /endpoint http:\/\/127\.0\.0\.1:\d+ is not https \(set allowInsecure: true to accept\)/);
        r = backup(["run", "manual"], { AGE_RECIPIENTS: "" });
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /encryption is on and AGE_RECIPIENTS is empty/);
        assert.match(metrics(), /^hostplane_backup_last_run_failed\{env="",service=""\} 1$/m);
        r = backup(["run", "manual"]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, /warning: off-host endpoint http:\/\/127\.0\.0\.1:\d+ is plain http \(allowInsecure\)/);
    });

    it("applies the retention floor to the remote copies too", () => {
        // Old hourly copies as if weeks of runs had failed since: the newest 3 stay, the rest go.
        const src = path.join(dir, "old.age");
        fs.writeFileSync(src, "x");
        const olds = ["20250101T000000Z", "20250101T010000Z", "20250101T020000Z", "20250101T030000Z", "20250101T040000Z"].map((s) => `shop/shop-hourly-${s}.dump.age`);
        for (const o of olds) assert.strictEqual(rclone(["copyto", src, `offsite:hostplane-backups/production/db/${o}`]).status, 0);
        const r = backup(["prune"]);
        assert.strictEqual(r.status, 0, r.stderr);
        const left = rclone(["lsf", "-R", "--files-only", "offsite:hostplane-backups/production/db/shop"]).stdout;
        // The real hourly from today is the newest; with it, the two newest old ones make the floor of 3.
        assert.ok(left.includes(`${id}.dump.age`));
        assert.ok(left.includes("shop-hourly-20250101T040000Z") && left.includes("shop-hourly-20250101T030000Z"));
        assert.ok(!left.includes("shop-hourly-20250101T020000Z") && !left.includes("shop-hourly-20250101T000000Z"), left);
    });
});
