// The local-build image recipes on the real engine: an interrupted build never leaves a usable
// half-built image behind, and the next run builds it whole. (Needs a running engine and the base
// image from images/build.sh; .ci/run prepares both.)
import * as assert from "assert";
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");
const REF = "hostplane-test/interrupted-python:1";
const docker = (...args: string[]) => spawnSync("docker", args, { encoding: "utf8" });
const exists = (ref: string) => docker("image", "inspect", ref).status === 0;

describe("local-build images: interrupted builds", function () {
    this.timeout(15 * 60 * 1000);
    const env = { ...process.env, HOSTPLANE_IMAGE_CACHE: process.env.HOSTPLANE_IMAGE_CACHE ?? path.join(os.homedir(), ".cache/hostplane/images") };
    before(() => docker("rmi", "-f", REF));
    after(() => {
        docker("rmi", "-f", REF);
    });

    it("a build killed half-way tags nothing; the next run builds a working image", async () => {
        // FORCE: build even though an identical image exists; killed once the build has started.
        const child = spawn("bash", [path.join(REPO, "images/build.sh"), `python:1=${REF}`], { env: { ...env, FORCE: "1" }, stdio: ["ignore", "ignore", "pipe"], detached: true });
        let log = "";
        await new Promise<void>((resolve) => {
            child.stderr.on("data", (d) => {
                log += d;
                if (/python:1: building/.test(log)) setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 3000);
            });
            child.on("exit", () => resolve());
        });
        assert.ok(/python:1: building/.test(log), `the build had started:\n${log}`);
        assert.ok(!exists(REF), `${REF} must not exist after an interrupted build`);

        execFileSync("bash", [path.join(REPO, "images/build.sh"), `python:1=${REF}`], { env, stdio: "inherit" });
        assert.ok(exists(REF));
        assert.match(docker("run", "--rm", REF, "python", "-c", "print('whole')").stdout, /^whole$/m);
    });

    it("leftovers of an interrupted rootfs build are removed, never reused", () => {
        const stale = [path.join(env.HOSTPLANE_IMAGE_CACHE, "rootfs.interrupted"), path.join(env.HOSTPLANE_IMAGE_CACHE, "debian-bookworm-minbase-x.tar.tmp")];
        fs.mkdirSync(stale[0], { recursive: true });
        fs.writeFileSync(stale[1], "half a tarball");
        const old = new Date(Date.now() - 10 * 60 * 1000);
        for (const f of stale) fs.utimesSync(f, old, old);
        execFileSync("bash", [path.join(REPO, "images/build.sh"), "python"], { env, stdio: "inherit" });
        for (const f of stale) assert.ok(!fs.existsSync(f), `${f} removed`);
    });
});
