// A cluster stack under Pulumi mocks: the swarm formed (init on the first manager, the others
// joined with secret tokens, nodes labelled), overlay networks, apps as Swarm services realized
// from the same workload specs as on one host, data services pinned to their node.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { captureGraph, Graph, GraphResource } from "../lib/graph";
import { baseConfig, sourceOf } from "./fixtures";
import { INIT_DELETE, JOIN_DELETE, initScript, joinScript } from "../components/hosts/swarm";
import { updateInputs } from "../runtime/swarm";
import type { WorkloadSpec } from "../spec/workload";

const SERVICE = "docker:index/service:Service";
const COMMAND = "command:local:Command";
const node = (name: string, role: string, labels: string[], address: string) => ({ name, role, labels, host: { provider: "ssh", address, user: "hostplane" } });

/** The baseline stack on three nodes; api with 3 replicas, a postgres pinned to the data node. */
function clusterConfig(): Record<string, any> {
    const c = baseConfig();
    delete c.host;
    c.cluster = { nodes: [node("n1", "manager", ["edge"], "10.213.0.2"), node("n2", "worker", ["data"], "10.213.0.3"), node("n3", "worker", [], "10.213.0.4")] };
    c.environments.production.apps.api.replicas = 3;
    c.environments.production.apps.api.dependsOn = ["db"];
    c.environments.production.services = { db: { type: "postgres", placement: ["data"] } };
    delete c.environments.staging.apps.api.hostPort;
    return c;
}

const byType = (g: Graph, t: string) => g.resources.filter((r) => r.type === t);
const named = (g: Graph, n: string): GraphResource => {
    const r = g.resources.find((x) => x.name === n);
    assert.ok(r, `no resource ${n}; have ${g.resources.map((x) => x.name).join(", ")}`);
    return r!;
};

