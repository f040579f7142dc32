// The reverse proxy: the rendered nginx config checked by the real nginx binary (Debian's), and
// its behaviour with a real nginx on loopback in front of small Node HTTP servers. Upstream names
// go through a tiny DNS responder, so the test exercises the same run-time resolution path as
// Docker's DNS in production.
import * as assert from "assert";
import { spawn, spawnSync, ChildProcess } from "child_process";
import * as dns from "dns";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { DEFAULT_NGINX_OPTIONS, ERROR_PAGE_MARKER, PROXY_HOST_DIR, renderNginx } from "../render/nginx";
import { dnsResponder, freePort, renderInto, request, requireNginx, tmpDir, upstream, waitForPort } from "./support/nginx";
import { renderHostFiles } from "../render";
import { baseConfig, sourceOf, STACKS, stackGraph } from "./fixtures";
import type { Graph } from "../lib/graph";


describe("nginx config (rendered)", () => {
    const production = () => loadPlatformModel(fromStackFile(stackFile("production")));

    it("is part of the rendered host files: nginx.conf, one file per host, one upstream per routed app, three error pages", () => {
        const paths = renderHostFiles(production()).map((f) => f.path).filter((p) => p.startsWith(PROXY_HOST_DIR));
        assert.deepStrictEqual(paths, [
            `${PROXY_HOST_DIR}/conf.d/example.com.conf`,
            // hostplane:monitoring.ui defaults for the production environment's domain
            `${PROXY_HOST_DIR}/conf.d/grafana.example.com.conf`,
            `${PROXY_HOST_DIR}/conf.d/prometheus.example.com.conf`,
            `${PROXY_HOST_DIR}/conf.d/python-api.example.com.conf`,
            `${PROXY_HOST_DIR}/html/502.html`,
            `${PROXY_HOST_DIR}/html/503.html`,
            `${PROXY_HOST_DIR}/html/504.html`,
            `${PROXY_HOST_DIR}/nginx.conf`,
            `${PROXY_HOST_DIR}/upstreams/production-api.conf`,
            `${PROXY_HOST_DIR}/upstreams/production-n8n.conf`,
            `${PROXY_HOST_DIR}/upstreams/production-pgadmin.conf`,
            `${PROXY_HOST_DIR}/upstreams/production-python-api.conf`,
            `${PROXY_HOST_DIR}/upstreams/production-web.conf`,
        ]);
    });

    it("resolves upstreams per request through Docker's DNS and keeps the path prefix", () => {
        const files = renderNginx(production());
        const main = files.find((f) => f.path.endsWith("/nginx.conf"))!.content;
        const site = files.find((f) => f.path.endsWith("/example.com.conf"))!.content;
        assert.match(main, /resolver 127\.0\.0\.11 valid=5s ipv6=off;/);
        assert.match(main, /server_tokens off;/);
        assert.match(main, /log_format hostplane_json escape=json/);
        assert.match(main, /proxy_intercept_errors off;/);
        assert.doesNotMatch(main + site, /upstream\s+\S+\s*\{/, "no upstream{} block: it would resolve at start-up");
        assert.match(site, /location \^~ \/api\/ \{\n\s+# production\/api\n\s+include \/etc\/nginx\/hostplane\/upstreams\/production-api\.conf;\n\s+proxy_pass \$upstream;\n\s+client_max_body_size 25m;/);
        // Without a deployed revision (npm run render) the upstream is the shared alias.
        assert.match(files.find((f) => f.path.endsWith("/upstreams/production-api.conf"))!.content, /^set \$upstream http:\/\/production-api:8000;$/m);
        // Dead addresses cost a short connect timeout; idempotent requests move to the next address.
        assert.match(main, /proxy_connect_timeout 500ms;/);
        assert.match(main, /proxy_next_upstream error timeout;/);
        assert.doesNotMatch(main, /^\s*proxy_next_upstream[^;]*non_idempotent/m, "POST/PATCH are never sent twice");
        assert.match(site, /location = \/n8n \{/);
        assert.match(site, /listen 443 ssl http2;/);
        assert.match(site, /ssl_certificate \/etc\/nginx\/certs\/example\.com\/fullchain\.pem;/);
        assert.match(site, /location \^~ \/\.well-known\/acme-challenge\/ \{/, "letsencrypt webroot on port 80");
        assert.match(site, /Strict-Transport-Security/);
    });

    it("self-signed stacks get no HSTS and no ACME location", () => {
        const staging = renderNginx(loadPlatformModel(fromStackFile(stackFile("staging"))));
        const site = staging.find((f) => f.path.endsWith("/api.staging.example.com.conf"))!.content;
        assert.doesNotMatch(site, /Strict-Transport-Security|acme-challenge/);
        assert.match(site, /include \/etc\/nginx\/hostplane\/upstreams\/staging-api\.conf;/);
        const sandbox = staging.find((f) => f.path.endsWith("/api.sandbox.example.com.conf"))!.content;
        assert.match(sandbox, /include \/etc\/nginx\/hostplane\/upstreams\/sandbox-api\.conf;/);
    });

    it("a deployed revision: the upstream names the revision alias the cutover switched to", () => {
        const model = loadPlatformModel(fromStackFile(stackFile("staging")));
        const files = renderNginx(model, DEFAULT_NGINX_OPTIONS, { "staging-api": "staging-api-0a1b2c3d" });
        assert.strictEqual(files.find((f) => f.path.endsWith("/upstreams/staging-api.conf"))!.content.split("\n")[1], "set $upstream http://staging-api-0a1b2c3d:8000;");
        assert.match(files.find((f) => f.path.endsWith("/upstreams/sandbox-api.conf"))!.content, /http:\/\/sandbox-api:8000;/);
        assert.throws(() => renderNginx(model, DEFAULT_NGINX_OPTIONS, { "staging-api": "x; return 200" }), /not a DNS label/);
    });

    it("redirects to the published HTTPS port when it is not 443", () => {
        const local = renderNginx(loadPlatformModel(fromStackFile(stackFile("local"))));
        assert.match(local.find((f) => f.path.endsWith("/localhost.conf"))!.content, /return 301 https:\/\/\$host:8443\$request_uri;/);
    });

    for (const stack of STACKS) {
        it(`stack ${stack}: passes the real 'nginx -t' where no upstream name resolves`, async function () {
            const nginx = requireNginx(this);
            const model = loadPlatformModel(fromStackFile(stackFile(stack)));
            const aliases = model.proxy.routes.map((r) => r.alias);
            for (const a of aliases)
                await assert.rejects(dns.promises.lookup(a), `upstream ${a} must not resolve on this machine for the test to mean anything`);
            const dir = tmpDir(`nginx-t-${stack}`);
            const conf = renderInto(model, dir);
            const r = spawnSync(nginx, ["-t", "-p", dir, "-c", conf, "-e", path.join(dir, "error.log")], { encoding: "utf8" });
            assert.strictEqual(r.status, 0, `nginx -t failed for stack ${stack}:\n${r.stderr}`);
            assert.match(r.stderr, /syntax is ok/);
            assert.match(r.stderr, /test is successful/);
            fs.rmSync(dir, { recursive: true, force: true });
        });
    }

    it("a Prometheus UI on a sub-path (prefix stripped by rewrite) passes the real 'nginx -t'", function () {
        const nginx = requireNginx(this);
        const cfg = baseConfig();
        cfg.monitoring = { ui: { grafana: { host: "example.com", path: "/grafana" }, prometheus: { host: "example.com", path: "/prometheus", allowFrom: ["10.0.0.0/8"] } } };
        const model = loadPlatformModel(sourceOf(cfg));
        const dir = tmpDir("nginx-t-subpath");
        const conf = renderInto(model, dir);
        const site = fs.readFileSync(path.join(dir, "conf", "conf.d", "example.com.conf"), "utf8");
        assert.match(site, /location \^~ \/prometheus\/ \{[^}]*rewrite \^\/prometheus\/\?\(\.\*\)\$ \/\$1 break;/);
        assert.doesNotMatch(site.split("location ^~ /grafana/")[1].split("}")[0], /rewrite/, "Grafana serves its sub-path itself");
        const r = spawnSync(nginx, ["-t", "-p", dir, "-c", conf, "-e", path.join(dir, "error.log")], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

// ---------------------------------------------------------------------------------------------
// Behaviour: real nginx on loopback, real HTTP upstreams, a DNS responder standing in for Docker's.


describe("nginx proxy behaviour (real nginx on loopback)", function () {
    // Free ports picked at run time: other test runs on the same machine must not collide.
    let HTTP = 0;
    let HTTPS = 0;
    const PORTS = { web: 0, api: 0, ai: 0, stagingApi: 0, admin: 0 };
    const app = (port: number, routes: unknown[]) => ({ image: "example/app:1", port, healthcheck: { path: "/health" }, cpus: 1, memory: "256M", routes });
    const config = () => ({
        prefix: "tp",
        host: { provider: "local" },
        proxy: { ports: { http: HTTP, https: HTTPS }, tls: { mode: "selfsigned" } },
        environments: {
            production: {
                kind: "production",
                domain: "example.com",
                apps: {
                    web: app(PORTS.web, [{ path: "/" }]),
                    api: app(PORTS.api, [{ path: "/api", maxBodySize: "1k" }]),
                    ai: app(PORTS.ai, [{ host: "python-api.example.com" }]),
                    admin: app(PORTS.admin, [{ path: "/admin", basicAuth: true }, { path: "/internal", allowFrom: ["10.0.0.0/8"] }]),
                },
            },
            staging: {
                kind: "staging",
                domain: "staging.example.com",
                apps: { api: app(PORTS.stagingApi, [{ host: "api.staging.example.com" }]) },
            },
        },
    });

    let dir: string;
    let nginx: ChildProcess | undefined;
    let resolver: { port: number; close: () => void } | undefined;
    const servers: Record<string, http.Server> = {};
    const names = new Set(["production-web", "production-api", "production-ai", "production-admin", "staging-api"]);
    const get = (host: string, p: string, body?: string) => request(HTTPS, host, p, true, body);

    before(async function () {
        const bin = requireNginx(this);
        servers.web = await upstream("web", 0);
        servers.api = await upstream("api", 0);
        servers.ai = await upstream("ai", 0);
        servers.stagingApi = await upstream("staging-api", 0);
        servers.admin = await upstream("admin", 0);
        for (const k of Object.keys(PORTS) as (keyof typeof PORTS)[]) PORTS[k] = (servers[k].address() as net.AddressInfo).port;
        [HTTP, HTTPS] = [await freePort(), await freePort()];
        const model = loadPlatformModel(sourceOf(config(), []));
        resolver = await dnsResponder(names);
        dir = tmpDir("nginx-run");
        const conf = renderInto(model, dir, {
            resolver: `127.0.0.1:${resolver.port}`,
            listen: { http: `127.0.0.1:${HTTP}`, https: `127.0.0.1:${HTTPS}` },
        });
        const errorLog = path.join(dir, "error.log");
        nginx = spawn(bin, ["-p", dir, "-c", conf, "-e", errorLog, "-g", "daemon off;"], { stdio: "ignore" });
        const log = () => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, "utf8") : "(no error log)");
        await waitForPort(HTTPS, nginx, log);
    });

    after(async () => {
        if (nginx && nginx.exitCode === null) {
            const exited = new Promise((r) => nginx!.once("exit", r));
            nginx.kill("SIGTERM");
            await exited;
        }
        resolver?.close();
        for (const s of Object.values(servers)) s.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("routes by host and by path, keeping the path prefix and setting proxy headers", async () => {
        const web = await get("example.com", "/products?page=2");
        assert.strictEqual(web.status, 200);
        assert.strictEqual(JSON.parse(web.body).app, "web");
        const api = JSON.parse((await get("example.com", "/api/users/7")).body);
        assert.strictEqual(api.app, "api");
        assert.strictEqual(api.url, "/api/users/7", "prefix kept");
        assert.strictEqual(JSON.parse((await get("example.com", "/api")).body).app, "api");
        assert.strictEqual(JSON.parse((await get("example.com", "/apidocs")).body).app, "web", "/api does not swallow /apidocs");
        assert.strictEqual(JSON.parse((await get("python-api.example.com", "/predict")).body).app, "ai");
        assert.strictEqual(JSON.parse((await get("api.staging.example.com", "/health")).body).app, "staging-api");
        assert.strictEqual(api.headers.host, "example.com");
        assert.strictEqual(api.headers["x-forwarded-proto"], "https");
        assert.strictEqual(api.headers["x-real-ip"], "127.0.0.1");
        assert.match(api.headers["x-forwarded-for"], /127\.0\.0\.1/);
    });

    it("adds security headers and hides the nginx version", async () => {
        const r = await get("example.com", "/");
        assert.strictEqual(r.headers["x-content-type-options"], "nosniff");
        assert.strictEqual(r.headers["x-frame-options"], "SAMEORIGIN");
        assert.strictEqual(r.headers.server, "nginx");
    });

    it("answers /healthz and /favicon.ico itself, without touching the apps", async () => {
        const h = await get("example.com", "/healthz");
        assert.deepStrictEqual([h.status, h.body], [200, "ok\n"]);
        assert.strictEqual((await get("example.com", "/favicon.ico")).status, 204);
        const plain = await request(HTTP, "unknown.example.net", "/healthz", false);
        assert.strictEqual(plain.status, 200, "the default server answers the container health check");
    });

    it("redirects HTTP to HTTPS on the published port", async () => {
        const r = await request(HTTP, "example.com", "/api/x?y=1", false);
        assert.strictEqual(r.status, 301);
        assert.strictEqual(r.headers.location, `https://example.com:${HTTPS}/api/x?y=1`);
    });

    it("closes connections for unknown host names (444)", async () => {
        await assert.rejects(request(HTTP, "unknown.example.net", "/", false), /socket hang up|ECONNRESET/);
    });

    it("passes an app's own 500 and 503 through unchanged", async () => {
        const r = await get("example.com", "/api/fail");
        assert.deepStrictEqual([r.status, r.body], [500, "api failed on purpose"]);
        const u = await get("example.com", "/api/unavailable");
        assert.deepStrictEqual([u.status, u.body, u.headers["retry-after"]], [503, "api own maintenance page", "7"]);
    });

    it("enforces the per-route body size limit", async () => {
        assert.strictEqual((await get("example.com", "/api/upload", "x".repeat(2048))).status, 413);
        assert.strictEqual((await get("example.com", "/upload", "x".repeat(2048))).status, 200, "the default limit is 10m");
    });

    it("a stopped upstream gives the friendly 502 page while other routes keep working", async () => {
        await new Promise((r) => servers.ai.close(r));
        const down = await get("python-api.example.com", "/predict");
        assert.strictEqual(down.status, 502);
        assert.match(down.body, new RegExp(ERROR_PAGE_MARKER));
        assert.strictEqual((await get("example.com", "/api/ok")).status, 200);
        assert.strictEqual((await get("api.staging.example.com", "/ok")).status, 200);
    });

    it("an upstream name that does not resolve (container gone) also gives the 502 page, and recovers", async () => {
        names.delete("staging-api");
        // valid=5s, counted in whole seconds per worker: the cached answer lasts 5-6 s.
        await new Promise((r) => setTimeout(r, 5000));
        let gone = await get("api.staging.example.com", "/ok");
        for (let i = 0; i < 20 && gone.status === 200; i++) {
            await new Promise((r) => setTimeout(r, 250));
            gone = await get("api.staging.example.com", "/ok");
        }
        assert.strictEqual(gone.status, 502);
        assert.match(gone.body, new RegExp(ERROR_PAGE_MARKER));
        assert.strictEqual((await get("example.com", "/")).status, 200);
        names.add("staging-api");
        await new Promise((r) => setTimeout(r, 500)); // negative answers are not cached for long
        let back = await get("api.staging.example.com", "/ok");
        for (let i = 0; i < 20 && back.status !== 200; i++) {
            await new Promise((r) => setTimeout(r, 500));
            back = await get("api.staging.example.com", "/ok");
        }
        assert.strictEqual(back.status, 200, "nginx follows the name once it resolves again");
    });

    it("protects admin routes with basic auth and IP allowlists", async () => {
        assert.strictEqual((await get("example.com", "/admin/")).status, 401);
        assert.strictEqual((await request(HTTPS, "example.com", "/admin/", true, undefined, "admin:wrong")).status, 401);
        const ok = await request(HTTPS, "example.com", "/admin/users", true, undefined, "admin:letmein-production-admin");
        assert.strictEqual(ok.status, 200);
        assert.strictEqual(JSON.parse(ok.body).app, "admin");
        assert.strictEqual((await get("example.com", "/internal/")).status, 403, "127.0.0.1 is not in 10.0.0.0/8");
    });

    it("writes one JSON object per request to the access log", () => {
        const lines = fs.readFileSync(path.join(dir, "access.log"), "utf8").trim().split("\n");
        const entry = JSON.parse(lines.find((l) => l.includes("/api/users/7"))!);
        assert.strictEqual(entry.host, "example.com");
        assert.strictEqual(entry.status, 200);
        assert.strictEqual(entry.upstream, `127.0.0.1:${PORTS.api}`);
    });
});

// ---------------------------------------------------------------------------------------------
// The Proxy component under mocks.

describe("Proxy component (mock graph)", () => {
    const CONTAINER = "docker:index/container:Container";
    const find = (g: Graph, name: string) => {
        const r = g.resources.find((x) => x.name === name);
        assert.ok(r, `no resource ${name}`);
        return r!;
    };

    for (const stack of STACKS) {
        describe(`stack ${stack}`, () => {
            let g: Graph;
            before(async () => (g = await stackGraph(stack)));

            it("has one Proxy component whose container publishes 80/443 (or the configured ports) on 0.0.0.0, and :: off a laptop", () => {
                assert.strictEqual(g.resources.filter((r) => r.type === "hostplane:proxy:Proxy").length, 1);
                const ports = (find(g, `${g.model.prefix}-proxy-container`).inputs as any).ports;
                assert.deepStrictEqual(
                    ports,
                    (g.model.host.provider === "local" ? ["0.0.0.0"] : ["0.0.0.0", "::"]).flatMap((ip) => [
                        { internal: 80, external: g.model.proxy.ports.http, ip, protocol: "tcp" },
                        { internal: 443, external: g.model.proxy.ports.https, ip, protocol: "tcp" },
                    ]),
                );
            });

            it("only the proxy publishes beyond loopback; in production no app publishes at all", () => {
                const publishing = g.resources.filter((r) => r.type === CONTAINER && ((r.inputs as any).ports ?? []).length > 0);
                const exposed = publishing.filter((c) => (c.inputs as any).ports.some((p: any) => p.ip !== "127.0.0.1"));
                assert.deepStrictEqual(exposed.map((c) => c.name), [`${g.model.prefix}-proxy-container`]);
                for (const env of g.model.environments.filter((e) => e.kind === "production"))
                    for (const app of env.apps) assert.ok(!publishing.some((c) => c.name === `${app.containerBaseName}-container`), `${app.name} publishes a port`);
            });

            it("joins exactly the networks of the environments it routes to", () => {
                const joined = ((find(g, `${g.model.prefix}-proxy-container`).inputs as any).networksAdvanced ?? []).map((n: any) => n.name).sort();
                const routed = [...new Set(g.model.proxy.routes.map((r) => r.environment))]
                    .map((e) => (e === "monitoring" ? g.model.monitoringNetworkName : g.model.environments.find((x) => x.name === e)!.networkName))
                    .sort();
                assert.deepStrictEqual(joined, routed);
                // The monitoring network only for a Grafana/Prometheus UI route.
                assert.strictEqual(joined.includes(g.model.monitoringNetworkName), g.model.proxy.routes.some((r) => r.environment === "monitoring"));
            });

            it("gets its config through a host directory and a validated reload, not uploads", () => {
                const c = find(g, `${g.model.prefix}-proxy-container`).inputs as any;
                assert.strictEqual(c.uploads, undefined);
                assert.ok(c.mounts.some((m: any) => m.type === "bind" && m.source === PROXY_HOST_DIR && m.readOnly === true));
                const config = find(g, `${g.model.prefix}-proxy-config`).inputs as any;
                assert.match(config.create, /nginx -t -q -c \/etc\/nginx\/hostplane\/nginx\.conf/);
                assert.match(config.create, /--network none/);
                const reload = find(g, `${g.model.prefix}-proxy-reload`);
                // scripts/host/reload.sh, called for this proxy: nginx -t, then nginx -s reload.
                const text = String((reload.inputs as any).create);
                assert.ok(text.endsWith(`\nnginx_reload ${g.model.prefix}-proxy`), text.slice(-80));
                assert.match(text, /docker exec "\$1" nginx -t -q\n\s+docker exec "\$1" nginx -s reload/);
                assert.ok(find(g, `${g.model.prefix}-proxy-container`).dependsOn.includes(`${g.model.prefix}-proxy-config`), "container after its config");
                assert.strictEqual((find(g, `${g.model.prefix}-proxy-container`).inputs as any).name, `${g.model.prefix}-proxy`);
            });

            it("reloads after every app it routes to, triggered by the config hash", () => {
                const reload = find(g, `${g.model.prefix}-proxy-reload`);
                // an app's container (not its component: that would wait for the drain step's sleep),
                // or the component of a data service whose management UI is routed
                const target = (r: { environment: string; app: string; alias: string }) => [
                    `${g.model.prefix}-${r.environment}-${r.app}-container`,
                    `${g.model.prefix}-${r.environment}-${r.app}-service`,
                    // a monitoring UI: the Grafana/Prometheus container
                    `${g.model.prefix}-${r.alias}`,
                ];
                for (const r of g.model.proxy.routes) assert.ok(target(r).some((t) => reload.dependsOn.includes(t)), `reload after ${r.environment}/${r.app}`);
                // The files name each routed app's revision alias: <alias>-<revision of its container>.
                const targets = Object.fromEntries(
                    g.model.environments.flatMap((e) =>
                        e.apps
                            .filter((a) => a.routes.length > 0)
                            .map((a) => [a.alias, `${a.alias}-${String((find(g, `${a.containerBaseName}-container`).inputs as any).name).slice(a.containerBaseName.length + 1)}`]),
                    ),
                );
                const files = renderNginx(g.model, DEFAULT_NGINX_OPTIONS, targets);
                const hash = require("crypto").createHash("sha256").update(JSON.stringify(files)).digest("hex");
                assert.strictEqual((reload.inputs as any).triggers[0], hash);
            });

            it("runs certbot only with Let's Encrypt", () => {
                const certbot = g.resources.some((r) => r.name === `${g.model.prefix}-proxy-certbot`);
                assert.strictEqual(certbot, g.model.proxy.tls.mode === "letsencrypt");
            });
        });
    }

    it("basic auth: a generated password per protected app, exported as a secret, htpasswd via a secret step", async () => {
        const { captureGraph } = await import("../lib/graph");
        const { baseConfig } = await import("./fixtures");
        const cfg = baseConfig();
        cfg.environments.production.apps.web.routes = [{ path: "/" }, { path: "/admin", basicAuth: true }];
        // Only the app's route here (the monitoring UIs have their own test in monitoring-graph).
        cfg.monitoring = { ui: { grafana: false, prometheus: false } };
        const g = await captureGraph(sourceOf(cfg));
        const pw = g.resources.find((r) => r.name === "tp-production-web-basic-auth");
        assert.ok(pw, "RandomPassword for production-web");
        assert.strictEqual((pw!.inputs as any).special, false);
        const step = g.resources.find((r) => r.name === "tp-proxy-auth")!;
        assert.strictEqual((step.inputs as any).environment, "[secret]");
        assert.ok(g.resources.find((r) => r.name === "tp-proxy-reload")!.dependsOn.includes("tp-proxy-auth"));
        assert.deepStrictEqual((g.outputs as any).proxy.basicAuth, { "production-web": { user: "admin", password: "[secret]" } });
        const site = renderNginx(g.model).find((f) => f.path.endsWith("/example.com.conf"))!.content;
        assert.match(site, /auth_basic_user_file \/etc\/nginx\/auth\/production-web\.htpasswd;/);
    });

    it("a route change changes the reload trigger but not the proxy container", async () => {
        const { captureGraph } = await import("../lib/graph");
        const { baseConfig } = await import("./fixtures");
        const before = await captureGraph(sourceOf(baseConfig()));
        const changed = baseConfig();
        changed.environments.production.apps.api.routes = [{ path: "/v2/api" }];
        const after = await captureGraph(sourceOf(changed));
        const pick = (g: Graph, n: string) => g.resources.find((r) => r.name === n)!.inputs as any;
        assert.notDeepStrictEqual(pick(before, "tp-proxy-reload").triggers[0], pick(after, "tp-proxy-reload").triggers[0]);
        assert.deepStrictEqual(pick(before, "tp-proxy-container"), pick(after, "tp-proxy-container"));
    });
});
