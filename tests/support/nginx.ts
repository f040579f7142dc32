// Helpers for tests that run the real nginx (Debian's) on loopback: render a model into a
// temporary prefix with self-signed certificates and htpasswd files, a DNS responder standing in
// for Docker's, stand-in upstream apps and an HTTP(S) client that sets Host and SNI.
import * as assert from "assert";
import { ChildProcess, spawnSync } from "child_process";
import * as dgram from "dgram";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type { PlatformModel } from "../../config/model";
import { DEFAULT_NGINX_OPTIONS, NginxOptions, PROXY_HOST_DIR, renderNginx } from "../../render/nginx";

export const NGINX = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));

/** CI must run these tests; by hand, a machine without nginx skips them and says why. */
export function requireNginx(ctx: Mocha.Context): string {
    if (NGINX) return NGINX;
    if (process.env.CI === "true") assert.fail("nginx is not installed; CI must run the proxy tests (apt-get install -y nginx)");
    console.log("    (skipped: no nginx binary; install Debian's nginx to run the proxy tests: apt-get install -y nginx)");
    ctx.skip();
}

/** Renders into <dir>/conf (the on-host proxy directory), with self-signed certs under <dir>/certs. */
export function renderInto(model: PlatformModel, dir: string, overrides: Partial<NginxOptions> = {}): string {
    const options: NginxOptions = {
        ...DEFAULT_NGINX_OPTIONS,
        ...overrides,
        paths: {
            ...DEFAULT_NGINX_OPTIONS.paths,
            confDir: path.join(dir, "conf"),
            certDir: path.join(dir, "certs"),
            authDir: path.join(dir, "auth"),
            acmeWebroot: path.join(dir, "acme"),
            pidFile: path.join(dir, "nginx.pid"),
            errorLog: path.join(dir, "error.log"),
            accessLog: path.join(dir, "access.log"),
        },
    };
    for (const f of renderNginx(model, options)) {
        const dest = path.join(dir, "conf", path.relative(PROXY_HOST_DIR, f.path));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, f.content, { mode: f.mode });
    }
    for (const host of model.proxy.hosts) {
        const d = path.join(dir, "certs", host);
        fs.mkdirSync(d, { recursive: true });
        const r = spawnSync("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", `/CN=${host}`, "-addext", `subjectAltName=DNS:${host}`,
            "-keyout", path.join(d, "privkey.pem"), "-out", path.join(d, "fullchain.pem"),
        ], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
    }
    // Basic auth: user admin, password "letmein-<alias>" (apr1, which nginx checks without libc crypt).
    fs.mkdirSync(path.join(dir, "auth"), { recursive: true });
    for (const alias of new Set(model.proxy.routes.filter((r) => r.basicAuth).map((r) => r.alias))) {
        const r = spawnSync("openssl", ["passwd", "-apr1", `letmein-${alias}`], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        fs.writeFileSync(path.join(dir, "auth", `${alias}.htpasswd`), `admin:${r.stdout.trim()}\n`, { mode: 0o644 });
    }
    // nginx's workers run as nobody: they must be able to read the error pages.
    fs.chmodSync(dir, 0o755);
    return path.join(dir, "conf", "nginx.conf");
}

export const tmpDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `hostplane-${name}-`));

/** Answers A queries for the given names with 127.0.0.1 and NXDOMAIN for anything else. */
export function dnsResponder(names: Set<string>): Promise<{ port: number; close: () => void }> {
    const sock = dgram.createSocket("udp4");
    sock.on("message", (q, rinfo) => {
        // Question name: length-prefixed labels from byte 12.
        const labels: string[] = [];
        let i = 12;
        while (q[i] !== 0) {
            labels.push(q.subarray(i + 1, i + 1 + q[i]).toString("ascii"));
            i += q[i] + 1;
        }
        const questionEnd = i + 5; // zero byte, QTYPE, QCLASS
        const qtype = q.readUInt16BE(i + 1);
        const known = names.has(labels.join(".").toLowerCase());
        const answer = known && qtype === 1;
        const head = Buffer.alloc(12);
        q.copy(head, 0, 0, 2); // id
        head.writeUInt16BE(known ? 0x8180 : 0x8183, 2); // response, RD+RA, NOERROR or NXDOMAIN
        head.writeUInt16BE(1, 4);
        head.writeUInt16BE(answer ? 1 : 0, 6);
        const parts = [head, q.subarray(12, questionEnd)];
        // Name pointer to the question, A, IN, TTL 5, 4 bytes: 127.0.0.1.
        if (answer) parts.push(Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 127, 0, 0, 1]));
        sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
    });
    return new Promise((resolve) => sock.bind(0, "127.0.0.1", () => resolve({ port: sock.address().port, close: () => sock.close() })));
}

export interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
}

/** `extra`: more request headers, and an SNI name other than the Host header. */
export function request(
    port: number,
    host: string,
    urlPath: string,
    tls: boolean,
    body?: string,
    auth?: string,
    extra: { headers?: Record<string, string>; servername?: string } = {},
): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const opts: https.RequestOptions = {
            host: "127.0.0.1",
            port,
            path: urlPath,
            method: body === undefined ? "GET" : "POST",
            headers: { Host: host, ...(auth ? { Authorization: `Basic ${Buffer.from(auth).toString("base64")}` } : {}), ...extra.headers },
            servername: extra.servername ?? host,
            rejectUnauthorized: false,
            agent: false,
        };
        const req = (tls ? https : http).request(opts, (res) => {
            let data = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (data += c));
            res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
        });
        req.on("error", reject);
        req.setTimeout(10000, () => req.destroy(new Error(`timeout on ${host}${urlPath}`)));
        req.end(body);
    });
}

/** A stand-in app: echoes what it received, and fails on purpose under /fail and /unavailable. */
export function upstream(name: string, port: number): Promise<http.Server> {
    const server = http.createServer((req, res) => {
        let size = 0;
        req.on("data", (c) => (size += c.length));
        req.on("end", () => {
            if (req.url!.endsWith("/fail")) {
                res.writeHead(500, { "content-type": "text/plain" });
                return res.end(`${name} failed on purpose`);
            }
            if (req.url!.endsWith("/unavailable")) {
                res.writeHead(503, { "content-type": "text/plain", "retry-after": "7" });
                return res.end(`${name} own maintenance page`);
            }
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ app: name, url: req.url, headers: req.headers, size }));
        });
    });
    return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

export { freePort } from "./ports";

export function waitForPort(port: number, proc: ChildProcess, log: () => string): Promise<void> {
    const deadline = Date.now() + 10000;
    return new Promise((resolve, reject) => {
        const attempt = () => {
            if (proc.exitCode !== null) return reject(new Error(`nginx exited ${proc.exitCode}:\n${log()}`));
            const s = net.connect(port, "127.0.0.1");
            s.once("connect", () => (s.destroy(), resolve()));
            s.once("error", () => (Date.now() > deadline ? reject(new Error(`nginx did not listen on ${port}:\n${log()}`)) : setTimeout(attempt, 100)));
        };
        attempt();
    });
}
