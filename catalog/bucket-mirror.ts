// The backup part of the S3 object stores (SeaweedFS, MinIO): every bucket mirrored to the
// off-host target by scripts/backup/bucket-mirror.sh, read with the store's generated key through
// the S3 API (the rclone remote `source`). Neither store's image is Debian-based, so the sidecar is
// built FROM Debian's; without backup.s3 there is nothing to mirror to and no sidecar.
import type { DataKind, ServiceModel } from "./types";

/** Debian's slim image: what the bucket mirror sidecar is built FROM (age, rclone from its packages). */
export const BUCKET_MIRROR_BASE = "debian:bookworm-slim";

/** `secretKey`: the name of the store's generated secret that goes with its "access-key". */
export function bucketMirror<S extends { type: string; buckets: string[] }>(secretKey: string): NonNullable<DataKind<S>["backup"]> {
    return {
        script: "bucket-mirror.sh",
        base: BUCKET_MIRROR_BASE,
        offsiteOnly: true,
        part: (s: ServiceModel<S>) => ({
            env: ["MIRROR_SOURCE=source:", ...(s.settings.buckets.length ? [`MIRROR_BUCKETS=${s.settings.buckets.join(" ")}`] : [])],
            source: { endpoint: `http://${s.alias}:${s.port}`, accessKeyId: (v) => v["access-key"], secretAccessKey: (v) => v[secretKey] },
            memoryMb: 128,
        }),
    };
}
