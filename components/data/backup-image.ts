// The backup sidecar image, built on the target host's engine by the Docker provider from
// images/backup/Dockerfile FROM the data service's own image (spec/backup-image.ts), so every
// deployed host has age, rclone and the backup scripts next to the server's own client tools.
// None when the stack names its own sidecar image (backup.image). Also the sidecars' off-host
// credentials, shared by PostgreSQL's, Redis's and RabbitMQ's.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { DataServiceModel } from "../../config/model";
import type { BackupSettings } from "../../render/backup-sidecar";
import { backupImageBuild, buildsBackupImage } from "../../spec/backup-image";
import type { SecretInputs } from "../../runtime/runtime";
import { stackSecret } from "../secrets";
import { warnStack } from "../warnings";

export interface BackupImage {
    /** Undefined on an air-gapped fleet without backup.image (spec/backup-image.ts buildsBackupImage). */
    ref?: string;
    built?: docker.RemoteImage;
}

export function backupImage(parent: pulumi.Resource, s: DataServiceModel, configured: string | undefined, provider: docker.Provider, after: pulumi.Input<pulumi.Resource>[], mirror?: string, base = s.image): BackupImage {
    if (!buildsBackupImage(configured, mirror)) return { ref: configured };
    const b = backupImageBuild(base);
    const built = new docker.RemoteImage(
        `${s.containerBaseName}-backup-image`,
        {
            name: b.ref,
            build: { context: b.context, dockerfile: b.dockerfile, buildArgs: b.buildArgs, useLegacyBuilder: true, remove: true, forceRemove: true },
            // Two services on one base share the reference: removing it with one would pull it from
            // under the other. Superseded references stay until the operator prunes them.
            keepLocally: true,
        },
        { parent, provider, dependsOn: after },
    );
    return { ref: b.ref, built };
}

/** The off-host credentials (stack secrets) as the sidecar's secret values; a warning for plain http. */
export function offsiteSecrets(s: DataServiceModel, b: BackupSettings): SecretInputs {
    const s3 = b.s3;
    if (!s3) return {};
    if (s3.allowInsecure) warnStack(`${s.environment}/${s.name}: backups go off-host over plain http (${s3.endpoint}); allowInsecure is set`);
    return { "offsite-access-key-id": stackSecret(s3.accessKeyId), "offsite-secret-access-key": stackSecret(s3.secretAccessKey) };
}
