// The backup sidecar image (pure): images/backup/Dockerfile built FROM a data service's own image,
// with the backup scripts of scripts/ as its context. The reference carries a content hash of
// everything that decides the image (Dockerfile, scripts, ignore file, base image), so a changed
// script or base is a new reference: the image is rebuilt and the sidecar rolls, and an unchanged
// one is not rebuilt on the next `up`.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "..");
/** Relative to the project directory, where Pulumi runs the program and the Docker provider. */
export const BACKUP_IMAGE_CONTEXT = "scripts";
export const BACKUP_IMAGE_DOCKERFILE = "images/backup/Dockerfile";
/** The context directories the Dockerfile copies (scripts/.dockerignore lets only these in). */
const CONTEXT_DIRS = ["postgres", "backup"];

export interface BackupImageBuild {
    /** hostplane-local/backup:<hash>: what the sidecar runs. */
    ref: string;
    context: string;
    dockerfile: string;
    buildArgs: { BASE_IMAGE: string };
}

/** Every file that decides the image, relative to the repository, sorted. */
export function backupImageInputs(): string[] {
    const scripts = CONTEXT_DIRS.flatMap((d) => fs.readdirSync(path.join(REPO, BACKUP_IMAGE_CONTEXT, d)).map((f) => path.join(BACKUP_IMAGE_CONTEXT, d, f)));
    return [BACKUP_IMAGE_DOCKERFILE, path.join(BACKUP_IMAGE_CONTEXT, ".dockerignore"), ...scripts].sort();
}

/** The build of the sidecar image FROM `base` (the service's resolved image). */
export function backupImageBuild(base: string): BackupImageBuild {
    const h = crypto.createHash("sha256");
    for (const f of backupImageInputs()) h.update(`${f}\0${fs.readFileSync(path.join(REPO, f))}\0`);
    h.update(`BASE_IMAGE=${base}`);
    return { ref: `hostplane-local/backup:${h.digest("hex").slice(0, 12)}`, context: BACKUP_IMAGE_CONTEXT, dockerfile: BACKUP_IMAGE_DOCKERFILE, buildArgs: { BASE_IMAGE: base } };
}

/**
 * Whether the program builds the sidecar image: not when the stack names one (backup.image), and
 * not on an air-gapped fleet (hostplane:images.mirror), whose hosts reach no package mirror: there
 * the image is built elsewhere, pushed to the mirror and named in backup.image.
 */
export const buildsBackupImage = (configured: string | undefined, mirror: string | undefined) => !configured && !mirror;

/** Why a Redis/RabbitMQ/MinIO service has no backup sidecar on an air-gapped fleet, for the operator. */
export const noBackupImageNote = (env: string, service: string, base: string) =>
    `${env}/${service}: no backup sidecar: hostplane:images.mirror is set and environments.${env}.services.${service}.backup.image is not; ` +
    `build images/backup/Dockerfile FROM ${base} (docker build -f images/backup/Dockerfile --build-arg BASE_IMAGE=${base} scripts), push it to the mirror and set backup.image`;
