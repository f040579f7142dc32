// How ops reaches the host's Docker engine: the docker CLI (the same client operators use by
// hand), with DOCKER_HOST from the stack (local socket, ssh://user@address, or the address a
// Hetzner server got, read from the stack's outputs).
import { spawnSync } from "child_process";
import type { PlatformModel } from "../../config/model";

export class OpsError extends Error {}

/** The environment an operator named with --env, or an error listing the stack's environments. */
export function requireEnvironment(model: PlatformModel, name: string | undefined): PlatformModel["environments"][number] {
    const known = model.environments.map((e) => e.name).join(", ");
    if (!name) throw new OpsError(`missing --env; expected one of ${known}`);
    const env = model.environments.find((e) => e.name === name);
    if (!env) throw new OpsError(`unknown environment '${name}' in stack ${model.stack}; expected one of ${known}`);
    return env;
}

export interface Docker {
    /** Runs `docker args…`; returns status and output. */
    run(args: string[], input?: string): { status: number; stdout: string; stderr: string };
    /** Runs `docker args…` with the terminal attached (logs --follow); returns the exit status. */
    attach?(args: string[]): number;
}

/** DOCKER_HOST for the stack: from the model, or (hcloud) the `dockerHost` stack output. */
export function dockerHostOf(model: PlatformModel, outputs?: Record<string, unknown>): string | undefined {
    const host = model.host;
    if (host.provider === "local") return undefined;
    if (host.provider === "ssh") return `ssh://${host.user}@${host.address}:${host.port}`;
    const fromOutputs = outputs?.dockerHost;
    if (typeof fromOutputs !== "string" || !fromOutputs)
        throw new OpsError(`stack ${model.stack} runs on a Hetzner server whose address is known only after 'pulumi up': no 'dockerHost' stack output found`);
    return fromOutputs;
}

export function dockerCli(dockerHost: string | undefined): Docker {
    const env = { ...process.env };
    if (dockerHost) env.DOCKER_HOST = dockerHost;
    return {
        run(args, input) {
            const r = spawnSync("docker", args, { env, input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
            if (r.error) throw new OpsError(`cannot run docker: ${r.error.message}`);
            return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
        },
        attach(args) {
            const r = spawnSync("docker", args, { env, stdio: "inherit" });
            if (r.error) throw new OpsError(`cannot run docker: ${r.error.message}`);
            return r.status ?? 1;
        },
    };
}

export function must(d: Docker, args: string[], what: string): string {
    const r = d.run(args);
    if (r.status !== 0) throw new OpsError(`${what} failed: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
}


/** Containers of this stack (every hostplane container carries these labels), as `docker inspect` JSON. */
export function inspectStackContainers(d: Docker, model: PlatformModel, filters: Record<string, string> = {}): any[] {
    const labelFilters = Object.entries({ "hostplane.stack": model.stack, ...filters }).flatMap(([k, v]) => ["--filter", `label=${k}=${v}`]);
    const ids = must(d, ["ps", "-a", "-q", "--no-trunc", ...labelFilters], "listing containers").split("\n").filter(Boolean);
    if (ids.length === 0) return [];
    return JSON.parse(must(d, ["inspect", "--type", "container", ...ids], "inspecting containers"));
}
