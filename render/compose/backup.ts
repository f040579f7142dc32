// The backup sidecars in compose, as in the Pulumi program: the image built from
// images/backup/Dockerfile FROM the service's image (compose builds it from a context written
// under files/build/backup: the Dockerfile and the backup scripts), the off-host credentials as
// an rclone.conf secret file, and Redis's and RabbitMQ's sidecars from their catalog parts.
import * as fs from "fs";
import * as path from "path";
import type { DataServiceModel } from "../../config/model";
import type { FileSpec } from "../../spec/workload";
import { backupImageBuild, backupImageInputs, buildsBackupImage } from "../../spec/backup-image";
import { backupBase, dataBackupSettings, dataBackupSidecar, sourceRemote } from "../../spec/data-backup";
import { kindOf, type SecretValues } from "../../catalog";
import type { SecretLookup } from "./types";
import { RCLONE_CONF_PATH, renderRcloneConf, type OffsiteSettings } from "../backup-offsite";
import { BACKUP_TEXTFILE_HOST_DIR, BACKUP_TEXTFILE_MOUNT } from "../monitoring/backup-hook";
import { HOST_ROOT } from "../files";
import { ComposeBuilder, depends } from "./builder";
import { serviceContainer } from "./service";

const REPO = path.resolve(__dirname, "../..");
const CONTEXT = `${HOST_ROOT}/build/backup`;

/** The sidecar's image: `configured` as is, or the build of images/backup/Dockerfile FROM the service's image. */
export function backupImageFor(b: ComposeBuilder, s: DataServiceModel, configured: string | undefined, base = s.image): { image?: string; build?: { context: string; dockerfile: string; args: Record<string, string> } } {
    if (!buildsBackupImage(configured, b.model.images.mirror)) return { image: configured };
    const build = backupImageBuild(base);
    const context = CONTEXT.slice(HOST_ROOT.length + 1);
    // The context once per bundle: Dockerfile at its root, the scripts in postgres/ and backup/.
    if (!b.files.some((f) => f.path === `${context}/Dockerfile`))
        b.hostFiles(
            backupImageInputs()
                .filter((f) => !f.endsWith(".dockerignore"))
                .map((f) => ({ path: f === build.dockerfile ? `${CONTEXT}/Dockerfile` : `${CONTEXT}/${path.relative(build.context, f)}`, content: fs.readFileSync(path.join(REPO, f), "utf8"), mode: f.endsWith(".sh") ? 0o755 : 0o644 })),
        );
    return { image: build.ref, build: { context: `./files/${context}`, dockerfile: "Dockerfile", args: build.buildArgs } };
}

/**
 * rclone.conf with the off-host credentials (compose secrets config/<key>), mounted read-only;
 * `source`: the object store a bucket mirror reads, as the remote before it.
 */
export function rcloneSecret(b: ComposeBuilder, s: DataServiceModel, s3: OffsiteSettings | undefined, source: (l: SecretLookup) => string = () => ""): string[] {
    if (!s3) return [];
    const id = b.value(`config/${s3.accessKeyId}`, { fromConfig: s3.accessKeyId });
    const key = b.value(`config/${s3.secretAccessKey}`, { fromConfig: s3.secretAccessKey });
    return [b.secret(`data/${s.alias}-backup/rclone.conf`, (l) => source(l) + renderRcloneConf(s3, l.value(id), l.value(key)), RCLONE_CONF_PATH, 0)];
}

/** Redis's and RabbitMQ's backup sidecar (spec/data-backup.ts), after the main container. */
export function renderDataBackup(b: ComposeBuilder, s: DataServiceModel, main: string, mount: (alias: string, files?: FileSpec[]) => string[], values: (l: SecretLookup) => SecretValues): void {
    const settings = dataBackupSettings(s);
    if (!settings) return;
    const textfile = b.model.monitoring.services.nodeExporter;
    const image = backupImageFor(b, s, settings.image, backupBase(s));
    if (!image.image) return; // an air-gapped fleet without backup.image (the program warns)
    const source = kindOf(s.type).backup?.part(s).source;
    const w = dataBackupSidecar(s, textfile, image.image);
    const name = serviceContainer(b, s, {
        role: "backup",
        image: image.image,
        entrypoint: w.entrypoint,
        command: w.command,
        environment: (w.envs ?? []).filter((e): e is string => typeof e === "string"),
        volumes: [
            b.volume(`${b.model.prefix}_${s.environment}_${s.name}_backups`, "/backups"),
            ...mount(`${s.alias}-backup`, (w.files ?? []).filter((f) => f.path !== RCLONE_CONF_PATH)),
            ...rcloneSecret(b, s, settings.s3, (l) => sourceRemote(source, values(l))),
            ...(textfile ? [b.writableDir(BACKUP_TEXTFILE_HOST_DIR, BACKUP_TEXTFILE_MOUNT)] : []),
        ],
        health: w.health,
        cpus: w.cpus,
        memoryMb: w.memoryMb,
        after: depends([main]),
    });
    if (image.build) b.services[name].build = image.build;
}
