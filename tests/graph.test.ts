// The resource graph of every example stack, under Pulumi mocks: what exists, with which inputs,
// in which order (explicit dependsOn), and what stays secret.
import * as assert from "assert";
import { captureGraph, Graph, GraphResource } from "../lib/graph";
import { baseConfig, sourceOf, STACKS, stackGraph } from "./fixtures";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const byType = (g: Graph, t: string) => g.resources.filter((r) => r.type === t);
/** App containers (the proxy and certbot are covered in proxy.test.ts). */
const appContainers = (g: Graph) =>
    byType(g, CONTAINER).filter((c) => ((c.inputs as any).labels ?? []).some((l: any) => l.label === "hostplane.kind" && l.value === "app"));
const named = (g: Graph, n: string) => {
    const r = g.resources.find((x) => x.name === n);
    assert.ok(r, `no resource named ${n}; have ${g.resources.map((x) => x.name).join(", ")}`);
    return r!;
};

for (const stack of STACKS) {
    describe(`stack ${stack} under mocks`, () => {
        let g: Graph;
        before(async () => (g = await stackGraph(stack)));

        it("has one Platform, Host, Networks, and an Environment per configured environment", () => {
            const count = (t: string) => g.resources.filter((r) => r.type === t).length;
            assert.strictEqual(count("hostplane:index:Platform"), 1);
            assert.strictEqual(count("hostplane:host:Host"), 1);
            assert.strictEqual(count("hostplane:network:Networks"), 1);
            assert.strictEqual(count("hostplane:environment:Environment"), g.model.environments.length);
        });

        it("creates one bridge network per environment plus the monitoring network", () => {
            const names = byType(g, NETWORK).map((n) => n.inputs.name).sort();
            const expected = [...g.model.environments.map((e) => `${g.model.prefix}_${e.name}_network`), `${g.model.prefix}_monitoring_network`].sort();
            assert.deepStrictEqual(names, expected);
            for (const n of byType(g, NETWORK)) {
                assert.strictEqual(n.inputs.driver, "bridge");
                assert.ok(n.dependsOn.includes(`${g.model.prefix}-host-docker`), `${n.name} waits for the host (Host.ready)`);
            }
        });

        it("gives every app one container with a health check, limits, restart policy and log rotation", () => {
            const apps = g.model.environments.flatMap((e) => e.apps);
            const containers = appContainers(g);
            assert.strictEqual(containers.length, apps.length);
            for (const c of containers) {
                const i = c.inputs as any;
                assert.ok(Array.isArray(i.healthcheck?.tests) && i.healthcheck.tests.length > 1, `${c.name} health check`);
                assert.ok(i.memory > 0, `${c.name} memory limit`);
                assert.ok(Number(i.cpus) > 0, `${c.name} cpu limit`);
                assert.ok(["always", "unless-stopped", "on-failure"].includes(i.restart), `${c.name} restart`);
                assert.strictEqual(i.logDriver, "json-file");
                // Rotation, plus the container name and hostplane labels on every line (the collector reads them).
                assert.deepStrictEqual(Object.keys(i.logOpts).sort(), ["labels", "max-file", "max-size", "tag"]);
                assert.strictEqual(i.wait, true, `${c.name} health-gated start`);
                const app = g.model.environments.flatMap((e) => e.apps).find((a) => c.name === `${a.containerBaseName}-container`)!;
                assert.ok(i.waitTimeout > app.healthcheck.worstCaseSeconds, `${c.name} waits longer than the slowest healthy start`);
            }
        });

        it("uses the production health-check defaults unless the stack overrides them", () => {
            if (stack === "local" || stack === "e2e") return; // these deliberately check faster
            const api = named(g, `${g.model.prefix}-${g.model.environments[0].name}-api-container`).inputs as any;
            assert.deepStrictEqual(
                { interval: api.healthcheck.interval, timeout: api.healthcheck.timeout, retries: api.healthcheck.retries, startPeriod: api.healthcheck.startPeriod },
                // 90s, spelled as Docker reads it back (no diff on the next preview)
                { interval: "45s", timeout: "15s", retries: 5, startPeriod: "1m30s" },
            );
        });

        it("attaches every container to its environment network with a stable alias (routed apps: plus a revision alias), and depends on that network", () => {
            for (const env of g.model.environments) {
                for (const app of env.apps) {
                    const c = named(g, `${app.containerBaseName}-container`);
                    const revision = String((c.inputs as any).name).slice(app.containerBaseName.length + 1);
                    assert.match(revision, /^[0-9a-f]{8}$/);
                    const aliases = app.routes.length > 0 ? [`${env.name}-${app.name}`, `${env.name}-${app.name}-${revision}`] : [`${env.name}-${app.name}`];
                    assert.deepStrictEqual((c.inputs as any).networksAdvanced, [{ name: env.networkName, aliases }]);
                    assert.ok(c.dependsOn.includes(env.networkName), `${c.name} dependsOn ${c.dependsOn}`);
                }
            }
        });

        it("starts apps after the apps they declare in dependsOn", () => {
            for (const env of g.model.environments)
                for (const app of env.apps) {
                    const c = named(g, `${app.containerBaseName}-container`);
                    for (const d of app.dependsOn) assert.ok(c.dependsOn.includes(`${g.model.prefix}-${env.name}-${d}`), `${c.name} after ${d}`);
                }
        });

        it("runs each migration job after the app's dependencies and before its container", () => {
            const migrations = g.resources.filter((r) => r.name.endsWith("-migrate"));
            const expected = g.model.environments.flatMap((e) => e.apps.filter((a) => a.migration));
            assert.strictEqual(migrations.length, expected.length);
            for (const app of expected) {
                const m = named(g, `${app.containerBaseName}-migrate`);
                assert.ok(m.dependsOn.includes(g.model.environments.find((e) => e.name === app.environment)!.networkName));
                assert.ok(named(g, `${app.containerBaseName}-container`).dependsOn.includes(m.name));
                assert.match(String((m.inputs as any).create), /docker run --rm/);
                // App env and secrets go through stdin (an env file), never the local process environment.
                assert.deepStrictEqual(Object.keys((m.inputs as any).environment), ["DOCKER_HOST"], "migration's local environment");
                assert.strictEqual((m.inputs as any).stdin, "[secret]", "migration env file carries secrets");
            }
        });

        it("names containers per revision; only apps holding a host port are replaced stop-then-start", () => {
            for (const c of appContainers(g)) {
                assert.match(String(c.inputs.name), /-[0-9a-f]{8}$/);
                const holdsPort = ((c.inputs as any).ports ?? []).length > 0;
                assert.strictEqual(c.options.deleteBeforeReplace, holdsPort, c.name);
            }
        });

        it("keeps secrets secret: delivered as files (0400 for root, 0444 inside a non-root app's own container), never a plain value anywhere", () => {
            const json = JSON.stringify(g.resources) + JSON.stringify(g.outputs);
            for (const v of g.secretValues) assert.ok(!json.includes(v), "a secret value leaked into the graph");
            for (const env of g.model.environments)
                for (const app of env.apps) {
                    const c = named(g, `${app.containerBaseName}-container`).inputs as any;
                    assert.strictEqual(c.uploads.length, app.secrets.length);
                    for (const u of c.uploads) {
                        assert.strictEqual(u.content, "[secret]");
                        assert.strictEqual(u.permissions, app.user && !/^(0|root)(:|$)/.test(app.user) ? "0444" : "0400", app.name);
                        assert.strictEqual(u.owner, undefined, "no owner: CopyUIDGID breaks on Docker 20.10");
                    }
                    for (const s of app.secrets) assert.ok(c.envs.includes(`${s.name}_FILE=/run/secrets/${s.name}`));
                }
        });

        it("publishes app ports only on 127.0.0.1, and none in production", () => {
            for (const env of g.model.environments)
                for (const app of env.apps) {
                    const ports = (named(g, `${app.containerBaseName}-container`).inputs as any).ports;
                    if (env.kind === "production") assert.deepStrictEqual(ports, []);
                    for (const p of ports) assert.strictEqual(p.ip, "127.0.0.1");
                }
        });

        it("exports container and network names but no secret", () => {
            const out = g.outputs as any;
            for (const env of g.model.environments) {
                assert.strictEqual(out.networks[env.name], env.networkName);
                for (const app of env.apps) assert.match(out.environments[env.name].apps[app.name].container, new RegExp(`^${app.containerBaseName}-`));
            }
        });
    });
}

