// The PR comment (lib/pr-comment, cli/pr-comment.ts): the resource changes of a preview, a unified
// diff of every rendered host file against the base branch (real renders of the staging stack),
// the cut at GitHub's 65,536-character limit, and secrets never shown.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { readTree } from "../cli/pr-comment";
import { GITHUB_COMMENT_LIMIT, marker, prComment, redact } from "../lib/pr-comment/comment";
import { diffRenders, FileDiff } from "../lib/pr-comment/files";
import { policySection } from "../lib/pr-comment/policies";
import { summarizePreview } from "../lib/pr-comment/resources";
import { renderHostFiles } from "../render";
import { repoPath } from "./fixtures";

const C = "docker:index/container:Container";
const urn = (type: string, name: string) => `urn:pulumi:staging::hostplane::hostplane:index:Platform$${type}::${name}`;
/** A `pulumi preview --json` document the way the CLI writes it (the fields we read). */
const PREVIEW = JSON.stringify({
    steps: [
        { op: "same", urn: urn(C, "shop-staging-web"), newState: { type: C, custom: true } },
        { op: "create", urn: urn(C, "shop-staging-worker"), newState: { type: C, custom: true, inputs: { envs: ["TOKEN=[secret]"] } } },
        { op: "update", urn: urn("command:remote:Command", "shop-proxy-config"), newState: { type: "command:remote:Command", custom: true }, detailedDiff: { "triggers[0]": { kind: "update" }, stdin: { kind: "update" } } },
        { op: "create-replacement", urn: urn(C, "shop-staging-api"), newState: { type: C, custom: true } },
        { op: "replace", urn: urn(C, "shop-staging-api"), newState: { type: C, custom: true }, diffReasons: ["image"] },
        { op: "delete-replaced", urn: urn(C, "shop-staging-api"), oldState: { type: C, custom: true } },
        { op: "delete", urn: urn("docker:index/volume:Volume", "shop-old-data"), oldState: { type: "docker:index/volume:Volume", custom: true } },
        { op: "create", urn: urn("hostplane:app:App", "shop-staging-worker"), newState: { type: "hostplane:app:App", custom: false } },
    ],
    diagnostics: [
        { urn: urn(C, "shop-staging-worker"), severity: "error", message: "shop-staging-worker sets SMTP_PASSWORD to a plain value" },
        { severity: "warning", message: "a warning the comment leaves out" },
    ],
    changeSummary: { create: 2, update: 1, replace: 1, delete: 1, same: 40 },
});

