// scripts/host/bootstrap.sh against a throwaway target: a separate root sshd from Debian's
// openssh-server on 127.0.0.1 (temp host key, temp authorized key), the script sent over SSH the
// way remote.Command sends it (stdin to `bash -s`), writing under a HOSTPLANE_ROOT prefix so the
// test never installs Docker or touches this machine's /etc. A second run changes nothing.
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { loadPlatformModel } from "../config/validate";
import { BOOTSTRAP_SCRIPT } from "../components/hosts/ssh";
import { APT_DROPIN, daemonJson, SSHD_DROPIN, SSHD_HARDENING, UNATTENDED_UPGRADES } from "../render/cloud-init";
import { baseConfig, sourceOf } from "./fixtures";
import { haveCommand, requireTool } from "./support/tools";

const SSHD = "/usr/sbin/sshd";

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
            const p = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(p));
        });
        s.on("error", reject);
    });
}

async function waitForPort(port: number, ms = 10000): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        const ok = await new Promise<boolean>((r) => {
            const c = net.connect(port, "127.0.0.1", () => (c.end(), r(true)));
            c.on("error", () => r(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`sshd did not listen on 127.0.0.1:${port}`);
}

describe("host bootstrap script over SSH (throwaway sshd on loopback)", function () {
    let dir: string, target: string, port: number, sshd: ChildProcess | undefined;
    const model = (() => {
        const cfg = baseConfig();
        cfg.host = { provider: "ssh", address: "127.0.0.1", swap: "0" };
        cfg.defaults = { logs: { maxSize: "20m", maxFile: 5 } };
        return loadPlatformModel(sourceOf(cfg, ["stripeApiKey", "sshPrivateKey"]));
    })();

    before(async function () {
        requireTool(this, fs.existsSync(SSHD) && haveCommand("ssh", ["-V"]) && haveCommand("ssh-keygen", ["-?"]), "sshd/ssh", "apt-get install -y openssh-server openssh-client");
        if (process.getuid?.() !== 0) requireTool(this, false, "root (sshd as a separate root instance)", "run the tests as root, as CI does");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hp-bootstrap-"));
        target = path.join(dir, "target");
        fs.mkdirSync(path.join(target, "etc/ssh/sshd_config.d"), { recursive: true });
        fs.writeFileSync(path.join(target, "etc/ssh/sshd_config"), "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n");
        for (const k of ["host", "client"]) spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, k)], { stdio: "ignore" });
        fs.copyFileSync(path.join(dir, "client.pub"), path.join(dir, "authorized_keys"));
        port = await freePort();
        fs.writeFileSync(
            path.join(dir, "sshd_config"),
            [`Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${dir}/host`, `AuthorizedKeysFile ${dir}/authorized_keys`, `PidFile ${dir}/sshd.pid`,
             "PermitRootLogin prohibit-password", "PasswordAuthentication no", "StrictModes no", "UsePAM no", ""].join("\n"),
        );
        fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
        sshd = spawn(SSHD, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
        await waitForPort(port);
    });

    after(() => {
        if (sshd?.pid) process.kill(sshd.pid, "SIGTERM");
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const run = () => {
        const env = `HOSTPLANE_ROOT=${target} HOSTPLANE_SWAP=${model.host.provider === "ssh" ? model.host.swap : "?"} HOSTPLANE_LOG_MAX_SIZE=${model.logs.maxSize} HOSTPLANE_LOG_MAX_FILE=${model.logs.maxFile}`;
        const r = spawnSync(
            "ssh",
            ["-i", path.join(dir, "client"), "-p", String(port), "-o", "StrictHostKeyChecking=no", "-o", `UserKnownHostsFile=${dir}/known_hosts`, "-o", "BatchMode=yes", "root@127.0.0.1", `env ${env} bash -s`],
            { input: fs.readFileSync(BOOTSTRAP_SCRIPT), encoding: "utf8", timeout: 60000 },
        );
        assert.strictEqual(r.status, 0, `bootstrap failed:\n${r.stdout}\n${r.stderr}`);
        return r.stdout.trim().split("\n").pop()!;
    };
    const read = (p: string) => fs.readFileSync(path.join(target, p), "utf8");

    it("first run writes the hardening files, the same as cloud-init's, and reports them", () => {
        const last = run();
        assert.match(last, /^hostplane-bootstrap: changed: /);
        for (const f of ["/etc/docker/daemon.json", SSHD_DROPIN, APT_DROPIN, "marker"]) assert.ok(last.includes(f), `${f} in ${last}`);
        assert.strictEqual(read("etc/docker/daemon.json"), daemonJson(model.logs));
        assert.deepStrictEqual(JSON.parse(read("etc/docker/daemon.json")), { "log-driver": "json-file", "log-opts": { "max-size": "20m", "max-file": "5" } });
        assert.strictEqual(read(SSHD_DROPIN), SSHD_HARDENING);
        assert.strictEqual(read(APT_DROPIN), UNATTENDED_UPGRADES);
        assert.strictEqual(fs.statSync(path.join(target, SSHD_DROPIN)).mode & 0o777, 0o644);
        // The operator's sshd_config is not touched; the drop-in wins because sshd takes the first value.
        assert.strictEqual(read("etc/ssh/sshd_config"), "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n");
    });

    it("the drop-in is valid sshd configuration and turns password login off (sshd -T)", () => {
        const cfg = path.join(dir, "check_config");
        fs.writeFileSync(cfg, `Include ${target}${SSHD_DROPIN}\nPasswordAuthentication yes\nHostKey ${dir}/host\n`);
        const r = spawnSync(SSHD, ["-T", "-f", cfg], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /^passwordauthentication no$/m);
        assert.match(r.stdout, /^kbdinteractiveauthentication no$/m);
    });

    it("second run changes nothing", () => {
        const stamp = (p: string) => fs.statSync(path.join(target, p)).mtimeMs;
        const before = ["etc/docker/daemon.json", SSHD_DROPIN, APT_DROPIN].map(stamp);
        assert.strictEqual(run(), "hostplane-bootstrap: unchanged");
        assert.deepStrictEqual(["etc/docker/daemon.json", SSHD_DROPIN, APT_DROPIN].map(stamp), before);
    });

    it("leaves an operator's own daemon.json alone", () => {
        const own = '{ "data-root": "/srv/docker" }\n';
        fs.writeFileSync(path.join(target, "etc/docker/daemon.json"), own);
        assert.strictEqual(run(), "hostplane-bootstrap: unchanged");
        assert.strictEqual(read("etc/docker/daemon.json"), own);
    });

    it("restores a drop-in someone edited (it is hostplane's own file)", () => {
        fs.writeFileSync(path.join(target, SSHD_DROPIN), "PasswordAuthentication yes\n");
        assert.strictEqual(run(), `hostplane-bootstrap: changed: ${SSHD_DROPIN}`);
        assert.strictEqual(read(SSHD_DROPIN), SSHD_HARDENING);
    });
});
