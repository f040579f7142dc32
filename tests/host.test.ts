// Hosts: a Hetzner server from scratch and an existing host over SSH, under Pulumi mocks; the
// rendered cloud-init checked by cloud-init itself.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { explainApiError, tokenLengthIssue } from "../components/hosts/hcloud-api-check";
import { loadPlatformModel } from "../config/validate";
import { captureGraph, Graph } from "../lib/graph";
import { renderCloudInit } from "../render/cloud-init";
import { renderHostFiles } from "../render";
import { baseConfig, sourceOf, stackGraph } from "./fixtures";
import { haveCommand, requireTool } from "./support/tools";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Qta2V5 ops@example.com";
const hcloudSource = (host: Record<string, unknown> = {}, token: "secret" | "plain" | "none" = "secret") => {
    const cfg = baseConfig();
    cfg.host = { provider: "hcloud", sshPublicKey: KEY, ...host };
    const src = sourceOf(cfg, ["stripeApiKey", "sshPrivateKey"]);
    if (token !== "none") src.external = { "hcloud:token": { value: "[secret]", secret: token === "secret" } };
    return src;
};

/** Every resource a resource waits for, counting parents' dependsOn and a component's children. */
function waitsFor(g: Graph, name: string): Set<string> {
    const byName = new Map(g.resources.map((r) => [r.name, r]));
    const children = (n: string): string[] => g.resources.filter((r) => r.parent === n).flatMap((r) => [r.name, ...children(r.name)]);
    const seen = new Set<string>();
    const todo = [name];
    while (todo.length) {
        const r = byName.get(todo.pop()!);
        if (!r) continue;
        const deps = [...r.dependsOn];
        if (r.parent) deps.push(`parent:${r.parent}`);
        for (const d of deps) {
            if (d.startsWith("parent:")) { todo.push(d.slice(7)); continue; }
            for (const x of [d, ...children(d)]) if (!seen.has(x)) { seen.add(x); todo.push(x); }
        }
    }
    return seen;
}

const dockerResources = (g: Graph) => g.resources.filter((r) => r.custom && r.type.startsWith("docker:"));

