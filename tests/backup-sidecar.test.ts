// The backup sidecars in the resource graph (mocks): PostgreSQL's scripts, retention and drill
// settings, off-host copies whose credentials travel as a secret file, never as env; Redis's,
// RabbitMQ's and the object store's sidecars from the image built on the host.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { captureGraph } from "../lib/graph";
import { renderRcloneConf } from "../render/backup-offsite";
import { execFileSync, spawnSync } from "child_process";
import * as os from "os";
import { parse as parseYaml } from "yaml";
import { renderCompose } from "../render/compose";
import { writeComposeBundle } from "../cli/compose";
import { baseConfig, REPO, sourceOf } from "./fixtures";
import { loadPlatformModel } from "../config/validate";
import { dataBackupSidecar } from "../spec/data-backup";
import { haveCommand, requireTool } from "./support/tools";

const AGE_KEY = "age1qv8306tdv6dlxl748kdk5wx0n8aaxy8hnl9l0wxwgl03ztxmva7s76ad5n";

function config(backup: Record<string, unknown>) {
    const cfg = baseConfig();
    cfg.environments.production.services = { db: { type: "postgres", backup } };
    cfg.environments.production.apps.api.dependsOn = ["db"];
    return sourceOf(cfg, ["stripeApiKey", "s3Key", "s3Secret"]);
}

describe("backup sidecar (mock graph)", function () {
    this.timeout(60000);

    it("uploads every backup script, and passes the retention floor and drill interval", async () => {
        const g = await captureGraph(config({ hourlyKeepMin: 5, drillEveryHours: 12 }));
        const c = g.resources.find((r) => r.name === "tp-production-db-backup")!.inputs as any;
        const scripts = fs.readdirSync(path.resolve(__dirname, "../scripts/postgres")).filter((f) => /\.(sh|sql)$/.test(f));
        for (const f of scripts) assert.ok(c.uploads.some((u: any) => u.file === `/usr/local/bin/${f}`), f);
        for (const e of ["HOURLY_KEEP_MIN=5", "WEEKLY_KEEP_MIN=2", "MANUAL_KEEP_DAYS=30", "DRILL_EVERY_HOURS=12"]) assert.ok(c.envs.includes(e), e);
        assert.ok(!c.envs.some((e: string) => e.startsWith("OFFSITE_REMOTE=")), "no off-host target unless configured");
    });

    it("off-host copies: rclone.conf as a 0400 secret file, encryption recipients and the remote as env, no key in env", async () => {
        const g = await captureGraph(config({ s3: { endpoint: "https://s3.example.com", bucket: "dumps", accessKeyId: "s3Key", secretAccessKey: "s3Secret", ageRecipients: [AGE_KEY] } }));
        const c = g.resources.find((r) => r.name === "tp-production-db-backup")!.inputs as any;
        const conf = c.uploads.find((u: any) => u.file === "/run/secrets/rclone.conf");
        assert.ok(conf, "rclone.conf uploaded");
        assert.strictEqual(conf.content, "[secret]");
        assert.strictEqual(conf.permissions, "0400");
        for (const e of ["RCLONE_CONFIG=/run/secrets/rclone.conf", "OFFSITE_REMOTE=offsite:dumps/production/db", "OFFSITE_ENDPOINT=https://s3.example.com", "OFFSITE_ENCRYPT=1", `AGE_RECIPIENTS=${AGE_KEY}`, "ALLOW_INSECURE=0"])
            assert.ok(c.envs.includes(e), e);
        assert.ok(!c.envs.some((e: string) => /AWS_|SECRET|ACCESS_KEY/.test(e)), c.envs.join(" "));
    });

    it("renders an rclone S3 remote that never creates buckets, and refuses line breaks in values", () => {
        const conf = renderRcloneConf({ endpoint: "https://s3.example.com", region: "eu-central-1" }, "AKID", "SECRET");
        assert.match(conf, /^\[offsite\]\ntype = s3\nprovider = Other\nendpoint = https:\/\/s3\.example\.com\nregion = eu-central-1\naccess_key_id = AKID\nsecret_access_key = SECRET\n/);
        assert.match(conf, /no_check_bucket = true/);
        assert.throws(() => renderRcloneConf({ endpoint: "https://x", region: "r" }, "A\n[evil]", "S"), /access key id contains a line break/);
    });
});

function withServices(services: Record<string, unknown>) {
    const cfg = baseConfig();
    cfg.environments.production.services = services;
    return sourceOf(cfg, ["stripeApiKey", "s3Key", "s3Secret"]);
}
const S3 = { endpoint: "https://s3.example.com", bucket: "offsite", accessKeyId: "s3Key", secretAccessKey: "s3Secret", ageRecipients: [AGE_KEY] };

