// Tests that need a real tool (nginx, promtool, postgres…) skip with a visible reason when run by
// hand on a machine without it; under CI=true a missing tool is a failure, never a skip.
import { spawnSync } from "child_process";

export function haveCommand(cmd: string, args: string[] = ["--version"]): boolean {
    const r = spawnSync(cmd, args, { stdio: "ignore" });
    return r.error === undefined && r.status !== null;
}

/** Call in a `before` hook: returns normally when the tool is there. */
export function requireTool(ctx: Mocha.Context, available: boolean, what: string, install: string): void {
    if (available) return;
    const why = `${what} is not installed (${install})`;
    if (process.env.CI === "true") throw new Error(`CI=true and ${why}`);
    console.log(`      SKIPPED: ${why}`);
    ctx.skip();
}
