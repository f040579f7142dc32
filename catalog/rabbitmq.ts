// RabbitMQ: the login as a conf.d file; Prometheus scrapes its own plugin (rabbitmq_prometheus).
import { z } from "zod";
import { DataBackupSchedule } from "./postgres";
import { AdminUiRoute, serviceCommon } from "./settings";
import { health, IMAGE_UID, type DataKind } from "./types";

const schema = z.strictObject({
    type: z.literal("rabbitmq"),
    ...serviceCommon,
    ui: AdminUiRoute.optional(),
    /** Definitions exported by the backup sidecar (scripts/backup/rabbitmq-backup.sh). */
    backup: DataBackupSchedule.prefault({}),
});
type Settings = z.output<typeof schema>;

/** RabbitMQ's login: a conf.d file the server reads after the image's own (10-defaults.conf). */
export const RABBITMQ_CREDENTIALS_FILE = "/etc/rabbitmq/conf.d/90-hostplane-credentials.conf";

export const rabbitmq = {
    schema,
    image: "rabbitmq:4.2.8-management",
    // Each release series requires the feature flags of the one before it to be enabled.
    upgrade: { lineParts: 2, step: "enable every feature flag on the running version first (rabbitmqctl enable_feature_flag all), one release series at a time" },
    port: 5672,
    uiPort: 15672,
    cpus: 1,
    memory: "1G",
    dataPath: "/var/lib/rabbitmq",
    health: health(["CMD", "rabbitmq-diagnostics", "-q", "ping"], "90s"),
    connection: () => ({ env: {}, secrets: { AMQP_URL: "url" } }),
    sidecars: ["backup"],
    // The rabbitmq_prometheus plugin, enabled in the official image: no sidecar.
    exporter: { port: 15692, path: "/metrics" },
    // Definitions through the management API (the image's management plugin) as the stack's user.
    backup: {
        script: "rabbitmq-backup.sh",
        part: (s) => ({
            env: [`RABBITMQ_API_URL=http://${s.alias}:15672`, "RABBITMQ_USER=hostplane", "RABBITMQ_PASSWORD_FILE=/run/secrets/RABBITMQ_PASSWORD"],
            files: [{ path: "/run/secrets/RABBITMQ_PASSWORD", content: { secret: (v) => v.password }, permissions: "0400" }],
            memoryMb: 128,
        }),
    },
    secrets: { password: { length: 32 } },
    credentials: (s) => ({ url: (v) => `amqp://hostplane:${v.password}@${s.alias}:${s.port}/%2f` }),
    // The image reads no *_FILE variables (RABBITMQ_DEFAULT_PASS is deprecated): the login goes
    // into a conf.d file readable by the rabbitmq user only, so no password sits in the environment.
    parts: () => ({
        main: {
            files: [
                {
                    path: RABBITMQ_CREDENTIALS_FILE,
                    content: { secret: (v) => `default_user = hostplane\ndefault_pass = ${v.password}\n` },
                    permissions: "0400",
                    owner: IMAGE_UID,
                },
            ],
        },
    }),
} satisfies DataKind<Settings>;
