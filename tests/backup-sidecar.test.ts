// The postgres backup sidecar in the resource graph (mocks): its scripts, retention and drill
// settings, and off-host copies whose credentials travel as a secret file, never as env.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { captureGraph } from "../lib/graph";
import { renderRcloneConf } from "../render/backup-offsite";
import { spawnSync } from "child_process";
import { baseConfig, REPO, sourceOf } from "./fixtures";
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
