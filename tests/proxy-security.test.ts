// The proxy findings of the security review, against the real nginx on loopback: X-Forwarded-For
// set at the edge, the proxy's basic-auth header kept from apps, 421 for a known SNI with an
// unknown Host, Prometheus' lifecycle/admin APIs denied, per-client limits that stop a flood but
// never a busy client, IPv6 published wherever AAAA records are output. Each failed before its fix.
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { loadPlatformModel } from "../config/validate";
import { dnsResponder, freePort, renderInto, request, requireNginx, tmpDir, upstream, waitForPort } from "./support/nginx";
import { sourceOf, STACKS, stackGraph } from "./fixtures";

interface Running {
    http: number;
    https: number;
    dir: string;
    stop: () => Promise<void>;
}

/** nginx with the config of `cfg` (ports filled in) in front of stand-in apps named in `apps`. */
async function startProxy(ctx: Mocha.Context, cfg: (http: number, https: number, ports: Record<string, number>) => Record<string, unknown>, apps: string[]): Promise<Running> {
    const bin = requireNginx(ctx);
    const servers: Record<string, http.Server> = {};
    const ports: Record<string, number> = {};
    for (const a of apps) {
        servers[a] = await upstream(a, 0);
        ports[a] = (servers[a].address() as net.AddressInfo).port;
    }
    const [h, s] = [await freePort(), await freePort()];
    const model = loadPlatformModel(sourceOf(cfg(h, s, ports), []));
    const resolver = await dnsResponder(new Set(model.proxy.routes.map((r) => r.alias).filter((a) => a !== "prometheus")));
    const dir = tmpDir("nginx-sec");
    const conf = renderInto(model, dir, { resolver: `127.0.0.1:${resolver.port}`, listen: { http: `127.0.0.1:${h}`, https: `127.0.0.1:${s}` } });
    const errorLog = path.join(dir, "error.log");
    const proc: ChildProcess = spawn(bin, ["-p", dir, "-c", conf, "-e", errorLog, "-g", "daemon off;"], { stdio: "ignore" });
    await waitForPort(s, proc, () => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, "utf8") : ""));
    return {
        http: h,
        https: s,
        dir,
        stop: async () => {
            if (proc.exitCode === null) {
                const exited = new Promise((r) => proc.once("exit", r));
                proc.kill("SIGTERM");
                await exited;
            }
            resolver.close();
            for (const srv of Object.values(servers)) srv.close();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

const app = (port: number, routes: unknown[]) => ({ image: "example/app:1", port, healthcheck: { path: "/health" }, cpus: 1, memory: "256M", routes });

describe("proxy security (real nginx on loopback)", function () {
    let p: Running;
    const get = (host: string, urlPath: string, auth?: string, extra?: { headers?: Record<string, string>; servername?: string }) => request(p.https, host, urlPath, true, undefined, auth, extra);

    before(async function () {
        p = await startProxy(
            this,
            (h, s, ports) => ({
                prefix: "tp",
                host: { provider: "local" },
                proxy: { ports: { http: h, https: s }, tls: { mode: "selfsigned" } },
                monitoring: { ui: { prometheus: { host: "example.com", path: "/prometheus" }, grafana: false } },
                environments: {
                    production: {
                        kind: "production",
                        domain: "example.com",
                        apps: { web: app(ports.web, [{ path: "/" }]), admin: app(ports.admin, [{ path: "/admin", basicAuth: true }]) },
                    },
                },
            }),
            ["web", "admin"],
        );
    });
    after(async () => p && (await p.stop()));

    it("sets X-Forwarded-For to the client address: a client's own header is not passed on", async () => {
        const r = JSON.parse((await get("example.com", "/", undefined, { headers: { "X-Forwarded-For": "203.0.113.66" } })).body);
        assert.strictEqual(r.headers["x-forwarded-for"], "127.0.0.1");
    });

    it("keeps the proxy's basic-auth credentials from the app, and passes an app's own Authorization on other routes", async () => {
        const protectedReply = await get("example.com", "/admin/x", "admin:letmein-production-admin");
        assert.strictEqual(protectedReply.status, 200);
        assert.strictEqual(JSON.parse(protectedReply.body).headers.authorization, undefined);
        const own = JSON.parse((await get("example.com", "/", undefined, { headers: { Authorization: "Bearer app-token" } })).body);
        assert.strictEqual(own.headers.authorization, "Bearer app-token");
    });

    it("answers 421 to a known SNI with a Host header it serves no site for", async () => {
        const r = await get("unknown.example.net", "/", undefined, { servername: "example.com" });
        assert.strictEqual(r.status, 421);
        assert.doesNotMatch(r.body, /"app"/, "no app content");
    });

    it("denies Prometheus' lifecycle (/-/) and admin API even with the right password", async () => {
        for (const u of ["/prometheus/-/quit", "/prometheus/-/reload", "/prometheus/api/v1/admin/tsdb/delete_series"]) {
            const r = await get("example.com", u, "admin:letmein-prometheus");
            assert.strictEqual(r.status, 403, u);
        }
        // Other Prometheus paths still go upstream (none runs here: the friendly 502).
        assert.strictEqual((await get("example.com", "/prometheus/api/v1/query", "admin:letmein-prometheus")).status, 502);
    });

    it("default limits never trip for a busy client: 800 requests from 32 concurrent connections", async () => {
        const statuses = new Map<number, number>();
        let next = 0;
        const worker = async () => {
            while (next < 800) {
                next++;
                const s = (await get("example.com", "/")).status;
                statuses.set(s, (statuses.get(s) ?? 0) + 1);
            }
        };
        await Promise.all(Array.from({ length: 32 }, worker));
        assert.deepStrictEqual([...statuses], [[200, 800]]);
    });
});

describe("proxy limits, configured low (real nginx on loopback)", function () {
    let p: Running;
    before(async function () {
        p = await startProxy(
            this,
            (h, s, ports) => ({
                prefix: "tp",
                host: { provider: "local" },
                proxy: { ports: { http: h, https: s }, tls: { mode: "selfsigned" }, limits: { requestsPerSecond: 2, burst: 3, connectionsPerClient: 4 } },
                environments: { production: { kind: "production", domain: "example.com", apps: { web: app(ports.web, [{ path: "/" }]) } } },
            }),
            ["web"],
        );
    });
    after(async () => p && (await p.stop()));

    it("answers 429 beyond the rate and burst", async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++) statuses.push((await request(p.https, "example.com", "/", true)).status);
        assert.ok(statuses.slice(0, 4).every((s) => s === 200), JSON.stringify(statuses));
        assert.ok(statuses.includes(429), JSON.stringify(statuses));
    });
});

describe("proxy on IPv6 wherever AAAA records are output (mock graph)", () => {
    for (const stack of STACKS)
        it(`stack ${stack}: publishes on :: exactly when the outputs carry AAAA records`, async () => {
            const g = await stackGraph(stack);
            const ports = (g.resources.find((r) => r.name === `${g.model.prefix}-proxy-container`)!.inputs as any).ports as { ip: string; internal: number }[];
            const aaaa = JSON.stringify(g.outputs).includes('"AAAA"');
            const v6 = ports.filter((x) => x.ip === "::").map((x) => x.internal);
            assert.deepStrictEqual(v6, aaaa || g.model.host.provider !== "local" ? [80, 443] : []);
        });
});
