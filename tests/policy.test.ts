// The policy pack (policy/): each rule with passing and failing resources, every example stack's
// mock graph through every rule, and the pack itself served over the analyzer gRPC protocol the
// way `pulumi preview --policy-pack policy` runs it.
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as grpc from "@grpc/grpc-js";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { Graph } from "../lib/graph";
import {
    CONTAINER,
    healthcheck,
    logRotation,
    memoryLimit,
    noPlaintextSecrets,
    adminToolsGuarded,
    onlyProxyPublishes,
    pinnedImage,
    pinnedImages,
    policies,
    protectedVolumes,
    restartPolicy,
    stackOf,
    VOLUME,
} from "../policy/rules";
import { baseConfig, repoPath, sourceOf, STACKS, stackGraph } from "./fixtures";
import { PolicyResource, violations } from "./support/policy";

/** The engine's marker for a value unknown during preview (@pulumi/pulumi runtime unknownValue). */
const unknownStringValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const labels = (l: Record<string, string>) => Object.entries(l).map(([label, value]) => ({ label, value }));

/** An app container the way components/app.ts builds one: passes every rule. */
function goodContainer(extra: Record<string, any> = {}): Record<string, any> {
    return {
        name: "shop-production-api-1a2b3c4d",
        image: "ghcr.io/example/shop-api:1.4.2",
        envs: ["NODE_ENV=production", "SESSION_SECRET_FILE=/run/secrets/SESSION_SECRET"],
        healthcheck: { tests: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/health"], interval: "45s", timeout: "15s", retries: 5, startPeriod: "90s" },
        memory: 2048,
        restart: "unless-stopped",
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "3" },
        ports: [],
        labels: labels({ "hostplane.environment": "production", "hostplane.kind": "app", "hostplane.service": "api", "hostplane.stack": "production" }),
        ...extra,
    };
}
const container = (props: Record<string, any>, more: Partial<PolicyResource> = {}): PolicyResource => ({ type: CONTAINER, props, name: "api", stack: "production", ...more });
const volume = (props: Record<string, any>, more: Partial<PolicyResource> = {}): PolicyResource => ({ type: VOLUME, props, name: "vol", stack: "production", ...more });

async function passes(policy: ResourceValidationPolicy, r: PolicyResource) {
    assert.deepStrictEqual(await violations(policy, r), [], `${policy.name} should accept ${JSON.stringify(r.props)}`);
}
async function rejects(policy: ResourceValidationPolicy, r: PolicyResource, message: RegExp) {
    const v = await violations(policy, r);
    assert.ok(v.length > 0, `${policy.name} should reject ${JSON.stringify(r.props)}`);
    assert.ok(v.some((m) => message.test(m)), `${policy.name}: ${JSON.stringify(v)} should match ${message}`);
}

