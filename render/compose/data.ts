// Data services in compose, mirroring components/data: the same images, env, secret files (owned
// by the uid the image reads them as), health checks, limits, volumes and aliases. Steps hostplane
// runs with `docker exec` (PostgreSQL roles, MinIO buckets) become one-shot services that the
// apps wait for with service_completed_successfully.
import type { DataServiceModel, EnvironmentModel } from "../../config/model";
import { ComposeBuilder, depends } from "./builder";
import { DependsCondition, SecretLookup } from "./types";
import type { CredentialRenderer } from "./apps";
import { renderPostgres } from "./postgres";
import { KAFKA_EXPORTER_PROTOCOL, RABBITMQ_CREDENTIALS_FILE } from "../../config/services";
import { dataVolume, exporter, exporterPort, EXPORTER_UID, IMAGE_UID, passwordKey, serviceContainer, ServiceResult } from "./service";
import { renderRedisConf } from "../redis";

/** What a consumer app waits for, per service. */
export interface DataServicesResult {
    ready: (service: string) => Record<string, { condition: DependsCondition }>;
    credential: CredentialRenderer;
}

export function renderDataServices(b: ComposeBuilder, env: EnvironmentModel): DataServicesResult {
    const ready: Record<string, Record<string, { condition: DependsCondition }>> = {};
    const creds: Record<string, Record<string, (app: string) => (s: SecretLookup) => string>> = {};
    for (const s of env.services) {
        const r = s.type === "postgres" ? renderPostgres(b, s) : renderSimple(b, s);
        ready[s.name] = r.ready;
        creds[s.name] = r.credentials;
    }
    return {
        // dependsOn may also name an app of the environment: then it waits for that app's health.
        ready: (name) => ready[name] ?? depends([`${env.name}-${name}`]),
        credential: (app, service, credential) => {
            const c = creds[service]?.[credential];
            if (!c) throw new Error(`compose: ${service} gives no ${credential}`);
            return c(app.name);
        },
    };
}

function renderSimple(b: ComposeBuilder, s: DataServiceModel): ServiceResult {
    const render = SIMPLE[s.type];
    if (!render) throw new Error(`compose: no renderer for data service type ${s.type}`);
    return render(b, s);
}

const SIMPLE: Partial<Record<DataServiceModel["type"], (b: ComposeBuilder, s: DataServiceModel) => ServiceResult>> = {
    redis: (b, s) => {
        if (s.settings.type !== "redis") throw new Error("unreachable");
        const pw = passwordKey(b, s, "password");
        const conf = (l: SecretLookup) => renderRedisConf(s, l.value(pw));
        const name = serviceContainer(b, s, {
            command: ["redis-server", "/usr/local/etc/redis/redis.conf"],
            volumes: [dataVolume(b, s), b.secret(`data/${s.alias}/redis.conf`, conf, "/usr/local/etc/redis/redis.conf", IMAGE_UID), b.secret(`data/${s.alias}/REDIS_PASSWORD`, (l) => l.value(pw), "/run/secrets/REDIS_PASSWORD", 0)],
        });
        const addr = `redis://${s.alias}:${s.port}`;
        exporter(b, s, () => ({
            environment: [`REDIS_ADDR=${addr}`, "REDIS_PASSWORD_FILE=/run/secrets/redis-passwords.json"],
            volumes: [b.secret(`data/${s.alias}-exporter/redis-passwords.json`, (l) => JSON.stringify({ [addr]: l.value(pw) }), "/run/secrets/redis-passwords.json", EXPORTER_UID)],
            memoryMb: 64,
            after: depends([name]),
        }));
        return { ready: depends([name]), credentials: { url: () => (l) => `redis://:${l.value(pw)}@${s.alias}:${s.port}/0` } };
    },
    rabbitmq: (b, s) => {
        const pw = passwordKey(b, s, "password");
        // The login in a conf.d file readable by the rabbitmq user only, as components/data/presets.ts does.
        const login = b.secret(`data/${s.alias}/rabbitmq-credentials.conf`, (l) => `default_user = hostplane\ndefault_pass = ${l.value(pw)}\n`, RABBITMQ_CREDENTIALS_FILE, IMAGE_UID);
        const name = serviceContainer(b, s, { volumes: [dataVolume(b, s), login] });
        return { ready: depends([name]), credentials: { url: () => (l) => `amqp://hostplane:${l.value(pw)}@${s.alias}:${s.port}/%2f` } };
    },
    mongodb: (b, s) => {
        const pw = passwordKey(b, s, "password");
        const name = serviceContainer(b, s, {
            environment: ["MONGO_INITDB_ROOT_USERNAME=root", "MONGO_INITDB_ROOT_PASSWORD_FILE=/run/secrets/MONGO_ROOT_PASSWORD"],
            volumes: [dataVolume(b, s), b.secret(`data/${s.alias}/MONGO_ROOT_PASSWORD`, (l) => l.value(pw), "/run/secrets/MONGO_ROOT_PASSWORD", IMAGE_UID)],
        });
        const port = exporterPort(b, s);
        exporter(b, s, () => ({
            entrypoint: ["sh", "-c"],
            command: [
                `MONGODB_URI="mongodb://root:$(cat /run/secrets/MONGODB_PASSWORD)@${s.alias}:${s.port}/?authSource=admin" ` +
                    `exec "$(ls /mongodb_exporter /bin/mongodb_exporter 2>/dev/null | head -n 1)" --compatible-mode --collector.dbstats --collector.diagnosticdata --web.listen-address=:${port}`,
            ],
            volumes: [b.secret(`data/${s.alias}-exporter/MONGODB_PASSWORD`, (l) => l.value(pw), "/run/secrets/MONGODB_PASSWORD", EXPORTER_UID)],
            memoryMb: 128,
            after: depends([name]),
        }));
        return { ready: depends([name]), credentials: { uri: () => (l) => `mongodb://root:${l.value(pw)}@${s.alias}:${s.port}/?authSource=admin` } };
    },
    kafka: renderKafka,
    minio: renderMinio,
};

