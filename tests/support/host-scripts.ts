// Runs a step of scripts/host/*.sh exactly as its command resource does (the script's text, then
// one quoted call: components/host-script.ts) with tests/support/docker-shim.sh as `docker`: the
// container's work is done by this machine's real tools on real files (tests/host-scripts.test.ts).
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostScriptCall } from "../../components/host-script";

const SHIM = path.resolve(__dirname, "docker-shim.sh");

export interface RunOptions {
    input?: string;
    env?: Record<string, string>;
    /** Directory first on PATH for `docker exec` commands (wrappers pointing at the test's server). */
    execPath?: string;
}

export interface ShimHost {
    dir: string;
    /** Named volumes: <dir>/volumes/<name>. */
    volume(name: string): string;
    /** The docker calls so far, one line each. */
    log(): string[];
    run(file: string, fn: string, args: (string | number)[], opts?: RunOptions): SpawnSyncReturns<string>;
    /** A command text as a step runs it (e.g. components/delivery.ts deliveryScript). */
    runText(text: string, opts?: RunOptions): SpawnSyncReturns<string>;
    /** The environment a step runs with (for an asynchronous spawn). */
    env(opts?: RunOptions): NodeJS.ProcessEnv;
    cleanup(): void;
}

/** The shim needs root and mount namespaces; the reason when they are missing, else undefined. */
export function shimUnavailable(): string | undefined {
    if (process.getuid?.() !== 0) return "the docker shim needs root (mount namespaces)";
    const r = spawnSync("unshare", ["-m", "--propagation", "private", "true"], { stdio: "ignore" });
    return r.status === 0 ? undefined : "unshare -m failed (util-linux, root)";
}

export function shimHost(name: string): ShimHost {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hostplane-${name}-`));
    fs.mkdirSync(path.join(dir, "bin"));
    fs.symlinkSync(SHIM, path.join(dir, "bin", "docker"));
    const logFile = path.join(dir, "docker.log");
    const env = (opts: RunOptions = {}): NodeJS.ProcessEnv => ({
        ...process.env,
        ...opts.env,
        PATH: `${path.join(dir, "bin")}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        SHIM_VOLUMES: path.join(dir, "volumes"),
        SHIM_LOG: logFile,
        SHIM_EXEC_PATH: opts.execPath ?? "",
    });
    const runText = (text: string, opts: RunOptions = {}) => spawnSync("/bin/bash", ["-c", text], { input: opts.input ?? "", encoding: "utf8", timeout: 60000, env: env(opts) });
    return {
        dir,
        volume: (v) => path.join(dir, "volumes", v),
        log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n") : []),
        run: (file, fn, args, opts) => runText(hostScriptCall(file, fn, args), opts),
        runText,
        env,
        cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
