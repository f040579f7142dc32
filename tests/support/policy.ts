// Runs a @pulumi/policy resource policy in-process, the way the analyzer calls it: a
// ResourceValidationArgs for one resource (type, inputs, URN with the stack, options) and a
// reportViolation that collects messages.
import type { PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";

export interface PolicyResource {
    type: string;
    props: Record<string, any>;
    name?: string;
    stack?: string;
    protect?: boolean;
    config?: Record<string, unknown>;
}

export function validationArgs(r: PolicyResource): ResourceValidationArgs {
    const name = r.name ?? "r";
    const stack = r.stack ?? "production";
    const qualified = r.type;
    const opts: PolicyResourceOptions = {
        protect: r.protect ?? false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    return {
        type: r.type,
        props: r.props,
        urn: `urn:pulumi:${stack}::hostplane::${qualified}::${name}`,
        name,
        opts,
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (r.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason ?? ""}`);
        },
    };
}

/** Every violation message the policy reports for the resource. */
export async function violations(policy: ResourceValidationPolicy, r: PolicyResource): Promise<string[]> {
    const out: string[] = [];
    const checks = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
    for (const check of checks) await check(validationArgs(r), (message) => out.push(message));
    return out;
}
