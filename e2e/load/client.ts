// A bounded HTTPS load client for the e2e rollout tests, run as its own process (so its timings
// do not share an event loop with the Pulumi engine's output handling):
//
//   node -r ts-node/register/transpile-only e2e/load/client.ts '<LoadOptions as JSON>'
//
// It sends requests to 127.0.0.1 (or a test host's address, opts.address) only, with the route's host name as SNI and Host header, from
//   - `keepAlive` clients that reuse one connection (HTTP/1.1 keep-alive),
//   - `fresh` clients that open a new TLS connection per request (Connection: close),
//   - `slow` clients that keep one slow request (e.g. /slow?seconds=2) in flight at all times,
// A GET that went out on a kept-alive connection which the server closed before answering (an old
// nginx worker closes its idle connections when a reload retires it) is sent once more on a new
// connection, as browsers and curl do (RFC 9112 §9.3.1: idempotent requests may be retried when
// a connection closes before the response). Each such retry is counted and reported; a retry
// that fails, and every other error, is a failed request.
// It runs until stdin says "stop", `maxSeconds` pass or `maxRequests` were sent (whichever comes first).
// Lines "phase <name>" on stdin label the requests that start afterwards. On exit it prints one
// JSON object (LoadReport) on stdout.
import * as https from "https";
import * as readline from "readline";
import { LoadOptions, LoadReport, RequestRecord, summarize } from "./report";

type Kind = RequestRecord["kind"];

const opts: LoadOptions = JSON.parse(process.argv[2] ?? "{}");
const t0 = Date.now();
const now = () => Date.now() - t0;
let phase = "before";
let stopping = false;
let sent = 0;
const records: RequestRecord[] = [];
const certSubjects = new Set<string>();

/** The server closed a reused keep-alive connection before any byte of the answer. */
const closedBeforeAnswer = (e: NodeJS.ErrnoException, reused: boolean, answered: boolean) =>
    reused && !answered && (e.code === "ECONNRESET" || e.code === "EPIPE" || e.message === "socket hang up");

async function once(agent: https.Agent | false, kind: Kind, path: string): Promise<void> {
    sent++;
    const rec: RequestRecord = { kind, phase, start: now(), end: 0, ok: false };
    const first = await attempt(agent, path, opts.timeoutMs);
    const result = first.retry ? { ...(await attempt(agent, path, opts.timeoutMs - (now() - rec.start))), retried: true } : first;
    delete result.retry;
    records.push(Object.assign(rec, result, { end: now() }));
}

type Attempt = Partial<RequestRecord> & { retry?: boolean };

function attempt(agent: https.Agent | false, path: string, timeoutMs: number): Promise<Attempt> {
    return new Promise((resolve) => {
        let settled = false;
        let answered = false;
        const done = (patch: Attempt) => {
            if (settled) return;
            settled = true;
            resolve(patch);
        };
        const req = https.request(
            {
                host: opts.address ?? "127.0.0.1",
                port: opts.port,
                path,
                servername: opts.host,
                headers: { Host: opts.host, ...(agent ? {} : { Connection: "close" }) },
                // The e2e proxy has a self-signed certificate; SNI is checked through the subject below.
                rejectUnauthorized: false,
                agent,
                timeout: Math.max(1, timeoutMs),
            },
            (res) => {
                answered = true;
                const cert = (res.socket as import("tls").TLSSocket).getPeerCertificate?.();
                if (cert?.subject?.CN) certSubjects.add(String(cert.subject.CN));
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (c) => (body += c));
                res.on("end", () => {
                    let version: string | undefined;
                    try {
                        version = JSON.parse(body).version;
                    } catch {
                        /* not JSON: counted as a failure below */
                    }
                    done({ ok: res.statusCode === 200 && version !== undefined, status: res.statusCode, version, reused: req.reusedSocket });
                });
                res.on("error", (e) => done({ error: e.message, reused: req.reusedSocket }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
        req.on("error", (e: NodeJS.ErrnoException) =>
            done({ error: e.code ?? e.message, reused: req.reusedSocket, retry: closedBeforeAnswer(e, req.reusedSocket, answered) }),
        );
        req.end();
    });
}

async function loop(kind: Kind, path: string, agent: https.Agent | false, delayMs = 0): Promise<void> {
    const deadline = opts.maxSeconds * 1000;
    await new Promise((r) => setTimeout(r, delayMs));
    while (!stopping && now() < deadline && sent < opts.maxRequests) {
        await once(agent, kind, path);
        if (opts.pauseMs > 0) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
    if (agent) agent.destroy();
}

async function main() {
    const input = readline.createInterface({ input: process.stdin });
    input.on("line", (line) => {
        const [cmd, arg] = line.trim().split(/\s+/);
        if (cmd === "phase" && arg) phase = arg;
        if (cmd === "stop") stopping = true;
    });
    input.on("close", () => (stopping = true));
    const loops: Promise<void>[] = [];
    for (let i = 0; i < opts.keepAlive; i++) loops.push(loop("keepalive", opts.path, new https.Agent({ keepAlive: true, maxSockets: 1 })));
    for (let i = 0; i < opts.fresh; i++) loops.push(loop("fresh", opts.path, false));
    // Staggered, so that at every moment at least one slow request is in flight.
    for (let i = 0; i < opts.slow; i++) loops.push(loop("slow", opts.slowPath, false, (i * opts.slowStaggerMs)));
    await Promise.all(loops);
    input.close();
    const report: LoadReport = summarize(records, [...certSubjects]);
    process.stdout.write(JSON.stringify(report) + "\n");
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
