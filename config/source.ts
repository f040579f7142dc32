// What the validator reads: the raw `hostplane:*` values of one stack (and other providers' keys),
// wherever they came from (a stack file, the Pulumi engine, a test). Types only, plus the namespace.

/** The config namespace of every hostplane key: `hostplane:<key>`. */
export const NAMESPACE = "hostplane";

/** One `hostplane:<key>` value as the stack holds it. Secret values may be placeholders. */
export interface RawValue {
    value: unknown;
    secret: boolean;
}

export interface ConfigSource {
    project: string;
    stack: string;
    /** Keys without the `hostplane:` namespace. */
    values: Record<string, RawValue>;
    /** Where the values came from, for messages: "stack production" or a file path. */
    description: string;
    /** Keys of other providers' namespaces (config/hosts.ts), full name: `hcloud:token`. */
    external?: Record<string, RawValue>;
    /**
     * Resolves `images.source: auto` (the Pulumi program probes registries; elsewhere: registry).
     * server: the registry to ask, the stack's mirror when it has one; Docker Hub when omitted.
     */
    registryReachable?: (server?: string) => boolean;
}
