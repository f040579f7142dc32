// The one-shot step scripts (scripts/host/*.sh) run exactly as their command resources run them
// (components/host-script.ts), with tests/support/docker-shim.sh standing in for the docker CLI:
// the real nginx, promtool, openssl, htpasswd, wget and tar do the work on real files, and a
// loopback nginx / HTTP server stands for the running container of a reload. (The roles SQL runs
// through scripts/host/run-sql.sh against a real PostgreSQL in tests/data-services.test.ts; the
// e2e tier runs every script against the real engine.)
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { deliveryScript, type Delivery } from "../components/delivery";
import { hostScriptCall } from "../components/host-script";
import { freePort } from "./support/ports";
import { NGINX } from "./support/nginx";
import { shimHost, shimUnavailable, type ShimHost } from "./support/host-scripts";
import { haveCommand, requireTool } from "./support/tools";

const ok = (r: { status: number | null; stdout: string; stderr: string }, what: string) => assert.strictEqual(r.status, 0, `${what}: ${r.stdout}${r.stderr}`);
const read = (f: string) => fs.readFileSync(f, "utf8");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function get(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: "/", timeout: 2000 }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve(body));
        }).on("error", reject);
    });
}

/** GET until the body is `want` (a reload is asynchronous): bounded to 10 s. */
async function served(port: number, want: string): Promise<void> {
    let last = "";
    for (let i = 0; i < 50; i++) {
        last = await get(port).catch((e) => String(e));
        if (last === want) return;
        await sleep(200);
    }
    assert.fail(`expected ${JSON.stringify(want)}, nginx served ${JSON.stringify(last)}`);
}

function requireShim(ctx: Mocha.Context, tools: [string, string[], string][]): void {
    const why = shimUnavailable();
    requireTool(ctx, !why, `the docker shim (${why})`, "run as root with util-linux");
    for (const [cmd, args, pkg] of tools) requireTool(ctx, haveCommand(cmd, args), cmd, `apt-get install -y ${pkg}`);
}

describe("host scripts: deliver-files.sh with the real nginx, then reload.sh's nginx_reload", function () {
    this.timeout(120000);
    let h: ShimHost;
    let port: number;
    let live: string;
    // The pid path exists both here and in the check's container (nginx -t opens it).
    const nginxConf = (body: string) =>
        `worker_processes 1;\npid /run/hostplane-test-nginx-${port}.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  server { listen 127.0.0.1:${port}; location / { ${body} } }\n}\n`;
    // As the proxy's step: the candidate is checked where nginx expects its config, with its own nginx -t.
    const delivery = (): Delivery => ({ image: "nginx-image", root: `${h.dir}/hp`, rel: "proxy", checkAt: "/etc/nginx", check: "nginx -t -q -c /etc/nginx/nginx.conf" });
    const deliver = (body: string) => h.runText(deliveryScript(delivery(), [{ path: `${h.dir}/hp/proxy/nginx.conf`, content: nginxConf(body), mode: 0o644 }]));
    const reload = () => h.run("reload.sh", "nginx_reload", ["hp-proxy"], { execPath: path.join(h.dir, "wrap") });

    before(async function () {
        requireShim(this, [["nginx", ["-v"], "nginx"]]);
        h = shimHost("deliver-nginx");
        port = await freePort();
        live = path.join(h.dir, "hp", "proxy");
        // `docker exec hp-proxy nginx …` reaches the test's nginx: the wrapper names its config.
        fs.mkdirSync(path.join(h.dir, "wrap"));
        fs.writeFileSync(path.join(h.dir, "wrap", "nginx"), `#!/bin/sh\nexec ${NGINX} "$@" -c ${live}/nginx.conf\n`, { mode: 0o755 });
    });
    after(() => {
        if (!h) return;
        spawnSync(NGINX!, ["-s", "stop", "-c", path.join(live, "nginx.conf")], { stdio: "ignore" });
        h.cleanup();
    });

    it("promotes a config that passes nginx -t; the running nginx serves it after the reload", async () => {
        ok(deliver(`return 200 "v1";`), "deliver v1");
        assert.match(read(path.join(live, "nginx.conf")), /v1/);
        // stdio ignored: the daemon keeps stderr (its error log) open.
        assert.strictEqual(spawnSync(NGINX!, ["-c", path.join(live, "nginx.conf")], { stdio: "ignore" }).status, 0, "start nginx");
        await served(port, "v1");
        const inode = fs.statSync(live).ino;
        ok(deliver(`return 200 "v2";`), "deliver v2");
        assert.strictEqual(fs.statSync(live).ino, inode, "the live directory is refilled, never replaced (bind mounts hold its inode)");
        assert.ok(h.log().some((l) => l.includes(`-v ${h.dir}/hp/proxy.next:/etc/nginx`)), "the candidate is checked at nginx's own path");
        await served(port, "v1");
        ok(reload(), "reload");
        await served(port, "v2");
    });

    it("a config nginx -t rejects fails the step and leaves the live file and the running nginx untouched", async () => {
        const before = read(path.join(live, "nginx.conf"));
        const r = deliver(`retur 200 "v3";`);
        assert.notStrictEqual(r.status, 0, "a rejected config must fail the step");
        assert.match(r.stderr, /unknown directive "retur"/);
        assert.strictEqual(read(path.join(live, "nginx.conf")), before);
        assert.match(read(path.join(h.dir, "hp", "proxy.next", "nginx.conf")), /retur/, "the candidate keeps the bad file for inspection");
        ok(reload(), "reload of the unchanged live config");
        await served(port, "v2");
    });

    it("nginx_reload checks first: a broken live config fails the reload and nginx keeps serving", async () => {
        const conf = path.join(live, "nginx.conf");
        const good = read(conf);
        fs.writeFileSync(conf, good.replace("return 200", "retur 200"));
        const r = reload();
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stderr, /unknown directive/);
        await served(port, "v2");
        fs.writeFileSync(conf, good);
    });
});

