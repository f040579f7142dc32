// PostgreSQL: the server, one role + database per app (components/data/postgres.ts creates them),
// PgBouncer in front, a backup sidecar, and postgres-exporter logging in as a pg_monitor role.
// The per-app users make it the one kind with its own component; its catalog entry is here.
import { z } from "zod";
import { configKeyName, imageRef } from "../config/primitives";
import { serviceCommon } from "./settings";
import { health, type DataKind } from "./types";

export const BackupSchedule = z.strictObject({
    /** Keep hourly dumps this many days (default 7). */
    hourlyKeepDays: z.number().int().min(1).max(365).default(7),
    /** Keep weekly dumps (Sunday 00:00 UTC) this many days (default 90). */
    weeklyKeepDays: z.number().int().min(7).max(3650).default(90),
    /** The floor: the newest N verified hourly / weekly dumps stay whatever their age (3 / 2). */
    hourlyKeepMin: z.number().int().min(1).max(1000).default(3),
    weeklyKeepMin: z.number().int().min(1).max(1000).default(2),
    /** Manual and safety dumps are removed after this many days (default 30). */
    manualKeepDays: z.number().int().min(1).max(3650).default(30),
    /**
     * The sidecar's image. Unless set, the program builds images/backup/Dockerfile FROM the
     * service's image on the target host (age, rclone, the backup scripts); set it to an image you
     * built from that Dockerfile when the host cannot reach a Debian mirror.
     */
    image: imageRef.optional(),
    /** Restore drill: the newest dump of each database restored into a scratch server (default every 24h). */
    drillEveryHours: z.number().int().min(1).max(24 * 31).default(24),
    /**
     * Off-host copies to S3-compatible storage (rclone in the backup image). Encrypted with age for
     * ageRecipients unless encrypt: false is written; https only unless allowInsecure: true.
     * Credentials come from Pulumi secrets and reach the sidecar as a file.
     */
    s3: z
        .strictObject({
            endpoint: z.url({ error: "expected an https:// endpoint URL" }),
            bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "expected an S3 bucket name" }),
            /** Folder inside the bucket (default: <env>/<service>). */
            prefix: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { error: "expected a path like prod/db" }).optional(),
            region: z.string().regex(/^[a-z0-9-]+$/).default("us-east-1"),
            accessKeyId: configKeyName,
            secretAccessKey: configKeyName,
            /** age public keys (age1…) the copies are encrypted to; the private key stays with the operators. */
            ageRecipients: z.array(z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, { error: "expected an age public key (age1… as printed by age-keygen)" })).default([]),
            encrypt: z.boolean().optional(),
            allowInsecure: z.boolean().default(false),
        })
        .optional(),
});

/** Redis and RabbitMQ: the same schedule, retention, drills and off-host copies, and a switch. */
export const DataBackupSchedule = BackupSchedule.extend({ enabled: z.boolean().default(true) });

const schema = z.strictObject({
    type: z.literal("postgres"),
    ...serviceCommon,
    /** PgBouncer in front; apps' DATABASE_URL goes through it. */
    pgbouncer: z
        .strictObject({
            enabled: z.boolean().default(true),
            poolMode: z.enum(["transaction", "session", "statement"]).default("transaction"),
            defaultPoolSize: z.number().int().min(1).max(500).default(20),
            maxClientConn: z.number().int().min(1).max(10000).default(200),
            image: imageRef.optional(),
            /** uid pgbouncer runs as in its image, so it can read its 0400 userlist (edoburu: 70). */
            uid: z.string().regex(/^[0-9]+$/).default("70"),
        })
        .prefault({}),
    backup: BackupSchedule.prefault({}),
});
type Settings = z.output<typeof schema>;

/** PgBouncer's default image (no official one exists; edoburu's is the common choice). */
export const PGBOUNCER_IMAGE = "edoburu/pgbouncer:v1.25.2-p0";
export const PGBOUNCER_PORT = 6432;
/** The read-only role postgres-exporter logs in as: pg_monitor's statistics, no data, no DDL. */
export const MONITOR_ROLE = "hostplane_monitor";

/** Database and role name of an app in a PostgreSQL service: python-api -> python_api. */
export const pgIdentifier = (app: string) => app.replace(/-/g, "_");

export const postgres = {
    schema,
    image: "postgres:16.14-bookworm",
    // A server refuses a data directory of another major version.
    upgrade: { lineParts: 1, step: "a new major version does not start on the old data directory: dump and restore it (or pg_upgrade) first" },
    port: 5432,
    cpus: 2,
    memory: "4G",
    dataPath: "/var/lib/postgresql/data",
    health: health(["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"]),
    connection: () => ({ env: {}, secrets: { DATABASE_URL: "databaseUrl" } }),
    sidecars: ["pgbouncer", "backup", "exporter"],
    exporter: {
        port: 9187,
        path: "/metrics",
        image: { key: "postgresExporter" as const, ref: "prometheuscommunity/postgres-exporter:v0.20.0" },
        // Logs in directly (not through PgBouncer) as the read-only pg_monitor role; its password
        // (monitor-password) reaches it as DATA_SOURCE_PASS_FILE.
        sidecar: (s) => ({
            env: [`DATA_SOURCE_URI=${s.alias}:${s.port}/postgres?sslmode=disable`, `DATA_SOURCE_USER=${MONITOR_ROLE}`, "DATA_SOURCE_PASS_FILE=/run/secrets/DATA_SOURCE_PASS"],
            files: [{ path: "/run/secrets/DATA_SOURCE_PASS", content: { secret: (v) => v["monitor-password"] } }],
            memoryMb: 128,
        }),
    },
} satisfies DataKind<Settings>;