describe("policy pack: rules", () => {
    it("declares every rule mandatory, with unique names", () => {
        assert.deepStrictEqual(
            policies.map((p) => p.name),
            [
                "container-healthcheck",
                "container-memory-limit",
                "container-restart-policy",
                "container-log-rotation",
                "production-only-proxy-publishes",
                "production-pinned-images",
                "no-plaintext-secret-env",
                "admin-tools-guarded",
                "production-volumes-protected",
            ],
        );
        for (const p of policies) assert.strictEqual(p.enforcementLevel, "mandatory", p.name);
    });

    it("accepts a well-formed app container under every rule", async () => {
        for (const p of policies) await passes(p, container(goodContainer()));
    });

    it("reads the stack from the URN", () => {
        assert.strictEqual(stackOf("urn:pulumi:production::hostplane::docker:index/container:Container::x"), "production");
        assert.strictEqual(stackOf("urn:pulumi:staging::hostplane::hostplane:index:Platform$docker:index/volume:Volume::v"), "staging");
        assert.strictEqual(stackOf("nonsense"), undefined);
    });

    describe("container-healthcheck", () => {
        it("rejects a container without a health check, or with NONE", async () => {
            await rejects(healthcheck, container(goodContainer({ healthcheck: undefined })), /has no health check/);
            await rejects(healthcheck, container(goodContainer({ healthcheck: { tests: [] } })), /has no health check/);
            await rejects(healthcheck, container(goodContainer({ healthcheck: { tests: ["NONE"] } })), /has no health check/);
        });
        it("applies in every stack", async () => {
            await rejects(healthcheck, container(goodContainer({ healthcheck: undefined }), { stack: "staging" }), /health check/);
        });
        it("ignores other resource types", async () => {
            await passes(healthcheck, volume({ name: "v" }));
        });
    });

    describe("container-memory-limit", () => {
        it("rejects a container without a memory limit", async () => {
            const { memory, ...noMemory } = goodContainer();
            await rejects(memoryLimit, container(noMemory), /has no memory limit/);
            await rejects(memoryLimit, container(goodContainer({ memory: 0 })), /has no memory limit/);
            await rejects(memoryLimit, container(noMemory, { stack: "staging" }), /has no memory limit/);
        });
        it("accepts one with a limit", async () => {
            await passes(memoryLimit, container(goodContainer({ memory: 128 })));
        });
    });

    describe("container-restart-policy", () => {
        it("rejects a missing or \"no\" restart policy", async () => {
            await rejects(restartPolicy, container(goodContainer({ restart: undefined })), /restart policy "no"/);
            await rejects(restartPolicy, container(goodContainer({ restart: "no" })), /restart policy "no"/);
        });
        it("accepts always, unless-stopped and on-failure", async () => {
            for (const restart of ["always", "unless-stopped", "on-failure"]) await passes(restartPolicy, container(goodContainer({ restart })));
        });
    });

    describe("container-log-rotation", () => {
        it("rejects json-file without max-size, the daemon default and unrotated drivers", async () => {
            await rejects(logRotation, container(goodContainer({ logOpts: { "max-file": "3" } })), /without rotation/);
            await rejects(logRotation, container(goodContainer({ logOpts: undefined })), /without rotation/);
            await rejects(logRotation, container(goodContainer({ logDriver: undefined, logOpts: undefined })), /daemon default/);
            await rejects(logRotation, container(goodContainer({ logDriver: "syslog" })), /logDriver "syslog"/);
        });
        it("accepts json-file with max-size and the local driver", async () => {
            await passes(logRotation, container(goodContainer({ logOpts: { "max-size": "50m" } })));
            await passes(logRotation, container(goodContainer({ logDriver: "local", logOpts: undefined })));
        });
    });

    describe("production-only-proxy-publishes", () => {
        const publish = (ip?: string) => goodContainer({ ports: [{ internal: 8000, external: 8000, ...(ip ? { ip } : {}), protocol: "tcp" }] });
        it("rejects an app publishing on 0.0.0.0 (or no ip, Docker's 0.0.0.0) in production", async () => {
            await rejects(onlyProxyPublishes, container(publish("0.0.0.0")), /publishes 0\.0\.0\.0:8000 in production/);
            await rejects(onlyProxyPublishes, container(publish()), /publishes 0\.0\.0\.0:8000/);
            await rejects(onlyProxyPublishes, container(goodContainer({ networkMode: "host" })), /host network/);
        });
        it("treats the hostplane.environment label production as production in any stack", async () => {
            await rejects(onlyProxyPublishes, container(publish("0.0.0.0"), { stack: "test" }), /in production/);
        });
        it("follows the policy config's productionStacks", async () => {
            const staging = { ...publish("0.0.0.0"), labels: labels({ "hostplane.environment": "staging", "hostplane.stack": "prod" }) };
            await passes(onlyProxyPublishes, container(staging, { stack: "prod" }));
            await rejects(onlyProxyPublishes, container(staging, { stack: "prod", config: { productionStacks: ["prod"] } }), /in production/);
        });
        it("accepts the proxy, loopback binds (SSH tunnels) and non-production stacks", async () => {
            const proxy = goodContainer({
                ports: [{ internal: 443, external: 443, ip: "0.0.0.0", protocol: "tcp" }],
                labels: labels({ "hostplane.kind": "proxy", "hostplane.service": "proxy", "hostplane.stack": "production" }),
            });
            await passes(onlyProxyPublishes, container(proxy));
            await passes(onlyProxyPublishes, container(publish("127.0.0.1")));
            const staging = { ...publish("0.0.0.0"), labels: labels({ "hostplane.environment": "staging", "hostplane.stack": "staging" }) };
            await passes(onlyProxyPublishes, container(staging, { stack: "staging" }));
        });
        it("still checks a container whose revision label is unknown during preview (the analyzer's props throw on unknowns)", async () => {
            // As the analyzer hands props over in a preview: a label value only known after up.
            const props = publish("0.0.0.0");
            props.labels = [...props.labels, { label: "hostplane.revision", value: unknownStringValue }];
            const v = await violations(onlyProxyPublishes, container(unknownCheckingProxy(props)));
            assert.strictEqual(v.length, 1, JSON.stringify(v));
            assert.match(v[0], /publishes 0\.0\.0\.0:8000 in production/);
            const loopback = publish("127.0.0.1");
            loopback.labels = [...loopback.labels, { label: "hostplane.revision", value: unknownStringValue }];
            assert.deepStrictEqual(await violations(onlyProxyPublishes, container(unknownCheckingProxy(loopback))), []);
        });
        it("does not take a proxy label alone as the proxy", async () => {
            const sneaky = { ...publish("0.0.0.0"), labels: labels({ "hostplane.kind": "proxy", "hostplane.service": "api", "hostplane.stack": "production" }) };
            await rejects(onlyProxyPublishes, container(sneaky), /only the proxy faces the network/);
        });
    });

    describe("production-pinned-images", () => {
        it("rejects :latest and untagged images in production", async () => {
            for (const image of ["nginx:latest", "nginx", "ghcr.io/example/api", "registry.local:5000/api", "registry.local:5000/api:latest"])
                await rejects(pinnedImages, container(goodContainer({ image })), /pin a version tag/);
        });
        it("accepts version tags, digests and image ids; anything outside production", async () => {
            const digest = "sha256:" + "a".repeat(64);
            for (const image of ["nginx:1.27-alpine", "registry.local:5000/api:1.2.3", `nginx@${digest}`, digest]) {
                assert.ok(pinnedImage(image), image);
                await passes(pinnedImages, container(goodContainer({ image })));
            }
            const dev = { ...goodContainer({ image: "nginx:latest" }), labels: labels({ "hostplane.environment": "sandbox", "hostplane.stack": "staging" }) };
            await passes(pinnedImages, container(dev, { stack: "staging" }));
        });
    });

    describe("no-plaintext-secret-env", () => {
        it("rejects a secret-looking variable with a literal value, without printing the value", async () => {
            for (const env of ["DB_PASSWORD=hunter2", "STRIPE_API_KEY=sk_live_abc", "GITHUB_TOKEN=ghp_abc", "SESSION_SECRET=abc", "DATABASE_URL=postgres://u:hunter2@db/app"]) {
                const v = await violations(noPlaintextSecrets, container(goodContainer({ envs: ["NODE_ENV=production", env] })));
                const name = env.split("=")[0];
                assert.strictEqual(v.length, 1, env);
                assert.match(v[0], new RegExp(`sets ${name} to a plain value.*${name}_FILE=/run/secrets/${name}`));
                assert.ok(!v[0].includes(env.split("=")[1]), "the value must not be in the message");
            }
        });
        it("reports it during preview too, when the container's revision name is not known yet", async () => {
            const props = goodContainer({ name: unknownStringValue, envs: ["SMTP_PASSWORD=hunter2"] });
            const v = await violations(noPlaintextSecrets, container(unknownCheckingProxy(props)));
            assert.deepStrictEqual(v, ["api sets SMTP_PASSWORD to a plain value: deliver it as a secret file (SMTP_PASSWORD_FILE=/run/secrets/SMTP_PASSWORD, app config `secrets:`)"]);
        });
        it("applies in every stack", async () => {
            await rejects(noPlaintextSecrets, container(goodContainer({ envs: ["ADMIN_PASSWORD=changeme"] }), { stack: "local" }), /ADMIN_PASSWORD/);
        });
        it("accepts _FILE variables, file paths, references, empty values and ordinary names", async () => {
            const envs = [
                "POSTGRES_PASSWORD_FILE=/run/secrets/POSTGRES_PASSWORD",
                "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana/admin_password",
                "SSL_KEY=/etc/ssl/private/app.key",
                "API_TOKEN=${API_TOKEN}",
                "REDIS_PASSWORD=",
                "PGPASSFILE=/run/secrets/pgpass",
                "MONKEY=banana",
                "KEYBOARD_LAYOUT=us",
                "NODE_ENV=production",
            ];
            await passes(noPlaintextSecrets, container(goodContainer({ envs })));
        });
    });

    describe("admin-tools-guarded", () => {
        const routes = (v: string) => labels({ "hostplane.environment": "production", "hostplane.stack": "production", "hostplane.routes": v });
        it("rejects an admin tool image with an open route, in any stack and from any registry", async () => {
            await rejects(adminToolsGuarded, container(goodContainer({ image: "n8nio/n8n:1.64.3", labels: routes("example.com/n8n=open") })), /runs n8n \(n8nio\/n8n:1.64.3\) with route example.com\/n8n open to everyone/);
            await rejects(adminToolsGuarded, container(goodContainer({ image: "docker.io/dpage/pgadmin4:8.12", labels: routes("a.example.com/=basic-auth a.example.com/x=open") }), { stack: "staging" }), /pgAdmin .* route a\.example\.com\/x open/);
            await rejects(adminToolsGuarded, container(goodContainer({ image: "portainer/portainer-ce:2.21.4", ports: [{ internal: 9000, external: 9000, ip: "0.0.0.0" }] })), /Portainer .* published on 0\.0\.0\.0:9000/);
        });
        it("accepts guarded or deliberately public routes, loopback ports, and images that are no admin tool", async () => {
            for (const access of ["basic-auth", "allow-list", "public"])
                await passes(adminToolsGuarded, container(goodContainer({ image: "n8nio/n8n:1.64.3", labels: routes(`example.com/n8n=${access}`) })));
            await passes(adminToolsGuarded, container(goodContainer({ image: "grafana/grafana:11.2.0", ports: [{ internal: 3000, external: 3000, ip: "127.0.0.1" }] })));
            await passes(adminToolsGuarded, container(goodContainer({ image: "ghcr.io/example/n8n-client:1", labels: routes("example.com/=open") })));
        });
    });

    describe("production-volumes-protected", () => {
        const data = (env: string, stack: string) =>
            ({ name: `shop_${env}_postgres_data`, labels: labels({ "hostplane.environment": env, "hostplane.kind": "data", "hostplane.service": "postgres", "hostplane.stack": stack }) });
        it("rejects an unprotected production data volume, and a production volume without hostplane labels", async () => {
            await rejects(protectedVolumes, volume(data("production", "production")), /production volume without protect/);
            await rejects(protectedVolumes, volume({ name: "uploads" }), /production volume without protect/);
        });
        it("accepts protected production data, rebuildable platform volumes and non-production volumes", async () => {
            await passes(protectedVolumes, volume(data("production", "production"), { protect: true }));
            await passes(protectedVolumes, volume({ name: "shop-prometheus-data", labels: labels({ "hostplane.environment": "monitoring", "hostplane.stack": "production" }) }));
            await passes(protectedVolumes, volume({ name: "shop-proxy-certs", labels: labels({ "hostplane.service": "proxy", "hostplane.stack": "production" }) }));
            await passes(protectedVolumes, volume(data("staging", "staging"), { stack: "staging" }));
        });
        it("ignores containers", async () => {
            await passes(protectedVolumes, container(goodContainer()));
        });
    });
});

