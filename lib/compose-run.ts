// Running a rendered compose bundle with Debian's docker-compose 1.29, which has no `up --wait`:
// a bounded wait until every long-running container of the project is healthy and every
// one-shot job has exited 0. Used by the e2e compose test and the benchmark.
import { execFileSync } from "child_process";

export interface ComposeProject {
    dir: string;
    project: string;
}

export function compose(p: ComposeProject, ...args: string[]): string {
    return execFileSync("docker-compose", ["-p", p.project, ...args], { cwd: p.dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export interface ContainerState {
    name: string;
    status: string;
    health: string;
    exitCode: number;
    restartPolicy: string;
}

export const projectFilter = (project: string) => `label=com.docker.compose.project=${project}`;

/** Containers matching a `docker ps --filter` (a compose project, or hostplane.stack=<stack>). */
export function containersMatching(filter: string): ContainerState[] {
    const ids = execFileSync("docker", ["ps", "-aq", "--filter", filter], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
    if (!ids.length) return [];
    const fmt = "{{.Name}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.State.ExitCode}}|{{.HostConfig.RestartPolicy.Name}}";
    return execFileSync("docker", ["inspect", "-f", fmt, ...ids], { encoding: "utf8" })
        .trim()
        .split("\n")
        .map((l) => {
            const [name, status, health, exit, restart] = l.split("|");
            return { name: name.replace(/^\//, ""), status, health, exitCode: Number(exit), restartPolicy: restart };
        });
}

/** Resolves when all are healthy (jobs exited 0); throws naming the laggards after timeoutMs. */
export async function waitHealthy(filter: string, expected: number, timeoutMs: number): Promise<number> {
    const start = Date.now();
    for (;;) {
        const cs = containersMatching(filter);
        const failedJob = cs.find((c) => c.restartPolicy === "no" && c.status === "exited" && c.exitCode !== 0);
        if (failedJob) throw new Error(`compose: job ${failedJob.name} exited ${failedJob.exitCode}`);
        const pending = cs.filter((c) => (c.restartPolicy === "no" ? c.status !== "exited" : c.health !== "healthy"));
        if (cs.length >= expected && pending.length === 0) return Date.now() - start;
        if (Date.now() - start > timeoutMs)
            throw new Error(`compose: not healthy after ${timeoutMs / 1000}s: ${pending.map((c) => `${c.name} (${c.status} ${c.health})`).join(", ") || `${cs.length}/${expected} containers`}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}
