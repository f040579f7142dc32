// The migration job's script and env file, pure. The app's env and secrets never become the
// environment of the local shell that runs `docker run` (a name like BASH_ENV or DOCKER_HOST
// there would run code on, or redirect, the machine running `pulumi up`): they reach the script
// on stdin, which writes them to a 0600 file for `docker run --env-file` and removes it on exit.
import type { AppModel } from "../config/model";
import { shellQuoteAlways } from "../lib/shell";


/** The bash script; its stdin is envFileContent(...). Only DOCKER_HOST comes from its environment. */
export function migrationScript(app: AppModel, network: string, image = app.image): string {
    const m = app.migration!;
    const run = [
        "docker run --rm",
        `--name ${app.containerBaseName}-migrate-$$`,
        `--network ${shellQuoteAlways(network)}`,
        "--log-driver none",
        '--env-file "$envfile"',
        shellQuoteAlways(image),
        ...m.command.map(shellQuoteAlways),
    ].join(" ");
    return [
        "set -euo pipefail",
        "umask 077",
        "envfile=$(mktemp)",
        `trap 'rm -f "$envfile"' EXIT`,
        'cat > "$envfile"',
        `timeout ${m.timeoutSeconds} ${run} 2>&1 | tail -n 40`,
    ].join("\n");
}

/**
 * docker's --env-file format: one NAME=value per line, taken literally (no quotes, no expansion).
 * A value with a line break cannot be carried: refuse it by name, never print the value.
 */
export function envFileContent(app: string, vars: [string, string][]): string {
    for (const [name, value] of vars)
        if (/[\r\n\0]/.test(value))
            throw new Error(`app ${app}: ${name} contains a line break; the migration job gets its environment through docker's --env-file, which cannot carry one`);
    return vars.map(([name, value]) => `${name}=${value}\n`).join("");
}
