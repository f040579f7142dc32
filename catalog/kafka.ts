// Kafka: a single KRaft broker (broker and controller in one process: the only mode of Kafka 4);
// kafka-exporter sidecar. No credentials: apps get the bootstrap address.
import { z } from "zod";
import { serviceCommon } from "./settings";
import { health, type DataKind, type ServiceModel } from "./types";

/** Why `zookeeper` is refused, and what replaces it. */
export const KAFKA_ZOOKEEPER_REMOVED =
    "the ZooKeeper mode was removed in Kafka 4 (apache/kafka 4.x runs in KRaft mode only); delete this key: hostplane runs the broker as its own KRaft controller. A cluster still in ZooKeeper mode must be migrated to KRaft on Kafka 3.9 before it moves to 4.x";

/**
 * kafka_exporter speaks Kafka 2.0's protocol unless told otherwise, and Kafka 4 refused protocol
 * versions older than 2.1 (KIP-896): the exporter asks for the 3.6 protocol its client knows.
 */
export const KAFKA_EXPORTER_PROTOCOL = "--kafka.version=3.6.0";

const schema = z.strictObject({
    type: z.literal("kafka"),
    ...serviceCommon,
    /** Removed: Kafka 4 has no ZooKeeper mode. Kept as a key so the message can say what to do. */
    zookeeper: z.unknown().refine((v) => v === undefined, { error: KAFKA_ZOOKEEPER_REMOVED }).optional(),
});
type Settings = z.output<typeof schema>;

function brokerEnv(s: ServiceModel<Settings>): string[] {
    return [
        // KRaft: one process is both broker and controller.
        "KAFKA_NODE_ID=1",
        "KAFKA_PROCESS_ROLES=broker,controller",
        "KAFKA_LISTENERS=PLAINTEXT://:9092,CONTROLLER://:9093",
        `KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${s.alias}:9092`,
        "KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "KAFKA_CONTROLLER_QUORUM_VOTERS=1@127.0.0.1:9093",
        "KAFKA_LOG_DIRS=/var/lib/kafka/data",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1",
        `KAFKA_HEAP_OPTS=-Xmx${Math.floor(s.memoryMb / 2)}m -Xms${Math.floor(s.memoryMb / 4)}m`,
    ];
}

export const kafka = {
    schema,
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
    sidecars: ["exporter"],
    exporter: {
        port: 9308,
        path: "/metrics",
        image: { key: "kafkaExporter" as const, ref: "danielqsj/kafka-exporter:v1.8.0" },
        sidecar: (s, port) => ({ command: [`--kafka.server=${s.alias}:${s.port}`, KAFKA_EXPORTER_PROTOCOL, `--web.listen-address=:${port}`], memoryMb: 64 }),
    },
    parts: (s) => ({ main: { env: brokerEnv(s) } }),
} satisfies DataKind<Settings>;
