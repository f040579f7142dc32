// A workload spec: what one long-running service needs from whatever runs it, as plain data (no
// Pulumi). Per-kind spec functions (spec/monitoring.ts, …) build these from the model; a runtime
// (runtime/) realizes them: today one docker.Container each on a single host, later a Swarm service.
import type { HealthCheck } from "../config/health";

/** A named volume the workload owns: created by the runtime before the workload. */
export interface VolumeSpec {
    name: string;
    labels: Record<string, string>;
}

export type MountSpec =
    | { type: "bind"; source: string; target: string; readOnly: boolean; propagation?: "rslave" }
    | { type: "volume"; volume: VolumeSpec; target: string };

export interface WorkloadSpec {
    /** Logical name: the runtime derives resource and container names from it. */
    name: string;
    image: string;
    command?: string[];
    envs?: string[];
    /** User the process runs as, when not the image's (the collector reads root-only log files). */
    user?: string;
    /** Networks by name; the first is the workload's own, where `aliases` resolve to it. */
    networks: { name: string; aliases?: string[] }[];
    mounts: MountSpec[];
    /** With a health check the runtime waits for healthy (up to waitSeconds) before dependents start. */
    health?: HealthCheck;
    waitSeconds?: number;
    cpus: number;
    memoryMb: number;
    restart: "unless-stopped" | "always" | "on-failure" | "no";
    /** Labels without the `hostplane.` prefix; the runtime adds project and stack. */
    labels: Record<string, string>;
    /** SIGTERM → SIGKILL grace on stop. */
    graceSeconds: number;
    /** Host-level access some collectors need (node-exporter). */
    host?: { pidMode?: "host"; privileged?: boolean; devices?: { hostPath: string; containerPath: string; permissions: string }[] };
    /** Extra /etc/hosts entries: name → IP or "host-gateway". */
    extraHosts?: { host: string; ip: string }[];
}