/** Every container and volume of a captured graph through every rule, with its stack and protect. */
async function graphViolations(g: Graph): Promise<string[]> {
    const out: string[] = [];
    for (const r of g.resources.filter((x) => x.type === CONTAINER || x.type === VOLUME))
        for (const p of policies)
            for (const v of await violations(p, { type: r.type, props: r.inputs, name: r.name, stack: g.model.stack, protect: r.protect })) out.push(`${p.name}: ${v}`);
    return out;
}

describe("policy pack: the example stacks", () => {
    for (const stack of STACKS) {
        it(`stack ${stack}: every container and volume passes every rule, on real (mock) secret values, not placeholders`, async () => {
            const g = await stackGraph(stack, true);
            assert.ok(JSON.stringify(g.resources).includes("mockpw"), "secret values are revealed");
            const checked = g.resources.filter((x) => x.type === CONTAINER || x.type === VOLUME);
            assert.ok(checked.length > 5, `${stack}: ${checked.length} resources checked`);
            assert.deepStrictEqual(await graphViolations(g), []);
        });
    }

    it("production's data volumes pass because they are protected (not because nothing was checked)", async () => {
        const g = await stackGraph("production");
        const data = g.resources.filter((r) => r.type === VOLUME && (r.inputs as any).labels.some((l: any) => l.label === "hostplane.kind" && l.value === "data"));
        assert.ok(data.length >= 3);
        for (const v of data) {
            assert.strictEqual(v.protect, true, v.name);
            const unprotected = await violations(protectedVolumes, { type: VOLUME, props: v.inputs, name: v.name, stack: "production", protect: false });
            assert.strictEqual(unprotected.length, 1, v.name);
        }
    });

    it("rejects the program's own resources when the config breaks a rule: allowDataDestroy lifts protection", async () => {
        const { captureGraph } = await import("../lib/graph");
        const cfg = baseConfig();
        cfg.environments.production.services = { db: { type: "postgres" } };
        cfg.environments.production.allowDataDestroy = true;
        const g = await captureGraph(sourceOf(cfg, ["stripeApiKey"], "production"));
        const v = await graphViolations(g);
        assert.ok(v.length > 0 && v.every((m) => m.startsWith("production-volumes-protected: ")), JSON.stringify(v));
    });
});

