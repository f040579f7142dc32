// The stack configuration schema: every `hostplane:*` key of a Pulumi.<stack>.yaml.
//
// zod was chosen over hand-written checks and over JSON-Schema validators (ajv) because the
// schema *is* the TypeScript type (z.infer), unknown keys are rejected by strictObject, and each
// issue carries the exact path that our error messages name. Cross-field rules (cycles, port
// collisions, duplicate routes, missing secrets) live in validate.ts.
import { z } from "zod";

/** Names that become parts of Docker names and DNS aliases. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const name = (what: string) =>
    z.string().regex(NAME_PATTERN, {
        error: `expected ${what} name of 2-32 lowercase letters, digits and '-', starting with a letter`,
    });

/** Docker memory sizes as `docker run --memory` understands them: 512M, 2G, 1.5G. */
export const MEMORY_PATTERN = /^[0-9]+(\.[0-9]+)?[kKmMgG]$/;
const memory = z.string().regex(MEMORY_PATTERN, {
    error: `expected a Docker memory size: a number with unit K, M or G, like 512M or 2G (not 2GB or 2048)`,
});

/** Go-style durations as Docker health checks take them: 500ms, 15s, 1m30s. */
export const DURATION_PATTERN = /^([0-9]+(ms|s|m|h))+$/;
const duration = z.string().regex(DURATION_PATTERN, {
    error: `expected a duration like 15s, 90s or 1m30s`,
});

const port = z.number().int().min(1).max(65535);
const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, {
    error: "expected an environment variable name in UPPER_SNAKE_CASE",
});
const hostname = z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
        error: "expected a lowercase DNS host name like api.example.com",
    });

export const HealthcheckOverrides = z.strictObject({
    interval: duration.optional(),
    timeout: duration.optional(),
    retries: z.number().int().min(1).max(20).optional(),
    startPeriod: duration.optional(),
});

export const AppHealthcheck = HealthcheckOverrides.extend({
    /** HTTP path checked on the app's own port, e.g. /health. */
    path: z.string().startsWith("/", { error: "expected an HTTP path starting with /" }).optional(),
    /** A command run inside the container (exit 0 = healthy), for apps without HTTP. */
    command: z.array(z.string()).min(1).optional(),
});

export const Route = z.strictObject({
    host: hostname.optional(),
    path: z
        .string()
        .regex(/^\/[A-Za-z0-9._~\-/]*$/, { error: "expected a URL path like /api (letters, digits, . _ ~ - /)" })
        .optional(),
});

/** Where a secret value comes from. Values never live in this file in plain text. */
export const SecretSource = z.union([
    z.literal("generate"),
    z.strictObject({ generate: z.strictObject({ length: z.number().int().min(16).max(128) }) }),
    z.strictObject({
        /** A key set with `pulumi config set --secret hostplane:<key>`. */
        fromConfig: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, { error: "expected a camelCase config key name" }),
    }),
], { error: "expected 'generate', { generate: { length: N } } or { fromConfig: <config key> }" });

export const RestartPolicy = z.enum(["no", "on-failure", "always", "unless-stopped"]);

export const App = z.strictObject({
    image: z.string().regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, {
        error: "expected a Docker image reference like registry.example.com/api:1.4.2",
    }),
    port: port,
    command: z.array(z.string()).optional(),
    /** Plain, non-secret environment. Secrets go under `secrets`. */
    env: z.record(envVarName, z.string()).default({}),
    secrets: z.record(envVarName, SecretSource).default({}),
    /**
     * `file` (default): each secret is a 0400 file under /run/secrets and the app gets NAME_FILE.
     * `env`: for images that cannot read files, the value goes into NAME (still a Pulumi secret).
     */
    secretDelivery: z.enum(["file", "env"]).default("file"),
    /** The uid[:gid] the image runs as, so secret files are readable by it. */
    user: z.string().regex(/^[0-9]+(:[0-9]+)?$/, { error: "expected a numeric uid or uid:gid" }).optional(),
    healthcheck: AppHealthcheck,
    cpus: z.number().positive().max(64),
    memory: memory,
    restart: RestartPolicy.optional(),
    routes: z.array(Route).default([]),
    metrics: z.strictObject({ path: z.string().startsWith("/").default("/metrics"), port: port.optional() }).optional(),
    dependsOn: z.array(z.string()).default([]),
    migration: z
        .strictObject({ command: z.array(z.string()).min(1), timeout: duration.default("10m") })
        .optional(),
    /** Publish the app on 127.0.0.1:(hostPort + environment portOffset), for local use only. */
    hostPort: port.optional(),
});

export const EnvironmentKind = z.enum(["production", "staging", "development"]);

export const Environment = z.strictObject({
    kind: EnvironmentKind,
    /** The environment's base domain; routes without a host are served on it. */
    domain: hostname,
    /** Added to every host port of the environment, so environments on one host never collide. */
    portOffset: z.number().int().min(0).max(1000).default(0),
    apps: z.record(name("an app"), App).default({}),
});

export const HostLocal = z.strictObject({ provider: z.literal("local") });
export const HostSsh = z.strictObject({
    provider: z.literal("ssh"),
    address: z.string().min(1),
    user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, { error: "expected a Unix user name" }).default("root"),
    port: port.default(22),
});
// The Hetzner Cloud host gets its full model in the hosts issue; the key is reserved here.
export const HostHcloud = z.strictObject({
    provider: z.literal("hcloud"),
    serverType: z.string().default("cx22"),
    location: z.string().default("fsn1"),
    image: z.string().default("debian-12"),
});
export const Host = z.discriminatedUnion("provider", [HostLocal, HostSsh, HostHcloud], {
    error: "expected host.provider to be one of local, ssh, hcloud",
});

export const Defaults = z.strictObject({
    healthcheck: z
        .strictObject({
            interval: duration.default("45s"),
            timeout: duration.default("15s"),
            retries: z.number().int().min(1).max(20).default(5),
            startPeriod: duration.default("90s"),
        })
        .prefault({}),
    logs: z
        .strictObject({
            maxSize: z.string().regex(/^[0-9]+[kmg]$/, { error: "expected a json-file log size like 10m" }).default("10m"),
            maxFile: z.number().int().min(1).max(20).default(3),
        })
        .prefault({}),
    restart: RestartPolicy.default("unless-stopped"),
    /** Seconds the old container keeps serving after the new one is healthy, so DNS caches move over. */
    drainSeconds: z.number().int().min(0).max(300).default(10),
});

/** Every plain (non-secret) `hostplane:*` key. Secret keys are free-form; see validate.ts. */
export const StackConfig = z.strictObject({
    /** Prefix of every Docker name on the host: containers, networks, volumes. */
    prefix: name("a prefix").default("hostplane"),
    host: Host,
    defaults: Defaults.prefault({}),
    environments: z.record(name("an environment"), Environment).refine((e) => Object.keys(e).length > 0, {
        error: "expected at least one environment",
    }),
});

export type StackConfigInput = z.input<typeof StackConfig>;
export type StackConfigParsed = z.output<typeof StackConfig>;
export type AppConfig = z.output<typeof App>;
export type EnvironmentConfig = z.output<typeof Environment>;
export type HostConfig = z.output<typeof Host>;
export type SecretSourceConfig = z.output<typeof SecretSource>;
