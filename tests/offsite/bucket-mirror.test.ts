// Object store buckets mirrored off the host (scripts/backup/bucket-mirror.sh) against a real
// SeaweedFS S3 server on loopback (the object store and the off-host target, two remotes with
// their own credentials in one rclone.conf), with Debian's rclone and age: every object arrives
// encrypted and verified, only changed objects travel again, a failed upload fails the run and its
// metric, and the mirror restores byte for byte into the object store with the operator's identity.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderRcloneConf } from "../../render/backup-offsite";
import { startTempS3, TempS3, weedBinary } from "../support/s3";
import { haveCommand, requireTool } from "../support/tools";

const SCRIPT = path.resolve(__dirname, "../../scripts/backup/bucket-mirror.sh");
const { AWS_CA_BUNDLE: _ignored, ...baseEnv } = process.env;

describe("bucket mirror: object store -> off-host target, encrypted (real SeaweedFS S3, rclone, age)", function () {
    this.timeout(300000);
    let s3: TempS3;
    let dir: string;
    let identity: string;
    let recipient: string;
    const conf = () => path.join(dir, "rclone.conf");
    const rclone = (...args: string[]) => spawnSync("rclone", ["--config", conf(), ...args], { env: baseEnv, encoding: "utf8" });
    const rcloneBuf = (...args: string[]) => spawnSync("rclone", ["--config", conf(), ...args], { env: baseEnv }).stdout as Buffer;
    const env = (extra: Record<string, string> = {}) => ({
        ...baseEnv,
        BACKUP_DIR: path.join(dir, "backups"),
        RCLONE_CONFIG: conf(),
        MIRROR_SOURCE: "source:",
        MIRROR_BUCKETS: "uploads avatars",
        OFFSITE_REMOTE: "offsite:hostplane-backups/production/files",
        OFFSITE_ENDPOINT: s3.endpoint,
        ALLOW_INSECURE: "1",
        AGE_RECIPIENTS: recipient,
        HOSTPLANE_ENV: "production",
        HOSTPLANE_SERVICE: "files",
        ...extra,
    });
    const mirror = (args: string[], extra: Record<string, string> = {}, input?: string) => spawnSync("bash", [SCRIPT, ...args], { env: env(extra), encoding: "utf8", input });
    const metrics = () => fs.readFileSync(path.join(dir, "backups", "metrics", "hostplane_backup.prom"), "utf8");
    const put = (key: string, content: Buffer | string) => {
        const f = path.join(dir, "obj");
        fs.writeFileSync(f, content);
        const r = rclone("copyto", f, `source:${key}`);
        assert.strictEqual(r.status, 0, r.stderr);
    };
    const objects = (remote: string) => rclone("lsf", "-R", "--files-only", remote).stdout.split("\n").filter(Boolean).sort();
    const secret = crypto.randomBytes(1 << 20);

    before(async function () {
        requireTool(this, haveCommand("rclone", ["version"]) && haveCommand("age", ["--version"]), "rclone and age", "apt-get install rclone age");
        requireTool(this, weedBinary() !== undefined, "SeaweedFS weed", "bash scripts/seaweedfs.sh");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-mirror-"));
        s3 = await startTempS3(28340, 40); // four buckets
        // The object store and the off-host target: two remotes (here the same server).
        fs.writeFileSync(conf(), renderRcloneConf({ endpoint: s3.endpoint, region: "us-east-1" }, s3.accessKey, s3.secretKey, "source") + renderRcloneConf({ endpoint: s3.endpoint, region: "us-east-1" }, s3.accessKey, s3.secretKey), { mode: 0o600 });
        for (const b of ["source:uploads", "source:avatars", "source:uploads-restored", "offsite:hostplane-backups"]) assert.strictEqual(rclone("mkdir", b).status, 0);
        const kg = spawnSync("age-keygen", [], { encoding: "utf8" });
        identity = kg.stdout;
        recipient = /public key: (age1\S+)/.exec(kg.stdout + kg.stderr)![1];
        fs.writeFileSync(path.join(dir, "key.txt"), identity, { mode: 0o600 });
        put("uploads/invoice-2026-11.txt", "customer ada: 42 EUR\n");
        put("uploads/scans/2026/ada passport.bin", secret);
        put("avatars/ada.png", crypto.randomBytes(4096));
    });
    after(() => {
        s3?.stop();
        if (dir && !process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("mirrors every object of each bucket encrypted, each checked by size and MD5; metrics per bucket", () => {
        const r = mirror(["run", "hourly"]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(objects("offsite:hostplane-backups/production/files"), [
            "buckets/avatars/ada.png.age",
            "buckets/uploads/invoice-2026-11.txt.age",
            "buckets/uploads/scans/2026/ada passport.bin.age",
        ]);
        assert.match(r.stderr, /off-host: buckets\/uploads\/scans\/2026\/ada passport\.bin\.age \(\d+ bytes, md5 [0-9a-f]{32}\) verified/);
        const obj = rcloneBuf("cat", "offsite:hostplane-backups/production/files/buckets/uploads/invoice-2026-11.txt.age");
        assert.match(obj.toString("latin1"), /^age-encryption\.org\/v1/);
        assert.ok(!obj.includes("customer ada"), "nothing readable leaves the host");
        const m = metrics();
        assert.match(m, /^hostplane_backup_last_success_timestamp_seconds\{env="production",service="files",database="bucket-uploads",kind="hourly"\} \d+$/m);
        assert.match(m, /^hostplane_backup_last_size_bytes\{env="production",service="files",database="bucket-uploads",kind="hourly"\} 1048597$/m);
        assert.match(m, /^hostplane_backup_last_run_failed\{env="production",service="files"\} 0$/m);
    });

    it("only new and changed objects travel on the next run; a deleted object stays in the mirror", () => {
        let r = mirror(["run", "hourly"]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, /bucket uploads: 2 objects \(\d+ bytes\), 0 copied this run/);
        put("uploads/invoice-2026-11.txt", "customer ada: 43 EUR (corrected)\n");
        put("uploads/invoice-2026-12.txt", "customer bob: 7 EUR\n");
        assert.strictEqual(rclone("deletefile", "source:avatars/ada.png").status, 0);
        r = mirror(["run", "hourly"]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, /bucket uploads: 3 objects \(\d+ bytes\), 2 copied this run/);
        assert.ok(objects("offsite:hostplane-backups/production/files").includes("buckets/avatars/ada.png.age"));
    });

    it("restores a bucket byte for byte into the object store with the identity on stdin; the wrong identity is refused", () => {
        const wrong = spawnSync("age-keygen", [], { encoding: "utf8" }).stdout;
        let r = mirror(["restore", "uploads", "uploads-restored"], {}, wrong);
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stderr, /cannot decrypt .* with the identity given/);
        r = mirror(["restore", "uploads", "uploads-restored"], {}, identity);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, /restored 3 objects of uploads into uploads-restored/);
        const sums = (b: string) => rclone("md5sum", `source:${b}`).stdout.split("\n").filter(Boolean).sort();
        assert.deepStrictEqual(sums("uploads-restored"), sums("uploads"));
        assert.ok(rcloneBuf("cat", "source:uploads-restored/scans/2026/ada passport.bin").equals(secret));
        assert.ok(!fs.readdirSync(path.join(dir, "backups", "buckets")).some((n) => /partial|key|identity/.test(n)), "nothing decrypted or secret is left on the host");
    });

    it("a drill fetches one object per bucket back and compares it with what the source listed when it was mirrored (even one deleted there since)", () => {
        const r = mirror(["drill"], { AGE_IDENTITY_FILE: path.join(dir, "key.txt") });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(metrics(), /^hostplane_restore_drill_last_success_timestamp_seconds\{env="production",service="files",database="bucket-uploads"\} \d+$/m);
        assert.match(metrics(), /^hostplane_restore_drill_last_run_failed\{env="production",service="files"\} 0$/m);
    });

    it("an upload that fails fails the run and sets the failure metric (wrong off-host credentials)", () => {
        put("uploads/invoice-2027-01.txt", "customer eve: 1 EUR\n");
        const bad = path.join(dir, "bad.conf");
        fs.writeFileSync(bad, renderRcloneConf({ endpoint: s3.endpoint, region: "us-east-1" }, s3.accessKey, s3.secretKey, "source") + renderRcloneConf({ endpoint: s3.endpoint, region: "us-east-1" }, s3.accessKey, "wrong-secret"), { mode: 0o600 });
        let r = mirror(["run", "hourly"], { RCLONE_CONFIG: bad });
        assert.strictEqual(r.status, 1, r.stderr);
        assert.match(r.stderr, /off-host copy of buckets\/uploads\/invoice-2027-01\.txt\.age FAILED/);
        assert.match(metrics(), /^hostplane_backup_last_run_failed\{env="production",service="files"\} 1$/m);
        // The failed object is retried by the next good run.
        r = mirror(["run", "hourly"]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, /bucket uploads: 4 objects \(\d+ bytes\), 1 copied this run/);
        assert.match(metrics(), /^hostplane_backup_last_run_failed\{env="production",service="files"\} 0$/m);
    });
});
