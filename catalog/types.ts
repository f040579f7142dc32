// What one data-service kind is (catalog/<kind>.ts): its settings schema, image pin, port,
// limits, health check, the connection settings apps get, its exporter and its containers as
// plain data. Nothing here creates a resource: components/data realizes the parts through the
// runtime (runtime/), render/compose renders them as compose services.
import type { z } from "zod";
import type { HealthCheck } from "../config/health";
import type { FileSpec, SecretValues } from "../spec/workload";

/** A credential an app gets from a service; always a Pulumi secret, delivered like app secrets. */
export type Credential = "databaseUrl" | "url" | "uri" | "accessKeyId" | "secretAccessKey";

/** A data service as the model resolves it (config/services.ts buildServices), generic in its settings. */
export interface ServiceModel<S extends { type: string } = { type: string }> {
    name: string;
    type: S["type"];
    environment: string;
    image: string;
    port: number;
    cpus: number;
    memory: string;
    memoryMb: number;
    dataPath: string;
    health: HealthCheck;
    /** Stable DNS name on the environment network: <env>-<service>. */
    alias: string;
    containerBaseName: string;
    /** Docker volume holding the data: <prefix>_<env>_<service>_data. */
    volumeName: string;
    /** 127.0.0.1 port with the environment offset applied, when config asks for one. */
    hostPort?: number;
    /** Production data survives `pulumi destroy` unless the environment allows it. */
    protect: boolean;
    /** Apps (of the same environment) that name this service in dependsOn, sorted. */
    consumers: string[];
    /** The kind's own settings (pgbouncer, backup, redis policy…), as validated. */
    settings: S;
}

/** One container of a service as its kind describes it; spec/data.ts adds name, network, labels. */
export interface ContainerPart {
    /** Suffix of a sidecar (zookeeper, exporter, pgbouncer, backup); none for the main container. */
    role?: string;
    /** Default: the service's image. */
    image?: string;
    /** The port a host port publishes (main container only). Default: the service's port. */
    port?: number;
    command?: string[];
    entrypoint?: string[];
    env?: string[];
    /** Files written into the container before it starts: config and generated secrets. */
    files?: FileSpec[];
    /** Default: the kind's health check. */
    health?: HealthCheck;
    cpus?: number;
    memoryMb?: number;
    user?: string;
}

/** What a kind's exporter sidecar adds to the common exporter container (image, port, user, health). */
export type ExporterPart = Pick<ContainerPart, "command" | "entrypoint" | "env" | "files"> & { memoryMb: number };

/** An S3 object store a backup sidecar reads (bucket mirrors): the rclone remote `source`. */
export interface BackupSource {
    endpoint: string;
    accessKeyId: (v: SecretValues) => string;
    secretAccessKey: (v: SecretValues) => string;
}

/** A step run in the main container once it is healthy (MinIO's buckets). */
export interface SetupStep {
    /** Resource / compose service suffix: <service>-<name>. */
    name: string;
    /** Shell run by `sh -c`; `host` is where the service answers (127.0.0.1 inside it, its alias from a job). */
    script: (host: string) => string;
    /** A change to any of these reruns the step. */
    triggers: string[];
}

/** The containers of one service: `before` start first (Kafka's ZooKeeper), then main, then setup. */
export interface ServiceParts {
    before?: ContainerPart[];
    main: ContainerPart;
    setup?: SetupStep;
}

export type { SecretValues };

export interface DataKind<S extends { type: string } = { type: string }> {
    /** The kind's block under `environments.<env>.services.<name>` (zod, strict). */
    schema: z.ZodType<S>;
    image: string;
    port: number;
    /** Port of the management UI (behind the proxy), for kinds that have one. */
    uiPort?: number;
    cpus: number;
    memory: string;
    dataPath: string;
    health: HealthCheck;
    /** What an app depending on this service gets: plain env and secret credentials, by base name. */
    connection(alias: string, port: number, settings: S): { env: Record<string, string>; secrets: Record<string, Credential> };
    /** Alias suffixes of its sidecars (<env>-<service>-<role>): reserved against app names. */
    sidecars: readonly string[];
    /** How Prometheus scrapes it: through a sidecar (image key and pin) or its own port. */
    exporter: {
        port: number;
        path: string;
        image?: { key: string; ref: string };
        sidecar?: (s: ServiceModel<S>, port: number) => ExporterPart;
    };
    /** Secrets generated per service (RandomPassword <base>-<name>; compose: secrets/values/). */
    secrets?: Record<string, { length: number; lower?: false }>;
    /** The credentials apps get, from the generated secrets. */
    credentials?: (s: ServiceModel<S>) => Partial<Record<Credential, (v: SecretValues) => string>>;
    /** Printed as a warning on every preview and up of a stack that has such a service (MinIO). */
    deprecated?: string;
    /**
     * Kinds whose data needs a step before a new release line runs on it (config/upgrades.ts warns
     * on preview and up when the image moves to another line than the one deployed).
     */
    upgrade?: UpgradeRule;
    /**
     * Its scheduled backups (Redis, RabbitMQ): the script the backup sidecar loops
     * (scripts/backup/, in the image built from images/backup/Dockerfile) and how it reaches the
     * service. spec/data-backup.ts adds the schedule, metrics, off-host copies and the volume.
     */
    backup?: {
        script: string;
        part: (s: ServiceModel<S>) => Pick<ContainerPart, "env" | "files" | "memoryMb"> & { source?: BackupSource };
        /** The image the sidecar is built FROM when the service's own is not Debian-based (MinIO's). */
        base?: string;
        /** Only with an off-host target (a bucket mirror has nothing to keep locally). */
        offsiteOnly?: boolean;
    };
    /** Its containers; `metrics`: Prometheus scrapes it. Absent for PostgreSQL (components/data/postgres.ts). */
    parts?: (s: ServiceModel<S>, ctx: { metrics: boolean }) => ServiceParts;
}

/** How a kind's releases group into lines that need a migration step between them. */
export interface UpgradeRule {
    /** Version parts that name a release line: 1 = major (PostgreSQL 16 → 17), 2 = major.minor (RabbitMQ 4.2 → 4.3). */
    lineParts: 1 | 2;
    /** What must happen before the new line runs on the old data, in one sentence. */
    step: string;
}

/** Docker's health check with the data services' timing: 10 s interval, 6 retries. */
export const health = (test: string[], startPeriod = "60s"): HealthCheck => ({ test, interval: "10s", timeout: "5s", retries: 6, startPeriod });

/** uid the official redis, mongo, rabbitmq and postgres images drop to: their secret files belong to it. */
export const IMAGE_UID = "999";

/**
 * The connection an S3-compatible store hands apps: its endpoint, its first bucket (when it
 * declares buckets: the one the setup step created first), and the generated key pair as secrets.
 */
export const s3Connection = (alias: string, port: number, settings: { buckets: string[] }): ReturnType<DataKind["connection"]> => ({
    env: { S3_ENDPOINT: `http://${alias}:${port}`, ...(settings.buckets.length ? { S3_BUCKET: settings.buckets[0] } : {}) },
    secrets: { S3_ACCESS_KEY_ID: "accessKeyId", S3_SECRET_ACCESS_KEY: "secretAccessKey" },
});
