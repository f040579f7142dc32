// Redis, RabbitMQ, Kafka, MongoDB and MinIO: one container each (Kafka may add ZooKeeper), a data
// volume, generated credentials delivered as files where the image reads files, and the
// connection strings apps get. Per-app users exist only for PostgreSQL; these share one login.
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { KAFKA_EXPORTER_PROTOCOL, RABBITMQ_CREDENTIALS_FILE, type Credential } from "../../config/services";
import { DataServiceArgs, dataVolume, serviceContainer } from "./container";
import { exporterSidecar, exporterTarget } from "./exporter";
import { dockerCliEnv } from "../hosts/ssh-client";
import { renderRedisConf } from "../../render/redis";


/** uid the official redis, mongo and postgres images drop to: their secret files belong to it. */
const IMAGE_UID = "999";


/**
 * RabbitMQ's image reads no *_FILE variables (RABBITMQ_DEFAULT_PASS is deprecated): the login goes
 * into a conf.d file, read after the image's own defaults and readable by the rabbitmq user only,
 * so no password sits in the container's environment.
 */
function rabbitmqLogin(pw: pulumi.Output<string>): docker.types.input.ContainerUpload {
    const content = pulumi.secret(pulumi.interpolate`default_user = hostplane\ndefault_pass = ${pw}\n`);
    return { file: RABBITMQ_CREDENTIALS_FILE, content, permissions: "0400", owner: IMAGE_UID, group: IMAGE_UID };
}

/** MinIO reads MINIO_ROOT_{USER,PASSWORD}_FILE as names relative to /run/secrets (MinIO runs as root). */
function minioRootFiles(user: pulumi.Output<string>, pw: pulumi.Output<string>): docker.types.input.ContainerUpload[] {
    return [
        { file: "/run/secrets/MINIO_ROOT_USER", content: pulumi.secret(user), permissions: "0400" },
        { file: "/run/secrets/MINIO_ROOT_PASSWORD", content: pulumi.secret(pw), permissions: "0400" },
    ];
}

/** What every preset method gets: the args, the common container args (data volume), the exporter target, extra ready resources. */
interface PresetContext {
    args: DataServiceArgs;
    common: DataServiceArgs & { mounts: { volume: docker.Volume; target: string }[]; dependsOn: pulumi.Input<pulumi.Resource>[] };
    target: ReturnType<typeof exporterTarget>;
    extra: pulumi.Resource[];
    password: () => pulumi.Output<string>;
}
type PresetResult = { container: docker.Container; exporter?: docker.Container };

export class SimpleDataService extends pulumi.ComponentResource {
    readonly container: docker.Container;
    readonly ready: pulumi.Resource[];
    /** The metrics sidecar (redis, kafka, mongodb), when hostplane:monitoring.exporters turns it on. */
    readonly exporter?: docker.Container;
    private readonly credentials: Partial<Record<Credential, pulumi.Output<string>>> = {};

    constructor(name: string, args: DataServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`hostplane:data:${args.service.type[0].toUpperCase()}${args.service.type.slice(1)}`, name, {}, opts);
        const { model, service: s } = args;
        const base = s.containerBaseName;
        const password = () => new random.RandomPassword(`${base}-password`, { length: 32, special: false }, { parent: this }).result;
        const data = dataVolume(this, model, s, args.provider, args.dependsOn);
        const common = { ...args, mounts: [{ volume: data, target: s.dataPath }], dependsOn: [...args.dependsOn, data] };
        const extra: pulumi.Resource[] = [];
        // RabbitMQ (rabbitmq_prometheus, :15692) and MinIO scrape directly; the others get a sidecar.
        const target = exporterTarget(model, s);

