// The restore runbook's order and failure handling (the SQL side is tested against a real server
// in postgres-backup.test.ts). Docker is a recording fake here.
import * as assert from "assert";
import { Docker, OpsError, restore } from "../cli/ops";
import { loadPlatformModel } from "../config/validate";
import { baseConfig, sourceOf } from "./fixtures";

function model() {
    const cfg = baseConfig();
    cfg.environments.production.services = { db: { type: "postgres" } };
    cfg.environments.production.apps.api.dependsOn = ["db"];
    cfg.environments.production.apps.api.migration = { command: ["npm", "run", "migrate"] };
    return loadPlatformModel(sourceOf(cfg));
}

function fakeDocker(fail: Partial<Record<"check" | "restore", number>> = {}): Docker & { calls: string[] } {
    const calls: string[] = [];
    return {
        calls,
        run(args) {
            const line = args.join(" ");
            calls.push(line);
            if (args[0] === "ps") {
                const service = args.find((a) => a.startsWith("label=hostplane.service="))!.split("=")[2];
                return { status: 0, stdout: { api: "tp-production-api-1a2b3c4d\n", web: "tp-production-web-5e6f7a8b\n", worker: "tp-production-worker-9c0d1e2f\n" }[service] ?? "", stderr: "" };
            }
            if (line.includes("pg-verify.sh")) return { status: fail.check ?? 0, stdout: "", stderr: "" };
            if (line.includes("pg-restore.sh")) return { status: fail.restore ?? 0, stdout: "", stderr: fail.restore ? "pg-restore: safety backup: api-safety-20261122T101010Z\nFAILED\n" : "" };
            if (args[0] === "inspect") return { status: 0, stdout: "healthy\n", stderr: "" };
            return { status: 0, stdout: "", stderr: "" };
        },
    };
}

const quiet = () => {};
const ID = "api-hourly-20261122T090000Z";

describe("ops restore", () => {
    it("checks the backup, stops the apps on that database, restores, starts, migrates, waits for health — in that order", async () => {
        const d = fakeDocker();
        await restore(model(), d, { env: "production", backup: ID }, quiet);
        const steps = d.calls.filter((c) => !c.startsWith("ps ") && !c.startsWith("inspect "));
        assert.deepStrictEqual(steps, [
            `exec tp-production-db-backup pg-verify.sh /backups/api/${ID}.dump`,
            "stop -t 30 tp-production-api-1a2b3c4d",
            "stop -t 30 tp-production-web-5e6f7a8b",
            "stop -t 30 tp-production-worker-9c0d1e2f",
            `exec tp-production-db-backup pg-restore.sh ${ID} api`,
            "start tp-production-api-1a2b3c4d",
            "start tp-production-web-5e6f7a8b",
            "start tp-production-worker-9c0d1e2f",
            "exec tp-production-api-1a2b3c4d npm run migrate",
        ]);
        assert.strictEqual(d.calls.filter((c) => c.startsWith("inspect ")).length, 3);
    });

    it("a missing, truncated or corrupt backup (the scratch restore fails) stops nothing", async () => {
        const d = fakeDocker({ check: 1 });
        await assert.rejects(restore(model(), d, { env: "production", backup: ID }, quiet), /missing or does not restore cleanly .*nothing was changed/);
        assert.ok(!d.calls.some((c) => c.startsWith("stop")));
    });

    it("a failed restore leaves the apps stopped and says how to go back to the safety backup", async () => {
        const d = fakeDocker({ restore: 3 });
        await assert.rejects(
            restore(model(), d, { env: "production", backup: ID }, quiet),
            (e: Error) => e instanceof OpsError && /npm run ops -- restore --stack test --env production --service db --backup api-safety-20261122T101010Z/.test(e.message),
        );
        assert.ok(!d.calls.some((c) => c.startsWith("start")));
    });

    it("with an identity: fetches the off-host copy first, the key only on stdin, then the same runbook", async () => {
        const d = fakeDocker();
        const inputs: (string | undefined)[] = [];
        const run = d.run.bind(d);
        d.run = (args, input) => (inputs.push(input), run(args, input));
        const key = "AGE-SECRET-KEY-1QQQ";
        await restore(model(), d, { env: "production", backup: ID, identity: key }, quiet);
        const steps = d.calls.filter((c) => !c.startsWith("ps ") && !c.startsWith("inspect "));
        assert.strictEqual(steps[0], `exec -i tp-production-db-backup pg-backup.sh fetch ${ID}`);
        assert.strictEqual(steps[1], `exec tp-production-db-backup pg-verify.sh /backups/api/${ID}.dump`);
        assert.strictEqual(inputs[d.calls.indexOf(steps[0])], key);
        assert.ok(!d.calls.some((c) => c.includes(key)), "the key is never on a command line");
    });

    it("names what is wrong with the arguments", async () => {
        const d = fakeDocker();
        await assert.rejects(restore(model(), d, { env: "staging", backup: ID }, quiet), /environment 'staging' has no postgres service/);
        await assert.rejects(restore(model(), d, { env: "production", backup: "yesterday" }, quiet), /backup id 'yesterday' is not of the form/);
        await assert.rejects(restore(model(), d, { env: "production", backup: "web-hourly-20261122T090000Z" }, quiet), /database 'web' belongs to no app of production\/db; its apps: api/);
        assert.deepStrictEqual(d.calls, []);
    });
});
