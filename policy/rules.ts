// hostplane's platform rules as Pulumi policies, for anyone who extends the program: every
// container is health-checked, memory-limited, restarted and log-rotated; in production only the
// proxy faces the network, images are pinned and data volumes are protected; no secret-looking
// environment variable carries a plain value. All mandatory (policy/index.ts).
//
// Self-contained on purpose: the analyzer runs this in its own process, so it reads only the
// resource's inputs, its options and its URN, never the hostplane program or its config.
// (It imports one pure table, config/admin-tools.ts, shared with config validation.)
import { UnknownValueError } from "@pulumi/policy";
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { adminToolOf } from "../config/admin-tools";

export const CONTAINER = "docker:index/container:Container";
export const VOLUME = "docker:index/volume:Volume";

/** Policy config (`--policy-pack-config`): which stacks and environments are production. */
export interface ProductionConfig {
    /** Stack names (from the resource URN) that are production. */
    productionStacks: string[];
    /** Values of the `hostplane.environment` label that are production, whatever the stack. */
    productionEnvironments: string[];
}
export const DEFAULT_CONFIG: ProductionConfig = { productionStacks: ["production"], productionEnvironments: ["production"] };

const productionSchema = {
    properties: {
        productionStacks: { type: "array" as const, items: { type: "string" as const }, default: DEFAULT_CONFIG.productionStacks },
        productionEnvironments: { type: "array" as const, items: { type: "string" as const }, default: DEFAULT_CONFIG.productionEnvironments },
    },
};

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → stack. */
export function stackOf(urn: string | undefined): string | undefined {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn ?? "");
    return m?.[1];
}

/**
 * Reads a value that may be unknown during preview. @pulumi/policy's props throw
 * UnknownValueError when a rule touches one; a label only known after `up` (the revision hash of
 * a digest looked up at run time) must not stop a rule that needs other labels.
 */
const UNKNOWN = Symbol("unknown during preview");
function known<T>(read: () => T): T | typeof UNKNOWN {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError || (e as Error)?.constructor?.name === "UnknownValueError") return UNKNOWN;
        throw e;
    }
}

/** The `labels` input of a container or volume as a map (docker provider: [{label, value}]); labels unknown during preview are left out. */
export function labelsOf(props: Record<string, any>): Record<string, string> {
    const out: Record<string, string> = {};
    const labels = known(() => props.labels);
    if (!Array.isArray(labels)) return out;
    for (let i = 0; i < labels.length; i++) {
        const label = known(() => labels[i]?.label);
        const value = known(() => labels[i]?.value);
        if (typeof label === "string" && value !== UNKNOWN) out[label] = String(value ?? "");
    }
    return out;
}

function configOf(args: ResourceValidationArgs): ProductionConfig {
    // The analyzer returns {} for a policy without config: the defaults apply.
    const given = args.getConfig<Partial<ProductionConfig>>() ?? {};
    return {
        productionStacks: given.productionStacks ?? DEFAULT_CONFIG.productionStacks,
        productionEnvironments: given.productionEnvironments ?? DEFAULT_CONFIG.productionEnvironments,
    };
}

/** Production: the URN's stack (or the `hostplane.stack` label) or the `hostplane.environment` label says so. */
export function isProduction(args: ResourceValidationArgs): boolean {
    const cfg = configOf(args);
    const labels = labelsOf(args.props);
    const stack = stackOf(args.urn) ?? labels["hostplane.stack"];
    return (stack !== undefined && cfg.productionStacks.includes(stack)) || cfg.productionEnvironments.includes(labels["hostplane.environment"]);
}

/** The proxy (components/proxy.ts labels its container hostplane.service=proxy, hostplane.kind=proxy). */
export function isProxy(props: Record<string, any>): boolean {
    const labels = labelsOf(props);
    return labels["hostplane.service"] === "proxy" && labels["hostplane.kind"] === "proxy";
}

/** The resource in a message: its Pulumi name, and its Docker name when known (in a preview a revision-named container's is not). */
function who(args: ResourceValidationArgs): string {
    const name = known(() => args.props.name);
    return `${args.name}${typeof name === "string" && name && name !== args.name ? ` (${name})` : ""}`;
}