        const ctx: PresetContext = { args, common, target, extra, password };
        const presets: Partial<Record<string, (c: PresetContext) => PresetResult>> = {
            redis: (c) => this.redis(c),
            rabbitmq: (c) => this.rabbitmq(c),
            kafka: (c) => this.kafka(c),
            mongodb: (c) => this.mongodb(c),
            minio: (c) => this.minio(c),
        };
        const preset = presets[s.settings.type];
        if (!preset) throw new Error(`no preset component for ${s.settings.type}`);
        const made = preset(ctx);
        this.container = made.container;
        this.exporter = made.exporter;
        this.ready = [this.container, ...extra];
        this.registerOutputs({ alias: s.alias });
    }

    /** Redis: redis.conf (render/redis.ts) with the password, as a 0400 file; redis_exporter sidecar. */
    private redis(ctx: PresetContext): PresetResult {
        const { args, common, target, password } = ctx;
        const s = args.service;
        let exporter: docker.Container | undefined;
        const pw = password();
        const conf = pw.apply((p) => renderRedisConf(s, p));
        const container = serviceContainer(this, {
            ...common,
            command: ["redis-server", "/usr/local/etc/redis/redis.conf"],
            uploads: [
                { file: "/usr/local/etc/redis/redis.conf", content: pulumi.secret(conf), permissions: "0400", owner: IMAGE_UID, group: IMAGE_UID },
                { file: "/run/secrets/REDIS_PASSWORD", content: pw, permissions: "0400" },
            ],
        });
        this.credentials.url = pulumi.interpolate`redis://:${pw}@${s.alias}:${s.port}/0`;
        // redis_exporter's password file maps each address to its password (JSON).
        const addr = `redis://${s.alias}:${s.port}`;
        if (target)
            exporter = exporterSidecar(this, args, target, {
                env: [`REDIS_ADDR=${addr}`, "REDIS_PASSWORD_FILE=/run/secrets/redis-passwords.json"],
                secret: { file: "/run/secrets/redis-passwords.json", content: pw.apply((p) => JSON.stringify({ [addr]: p })) },
                memoryMb: 64,
                dependsOn: [container],
            });
        return { container, exporter };
    }

    /** RabbitMQ: the login as a conf.d file; Prometheus scrapes its own plugin. */
    private rabbitmq(ctx: PresetContext): PresetResult {
        const { args, common, password } = ctx;
        const s = args.service;
        const pw = password();
        const container = serviceContainer(this, { ...common, uploads: [rabbitmqLogin(pw)] });
        this.credentials.url = pulumi.interpolate`amqp://hostplane:${pw}@${s.alias}:${s.port}/%2f`;
        return { container };
    }

    /** Kafka: KRaft single broker; kafka-exporter sidecar. */
    private kafka(ctx: PresetContext): PresetResult {
        const { args, common, target } = ctx;
        const s = args.service;
        const settings = s.settings;
        if (settings.type !== "kafka") throw new Error("unreachable");
        let exporter: docker.Container | undefined;
        // KRaft (the only mode of Kafka 4): one process is both broker and controller.
        const env = [
            "KAFKA_NODE_ID=1",
            "KAFKA_PROCESS_ROLES=broker,controller",
            "KAFKA_LISTENERS=PLAINTEXT://:9092,CONTROLLER://:9093",
            `KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${s.alias}:9092`,
            "KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "KAFKA_CONTROLLER_QUORUM_VOTERS=1@127.0.0.1:9093",
        ];
        env.push(
            "KAFKA_LOG_DIRS=/var/lib/kafka/data",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1",
            `KAFKA_HEAP_OPTS=-Xmx${Math.floor(s.memoryMb / 2)}m -Xms${Math.floor(s.memoryMb / 4)}m`,
        );
        const container = serviceContainer(this, { ...common, env });
        // No sidecar when the image serves its own metrics (images/kafka's JMX exporter agent).
        if (target?.sidecar)
            exporter = exporterSidecar(this, args, target, {
                command: [`--kafka.server=${s.alias}:${s.port}`, KAFKA_EXPORTER_PROTOCOL, `--web.listen-address=:${target.sidecar!.port}`],
                memoryMb: 64,
                dependsOn: [container],
            });
        return { container, exporter };
    }

    /** MongoDB: root password as a file; mongodb_exporter sidecar with a URI built at start. */
    private mongodb(ctx: PresetContext): PresetResult {
        const { args, common, target, password } = ctx;
        const s = args.service;
        let exporter: docker.Container | undefined;
        const pw = password();
        const container = serviceContainer(this, {
            ...common,
            env: ["MONGO_INITDB_ROOT_USERNAME=root", "MONGO_INITDB_ROOT_PASSWORD_FILE=/run/secrets/MONGO_ROOT_PASSWORD"],
            uploads: [{ file: "/run/secrets/MONGO_ROOT_PASSWORD", content: pw, permissions: "0400", owner: IMAGE_UID, group: IMAGE_UID }],
        });
        this.credentials.uri = pulumi.interpolate`mongodb://root:${pw}@${s.alias}:${s.port}/?authSource=admin`;
        // The exporter reads no password file: a shell wrapper builds the URI from one, so the
        // password lives only in the exporter process, never in the container's config.
        if (target)
            exporter = exporterSidecar(this, args, target, {
                entrypoints: ["sh", "-c"],
                command: [
                    `MONGODB_URI="mongodb://root:$(cat /run/secrets/MONGODB_PASSWORD)@${s.alias}:${s.port}/?authSource=admin" ` +
                        `exec "$(ls /mongodb_exporter /bin/mongodb_exporter 2>/dev/null | head -n 1)" --compatible-mode --collector.dbstats --collector.diagnosticdata --web.listen-address=:${target.sidecar!.port}`,
                ],
                secret: { file: "/run/secrets/MONGODB_PASSWORD", content: pw },
                memoryMb: 128,
                dependsOn: [container],
            });
        return { container, exporter };
    }

    /** MinIO: root user and password as files; buckets created with mc. */
    private minio(ctx: PresetContext): PresetResult {
        const { args, common, target, extra, password } = ctx;
        const s = args.service;
        const settings = s.settings;
        if (settings.type !== "minio") throw new Error("unreachable");
        const base = s.containerBaseName;
        const user = new random.RandomPassword(`${base}-access-key`, { length: 20, special: false, lower: false }, { parent: this }).result;
        const pw = password();
        const container = serviceContainer(this, {
            ...common,
            command: ["server", "/data", "--console-address", ":9001"],
            uploads: minioRootFiles(user, pw),
            env: [
                "MINIO_ROOT_USER_FILE=MINIO_ROOT_USER",
                "MINIO_ROOT_PASSWORD_FILE=MINIO_ROOT_PASSWORD",
                // Prometheus scrapes /minio/v2/metrics/cluster without a bearer token; only the
                // environment and monitoring networks reach port 9000.
                ...(target ? ["MINIO_PROMETHEUS_AUTH_TYPE=public"] : []),
            ],
        });
        this.credentials.accessKeyId = user;
        this.credentials.secretAccessKey = pw;
        if (settings.buckets.length) {
            const mb = settings.buckets.map((b) => `mc mb --ignore-existing local/${b}`).join(" && ");
            extra.push(
                new command.local.Command(
                    `${base}-buckets`,
                    {
                        create: pulumi.interpolate`docker exec ${container.name} sh -c 'mc alias set local http://127.0.0.1:9000 "$(cat /run/secrets/MINIO_ROOT_USER)" "$(cat /run/secrets/MINIO_ROOT_PASSWORD)" >/dev/null && ${mb}'`,
                        environment: dockerCliEnv(args.dockerHost),
                        triggers: [container.id, ...settings.buckets],
                    },
                    { parent: this, dependsOn: [container] },
                ),
            );
        }
        return { container };
    }

    credential(kind: Credential): pulumi.Output<string> {
        const c = this.credentials[kind];
        if (!c) throw new Error(`${this.constructor.name} has no ${kind}`);
        return pulumi.secret(c);
    }
}
