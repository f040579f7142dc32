// Runs the hostplane program under Pulumi mocks and records every resource it registers: name,
// type, parent, explicit dependsOn and resolved inputs (secrets replaced by "[secret]").
// Used by `npm run graph` and by the tests, so both see exactly what the program builds.
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { Platform, stackOutputs } from "../components/platform";
import type { PlatformModel } from "../config/model";
import { ConfigSource, loadPlatformModel, NAMESPACE } from "../config/validate";
import { withoutStackTraces } from "./stack-traces";
import { READ_STACK_OUTPUTS } from "../components/upgrade-check";

export const SECRET_MARK = "[secret]";

export interface GraphResource {
    /** The resource's URN: its identity in state (a changed URN replaces the resource). */
    urn: string;
    name: string;
    type: string;
    parent?: string;
    dependsOn: string[];
    inputs: Record<string, unknown>;
    custom: boolean;
    protect: boolean;
    /** Resource options that matter for review: deleteBeforeReplace, retainOnDelete… */
    options: Record<string, unknown>;
}

export interface Graph {
    model: PlatformModel;
    resources: GraphResource[];
    outputs: unknown;
    /** Every plain value the mocks handed out for a secret: none may appear in the graph. */
    secretValues: string[];
}

// The engine marks these provider outputs secret (additionalSecretOutputs); mocks do not, so we do.
const SECRET_OUTPUTS: Record<string, string[]> = {
    "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
};

const sigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";

function mockState(type: string, name: string, inputs: any, secretValues: string[]): Record<string, unknown> {
    const state: Record<string, unknown> = { ...inputs };
    const h = createHash("sha256").update(`${type}/${name}/${JSON.stringify(inputs)}`).digest("hex");
    switch (type) {
        case "random:index/randomPassword:RandomPassword": {
            const value = `mockpw${h.slice(0, 26)}`;
            secretValues.push(value);
            state.result = value;
            state.bcryptHash = `$2a$10$${h.slice(0, 53)}`;
            break;
        }
        case "random:index/randomId:RandomId":
            state.hex = h.slice(0, 8);
            break;
        case "command:local:Command":
            state.stdout = "";
            break;
        // Hetzner resources: documentation addresses (RFC 5737 / RFC 3849) and numeric ids.
        case "hcloud:index/primaryIp:PrimaryIp":
            state.ipAddress = inputs.type === "ipv6" ? "2001:db8:10::/64" : "192.0.2.10";
            break;
        case "hcloud:index/server:Server":
            state.ipv4Address = "192.0.2.10";
            state.ipv6Address = "2001:db8:10::1";
            break;
        case "command:remote:Command":
            state.stdout = "";
            break;
    }
    for (const k of SECRET_OUTPUTS[type] ?? []) if (k in state) state[k] = { [sigKey]: secretSig, value: state[k] };
    return state;
}

/**
 * Resolves Inputs to plain JSON; secret Outputs become "[secret]" (or, with reveal, their mock
 * values: what a policy pack sees once the engine decrypts them), resources their names.
 */
async function plain(v: any, reveal = false): Promise<unknown> {
    if (pulumi.Output.isInstance(v)) {
        if (!reveal && (await pulumi.isSecret(v))) return SECRET_MARK;
        return plain(await (v as any).promise(), reveal);
    }
    if (v instanceof Promise) return plain(await v, reveal);
    if (pulumi.Resource.isInstance(v)) return (v as any).__name;
    if (Array.isArray(v)) return Promise.all(v.map((x) => plain(x, reveal)));
    if (v !== null && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
            const r = await plain(x, reveal);
            if (r !== undefined) out[k] = r;
        }
        return out;
    }
    return v;
}

export interface CaptureOptions {
    /** Record secret inputs with their (mock) values instead of "[secret]": for the policy pack tests. */
    revealSecrets?: boolean;
    /** The stack's outputs of its last deployment, as the engine's readStackOutputs answers (default: none). */
    previousOutputs?: Record<string, unknown>;
}

