// Bad configs a user can write, each with the exact message they get, before any resource exists.
import * as assert from "assert";
import { ConfigError, ConfigIssue } from "../config/errors";
import { loadPlatformModel } from "../config/validate";
import { baseConfig, sourceOf } from "./fixtures";

type Case = {
    name: string;
    mutate: (c: Record<string, any>) => void;
    /** Keys set with --secret (default: stripeApiKey). */
    secrets?: string[];
    /** Extra raw values (e.g. a plain value under a secret's key). */
    extra?: Record<string, unknown>;
    expect: ConfigIssue[];
};

const P = "hostplane:environments.production.apps";
const S = "hostplane:environments.staging.apps";

const CASES: Case[] = [
    {
        name: "unknown top-level key",
        mutate: () => {},
        extra: { colour: "blue" },
        expect: [{ key: "hostplane:colour", message: "unknown key; expected one of prefix, host, defaults, proxy, monitoring, environments, or a secret set with 'pulumi config set --secret hostplane:colour'" }],
    },
    {
        name: "proxy: letsencrypt without an e-mail",
        mutate: (c) => (c.proxy = { tls: { mode: "letsencrypt" } }),
        expect: [{ key: "hostplane:proxy.tls.email", message: "is required; expected string" }],
    },
    {
        name: "proxy: unknown TLS mode",
        mutate: (c) => (c.proxy = { tls: { mode: "acme" } }),
        expect: [{ key: "hostplane:proxy.tls.mode", message: "got \"acme\"; expected tls.mode to be one of selfsigned, provided, letsencrypt" }],
    },
    {
        name: "proxy: provided certificate whose secret is not set",
        mutate: (c) => (c.proxy = { tls: { mode: "provided", certificate: "tlsCert", privateKey: "tlsKey" } }),
        secrets: ["stripeApiKey", "tlsCert"],
        expect: [{ key: "hostplane:proxy.tls.privateKey", message: "missing secret hostplane:tlsKey; set it with 'pulumi config set --secret hostplane:tlsKey < file.pem --stack test'" }],
    },
    {
        name: "proxy port taken by an app's host port",
        mutate: (c) => (c.proxy = { ports: { http: 8011, https: 8443 } }),
        expect: [{ key: "hostplane:proxy.ports.http", message: "host port 8011 is also the host port of staging/api; expected ports the apps do not use" }],
    },
    {
        name: "route body size written 10MB",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ path: "/api", maxBodySize: "10MB" }]),
        expect: [{ key: `${P}.api.routes[0].maxBodySize`, message: 'got "10MB"; expected an nginx size like 10m, 512k or 1g' }],
    },
    {
        name: "unknown app key",
        mutate: (c) => (c.environments.production.apps.api.replicas = 2),
        expect: [{ key: `${P}.api`, message: "unknown key 'replicas'; expected only image, port, command, env, secrets, secretDelivery, user, healthcheck, cpus, memory, restart, routes, metrics, dependsOn, migration, hostPort" }],
    },
    {
        name: "unknown environment key",
        mutate: (c) => (c.environments.staging.network = "x"),
        expect: [{ key: "hostplane:environments.staging", message: "unknown key 'network'; expected only kind, domain, portOffset, servicePortOffset, apps, services, allowDataDestroy" }],
    },
    {
        name: "memory written 2GB",
        mutate: (c) => (c.environments.production.apps.api.memory = "2GB"),
        expect: [{ key: `${P}.api.memory`, message: 'got "2GB"; expected a Docker memory size: a number with unit K, M or G, like 512M or 2G (not 2GB or 2048)' }],
    },
    {
        name: "memory as a bare number",
        mutate: (c) => (c.environments.production.apps.api.memory = 2048),
        expect: [{ key: `${P}.api.memory`, message: "got 2048; expected string" }],
    },
    {
        name: "cpus as a word",
        mutate: (c) => (c.environments.production.apps.web.cpus = "two"),
        expect: [{ key: `${P}.web.cpus`, message: 'got "two"; expected number' }],
    },
    {
        name: "port out of range",
        mutate: (c) => (c.environments.production.apps.api.port = 70000),
        expect: [{ key: `${P}.api.port`, message: "got 70000; expected at most 65535" }],
    },
    {
        name: "missing image",
        mutate: (c) => delete c.environments.production.apps.api.image,
        expect: [{ key: `${P}.api.image`, message: "is required; expected string" }],
    },
    {
        name: "image with upper case",
        mutate: (c) => (c.environments.production.apps.api.image = "GHCR.io/Example/api:1"),
        expect: [{ key: `${P}.api.image`, message: 'got "GHCR.io/Example/api:1"; expected a Docker image reference like registry.example.com/api:1.4.2' }],
    },
    {
        name: "depends on an unknown service",
        mutate: (c) => (c.environments.production.apps.web.dependsOn = ["api", "wroker"]),
        expect: [{ key: `${P}.web.dependsOn[1]`, message: "unknown service 'wroker'; expected one of the apps or data services of environment 'production': api, worker" }],
    },
    {
        name: "depends on itself",
        mutate: (c) => (c.environments.production.apps.api.dependsOn = ["api"]),
        expect: [{ key: `${P}.api.dependsOn[0]`, message: "'api' depends on itself" }],
    },
    {
        name: "two-app dependency cycle",
        mutate: (c) => (c.environments.production.apps.api.dependsOn = ["worker"]),
        expect: [{ key: P, message: "dependency cycle api -> worker -> api; expected dependsOn to form layers without cycles" }],
    },
    {
        name: "three-app dependency cycle",
        mutate: (c) => {
            c.environments.production.apps.api.dependsOn = ["worker"];
            c.environments.production.apps.worker.dependsOn = ["web"];
        },
        expect: [{ key: P, message: "dependency cycle api -> worker -> web -> api; expected dependsOn to form layers without cycles" }],
    },
    {
        name: "duplicate route in one environment",
        mutate: (c) => (c.environments.production.apps.worker.routes = [{ path: "/api" }]),
        expect: [{ key: `${P}.worker.routes[0]`, message: "route example.com/api is already served by production/api; expected each host+path once" }],
    },
    {
        name: "duplicate route across environments",
        mutate: (c) => (c.environments.staging.apps.api.routes = [{ host: "example.com", path: "/api" }]),
        expect: [{ key: `${S}.api.routes[0]`, message: "route example.com/api is already served by production/api; expected each host+path once" }],
    },
    {
        name: "host port collision between environments",
        mutate: (c) => {
            c.environments.sandbox = { kind: "development", domain: "sandbox.example.com", portOffset: 0, apps: { api: { ...c.environments.staging.apps.api, routes: [], hostPort: 8011 } } };
        },
        expect: [{ key: "hostplane:environments.sandbox.apps.api.hostPort", message: "host port 8011 (hostPort 8011 + portOffset 0) collides with staging/api" }],
    },
    {
        name: "host port pushed past 65535 by the offset",
        mutate: (c) => (c.environments.staging.apps.api.hostPort = 65530),
        expect: [{ key: `${S}.api.hostPort`, message: "hostPort 65530 + portOffset 10 = 65540; expected at most 65535" }],
    },
    {
        name: "production app publishing a port",
        mutate: (c) => (c.environments.production.apps.api.hostPort = 8000),
        expect: [{ key: `${P}.api.hostPort`, message: "got 8000; production environments publish no app ports (only the proxy faces the internet): remove hostPort and add a route" }],
    },
    {
        name: "missing required secret",
        mutate: () => {},
        secrets: [],
        expect: [{ key: `${P}.api.secrets.STRIPE_API_KEY`, message: "missing secret hostplane:stripeApiKey; set it with 'pulumi config set --secret hostplane:stripeApiKey <value> --stack test'" }],
    },
    {
        name: "secret set in plain text",
        mutate: () => {},
        secrets: [],
        extra: { stripeApiKey: "sk_live_123" },
        expect: [
            { key: "hostplane:stripeApiKey", message: "unknown key; expected one of prefix, host, defaults, proxy, monitoring, environments, or a secret set with 'pulumi config set --secret hostplane:stripeApiKey'" },
            { key: `${P}.api.secrets.STRIPE_API_KEY`, message: "missing secret hostplane:stripeApiKey; set it with 'pulumi config set --secret hostplane:stripeApiKey <value> --stack test'" },
        ],
    },
    {
        name: "secret source misspelled",
        mutate: (c) => (c.environments.production.apps.api.secrets.TOKEN = "random"),
        expect: [{ key: `${P}.api.secrets.TOKEN`, message: `got "random"; expected 'generate', { generate: { length: N } } or { fromConfig: <config key> }` }],
    },
    {
        name: "generated secret too short",
        mutate: (c) => (c.environments.production.apps.api.secrets.TOKEN = { generate: { length: 8 } }),
        expect: [{ key: `${P}.api.secrets.TOKEN.generate.length`, message: "got 8; expected at least 16" }],
    },
    {
        name: "secret also a plain env var",
        mutate: (c) => (c.environments.production.apps.api.env = { SESSION_SECRET: "x" }),
        expect: [{ key: `${P}.api.secrets.SESSION_SECRET`, message: "'SESSION_SECRET' is also a plain env var; expected it in only one of env and secrets" }],
    },
    {
        name: "env var name in lower case",
        mutate: (c) => (c.environments.production.apps.api.env = { node_env: "production" }),
        expect: [{ key: `${P}.api.env.node_env`, message: "bad name 'node_env'; expected an environment variable name in UPPER_SNAKE_CASE" }],
    },
    {
        name: "app name in upper case",
        mutate: (c) => {
            c.environments.production.apps.API = c.environments.production.apps.worker;
            delete c.environments.production.apps.worker;
        },
        expect: [{ key: `${P}.API`, message: "bad name 'API'; expected an app name of 2-32 lowercase letters, digits and '-', starting with a letter" }],
    },
    {
        name: "health check with neither path nor command",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { interval: "20s" }),
        expect: [{ key: `${P}.api.healthcheck`, message: "expected exactly one of 'path' (HTTP check) or 'command'" }],
    },
    {
        name: "health check with both path and command",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health", command: ["true"] }),
        expect: [{ key: `${P}.api.healthcheck`, message: "expected exactly one of 'path' (HTTP check) or 'command'" }],
    },
    {
        name: "health check timeout longer than its interval",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health", timeout: "60s" }),
        expect: [{ key: `${P}.api.healthcheck.timeout`, message: "got 60s; expected at most the interval (45s)" }],
    },
    {
        name: "interval shorter than the default timeout",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health", interval: "10s" }),
        expect: [{ key: `${P}.api.healthcheck.timeout`, message: "got 15s (from defaults.healthcheck.timeout); expected at most the interval (10s)" }],
    },
    {
        name: "duration without a unit",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health", startPeriod: "90" }),
        expect: [{ key: `${P}.api.healthcheck.startPeriod`, message: 'got "90"; expected a duration like 15s, 90s or 1m30s' }],
    },
    {
        name: "unknown restart policy",
        mutate: (c) => (c.environments.production.apps.api.restart = "sometimes"),
        expect: [{ key: `${P}.api.restart`, message: 'got "sometimes"; expected one of "no"|"on-failure"|"always"|"unless-stopped"' }],
    },
    {
        name: "route path without a leading slash",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ path: "api" }]),
        expect: [{ key: `${P}.api.routes[0].path`, message: 'got "api"; expected a URL path like /api (letters, digits, . _ ~ - /)' }],
    },
    {
        name: "route host that is no DNS name",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ host: "API_Example.com" }]),
        expect: [{ key: `${P}.api.routes[0].host`, message: 'got "API_Example.com"; expected a lowercase DNS host name like api.example.com' }],
    },
    {
        name: "unknown host provider",
        mutate: (c) => (c.host = { provider: "kubernetes" }),
        expect: [{ key: "hostplane:host.provider", message: 'got "kubernetes"; expected host.provider to be one of local, ssh, hcloud' }],
    },
    {
        name: "ssh host without its private key",
        mutate: (c) => (c.host = { provider: "ssh", address: "203.0.113.7" }),
        expect: [{ key: "hostplane:sshPrivateKey", message: "missing secret: host.provider is ssh; set the private key with 'pulumi config set --secret hostplane:sshPrivateKey < ~/.ssh/id_ed25519 --stack test'" }],
    },
    {
        name: "hcloud host without its API token or private key (token first)",
        mutate: (c) => (c.host = { provider: "hcloud", sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE ops@example.com" }),
        expect: [
            { key: "hcloud:token", message: "missing secret: host.provider is hcloud and needs a Hetzner Cloud API token (read & write, from the Cloud Console: project > Security > API tokens); set it with 'pulumi config set --secret hcloud:token <api-token> --stack test'" },
            { key: "hostplane:sshPrivateKey", message: "missing secret: host.provider is hcloud; set the private key matching host.sshPublicKey with 'pulumi config set --secret hostplane:sshPrivateKey < ~/.ssh/id_ed25519 --stack test'" },
        ],
    },
    {
        name: "hcloud host without a public key, with a bad admin CIDR",
        mutate: (c) => (c.host = { provider: "hcloud", adminCidrs: ["198.51.100.7"] }),
        secrets: ["stripeApiKey", "sshPrivateKey"],
        expect: [
            { key: "hcloud:token", message: "missing secret: host.provider is hcloud and needs a Hetzner Cloud API token (read & write, from the Cloud Console: project > Security > API tokens); set it with 'pulumi config set --secret hcloud:token <api-token> --stack test'" },
            { key: "hostplane:host.sshPublicKey", message: "is required; expected string" },
            { key: "hostplane:host.adminCidrs[0]", message: 'got "198.51.100.7"; expected a CIDR like 198.51.100.7/32 or 2001:db8::/48' },
        ],
    },
    {
        name: "no environments",
        mutate: (c) => (c.environments = {}),
        expect: [{ key: "hostplane:environments", message: "got {}; expected at least one environment" }],
    },
    {
        name: "environment without a kind",
        mutate: (c) => delete c.environments.staging.kind,
        expect: [{ key: "hostplane:environments.staging.kind", message: 'is required; expected one of "production"|"staging"|"development"' }],
    },
    {
        name: "a plain key set as a secret",
        mutate: () => {},
        secrets: ["stripeApiKey", "prefix"],
        expect: [{ key: "hostplane:prefix", message: "is set as a secret; expected a plain value (it holds no secret)" }],
    },
];

function issuesOf(c: Case): ConfigIssue[] {
    const cfg = baseConfig();
    c.mutate(cfg);
    const src = sourceOf({ ...cfg, ...(c.extra ?? {}) }, c.secrets ?? ["stripeApiKey"]);
    if (c.secrets?.includes("prefix")) delete src.values.prefix, (src.values.prefix = { value: "[secret]", secret: true });
    try {
        loadPlatformModel(src);
    } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
    }
    return [];
}

