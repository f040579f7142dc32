// A throwaway private registry for tests: Debian's docker-registry (CNCF distribution) on
// 127.0.0.1 with htpasswd (bcrypt) auth and its storage in a temp dir. The Docker engine allows
// plain HTTP to 127.0.0.0/8, so no TLS is needed. Pushes log in with their own DOCKER_CONFIG,
// so the machine's ~/.docker/config.json never sees the test credentials.
import { ChildProcess, execFileSync, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface Registry {
    password: string;
    /** Environment whose docker CLI is logged in to the registry (its own DOCKER_CONFIG). */
    env: NodeJS.ProcessEnv;
    /** Tags `source` as `target`, pushes it and returns the manifest digest the registry stored. */
    push(source: string, target: string): string;
    stop(): void;
}

function configYaml(dir: string, port: number): string {
    return `version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: ${dir}/data }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:${port}
  secret: ${randomBytes(16).toString("hex")}
auth:
  htpasswd: { realm: hostplane-test, path: ${dir}/htpasswd }
`;
}

async function waitReady(port: number, proc: ChildProcess, logFile: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
        if (proc.exitCode !== null) throw new Error(`docker-registry exited ${proc.exitCode}: ${fs.readFileSync(logFile, "utf8").slice(-2000)}`);
        try {
            // 401 without credentials: the registry is up and auth is on.
            const r = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
            if (r.status === 401) return;
        } catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`docker-registry did not answer on 127.0.0.1:${port} within 10s: ${fs.readFileSync(logFile, "utf8").slice(-2000)}`);
}

export async function startRegistry(port: number, user: string): Promise<Registry> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-registry-srv-"));
    const password = randomBytes(12).toString("hex");
    fs.writeFileSync(path.join(dir, "htpasswd"), execFileSync("htpasswd", ["-Bbn", user, password], { encoding: "utf8" }));
    fs.writeFileSync(path.join(dir, "config.yml"), configYaml(dir, port));
    const logFile = path.join(dir, "registry.log");
    const out = fs.openSync(logFile, "a");
    const proc = spawn("docker-registry", ["serve", path.join(dir, "config.yml")], { stdio: ["ignore", out, out] });
    await waitReady(port, proc, logFile);

    const env = { ...process.env, DOCKER_CONFIG: path.join(dir, "docker-config") };
    execFileSync("docker", ["login", "-u", user, "--password-stdin", `127.0.0.1:${port}`], { input: password, env, stdio: ["pipe", "ignore", "pipe"] });
    return {
        password,
        env,
        push(source, target) {
            execFileSync("docker", ["tag", source, target], { env });
            const outText = execFileSync("docker", ["push", target], { env, encoding: "utf8" });
            const digest = /digest: (sha256:[0-9a-f]{64})/.exec(outText)?.[1];
            if (!digest) throw new Error(`no digest in docker push output: ${outText}`);
            return digest;
        },
        stop() {
            proc.kill("SIGTERM");
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
