// MongoDB: root password as a file; mongodb_exporter sidecar with a URI built at start.
import { z } from "zod";
import { serviceCommon } from "./settings";
import { health, IMAGE_UID, type DataKind } from "./types";

const schema = z.strictObject({ type: z.literal("mongodb"), ...serviceCommon });
type Settings = z.output<typeof schema>;

export const mongodb = {
    schema,
    image: "mongo:8.0.29",
    upgrade: { lineParts: 1, step: "set featureCompatibilityVersion to the running version first (db.adminCommand({ setFeatureCompatibilityVersion: \"<running major>.0\", confirm: true })), one major at a time" },
    port: 27017,
    cpus: 1,
    memory: "1G",
    dataPath: "/data/db",
    health: health(["CMD", "mongosh", "--quiet", "--eval", "quit(db.adminCommand('ping').ok ? 0 : 1)"]),
    connection: () => ({ env: {}, secrets: { MONGODB_URI: "uri" } }),
    sidecars: ["exporter"],
    exporter: {
        port: 9216,
        path: "/metrics",
        image: { key: "mongodbExporter" as const, ref: "percona/mongodb_exporter:0.48.0" },
        // The exporter reads no password file: a shell wrapper builds the URI from one, so the
        // password lives only in the exporter process, never in the container's config.
        sidecar: (s, port) => ({
            entrypoint: ["sh", "-c"],
            command: [
                `MONGODB_URI="mongodb://root:$(cat /run/secrets/MONGODB_PASSWORD)@${s.alias}:${s.port}/?authSource=admin" ` +
                    `exec "$(ls /mongodb_exporter /bin/mongodb_exporter 2>/dev/null | head -n 1)" --compatible-mode --collector.dbstats --collector.diagnosticdata --web.listen-address=:${port}`,
            ],
            files: [{ path: "/run/secrets/MONGODB_PASSWORD", content: { secret: (v) => v.password } }],
            memoryMb: 128,
        }),
    },
    secrets: { password: { length: 32 } },
    credentials: (s) => ({ uri: (v) => `mongodb://root:${v.password}@${s.alias}:${s.port}/?authSource=admin` }),
    parts: () => ({
        main: {
            env: ["MONGO_INITDB_ROOT_USERNAME=root", "MONGO_INITDB_ROOT_PASSWORD_FILE=/run/secrets/MONGO_ROOT_PASSWORD"],
            files: [{ path: "/run/secrets/MONGO_ROOT_PASSWORD", content: { secret: (v) => v.password }, permissions: "0400", owner: IMAGE_UID }],
        },
    }),
} satisfies DataKind<Settings>;
