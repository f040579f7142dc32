// The e2e stack's compose rendering on the real engine: `docker-compose up -d`, every container
// healthy (jobs exited 0) within a bounded wait, the demo app answering through the proxy, then
// `down -v` leaves nothing behind. Its own project name; it publishes the e2e stack's ports
// (18080/18443), so by hand run it under `flock /tmp/hostplane-e2e.lock`.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeComposeBundle } from "../../cli/compose";
import { fromStackFile, stackFile } from "../../config/sources";
import { loadPlatformModel } from "../../config/validate";
import { compose, containersMatching, projectFilter, waitHealthy } from "../../lib/compose-run";
import { renderCompose } from "../../render/compose";

const PROJECT = "hpcompose-e2e";

describe("e2e: the compose rendering of the e2e stack on the real engine (docker-compose 1.29)", function () {
    this.timeout(6 * 60 * 1000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-compose-e2e-"));
    const p = { dir, project: PROJECT };
    let services = 0;

    before(function () {
        for (const [tool, args] of [["docker-compose", ["version"]], ["docker", ["info"]]] as const) {
            try {
                execFileSync(tool, args, { stdio: "ignore" });
            } catch {
                const why = `${tool} is not usable (apt-get install -y docker-compose; scripts/docker-engine.sh)`;
                if (process.env.CI === "true") throw new Error(why);
                console.log(`      skipped: ${why}`);
                this.skip();
            }
        }
        const bundle = renderCompose(loadPlatformModel(fromStackFile(stackFile("e2e"))));
        assert.deepStrictEqual(writeComposeBundle(bundle, dir).missing, []);
        services = compose(p, "config", "--services").trim().split("\n").length;
    });

    after(function () {
        try {
            compose(p, "down", "-v", "--remove-orphans", "-t", "5");
        } catch (e) {
            console.error("compose down failed:", (e as Error).message);
        }
    });

    it("up -d: every container healthy and every job done within 4 minutes", async () => {
        compose(p, "up", "-d");
        const ms = await waitHealthy(projectFilter(PROJECT), services, 4 * 60 * 1000);
        console.log(`      all ${services} healthy ${ms} ms after up returned`);
    });

    it("the demo app answers through the proxy (https, self-signed) and the worker on its loopback port", () => {
        const body = execFileSync("curl", ["-fsSk", "--max-time", "5", "--resolve", "e2e.localhost:18443:127.0.0.1", "https://e2e.localhost:18443/"], { encoding: "utf8" });
        const json = JSON.parse(body);
        assert.strictEqual(json.version, "1");
        // Its own secret and the connection settings of the services it depends on, readable by the app user.
        assert.deepStrictEqual(json.secrets, ["AMQP_URL", "DATABASE_URL", "REDIS_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "SESSION_SECRET"]);
        assert.strictEqual(execFileSync("curl", ["-fsS", "--max-time", "5", "http://127.0.0.1:18002/health"], { encoding: "utf8" }).trim(), "ok");
    });

    it("down -v removes every container, network and volume of the project", () => {
        compose(p, "down", "-v", "-t", "5");
        assert.deepStrictEqual(containersMatching(projectFilter(PROJECT)), []);
        const left = (cmd: string[]) => execFileSync("docker", [...cmd, "-q", "--filter", `label=com.docker.compose.project=${PROJECT}`], { encoding: "utf8" }).trim();
        assert.strictEqual(left(["network", "ls"]), "");
        assert.strictEqual(left(["volume", "ls"]), "");
    });
});
