// A bounded load loop through the proxy (loopback only): one request at a time, a new connection
// each, counting failures and noting when the first response of a new version arrived.
import * as https from "https";

export interface LoadResult {
    sent: number;
    failed: number;
    /** ms since start() when `version` first answered; undefined if it never did. */
    firstNewVersionMs?: number;
}

function get(port: number, host: string): Promise<{ ok: boolean; version?: string }> {
    return new Promise((resolve) => {
        const req = https.request(
            { host: "127.0.0.1", port, path: "/", servername: host, headers: { Host: host }, rejectUnauthorized: false, agent: false, timeout: 2000 },
            (res) => {
                let body = "";
                res.on("data", (d) => (body += d));
                res.on("end", () => {
                    try {
                        resolve({ ok: res.statusCode === 200, version: JSON.parse(body).version });
                    } catch {
                        resolve({ ok: false });
                    }
                });
            },
        );
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", () => resolve({ ok: false }));
        req.end();
    });
}

/** Runs until stop() or maxSeconds; the result comes from stop(). */
export function startLoad(port: number, host: string, version: string, maxSeconds: number): { stop: () => Promise<LoadResult> } {
    const start = Date.now();
    const r: LoadResult = { sent: 0, failed: 0 };
    let running = true;
    const loop = (async () => {
        while (running && Date.now() - start < maxSeconds * 1000) {
            const res = await get(port, host);
            r.sent++;
            if (!res.ok) r.failed++;
            if (res.version === version && r.firstNewVersionMs === undefined) r.firstNewVersionMs = Date.now() - start;
            await new Promise((x) => setTimeout(x, 20));
        }
    })();
    return {
        stop: async () => {
            running = false;
            await loop;
            return r;
        },
    };
}

/** Waits until the proxy answers 200 (after a cold start), bounded. */
export async function waitServing(port: number, host: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
        if ((await get(port, host)).ok) return;
        await new Promise((x) => setTimeout(x, 200));
    }
    throw new Error(`nothing served on https://${host}:${port}/ within ${timeoutMs / 1000}s`);
}
