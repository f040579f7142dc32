// `hostplane:images`: where images come from. This file holds the registry side: private
// registries (server, username, a secret config key for the password) that the Docker provider
// uses for pulls, and which images are pinned to the digest their tag points at on every
// preview and up (so a moved tag shows up in `preview` as a rollout of that app).
import { z } from "zod";
import type { ConfigIssue } from "./errors";

/** `registry.example.com`, `ghcr.io`, `127.0.0.1:5000`; `http://` for a plain-HTTP registry. */
const SERVER_PATTERN = /^(https?:\/\/)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/;

export const Registry = z.strictObject({
    server: z.string().regex(SERVER_PATTERN, {
        error: "expected a registry host like ghcr.io or registry.example.com:5000 (http:// only for a plain-HTTP registry)",
    }),
    username: z.string().min(1, { error: "expected the registry user name" }).optional(),
    /** Name of a secret config key holding the password or token: `pulumi config set --secret hostplane:<name>`. */
    password: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, { error: "expected the name of a secret config key, like ghcrToken" }).optional(),
});

/** The registry keys of `hostplane:images` (its `source` lives in schema.ts). */
export const REGISTRY_FIELDS = {
    registries: z.array(Registry).default([]),
    /**
     * Which images are resolved to `repo@sha256:…` on every preview and up:
     * `registries` (default) those from a registry listed above; `all` every image of an app
     * (public registries too); `off` none (tags are used as they are).
     */
    digests: z.enum(["registries", "all", "off"]).default("registries"),
    /**
     * A private mirror registry (host[:port], http:// for plain HTTP) for air-gapped fleets: every
     * image is rewritten to it (config/image-mirror.ts) and app images are pinned to the digest the
     * mirror holds. Its credentials, if it needs any, are its entry in `registries`.
     */
    mirror: z.string().regex(SERVER_PATTERN, { error: "expected the mirror registry's host like registry.internal:5000 (http:// only for a plain-HTTP registry)" }).optional(),
};

const RegistryImages = z.strictObject(REGISTRY_FIELDS);
export type ImagesConfig = z.output<typeof RegistryImages>;
export type RegistryConfig = z.output<typeof Registry>;

export interface RegistryModel {
    /** Host[:port] as it appears in image references. */
    host: string;
    /** What the Docker provider gets as registryAuth address (keeps http:// for plain-HTTP registries). */
    address: string;
    username: string;
    /** Secret config key (without namespace) that holds the password. */
    passwordKey: string;
    /** Config path of this entry, for messages: images.registries[0]. */
    key: string;
}

export interface RegistryImagesModel {
    /** local-build images are never looked up (config/image-source.ts). */
    source?: string;
    registries: RegistryModel[];
    digests: ImagesConfig["digests"];
    /** Host[:port] of the mirror every image was rewritten to (hostplane:images.mirror). */
    mirror?: string;
}

export interface ImageRef {
    /** Registry host, "" for Docker Hub. */
    registry: string;
    /** Repository including the registry: 127.0.0.1:5000/demo-app. */
    repository: string;
    tag?: string;
    digest?: string;
}

/** Splits an image reference the way Docker does: a first part with '.', ':' or localhost is a registry. */
export function parseImageRef(ref: string): ImageRef {
    const at = ref.indexOf("@");
    const digest = at >= 0 ? ref.slice(at + 1) : undefined;
    const name = at >= 0 ? ref.slice(0, at) : ref;
    const slash = name.indexOf("/");
    const first = slash >= 0 ? name.slice(0, slash) : "";
    const registry = first && (/[.:]/.test(first) || first === "localhost") ? first : "";
    const colon = name.lastIndexOf(":");
    const hasTag = colon > name.lastIndexOf("/");
    return { registry, repository: hasTag ? name.slice(0, colon) : name, tag: hasTag ? name.slice(colon + 1) : undefined, digest };
}

export const registryHost = (server: string) => server.replace(/^https?:\/\//, "");

/** The configured registry an image is pulled from, if any. */
export function registryFor(image: string, images: RegistryImagesModel): RegistryModel | undefined {
    const { registry } = parseImageRef(image);
    return images.registries.find((r) => r.host === registry);
}

/** Whether an app's image is pinned to a digest looked up in its registry. */
export function resolvesDigest(image: string, images: RegistryImagesModel): boolean {
    if (images.digests === "off" || images.source === "local-build") return false;
    // A mirror is the fleet's one source of truth: its digests pin every app, credentials or not.
    if (images.mirror !== undefined && parseImageRef(image).registry === images.mirror) return true;
    return images.digests === "all" || registryFor(image, images) !== undefined;
}

export function registryImagesModel(cfg: ImagesConfig): RegistryImagesModel {
    return {
        digests: cfg.digests,
        mirror: cfg.mirror === undefined ? undefined : registryHost(cfg.mirror),
        registries: cfg.registries.map((r, i) => ({
            host: registryHost(r.server),
            address: r.server,
            username: r.username ?? "",
            passwordKey: r.password ?? "",
            key: `images.registries[${i}]`,
        })),
    };
}

/**
 * Registry entries that cannot work: no credentials, a password key that is not a set secret,
 * the same registry twice, or a pinned digest that is not a sha256 digest.
 */
export function imagesIssues(cfg: ImagesConfig, appImages: { key: string; image: string }[], secretKeys: Set<string>, ns: string, stack: string): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const seen = new Map<string, number>();
    cfg.registries.forEach((r, i) => {
        const at = `${ns}:images.registries[${i}]`;
        const host = registryHost(r.server);
        if (seen.has(host)) issues.push({ key: `${at}.server`, message: `'${host}' is already listed at images.registries[${seen.get(host)}]; expected each registry once` });
        seen.set(host, i);
        // Which apps pull from it, so the message names the images the entry blocks.
        const users = appImages.filter((a) => parseImageRef(a.image).registry === host).map((a) => `${a.image} (${ns}:${a.key})`);
        const usedBy = users.length > 0 ? `; needed by ${users.join(", ")}` : "";
        if (!r.username || !r.password)
            issues.push({
                key: at,
                message: `registry ${host} has no credentials; expected username and password (the name of a secret key, e.g. password: registryPassword, set with 'pulumi config set --secret ${ns}:registryPassword <token> --stack ${stack}')${usedBy}`,
            });
        else if (!secretKeys.has(r.password))
            issues.push({
                key: `${at}.password`,
                message: `names the secret ${ns}:${r.password}, which is not set; set it with 'pulumi config set --secret ${ns}:${r.password} <password> --stack ${stack}'${usedBy}`,
            });
    });
    for (const { key, image } of appImages) {
        const d = parseImageRef(image).digest;
        if (d !== undefined && !/^sha256:[0-9a-f]{64}$/.test(d))
            issues.push({ key: `${ns}:${key}`, message: `got "${image}"; expected a digest like repo@sha256:<64 hex digits>` });
    }
    return issues;
}
