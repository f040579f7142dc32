// Where raw config comes from: the Pulumi runtime (inside `pulumi up`/preview and under mocks),
// or a Pulumi.<stack>.yaml file read directly (the validate/render/graph CLI, no engine needed).
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ConfigError } from "./errors";
import { ConfigSource, NAMESPACE, RawValue } from "./validate";
import { EXTERNAL_NAMESPACES } from "./hosts";
import { registryAnswers } from "../lib/registry-probe";

/** True when pulumi.runtime.setMocks is in force (tests, the graph CLI): its monitor is "mock". */
function isUnderMocks(): boolean {
    const { getStore } = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { options: { monitorAddr?: string } } } };
    return getStore().settings.options.monitorAddr === "mock";
}

const isExternal = (k: string) => EXTERNAL_NAMESPACES.some((ns) => k.startsWith(`${ns}:`));

/** What stands in for a secret whose ciphertext the CLI cannot (and need not) decrypt. */
export const SECRET_PLACEHOLDER = "[secret]";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Pulumi hands structured values over as JSON strings and scalars as plain strings. */
function decode(v: string): unknown {
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
}

/** Another provider's key (hcloud:endpoint, hcloud:token): a secret's value is never kept. */
const externalValue = (value: unknown, secret: boolean): RawValue => ({ value: secret ? SECRET_PLACEHOLDER : value, secret });

export function fromPulumiRuntime(): ConfigSource {
    // isConfigSecret is exported by the SDK's runtime/config module but not re-exported.
    const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };
    const values: Record<string, RawValue> = {};
    const external: Record<string, RawValue> = {};
    for (const [k, v] of Object.entries(pulumi.runtime.allConfig())) {
        if (isExternal(k)) external[k] = externalValue(decode(v), isConfigSecret(k));
        if (!k.startsWith(`${NAMESPACE}:`)) continue;
        const secret = isConfigSecret(k);
        values[k.slice(NAMESPACE.length + 1)] = { value: secret ? SECRET_PLACEHOLDER : decode(v), secret };
    }
    return {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        values,
        external,
        description: `stack ${pulumi.getStack()}`,
        // Only a real run probes: under mocks (tests, graph) `auto` means registry.
        registryReachable: isUnderMocks() ? undefined : (server) => registryAnswers(server),
    };
}

export function projectName(root = PROJECT_ROOT): string {
    const doc = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
    return doc.name;
}

export function stackFile(stack: string, root = PROJECT_ROOT): string {
    return path.join(root, `Pulumi.${stack}.yaml`);
}

/** Far above any real stack (the examples are 2-6 KB), far below what makes parsing slow. */
export const MAX_STACK_FILE_BYTES = 1024 * 1024;
const NOT_A_STACK_CONFIG = "is not a stack config; expected a YAML map with a `config:` map of namespace:key to value, like Pulumi.<stack>.yaml";

/** Reads a Pulumi.<stack>.yaml; `secure:` values count as set secrets. */
export function fromStackFile(file: string, project = projectName()): ConfigSource {
    const base = path.basename(file);
    const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(base)?.[1] ?? base.replace(/\.ya?ml$/, "");
    if (!fs.existsSync(file)) {
        const known = fs.readdirSync(path.dirname(file)).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean);
        throw new ConfigError(
            [{ key: file, message: `no such file; expected a Pulumi.<stack>.yaml stack config${known.length ? ` (stacks here: ${known.join(", ")})` : ""}` }],
            path.basename(file),
        );
    }
    // Bounded before parsing: the YAML library's duplicate-key check is quadratic (60k keys: 100 s).
    const size = fs.statSync(file).size;
    if (size > MAX_STACK_FILE_BYTES)
        throw new ConfigError([{ key: file, message: `is ${size} bytes; expected a stack config of at most ${MAX_STACK_FILE_BYTES} bytes` }], file);
    const text = fs.readFileSync(file);
    if (text.includes(0)) throw new ConfigError([{ key: file, message: NOT_A_STACK_CONFIG }], file);
    let doc: any;
    try {
        doc = YAML.parse(text.toString("utf8")) ?? {};
    } catch (e: any) {
        throw new ConfigError([{ key: file, message: `is not valid YAML: ${e.message.split("\n")[0]}` }], file);
    }
    if (typeof doc !== "object" || Array.isArray(doc) || (doc.config !== undefined && (typeof doc.config !== "object" || doc.config === null || Array.isArray(doc.config))))
        throw new ConfigError([{ key: file, message: NOT_A_STACK_CONFIG }], file);
    const config = doc.config ?? {};
    const values: Record<string, RawValue> = {};
    const external: Record<string, RawValue> = {};
    for (const [k, v] of Object.entries<any>(config)) {
        if (isExternal(k)) external[k] = externalValue(v, v !== null && typeof v === "object" && "secure" in v);
        if (!k.startsWith(`${NAMESPACE}:`)) continue;
        const secret = v !== null && typeof v === "object" && "secure" in v;
        values[k.slice(NAMESPACE.length + 1)] = { value: secret ? SECRET_PLACEHOLDER : v, secret };
    }
    return { project, stack, values, external, description: path.relative(process.cwd(), file) || file };
}
