// Redis: redis.conf with the generated password (a 0400 file owned by redis), redis_exporter sidecar.
import { z } from "zod";
import { DataBackupSchedule } from "./postgres";
import { serviceCommon } from "./settings";
import { health, IMAGE_UID, type DataKind, type ServiceModel } from "./types";

const schema = z.strictObject({
    type: z.literal("redis"),
    ...serviceCommon,
    maxmemoryPolicy: z
        .enum(["noeviction", "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "allkeys-random", "volatile-random", "volatile-ttl"])
        .default("noeviction"),
    appendonly: z.boolean().default(true),
    /** RDB snapshots copied by the backup sidecar (scripts/backup/redis-backup.sh). */
    backup: DataBackupSchedule.prefault({}),
});
type Settings = z.output<typeof schema>;

/** redis.conf: the password (a generated secret) is its only input not in the model. */
export function renderRedisConf(s: ServiceModel<Settings>, password: string): string {
    // maxmemory leaves room for fork-on-save and buffers.
    return (
        `# rendered by hostplane\nrequirepass ${password}\nappendonly ${s.settings.appendonly ? "yes" : "no"}\nappendfsync everysec\n` +
        `maxmemory ${Math.floor(s.memoryMb * 0.8)}mb\nmaxmemory-policy ${s.settings.maxmemoryPolicy}\ndir /data\nprotected-mode no\n`
    );
}

export const REDIS_CONF = "/usr/local/etc/redis/redis.conf";

export const redis = {
    schema,
    image: "redis:8.10.0",
    upgrade: { lineParts: 1, step: "the new major loads the old RDB/AOF but the old one cannot read what it writes back: take a snapshot (BGSAVE, copy dump.rdb) first and check the major's breaking changes" },
    port: 6379,
    cpus: 1,
    memory: "512M",
    dataPath: "/data",
    // REDISCLI_AUTH keeps the password off the command line.
    health: health(["CMD-SHELL", 'REDISCLI_AUTH="$(cat /run/secrets/REDIS_PASSWORD)" redis-cli ping | grep -q PONG'], "20s"),
    connection: () => ({ env: {}, secrets: { REDIS_URL: "url" } }),
    sidecars: ["exporter", "backup"],
    exporter: {
        port: 9121,
        path: "/metrics",
        image: { key: "redisExporter" as const, ref: "oliver006/redis_exporter:v1.87.0-alpine" },
        // redis_exporter's password file maps each address to its password (JSON).
        sidecar: (s) => {
            const addr = `redis://${s.alias}:${s.port}`;
            return {
                env: [`REDIS_ADDR=${addr}`, "REDIS_PASSWORD_FILE=/run/secrets/redis-passwords.json"],
                files: [{ path: "/run/secrets/redis-passwords.json", content: { secret: (v) => JSON.stringify({ [addr]: v.password }) } }],
                memoryMb: 64,
            };
        },
    },
    // The snapshot over the replication protocol; the scratch load needs about the dataset's memory.
    backup: {
        script: "redis-backup.sh",
        part: (s) => ({
            env: [`REDIS_HOST=${s.alias}`, `REDIS_PORT=${s.port}`, "REDIS_PASSWORD_FILE=/run/secrets/REDIS_PASSWORD"],
            files: [{ path: "/run/secrets/REDIS_PASSWORD", content: { secret: (v) => v.password }, permissions: "0400" }],
            memoryMb: Math.max(128, s.memoryMb),
        }),
    },
    secrets: { password: { length: 32 } },
    credentials: (s) => ({ url: (v) => `redis://:${v.password}@${s.alias}:${s.port}/0` }),
    parts: (s) => ({
        main: {
            command: ["redis-server", REDIS_CONF],
            files: [
                { path: REDIS_CONF, content: { secret: (v) => renderRedisConf(s, v.password) }, permissions: "0400", owner: IMAGE_UID },
                { path: "/run/secrets/REDIS_PASSWORD", content: { secret: (v) => v.password }, permissions: "0400" },
            ],
        },
    }),
} satisfies DataKind<Settings>;
