// A throwaway copy of the program with its own file backend, and the pulumi CLI run in it with
// wall-clock timing (what a user waits for), optionally sampling the process tree's memory.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sampleTreeRss } from "./rss";

export const REPO = path.resolve(__dirname, "..");

export interface Workspace {
    dir: string;
    env: NodeJS.ProcessEnv;
}

export function workspace(stackFiles: Record<string, string>): Workspace {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-bench-"));
    // Everything the program may import (it grows: policy/, images/…), not the tests, state or other stacks.
    const skip = new Set(["node_modules", ".git", ".pulumi-state", "bench", "tests", "e2e", ".github", ".ci"]);
    for (const e of fs.readdirSync(REPO))
        if (!skip.has(e) && !/^Pulumi\..+\.yaml$/.test(e)) fs.cpSync(path.join(REPO, e), path.join(dir, e), { recursive: true });
    for (const [name, content] of Object.entries(stackFiles)) fs.writeFileSync(path.join(dir, name), content);
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    fs.mkdirSync(path.join(dir, ".state"));
    return {
        dir,
        env: { ...process.env, PULUMI_BACKEND_URL: `file://${dir}/.state`, PULUMI_CONFIG_PASSPHRASE: "bench-only", PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" },
    };
}

export interface Timed {
    ms: number;
    /** CPU seconds (user + sys, in ms) of the command and every process it waited for: on a
     * shared machine wall time follows the load, this much less. */
    cpuMs?: number;
    peakRssMiB?: number;
    output: string;
}

/** Runs `pulumi <args>` in the workspace; throws with the output tail on failure. */
export function pulumi(ws: Workspace, args: string[], opts: { rss?: boolean } = {}): Promise<Timed> {
    return run("pulumi", args, ws.dir, ws.env, opts.rss);
}

// bash's `times` after the command: its second line is the CPU time of the reaped children (the
// command, and through it the engine's plugins and language host, which it waits for).
const WITH_TIMES = 'f=$1; shift; "$@"; rc=$?; times > "$f"; exit $rc';

/** Children's user + sys of a `times` output, in ms. */
export function childCpuMs(times: string): number | undefined {
    const line = times.trim().split("\n")[1] ?? "";
    const v = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000);
    return v.length === 2 ? Math.round(v[0] + v[1]) : undefined;
}

export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, rss = false): Promise<Timed> {
    const start = Date.now();
    const timesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-bench-times-")), "times");
    return new Promise((resolve, reject) => {
        const p = spawn("bash", ["-c", WITH_TIMES, "bash", timesFile, cmd, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        const sampler = rss && p.pid ? sampleTreeRss(p.pid) : undefined;
        let output = "";
        p.stdout.on("data", (d) => (output += d));
        p.stderr.on("data", (d) => (output += d));
        p.on("error", reject);
        p.on("exit", (code) => {
            const ms = Date.now() - start;
            const peakRssMiB = sampler?.stop();
            const cpuMs = fs.existsSync(timesFile) ? childCpuMs(fs.readFileSync(timesFile, "utf8")) : undefined;
            fs.rmSync(path.dirname(timesFile), { recursive: true, force: true });
            if (code === 0) resolve({ ms, cpuMs, peakRssMiB, output });
            else reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${output.split("\n").slice(-30).join("\n")}`));
        });
    });
}

export async function initStack(ws: Workspace, stack: string): Promise<void> {
    await pulumi(ws, ["stack", "init", stack]);
}