export async function captureGraph(source: ConfigSource, capture: CaptureOptions = {}): Promise<Graph> {
    const model = loadPlatformModel(source);
    const secretValues: string[] = [];
    pulumi.runtime.setMocks(
        {
            // hcloud ids are numbers (the program converts them for firewall, IP and volume references).
        newResource: (a) => ({ id: a.type.startsWith("hcloud:") ? String(parseInt(createHash("sha256").update(a.name).digest("hex").slice(0, 6), 16)) : `${a.name}-id`, state: mockState(a.type, a.name, a.inputs, secretValues) }),
            // Digest lookups answer a stable fake digest per image reference.
            call: (a) =>
                a.token === "docker:index/getRegistryImage:getRegistryImage"
                    ? { name: a.inputs.name, sha256Digest: `sha256:${createHash("sha256").update(String(a.inputs.name)).digest("hex")}` }
                    : a.token === READ_STACK_OUTPUTS
                      ? { name: a.inputs.name, outputs: capture.previousOutputs ?? {} }
                      : {},
        },
        source.project,
        source.stack,
        false,
        // What the engine reports for a self-managed backend: the stack's own name is organization/<project>/<stack>.
        "organization",
    );
    // The program reads user secrets with requireSecret: hand it recognisable fake values.
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(source.values)) {
        if (v.secret) {
            const fake = `mocksecret-${k}-${createHash("sha256").update(k).digest("hex").slice(0, 10)}`;
            config[`${NAMESPACE}:${k}`] = fake;
            secretValues.push(fake);
        } else config[`${NAMESPACE}:${k}`] = typeof v.value === "string" ? v.value : JSON.stringify(v.value);
    }
    // Other providers' secrets (hcloud:token): fake values too, so none can leak unnoticed.
    for (const [k, v] of Object.entries(source.external ?? {}))
        if (v.secret) {
            // 64 characters: the length of a Hetzner Cloud API token, which the program checks.
            config[k] = `mocksecret-${k.replace(":", "-")}-${createHash("sha256").update(k).digest("hex")}`.slice(0, 64);
            secretValues.push(config[k]);
        }
    pulumi.runtime.setAllConfig(config, Object.keys(config).filter((k) => !k.startsWith(`${NAMESPACE}:`) || source.values[k.slice(NAMESPACE.length + 1)].secret));

    const recorded: { type: string; name: string; props: any; opts: pulumi.ResourceOptions; custom: boolean; resource: pulumi.Resource }[] = [];
    const record: pulumi.ResourceTransformation = (args) => {
        recorded.push({ type: args.type, name: args.name, props: args.props, opts: args.opts, custom: args.resource instanceof pulumi.CustomResource, resource: args.resource });
        return undefined;
    };
    // As in index.ts: no per-promise stack frames while the program registers (lib/stack-traces.ts);
    // restored after, so a test's own failures keep their stacks.
    const restoreStackTraces = withoutStackTraces();
    let outputs: unknown;
    try {
        const platform = new Platform(model.prefix, model, { transformations: [record] }, { underMocks: true });
        outputs = await plain(stackOutputs(model, platform));
        await platform.releaseLineCheck;
        // Let every registration finish, so nothing is left in flight when a CLI process exits.
        await Promise.all(recorded.map((r) => (r.resource.urn as any).promise()));
    } finally {
        restoreStackTraces();
    }

    const resources: GraphResource[] = [];
    for (const r of recorded) {
        const deps = await plain(r.opts.dependsOn ?? []);
        const options: Record<string, unknown> = {};
        for (const k of ["deleteBeforeReplace", "retainOnDelete", "ignoreChanges", "replaceOnChanges"] as const)
            if ((r.opts as any)[k] !== undefined) options[k] = (r.opts as any)[k];
        resources.push({
            urn: (await (r.resource.urn as any).promise()) as string,
            name: r.name,
            type: r.type,
            parent: r.opts.parent ? (r.opts.parent as any).__name : undefined,
            dependsOn: (Array.isArray(deps) ? deps : [deps]).map(String),
            inputs: ((await plain(r.props, capture.revealSecrets)) ?? {}) as Record<string, unknown>,
            custom: r.custom,
            protect: r.opts.protect === true,
            options,
        });
    }
    return { model, resources, outputs, secretValues };
}
