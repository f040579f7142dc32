// MinIO: root user and password as files, buckets created with mc once it is healthy; Prometheus
// scrapes its own /minio/v2/metrics/cluster.
import { z } from "zod";
import { DataBackupSchedule } from "./postgres";
import { bucketMirror } from "./bucket-mirror";
import { AdminUiRoute, serviceCommon } from "./settings";
import { health, s3Connection, type DataKind } from "./types";

const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
const schema = z.strictObject({
    type: z.literal("minio"),
    ...serviceCommon,
    buckets: z.array(bucket).default([]),
    ui: AdminUiRoute.optional(),
    /** Every bucket mirrored to backup.s3 (scripts/backup/bucket-mirror.sh); no sidecar without s3. */
    backup: DataBackupSchedule.prefault({}),
});
type Settings = z.output<typeof schema>;

export const minio = {
    schema,
    image: "quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z",
    port: 9000,
    uiPort: 9001,
    // MinIO's container docs name quay.io/minio/minio and this release; no newer image is published.
    deprecated:
        "type minio runs MinIO, whose community edition is archived (no more images or security fixes); move the data to a type seaweedfs service (README: Object storage) - never point another server at this volume",
    cpus: 1,
    memory: "1G",
    dataPath: "/data",
    health: health(["CMD", "curl", "-fsS", "http://127.0.0.1:9000/minio/health/ready"], "30s"),
    connection: s3Connection,
    sidecars: ["backup"],
    // Every bucket mirrored off the host with backup.s3, read as the root user.
    backup: bucketMirror<Settings>("password"),
    exporter: { port: 9000, path: "/minio/v2/metrics/cluster" },
    secrets: { "access-key": { length: 20, lower: false }, password: { length: 32 } },
    credentials: () => ({ accessKeyId: (v) => v["access-key"], secretAccessKey: (v) => v.password }),
    parts: (s, { metrics }) => ({
        main: {
            command: ["server", "/data", "--console-address", ":9001"],
            // MinIO reads MINIO_ROOT_{USER,PASSWORD}_FILE as names relative to /run/secrets (it runs as root).
            env: [
                "MINIO_ROOT_USER_FILE=MINIO_ROOT_USER",
                "MINIO_ROOT_PASSWORD_FILE=MINIO_ROOT_PASSWORD",
                // Prometheus scrapes /minio/v2/metrics/cluster without a bearer token; only the
                // environment and monitoring networks reach port 9000.
                ...(metrics ? ["MINIO_PROMETHEUS_AUTH_TYPE=public"] : []),
            ],
            files: [
                { path: "/run/secrets/MINIO_ROOT_USER", content: { secret: (v) => v["access-key"] }, permissions: "0400" },
                { path: "/run/secrets/MINIO_ROOT_PASSWORD", content: { secret: (v) => v.password }, permissions: "0400" },
            ],
        },
        ...(s.settings.buckets.length
            ? {
                  setup: {
                      name: "buckets",
                      script: (host: string) =>
                          `mc alias set local http://${host}:9000 "$(cat /run/secrets/MINIO_ROOT_USER)" "$(cat /run/secrets/MINIO_ROOT_PASSWORD)" >/dev/null && ` +
                          s.settings.buckets.map((b) => `mc mb --ignore-existing local/${b}`).join(" && "),
                      triggers: s.settings.buckets,
                  },
              }
            : {}),
    }),
} satisfies DataKind<Settings>;
