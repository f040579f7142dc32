// What the backup sidecar needs for off-host copies (scripts/postgres/backup-offsite.sh): an
// rclone.conf holding the endpoint and credentials (uploaded as a 0400 secret file, never an
// environment variable) and the plain settings as environment variables.
import type { z } from "zod";
import type { BackupSchedule } from "../config/schema";

export type OffsiteSettings = NonNullable<z.infer<typeof BackupSchedule>["s3"]>;

/** Where the sidecar finds rclone.conf; the remote inside it is called "offsite". */
export const RCLONE_CONF_PATH = "/run/secrets/rclone.conf";

const oneLine = (what: string, v: string) => {
    if (/[\r\n]/.test(v)) throw new Error(`${what} contains a line break`);
    return v;
};

/**
 * rclone's S3 backend against any S3-compatible endpoint (path-style, region as configured), as the
 * remote `name`: "offsite" (the off-host target), "source" (an object store a bucket mirror reads).
 */
export function renderRcloneConf(s3: Pick<OffsiteSettings, "endpoint" | "region">, accessKeyId: string, secretAccessKey: string, name = "offsite"): string {
    return [
        `[${name}]`,
        "type = s3",
        "provider = Other",
        `endpoint = ${oneLine("endpoint", s3.endpoint)}`,
        `region = ${oneLine("region", s3.region)}`,
        `access_key_id = ${oneLine("access key id", accessKeyId)}`,
        `secret_access_key = ${oneLine("secret access key", secretAccessKey)}`,
        "force_path_style = true",
        // The bucket is the user's: never try to create it (keys may lack that right).
        "no_check_bucket = true",
        "",
    ].join("\n");
}

/** Environment of the sidecar for off-host copies (no secrets: those are in rclone.conf). */
export function offsiteEnv(s3: OffsiteSettings, environment: string, service: string): string[] {
    const prefix = s3.prefix ?? `${environment}/${service}`;
    return [
        `RCLONE_CONFIG=${RCLONE_CONF_PATH}`,
        `OFFSITE_REMOTE=offsite:${s3.bucket}/${prefix}`,
        `OFFSITE_ENDPOINT=${s3.endpoint}`,
        `ALLOW_INSECURE=${s3.allowInsecure ? 1 : 0}`,
        `OFFSITE_ENCRYPT=${s3.encrypt === false ? 0 : 1}`,
        `AGE_RECIPIENTS=${s3.ageRecipients.join(" ")}`,
    ];
}
