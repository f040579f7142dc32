// The container inputs every hostplane container shares, spelled the way Docker reads them back:
// the real engine showed perpetual diffs for "60s" (read back "1m0s"), cpus "1" ("1.0") and an
// unset memorySwap (read back as twice the memory). A preview right after `up` must show nothing.
import type * as docker from "@pulumi/docker";
import type { HealthCheck } from "../config/health";
import { dockerCpus, dockerDuration } from "../config/units";
import { dockerLogOpts } from "../render/log-opts";

export function healthcheckInput(h: HealthCheck): docker.types.input.ContainerHealthcheck {
    return { tests: h.test, interval: dockerDuration(h.interval), timeout: dockerDuration(h.timeout), retries: h.retries, startPeriod: dockerDuration(h.startPeriod) };
}

/**
 * What every container runs with: no process in it gains privileges through setuid/setgid
 * binaries or file capabilities (an image's own root→user switch with gosu/su-exec still works).
 */
export const SECURITY_OPTS = ["no-new-privileges:true"];
export function hardeningInput(): { securityOpts: string[] } {
    return { securityOpts: [...SECURITY_OPTS] };
}

/** CPU and memory limits; swap equals memory, so the memory limit is the real limit (no swap). */
export function limitsInput(cpus: number, memoryMb: number): { cpus: string; memory: number; memorySwap: number } {
    return { cpus: dockerCpus(cpus), memory: memoryMb, memorySwap: memoryMb };
}

/** What every long-running container shares besides its image and wiring: limits, restart, logs, labels, stop. */
export interface ContainerBlock {
    cpus: number;
    memoryMb: number;
    restart: string;
    /** JSON-file log rotation (hostplane:logs); every line also names its container and labels (render/log-opts.ts). */
    logs: { maxSize: string; maxFile: number };
    labels: docker.types.input.ContainerLabel[];
    /** SIGTERM → SIGKILL grace on stop; with it the container must be running after `up` (mustRun). */
    graceSeconds?: number;
}

/** The Docker inputs of a ContainerBlock, spelled as the engine reads them back. */
export function containerBlockInput(b: ContainerBlock) {
    return {
        ...limitsInput(b.cpus, b.memoryMb),
        ...hardeningInput(),
        restart: b.restart,
        logDriver: "json-file",
        logOpts: dockerLogOpts(b.logs),
        labels: b.labels,
        ...(b.graceSeconds === undefined ? {} : { destroyGraceSeconds: b.graceSeconds, mustRun: true }),
    };
}
