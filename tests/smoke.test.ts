// scripts/smoke.sh (the deploy workflows' smoke checks) against a local HTTP server standing in
// for the proxy: URLs from stack outputs, --resolve to the host's address, retries, 5xx fails.
import * as assert from "assert";
import { execFile } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import { repoPath } from "./fixtures";
import { haveCommand, requireTool } from "./support/tools";

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}
function smoke(outputs: unknown, ...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
        const child = execFile("bash", [repoPath("scripts", "smoke.sh"), "--outputs-file", "-", "--delay", "0.1", "--timeout", "5", ...args], (err, stdout, stderr) =>
            resolve({ code: err ? Number((err as any).code ?? 1) : 0, stdout, stderr }),
        );
        child.stdin!.end(JSON.stringify(outputs));
    });
}

describe("scripts/smoke.sh", () => {
    let server: http.Server;
    let port: number;
    const hits = new Map<string, number>();
    const seen: string[] = [];

    before(async function () {
        requireTool(this, haveCommand("curl"), "curl", "apt-get install -y curl");
        server = http.createServer((req, res) => {
            const key = `${req.headers.host?.split(":")[0]}${req.url}`;
            seen.push(key);
            const n = (hits.get(key) ?? 0) + 1;
            hits.set(key, n);
            if (req.url === "/healthz") res.writeHead(req.headers.host?.startsWith("noproxy.") ? 404 : 200);
            else if (req.url === "/flaky") res.writeHead(n < 3 ? 502 : 200);
            else if (req.url === "/down") res.writeHead(504);
            else if (req.url === "/admin") res.writeHead(401);
            else res.writeHead(200);
            res.end();
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        port = (server.address() as AddressInfo).port;
    });
    after(() => server?.close());
    beforeEach(() => {
        hits.clear();
        seen.length = 0;
    });

    /** `pulumi stack output --json` of a stack, with routes on made-up host names. */
    const outputs = (urls: Record<string, string[]>, ipv4: string | undefined = "127.0.0.1") => ({
        outputs: {
            host: ipv4 ? { provider: "hcloud", ipv4 } : { provider: "local" },
            environments: { staging: { domain: "staging.example.com", apps: Object.fromEntries(Object.entries(urls).map(([app, u]) => [app, { urls: u }])) } },
        },
    });

    it("checks each host's proxy /healthz and each route through the server's address; 401 and retried 502s pass", async () => {
        const r = await smoke(
            outputs({ api: [`http://api.staging.test:${port}/`], web: [`http://staging.test:${port}/flaky`, `http://staging.test:${port}/admin`] }),
            "--retries",
            "5",
        );
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /ok +200 +proxy http:\/\/api\.staging\.test:\d+\/healthz/);
        assert.match(r.stdout, /ok +401 +route .*\/admin/);
        assert.match(r.stdout, /3 route\(s\) on 2 host\(s\) answered/);
        assert.strictEqual(hits.get("staging.test/flaky"), 3, "retried until the app answered");
        assert.ok(seen.includes("api.staging.test/"), "the Host header is the route's host name (--resolve)");
    });

    it("fails when a route keeps answering 5xx, after the given retries", async () => {
        const r = await smoke(outputs({ api: [`http://api.staging.test:${port}/down`] }), "--retries", "3");
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /FAIL +504 +route .*\/down \(after 3 attempts\)/);
        assert.strictEqual(hits.get("api.staging.test/down"), 3);
    });

    it("fails when the proxy's own health check does not answer 200", async () => {
        const r = await smoke(outputs({ api: [`http://noproxy.test:${port}/`] }), "--retries", "2");
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /FAIL +404 +proxy/);
    });

    it("fails when nothing answers (no server on the address)", async () => {
        const r = await smoke(outputs({ api: [`http://api.staging.test:${port}/`] }, "127.0.0.2"), "--retries", "1", "--timeout", "2");
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /FAIL +000/);
    });

    it("passes with nothing to check (a stack without routes)", async () => {
        const r = await smoke(outputs({}));
        assert.strictEqual(r.code, 0);
        assert.match(r.stderr, /no routed URL/);
    });
});
