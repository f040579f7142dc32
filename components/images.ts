// App images from registries: credentials for the Docker provider, and the digest a tag points
// at, looked up on every preview and up (docker.getRegistryImage runs in preview too). The app's
// container then runs `repo@sha256:…`, so a tag that moved is an input change that `preview`
// shows as a rollout, and the container runs exactly what preview showed. A lookup that fails
// (no such image, wrong credentials, digest mismatch) stops the program before the app's
// container is touched, with a message naming the app, the image and the config key.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { AppModel, PlatformModel } from "../config/model";
import { parseImageRef, RegistryImagesModel, RegistryModel, registryFor, resolvesDigest } from "../config/images";
import { NAMESPACE } from "../config/validate";
import { stackSecret } from "./secrets";

/** registryAuth for the Docker provider: pulls (containers, RemoteImage) and digest lookups use it. */
export function registryAuth(images: RegistryImagesModel): docker.types.input.ProviderRegistryAuth[] {
    return images.registries.map((r) => ({ address: r.address, username: r.username, password: stackSecret(r.passwordKey) }));
}

export interface AppImage {
    /** What the container and the migration run: the configured reference, or repo@sha256:…. */
    ref: pulumi.Output<string>;
    /** The pull of a pinned image (with the provider's credentials), for the migration to wait on. */
    pulled?: docker.RemoteImage;
}

const imageKey = (app: AppModel) => `${NAMESPACE}:environments.${app.environment}.apps.${app.name}.image`;

export function appImage(parent: pulumi.Resource, app: AppModel, images: PlatformModel["images"], provider: docker.Provider): AppImage {
    if (!resolvesDigest(app.image, images)) return { ref: pulumi.output(app.image) };
    const ref = parseImageRef(app.image);
    // Look the tag up (a pinned digest must match it); a bare repo@digest is looked up as is.
    // "name:tag@digest" is how the provider's lookup takes a digest.
    const lookup = ref.tag || !ref.digest ? `${ref.repository}:${ref.tag ?? "latest"}` : `${ref.repository}:pinned@${ref.digest}`;
    const registry = registryFor(app.image, images);
    const digest = docker
        .getRegistryImage({ name: lookup, insecureSkipVerify: false }, { provider, parent })
        .then(
            (r) => {
                if (ref.digest && r.sha256Digest !== ref.digest) throw new pulumi.RunError(imageError(app, `the registry's ${lookup} is ${r.sha256Digest}, not the pinned digest ${ref.digest}; pin the tag's current digest or drop the digest`));
                return r.sha256Digest;
            },
            (e: Error) => {
                throw new pulumi.RunError(imageError(app, explainLookupError(String(e?.message ?? e), ref.registry || "docker.io", registry)));
            },
        );
    const pinned = pulumi.output(digest).apply((d) => `${ref.repository}@${d}`);
    // Pulled ahead of the container with the provider's credentials; kept on the host so the old
    // revision (and a rollback) can still start from it.
    const pulled = new docker.RemoteImage(`${app.containerBaseName}-image`, { name: pinned, keepLocally: true }, { parent, provider });
    return { ref: pinned, pulled };
}

function imageError(app: AppModel, why: string): string {
    return `app ${app.name} (environment ${app.environment}): image "${app.image}" (${imageKey(app)}): ${why}. No container was changed.`;
}

/** Turns the provider's lookup error into what the user has to fix. */
export function explainLookupError(message: string, host: string, registry: RegistryModel | undefined): string {
    const creds = registry
        ? `user '${registry.username}' with the password in ${NAMESPACE}:${registry.passwordKey} (${NAMESPACE}:${registry.key})`
        : `no credentials (add ${host} to ${NAMESPACE}:images.registries)`;
    if (/\b40[13]\b|unauthori[sz]ed|bad credentials|denied/i.test(message)) return `registry ${host} rejected ${creds}`;
    if (/\b404\b|not found|manifest unknown|name unknown/i.test(message)) return `does not exist in registry ${host} (no such repository, tag or digest)`;
    if (/connection refused|no such host|timeout|i\/o timeout|EOF/i.test(message)) return `registry ${host} is not reachable: ${lastLine(message)}`;
    return `digest lookup in registry ${host} failed: ${lastLine(message)}`;
}

const lastLine = (m: string) => m.trim().split("\n").pop()!.replace(/^.*returned an error: /, "");
