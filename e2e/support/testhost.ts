// A test host from scripts/testhost/testhost.sh, for mocha: a Debian 12 machine in its own
// network/mount/PID namespaces with sshd and its own dockerd, reachable at its own address.
import { execFileSync, spawnSync } from "child_process";
import * as path from "path";

export const TESTHOST_SCRIPT = path.resolve(__dirname, "../../scripts/testhost/testhost.sh");

export interface TestHost {
    name: string;
    address: string;
    port: number;
    user: string;
    /** Private key authorized for `user`. */
    keyFile: string;
    /** The host's root filesystem as the CI machine sees it (read-only use in assertions). */
    rootfs: string;
    /** The CI machine's address on the test hosts' bridge. */
    gateway: string;
    /** Runs a command as root inside the host; returns stdout (trimmed). */
    exec(args: string[], input?: string | Buffer): string;
    /** ssh options that reach the host as `user` with its key, trusting its host key on first use. */
    sshArgs(knownHosts: string): string[];
}

const run = (args: string[], input?: string | Buffer) =>
    execFileSync("bash", [TESTHOST_SCRIPT, ...args], { encoding: "utf8", input, stdio: ["pipe", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 }).trim();

function parse(name: string, out: string): TestHost {
    const kv = Object.fromEntries(out.split("\n").map((l) => l.split("=", 2) as [string, string]));
    return {
        name,
        address: kv.TESTHOST_ADDRESS,
        port: Number(kv.TESTHOST_PORT),
        user: kv.TESTHOST_USER,
        keyFile: kv.TESTHOST_KEY,
        rootfs: kv.TESTHOST_ROOTFS,
        gateway: kv.TESTHOST_GATEWAY,
        exec: (args, input) => run(["exec", name, ...args], input),
        sshArgs: (knownHosts) => ["-i", kv.TESTHOST_KEY, "-p", kv.TESTHOST_PORT, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=accept-new", `${kv.TESTHOST_USER}@${kv.TESTHOST_ADDRESS}`],
    };
}

/** Starts (or finds) the host NAME. */
export function testHostUp(name: string): TestHost {
    return parse(name, run(["up", name]));
}

/** Stops NAME and removes all of it (netns, mounts, disk, processes); no error if it is not there. */
export function testHostDown(name: string): void {
    run(["down", name]);
}

/** Why test hosts cannot run here (not root, no ip/unshare/debootstrap), or undefined. */
export function testHostUnavailable(): string | undefined {
    if (process.getuid?.() !== 0) return "test hosts need root (network and mount namespaces)";
    for (const [cmd, pkg] of [["ip", "iproute2"], ["unshare", "util-linux"], ["nsenter", "util-linux"], ["debootstrap", "debootstrap"], ["mkfs.ext4", "e2fsprogs"], ["ssh", "openssh-client"]]) {
        const r = spawnSync("sh", ["-c", `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: "ignore" });
        if (r.status !== 0) return `${cmd} is missing (apt-get install ${pkg})`;
    }
    return undefined;
}
