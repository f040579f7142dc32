// Recorded Docker Engine API exchanges, replayed to the real docker CLI. `record` sits between the
// CLI and a real engine on a unix socket and saves every exchange; `replay` serves a saved file on
// a unix socket, so `DOCKER_HOST=unix://…` tests run the real client without an engine. Requests
// that were not recorded get a 599 and are listed, so a test fails on the first unexpected call.
// Both run as their own process (see `replay`).
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";

export interface Exchange {
    method: string;
    /** Path and query, without the /v1.xx prefix. */
    url: string;
    status: number;
    headers: Record<string, string>;
    bodyBase64: string;
}

const unversioned = (url: string) => url.replace(/^\/v\d+\.\d+\//, "/");

export interface ReplayServer {
    dockerHost: string;
    /** Requests that were not recorded (read from the server's log). */
    unexpected(): string[];
    close(): Promise<void>;
}

/** Serves exchanges on `sock`; unrecorded requests get a 599 and are appended to `misses`. */
function serve(exchanges: Exchange[], sock: string, misses: string): http.Server {
    return http
        .createServer((req, res) => {
            const url = unversioned(req.url ?? "");
            const x = exchanges.find((e) => e.method === req.method && e.url === url);
            if (!x) {
                fs.appendFileSync(misses, `${req.method} ${url}\n`);
                res.writeHead(599, { "Content-Type": "application/json" }).end(JSON.stringify({ message: `not recorded: ${req.method} ${url}` }));
                return;
            }
            res.writeHead(x.status, x.headers).end(Buffer.from(x.bodyBase64, "base64"));
        })
        .listen(sock);
}

/**
 * Starts a replay server in a child process: the code under test calls the docker CLI
 * synchronously, which would block a server running in the test's own event loop.
 */
export async function replay(fixture: string): Promise<ReplayServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-docker-replay-"));
    const sock = path.join(dir, "docker.sock");
    const misses = path.join(dir, "misses.log");
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "replay", sock, fixture, misses], { stdio: ["ignore", "ignore", "inherit"] });
    const deadline = Date.now() + 30000;
    while (!fs.existsSync(sock)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`docker API replay server did not start (exit ${child.exitCode})`);
        await new Promise((r) => setTimeout(r, 100));
    }
    return {
        dockerHost: `unix://${sock}`,
        unexpected: () => (fs.existsSync(misses) ? fs.readFileSync(misses, "utf8").split("\n").filter(Boolean) : []),
        close: async () => {
            child.kill();
            await new Promise((r) => child.once("exit", r));
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** Proxies `listen` → `engine` and appends each exchange to `out` (run by hand; see the test). */
export function record(listen: string, engine: string, out: string): http.Server {
    const saved: Exchange[] = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : [];
    const keep = ["content-type", "api-version", "docker-experimental", "ostype", "server"];
    return http
        .createServer((req, res) => {
            const fwd = http.request({ socketPath: engine, path: req.url, method: req.method, headers: req.headers }, (up) => {
                const chunks: Buffer[] = [];
                up.on("data", (c) => chunks.push(c));
                up.on("end", () => {
                    const body = Buffer.concat(chunks);
                    const headers = Object.fromEntries(Object.entries(up.headers).filter(([k]) => keep.includes(k)).map(([k, v]) => [k, String(v)]));
                    const url = unversioned(req.url ?? "");
                    if (!saved.some((e) => e.method === req.method && e.url === url)) saved.push({ method: req.method!, url, status: up.statusCode ?? 500, headers, bodyBase64: body.toString("base64") });
                    fs.writeFileSync(out, JSON.stringify(saved, null, 1) + "\n");
                    res.writeHead(up.statusCode ?? 500, headers).end(body);
                });
            });
            req.pipe(fwd);
        })
        .listen(listen);
}

if (require.main === module) {
    //   ts-node tests/support/docker-api-replay.ts record <listen.sock> <out.json>   (by hand, with an engine)
    //   ts-node tests/support/docker-api-replay.ts replay <listen.sock> <in.json> <misses.log>
    const [, , mode, listen, file, misses] = process.argv;
    if (!["record", "replay"].includes(mode) || !listen || !file || (mode === "replay" && !misses)) {
        console.error("usage: docker-api-replay.ts record <listen.sock> <out.json> | replay <listen.sock> <in.json> <misses.log>");
        process.exit(2);
    }
    if (fs.existsSync(listen)) fs.rmSync(listen);
    if (mode === "record") {
        record(listen, "/var/run/docker.sock", file);
        console.error(`recording ${listen} -> /var/run/docker.sock into ${file}`);
    } else serve(JSON.parse(fs.readFileSync(file, "utf8")), listen, misses);
}