describe("config validation", () => {
    it("accepts the baseline config", () => assert.deepStrictEqual(issuesOf({ name: "base", mutate: () => {}, expect: [] }), []));

    it(`has at least 25 bad-config cases (${CASES.length})`, () => assert.ok(CASES.length >= 25));

    for (const c of CASES) {
        it(`rejects: ${c.name}`, () => assert.deepStrictEqual(issuesOf(c), c.expect));
    }

    it("reports every problem at once, each naming its key", () => {
        const cfg = baseConfig();
        cfg.environments.production.apps.api.memory = "2GB";
        cfg.environments.production.apps.web.dependsOn = ["nope"];
        try {
            loadPlatformModel(sourceOf(cfg));
            assert.fail("expected a ConfigError");
        } catch (e: any) {
            assert.ok(e instanceof ConfigError);
            // zod issues stop the semantic pass, so the schema problem comes alone first…
            assert.deepStrictEqual(e.issues.map((i: ConfigIssue) => i.key), [`${P}.api.memory`]);
            assert.match(e.message, /^invalid hostplane configuration \(stack test\): 1 problem\n  - hostplane:environments/);
        }
        // …and once it is fixed, the semantic ones are all listed together.
        cfg.environments.production.apps.api.memory = "2G";
        cfg.environments.production.apps.worker.dependsOn = ["also-nope"];
        assert.throws(() => loadPlatformModel(sourceOf(cfg)), (e: any) => e.issues.length === 2);
    });
});
