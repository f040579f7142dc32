// The reviewer/CI entry points, run as a user runs them: `npm run validate|render|graph`.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoPath, STACKS } from "./fixtures";

function npm(...args: string[]) {
    const r = spawnSync("npm", ["run", "--silent", ...args], { cwd: repoPath(), encoding: "utf8", env: { ...process.env, npm_config_loglevel: "error" } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr.split("\n").filter((l) => !l.includes("npm warn")).join("\n") };
}

describe("CLI", function () {
    this.timeout(180000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-cli-"));

    for (const stack of STACKS) {
        it(`validate --stack ${stack} exits 0 with a summary`, () => {
            const r = npm("validate", "--", "--stack", stack);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`^stack ${stack}: valid`));
        });
    }

    it("validate --config on a bad file exits 1 with every error and no stack trace", () => {
        const file = path.join(tmp, "Pulumi.bad.yaml");
        fs.writeFileSync(
            file,
            `config:
  hostplane:host: { provider: local }
  hostplane:environments:
    dev:
      kind: development
      domain: localhost
      apps:
        api: { image: "x/api:1", port: 8000, healthcheck: { path: /h }, cpus: 1, memory: 2GB, dependsOn: [db] }
`,
        );
        const r = npm("validate", "--", "--config", file);
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /1 problem\n  - hostplane:environments\.dev\.apps\.api\.memory: got "2GB"/);
        assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
    });

    it("validate without a stack explains usage and exits 1", () => {
        const r = npm("validate");
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /missing --stack <name> or --config <file>\nusage:/);
    });

    it("render writes the host files in the on-host layout", () => {
        const out = path.join(tmp, "render");
        const r = npm("render", "--", "--stack", "production", "--out", out);
        assert.strictEqual(r.code, 0, r.stderr);
        const manifest = JSON.parse(fs.readFileSync(path.join(out, "opt/hostplane/manifest.json"), "utf8"));
        assert.deepStrictEqual(manifest.environments.map((e: any) => e.name), ["production"]);
        assert.ok(!fs.readFileSync(path.join(out, "opt/hostplane/manifest.json"), "utf8").includes("secure"));
    });

    it("graph --format json prints resources with secrets masked", () => {
        const r = npm("graph", "--", "--stack", "staging", "--format", "json");
        assert.strictEqual(r.code, 0, r.stderr);
        const g = JSON.parse(r.stdout);
        const container = g.resources.find((x: any) => x.name === "shop-staging-api-container");
        assert.deepStrictEqual(Object.keys(container).sort(), ["dependsOn", "inputs", "name", "parent", "type"]);
        assert.ok(container.inputs.uploads.every((u: any) => u.content === "[secret]"));
        assert.doesNotMatch(r.stdout, /mockpw|mocksecret/);
    });

    it("graph --format mermaid prints a flowchart of components and edges", () => {
        const r = npm("graph", "--", "--stack", "local", "--format", "mermaid");
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /^flowchart LR\n/);
        assert.match(r.stdout, /hp_dev_api --> hp_dev_web_container/);
    });
});
