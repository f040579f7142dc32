// The real `pulumi preview --stack staging` and `--stack production`: the repo's own stack
// files, in a temp copy with a file backend and dummy secrets, the offline toolchain's engine and
// plugins (pulumi-resource-hcloud included), and the Hetzner Cloud API double (e2e/hcloud-api,
// a stand-in for api.hetzner.cloud, which tests cannot reach) as hcloud:endpoint.
// Needs: scripts/toolchain/build.sh, go (builds the double), cloud-init. Run: npm run test:hcloud
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { haveCommand, requireTool } from "../../tests/support/tools";
import { ApiDouble, buildDouble, startDouble } from "./double";
import { PlannedStep, ofType, only, planText, plannedSteps } from "./plan";
import { TempProject } from "./project";

const REPO = path.resolve(__dirname, "../..");
const TOKEN = randomBytes(32).toString("hex"); // 64 characters, like a real API token
const SECRETS: Record<string, string> = {
    "hcloud:token": TOKEN,
    "hostplane:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key-preview-only\n-----END OPENSSH PRIVATE KEY-----\n",
    "hostplane:stripeTestKey": "sk_test_preview_only",
    "hostplane:stripeApiKey": "sk_live_preview_only",
    "hostplane:openaiApiKey": "sk-preview-only",
    "hostplane:ghcrToken": "ghp_preview_only",
};
const WORLD = ["0.0.0.0/0", "::/0"];
const log = (s: string) => process.stdout.write(`      | ${s}\n`);
const stackHost = (stack: string) => YAML.parse(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8")).config["hostplane:host"];

describe("hcloud stacks: real pulumi preview against the Hetzner Cloud API double", function () {
    this.timeout(20 * 60 * 1000);
    let api: ApiDouble;
    let project: TempProject;
    const timings: string[] = [];

    before(async function () {
        requireTool(this, haveCommand("pulumi", ["version"]), "pulumi", "scripts/toolchain/build.sh; . scripts/pulumi-env.sh");
        requireTool(this, haveCommand("go", ["version"]), "go", "Go >= 1.25 builds the API double");
        requireTool(this, haveCommand("cloud-init", ["--version"]), "cloud-init", "apt-get install -y cloud-init");
        const plugins = execFileSync("pulumi", ["plugin", "ls"], { encoding: "utf8" });
        const want = JSON.parse(fs.readFileSync(path.join(REPO, "node_modules/@pulumi/hcloud/package.json"), "utf8")).pulumi.version;
        if (!new RegExp(`hcloud\\s+resource\\s+${want.replace(/\./g, "\\.")}`).test(plugins))
            requireTool(this, false, `pulumi-resource-hcloud ${want}`, "scripts/toolchain/build.sh");
        project = new TempProject();
        api = await startDouble(buildDouble(), TOKEN, path.join(project.dir, "hcloud-api-requests.jsonl"));
        log(`API double on ${api.url}; project copy in ${project.dir}`);
    });

    after(() => {
        api?.stop();
        if (timings.length) log(`timings: ${timings.join(", ")}`);
        project?.remove();
    });

    async function preview(stack: string, label: string) {
        const r = await project.pulumi(["preview", "--stack", stack, "--json", "--non-interactive"], { timeoutSeconds: 600 });
        timings.push(`${label} ${r.seconds.toFixed(1)}s`);
        return r;
    }

    for (const stack of ["staging", "production"]) {
        describe(`pulumi preview --stack ${stack}`, () => {
            let steps: PlannedStep[];
            let firstRequests = 0;

            before(async () => {
                const secure = await project.initStack(stack, SECRETS);
                log(`${stack}: secrets set with 'pulumi config set --secret': ${secure.join(", ")}`);
                await project.must(["config", "set", "hcloud:endpoint", api.url, "--stack", stack]);
                const r = await preview(stack, `${stack} preview 1`);
                assert.strictEqual(r.code, 0, `preview failed:\n${r.stderr}\n${r.stdout.slice(-4000)}`);
                steps = plannedSteps(r.stdout);
                firstRequests = api.requests().length;
            });

            it("plans the Hetzner host: SSH key, primary IPv4 and IPv6, firewall, server, readiness, then Docker", () => {
                for (const t of ["hcloud:index/sshKey:SshKey", "hcloud:index/firewall:Firewall", "hcloud:index/server:Server", "command:remote:Command"]) only(steps, t);
                assert.deepStrictEqual(ofType(steps, "hcloud:index/primaryIp:PrimaryIp").map((s) => s.inputs.type).sort(), ["ipv4", "ipv6"]);
                const volumes = stackHost(stack).dockerVolumeSize === undefined ? 0 : 1;
                assert.strictEqual(ofType(steps, "hcloud:index/volume:Volume").length, volumes);
                assert.strictEqual(ofType(steps, "hcloud:index/volumeAttachment:VolumeAttachment").length, volumes);
                assert.ok(ofType(steps, "docker:index/container:Container").length > 5, "the containers are planned too");
                for (const s of steps) assert.strictEqual(s.op, "create", `${s.urn}: a first preview only creates`);
            });

            it("the firewall opens 22 only to adminCidrs, 80 and 443 to everyone, and nothing else", () => {
                const rules = only(steps, "hcloud:index/firewall:Firewall").inputs.rules.map((r: any) => `${r.direction} ${r.protocol} ${r.port ?? "-"} ${r.sourceIps.join(",")}`);
                assert.deepStrictEqual(rules, [
                    `in tcp 22 ${stackHost(stack).adminCidrs.join(",")}`,
                    `in tcp 80 ${WORLD.join(",")}`,
                    `in tcp 443 ${WORLD.join(",")}`,
                    `in icmp - ${WORLD.join(",")}`,
                ]);
            });

            it("the server's user_data is the rendered cloud-init and passes 'cloud-init schema'", () => {
                const server = only(steps, "hcloud:index/server:Server").inputs;
                const host = stackHost(stack);
                assert.strictEqual(server.serverType, host.serverType ?? "cx22");
                assert.strictEqual(server.image, host.image ?? "debian-12");
                const userData: string = server.userData;
                assert.match(userData, /^#cloud-config\n/);
                const doc = YAML.parse(userData);
                assert.ok(doc.packages.includes("docker.io"));
                assert.strictEqual(doc.ssh_pwauth, false);
                assert.ok(JSON.stringify(doc).includes(host.swap ?? "2G"), "the swap size is in the cloud-init");
                const file = path.join(project.dir, `${stack}-user-data.yaml`);
                fs.writeFileSync(file, userData);
                const r = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
                assert.strictEqual(r.status, 0, `${r.stdout}\n${r.stderr}`);
                assert.match(r.stdout, /Valid cloud-config/);
            });

            it("no secret in plain text in the plan", () => {
                const text = JSON.stringify(steps);
                for (const [k, v] of Object.entries(SECRETS)) assert.ok(!text.includes(v.trim()), `${k} is in the plan in plain text`);
            });

            it("talks to the API double only with the token, and only to read", () => {
                const reqs = api.requests();
                assert.ok(reqs.some((r) => r.method === "GET" && r.path === "/v1/locations"), "the token check read the location");
                for (const r of reqs) {
                    assert.ok(r.authorized && r.status < 400, `${r.method} ${r.path} -> ${r.status}`);
                    assert.strictEqual(r.method, "GET", `a preview changed something: ${r.method} ${r.path}`);
                }
            });

            it("a second preview plans exactly the same", async () => {
                const again = await preview(stack, `${stack} preview 2`);
                assert.strictEqual(again.code, 0, again.stderr);
                assert.strictEqual(planText(plannedSteps(again.stdout)), planText(steps));
                assert.ok(api.requests().length > firstRequests, "the second preview asked the API again");
            });
        });
    }

    // The Hetzner resources alone (Docker needs a reachable server): create, read back, delete,
    // so the double answers every call the provider makes for them, not only the preview's.
    describe("pulumi up / refresh / destroy --target the hcloud resources of production", () => {
        let targets: string[];
        // Components only for up (parents must be targeted); refresh and destroy take what exists.
        const targetArgs = (withComponents = false) =>
            targets.filter((u) => withComponents || /\$(hcloud:index\/|pulumi:providers:hcloud)/.test(u)).flatMap((u) => ["--target", u]);
        before(async () => {
            const r = await preview("production", "production preview for targets");
            // With their parents: the components (which create nothing) and the stack.
            targets = plannedSteps(r.stdout).filter((s) => !s.custom || s.type.startsWith("hcloud:") || s.type === "pulumi:providers:hcloud").map((s) => s.urn);
        });

        it("up creates the SSH key, IPs, firewall, server with user_data, volume and attachment", async () => {
            const r = await project.pulumi(["up", "--stack", "production", "--yes", "--skip-preview", "--non-interactive", ...targetArgs(true)], { timeoutSeconds: 600 });
            timings.push(`production targeted up ${r.seconds.toFixed(1)}s`);
            // The engine registers the Docker provider even when it is not targeted, and it stops
            // there: it waits for the readiness command (SSH to a server the double only pretends
            // to run). That is the one error allowed; every hcloud resource must be created.
            const errors = r.stdout.split("\n").filter((l) => /\berror:/.test(l) && !/^\s*error: update failed/.test(l));
            for (const e of errors) assert.match(e, /pulumi:providers:docker.*shop-host-ready' which was was not specified in --target list|^\s*error: Resource 'urn:[^']*providers:docker::shop-host-docker'/, r.stdout.slice(-4000));
            for (const t of targets.filter((u) => u.includes("$hcloud:index/"))) assert.match(r.stdout, new RegExp(`\\+\\s+hcloud:index:\\w+ ${t.split("::").pop()} created`), `${t} created`);
            const creates = api.requests().filter((x) => x.method === "POST" && /^\/v1\/[a-z_]+$/.test(x.path)).map((x) => x.path);
            for (const p of ["/v1/ssh_keys", "/v1/firewalls", "/v1/primary_ips", "/v1/servers", "/v1/volumes"]) assert.ok(creates.includes(p), `POST ${p}`);
            const server = api.requests().find((x) => x.method === "POST" && x.path === "/v1/servers")!.body;
            assert.match(server.user_data, /^#cloud-config\n/);
            assert.strictEqual(server.public_net.enable_ipv4, true);
        });

        it("refresh reads them back without a difference, then destroy deletes them", async () => {
            const refresh = await project.pulumi(["refresh", "--stack", "production", "--yes", "--non-interactive", "--expect-no-changes", ...targetArgs()], { timeoutSeconds: 600 });
            timings.push(`production targeted refresh ${refresh.seconds.toFixed(1)}s`);
            assert.strictEqual(refresh.code, 0, `${refresh.stderr}\n${refresh.stdout.slice(-4000)}`);
            // Production IPs and volume are protected by the program; a test may lift that.
            await project.must(["state", "unprotect", "--all", "--yes", "--stack", "production"]);
            const destroy = await project.pulumi(["destroy", "--stack", "production", "--yes", "--skip-preview", "--non-interactive", ...targetArgs()], { timeoutSeconds: 600 });
            timings.push(`production targeted destroy ${destroy.seconds.toFixed(1)}s`);
            assert.strictEqual(destroy.code, 0, `${destroy.stderr}\n${destroy.stdout.slice(-4000)}`);
            const deletes = api.requests().filter((x) => x.method === "DELETE").map((x) => x.path.replace(/\d+$/, "ID"));
            for (const p of ["/v1/ssh_keys/ID", "/v1/firewalls/ID", "/v1/primary_ips/ID", "/v1/servers/ID", "/v1/volumes/ID"]) assert.ok(deletes.includes(p), `DELETE ${p}`);
            const unknown = api.requests().filter((x) => x.unimplemented);
            assert.deepStrictEqual(unknown.map((x) => `${x.method} ${x.path}`), [], "calls the double does not implement");
        });
    });

    describe("bad input: an hcloud token the API rejects", () => {
        const otherToken = randomBytes(32).toString("hex");
        after(async () => {
            await project.must(["config", "set", "--secret", "hcloud:token", "--stack", "staging"], TOKEN);
        });

        it("preview fails with a message naming hcloud:token, and nothing was asked to change", async () => {
            await project.must(["config", "set", "--secret", "hcloud:token", "--stack", "staging"], otherToken);
            const before = api.requests().length;
            const r = await preview("staging", "staging preview, rejected token");
            const out = `${r.stdout}\n${r.stderr}`;
            assert.notStrictEqual(r.code, 0);
            assert.match(out, new RegExp(`hcloud:token: the Hetzner Cloud API at ${api.url.replace(/[./]/g, "\\$&")} \\(hcloud:endpoint\\) rejected the token \\(401 unauthorized\\)`));
            assert.ok(!out.includes(otherToken), "the token is not in the output");
            const reqs = api.requests().slice(before);
            assert.ok(reqs.some((x) => x.status === 401 && !x.authorized), "the double answered 401");
            assert.deepStrictEqual(reqs.filter((x) => x.method !== "GET"), []);
        });

        it("a token of the wrong length fails before any API call, naming hcloud:token", async () => {
            await project.must(["config", "set", "--secret", "hcloud:token", "--stack", "staging"], "too-short-token");
            const before = api.requests().length;
            const r = await preview("staging", "staging preview, short token");
            assert.notStrictEqual(r.code, 0);
            assert.match(`${r.stdout}\n${r.stderr}`, /hcloud:token: got a value of 15 characters; expected a 64-character Hetzner Cloud API token/);
            assert.strictEqual(api.requests().length, before);
        });
    });
});
