// The migration job's env file, pure. The app's env and secrets never become the environment of
// the local shell that runs `docker run` (a name like BASH_ENV or DOCKER_HOST there would run code
// on, or redirect, the machine running `pulumi up`): they reach scripts/host/migrate.sh on stdin,
// which writes them to a 0600 file for `docker run --env-file` and removes it on exit.

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
