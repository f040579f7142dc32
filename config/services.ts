// Data-service presets: image, port, limits, health check and the connection settings each app
// that names the service in `dependsOn` receives. Production defaults from the write-ups:
// postgres 2 CPU / 4G, redis 1 / 512M.
import type { DataServiceConfig, EnvironmentConfig } from "./schema";
import type { HealthCheck } from "./health";
import { memoryToMegabytes } from "./units";

export type ServiceType = DataServiceConfig["type"];

/** A credential an app gets from a service; always a Pulumi secret, delivered like app secrets. */
export type Credential = "databaseUrl" | "url" | "uri" | "accessKeyId" | "secretAccessKey";

interface Preset {
    image: string;
    port: number;
    /** Port of the management UI, for presets that have one. */
    uiPort?: number;
    cpus: number;
    memory: string;
    dataPath: string;
    health: HealthCheck;
    /** What an app depending on this service gets: plain env and secret credentials, by base name. */
    connection(alias: string, port: number): { env: Record<string, string>; secrets: Record<string, Credential> };
}

const health = (test: string[], startPeriod = "60s"): HealthCheck => ({ test, interval: "10s", timeout: "5s", retries: 6, startPeriod });

/** PgBouncer's default image (no official one exists; edoburu's is the common choice). */
export const PGBOUNCER_IMAGE = "edoburu/pgbouncer:v1.25.2-p0";
/**
 * kafka_exporter speaks Kafka 2.0's protocol unless told otherwise, and Kafka 4 refused protocol
 * versions older than 2.1 (KIP-896): the exporter asks for the 3.6 protocol its client knows.
 */
export const KAFKA_EXPORTER_PROTOCOL = "--kafka.version=3.6.0";
/** RabbitMQ's login: a conf.d file the server reads after the image's own (10-defaults.conf). */
export const RABBITMQ_CREDENTIALS_FILE = "/etc/rabbitmq/conf.d/90-hostplane-credentials.conf";

export const PRESETS: Record<ServiceType, Preset> = {
    postgres: {
        image: "postgres:16.14-bookworm",
        port: 5432,
        cpus: 2,
        memory: "4G",
        dataPath: "/var/lib/postgresql/data",
        health: health(["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"]),
        connection: () => ({ env: {}, secrets: { DATABASE_URL: "databaseUrl" } }),
    },
    redis: {
        image: "redis:8.10.0",
        port: 6379,
        cpus: 1,
        memory: "512M",
        dataPath: "/data",
        // REDISCLI_AUTH keeps the password off the command line.
        health: health(["CMD-SHELL", 'REDISCLI_AUTH="$(cat /run/secrets/REDIS_PASSWORD)" redis-cli ping | grep -q PONG'], "20s"),
        connection: () => ({ env: {}, secrets: { REDIS_URL: "url" } }),
    },
    rabbitmq: {
        image: "rabbitmq:4.2.8-management",
        port: 5672,
        uiPort: 15672,
        cpus: 1,
        memory: "1G",
        dataPath: "/var/lib/rabbitmq",
        health: health(["CMD", "rabbitmq-diagnostics", "-q", "ping"], "90s"),
        connection: () => ({ env: {}, secrets: { AMQP_URL: "url" } }),
    },
    kafka: {
        image: "apache/kafka:4.3.1",
        port: 9092,
        cpus: 1,
        memory: "1G",
        dataPath: "/var/lib/kafka/data",
        // The broker's listener accepts connections: bash's /dev/tcp (the apache/kafka image has bash).
        // A JVM tool per check (kafka-broker-api-versions.sh) costs seconds of CPU every 10 s and
        // missed the 5 s timeout on a loaded 2-core host, so the container went unhealthy.
        health: health(["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9092"], "90s"),
        connection: (alias, port) => ({ env: { KAFKA_BOOTSTRAP_SERVERS: `${alias}:${port}` }, secrets: {} }),
    },
    mongodb: {
        image: "mongo:8.0.29",
        port: 27017,
        cpus: 1,
        memory: "1G",
        dataPath: "/data/db",
        health: health(["CMD", "mongosh", "--quiet", "--eval", "quit(db.adminCommand('ping').ok ? 0 : 1)"]),
        connection: () => ({ env: {}, secrets: { MONGODB_URI: "uri" } }),
    },
    minio: {
        image: "minio/minio:RELEASE.2024-10-13T13-34-11Z",
        port: 9000,
        uiPort: 9001,
        cpus: 1,
        memory: "1G",
        dataPath: "/data",
        health: health(["CMD", "curl", "-fsS", "http://127.0.0.1:9000/minio/health/ready"], "30s"),
        connection: (alias, port) => ({
            env: { S3_ENDPOINT: `http://${alias}:${port}` },
            secrets: { S3_ACCESS_KEY_ID: "accessKeyId", S3_SECRET_ACCESS_KEY: "secretAccessKey" },
        }),
    },
};

