// The cutover protocol with the real nginx binary on loopback, without Docker: two revisions of an
// app behind their own revision aliases (a DNS responder stands in for Docker's), HTTPS load from
// keep-alive, per-request-connection and slow clients, then the same switch the Proxy component
// makes (rewrite upstreams/<alias>.conf, `nginx -s reload`), a drain, and a graceful stop of the
// old revision. No request may fail, and a slow request in flight at the switch must complete.
import * as assert from "assert";
import { spawn, spawnSync, ChildProcess } from "child_process";
import * as dgram from "dgram";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { loadPlatformModel } from "../config/validate";
import { DEFAULT_NGINX_OPTIONS, NginxOptions, PROXY_HOST_DIR, renderNginx } from "../render/nginx";
import type { UpstreamTargets } from "../render/upstreams";
import { inFlightAtSwitch } from "../e2e/load/report";
import { formatReport, startLoad } from "../e2e/load/run";
import { sourceOf } from "./fixtures";
import { requireTool } from "./support/tools";

const NGINX = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));
const HOST = "example.com";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A DNS responder: A records from `records` (name -> addresses), NXDOMAIN for other names. */
function dnsServer(records: Map<string, string[]>): Promise<{ port: number; close: () => void }> {
    const sock = dgram.createSocket("udp4");
    sock.on("message", (q, rinfo) => {
        const labels: string[] = [];
        let i = 12;
        while (q[i] !== 0) {
            labels.push(q.subarray(i + 1, i + 1 + q[i]).toString("ascii"));
            i += q[i] + 1;
        }
        const addrs = q.readUInt16BE(i + 1) === 1 ? records.get(labels.join(".").toLowerCase()) : undefined;
        const head = Buffer.alloc(12);
        q.copy(head, 0, 0, 2);
        head.writeUInt16BE(records.has(labels.join(".").toLowerCase()) ? 0x8180 : 0x8183, 2);
        head.writeUInt16BE(1, 4);
        head.writeUInt16BE(addrs?.length ?? 0, 6);
        const answers = (addrs ?? []).map((a) => Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, ...a.split(".").map(Number)]));
        sock.send(Buffer.concat([head, q.subarray(12, i + 5), ...answers]), rinfo.port, rinfo.address);
    });
    return new Promise((resolve) => sock.bind(0, "127.0.0.1", () => resolve({ port: sock.address().port, close: () => sock.close() })));
}

/** One revision of the app: answers {version}; /slow?seconds=S after S seconds. close() is graceful. */
function revision(version: string, address: string, port: number): Promise<http.Server> {
    const server = http.createServer((req, res) => {
        const seconds = req.url!.startsWith("/slow") ? Number(new URL(req.url!, "http://x").searchParams.get("seconds") ?? 2) : 0;
        setTimeout(() => {
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ version }));
        }, seconds * 1000);
    });
    return new Promise((resolve) => server.listen(port, address, () => resolve(server)));
}

function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