const containerRule = (
    name: string,
    description: string,
    check: (props: Record<string, any>, args: ResourceValidationArgs, report: ReportViolation) => void,
    extra: Partial<ResourceValidationPolicy> = {},
): ResourceValidationPolicy => ({
    name,
    description,
    enforcementLevel: "mandatory",
    ...extra,
    validateResource: (args, report) => {
        if (args.type !== CONTAINER) return;
        check(args.props, args, report);
    },
});

export const RESTART_POLICIES = ["always", "unless-stopped", "on-failure"];
export const SECRET_NAME = /(^|_)(PASSWORD|PASSWD|PASS|SECRET|TOKEN|KEY|APIKEY|CREDENTIALS?)(_|$)|DATABASE_URL/i;
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** A value that names where the secret is instead of being it: a file path or a reference. */
export function isReference(value: string): boolean {
    return value === "" || value.startsWith("/") || value.startsWith("./") || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(value);
}

/** An image reference that pins a version: a tag other than `latest`, a digest, or an image id. */
export function pinnedImage(image: string): boolean {
    if (/^sha256:[0-9a-f]{64}$/.test(image)) return true;
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
    const last = image.split("/").pop() ?? "";
    const colon = last.lastIndexOf(":");
    if (colon < 0) return false;
    const tag = last.slice(colon + 1);
    return tag !== "" && tag !== "latest";
}

export const healthcheck = containerRule(
    "container-healthcheck",
    "Every container has a Docker health check (healthcheck.tests), so `wait`, rollouts and alerts know when it is healthy.",
    (p, args, report) => {
        const tests = p.healthcheck?.tests;
        if (!Array.isArray(tests) || tests.length === 0 || tests[0] === "NONE")
            report(`${who(args)} has no health check: set healthcheck.tests (e.g. ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/health"])`);
    },
);

export const memoryLimit = containerRule(
    "container-memory-limit",
    "Every container has a memory limit, so one container cannot take the host down.",
    (p, args, report) => {
        if (!(typeof p.memory === "number" && p.memory > 0)) report(`${who(args)} has no memory limit: set memory (MB), e.g. memory: 512`);
    },
);

export const restartPolicy = containerRule(
    "container-restart-policy",
    `Every container restarts by itself (restart: ${RESTART_POLICIES.join(", ")}), never "no".`,
    (p, args, report) => {
        if (!RESTART_POLICIES.includes(p.restart))
            report(`${who(args)} has restart policy ${JSON.stringify(p.restart ?? "no")}: use "unless-stopped" (or ${RESTART_POLICIES.filter((r) => r !== "unless-stopped").join(", ")})`);
    },
);

export const logRotation = containerRule(
    "container-log-rotation",
    "Every container's logs are rotated: logDriver json-file with logOpts max-size, or the local driver (rotates by default).",
    (p, args, report) => {
        const driver = p.logDriver;
        if (driver === "local") return;
        if (driver === "json-file" && typeof p.logOpts?.["max-size"] === "string" && p.logOpts["max-size"] !== "") return;
        report(
            driver === "json-file"
                ? `${who(args)} logs to json-file without rotation: set logOpts {"max-size": "10m", "max-file": "3"}`
                : `${who(args)} has logDriver ${JSON.stringify(driver ?? "(daemon default)")}: set logDriver "json-file" with logOpts {"max-size": "10m", "max-file": "3"}`,
        );
    },
);

export const onlyProxyPublishes = containerRule(
    "production-only-proxy-publishes",
    "In production only the proxy publishes ports; other containers may bind 127.0.0.1 (for an SSH tunnel) and never use the host network.",
    (p, args, report) => {
        if (!isProduction(args) || isProxy(p)) return;
        if (p.networkMode === "host") report(`${who(args)} uses the host network in production: only the proxy faces the network; attach it to its environment network`);
        for (const port of Array.isArray(p.ports) ? p.ports : []) {
            const ip = port?.ip ?? "0.0.0.0";
            if (!LOOPBACK.has(ip))
                report(`${who(args)} publishes ${ip}:${port?.external ?? port?.internal} in production: only the proxy faces the network; route it through the proxy or bind 127.0.0.1`);
        }
    },
    { configSchema: productionSchema },
);

