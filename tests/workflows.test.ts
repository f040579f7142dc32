// The GitHub Actions workflows (.github/workflows): actionlint (with shellcheck on every run:
// block) on each file, and what each one must do: previews with PR comments and the policy pack,
// staging on main, production only from a tag or dispatch behind the production environment and
// one at a time, reset refusing production.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { repoPath } from "./fixtures";
import { haveCommand, requireTool } from "./support/tools";

const WORKFLOWS = repoPath(".github", "workflows");
const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const load = (f: string): any => parse(fs.readFileSync(path.join(WORKFLOWS, f), "utf8"));
const steps = (wf: any) => Object.entries<any>(wf.jobs).flatMap(([job, j]) => (j.steps ?? []).map((s: any) => ({ job, ...s })));
const pulumiSteps = (wf: any) => steps(wf).filter((s) => String(s.uses ?? "").startsWith("pulumi/actions@") && s.with?.command);
const DOCUMENTED_SECRETS = ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "HCLOUD_TOKEN", "SSH_PRIVATE_KEY"];

describe("workflows: actionlint", function () {
    let actionlint: string;

    before(function () {
        this.timeout(600000);
        requireTool(this, haveCommand("shellcheck"), "shellcheck (actionlint checks run: blocks with it)", "apt-get install -y shellcheck");
        const cached = path.join(process.env.HOSTPLANE_TOOLS_DIR ?? path.join(os.homedir(), ".cache", "hostplane", "tools"));
        const built = fs.existsSync(cached) && fs.readdirSync(cached).some((d) => d.startsWith("actionlint-"));
        requireTool(this, built || haveCommand("go", ["version"]), "Go (scripts/actionlint.sh builds actionlint from the module proxy)", "Go 1.25+, https://go.dev/dl/");
        const r = spawnSync("bash", [repoPath("scripts", "actionlint.sh"), "--build-only"], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        actionlint = r.stdout.trim();
    });

    it("finds the five workflows", () => {
        assert.deepStrictEqual(files, ["drift.yml", "pr.yml", "production.yml", "reset.yml", "staging.yml"]);
    });

    for (const f of files)
        it(`${f} passes actionlint (and shellcheck on its run: blocks)`, () => {
            const r = spawnSync(actionlint, ["-no-color", "-oneline", path.join(WORKFLOWS, f)], { encoding: "utf8" });
            assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        });

    it("actionlint is not vacuous: it rejects an unknown action input and a shellcheck finding", () => {
        const bad = `on: push
jobs:
  x:
    runs-on: ubuntu-24.04
    steps:
      - uses: pulumi/actions@v6
        with:
          command: preview
          stack-name: staging
          policy-packs: policy
      - run: echo $UNQUOTED_VAR
`;
        const r = spawnSync(actionlint, ["-no-color", "-oneline", "-"], { input: bad, encoding: "utf8" });
        assert.strictEqual(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /input "policy-packs" is not defined in action "pulumi\/actions@v6"/);
        assert.match(r.stdout, /shellcheck reported issue.*SC2086/);
    });

    it("scripts the workflows call pass shellcheck", () => {
        const scripts = ["actionlint.sh", "ci-config.sh", "smoke.sh", "pr-comment-post.sh"].map((s) => repoPath("scripts", s));
        const r = spawnSync("shellcheck", scripts, { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });
});

describe("workflows: behaviour", () => {
    it("pins every action to a major version", () => {
        for (const f of files)
            for (const s of steps(load(f)).filter((x) => x.uses)) assert.match(s.uses, /^[\w.-]+\/[\w.-]+@v\d+$/, `${f}: ${s.uses}`);
    });

    it("uses only the documented secrets, and the README's Delivery section names each one and each environment", () => {
        const readme = fs.readFileSync(repoPath("README.md"), "utf8");
        const delivery = readme.slice(readme.indexOf("## Delivery"));
        assert.ok(readme.includes("## Delivery"), "README has a Delivery section");
        const used = new Set<string>();
        for (const f of files) for (const m of fs.readFileSync(path.join(WORKFLOWS, f), "utf8").matchAll(/secrets\.([A-Z_]+)/g)) used.add(m[1]);
        assert.deepStrictEqual([...used].sort(), [...DOCUMENTED_SECRETS].sort());
        for (const s of DOCUMENTED_SECRETS) assert.ok(delivery.includes(`\`${s}\``), `README Delivery names ${s}`);
        for (const e of ["staging", "production", "production-preview"]) assert.ok(delivery.includes(`\`${e}\``), `README Delivery names environment ${e}`);
        assert.ok(delivery.includes("PULUMI_BACKEND_URL"));
    });

    describe("pr.yml", () => {
        const wf = load("pr.yml");
        it("runs on pull requests, may comment on them", () => {
            assert.ok(wf.on.pull_request);
            assert.strictEqual(wf.permissions["pull-requests"], "write");
        });
        it("runs the tests (.ci/run: npm ci, npm test), validates and renders both stacks and uploads the rendered files", () => {
            const runs = steps(wf).map((s) => String(s.run ?? "")).join("\n");
            assert.match(runs, /bash \.ci\/run/);
            for (const stack of ["staging", "production"]) {
                assert.match(runs, new RegExp(`npm run validate -- --stack ${stack}\\b`));
                assert.match(runs, new RegExp(`npm run render -- --stack ${stack} --out out/${stack}`));
            }
            const upload = steps(wf).find((s) => String(s.uses).startsWith("actions/upload-artifact@"));
            assert.strictEqual(upload?.with.path, "out/");
            const ci = fs.readFileSync(repoPath(".ci", "run"), "utf8");
            assert.match(ci, /npm ci/);
            assert.match(ci, /npm test/);
        });
        it("previews staging and production with the policy pack; our script comments resources and host file diffs against the base branch", () => {
            const job = wf.jobs.preview;
            assert.deepStrictEqual(job.strategy.matrix.include.map((i: any) => i.stack).sort(), ["production", "staging"]);
            assert.deepStrictEqual(job.needs, "test");
            const run = (job.steps as any[]).map((x) => String(x.run ?? "")).join("\n");
            assert.match(run, /pulumi preview --stack "\$STACK" --policy-pack policy --non-interactive --json >preview\.json/);
            assert.match(run, /npm run render -- --stack "\$STACK" --out "out\/head\/\$STACK"/);
            assert.match(run, /git worktree add --detach \.\.\/base "origin\/\$BASE_REF"/);
            assert.match(run, /npm run --silent pr-comment -- --stack "\$STACK" --preview preview\.json .*--base "out\/base\/\$STACK" --head "out\/head\/\$STACK"/s);
            assert.match(run, /--redact-env HCLOUD_TOKEN,SSH_PRIVATE_KEY,PULUMI_CONFIG_PASSPHRASE/);
            assert.match(run, /bash scripts\/pr-comment-post\.sh "\$REPO" "\$PR" "\$STACK" comment\.md/);
            assert.strictEqual(job.steps[0].with["fetch-depth"], 0, "the base branch is fetched");
            const pkg = JSON.parse(fs.readFileSync(repoPath("package.json"), "utf8"));
            assert.strictEqual(pkg.scripts["pr-comment"], "ts-node --transpile-only cli/pr-comment.ts");
            assert.ok(!/pulumi (up|refresh|destroy)\b/.test(run) && pulumiSteps(wf).length === 0, "a PR never changes a stack");
        });
        it("a failed preview (a mandatory policy violation) still comments, then fails the check", () => {
            const steps = wf.jobs.preview.steps as any[];
            const fail = steps.find((x) => x.if === "steps.preview.outputs.exit != '0'");
            assert.ok(fail && /exit 1/.test(fail.run));
            assert.ok(steps.indexOf(fail) > steps.findIndex((x) => /pr-comment-post\.sh/.test(x.run ?? "")));
        });
    });

    describe("drift.yml", () => {
        const wf = load("drift.yml");
        it("runs on a schedule (and by hand) per deployed stack, never during that stack's deploy", () => {
            assert.ok(Array.isArray(wf.on.schedule) && wf.on.schedule[0].cron);
            assert.ok("workflow_dispatch" in wf.on);
            assert.deepStrictEqual(wf.jobs.drift.strategy.matrix.include.map((i: any) => i.stack), ["staging", "production"]);
            assert.deepStrictEqual(wf.jobs.drift.concurrency, { group: "${{ matrix.stack }}-deploy", "cancel-in-progress": false });
            assert.notStrictEqual(wf.jobs.drift.environment, "production", "production's deploy environment stays with production.yml");
        });
        it("refreshes with --preview-only --expect-no-changes and checks host files and containers with ops drift; either fails the run", () => {
            const run = steps(wf).map((x) => String(x.run ?? "")).join("\n");
            assert.match(run, /pulumi refresh --stack "\$STACK" --preview-only --expect-no-changes/);
            assert.match(run, /npm run --silent ops -- drift --stack "\$STACK"/);
            assert.match(run, /if \[ "\$REFRESH_EXIT" != 0 \] \|\| \[ "\$HOST_EXIT" != 0 \]; then/);
            assert.ok(!/^\s*pulumi (up|destroy)\b/m.test(run), "drift changes nothing");
        });
    });

    describe("staging.yml", () => {
        const wf = load("staging.yml");
        it("deploys staging on every push to main with the policy pack, then smoke-checks it", () => {
            assert.deepStrictEqual(wf.on.push.branches, ["main"]);
            const [up] = pulumiSteps(wf);
            assert.deepStrictEqual([up.with.command, up.with["stack-name"], up.with.policyPacks], ["up", "staging", "policy"]);
            const all = steps(wf);
            const smoke = all.findIndex((s) => /scripts\/smoke\.sh --stack staging --insecure/.test(s.run ?? ""));
            const upAt = all.findIndex((s) => s.with?.command === "up");
            assert.ok(upAt >= 0 && smoke > upAt, "smoke checks after pulumi up");
        });
        it("shares the staging deploy group with reset, never cancelling a running deploy", () => {
            assert.deepStrictEqual(wf.jobs.deploy.concurrency, { group: "staging-deploy", "cancel-in-progress": false });
            assert.strictEqual(load("reset.yml").jobs.destroy.concurrency.group, "${{ inputs.stack }}-deploy");
        });
    });

    describe("production.yml", () => {
        const wf = load("production.yml");
        it("runs only on a release tag or a manual dispatch", () => {
            assert.deepStrictEqual(Object.keys(wf.on).sort(), ["push", "workflow_dispatch"]);
            assert.deepStrictEqual(wf.on.push, { tags: ["v*"] });
        });
        const envName = (j: any) => (typeof j.environment === "string" ? j.environment : j.environment?.name);
        it("deploys behind the production environment, in one concurrency group that never cancels a running deploy", () => {
            const [up] = pulumiSteps(wf).filter((s) => s.with.command === "up");
            const job = wf.jobs[up.job];
            assert.strictEqual(envName(job), "production");
            assert.deepStrictEqual(job.concurrency, { group: "production-deploy", "cancel-in-progress": false });
            // Only the deploy job holds the production environment's secrets.
            for (const [name, j] of Object.entries<any>(wf.jobs)) if (name !== up.job) assert.notStrictEqual(envName(j), "production", name);
        });
        it("previews first (with the policy pack), then runs pulumi up on production with the policy pack, then smoke checks", () => {
            const ps = pulumiSteps(wf);
            assert.deepStrictEqual(
                ps.map((s) => [s.job, s.with.command, s.with["stack-name"], s.with.policyPacks]),
                [
                    ["preview", "preview", "production", "policy"],
                    ["deploy", "up", "production", "policy"],
                ],
            );
            assert.strictEqual(wf.jobs.deploy.needs, "preview");
            assert.ok(steps(wf).some((s) => s.job === "deploy" && /scripts\/smoke\.sh --stack production/.test(s.run ?? "")));
        });
        it("refuses a dispatch from any ref but main or a v* tag", () => {
            const guard = steps(wf).find((s) => /refs\/tags\/v\*/.test(s.run ?? ""))!;
            const run = (ref: string) => spawnSync("bash", ["-c", guard.run], { env: { ...process.env, REF: ref }, encoding: "utf8" });
            assert.strictEqual(run("refs/tags/v1.4.2").status, 0);
            assert.strictEqual(run("refs/heads/main").status, 0);
            const r = run("refs/heads/feature-x");
            assert.strictEqual(r.status, 1);
            assert.match(r.stdout, /production deploys run from a v\* tag or main/);
        });
    });

    describe("reset.yml", () => {
        const wf = load("reset.yml");
        const guard = steps(wf).find((s) => s.job === "guard" && s.run)!;
        const runGuard = (stack: string, confirm: string, cwd = repoPath()) =>
            spawnSync("bash", ["-c", guard.run], { cwd, env: { ...process.env, STACK: stack, CONFIRM: confirm }, encoding: "utf8" });

        it("is dispatched by hand with a stack choice (no production) and a typed confirmation", () => {
            assert.deepStrictEqual(Object.keys(wf.on), ["workflow_dispatch"]);
            const { stack, confirm } = wf.on.workflow_dispatch.inputs;
            assert.strictEqual(stack.type, "choice");
            assert.ok(!stack.options.includes("production"));
            for (const s of stack.options) assert.ok(fs.existsSync(repoPath(`Pulumi.${s}.yaml`)), `stack ${s} exists`);
            assert.strictEqual(confirm.type, "string");
            assert.strictEqual(confirm.required, true);
        });
        it("refuses production explicitly, whatever the inputs", () => {
            const r = runGuard("production", "production");
            assert.strictEqual(r.status, 1);
            assert.match(r.stdout, /reset refuses the production stack/);
        });
        it("refuses a stack holding an environment of kind production", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reset-guard-"));
            fs.writeFileSync(path.join(dir, "Pulumi.shared.yaml"), "config:\n  hostplane:environments:\n    live:\n      kind: production   # the real one\n");
            const r = runGuard("shared", "shared", dir);
            assert.strictEqual(r.status, 1);
            assert.match(r.stdout, /holds an environment of kind production/);
        });
        it("needs the confirmation to match, then lets staging through", () => {
            const wrong = runGuard("staging", "stagign");
            assert.strictEqual(wrong.status, 1);
            assert.match(wrong.stdout, /does not match/);
            const ok = runGuard("staging", "staging");
            assert.strictEqual(ok.status, 0, ok.stdout + ok.stderr);
        });
        it("destroys only after the guard", () => {
            const [destroy] = pulumiSteps(wf);
            assert.strictEqual(destroy.with.command, "destroy");
            assert.strictEqual(destroy.with["stack-name"], "${{ inputs.stack }}");
            assert.strictEqual(wf.jobs[destroy.job].needs, "guard");
        });
    });

    it("no workflow destroys production", () => {
        for (const f of files) {
            const wf = load(f);
            for (const s of pulumiSteps(wf).filter((x) => x.with.command === "destroy")) {
                assert.ok(!String(s.with["stack-name"]).includes("production"), `${f}: destroy of ${s.with["stack-name"]}`);
                assert.strictEqual(wf.jobs[s.job].needs, "guard", `${f}: a destroy runs after the guard`);
            }
            for (const s of steps(wf)) assert.ok(!/pulumi\s+destroy/.test(s.run ?? ""), `${f}: no pulumi destroy outside the guarded action step`);
            if (f === "production.yml" || f === "pr.yml") assert.ok(!pulumiSteps(wf).some((s) => s.with.command === "destroy"), f);
        }
    });
});
