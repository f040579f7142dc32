// Starts the load client (client.ts) as a child process and talks to it over stdin/stdout.
import { spawn } from "child_process";
import * as path from "path";
import type { LoadOptions, LoadReport } from "./report";

export interface LoadRun {
    /** Requests that start from now on are counted under `name`. */
    phase(name: string): void;
    /** Stops the clients, waits for requests in flight, returns the report. */
    stop(): Promise<LoadReport>;
}

export function startLoad(opts: LoadOptions): LoadRun {
    const client = path.join(__dirname, "client.ts");
    const p = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", client, JSON.stringify(opts)], {
        cwd: path.resolve(__dirname, "../.."),
        stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    const exited = new Promise<LoadReport>((resolve, reject) =>
        p.on("exit", (code) => {
            if (code !== 0) return reject(new Error(`load client exited ${code}`));
            try {
                resolve(JSON.parse(out));
            } catch (e) {
                reject(new Error(`load client printed no report: ${out.slice(0, 500)}`));
            }
        }),
    );
    // A rejection before stop() is awaited must not crash the test run.
    exited.catch(() => {});
    return {
        phase: (name) => p.stdin.write(`phase ${name}\n`),
        stop: () => {
            p.stdin.end("stop\n");
            return exited;
        },
    };
}

/** One line per phase: sent, failed, retried, p50/p99/max latency (ms), versions answering. */
export function formatReport(report: LoadReport): string {
    return Object.entries(report.phases)
        .map(([name, s]) => `${name.padEnd(9)} sent ${String(s.sent).padStart(6)}  failed ${s.failed}  retried ${s.retried}  p50 ${s.p50} ms  p99 ${s.p99} ms  max ${s.max} ms  versions ${JSON.stringify(s.versions)}`)
        .join("\n");
}