describe("host: hcloud (Hetzner Cloud server from scratch)", () => {
    let g: Graph;
    before(async () => (g = await captureGraph(hcloudSource({ adminCidrs: ["198.51.100.0/24"], dockerVolumeSize: 50 }))));
    const one = (t: string) => {
        const r = g.resources.filter((x) => x.type === t);
        assert.strictEqual(r.length, 1, t);
        return r[0];
    };

    it("creates SSH key, firewall, primary IPs, server, volume and a readiness command", () => {
        one("hcloud:index/sshKey:SshKey");
        one("hcloud:index/firewall:Firewall");
        one("hcloud:index/server:Server");
        one("hcloud:index/volume:Volume");
        one("hcloud:index/volumeAttachment:VolumeAttachment");
        one("command:remote:Command");
        assert.deepStrictEqual(g.resources.filter((r) => r.type === "hcloud:index/primaryIp:PrimaryIp").map((r) => (r.inputs as any).type).sort(), ["ipv4", "ipv6"]);
        const server = one("hcloud:index/server:Server");
        assert.deepStrictEqual(server.options.deleteBeforeReplace, true, "primary IPs move to the replacement");
        assert.strictEqual((server.inputs as any).serverType, "cx22");
        assert.strictEqual((server.inputs as any).userData, renderCloudInit(g.model));
        for (const ip of g.resources.filter((r) => r.type === "hcloud:index/primaryIp:PrimaryIp")) assert.strictEqual((ip.inputs as any).autoDelete, false);
    });

    it("opens exactly SSH (admin CIDRs), HTTP, HTTPS and ping", () => {
        const rules = (one("hcloud:index/firewall:Firewall").inputs as any).rules.map((r: any) => `${r.direction} ${r.protocol} ${r.port ?? "-"} ${r.sourceIps.join(",")}`);
        assert.deepStrictEqual(rules, ["in tcp 22 198.51.100.0/24", "in tcp 80 0.0.0.0/0,::/0", "in tcp 443 0.0.0.0/0,::/0", "in icmp - 0.0.0.0/0,::/0"]);
    });

    it("makes every Docker resource wait for the readiness command", () => {
        const ready = one("command:remote:Command");
        assert.ok(ready.dependsOn.includes(`${g.model.prefix}-host-server`));
        assert.ok(dockerResources(g).length > 5);
        for (const r of dockerResources(g)) assert.ok(waitsFor(g, r.name).has(ready.name), `${r.name} waits for ${ready.name}`);
        const provider = one("pulumi:providers:docker");
        assert.deepStrictEqual(provider.dependsOn, [ready.name]);
    });

    it("connects Docker over ssh:// to the server's primary IP", () => {
        const p = one("pulumi:providers:docker").inputs as any;
        assert.strictEqual(p.host, "ssh://root@192.0.2.10:22");
        assert.match(String(p.sshOpts), /UserKnownHostsFile=.*known_hosts-/);
    });

    it("keeps the token and the SSH private key secret: no plain value in the graph", () => {
        assert.strictEqual((one("pulumi:providers:hcloud").inputs as any).token, "[secret]");
        assert.strictEqual((one("command:remote:Command").inputs as any).connection, "[secret]");
        const text = JSON.stringify({ resources: g.resources, outputs: g.outputs });
        assert.ok(g.secretValues.some((v) => v.includes("hcloud-token")));
        for (const v of g.secretValues) assert.ok(!text.includes(v), `secret ${v} leaked`);
    });

    it("outputs the IPs, the SSH command and A/AAAA records for every routed host", () => {
        const h = (g.outputs as any).host;
        assert.strictEqual(h.ipv4, "192.0.2.10");
        assert.strictEqual(h.sshCommand, "ssh root@192.0.2.10");
        const expected = g.model.proxy.hosts.flatMap((n) => [`${n} A 192.0.2.10`, `${n} AAAA 2001:db8:10::1`]);
        assert.deepStrictEqual(h.dnsRecords.map((r: any) => `${r.name} ${r.type} ${r.value}`), expected);
    });

    it("renders cloud-init.yaml for review (npm run render)", () => {
        const f = renderHostFiles(g.model).find((x) => x.path === "/opt/hostplane/host/cloud-init.yaml");
        assert.ok(f);
        assert.match(f!.content, /^#cloud-config\n/);
    });
});

describe("host: hcloud validation", () => {
    it("accepts a token set as a secret", () => assert.doesNotThrow(() => loadPlatformModel(hcloudSource())));
    it("rejects a token set in plain text, naming the command", () =>
        assert.throws(() => loadPlatformModel(hcloudSource({}, "plain")), (e: any) =>
            e.issues[0].key === "hcloud:token" && /plain text; expected a secret: run 'pulumi config set --secret hcloud:token <api-token> --stack test'/.test(e.issues[0].message)));
    it("reports a missing token before any other problem", () =>
        assert.throws(() => loadPlatformModel(hcloudSource({ serverType: "CX 22" }, "none")), (e: any) => e.issues[0].key === "hcloud:token" && e.issues.length === 2));
    const withEndpoint = (value: unknown, secret = false) => {
        const src = hcloudSource();
        src.external!["hcloud:endpoint"] = { value, secret };
        return src;
    };
    it("accepts hcloud:endpoint as an http(s) URL (the provider's own endpoint setting)", () =>
        assert.doesNotThrow(() => loadPlatformModel(withEndpoint("http://127.0.0.1:8080/v1"))));
    it("rejects an hcloud:endpoint that is no URL, naming the key and the value", () =>
        assert.throws(() => loadPlatformModel(withEndpoint("api.hetzner.cloud")), (e: any) =>
            e.issues[0].key === "hcloud:endpoint" && e.issues[0].message === 'got "api.hetzner.cloud"; expected the Hetzner Cloud API base URL, like https://api.hetzner.cloud/v1'));
});

describe("host: hcloud API check (components/hosts/hcloud-api-check.ts)", () => {
    const ctx = { stack: "production", location: "fsn1" };
    it("turns the provider's 401 into a message naming hcloud:token and the command", () =>
        assert.strictEqual(
            explainApiError("invoke of hcloud:index/getLocation:getLocation failed: unable to authenticate (unauthorized, 1a2b)", ctx),
            "hcloud:token: the Hetzner Cloud API rejected the token (401 unauthorized); expected a valid read & write API token of this project: set it with 'pulumi config set --secret hcloud:token <api-token> --stack production'",
        ));
    it("names hcloud:endpoint when the API at a configured endpoint cannot be reached", () =>
        assert.match(explainApiError("dial tcp 127.0.0.1:9: connect: connection refused", { ...ctx, endpoint: "http://127.0.0.1:9/v1" })!, /^hcloud:endpoint: could not reach the Hetzner Cloud API at http:\/\/127.0.0.1:9\/v1/));
    it("leaves other errors as they are", () => assert.strictEqual(explainApiError("something else", ctx), undefined));
    it("checks the token's length, naming hcloud:token", () => {
        assert.strictEqual(tokenLengthIssue(64, "staging"), undefined);
        const issue = tokenLengthIssue(20, "staging")!;
        assert.strictEqual(issue.key, "hcloud:token");
        assert.match(issue.message, /^got a value of 20 characters; expected a 64-character Hetzner Cloud API token/);
    });
});

describe("host: ssh (existing EC2/VPS)", () => {
    let g: Graph;
    before(async () => {
        const cfg = baseConfig();
        cfg.host = { provider: "ssh", address: "203.0.113.7", user: "deploy", port: 2222 };
        g = await captureGraph(sourceOf(cfg, ["stripeApiKey", "sshPrivateKey"]));
    });

    it("runs the bootstrap script with sudo over SSH, and every Docker resource waits for it", () => {
        const b = g.resources.find((r) => r.type === "command:remote:Command");
        assert.ok(b);
        const i = b!.inputs as any;
        assert.strictEqual(i.stdin, fs.readFileSync(path.join(__dirname, "../scripts/host/bootstrap.sh"), "utf8"));
        assert.match(i.create, /^sudo -n env HOSTPLANE_SWAP=2G HOSTPLANE_LOG_MAX_SIZE=10m HOSTPLANE_LOG_MAX_FILE=3 bash -s && sudo -n docker info/);
        assert.strictEqual(i.connection, "[secret]");
        for (const r of dockerResources(g)) assert.ok(waitsFor(g, r.name).has(b!.name), `${r.name} waits for the bootstrap`);
    });

    it("connects Docker over ssh:// to the configured address, with the key as a file", () => {
        const p = g.resources.find((r) => r.type === "pulumi:providers:docker")!.inputs as any;
        assert.strictEqual(p.host, "ssh://deploy@203.0.113.7:2222");
        const text = JSON.stringify({ resources: g.resources, outputs: g.outputs });
        for (const v of g.secretValues) assert.ok(!text.includes(v), `secret ${v} leaked`);
    });

    it("outputs the SSH command and A records", () => {
        const h = (g.outputs as any).host;
        assert.strictEqual(h.sshCommand, "ssh -p 2222 deploy@203.0.113.7");
        assert.deepStrictEqual(h.dnsRecords.map((r: any) => r.type), g.model.proxy.hosts.map(() => "A"));
    });
});

describe("host: example stacks target Hetzner", () => {
    for (const stack of ["staging", "production"])
        it(`${stack}: hcloud server, token secret, readiness before Docker`, async () => {
            const g = await stackGraph(stack);
            assert.strictEqual(g.model.host.provider, "hcloud");
            assert.ok(g.resources.some((r) => r.type === "command:remote:Command"));
        });
});

describe("cloud-init schema (Debian package cloud-init)", () => {
    before(function () {
        requireTool(this, haveCommand("cloud-init", ["--version"]), "cloud-init", "apt-get install -y cloud-init");
    });
    const variants: Record<string, Record<string, unknown>> = {
        defaults: {},
        "volume, no swap": { dockerVolumeSize: 20, swap: "0" },
        "big box": { serverType: "cpx41", swap: "8G", adminCidrs: ["2001:db8::/48"] },
    };
    for (const [name, host] of Object.entries(variants))
        it(`passes 'cloud-init schema --config-file' (${name})`, () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hp-cloudinit-"));
            const file = path.join(dir, "user-data.yaml");
            fs.writeFileSync(file, renderCloudInit(loadPlatformModel(hcloudSource(host))));
            const r = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
            fs.rmSync(dir, { recursive: true, force: true });
            assert.strictEqual(r.status, 0, `${r.stdout}\n${r.stderr}`);
            assert.match(r.stdout, /Valid cloud-config/);
        });
});
