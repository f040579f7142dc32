// The compose rendering (render/compose.ts): for every example stack, each container the Pulumi
// program creates (under mocks) has a compose service with the same image, command, entrypoint,
// user, env, secret-file paths, health check, limits, aliases, ports and labels; one-shot jobs
// order what hostplane runs with docker exec; no secret value reaches the compose file; and
// Debian's docker-compose 1.29 accepts every rendered file (`config`).
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { writeComposeBundle } from "../cli/compose";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { dockerDuration } from "../config/units";
import type { GraphResource } from "../lib/graph";
import { renderCompose } from "../render/compose";
import type { ComposeService } from "../render/compose/types";
import { stackGraph } from "./fixtures";
import { haveCommand, requireTool } from "./support/tools";

const STACKS = ["e2e", "local", "staging", "production"];
type Labels = { label: string; value: string }[];
const key = (labels: Record<string, string>) => `${labels["hostplane.environment"] ?? ""}/${labels["hostplane.service"]}`;
const unescape = (v: unknown): unknown => (typeof v === "string" ? v.replace(/\$\$/g, "$") : Array.isArray(v) ? v.map(unescape) : v);

function bundleDir(stack: string): { dir: string; compose: { services: Record<string, ComposeService> }; text: string } {
    const model = loadPlatformModel(fromStackFile(stackFile(stack)));
    const bundle = renderCompose(model);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hostplane-compose-${stack}-`));
    for (const v of bundle.values)
        if ("fromConfig" in v.source) {
            fs.mkdirSync(path.join(dir, "secrets/config"), { recursive: true });
            fs.writeFileSync(path.join(dir, "secrets/config", v.source.fromConfig), `test-value-${v.source.fromConfig}`);
        }
    const r = writeComposeBundle(bundle, dir);
    assert.deepStrictEqual(r.missing, []);
    return { dir, compose: parse(bundle.composeFile, { version: "1.1" }), text: bundle.composeFile };
}

function compareContainer(c: GraphResource, svc: ComposeService, where: string): void {
    const i = c.inputs as Record<string, any>;
    // The program pins registry images to repo@sha256:… (components/images.ts); compose keeps the tag.
    const pinned = /^(.+)@sha256:[0-9a-f]{64}$/.exec(i.image);
    if (pinned) assert.strictEqual(svc.image.replace(/:[^:/]+$/, ""), pinned[1], `${where}: image repository`);
    else assert.strictEqual(svc.image, i.image, `${where}: image`);
    assert.deepStrictEqual(unescape(svc.command), i.command, `${where}: command`);
    assert.deepStrictEqual(unescape(svc.entrypoint), i.entrypoints, `${where}: entrypoint`);
    assert.strictEqual(svc.user, i.user, `${where}: user`);
    // Plain env is identical; env delivered as secrets (RabbitMQ, MinIO, S3 keys) comes from an env_file.
    const env = ((unescape(svc.environment) as string[]) ?? []).sort();
    const plain = ((i.envs ?? []) as string[]).filter((e) => e !== "[secret]").sort();
    assert.deepStrictEqual(env.filter((e) => !plain.includes(e)), [], `${where}: env not in the program`);
    if (plain.some((e) => !env.includes(e)) || (i.envs ?? []).includes("[secret]")) assert.ok(svc.env_file?.length, `${where}: secret env without env_file`);
    const h = i.healthcheck;
    assert.deepStrictEqual(unescape(svc.healthcheck?.test), h.tests, `${where}: health test`);
    assert.deepStrictEqual([svc.healthcheck?.interval, svc.healthcheck?.timeout, svc.healthcheck?.retries, svc.healthcheck?.start_period], [h.interval, h.timeout, h.retries, h.startPeriod].map((x, n) => (n === 2 ? x : dockerDuration(x))), `${where}: health timing`);
    assert.strictEqual(svc.mem_limit, `${i.memory}m`, `${where}: memory`);
    assert.strictEqual(svc.memswap_limit, `${i.memorySwap}m`, `${where}: swap`);
    assert.strictEqual(String(svc.cpus), String(Number(i.cpus)), `${where}: cpus`);
    assert.strictEqual(svc.restart, i.restart, `${where}: restart`);
    // The revision alias (<alias>-<revision>, the proxy's cutover target) has no compose counterpart,
    // like the hostplane.revision label: compose runs one container per service.
    const revision = (i.labels as Labels).find((l) => l.label === "hostplane.revision")?.value;
    const aliases = (i.networksAdvanced ?? []).flatMap((n: any) => n.aliases ?? []).filter((a: string) => !revision || !a.endsWith(`-${revision}`)).sort();
    assert.deepStrictEqual(Object.values(svc.networks ?? {}).flatMap((n) => n?.aliases ?? []).sort(), aliases, `${where}: aliases`);
    assert.strictEqual(Object.keys(svc.networks ?? {}).length, (i.networksAdvanced ?? []).length, `${where}: networks`);
    assert.deepStrictEqual((svc.ports ?? []).sort(), (i.ports ?? []).map((p: any) => `${p.ip.includes(":") ? `[${p.ip}]` : p.ip}:${p.external}:${p.internal}`).sort(), `${where}: ports`);
    const targets = (svc.volumes ?? []).map((v) => v.split(":")[1]);
    for (const u of i.uploads ?? []) assert.ok(targets.includes(u.file), `${where}: secret/config file ${u.file} not mounted`);
    for (const m of i.mounts ?? []) assert.ok(targets.includes(m.target), `${where}: mount ${m.target} missing`);
    // Program-only labels: the revision (replacement name) and the proxy's ports (its Pulumi diff).
    const labels = Object.fromEntries((i.labels as Labels).filter((l) => l.label !== "hostplane.revision" && l.label !== "hostplane.ports").map((l) => [l.label, l.value]));
    assert.deepStrictEqual(svc.labels, labels, `${where}: labels`);
}

describe("compose rendering: same containers as the program", function () {
    for (const stack of STACKS)
        it(`${stack}: every container has its compose service, every compose service a container or a job`, async () => {
            const graph = await stackGraph(stack);
            const { compose } = bundleDir(stack);
            const containers = graph.resources.filter((r) => r.type === "docker:index/container:Container");
            const byKey = new Map(Object.entries(compose.services).filter(([, s]) => s.labels["hostplane.kind"] !== "job").map(([n, s]) => [key(s.labels), { n, s }]));
            for (const c of containers) {
                const labels = Object.fromEntries((c.inputs.labels as Labels).map((l) => [l.label, l.value]));
                const svc = byKey.get(key(labels));
                assert.ok(svc, `${stack}: no compose service for ${c.name} (${key(labels)})`);
                compareContainer(c, svc.s, `${stack} ${svc.n}`);
                byKey.delete(key(labels));
            }
            assert.deepStrictEqual([...byKey.keys()], [], "compose services without a container");
        });

    it("orders like the program: apps after their data services (healthy) and migrations (completed)", () => {
        const { compose } = bundleDir("e2e");
        const worker = compose.services["e2e-worker"];
        assert.deepStrictEqual(worker.depends_on, {
            "e2e-demo": { condition: "service_healthy" },
            "e2e-postgres": { condition: "service_healthy" },
            "e2e-postgres-roles": { condition: "service_completed_successfully" },
            "e2e-postgres-pgbouncer": { condition: "service_healthy" },
            "e2e-redis": { condition: "service_healthy" },
            "e2e-worker-migrate": { condition: "service_completed_successfully" },
        });
        assert.deepStrictEqual(compose.services["e2e-postgres-pgbouncer"].depends_on, { "e2e-postgres-roles": { condition: "service_completed_successfully" } });
        assert.deepStrictEqual(compose.services["e2e-postgres-roles"].depends_on, { "e2e-postgres": { condition: "service_healthy" } });
        assert.strictEqual(compose.services["e2e-postgres-roles"].restart, "no");
    });

    it("secrets: generated once into secrets/ (0700), kept across renders, never in the compose file", () => {
        const { dir, text } = bundleDir("e2e");
        assert.strictEqual(fs.statSync(path.join(dir, "secrets")).mode & 0o777, 0o700);
        const valueFile = path.join(dir, "secrets/values/e2e/demo/SESSION_SECRET");
        const before = fs.readFileSync(valueFile, "utf8");
        assert.match(before, /^[A-Za-z0-9]{32}$/);
        writeComposeBundle(renderCompose(loadPlatformModel(fromStackFile(stackFile("e2e")))), dir);
        assert.strictEqual(fs.readFileSync(valueFile, "utf8"), before, "a second render keeps the generated value");
        const url = fs.readFileSync(path.join(dir, "secrets/apps/e2e-worker/DATABASE_URL"), "utf8");
        assert.match(url, /^postgresql:\/\/worker:[A-Za-z0-9]{32}@e2e-postgres-pgbouncer:6432\/worker$/);
        const secretFiles = execFileSync("find", [path.join(dir, "secrets/values"), "-type", "f"], { encoding: "utf8" }).trim().split("\n");
        for (const f of secretFiles) assert.ok(!text.includes(fs.readFileSync(f, "utf8")), `${f}'s value is in the compose file`);
        const mode = fs.statSync(path.join(dir, "secrets/data/e2e-postgres/POSTGRES_PASSWORD")).mode & 0o777;
        assert.strictEqual(mode, process.getuid?.() === 0 ? 0o400 : 0o444);
    });

    it("a user-set secret that is missing is named, and nothing is half-written", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-compose-missing-"));
        const r = writeComposeBundle(renderCompose(loadPlatformModel(fromStackFile(stackFile("staging")))), dir);
        assert.ok(r.missing.includes("secrets/config/stripeTestKey"), r.missing.join(", "));
        assert.ok(!fs.existsSync(path.join(dir, "secrets/apps")));
    });

    describe("docker-compose 1.29 config accepts every rendered file", function () {
        before(function () {
            requireTool(this, haveCommand("docker-compose", ["version"]), "docker-compose", "apt-get install -y docker-compose");
        });
        for (const stack of STACKS)
            it(stack, () => {
                const { dir } = bundleDir(stack);
                execFileSync("docker-compose", ["-p", "hpcompose-config", "config", "-q"], { cwd: dir, stdio: ["ignore", "inherit", "pipe"] });
            });
    });
});