describe("cutover through the proxy (real nginx on loopback)", function () {
    this.timeout(60000);
    let dir: string;
    let nginx: ChildProcess | undefined;
    let dns: { port: number; close: () => void } | undefined;
    let options: NginxOptions;
    let appPort = 0;
    let httpsPort = 0;
    const servers: http.Server[] = [];
    const records = new Map<string, string[]>();
    const model = () =>
        loadPlatformModel(
            sourceOf({
                prefix: "tc",
                host: { provider: "local" },
                proxy: { ports: { http: 80, https: httpsPort }, tls: { mode: "selfsigned" } },
                monitoring: { enabled: false },
                environments: { production: { kind: "production", domain: HOST, apps: { web: { image: "example/web:1", port: appPort, healthcheck: { path: "/health" }, cpus: 1, memory: "128M", routes: [{ path: "/" }] } } } },
            }, []),
        );
    const nginxCmd = (...args: string[]) => spawnSync(NGINX!, ["-p", dir, "-c", path.join(dir, "conf", "nginx.conf"), "-e", path.join(dir, "error.log"), ...args], { encoding: "utf8" });

    /** Writes the rendered files as the Proxy component's config step does (candidate checks aside). */
    function writeConfig(targets: UpstreamTargets): void {
        for (const f of renderNginx(model(), options, targets)) {
            const dest = path.join(dir, "conf", path.relative(PROXY_HOST_DIR, f.path));
            fs.mkdirSync(path.dirname(dest), { recursive: true });
            fs.writeFileSync(dest, f.content, { mode: f.mode });
        }
    }

    before(async function () {
        requireTool(this, NGINX !== undefined, "nginx", "apt-get install -y nginx");
        [appPort, httpsPort] = [await freePort(), await freePort()];
        dns = await dnsServer(records);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-cutover-"));
        fs.chmodSync(dir, 0o755);
        options = {
            ...DEFAULT_NGINX_OPTIONS,
            resolver: `127.0.0.1:${dns.port}`,
            listen: { http: `127.0.0.1:${await freePort()}`, https: `127.0.0.1:${httpsPort}` },
            paths: { ...DEFAULT_NGINX_OPTIONS.paths, confDir: path.join(dir, "conf"), certDir: path.join(dir, "certs"), authDir: path.join(dir, "auth"), acmeWebroot: path.join(dir, "acme"), pidFile: path.join(dir, "nginx.pid"), errorLog: path.join(dir, "error.log"), accessLog: path.join(dir, "access.log") },
        };
        fs.mkdirSync(path.join(dir, "certs", HOST), { recursive: true });
        const cert = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", `/CN=${HOST}`, "-keyout", path.join(dir, "certs", HOST, "privkey.pem"), "-out", path.join(dir, "certs", HOST, "fullchain.pem")], { encoding: "utf8" });
        assert.strictEqual(cert.status, 0, cert.stderr);
    });

    after(async () => {
        if (nginx && nginx.exitCode === null) {
            const exited = new Promise((r) => nginx!.once("exit", r));
            nginx.kill("SIGTERM");
            await exited;
        }
        dns?.close();
        for (const s of servers) s.closeAllConnections(), s.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("switch, graceful reload, drain, stop: 0 failed requests under load, the slow request in flight completes", async () => {
        // Two revisions, each reachable only under its own revision alias.
        records.set("production-web-00000001", ["127.0.0.2"]);
        records.set("production-web-00000002", ["127.0.0.3"]);
        const v1 = await revision("1", "127.0.0.2", appPort);
        const v2 = await revision("2", "127.0.0.3", appPort);
        servers.push(v1, v2);
        writeConfig({ "production-web": "production-web-00000001" });
        nginx = spawn(NGINX!, ["-p", dir, "-c", path.join(dir, "conf", "nginx.conf"), "-e", path.join(dir, "error.log"), "-g", "daemon off;"], { stdio: "ignore" });
        for (let i = 0; i < 50 && !fs.existsSync(options.paths.pidFile); i++) await sleep(100);

        const load = startLoad({ port: httpsPort, host: HOST, path: "/", slowPath: "/slow?seconds=2", keepAlive: 4, fresh: 4, slow: 2, slowStaggerMs: 1000, timeoutMs: 10000, pauseMs: 5, maxSeconds: 40, maxRequests: 100000 });
        await sleep(3000);
        load.phase("rollout");
        // The switch: new upstream, checked, then a graceful reload.
        writeConfig({ "production-web": "production-web-00000002" });
        const checked = nginxCmd("-t", "-q");
        assert.strictEqual(checked.status, 0, checked.stderr);
        const reloaded = nginxCmd("-s", "reload");
        assert.strictEqual(reloaded.status, 0, reloaded.stderr);
        // Drain, then stop the old revision gracefully (it finishes what it holds) and forget its name.
        await sleep(3000);
        await new Promise((r) => v1.close(r));
        records.delete("production-web-00000001");
        load.phase("after");
        await sleep(2000);
        const report = await load.stop();
        console.log(formatReport(report).replace(/^/gm, "      | "));
        assert.deepStrictEqual(report.failures, []);
        assert.deepStrictEqual(Object.keys(report.phases.before.versions), ["1"]);
        assert.deepStrictEqual(Object.keys(report.phases.after.versions), ["2"]);
        assert.ok(inFlightAtSwitch(report, "1", "2").length > 0, "a slow request answered by v1 was in flight at the switch");
        assert.deepStrictEqual(report.certSubjects, [HOST], "SNI selected the route's server");
    });

    it("a dead address of a name costs milliseconds: the request moves to the next address", async () => {
        // 127.0.0.4 has nothing listening (a container that is gone); 127.0.0.3 is v2.
        records.set("production-web-00000003", ["127.0.0.4", "127.0.0.3"]);
        writeConfig({ "production-web": "production-web-00000003" });
        assert.strictEqual(nginxCmd("-s", "reload").status, 0);
        await sleep(500);
        const load = startLoad({ port: httpsPort, host: HOST, path: "/", slowPath: "/", keepAlive: 2, fresh: 2, slow: 0, slowStaggerMs: 0, timeoutMs: 5000, pauseMs: 5, maxSeconds: 15, maxRequests: 400 });
        await sleep(5000);
        const report = await load.stop();
        console.log(formatReport(report).replace(/^/gm, "      | "));
        assert.deepStrictEqual(report.failures, []);
        assert.ok(report.phases.before.sent >= 10, `only ${report.phases.before.sent} requests`);
        assert.ok(report.phases.before.max < 1000, `slowest request ${report.phases.before.max} ms`);
        const log = fs.readFileSync(path.join(dir, "error.log"), "utf8");
        assert.match(log, /connect\(\) failed \(111: Connection refused\)[^\n]*127\.0\.0\.4/, "nginx did try the dead address");
    });
});
