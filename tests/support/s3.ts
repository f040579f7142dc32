// A real S3-compatible server on loopback for the backup tests: SeaweedFS's `weed server -s3`,
// built from the Go module proxy by scripts/seaweedfs.sh (the catalog's object store). Its own
// temp data directory and ports, one access key, stopped and deleted after the tests.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "../../scripts/seaweedfs.sh");

/** The cached weed binary, or undefined when scripts/seaweedfs.sh has not built it. */
export function weedBinary(): string | undefined {
    const r = spawnSync("bash", [SCRIPT, "--path"], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
}

export interface TempS3 {
    endpoint: string;
    accessKey: string;
    secretKey: string;
    stop(): void;
}

async function waitFor(url: string, seconds: number, proc: ChildProcess, log: string): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        if (proc.exitCode !== null) throw new Error(`weed exited (${proc.exitCode}): ${fs.readFileSync(log, "utf8").slice(-2000)}`);
        try {
            const r = await fetch(url);
            if (r.status < 500) return;
        } catch {
            /* not up yet */
        }
        if (Date.now() > deadline) throw new Error(`weed S3 not answering on ${url} after ${seconds}s: ${fs.readFileSync(log, "utf8").slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 500));
    }
}

/** `volumes`: weed grows each bucket (a collection) by several volumes at once: more buckets need more. */
export async function startTempS3(basePort = 28300, volumes = 8): Promise<TempS3> {
    const bin = weedBinary();
    if (!bin) throw new Error("weed is not built (bash scripts/seaweedfs.sh)");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-s3-"));
    const accessKey = "hostplanetest";
    const secretKey = "hostplane-test-secret-key";
    const s3config = path.join(dir, "s3.json");
    fs.writeFileSync(s3config, JSON.stringify({ identities: [{ name: "test", credentials: [{ accessKey, secretKey }], actions: ["Admin", "Read", "Write", "List", "Tagging"] }] }));
    fs.mkdirSync(path.join(dir, "data"), { recursive: true });
    const log = path.join(dir, "weed.log");
    const out = fs.openSync(log, "a");
    // Every port explicit and on 127.0.0.1; the side services (Iceberg, Lance) off, and no
    // telemetry: the test talks to loopback only.
    const port = (n: number) => String(basePort + n);
    const proc = spawn(
        bin,
        [
            "server", `-dir=${path.join(dir, "data")}`, "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
            `-master.port=${port(0)}`, `-master.port.grpc=${port(1)}`, `-volume.port=${port(2)}`, `-volume.port.grpc=${port(3)}`,
            "-filer", `-filer.port=${port(4)}`, `-filer.port.grpc=${port(5)}`,
            "-s3", `-s3.port=${port(6)}`, `-s3.port.grpc=${port(7)}`, "-s3.port.iceberg=0", "-s3.port.lance=0", `-s3.config=${s3config}`,
            "-master.volumeSizeLimitMB=64", `-volume.max=${volumes}`,
        ],
        { stdio: ["ignore", out, out] },
    );
    const endpoint = `http://127.0.0.1:${port(6)}`;
    try {
        await waitFor(endpoint, 90, proc, log);
    } catch (e) {
        proc.kill("SIGKILL");
        throw e;
    }
    return {
        endpoint,
        accessKey,
        secretKey,
        stop: () => {
            proc.kill("SIGTERM");
            spawnSync("sleep", ["1"]);
            if (proc.exitCode === null) proc.kill("SIGKILL");
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
