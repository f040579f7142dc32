// Day-2 operator commands. status and logs run the real docker CLI against recorded Docker Engine
// API responses (tests/fixtures/docker-api/ops.json, recorded from Debian's docker.io 20.10, API
// 1.41, with tests/support/docker-api-replay.ts); rollback's choice of image is checked against
// stack-history records shaped like the Automation API's UpdateSummary.
import * as assert from "assert";
import * as path from "path";
import { dockerCli, OpsError } from "../cli/ops/docker";
import { logs, pickContainer } from "../cli/ops/logs";
import { imageConfigPath, imageHistory, previousImage } from "../cli/ops/rollback";
import { formatTable, humanDuration, status } from "../cli/ops/status";
import { loadPlatformModel } from "../config/validate";
import { baseConfig, sourceOf } from "./fixtures";
import { replay, ReplayServer } from "./support/docker-api-replay";
import { haveCommand, requireTool } from "./support/tools";

const RECORDED = path.join(__dirname, "fixtures/docker-api/ops.json");
// The recording: api running and healthy, worker crash-looped (exit 3, restart on-failure:3), and a
// staging db whose health check fails. The model (baseConfig, stack "test") also declares
// production/web and staging/api, which have no container.
const RECORDED_AT = new Date("2026-11-23T01:29:00Z");

describe("ops status and logs (real docker CLI, recorded Engine API)", function () {
    this.timeout(30000);
    let server: ReplayServer;
    const model = loadPlatformModel(sourceOf(baseConfig()));

    before(async function () {
        requireTool(this, haveCommand("docker"), "docker CLI", "apt-get install docker.io");
        server = await replay(RECORDED);
    });
    after(async () => server && (await server.close()));
    afterEach(() => assert.deepStrictEqual(server.unexpected(), [], "the CLI asked for something that was not recorded"));

    it("lists every container with health, image, uptime and restarts, and the declared service with none", () => {
        const r = status(model, dockerCli(server.dockerHost), {}, RECORDED_AT);
        const brief = r.rows.map((x) => `${x.env}/${x.service} ${x.state} ${x.health} restarts=${x.restarts}`);
        assert.deepStrictEqual(brief, [
            "production/api running healthy restarts=0",
            "production/worker exited unhealthy restarts=3",
            "staging/db running unhealthy restarts=0",
            "production/web missing - restarts=0",
            "staging/api missing - restarts=0",
        ]);
        const api = r.rows[0];
        assert.strictEqual(api.container, "tp-production-api-1a2b3c4d");
        assert.strictEqual(api.image, "hostplane-e2e/demo-app:1");
        assert.match(api.uptime, /^\d+s$/);
        assert.strictEqual(r.ok, false);
        const table = formatTable(r.rows).split("\n");
        assert.match(table[0], /^ENV\s+SERVICE\s+CONTAINER\s+IMAGE\s+STATE\s+HEALTH\s+UPTIME\s+RESTARTS$/);
        assert.strictEqual(table.length, 6);
    });

    it("logs: finds the service's container by its labels and shows both streams", () => {
        const out: string[] = [];
        const d = dockerCli(server.dockerHost);
        // attach would hand the terminal over; capture instead, through the same CLI.
        const capture = { ...d, attach: (args: string[]) => (out.push(...Object.values(d.run(args)).slice(1).map(String)), 0) };
        assert.strictEqual(logs(model, capture, { service: "worker", env: "production" }), 0);
        const text = out.join("");
        assert.strictEqual((text.match(/starting worker/g) ?? []).length, 4, "one line per start: the first run and three restarts");
        assert.match(text, /^\S+Z boom$/m, "stderr with timestamps");
    });

    it("logs: names the services that exist when asked for one that does not", () => {
        assert.throws(
            () => logs(model, dockerCli(server.dockerHost), { service: "wrker" }),
            (e: Error) => e instanceof OpsError && /no container of service 'wrker' in stack test; services with containers: api, db, worker/.test(e.message),
        );
    });

    it("status: an unknown environment is an error naming the known ones", () => {
        assert.throws(() => status(model, dockerCli(server.dockerHost), { env: "prod" }), /unknown environment 'prod' in stack test; expected one of production/);
    });
});

describe("ops logs: which container", () => {
    const model = loadPlatformModel(sourceOf(baseConfig()));
    const c = (name: string, env: string, running: boolean, created: string) => ({
        Name: `/${name}`,
        Created: created,
        State: { Running: running },
        Config: { Labels: { "hostplane.service": "api", "hostplane.environment": env } },
    });

    it("prefers the running revision over a newer stopped one", () => {
        const got = pickContainer(model, [c("api-old", "production", true, "2026-11-01T00:00:00Z"), c("api-new", "production", false, "2026-11-02T00:00:00Z")], "api");
        assert.strictEqual(got, "api-old");
    });

    it("asks for --env when the service runs in several environments", () => {
        assert.throws(() => pickContainer(model, [c("a", "production", true, "2026-11-01T00:00:00Z"), c("b", "staging", true, "2026-11-01T00:00:00Z")], "api"), /several environments \(production, staging\): pass --env/);
    });

    it("formats uptimes with their two largest units", () => {
        assert.deepStrictEqual([0, 59, 90, 3600, 93784].map(humanDuration), ["0s", "59s", "1m30s", "1h", "1d2h"]);
    });
});

describe("ops rollback: the previous image from the stack's history", () => {
    const envs = (image: string) => ({ "hostplane:environments": { value: JSON.stringify({ production: { apps: { api: { image }, web: { image: "web:1" } } } }), secret: false } });
    const update = (version: number, image: string, result = "succeeded", kind = "update") => ({ version, kind, result, config: envs(image) }) as any;
    const history = [update(6, "api:1.4.0"), update(5, "api:1.4.0", "failed"), update(7, "api:1.5.0", "failed"), update(4, "api:1.3.2"), update(3, "api:1.3.2"), update(2, "api:1.3.1", "succeeded", "refresh"), update(1, "api:1.3.0")];

    it("collapses repeats and skips failed updates and non-updates, newest first", () => {
        assert.deepStrictEqual(imageHistory(history, "production", "api"), [
            { version: 6, image: "api:1.4.0" },
            { version: 4, image: "api:1.3.2" },
            { version: 1, image: "api:1.3.0" },
        ]);
    });

    it("goes back to the last image that differs from the running one", () => {
        assert.deepStrictEqual(previousImage(history, "production", "api", "api:1.4.0"), { version: 4, image: "api:1.3.2" });
        // A failed deploy of 1.5.0 left the config at 1.5.0: roll back to what last succeeded.
        assert.deepStrictEqual(previousImage(history, "production", "api", "api:1.5.0"), { version: 6, image: "api:1.4.0" });
    });

    it("says why when there is nothing to roll back to", () => {
        assert.throws(() => previousImage(history, "production", "web", "web:1"), /every successful update ran production\/web with web:1: nothing to roll back to/);
        assert.throws(() => previousImage(history, "staging", "api", "api:1"), /no successful update of the stack recorded an image for staging\/api/);
    });

    it("sets the image by its config path", () => {
        assert.strictEqual(imageConfigPath("production", "api"), "hostplane:environments.production.apps.api.image");
    });
});
