// The shapes the compose renderer works with: a docker-compose service (file format 2.4, which
// both Debian's docker-compose 1.29 and compose v2 read, with depends_on conditions, cpus and
// mem_limit outside swarm), the secret values and secret files the CLI materializes next to it.
import type { HostFile } from "../files";

export interface ComposeHealth {
    test: string[];
    interval: string;
    timeout: string;
    retries: number;
    start_period: string;
}

export type DependsCondition = "service_healthy" | "service_completed_successfully" | "service_started";

export interface ComposeService {
    image: string;
    /** Built on the host by compose when the image is not there (the backup sidecars). */
    build?: { context: string; dockerfile: string; args: Record<string, string> };
    entrypoint?: string[];
    command?: string[];
    user?: string;
    environment?: string[];
    env_file?: string[];
    volumes?: string[];
    networks?: Record<string, { aliases?: string[] } | null>;
    ports?: string[];
    healthcheck?: ComposeHealth;
    cpus?: number;
    mem_limit?: string;
    memswap_limit?: string;
    security_opt?: string[];
    restart: string;
    logging?: { driver: string; options: Record<string, string> };
    labels: Record<string, string>;
    depends_on?: Record<string, { condition: DependsCondition }>;
    stop_grace_period?: string;
    pid?: string;
    privileged?: boolean;
    devices?: string[];
    extra_hosts?: string[];
}

/**
 * A secret value the CLI provides: generated once (kept across renders) or set by the user in
 * secrets/config/<key> (the compose counterpart of `pulumi config set --secret`).
 */
export interface SecretValue {
    key: string;
    source: { generate: number } | { fromConfig: string };
}

/** Resolves a secret value's key to its value; `hash` gives a crypt(3) hash for htpasswd files. */
export interface SecretLookup {
    value(key: string): string;
    hash(key: string): string;
}

/** A file with secret content under secrets/, bind-mounted read-only (or read by compose: env_file). */
export interface SecretFile {
    /** Relative to the secrets directory. */
    path: string;
    content: (s: SecretLookup) => string;
    /** uid the container reads it as: the CLI (as root) makes it 0400 owned by that uid, else 0444. */
    uid?: number;
}

export interface ComposeBundle {
    /** docker-compose.yml, as YAML text. */
    composeFile: string;
    /** Plain host files (proxy and monitoring config, pgbouncer.ini, scripts), paths relative to the output dir. */
    files: HostFile[];
    /** Directories the containers write to (bind mounts), relative to the output dir. */
    dirs: string[];
    values: SecretValue[];
    secretFiles: SecretFile[];
    /** Host names that need a TLS certificate (self-signed by the CLI when missing). */
    certificateHosts: string[];
}

/** Where the bundle lays things out, relative to the compose file. */
export const LAYOUT = { files: "files", secrets: "secrets", certs: "secrets/proxy-certs", auth: "secrets/proxy-auth" } as const;
