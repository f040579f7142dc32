// The policy pack enforced on a real preview: `pulumi preview --stack staging --policy-pack policy`
// with the offline toolchain (our language host runs the pack: RunPlugin), against the Hetzner
// Cloud API double. A temp copy of staging whose config breaks one rule (a secret-looking env var
// with a plain value) fails the preview, names the rule and the container, never the value; the
// repo's own staging config passes the same pack.
// Needs: scripts/toolchain/build.sh, go (builds the double). Run: npm run test:hcloud
import * as assert from "assert";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { haveCommand, requireTool } from "../../tests/support/tools";
import { ApiDouble, buildDouble, startDouble } from "./double";
import { TempProject } from "./project";
import { prComment } from "../../lib/pr-comment/comment";
import { policySection } from "../../lib/pr-comment/policies";

const TOKEN = randomBytes(32).toString("hex");
const SECRETS: Record<string, string> = {
    "hcloud:token": TOKEN,
    "hostplane:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key-policy-test\n-----END OPENSSH PRIVATE KEY-----\n",
    "hostplane:stripeTestKey": "sk_test_policy_only",
    "hostplane:ghcrToken": "ghp_policy_only",
};
/** The plain value the broken config carries; it must not reach the output. */
const PLAIN = `plain-${randomBytes(8).toString("hex")}`;
const log = (s: string) => process.stdout.write(`      | ${s}\n`);

describe("policy pack: a violation fails a real pulumi preview (staging, API double)", function () {
    this.timeout(10 * 60 * 1000);
    let api: ApiDouble;
    let project: TempProject;

    before(async function () {
        requireTool(this, haveCommand("pulumi", ["version"]), "pulumi", "scripts/toolchain/build.sh; . scripts/pulumi-env.sh");
        requireTool(this, haveCommand("go", ["version"]), "go", "Go >= 1.25 builds the API double");
        project = new TempProject();
        api = await startDouble(buildDouble(), TOKEN, path.join(project.dir, "hcloud-api-requests.jsonl"));
        await project.initStack("staging", SECRETS);
        await project.must(["config", "set", "hcloud:endpoint", api.url, "--stack", "staging"]);
    });

    after(() => {
        api?.stop();
        project?.remove();
    });

    const preview = async (label: string) => {
        const r = await project.pulumi(["preview", "--stack", "staging", "--non-interactive", "--policy-pack", "policy"], { timeoutSeconds: 600 });
        log(`${label}: exit ${r.code} in ${r.seconds.toFixed(1)}s`);
        return { ...r, out: `${r.stdout}\n${r.stderr}` };
    };

    it("the repo's staging config passes every rule of the pack (it really ran: loaded and listed)", async () => {
        const r = await preview("clean preview with the pack");
        assert.strictEqual(r.code, 0, r.out.slice(-4000));
        assert.match(r.out, /Loading policy packs\.\.\.: done/);
        assert.match(r.out, /Policies:\n\s+✅ hostplane@v0\.1\.0 \(local: policy\)\n/, r.out.slice(r.out.indexOf("Policies:")));
        assert.doesNotMatch(r.out, /\[(mandatory|advisory|remediate)\]/, "no violation and no rule that could not run");
    });

    it("fails with the mandatory rule no-plaintext-secret-env naming the container and the variable, not its value", async () => {
        // One rule broken on purpose: the staging api gets SMTP_PASSWORD as a plain env value.
        const file = path.join(project.dir, "Pulumi.staging.yaml");
        const doc = YAML.parse(fs.readFileSync(file, "utf8"));
        doc.config["hostplane:environments"].staging.apps.api.env.SMTP_PASSWORD = PLAIN;
        fs.writeFileSync(file, YAML.stringify(doc));
        const r = await preview("violating preview");
        const out = r.out;
        assert.notStrictEqual(r.code, 0, `the preview should fail:\n${out.slice(-4000)}`);
        assert.match(out, /Loading policy packs\.\.\.: done/, out.slice(-4000));
        assert.match(out, /hostplane@v0\.1\.0 \(local: policy\)/);
        assert.match(out, /\[mandatory\]\s+no-plaintext-secret-env\s+\(docker:index\/container:Container: shop-staging-api-container\)/);
        assert.match(out, /sets SMTP_PASSWORD to a plain value: deliver it as a secret file/);
        // Exactly that one violation: the rest of the stack passes every rule.
        const violations = out.match(/\[(mandatory|advisory|remediate)\]/g) ?? [];
        assert.strictEqual(violations.length, 1, out.slice(out.indexOf("Policies:")));
        assert.ok(!out.includes(PLAIN), "the plain value is in the output");
        // The PR comment of this preview (pr.yml) shows the violation first, and not the value.
        const comment = prComment({ stack: "staging", previewOk: false, resources: { changes: [], counts: {}, errors: [] }, policies: policySection(out), files: [] });
        assert.match(comment, /\*\*Policies:\*\*\n\n```\n\s+❌ hostplane@v0\.1\.0 \(local: policy\)\n\s+- \[mandatory\]\s+no-plaintext-secret-env/);
        assert.ok(!comment.includes(PLAIN));
        const writes = api.requests().filter((x) => x.method !== "GET");
        assert.deepStrictEqual(writes, [], "a preview changed something at the API");
    });
});
