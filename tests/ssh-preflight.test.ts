// The SSH preflight: ssh's own failures mapped to the config key a user fixes. The real ssh client
// probes a closed loopback port and reads a broken key file; the e2e tier (e2e/tests/ssh-host.test.ts)
// covers a refused key and an unreachable host against a test host.
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { classifySshFailure, sshPreflight } from "../components/hosts/ssh-preflight";
import { haveCommand, requireTool } from "./support/tools";

const target = { user: "deploy", address: "127.0.0.1", port: 22 };

function closedPort(): Promise<number> {
    return new Promise((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const p = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(p));
        });
    });
}

describe("ssh preflight", () => {
    it("a refused key names hostplane:sshPrivateKey, the user, the host and ssh's reason", () => {
        const i = classifySshFailure(target, "Warning: Permanently added '127.0.0.1' (ED25519) to the list of known hosts.\r\ndeploy@127.0.0.1: Permission denied (publickey).\n");
        assert.strictEqual(i.key, "hostplane:sshPrivateKey");
        assert.match(i.message, /deploy@127\.0\.0\.1:22 refused this key \(deploy@127\.0\.0\.1: Permission denied \(publickey\)\.\)/);
        assert.match(i.message, /~deploy\/\.ssh\/authorized_keys/);
    });

    it("a timeout or a missing route names hostplane:host.address", () => {
        for (const err of ["ssh: connect to host 10.0.0.9 port 22: Connection timed out", "ssh: connect to host 10.0.0.9 port 22: No route to host", "ssh: Could not resolve hostname nowhere: Name or service not known"]) {
            const i = classifySshFailure(target, err);
            assert.strictEqual(i.key, "hostplane:host.address");
            assert.ok(i.message.includes(err), i.message);
        }
    });

    describe("with the real ssh client", function () {
        let dir: string;
        before(function () {
            requireTool(this, haveCommand("ssh", ["-V"]), "ssh", "apt-get install -y openssh-client");
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "hp-preflight-"));
        });
        after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

        it("nothing listening: a ConfigError for hostplane:host.address with 'Connection refused'", async () => {
            const key = path.join(dir, "key");
            fs.writeFileSync(key, "unused\n", { mode: 0o600 });
            const t = { ...target, port: await closedPort() };
            assert.throws(
                () => sshPreflight(t, key, ["-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`]),
                (e: Error) => e instanceof ConfigError && /hostplane:host\.address: cannot reach deploy@127\.0\.0\.1:\d+ over SSH \(.*Connection refused\)/.test(e.message),
            );
        });
    });
});
