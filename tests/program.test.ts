// The real entry point (index.ts) under mocks: config comes through the Pulumi runtime exactly as
// `pulumi up` hands it over, and a bad config stops the program before any resource exists.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { baseConfig } from "./fixtures";

function runIndex(config: Record<string, unknown>, secrets: Record<string, string>): { registered: string[]; exports?: any; error?: unknown } {
    const registered: string[] = [];
    pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                registered.push(a.name);
                return { id: `${a.name}-id`, state: { ...a.inputs, hex: "0badc0de", result: "x" } };
            },
            call: () => ({}),
        },
        "hostplane",
        "test",
        false,
    );
    const all: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) all[`hostplane:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    for (const [k, v] of Object.entries(secrets)) all[`hostplane:${k}`] = v;
    pulumi.runtime.setAllConfig(all, Object.keys(secrets).map((k) => `hostplane:${k}`));
    const mod = require.resolve("../index");
    delete require.cache[mod];
    // index.ts turns stack frames off for its process (lib/stack-traces.ts); this one is mocha's.
    const stackTraceLimit = Error.stackTraceLimit;
    try {
        return { registered, exports: require(mod) };
    } catch (error) {
        return { registered, error };
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

describe("index.ts (the Pulumi program)", () => {
    it("builds the platform from runtime config and exports outputs", async () => {
        const r = runIndex(baseConfig(), { stripeApiKey: "sk_test_abc" });
        assert.strictEqual(r.error, undefined);
        const envs = r.exports.outputs.environments;
        assert.deepStrictEqual(Object.keys(envs).sort(), ["production", "staging"]);
        const name = await new Promise((resolve) => envs.production.apps.api.container.apply(resolve));
        assert.strictEqual(name, "tp-production-api-0badc0de");
        // Registration is asynchronous: give the mocks a moment to see the container.
        for (let i = 0; i < 50 && !r.registered.includes("tp-production-api-container"); i++) await new Promise((res) => setTimeout(res, 100));
        assert.ok(r.registered.includes("tp-production-api-container"));
    });

    it("throws a ConfigError naming the key before registering any resource", () => {
        const cfg = baseConfig();
        cfg.environments.production.apps.api.memory = "2GB";
        const r = runIndex(cfg, { stripeApiKey: "sk_test_abc" });
        assert.ok(r.error instanceof ConfigError, String(r.error));
        assert.match((r.error as Error).message, /hostplane:environments\.production\.apps\.api\.memory: got "2GB"/);
        assert.deepStrictEqual(r.registered, []);
    });

    it("an air-gapped stack asking for a service without a local recipe stops before any resource", () => {
        const cfg = baseConfig();
        cfg.images = { source: "local-build" };
        for (const env of Object.values<any>(cfg.environments)) for (const app of Object.values<any>(env.apps)) app.image = "python:3.12-alpine";
        cfg.environments.staging.services = { docs: { type: "mongodb" } };
        const r = runIndex(cfg, { stripeApiKey: "sk_test_abc" });
        assert.ok(r.error instanceof ConfigError, String(r.error));
        assert.match((r.error as Error).message, /hostplane:environments\.staging\.services\.docs\.image: service 'docs' \(mongodb\) needs image 'mongo:/);
        assert.deepStrictEqual(r.registered, []);
    });

    it("treats a secret set without --secret as missing", () => {
        const r = runIndex({ ...baseConfig(), stripeApiKey: "sk_live_plain" }, {});
        assert.ok(r.error instanceof ConfigError);
        assert.match((r.error as Error).message, /hostplane:stripeApiKey: unknown key/);
        assert.ok(!(r.error as Error).message.includes("sk_live_plain"), "the plain value is not echoed");
    });
});
