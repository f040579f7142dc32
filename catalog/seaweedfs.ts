// SeaweedFS: the S3-compatible object store of new stacks (Apache-2.0; README "Object storage"
// says why it follows MinIO). One `weed server -s3` process: master, volume server, filer and the
// S3 gateway; one generated access key, delivered as its s3.json identity file (0400); buckets
// created with `weed shell` once it is healthy; Prometheus scrapes its own metrics port.
import { z } from "zod";
import { bucketMirror } from "./bucket-mirror";
import { DataBackupSchedule } from "./postgres";
import { serviceCommon } from "./settings";
import { health, s3Connection, type DataKind } from "./types";

const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "expected an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)" });
const schema = z.strictObject({
    type: z.literal("seaweedfs"),
    ...serviceCommon,
    buckets: z.array(bucket).default([]),
    /** Every bucket mirrored to backup.s3 (scripts/backup/bucket-mirror.sh); no sidecar without s3. */
    backup: DataBackupSchedule.prefault({}),
});
type Settings = z.output<typeof schema>;

/** The S3 gateway's identities: one key with every action, for the apps that depend on the service. */
export const SEAWEEDFS_S3_CONFIG = "/etc/seaweedfs/s3.json";
const METRICS_PORT = 9324;

const s3Config = (accessKey: string, secretKey: string) =>
    JSON.stringify({ identities: [{ name: "hostplane", credentials: [{ accessKey, secretKey }], actions: ["Admin", "Read", "Write", "List", "Tagging"] }] });

/** Creates each bucket; one that exists already is fine (weed shell exits 1 and says so). */
const bucketScript = (host: string, buckets: string[]) =>
    buckets
        .map((b) => `out="$(echo 's3.bucket.create -name ${b}' | weed shell -master=${host}:9333 2>&1)" || echo "$out" | grep -q 'already exists' || { echo "$out"; exit 1; }`)
        .join("; ");

export const seaweedfs = {
    schema,
    image: "chrislusf/seaweedfs:4.53",
    port: 8333,
    cpus: 1,
    memory: "1G",
    dataPath: "/data",
    health: health(["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8333/healthz"], "30s"),
    connection: s3Connection,
    sidecars: ["backup"],
    // Every bucket mirrored off the host with backup.s3, read with the generated key.
    backup: bucketMirror<Settings>("secret-key"),
    exporter: { port: METRICS_PORT, path: "/metrics" },
    secrets: { "access-key": { length: 20, lower: false }, "secret-key": { length: 40 } },
    credentials: () => ({ accessKeyId: (v) => v["access-key"], secretAccessKey: (v) => v["secret-key"] }),
    parts: (s) => ({
        main: {
            // The official image's `server` role (data in /data); every listener on all addresses of
            // the container (the metrics port otherwise binds the detected IP only). Its entrypoint
            // preallocates each 1 GiB volume, and the first write grows 7 of them: 7 GiB of disk
            // before the first object (measured); the last flag wins, so volumes grow as data comes.
            command: ["server", "-s3", `-s3.config=${SEAWEEDFS_S3_CONFIG}`, "-ip.bind=0.0.0.0", `-metricsPort=${METRICS_PORT}`, "-master.volumePreallocate=false"],
            files: [{ path: SEAWEEDFS_S3_CONFIG, content: { secret: (v) => s3Config(v["access-key"], v["secret-key"]) }, permissions: "0400" }],
        },
        ...(s.settings.buckets.length
            ? { setup: { name: "buckets", script: (host: string) => bucketScript(host, s.settings.buckets), triggers: s.settings.buckets } }
            : {}),
    }),
} satisfies DataKind<Settings>;