function renderKafka(b: ComposeBuilder, s: DataServiceModel): ServiceResult {
    if (s.settings.type !== "kafka") throw new Error("unreachable");
    // KRaft, the only mode of Kafka 4: one process is both broker and controller.
    const env = ["KAFKA_NODE_ID=1", "KAFKA_PROCESS_ROLES=broker,controller", "KAFKA_LISTENERS=PLAINTEXT://:9092,CONTROLLER://:9093", `KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${s.alias}:9092`, "KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT", "KAFKA_CONTROLLER_QUORUM_VOTERS=1@127.0.0.1:9093"];
    env.push("KAFKA_LOG_DIRS=/var/lib/kafka/data", "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1", `KAFKA_HEAP_OPTS=-Xmx${Math.floor(s.memoryMb / 2)}m -Xms${Math.floor(s.memoryMb / 4)}m`);
    const name = serviceContainer(b, s, { environment: env, volumes: [dataVolume(b, s)] });
    const port = exporterPort(b, s);
    exporter(b, s, () => ({ command: [`--kafka.server=${s.alias}:${s.port}`, KAFKA_EXPORTER_PROTOCOL, `--web.listen-address=:${port}`], memoryMb: 64, after: depends([name]) }));
    return { ready: depends([name]), credentials: {} };
}

function renderMinio(b: ComposeBuilder, s: DataServiceModel): ServiceResult {
    if (s.settings.type !== "minio") throw new Error("unreachable");
    const user = passwordKey(b, s, "access-key", 20);
    const pw = passwordKey(b, s, "password");
    const hasTarget = b.model.monitoring.exporters.some((e) => e.env === s.environment && e.service === s.name);
    // Root credentials as *_FILE (names relative to /run/secrets), as components/data/presets.ts does.
    const files = [
        b.secret(`data/${s.alias}/MINIO_ROOT_USER`, (l) => l.value(user), "/run/secrets/MINIO_ROOT_USER", 0),
        b.secret(`data/${s.alias}/MINIO_ROOT_PASSWORD`, (l) => l.value(pw), "/run/secrets/MINIO_ROOT_PASSWORD", 0),
    ];
    const environment = ["MINIO_ROOT_USER_FILE=MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD_FILE=MINIO_ROOT_PASSWORD", ...(hasTarget ? ["MINIO_PROMETHEUS_AUTH_TYPE=public"] : [])];
    const name = serviceContainer(b, s, { command: ["server", "/data", "--console-address", ":9001"], environment, volumes: [dataVolume(b, s), ...files] });
    const ready = depends([name]);
    if (s.settings.buckets.length) {
        const mb = s.settings.buckets.map((x) => `mc mb --ignore-existing local/${x}`).join(" && ");
        const job = `${s.alias}-buckets`;
        b.add(job, {
            ...b.base({ image: s.image, labels: b.labels({ environment: s.environment, service: `${s.name}-buckets`, kind: "job" }), networks: { [s.environment]: null }, cpus: 0.25, memoryMb: 128, restart: "no" }),
            entrypoint: ["sh", "-c"],
            command: [`mc alias set local http://${s.alias}:9000 "$(cat /run/secrets/MINIO_ROOT_USER)" "$(cat /run/secrets/MINIO_ROOT_PASSWORD)" >/dev/null && ${mb}`],
            volumes: files,
            depends_on: depends([name]),
        });
        Object.assign(ready, depends([job], "service_completed_successfully"));
    }
    return { ready, credentials: { accessKeyId: () => (l) => l.value(user), secretAccessKey: () => (l) => l.value(pw) } };
}

