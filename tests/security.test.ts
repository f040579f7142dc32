// Findings of the security review (issue 16) that are not plain config validation: each test
// here failed on the code before its fix. Config mistakes are in validation.test.ts.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildModel } from "../config/model";
import { StackConfig } from "../config/schema";
import { loadPlatformModel } from "../config/validate";
import { envFileContent } from "../render/migration";
import { migrationCall } from "../components/migration";
import { baseConfig, sourceOf, stackGraph } from "./fixtures";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "hp-sec-"));

describe("security: the migration job keeps app env out of the local shell", () => {
    it("example stacks: the local command's environment holds DOCKER_HOST only, env and secrets come on (secret) stdin", async () => {
        for (const stack of ["production", "e2e"]) {
            const g = await stackGraph(stack);
            const jobs = g.resources.filter((r) => r.name.endsWith("-migrate"));
            assert.ok(jobs.length > 0, stack);
            for (const j of jobs) {
                const i = j.inputs as any;
                assert.deepStrictEqual(Object.keys(i.environment), ["DOCKER_HOST"], `${j.name} environment`);
                assert.strictEqual(i.stdin, "[secret]", `${j.name} stdin`);
                assert.doesNotMatch(String(i.create), /(^|\s)-e\s/, "no -e NAME taken from the local environment");
            }
        }
    });

    it("runs for real: values reach docker only through a 0600 env file, literally, and the file is gone afterwards", function () {
        const dir = tmp();
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        const marker = path.join(dir, "pwned");
        // A fake docker CLI: records its arguments, the env file's mode and content, and its own environment.
        fs.writeFileSync(
            path.join(bin, "docker"),
            `#!/bin/bash
f=""; prev=""; for a in "$@"; do [ "$prev" = "--env-file" ] && f="$a"; prev="$a"; done
printf '%s\\n' "$@" > ${dir}/args
stat -c %a "$f" > ${dir}/mode; cp "$f" ${dir}/envfile; echo "$f" > ${dir}/path
env > ${dir}/environ
echo migrated
`,
            { mode: 0o755 },
        );
        const cfg = baseConfig();
        cfg.environments.production.apps.api.env = { GREETING: `$(touch ${marker})`, QUOTED: "it's \"fine\"" };
        cfg.environments.production.apps.api.migration = { command: ["npm", "run", "migrate"] };
        const app = loadPlatformModel(sourceOf(cfg)).environments[0].apps.find((a) => a.name === "api")!;
        const stdin = envFileContent("api", [...Object.entries(app.env), ["STRIPE_API_KEY", "sk_live_$(id)"]]);
        const out = execFileSync("/bin/bash", ["-c", migrationCall(app, "tp_production_network")], {
            input: stdin,
            env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, DOCKER_HOST: "unix:///nonexistent.sock" },
        }).toString();
        assert.match(out, /migrated/);
        assert.ok(!fs.existsSync(marker), "a value was executed");
        assert.strictEqual(fs.readFileSync(path.join(dir, "mode"), "utf8").trim(), "600");
        assert.strictEqual(fs.readFileSync(path.join(dir, "envfile"), "utf8"), `GREETING=$(touch ${marker})\nQUOTED=it's "fine"\nSTRIPE_API_KEY=sk_live_$(id)\n`);
        assert.ok(!fs.existsSync(fs.readFileSync(path.join(dir, "path"), "utf8").trim()), "env file removed");
        const environ = fs.readFileSync(path.join(dir, "environ"), "utf8");
        assert.doesNotMatch(environ, /GREETING|STRIPE_API_KEY|QUOTED/);
        assert.match(fs.readFileSync(path.join(dir, "args"), "utf8"), /^--env-file$/m);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses a value with a line break by name, without printing it", () => {
        assert.throws(() => envFileContent("api", [["TLS_KEY", "-----BEGIN\nsecret"]]), (e: Error) => /TLS_KEY contains a line break/.test(e.message) && !e.message.includes("secret"));
    });
});

describe("security: the HTTP health check is no shell code", () => {
    it("a path with shell syntax (past validation) is passed as data: the check fails against a closed port", () => {
        const raw = StackConfig.parse({ ...baseConfig() });
        const parsed = { ...raw, host: raw.host! };
        parsed.environments.production.apps.api.healthcheck.path = "/health; true #";
        parsed.environments.production.apps.api.port = 1; // nothing listens on 127.0.0.1:1
        const api = buildModel(parsed, "hostplane", "test").environments[0].apps.find((a) => a.name === "api")!;
        const test = api.healthcheck.test;
        // Run it the way Docker does: CMD-SHELL through `sh -c`, CMD as an argv.
        const r = test[0] === "CMD-SHELL" ? spawnSync("/bin/sh", ["-c", test[1]]) : spawnSync(test[1], test.slice(2));
        assert.notStrictEqual(r.status, 0, `health check ${JSON.stringify(test)} passed with nothing listening`);
        assert.strictEqual(test[0], "CMD");
    });
});

describe("security: a stack file that is no stack config gets a clear error, fast", () => {
    const { fromStackFile } = require("../config/sources") as typeof import("../config/sources");
    const { ConfigError } = require("../config/errors") as typeof import("../config/errors");
    const messageOf = (content: string | Buffer): string => {
        const dir = tmp();
        const file = path.join(dir, "Pulumi.bad.yaml");
        fs.writeFileSync(file, content);
        try {
            fromStackFile(file, "hostplane");
            return "(accepted)";
        } catch (e) {
            assert.ok(e instanceof ConfigError, String(e));
            return e.issues.map((i) => i.message).join("; ");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };
    const NOT = "is not a stack config; expected a YAML map with a `config:` map of namespace:key to value, like Pulumi.<stack>.yaml";

    it("a YAML list, a scalar, a list under config: and a binary file", () => {
        assert.strictEqual(messageOf("- a\n- b\n"), NOT);
        assert.strictEqual(messageOf("just text\n"), NOT);
        assert.strictEqual(messageOf("config:\n  - hostplane:host\n"), NOT);
        assert.strictEqual(messageOf(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff])), NOT);
    });

    it("a 5 MB config with 60k keys is refused by size in well under a second", () => {
        const lines = ["config:", "  hostplane:environments:"];
        for (let i = 0; i < 60000; i++) lines.push(`    env${i}: { kind: development, domain: e${i}.example.com, apps: {}, services: {}, portOffset: 0 }`);
        assert.ok(lines.join("\n").length > 5 * 1000 * 1000);
        const started = Date.now();
        assert.match(messageOf(lines.join("\n")), /^is \d+ bytes; expected a stack config of at most 1048576 bytes$/);
        assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
    });
});

describe("security: containers run with no-new-privileges", () => {
    for (const stack of ["local", "staging", "production", "e2e"])
        it(`stack ${stack}: every container sets securityOpts no-new-privileges:true`, async () => {
            const g = await stackGraph(stack);
            const containers = g.resources.filter((r) => r.type === "docker:index/container:Container");
            assert.ok(containers.length > 3);
            for (const c of containers) assert.deepStrictEqual((c.inputs as any).securityOpts, ["no-new-privileges:true"], c.name);
        });
});
