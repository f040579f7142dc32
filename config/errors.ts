/** One problem in the stack configuration, tied to the config key that causes it. */
export interface ConfigIssue {
    /** Full config path, e.g. `hostplane:environments.production.apps.api.memory`. */
    key: string;
    message: string;
}

/** Thrown before any resource is created when the stack configuration is invalid. */
export class ConfigError extends Error {
    constructor(public readonly issues: ConfigIssue[], source: string) {
        super(
            `invalid hostplane configuration (${source}): ${issues.length} problem${issues.length === 1 ? "" : "s"}\n` +
                issues.map((i) => `  - ${i.key}: ${i.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Renders a config path the way a user writes it: environments.production.apps.api.routes[0].host */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
    let out = "";
    for (const p of path) {
        if (typeof p === "number") out += `[${p}]`;
        else out += out === "" ? String(p) : `.${String(p)}`;
    }
    return out;
}