describe("Redis, RabbitMQ and object store backup sidecars (mock graph)", function () {
    this.timeout(60000);

    it("Redis and RabbitMQ get a sidecar looping their script in the image built FROM their own image; passwords only as 0400 files", async () => {
        const g = await captureGraph(withServices({ cache: { type: "redis", backup: { hourlyKeepMin: 4 } }, mq: { type: "rabbitmq" } }));
        for (const [svc, script, pw] of [["cache", "redis-backup.sh", "/run/secrets/REDIS_PASSWORD"], ["mq", "rabbitmq-backup.sh", "/run/secrets/RABBITMQ_PASSWORD"]]) {
            const c = g.resources.find((r) => r.name === `tp-production-${svc}-backup`)!;
            const inputs = c.inputs as any;
            assert.deepStrictEqual(inputs.entrypoints, ["bash", `/usr/local/bin/${script}`]);
            assert.deepStrictEqual(inputs.command, ["loop"]);
            const image = g.resources.find((r) => r.name === `tp-production-${svc}-backup-image`)!;
            assert.strictEqual(inputs.image, (image.inputs as any).name);
            assert.match(inputs.image, /^hostplane-local\/backup:[0-9a-f]{12}$/);
            assert.ok(c.dependsOn.includes(image.name), "the sidecar waits for its image");
            const file = inputs.uploads.find((u: any) => u.file === pw);
            assert.deepStrictEqual([file.content, file.permissions], ["[secret]", "0400"]);
            assert.ok(!inputs.envs.some((e: string) => /PASS=|PASSWORD=/.test(e)), inputs.envs.join(" "));
        }
        const redis = g.resources.find((r) => r.name === "tp-production-cache-backup")!.inputs as any;
        assert.ok(redis.envs.includes("HOURLY_KEEP_MIN=4") && redis.envs.includes("REDIS_HOST=production-cache"));
        assert.strictEqual((g.resources.find((r) => r.name === "tp-production-mq-backup-image")!.inputs as any).build.buildArgs.BASE_IMAGE, "rabbitmq:4.2.8-management");
    });

    it("SeaweedFS with backup.s3: the same bucket-mirror sidecar, reading with its generated key", async () => {
        const cfg = withServices({ objects: { type: "seaweedfs", buckets: ["media"], backup: { s3: S3 } } });
        const g = await captureGraph(cfg);
        const c = g.resources.find((r) => r.name === "tp-production-objects-backup")!.inputs as any;
        assert.deepStrictEqual(c.entrypoints, ["bash", "/usr/local/bin/bucket-mirror.sh"]);
        assert.ok(c.envs.includes("MIRROR_BUCKETS=media"));
        const s = loadPlatformModel(cfg).environments.find((e) => e.name === "production")!.services.find((x) => x.name === "objects")!;
        const conf = dataBackupSidecar(s, true, "img").files!.find((f) => f.path === "/run/secrets/rclone.conf")!;
        const text = typeof conf.content === "string" ? conf.content : conf.content.secret({ "access-key": "WEEDKEY", "secret-key": "weedsecret", "offsite-access-key-id": "AK", "offsite-secret-access-key": "SK" });
        assert.match(text, /^\[source\]\ntype = s3\nprovider = Other\nendpoint = http:\/\/production-objects:8333\n[\s\S]*access_key_id = WEEDKEY\nsecret_access_key = weedsecret\n/);
    });

    it("backup.enabled: false leaves a Redis service without a sidecar; MinIO gets one only with an off-host target", async () => {
        const g = await captureGraph(withServices({ cache: { type: "redis", backup: { enabled: false } }, files: { type: "minio", buckets: ["uploads"] } }));
        assert.ok(!g.resources.some((r) => /-(cache|files)-backup/.test(r.name)), g.resources.map((r) => r.name).filter((n) => n.includes("backup")).join(", "));
    });

    it("MinIO with backup.s3: a bucket-mirror sidecar built FROM Debian; the store's and the target's keys only in the 0400 rclone.conf", async () => {
        const cfg = withServices({ files: { type: "minio", buckets: ["uploads", "exports"], backup: { s3: S3 } } });
        const g = await captureGraph(cfg);
        const c = g.resources.find((r) => r.name === "tp-production-files-backup")!.inputs as any;
        assert.deepStrictEqual(c.entrypoints, ["bash", "/usr/local/bin/bucket-mirror.sh"]);
        for (const e of ["MIRROR_SOURCE=source:", "MIRROR_BUCKETS=uploads exports", "OFFSITE_REMOTE=offsite:offsite/production/files", "RCLONE_CONFIG=/run/secrets/rclone.conf"]) assert.ok(c.envs.includes(e), e);
        assert.ok(!c.envs.some((e: string) => /SECRET|ACCESS_KEY|MINIO_ROOT/.test(e)), c.envs.join(" "));
        assert.strictEqual((g.resources.find((r) => r.name === "tp-production-files-backup-image")!.inputs as any).build.buildArgs.BASE_IMAGE, "debian:bookworm-slim");
        // The rendered file: the store as `source`, then the off-host target.
        const s = loadPlatformModel(cfg).environments.find((e) => e.name === "production")!.services.find((x) => x.name === "files")!;
        const conf = dataBackupSidecar(s, true, "img").files!.find((f) => f.path === "/run/secrets/rclone.conf")!;
        const text = typeof conf.content === "string" ? conf.content : conf.content.secret({ "access-key": "MINIOKEY", password: "miniopw", "offsite-access-key-id": "AK", "offsite-secret-access-key": "SK" });
        assert.match(text, /^\[source\]\ntype = s3\nprovider = Other\nendpoint = http:\/\/production-files:9000\n[\s\S]*access_key_id = MINIOKEY\nsecret_access_key = miniopw\n[\s\S]*\[offsite\]\n[\s\S]*access_key_id = AK\n/);
    });
});

