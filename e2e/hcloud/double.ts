// Starts and stops the Hetzner Cloud API double (e2e/hcloud-api, a test stand-in for
// api.hetzner.cloud) on a loopback port, and reads the requests it recorded.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");

export interface RecordedRequest {
    method: string;
    path: string;
    query?: string;
    authorized: boolean;
    status: number;
    /** No endpoint of the double matched (it answered 404 not_found). */
    unimplemented?: boolean;
    body?: any;
}

export interface ApiDouble {
    /** Base URL to set as hcloud:endpoint, http://127.0.0.1:PORT/v1. */
    url: string;
    requests(): RecordedRequest[];
    stop(): void;
}

/** Builds the double with the toolchain's Go caches (e2e/hcloud-api/build.sh); returns its path. */
export function buildDouble(): string {
    const out = execFileSync("bash", [path.join(REPO, "e2e/hcloud-api/build.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    return out.trim().split("\n").pop()!;
}

/** Starts the double accepting only `token`; resolves once it printed its address (at most 10 s). */
export function startDouble(binary: string, token: string, recordFile: string): Promise<ApiDouble> {
    const child: ChildProcess = spawn(binary, ["-token", token, "-record", recordFile, "-listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
    const stop = () => child.exitCode === null && child.kill("SIGTERM");
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (stop(), reject(new Error("the hcloud API double did not start within 10 s"))), 10_000);
        let out = "";
        child.stdout!.on("data", (d) => {
            out += d;
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(out);
            if (!m) return;
            clearTimeout(timer);
            resolve({ url: m[1], stop, requests: () => readRecords(recordFile) });
        });
        child.on("exit", (code) => (clearTimeout(timer), reject(new Error(`the hcloud API double exited (${code}) before listening`))));
    });
}

function readRecords(file: string): RecordedRequest[] {
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}