describe("revisions and zero-downtime replacement", () => {
    const containerOf = (g: Graph, app: string): GraphResource => g.resources.find((r) => r.name === `tp-production-${app}-container`)!;

    it("a new image gives the app a new container name and revision alias but the same shared alias; other apps keep theirs", async () => {
        const before = await captureGraph(sourceOf(baseConfig()));
        const changed = baseConfig();
        changed.environments.production.apps.api.image = "ghcr.io/example/api:1.0.1";
        const after = await captureGraph(sourceOf(changed));
        assert.notStrictEqual(containerOf(before, "api").inputs.name, containerOf(after, "api").inputs.name);
        const aliases = (g: Graph) => (containerOf(g, "api").inputs as any).networksAdvanced[0].aliases as string[];
        assert.strictEqual(aliases(before)[0], aliases(after)[0], "the shared alias stays");
        assert.notStrictEqual(aliases(before)[1], aliases(after)[1], "the revision alias is new");
        assert.strictEqual(containerOf(before, "web").inputs.name, containerOf(after, "web").inputs.name);
        // The proxy is switched to the new revision: its rendered upstream and reload trigger change.
        const upstream = (g: Graph) => {
            const script = String((g.resources.find((r) => r.name === "tp-proxy-config")!.inputs as any).create);
            const b64 = /echo (\S+) \| base64 -d > upstreams\/production-api\.conf;/.exec(script)![1];
            return Buffer.from(b64, "base64").toString();
        };
        assert.match(upstream(before), new RegExp(`set \\$upstream http://${aliases(before)[1]}:8000;`));
        assert.match(upstream(after), new RegExp(`set \\$upstream http://${aliases(after)[1]}:8000;`), "config names the new revision alias");
        const trigger = (g: Graph) => (g.resources.find((r) => r.name === "tp-proxy-reload")!.inputs as any).triggers[0];
        assert.notStrictEqual(trigger(before), trigger(after));
    });

    it("a changed health check rolls the container (Docker would silently keep the old check)", async () => {
        const changed = baseConfig();
        changed.environments.production.apps.web.healthcheck = { path: "/ready" };
        const [a, b] = [await captureGraph(sourceOf(baseConfig())), await captureGraph(sourceOf(changed))];
        assert.notStrictEqual(containerOf(a, "web").inputs.name, containerOf(b, "web").inputs.name);
    });

    it("drains the old revision after the new one is up: it keeps serving, it is never disconnected first", async () => {
        const g = await captureGraph(sourceOf(baseConfig()));
        const drain = g.resources.find((r) => r.name === "tp-production-api-drain")!;
        assert.deepStrictEqual(drain.dependsOn, ["tp-production-api-container"]);
        assert.deepStrictEqual((drain.inputs as any).triggers, [containerOf(g, "api").inputs.name]);
        assert.strictEqual((drain.inputs as any).delete, `sleep ${g.model.drainSeconds}`);
        assert.doesNotMatch(JSON.stringify(drain.inputs), /disconnect/);
        // Pulumi stops the old container with this grace after the drain: SIGTERM, then SIGKILL.
        assert.strictEqual((containerOf(g, "api").inputs as any).destroyGraceSeconds, 30);
    });

    it("the proxy's config step waits for the apps it routes to: it never points at an unhealthy revision", async () => {
        const g = await captureGraph(sourceOf(baseConfig()));
        const config = g.resources.find((r) => r.name === "tp-proxy-config")!;
        // The app's container (healthy once created: wait), not its component, whose drain step sleeps.
        for (const r of g.model.proxy.routes.filter((x) => x.switched)) assert.ok(config.dependsOn.includes(`tp-${r.environment}-${r.app}-container`), `${r.app}: ${config.dependsOn}`);
    });

    it("generates one random password per generated secret, with no special characters", async () => {
        const g = await captureGraph(sourceOf(baseConfig()));
        // Apps' secrets only (Grafana's admin password and the monitoring UIs' basic-auth passwords
        // are tested with the Monitoring component and the proxy).
        const monitoringPasswords = ["tp-grafana-admin-password", "tp-grafana-basic-auth", "tp-prometheus-basic-auth"];
        const pw = g.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword" && !monitoringPasswords.includes(r.name));
        assert.deepStrictEqual(pw.map((p) => p.name), ["tp-production-api-session_secret"]);
        assert.strictEqual((pw[0].inputs as any).special, false);
        assert.ok((pw[0].inputs as any).length >= 32);
    });
});
