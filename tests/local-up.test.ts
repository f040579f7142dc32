// `npm run local:up`'s bad-input cases, each stopping before anything is created: no Docker and no
// way to install it, a host port the local stack publishes already taken. (The interrupted image
// build is checked on the real engine in e2e/tests/local-images.test.ts.)
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { loadPlatformModel } from "../config/validate";
import { publishedPorts, takenPortMessages } from "../lib/local/ports";
import { baseConfig, repoPath, sourceOf } from "./fixtures";
import { freePort } from "./support/ports";

/** Holds a TCP port on 127.0.0.1 the way another program would. */
function hold(port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => resolve(s));
    });
}

describe("local:up: no Docker engine and no way to install one", () => {
    it("stops with exit 2 and one message saying what to install, and creates nothing", () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "local-up-"));
        fs.mkdirSync(path.join(copy, "scripts"));
        fs.copyFileSync(repoPath("scripts/local-up.sh"), path.join(copy, "scripts/local-up.sh"));
        fs.mkdirSync(path.join(copy, "node_modules"));
        // A user without root and sudo, on a machine whose docker client finds no daemon.
        const bin = path.join(copy, "bin");
        fs.mkdirSync(bin);
        const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        stub("docker", "exit 1");
        stub("sudo", "exit 1");
        stub("id", 'if [ "$1" = -u ]; then echo 1000; else /usr/bin/id "$@"; fi');
        stub("apt-get", "echo apt-get must not run >&2; exit 99");
        const r = spawnSync("bash", [path.join(copy, "scripts/local-up.sh")], { encoding: "utf8", env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
        assert.strictEqual(r.status, 2, r.stdout + r.stderr);
        assert.match(r.stderr, /^error: no Docker engine answers \('docker info' failed\), and this user cannot install one \(not root, no sudo on Linux\)\. Install and start Docker .*Nothing was installed or created\.$/m);
        assert.ok(!fs.existsSync(path.join(copy, ".pulumi-state")), "no Pulumi state was created");
    });
});

describe("local:up: host ports already taken", () => {
    it("lists every port the stack publishes with the config key that sets it", () => {
        const c = baseConfig();
        c.environments.staging.services = { db: { type: "postgres", hostPort: 5432 } };
        const ports = publishedPorts(loadPlatformModel(sourceOf(c)));
        assert.deepStrictEqual(
            ports.map((p) => `${p.address}:${p.port} ${p.key}`),
            [
                "0.0.0.0:80 hostplane:proxy.ports.http",
                "0.0.0.0:443 hostplane:proxy.ports.https",
                "127.0.0.1:5432 hostplane:environments.staging.services.db.hostPort",
                "127.0.0.1:8011 hostplane:environments.staging.apps.api.hostPort",
            ],
        );
    });

    it("names a port another program holds, its config key and the stack file; skips the stack's own", async () => {
        const port = await freePort();
        const other = await hold(port);
        try {
            const ports = [{ port, address: "127.0.0.1", key: "hostplane:environments.dev.apps.api.hostPort", what: "api of dev" }];
            assert.deepStrictEqual(await takenPortMessages(ports, new Set(), "Pulumi.local.yaml"), [
                `port ${port} on 127.0.0.1 (api of dev) is already in use on this machine by another program; free it, or set hostplane:environments.dev.apps.api.hostPort to a free port in Pulumi.local.yaml`,
            ]);
            assert.deepStrictEqual(await takenPortMessages(ports, new Set([port]), "Pulumi.local.yaml"), [], "a port the stack's own container publishes is not a conflict");
        } finally {
            other.close();
        }
        assert.deepStrictEqual(await takenPortMessages([{ port, address: "127.0.0.1", key: "k", what: "w" }], new Set(), "f"), []);
    });

    it("`local.ts prepare` of the local stack refuses a taken 8002 (exit 3) and writes no plan", async function () {
        const other = await hold(8002).catch(() => undefined);
        if (!other) {
            // Typically the local stack itself is running here. Under CI the port must be free.
            if (process.env.CI === "true") return assert.fail("port 8002 is in use on the CI machine; expected it free before local:up runs");
            console.log("      skipped: port 8002 is in use on this machine (is the local stack up?)");
            return this.skip();
        }
        const plan = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "plan.env");
        try {
            const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", repoPath("cli/local.ts"), "prepare", "--stack", "local", "--plan", plan], {
                encoding: "utf8",
                env: { ...process.env, HOSTPLANE_REGISTRY: "unreachable", DOCKER_HOST: "unix:///nonexistent.sock" },
            });
            assert.strictEqual(r.status, 3, r.stdout + r.stderr);
            assert.match(
                r.stderr,
                /^error: port 8002 on 127\.0\.0\.1 \(web of dev\) is already in use on this machine by another program; free it, or set hostplane:environments\.dev\.apps\.web\.hostPort to a free port in Pulumi\.local\.yaml$/m,
            );
            assert.ok(!fs.existsSync(plan), "no plan: nothing is built or created");
        } finally {
            other.close();
        }
    });
});