describe("backup sidecars in compose", () => {
    it("MinIO with backup.s3: the same sidecar, its image built by compose from files/build/backup, rclone.conf a secret file; docker-compose config accepts it", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-compose-mirror-"));
        try {
            const bundle = renderCompose(loadPlatformModel(withServices({ files: { type: "minio", buckets: ["uploads"], backup: { s3: S3 } }, cache: { type: "redis" } })));
            // The user-set secrets (compose's `pulumi config set --secret`), then the real write.
            for (const m of writeComposeBundle(bundle, dir).missing) {
                fs.mkdirSync(path.dirname(path.join(dir, m)), { recursive: true });
                fs.writeFileSync(path.join(dir, m), m.endsWith("s3Key") ? "AKOFFSITE" : m.endsWith("s3Secret") ? "SKOFFSITE" : "x");
            }
            assert.deepStrictEqual(writeComposeBundle(bundle, dir).missing, []);
            const compose = parseYaml(fs.readFileSync(path.join(dir, "docker-compose.yml"), "utf8")) as { services: Record<string, any> };
            const mirror = compose.services["production-files-backup"];
            assert.deepStrictEqual(mirror.build, { context: "./files/build/backup", dockerfile: "Dockerfile", args: { BASE_IMAGE: "debian:bookworm-slim" } });
            assert.strictEqual(compose.services["production-cache-backup"].build.args.BASE_IMAGE, "redis:8.10.0");
            for (const f of ["Dockerfile", "postgres/backup-lib.sh", "backup/bucket-mirror.sh"]) assert.ok(fs.existsSync(path.join(dir, "files/build/backup", f)), f);
            const conf = fs.readFileSync(path.join(dir, "secrets/data/production-files-backup/rclone.conf"), "utf8");
            const minioKey = fs.readFileSync(path.join(dir, "secrets/values/production/files/access-key"), "utf8");
            assert.match(conf, new RegExp(`^\\[source\\]\\n[\\s\\S]*access_key_id = ${minioKey}\\n[\\s\\S]*\\[offsite\\]\\n[\\s\\S]*access_key_id = AKOFFSITE\\n`));
            assert.ok(!fs.readFileSync(path.join(dir, "docker-compose.yml"), "utf8").includes("SKOFFSITE"));
            if (haveCommand("docker-compose", ["version"])) execFileSync("docker-compose", ["-p", "hpcompose-mirror", "config", "-q"], { cwd: dir, stdio: ["ignore", "inherit", "pipe"] });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("backup scripts (shellcheck)", () => {
    it("every backup, verify, restore and build script passes shellcheck -x", function () {
        requireTool(this, haveCommand("shellcheck"), "shellcheck", "apt-get install -y shellcheck");
        const files = ["scripts/postgres", "scripts/backup"].flatMap((d) => fs.readdirSync(path.join(REPO, d)).filter((f) => f.endsWith(".sh")).map((f) => `${d}/${f}`));
        files.push("scripts/seaweedfs.sh");
        const r = spawnSync("shellcheck", ["-x", ...files], { cwd: REPO, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        assert.ok(files.length >= 10, files.join(" "));
    });
});