/** The staging stack's real render, and one where the api's route had a path prefix (its server block changes). */
function stagingRenders(): { base: Map<string, string>; head: Map<string, string> } {
    const head = fromStackFile(stackFile("staging"));
    const base = JSON.parse(JSON.stringify(head));
    base.values.environments.value.staging.apps.api.routes = [{ host: "api.staging.example.com", path: "/v1" }];
    const tree = (src: any) => new Map(renderHostFiles(loadPlatformModel(src)).map((f) => [f.path.replace(/^\//, ""), f.content] as [string, string]));
    return { base: tree(base), head: tree(head) };
}

describe("PR comment: resource changes", () => {
    it("lists every changed resource once with its op and changed inputs; unchanged and component steps are left out", () => {
        const s = summarizePreview(PREVIEW);
        assert.deepStrictEqual(
            s.changes.map((c) => `${c.op} ${c.name} ${c.keys.join(",")}`),
            ["update shop-proxy-config stdin,triggers", "replace shop-staging-api image", "create shop-staging-worker ", "delete shop-old-data "],
        );
        assert.deepStrictEqual(s.errors, ["shop-staging-worker: shop-staging-worker sets SMTP_PASSWORD to a plain value"]);
        const body = prComment({ stack: "staging", previewOk: false, resources: s, files: [] });
        assert.ok(body.startsWith(`${marker("staging")}\n`), "the marker the workflow finds its comment by");
        assert.match(body, /\*\*The preview failed\*\*/);
        assert.match(body, /\*\*Resources:\*\* 2 to create, 1 to update, 1 to replace, 1 to delete, 40 unchanged/);
        assert.match(body, /```diff\n~  update  command:remote:Command  shop-proxy-config  \(stdin, triggers\)\n\+- replace docker:index\/container:Container  shop-staging-api  \(image\)\n/);
        assert.match(body, /> shop-staging-worker: shop-staging-worker sets SMTP_PASSWORD to a plain value/);
        assert.doesNotMatch(body, /a warning the comment leaves out|shop-staging-web/);
        assert.match(body, /no rendered host file changes/);
    });
});

describe("PR comment: policy results (from the human-readable preview; --json leaves them out)", () => {
    // As `pulumi preview --policy-pack policy` prints a mandatory violation (e2e/hcloud/policy.test.ts).
    const OUTPUT = [
        " +  pulumi:pulumi:Stack hostplane-staging create 1 error",
        "\x1b[1mPolicies:\x1b[0m",
        "    ❌ hostplane@v0.1.0 (local: policy)",
        "        - [mandatory]  no-plaintext-secret-env  (docker:index/container:Container: shop-staging-api-container)",
        "          No secret-looking environment variable (PASSWORD, SECRET, TOKEN, KEY, DATABASE_URL…) carries a plain value.",
        "          shop-staging-api-container sets SMTP_PASSWORD to a plain value: deliver it as a secret file",
        "",
        "Diagnostics:",
        "  hcloud:index:PrimaryIp (shop-host-ipv4):",
        "    warning: not a policy line",
    ].join("\n");

    it("takes the Policies: section, without colours, up to the next heading, and puts it first in the comment", () => {
        const lines = policySection(OUTPUT);
        assert.strictEqual(lines.length, 4);
        assert.strictEqual(lines[0], "    ❌ hostplane@v0.1.0 (local: policy)");
        assert.ok(!lines.join("\n").includes("not a policy line"));
        const body = prComment({ stack: "staging", previewOk: false, resources: summarizePreview(PREVIEW), policies: lines, files: [] });
        assert.match(body, /\*\*Policies:\*\*\n\n```\n    ❌ hostplane@v0\.1\.0 \(local: policy\)\n        - \[mandatory\]  no-plaintext-secret-env  \(docker:index\/container:Container: shop-staging-api-container\)/);
        assert.ok(body.indexOf("**Policies:**") < body.indexOf("**Resources:**"));
        assert.deepStrictEqual(policySection("Resources:\n    + 3 to create\n"), []);
    });
});

describe("PR comment: rendered host files against the base branch", function () {
    this.timeout(60000);
    it("a unified diff per changed file (the api's nginx server block, manifest.json), with a/ b/ headers and the changed lines", () => {
        const { base, head } = stagingRenders();
        const files = diffRenders(base, head);
        const nginx = files.find((f) => f.path.endsWith("proxy/conf.d/api.staging.example.com.conf"));
        assert.ok(nginx, `the api's server block differs: ${files.map((f) => f.path).join(", ")}`);
        assert.ok(files.some((f) => f.path.endsWith("manifest.json")), "the manifest lists the routes");
        assert.match(nginx.patch, /^--- a\/opt\/hostplane\/proxy\/conf\.d\/api\.staging\.example\.com\.conf\n\+\+\+ b\/opt\/hostplane\/proxy\/conf\.d\/api\.staging\.example\.com\.conf\n@@ /);
        assert.match(nginx.patch, /^-    location = \/v1 \{$/m);
        assert.match(nginx.patch, /^\+    location \/ \{$/m);
        assert.ok(nginx.added > 0 && nginx.removed > 0);
        // Files that did not change are not in the comment.
        assert.ok(files.length < head.size, `${files.length} of ${head.size} files differ`);
        const body = prComment({ stack: "staging", previewOk: true, resources: summarizePreview(PREVIEW), files });
        assert.ok(body.includes(`<details><summary><code>${nginx.path}</code> (changed, +${nginx.added} −${nginx.removed})</summary>`));
        assert.ok(body.includes(nginx.patch), "the whole patch is in the comment");
        assert.ok(body.length < GITHUB_COMMENT_LIMIT);
    });

    it("an added and a removed file (a render the base branch did not have)", () => {
        const files = diffRenders(new Map([["opt/hostplane/old.conf", "a\n"]]), new Map([["opt/hostplane/new.conf", "b\n"]]));
        assert.deepStrictEqual(files.map((f) => `${f.status} ${f.path} +${f.added} -${f.removed}`), ["added opt/hostplane/new.conf +1 -0", "removed opt/hostplane/old.conf +0 -1"]);
        assert.match(files[0].patch, /^--- \/dev\/null\n\+\+\+ b\/opt\/hostplane\/new\.conf/);
    });
});

describe("PR comment: GitHub's 65,536-character limit", () => {
    const big = (name: string, lines: number): FileDiff => {
        const before = Array.from({ length: lines }, (_, i) => `line ${i} of ${name} before, long enough to fill a comment quickly`).join("\n") + "\n";
        const after = before.replace(/before/g, "after");
        return diffRenders(new Map([[name, before]]), new Map([[name, after]]))[0];
    };

    it("shows what fits, cuts the first file that does not, lists the rest by name, and stays under the limit", () => {
        const files = [big("opt/hostplane/a.conf", 50), big("opt/hostplane/b.conf", 1500), big("opt/hostplane/c.conf", 600), big("opt/hostplane/d.conf", 10)];
        const body = prComment({ stack: "production", previewOk: true, resources: summarizePreview(PREVIEW), files, fullOutput: "the rendered-host-files artifact" });
        assert.ok(body.length <= GITHUB_COMMENT_LIMIT, `${body.length} characters`);
        assert.ok(body.length > GITHUB_COMMENT_LIMIT * 0.6, `it uses the room it has (${body.length})`);
        assert.ok(body.includes(files[0].patch), "a.conf whole");
        assert.match(body, /<code>opt\/hostplane\/b\.conf<\/code> \(changed, \+1500 −1500\) — cut: first \d+ of \d+ lines/);
        assert.match(body, /Not shown \(comment size limit; full diffs: the rendered-host-files artifact\):\n- `opt\/hostplane\/c\.conf` \(changed, \+600 −600\)\n- `opt\/hostplane\/d\.conf`/);
        // Every code fence is closed, every <details> too: the cut never leaves broken Markdown.
        assert.strictEqual((body.match(/^```/gm) ?? []).length % 2, 0);
        assert.strictEqual((body.match(/<details>/g) ?? []).length, (body.match(/<\/details>/g) ?? []).length);
    });

    it("a preview with thousands of changed resources is cut too, and the host files still get their share", () => {
        const steps = Array.from({ length: 4000 }, (_, i) => ({ op: "create", urn: urn(C, `shop-app-${i}-container-with-a-long-name`), newState: { type: C, custom: true } }));
        const body = prComment({ stack: "staging", previewOk: true, resources: summarizePreview(JSON.stringify({ steps, changeSummary: { create: 4000 } })), files: [big("opt/hostplane/x.conf", 20)] });
        assert.ok(body.length <= GITHUB_COMMENT_LIMIT);
        assert.match(body, /_\d+ more resource changes not shown \(comment size limit\)\._/);
        assert.match(body, /<code>opt\/hostplane\/x\.conf<\/code>/);
    });
});

describe("PR comment: secrets are never shown", () => {
    const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
    const TOKEN = "hcloud-token-0123456789abcdef";

    it("replaces every secret value, and each line of a key file, wherever it appears", () => {
        const files = diffRenders(new Map([["opt/hostplane/x.env", "A=1\n"]]), new Map([["opt/hostplane/x.env", `A=1\nT=${TOKEN}\nK=b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n`]]));
        const resources = summarizePreview(JSON.stringify({ steps: [], diagnostics: [{ severity: "error", message: `token ${TOKEN} rejected` }], changeSummary: {} }));
        const body = prComment({ stack: "staging", previewOk: false, resources, files, secrets: [TOKEN, KEY] });
        assert.ok(!body.includes(TOKEN) && !body.includes("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"), body);
        assert.match(body, /^\+T=\[secret\]$/m);
        assert.match(body, /token \[secret\] rejected/);
        assert.strictEqual(redact("short abc", ["abc"]), "short abc", "values under 4 characters are not secrets worth matching");
    });

    it("the CLI reads the previews' JSON and both renders, and redacts the values of --redact-env variables", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-comment-"));
        try {
            for (const [side, text] of [["base", "listen 80;\n"], ["head", `listen 80;\nauth ${TOKEN};\n`]]) {
                fs.mkdirSync(path.join(dir, side, "opt/hostplane/nginx"), { recursive: true });
                fs.writeFileSync(path.join(dir, side, "opt/hostplane/nginx/nginx.conf"), text);
            }
            fs.writeFileSync(path.join(dir, "preview.json"), PREVIEW);
            assert.deepStrictEqual([...readTree(path.join(dir, "head")).keys()], ["opt/hostplane/nginx/nginx.conf"]);
            const r = spawnSync(
                process.execPath,
                [require.resolve("ts-node/dist/bin"), "--transpile-only", repoPath("cli/pr-comment.ts"), "--stack", "staging", "--preview", path.join(dir, "preview.json"), "--preview-exit", "0",
                    "--base", path.join(dir, "base"), "--head", path.join(dir, "head"), "--redact-env", "HCLOUD_TOKEN"],
                { encoding: "utf8", env: { ...process.env, HCLOUD_TOKEN: TOKEN }, cwd: repoPath() },
            );
            assert.strictEqual(r.status, 0, r.stderr);
            assert.ok(r.stdout.startsWith(marker("staging")));
            assert.match(r.stdout, /^\+auth \[secret\];$/m);
            assert.ok(!r.stdout.includes(TOKEN));
            assert.match(r.stdout, /\*\*Resources:\*\* 2 to create/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
