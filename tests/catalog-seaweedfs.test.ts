// The object store of new stacks (catalog/seaweedfs.ts) and MinIO's place for existing ones.
import * as assert from "assert";
import { kindOf } from "../catalog";
import { SEAWEEDFS_S3_CONFIG } from "../catalog/seaweedfs";
import { loadPlatformModel } from "../config/validate";
import { connectionsFor } from "../config/services";
import { baseConfig, sourceOf, stackGraph } from "./fixtures";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

function stack(buckets: string[]) {
    const cfg = baseConfig();
    cfg.environments.production.services = { objects: { type: "seaweedfs", buckets } };
    cfg.environments.production.apps.api.dependsOn = ["objects"];
    const m = loadPlatformModel(sourceOf(cfg));
    return m.environments.find((e) => e.name === "production")!.services[0];
}
const FAKE = { "access-key": "AK-FAKE", "secret-key": "SK-FAKE" };

describe("catalog: SeaweedFS (object store of new stacks) and MinIO (existing stacks)", () => {
    it("one `weed server -s3` with every listener on all addresses, its metrics port scraped", () => {
        const s = stack([]);
        const k = kindOf("seaweedfs");
        const main = k.parts!(s, { metrics: true }).main;
        assert.deepStrictEqual(main.command, ["server", "-s3", `-s3.config=${SEAWEEDFS_S3_CONFIG}`, "-ip.bind=0.0.0.0", "-metricsPort=9324", "-master.volumePreallocate=false"]);
        assert.deepStrictEqual([s.port, s.dataPath, k.exporter.port, k.exporter.path, k.exporter.image], [8333, "/data", 9324, "/metrics", undefined]);
        assert.match(s.image, /^chrislusf\/seaweedfs:[0-9.]+$/);
    });
    it("the generated keys reach the gateway only as its 0400 identity file, and the app as S3_* secret files", () => {
        const s = stack([]);
        const k = kindOf("seaweedfs");
        const file = k.parts!(s, { metrics: false }).main.files!.find((f) => f.path === SEAWEEDFS_S3_CONFIG)!;
        assert.strictEqual(file.permissions, "0400");
        assert.ok(typeof file.content !== "string");
        const json = JSON.parse((file.content as { secret: (v: Record<string, string>) => string }).secret(FAKE));
        assert.deepStrictEqual(json.identities[0].credentials, [{ accessKey: "AK-FAKE", secretKey: "SK-FAKE" }]);
        assert.ok(json.identities[0].actions.includes("Write"));
        const cred = k.credentials!(s);
        assert.deepStrictEqual([cred.accessKeyId!(FAKE), cred.secretAccessKey!(FAKE)], ["AK-FAKE", "SK-FAKE"]);
        const c = connectionsFor("api", [s]);
        assert.deepStrictEqual(c.env, { S3_ENDPOINT: "http://production-objects:8333" });
        assert.deepStrictEqual(c.secrets.map((x) => x.name), ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]);
        // With buckets, the app also gets the first one (the bucket the demo app's round trip uses).
        assert.deepStrictEqual(connectionsFor("api", [stack(["uploads", "exports"])]).env, { S3_ENDPOINT: "http://production-objects:8333", S3_BUCKET: "uploads" });
    });
    it("buckets are created once it is healthy; an existing bucket is not an error; none, no step", () => {
        const k = kindOf("seaweedfs");
        assert.strictEqual(k.parts!(stack([]), { metrics: false }).setup, undefined);
        const setup = k.parts!(stack(["uploads", "exports"]), { metrics: false }).setup!;
        assert.deepStrictEqual([setup.name, setup.triggers], ["buckets", ["uploads", "exports"]]);
        const script = setup.script("127.0.0.1");
        assert.match(script, /s3\.bucket\.create -name uploads' \| weed shell -master=127\.0\.0\.1:9333/);
        assert.match(script, /grep -q 'already exists'/);
    });
    it("the bucket step as the program runs it survives the shell: real sh, a docker stand-in that runs the exec'd command, a weed stand-in", async function () {
        this.timeout(60000);
        const step = (await stackGraph("staging")).resources.find((r) => r.name === "shop-sandbox-objects-buckets")!;
        const create = (step.inputs as { create: string }).create;
        assert.match(create, /^docker exec shop-sandbox-objects sh -c '/);
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-weed-"));
        try {
            // docker exec NAME CMD...: run CMD here. weed shell: echo its input, answer as WEED_SAYS, exit WEED_EXIT.
            fs.writeFileSync(path.join(bin, "docker"), '#!/bin/sh\nshift 2\nexec "$@"\n', { mode: 0o755 });
            fs.writeFileSync(path.join(bin, "weed"), '#!/bin/sh\necho "input: $(cat)"\necho "$WEED_SAYS"\nexit "$WEED_EXIT"\n', { mode: 0o755 });
            const run = (says: string, exit: number) => spawnSync("sh", ["-c", create], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, WEED_SAYS: says, WEED_EXIT: String(exit) } });
            const ok = run("created bucket uploads", 0);
            assert.strictEqual(ok.status, 0, ok.stderr);
            const exists = run("bucket uploads already exists", 1);
            assert.strictEqual(exists.status, 0, `an existing bucket is fine: ${exists.stderr}`);
            const failed = run("connection refused", 1);
            assert.strictEqual(failed.status, 1);
            assert.match(failed.stdout, /input: s3\.bucket\.create -name uploads\nconnection refused/);
            // The same text parses as a POSIX shell command line (dash, Debian's sh).
            execFileSync("sh", ["-n", "-c", create]);
        } finally {
            fs.rmSync(bin, { recursive: true, force: true });
        }
    });
    it("a bad bucket name is refused with the key and what is expected", () => {
        const cfg = baseConfig();
        cfg.environments.production.services = { objects: { type: "seaweedfs", buckets: ["Bad_Name"] } };
        assert.throws(() => loadPlatformModel(sourceOf(cfg)), /services\.objects\.buckets\[0\]: got "Bad_Name"; expected an S3 bucket name/);
    });
    it("MinIO: pinned at the location its docs name, and a warning on every preview", () => {
        const k = kindOf("minio");
        assert.strictEqual(k.image, "quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z");
        assert.match(k.deprecated!, /archived[\s\S]*type seaweedfs[\s\S]*never point another server at this volume/);
        assert.strictEqual(kindOf("seaweedfs").deprecated, undefined);
    });
});
