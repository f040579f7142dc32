// A workload spec: what one long-running service needs from whatever runs it, as plain data (no
// Pulumi). Per-kind spec functions (spec/monitoring.ts, …) build these from the model; a runtime
// (runtime/) realizes them: today one docker.Container each on a single host, later a Swarm service.
import type { HealthCheck } from "../config/health";

/** A named volume the workload owns: created by the runtime before the workload. */
export interface VolumeSpec {
    name: string;
    /** The Pulumi resource name (identity in state), when it is not the volume's name. */
    resourceName?: string;
    labels: Record<string, string>;
    /** Kept by `pulumi destroy` (production data unless the environment allows destroying it). */
    protect?: boolean;
}

/** Generated secret values by name (password, access-key): plain strings in pure code. */
export type SecretValues = Record<string, string>;

/** File content: plain text, or text made from the workload's generated secrets (then a secret itself). */
export type FileContent = string | { secret: (values: SecretValues) => string };

/** A file written into the container before it starts (config, secrets, scripts). */
export interface FileSpec {
    path: string;
    content: FileContent;
    permissions?: string;
    /** uid that owns it (and its group): the user the image reads it as. */
    owner?: string;
    executable?: boolean;
}

export type MountSpec =
    | { type: "bind"; source: string; target: string; readOnly: boolean; propagation?: "rslave" }
    | { type: "volume"; volume: VolumeSpec; target: string; readOnly?: boolean };

/** An environment entry: "NAME=value", or a secret one built from the secret values. */
export type EnvEntry = string | { name: string; secret: (values: SecretValues) => string };

/**
 * A workload that runs side by side with its previous revision during a rollout (apps): the
 * runtime keeps a revision id that changes with specHash, the named secrets' values or the image,
 * names each revision after it, and drains a replaced revision before stopping it.
 */
export interface RevisionSpec {
    specHash: string;
    /** Secret values (by name) whose change rolls a new revision. */
    secrets: string[];
    /** Routed: the revision also gets its own alias <alias>-<revision>, the proxy's cutover target. */
    routed: boolean;
    drainSeconds: number;
}

export interface WorkloadSpec {
    /** Logical name: the runtime derives resource and container names from it. */
    name: string;
    /** The Pulumi resource name (identity in state), when it is not the runtime's default. */
    resourceName?: string;
    image: string;
    entrypoint?: string[];
    command?: string[];
    /** In the order given; secret entries make the whole list a secret. */
    envs?: EnvEntry[];
    /** User the process runs as, when not the image's (uid[:gid] or a name of the image). */
    user?: string;
    /** Files written into the container; with secret content the runtime needs the secret values. */
    files?: FileSpec[];
    /** Host directories, created by Docker when missing (a textfile collector directory). */
    hostDirs?: { hostPath: string; containerPath: string }[];
    /** Published ports: container port → host port, on 127.0.0.1 unless `ip` says otherwise. None: publishes nothing. */
    publish?: { internal: number; external: number; ip?: string }[];
    /** Networks by the runtime's name for them; the first is the workload's own, where `aliases` resolve to it. */
    networks: { name: string; aliases?: string[] }[];
    /** None: the workload mounts nothing (not even an empty list is passed on). */
    mounts?: MountSpec[];
    health?: HealthCheck;
    /** With it the runtime waits for healthy (up to this long) before dependents start. */
    waitSeconds?: number;
    cpus: number;
    memoryMb: number;
    restart: "unless-stopped" | "always" | "on-failure" | "no";
    /** Labels without the `hostplane.` prefix; the runtime adds project and stack. */
    labels: Record<string, string>;
    /** SIGTERM → SIGKILL grace on stop (and the workload must be running after `up`); none: the engine's default. */
    graceSeconds?: number;
    /** true: a replacement deletes the old one first (needed for a fixed name); false: creates first; none: the engine's default (create first). */
    deleteFirst?: boolean;
    /** Side-by-side revisions instead of one fixed name. */
    revision?: RevisionSpec;
    /** Fields the engine reads back in another form (a dual-stack port list): never a reason to replace. */
    ignoreChanges?: string[];
    /** Host-level access some collectors need (node-exporter). */
    host?: { pidMode?: "host"; privileged?: boolean; devices?: { hostPath: string; containerPath: string; permissions: string }[] };
    /** Cluster only: tasks of the Swarm service (a single host runs one container). */
    replicas?: number;
    /** Cluster only: node labels every task's node carries. */
    placement?: string[];
    /** Extra /etc/hosts entries: name → IP or "host-gateway". */
    extraHosts?: { host: string; ip: string }[];
}