describe("policy pack: served over the analyzer protocol", function () {
    // The same entry point the Node.js language host uses for `--policy-pack policy`:
    // @pulumi/pulumi/cmd/run-policy-pack in the pack's directory, TypeScript through ts-node.
    let child: ChildProcess;
    let client: any;
    let pb: any;
    let structpb: any;

    before(async function () {
        this.timeout(60000);
        pb = require("@pulumi/pulumi/proto/analyzer_pb");
        const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
        structpb = require("google-protobuf/google/protobuf/struct_pb");
        assert.match(fs.readFileSync(repoPath("policy", "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], { cwd: repoPath("policy"), stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (d) => {
                out += d;
                const m = /^(\d+)\n/.exec(out);
                if (m) resolve(Number(m[1]));
            });
            child.on("exit", (code) => reject(new Error(`policy pack exited (${code}) before serving:\n${stderr}`)));
        });
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });
    after(() => {
        client?.close();
        child?.kill();
    });

    const call = <T>(method: string, req: unknown) => new Promise<T>((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));

    function request(stack: string, props: Record<string, unknown>, protect = false) {
        const req = new pb.AnalyzeRequest();
        req.setType(CONTAINER);
        req.setName("api");
        req.setUrn(`urn:pulumi:${stack}::hostplane::${CONTAINER}::api`);
        req.setProperties(structpb.Struct.fromJavaScript(props));
        const opts = new pb.AnalyzerResourceOptions();
        opts.setProtect(protect);
        req.setOptions(opts);
        return req;
    }
    const diagnostics = async (req: unknown) =>
        ((await call<any>("analyze", req)).getDiagnosticsList() as any[]).map((d) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), message: d.getMessage() }));

    it("announces the hostplane pack with every policy mandatory", async () => {
        const info = await call<any>("getAnalyzerInfo", new (require("google-protobuf/google/protobuf/empty_pb").Empty)());
        assert.strictEqual(info.getName(), "hostplane");
        const listed = info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]);
        assert.deepStrictEqual(listed, policies.map((p) => [p.name, pb.EnforcementLevel.MANDATORY]));
    });

    it("rejects a container without a memory limit (mandatory) and accepts a well-formed one", async () => {
        const { memory, ...noMemory } = goodContainer();
        const d = await diagnostics(request("production", noMemory));
        assert.deepStrictEqual(d.map((x) => [x.policy, x.level]), [["container-memory-limit", pb.EnforcementLevel.MANDATORY]]);
        assert.match(d[0].message, /has no memory limit/);
        assert.deepStrictEqual(await diagnostics(request("production", goodContainer())), []);
    });

    it("sees through Pulumi secrets: a secret env value is still a plain-text env var", async () => {
        const secretEnvs = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: ["DB_PASSWORD=hunter2"] };
        const d = await diagnostics(request("staging", goodContainer({ envs: secretEnvs, labels: labels({ "hostplane.stack": "staging" }) })));
        assert.deepStrictEqual(d.map((x) => x.policy), ["no-plaintext-secret-env"]);
        assert.ok(!d[0].message.includes("hunter2"));
    });
});