describe("host scripts: deliver-files.sh with the real promtool, then reload.sh's http_reload and restart", function () {
    this.timeout(120000);
    let h: ShimHost;
    const root = () => `${h.dir}/hp`;
    const delivery = (): Delivery => ({ image: "prometheus-image", root: root(), rel: "prometheus", checkAt: "/hp/prometheus.next", check: "promtool check config prometheus.yml >/dev/null" });
    const file = (name: string, content: string) => ({ path: `${root()}/prometheus/${name}`, content, mode: 0o644 });
    const rules = "groups:\n  - name: g\n    rules:\n      - alert: Up\n        expr: up == 0\n";
    const config = (interval: string, withRules: boolean) =>
        `global:\n  scrape_interval: ${interval}\n${withRules ? "rule_files:\n  - rules.yml\n" : ""}scrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ["127.0.0.1:9090"]\n`;

    before(function () {
        requireShim(this, [["promtool", ["--version"], "prometheus"], ["wget", ["--version"], "wget"]]);
        h = shimHost("deliver-promtool");
    });
    after(() => h?.cleanup());

    it("promotes files promtool accepts, and a later delivery removes files no longer rendered", () => {
        ok(h.runText(deliveryScript(delivery(), [file("prometheus.yml", config("15s", true)), file("rules.yml", rules)])), "deliver with rules");
        assert.match(read(`${root()}/prometheus/prometheus.yml`), /rules\.yml/);
        assert.ok(fs.existsSync(`${root()}/prometheus/rules.yml`));
        ok(h.runText(deliveryScript(delivery(), [file("prometheus.yml", config("30s", false))])), "deliver without rules");
        assert.match(read(`${root()}/prometheus/prometheus.yml`), /30s/);
        assert.ok(!fs.existsSync(`${root()}/prometheus/rules.yml`), "a file no longer rendered is gone from the live directory");
    });

    it("a config promtool rejects fails the step; the live files stay as they were", () => {
        const r = h.runText(deliveryScript(delivery(), [file("prometheus.yml", config("banana", false))]));
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stdout + r.stderr, /banana|not a valid duration/);
        assert.match(read(`${root()}/prometheus/prometheus.yml`), /30s/);
    });

    it("http_reload POSTs /-/reload to the service inside the container; restart restarts it", async () => {
        const seen: string[] = [];
        const server = http.createServer((req, res) => {
            seen.push(`${req.method} ${req.url}`);
            res.end();
        });
        const port = await freePort();
        await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
        // Spawned asynchronously: this process's server answers while the step waits.
        const child = spawn("/bin/bash", ["-c", hostScriptCall("reload.sh", "http_reload", ["hp-prometheus", port])], { env: h.env(), stdio: "inherit" });
        const status = await new Promise<number | null>((resolve) => child.on("exit", resolve));
        server.close();
        assert.strictEqual(status, 0);
        assert.deepStrictEqual(seen, ["POST /-/reload"]);
        ok(h.run("reload.sh", "restart", ["hp-grafana"]), "restart");
        assert.strictEqual(h.log().pop(), "restart hp-grafana");
    });
});

