// Environment variable names an app may not set. hostplane hands app env to the container only
// (never to a local process: see components/migration.ts), but these names change how a shell,
// the dynamic loader or the docker CLI behaves wherever they land, so they are refused outright
// rather than trusted to stay inside a container.
import type { ConfigIssue } from "./errors";
import type { StackConfigParsed } from "./schema";

const RESERVED = new Set([
    // bash/sh start-up and parsing
    "BASH_ENV", "ENV", "BASHOPTS", "SHELLOPTS", "IFS", "PS4", "PROMPT_COMMAND", "CDPATH", "GLOBIGNORE",
    // where programs are found
    "PATH",
]);
/** Whole families: the dynamic loader (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT…) and the docker CLI. */
const RESERVED_PREFIXES = ["LD_", "DOCKER_"];

export function isReservedEnvName(name: string): boolean {
    return RESERVED.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p));
}

export function reservedEnvIssues(cfg: StackConfigParsed, key: (path: PropertyKey[]) => string): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const [envName, env] of Object.entries(cfg.environments))
        for (const [appName, app] of Object.entries(env.apps)) {
            // The migration job gets env through docker's --env-file (render/migration.ts): one line per variable.
            if (app.migration)
                for (const [name, value] of Object.entries(app.env))
                    if (/[\r\n\0]/.test(value))
                        issues.push({
                            key: key(["environments", envName, "apps", appName, "env", name]),
                            message: "contains a line break; expected a single line (the migration job gets env through docker's --env-file)",
                        });
            for (const field of ["env", "secrets"] as const)
                for (const name of Object.keys(app[field]))
                    if (isReservedEnvName(name))
                        issues.push({
                            key: key(["environments", envName, "apps", appName, field, name]),
                            message: `'${name}' is reserved (it changes how a shell, the dynamic loader or the docker CLI behaves); expected an application variable name`,
                        });
        }
    return issues;
}