export const pinnedImages = containerRule(
    "production-pinned-images",
    "In production every image names a version: no `:latest`, no untagged image (a digest or an image id is fine).",
    (p, args, report) => {
        if (!isProduction(args)) return;
        const image = p.image;
        if (typeof image !== "string" || !pinnedImage(image))
            report(`${who(args)} runs image ${JSON.stringify(image)} in production: pin a version tag (e.g. nginx:1.27-alpine) or a digest, never :latest or no tag`);
    },
    { configSchema: productionSchema },
);

export const noPlaintextSecrets = containerRule(
    "no-plaintext-secret-env",
    "No secret-looking environment variable (PASSWORD, SECRET, TOKEN, KEY, DATABASE_URL…) carries a plain value: deliver secrets as files (NAME_FILE=/run/secrets/NAME).",
    (p, args, report) => {
        if (!Array.isArray(p.envs)) return;
        for (const entry of p.envs) {
            if (typeof entry !== "string") continue;
            const eq = entry.indexOf("=");
            const name = eq < 0 ? entry : entry.slice(0, eq);
            const value = eq < 0 ? "" : entry.slice(eq + 1);
            if (/_FILE$/i.test(name) || !SECRET_NAME.test(name) || isReference(value)) continue;
            // The value itself is never printed: the violation message ends up in CI logs.
            report(`${who(args)} sets ${name} to a plain value: deliver it as a secret file (${name}_FILE=/run/secrets/${name}, app config \`secrets:\`)`);
        }
    },
);

export const adminToolsGuarded = containerRule(
    "admin-tools-guarded",
    "Admin tools (n8n, pgAdmin, Portainer, Grafana, Prometheus, RabbitMQ/MinIO consoles… see admin-tools.ts) are never open to everyone: " +
        "their proxy routes (label hostplane.routes) have basic auth or an allow-list unless marked public, and they publish no port beyond 127.0.0.1.",
    (p, args, report) => {
        const tool = typeof p.image === "string" ? adminToolOf(p.image) : undefined;
        if (!tool) return;
        const open = (labelsOf(p)["hostplane.routes"] ?? "").split(" ").filter((r) => r.endsWith("=open")).map((r) => r.slice(0, -"=open".length));
        if (open.length)
            report(`${who(args)} runs ${tool.name} (${p.image}) with route${open.length > 1 ? "s" : ""} ${open.join(", ")} open to everyone: set basicAuth: true or allowFrom (or public: true if it really is public)`);
        for (const port of Array.isArray(p.ports) ? p.ports : [])
            if (!LOOPBACK.has(port?.ip ?? "0.0.0.0"))
                report(`${who(args)} runs ${tool.name} (${p.image}) published on ${port?.ip ?? "0.0.0.0"}:${port?.external ?? port?.internal}: route it through the proxy with basic auth, or bind 127.0.0.1`);
    },
);

/**
 * Platform-level volumes hold state the program rebuilds (proxy certificates, monitoring data):
 * they carry hostplane labels and no environment, or the monitoring environment. Everything
 * else in production (environment data, and any volume without hostplane labels) must be protected.
 */
export function rebuildableVolume(props: Record<string, any>): boolean {
    const labels = labelsOf(props);
    if (!labels["hostplane.stack"]) return false;
    const env = labels["hostplane.environment"];
    return env === undefined || env === "monitoring";
}

export const protectedVolumes: ResourceValidationPolicy = {
    name: "production-volumes-protected",
    description:
        "In production, data volumes are Pulumi-protected so `pulumi destroy` cannot delete them (environment allowDataDestroy lifts it; " +
        "run that one `pulumi up` with this policy disabled in --policy-pack-config).",
    enforcementLevel: "mandatory",
    configSchema: productionSchema,
    validateResource: (args, report) => {
        if (args.type !== VOLUME || !isProduction(args) || rebuildableVolume(args.props)) return;
        if (!args.opts?.protect) report(`${who(args)} is a production volume without protect: register it with { protect: true } (environment kind production does)`);
    },
};

export const policies: ResourceValidationPolicy[] = [
    healthcheck,
    memoryLimit,
    restartPolicy,
    logRotation,
    onlyProxyPublishes,
    pinnedImages,
    noPlaintextSecrets,
    adminToolsGuarded,
    protectedVolumes,
];