describe("host scripts: proxy-certs.sh and basic-auth.sh with the real openssl and htpasswd", function () {
    this.timeout(120000);
    let h: ShimHost;
    const certs = (host: string, f: string) => path.join(h.volume("hp-proxy-certs"), host, f);
    const openssl = (...args: string[]) => spawnSync("openssl", args, { encoding: "utf8" });
    const fingerprint = (f: string) => openssl("x509", "-in", f, "-noout", "-fingerprint", "-sha256").stdout;
    const certsStep = (mode: string, hosts: string[], env?: Record<string, string>) => h.run("proxy-certs.sh", "proxy_certs", [mode, "nginx-image", "hp-proxy-certs", "/etc/nginx/certs", ...hosts], { env });

    before(function () {
        requireShim(this, [["openssl", ["version"], "openssl"], ["htpasswd", ["-h"], "apache2-utils"]]);
        h = shimHost("proxy-steps");
    });
    after(() => h?.cleanup());

    it("self-signed: a certificate per host name where the volume has none, its key 0600 and matching", () => {
        ok(certsStep("selfsigned", ["shop.example", "admin.example"]), "certs");
        for (const host of ["shop.example", "admin.example"]) {
            const text = openssl("x509", "-in", certs(host, "fullchain.pem"), "-noout", "-subject", "-ext", "subjectAltName").stdout;
            assert.match(text, new RegExp(`CN ?= ?${host.replace(".", "\\.")}`));
            assert.match(text, new RegExp(`DNS:${host.replace(".", "\\.")}`));
            assert.strictEqual(fs.statSync(certs(host, "privkey.pem")).mode & 0o777, 0o600);
            const fromCert = openssl("x509", "-in", certs(host, "fullchain.pem"), "-noout", "-pubkey").stdout;
            assert.strictEqual(openssl("pkey", "-in", certs(host, "privkey.pem"), "-pubout").stdout, fromCert, `${host}: key and certificate match`);
        }
    });

    it("self-signed again: an existing certificate (certbot's) is kept, a missing one is made", () => {
        const kept = fingerprint(certs("shop.example", "fullchain.pem"));
        fs.rmSync(path.join(h.volume("hp-proxy-certs"), "admin.example"), { recursive: true });
        ok(certsStep("letsencrypt", ["shop.example", "admin.example"]), "certs");
        assert.strictEqual(fingerprint(certs("shop.example", "fullchain.pem")), kept);
        assert.ok(fingerprint(certs("admin.example", "fullchain.pem")));
    });

    it("provided: the certificate and key from the environment, always rewritten", () => {
        const dir = path.join(h.dir, "pem");
        fs.mkdirSync(dir);
        ok(openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=shop.example", "-keyout", `${dir}/k.pem`, "-out", `${dir}/c.pem`), "pem");
        const [cert, key] = [read(`${dir}/c.pem`).trim(), read(`${dir}/k.pem`).trim()];
        ok(certsStep("provided", ["shop.example"], { TLS_CERTIFICATE: cert, TLS_PRIVATE_KEY: key }), "certs");
        assert.strictEqual(read(certs("shop.example", "fullchain.pem")), `${cert}\n`);
        assert.strictEqual(read(certs("shop.example", "privkey.pem")), `${key}\n`);
        assert.ok(!h.log().slice(-1)[0].includes("BEGIN"), "no PEM on a docker command line");
    });

    it("basic auth: one htpasswd per alias from bcrypt hashes in the environment; htpasswd verifies them; stale files go", () => {
        const vol = h.volume("hp-proxy-auth");
        fs.mkdirSync(vol, { recursive: true });
        fs.writeFileSync(path.join(vol, "old.htpasswd"), "admin:x\n");
        const hash = (pw: string) => spawnSync("htpasswd", ["-nbB", "-C", "4", "admin", pw], { encoding: "utf8" }).stdout.trim().split(":")[1];
        const env = { HTPASSWD_0: hash("pw-grafana"), HTPASSWD_1: hash("pw-prometheus") };
        ok(h.run("basic-auth.sh", "basic_auth", ["nginx-image", "hp-proxy-auth", "/etc/nginx/auth", "grafana", "prometheus"], { env }), "auth");
        assert.deepStrictEqual(fs.readdirSync(vol).sort(), ["grafana.htpasswd", "prometheus.htpasswd"]);
        const verify = (alias: string, pw: string) => spawnSync("htpasswd", ["-vb", path.join(vol, `${alias}.htpasswd`), "admin", pw], { encoding: "utf8" }).status;
        assert.strictEqual(verify("grafana", "pw-grafana"), 0);
        assert.strictEqual(verify("prometheus", "pw-prometheus"), 0);
        assert.notStrictEqual(verify("grafana", "pw-prometheus"), 0);
        assert.strictEqual(fs.statSync(path.join(vol, "grafana.htpasswd")).mode & 0o777, 0o644, "nginx's workers read it");
        assert.ok(!h.log().join("\n").includes("$2y$"), "no hash on a docker command line");
    });
});

describe("host scripts: host-dirs.sh (secret files, host directories) and migrate.sh", function () {
    this.timeout(120000);
    let h: ShimHost;
    before(function () {
        requireShim(this, []);
        h = shimHost("host-dirs");
    });
    after(() => h?.cleanup());

    it("secret_files: each value literally into a 0400 file owned by the service's uid, in a 0500 directory", () => {
        const host = path.join(h.dir, "secrets");
        const marker = path.join(h.dir, "pwned");
        const values = { GF_ADMIN: `it's "$(touch ${marker})"`, GF_KEY: "line1\nline2 $HOME" };
        ok(h.run("host-dirs.sh", "secret_files", ["grafana-image", host, "/run/hp-secrets", 472, "admin_password=GF_ADMIN", "secret_key=GF_KEY"], { env: values }), "secrets");
        assert.strictEqual(read(path.join(host, "admin_password")), values.GF_ADMIN);
        assert.strictEqual(read(path.join(host, "secret_key")), values.GF_KEY);
        assert.ok(!fs.existsSync(marker), "a value was executed");
        for (const f of ["admin_password", "secret_key"]) {
            const st = fs.statSync(path.join(host, f));
            assert.deepStrictEqual([st.mode & 0o777, st.uid, st.gid], [0o400, 472, 472], f);
        }
        const d = fs.statSync(host);
        assert.deepStrictEqual([d.mode & 0o777, d.uid], [0o500, 472]);
        assert.ok(!h.log().join("\n").includes("line1"), "no value on a docker command line");
    });

    it("secret_files refuses a variable name that is not an identifier", () => {
        const r = h.run("host-dirs.sh", "secret_files", ["img", path.join(h.dir, "s2"), "/run/s", 1, "f=A;touch x"]);
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stderr, /bad variable name/);
    });

    it("host_dir makes the directory on the host", () => {
        ok(h.run("host-dirs.sh", "host_dir", ["node-exporter-image", path.join(h.dir, "mon"), "node-exporter/textfile"]), "host_dir");
        assert.ok(fs.statSync(path.join(h.dir, "mon", "node-exporter", "textfile")).isDirectory());
    });

    it("migrate: the env file reaches the job literally; its exit status and last 40 lines come back; the file is removed", () => {
        const tmp = path.join(h.dir, "tmp");
        fs.mkdirSync(tmp);
        const job = 'for i in $(seq 1 45); do echo "line $i"; done; echo "G=$GREETING"; exit 3';
        const r = h.run("migrate.sh", "migrate", ["hp-api", "hp_production_network", 30, "api-image", "sh", "-c", job], { input: "GREETING=$(id) it's\n", env: { TMPDIR: tmp } });
        assert.strictEqual(r.status, 3, r.stderr);
        const lines = r.stdout.trim().split("\n");
        assert.strictEqual(lines.length, 40);
        assert.strictEqual(lines[39], "G=$(id) it's");
        assert.deepStrictEqual(fs.readdirSync(tmp), [], "the env file is gone");
        assert.match(h.log().pop()!, /^run --rm --name hp-api-migrate-\d+ --network hp_production_network --log-driver none --env-file \S+ api-image sh -c /);
    });

    it("migrate: a job over its timeout is stopped and fails the step", () => {
        const r = h.run("migrate.sh", "migrate", ["hp-api", "n", 1, "api-image", "sleep", "20"]);
        assert.strictEqual(r.status, 124);
    });
});