describe("a cluster stack under mocks (Docker Swarm)", function () {
    this.timeout(120000);
    let g: Graph;
    before(async () => (g = await captureGraph(sourceOf(clusterConfig(), ["stripeApiKey", "sshPrivateKey"]))));

    it("forms the swarm: init on the first manager, the workers joined with the secret tokens, every node labelled", () => {
        const init = named(g, "tp-swarm-init");
        assert.strictEqual(init.inputs.create, initScript("10.213.0.2"));
        assert.strictEqual(init.inputs.delete, INIT_DELETE);
        const tokens = named(g, "tp-swarm-join-tokens");
        assert.strictEqual(tokens.inputs.logging, "none", "the tokens are never logged");
        for (const [n, addr] of [["n2", "10.213.0.3"], ["n3", "10.213.0.4"]]) {
            const join = named(g, `tp-swarm-join-${n}`);
            assert.strictEqual(join.inputs.create, joinScript("worker", addr, "10.213.0.2"));
            assert.strictEqual(join.inputs.delete, JOIN_DELETE);
            assert.strictEqual(join.inputs.stdin, "[secret]", "the join tokens reach the node's step on stdin, as a secret");
            assert.match(String((join.inputs.environment as any).DOCKER_HOST), new RegExp(`^ssh://hostplane@${addr.replace(/\./g, "\\.")}:22$`));
            assert.ok(join.dependsOn.includes("tp-swarm-join-tokens"));
        }
        assert.match(String(named(g, "tp-swarm-labels-n1").inputs.create), /^docker node update --label-add hostplane\.edge=true \S* >\/dev\/null$/);
        assert.match(String(named(g, "tp-swarm-labels-n2").inputs.create), /--label-add hostplane\.data=true/);
    });

    it("environment networks are attachable, encrypted overlays created after the swarm is ready", () => {
        for (const net of byType(g, "docker:index/network:Network")) {
            assert.strictEqual(net.inputs.driver, "overlay", net.name);
            assert.strictEqual(net.inputs.attachable, true, net.name);
            assert.deepStrictEqual(net.inputs.options, { encrypted: "true" }, net.name);
            for (const dep of ["tp-swarm-init", "tp-swarm-join-n2", "tp-swarm-labels-n3"]) assert.ok(net.dependsOn.includes(dep), `${net.name} waits for ${dep}`);
        }
    });

    it("an app is one Swarm service per revision: dnsrr, replicas, start-first with rollback, health, limits, logs", () => {
        const api = named(g, "tp-production-api-container");
        assert.strictEqual(api.type, SERVICE);
        const i = api.inputs as any;
        assert.match(i.name, /^tp-production-api-[0-9a-f]{8}$/);
        assert.deepStrictEqual(i.mode, { replicated: { replicas: 3 } });
        assert.deepStrictEqual(i.endpointSpec, { mode: "dnsrr" });
        assert.deepStrictEqual(i.updateConfig, { parallelism: 1, delay: "0s", order: "start-first", failureAction: "rollback", monitor: "315s", maxFailureRatio: "0" });
        assert.strictEqual(i.rollbackConfig.order, "start-first");
        assert.deepStrictEqual(i.convergeConfig, { delay: "2s", timeout: "420s" });
        const t = i.taskSpec;
        assert.deepStrictEqual(t.resources, { limits: { nanoCpus: 1e9, memoryBytes: 1024 * 1024 * 1024 } });
        assert.deepStrictEqual(t.restartPolicy, { condition: "any", delay: "5s", window: "0s" });
        // Create the new revision before deleting the old one, whatever the provider asks for.
        assert.deepStrictEqual(api.options, { deleteBeforeReplace: false, ignoreChanges: ["taskSpec.containerSpec.sysctl"] });
        assert.strictEqual(t.logDriver.name, "json-file");
        assert.strictEqual(t.logDriver.options["max-size"], "10m");
        assert.strictEqual(t.containerSpec.healthcheck.tests[0], "CMD");
        assert.strictEqual(t.containerSpec.stopGracePeriod, "30s");
        // The routed revision carries the shared alias and its own (the proxy's cutover target).
        const aliases = t.networksAdvanceds[0].aliases;
        assert.strictEqual(aliases[0], "production-api");
        assert.match(aliases[1], /^production-api-[0-9a-f]{8}$/);
        assert.ok(named(g, "tp-production-api-drain").dependsOn.includes("tp-production-api-container"));
        // web is placed on edge nodes only when asked; api has no placement.
        assert.strictEqual(t.placement, undefined);
    });

    it("secret files are Swarm secrets (immutable, named by content hash), never plain text in the graph", () => {
        const secrets = byType(g, "docker:index/secret:Secret");
        assert.ok(secrets.length >= 2, "api's STRIPE_API_KEY and SESSION_SECRET");
        for (const s of secrets) {
            assert.strictEqual(s.inputs.data, "[secret]", s.name);
            assert.match(String(s.inputs.name), /^tp-production-api-rev-[A-Za-z0-9_.-]+-[0-9a-f]{12}$/);
        }
        const refs = (named(g, "tp-production-api-container").inputs as any).taskSpec.containerSpec.secrets;
        assert.deepStrictEqual(refs.map((r: any) => [r.fileName, r.fileMode]).sort(), [["/run/secrets/DATABASE_URL", 0o400], ["/run/secrets/SESSION_SECRET", 0o400], ["/run/secrets/STRIPE_API_KEY", 0o400]]);
        const text = JSON.stringify(g.resources);
        for (const v of g.secretValues) assert.ok(!text.includes(v), "a secret value is in the graph");
    });

    it("a pinned data service runs as a container on its node's engine, with its volume there", () => {
        const db = g.resources.find((r) => r.type === "docker:index/container:Container" && r.name.startsWith("tp-production-db"));
        assert.ok(db, "the postgres container");
        assert.ok(named(g, "tp-node-n2-docker"), "node n2 has its own Docker provider");
        assert.strictEqual(byType(g, SERVICE).filter((s) => s.name.includes("-db")).length, 0);
    });

    it("the proxy stays a container on the first manager (an edge node), its reload after every routed app service", () => {
        const reload = g.resources.find((r) => r.type === COMMAND && r.name === "tp-proxy-reload");
        assert.ok(reload);
        assert.ok(reload!.dependsOn.some((d) => d === "tp-production-api-container" || d.startsWith("tp-production-api")), reload!.dependsOn.join(", "));
    });
});

describe("Swarm runtime: update order and the swarm scripts", () => {
    const spec = (mounts?: WorkloadSpec["mounts"]): WorkloadSpec => ({ name: "x", image: "i", networks: [], cpus: 1, memoryMb: 64, restart: "always", labels: {}, ...(mounts ? { mounts } : {}) });
    it("a workload with a volume goes stop-first (two tasks never share its data); others start-first", () => {
        assert.strictEqual(updateInputs(spec()).updateConfig.order, "start-first");
        assert.strictEqual(updateInputs(spec([{ type: "volume", volume: { name: "v", labels: {} }, target: "/data" }])).updateConfig.order, "stop-first");
        assert.strictEqual(updateInputs(spec()).updateConfig.failureAction, "rollback");
    });
    it("the init, join and delete scripts are valid POSIX sh", () => {
        for (const script of [initScript("10.0.0.2"), joinScript("manager", "10.0.0.3", "10.0.0.2"), INIT_DELETE, JOIN_DELETE]) {
            const r = spawnSync("sh", ["-n"], { input: script });
            assert.strictEqual(r.status, 0, `${script}\n${r.stderr}`);
        }
    });
});