export interface DataServiceModel {
    name: string;
    type: ServiceType;
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
    /** The preset-specific settings (pgbouncer, backup, redis policy…), as validated. */
    settings: DataServiceConfig;
}

/** Database and role name of an app in a PostgreSQL service: python-api -> python_api. */
export const pgIdentifier = (app: string) => app.replace(/-/g, "_");

export function buildServices(prefix: string, envName: string, env: EnvironmentConfig): DataServiceModel[] {
    return Object.entries(env.services)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, svc]) => {
            const p = PRESETS[svc.type];
            const memory = svc.memory ?? p.memory;
            return {
                name,
                type: svc.type,
                environment: envName,
                image: svc.image ?? p.image,
                port: p.port,
                cpus: svc.cpus ?? p.cpus,
                memory,
                memoryMb: memoryToMegabytes(memory),
                dataPath: p.dataPath,
                health: p.health,
                alias: `${envName}-${name}`,
                containerBaseName: `${prefix}-${envName}-${name}`,
                volumeName: `${prefix}_${envName}_${name}_data`,
                hostPort: svc.hostPort === undefined ? undefined : svc.hostPort + env.servicePortOffset,
                protect: env.kind === "production" && !env.allowDataDestroy,
                consumers: Object.entries(env.apps)
                    .filter(([, a]) => a.dependsOn.includes(name))
                    .map(([n]) => n)
                    .sort(),
                settings: svc,
            };
        });
}

/**
 * What one app gets from the services it depends on. A variable is prefixed with the service's
 * name (ANALYTICS_DB_DATABASE_URL) only when the app uses two services of one type.
 */
export function connectionsFor(
    app: string,
    services: DataServiceModel[],
): { env: Record<string, string>; secrets: { name: string; service: string; credential: Credential }[] } {
    const used = services.filter((s) => s.consumers.includes(app));
    const env: Record<string, string> = {};
    const secrets: { name: string; service: string; credential: Credential }[] = [];
    for (const s of used) {
        const shared = used.filter((o) => o.type === s.type).length > 1;
        const varName = (base: string) => (shared ? `${s.name.toUpperCase().replace(/-/g, "_")}_${base}` : base);
        const c = PRESETS[s.type].connection(s.alias, s.type === "postgres" && pgbouncerEnabled(s) ? 6432 : s.port);
        for (const [k, v] of Object.entries(c.env)) env[varName(k)] = v;
        for (const [k, cred] of Object.entries(c.secrets)) secrets.push({ name: varName(k), service: s.name, credential: cred });
    }
    return { env, secrets };
}

/** The proxy route of a service's management UI, if configured: on the env domain unless a host is given. */
export function adminUi(s: DataServiceModel, domain: string): { host: string; path: string; port: number; allowFrom?: string[] } | undefined {
    const ui = "ui" in s.settings ? s.settings.ui : undefined;
    const port = PRESETS[s.type].uiPort;
    if (!ui || !port) return undefined;
    return { host: ui.host ?? domain, path: ui.path ?? "/", port, allowFrom: ui.allowFrom };
}

export const pgbouncerEnabled = (s: DataServiceModel) => s.settings.type === "postgres" && s.settings.pgbouncer.enabled;