describe("host scripts: cloud-init-ready.sh (the hcloud server's readiness gate, POSIX sh)", function () {
    this.timeout(60000);
    let dir: string;
    // cloud-init and docker are stand-ins here (a test machine has no cloud-init): they exit as told.
    const gate = (cloudInitExit: number, marker: boolean) => {
        const bin = path.join(dir, `bin-${cloudInitExit}-${marker}`);
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "cloud-init"), `#!/bin/sh\n[ "$2" = --long ] && echo "status: error" && exit 1\nexit ${cloudInitExit}\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(bin, "docker"), `#!/bin/sh\necho 28.5.2\n`, { mode: 0o755 });
        const m = path.join(dir, `marker-${cloudInitExit}-${marker}`);
        if (marker) fs.writeFileSync(m, "");
        return spawnSync("/bin/sh", ["-c", hostScriptCall("cloud-init-ready.sh", "ready", [m])], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin` } });
    };
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-ready-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("ready: cloud-init done (0, or 2 = recoverable errors), marker present, Docker's version printed", () => {
        for (const code of [0, 2]) {
            const r = gate(code, true);
            assert.strictEqual(r.status, 0, r.stderr);
            assert.strictEqual(r.stdout, "28.5.2\n");
        }
    });

    it("not ready: cloud-init failed, or finished without the marker; the reason is named", () => {
        const failed = gate(1, true);
        assert.strictEqual(failed.status, 1);
        assert.match(failed.stderr, /status: error\nhostplane: cloud-init failed \(exit 1\)/);
        const noMarker = gate(0, false);
        assert.strictEqual(noMarker.status, 1);
        assert.match(noMarker.stderr, /cloud-init finished but \S+marker-0-false is missing/);
    });
});
