// Air-gapped image recipes: images/<name>/Dockerfile builds a stand-in for an official image from
// Debian 12 packages, keeping that image's contract (ports, env vars, config paths, user). This
// table says which official repositories each recipe stands in for; images/README.md lists them
// per catalog service. Pure data and helpers: no Pulumi, no Docker.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface ImageRecipe {
    /** Directory under images/. */
    name: string;
    /** Variant tag of the recipe (bump when its Dockerfile changes meaning). */
    tag: string;
    buildArgs?: Record<string, string>;
    /**
     * Repositories this recipe stands in for, normalised (no docker.io/, no library/). An entry
     * with a tag (`hostplane/demo-app:2`) matches that tag only.
     */
    replaces: string[];
    /** What it runs, for the one-line note per image: "PostgreSQL 15". */
    provides: string;
    /** The uid its service runs as, where that differs from the official image (pgbouncer). */
    uid?: string;
    /** Repository files outside images/<name> that decide the image (a binary's build recipe): part of its hash. */
    inputs?: string[];
}

/** Every recipe; images/build.sh has the same list (tests/image-recipes.test.ts keeps them equal). */
export const IMAGE_RECIPES: ImageRecipe[] = [
    { name: "nginx", tag: "1", replaces: ["nginx"], provides: "nginx 1.22" },
    { name: "postgres", tag: "1", replaces: ["postgres"], provides: "PostgreSQL 15" },
    { name: "pgbouncer", tag: "1", replaces: ["edoburu/pgbouncer"], provides: "PgBouncer 1.18", uid: "999" },
    { name: "redis", tag: "1", replaces: ["redis"], provides: "Redis 7.0" },
    { name: "python", tag: "1", replaces: ["python"], provides: "Python 3.11" },
    { name: "prometheus", tag: "1", replaces: ["prom/prometheus"], provides: "Prometheus 2.42" },
    { name: "alertmanager", tag: "1", replaces: ["prom/alertmanager"], provides: "Alertmanager 0.25" },
    { name: "node-exporter", tag: "1", replaces: ["prom/node-exporter"], provides: "node_exporter 1.5" },
    { name: "blackbox-exporter", tag: "1", replaces: ["prom/blackbox-exporter"], provides: "blackbox_exporter 0.23" },
    { name: "postgres-exporter", tag: "1", replaces: ["prometheuscommunity/postgres-exporter"], provides: "postgres_exporter 0.11" },
    { name: "redis-exporter", tag: "1", replaces: ["oliver006/redis_exporter"], provides: "redis_exporter 1.45" },
    { name: "rabbitmq", tag: "1", replaces: ["rabbitmq"], provides: "RabbitMQ 3.10 with the management and prometheus plugins" },
    // Jars from Maven Central (images/kafka/maven.lock), Debian's JRE; the JMX exporter agent on :9404.
    { name: "kafka", tag: "1", replaces: ["apache/kafka"], provides: "Kafka 4.3 (KRaft) with the Prometheus JMX exporter agent" },
    // weed built from the Go module proxy (scripts/seaweedfs.sh).
    { name: "seaweedfs", tag: "1", replaces: ["chrislusf/seaweedfs"], provides: "SeaweedFS 4.53" },
    // Binaries built from the Go module proxy (images/<name>/prepare.sh), on the Debian base.
    {
        name: "otelcol",
        tag: "1",
        replaces: ["otel/opentelemetry-collector-contrib"],
        provides: "the OpenTelemetry Collector 0.165 (hostplane's components)",
        inputs: ["scripts/otelcol.sh", "scripts/otelcol/builder-config.yaml"],
    },
    { name: "victorialogs", tag: "1", replaces: ["victoriametrics/victoria-logs"], provides: "VictoriaLogs 1.52", inputs: ["scripts/victorialogs.sh"] },
    { name: "demo-app", tag: "1", buildArgs: { APP_VERSION: "1" }, replaces: ["hostplane/demo-app:1"], provides: "the demo app v1" },
    { name: "demo-app", tag: "2", buildArgs: { APP_VERSION: "2" }, replaces: ["hostplane/demo-app:2"], provides: "the demo app v2" },
];

export type ImageSource = "registry" | "local-build";

/** One image the stack builds locally, and the reference its containers use. */
export interface LocalImageBuild {
    recipe: ImageRecipe;
    ref: string;
}

/** The resolved image source of a stack, as the model carries it. */
export interface ImagesModel {
    source: ImageSource;
    /** Distinct recipes to build (local-build only). */
    builds: LocalImageBuild[];
    /** One line per mapped image and per service switched off, for the operator. */
    notes: string[];
    /** Images rewritten to hostplane:images.mirror (config/image-mirror.ts), for filling the mirror. */
    mirrored?: { key: string; from: string; to: string }[];
}

/** Where locally built images are tagged: hostplane-local/<name>:<tag>-<content hash>. */
export const LOCAL_IMAGE_PREFIX = "hostplane-local";
export const RECIPES_DIR = path.resolve(__dirname, "../images");

/** `ghcr.io/a/b:1@sha256:…` → { registry: "ghcr.io", repository: "a/b", tag: "1" }. */
export function parseImageRef(ref: string): { registry: string; repository: string; tag?: string } {
    const noDigest = ref.split("@")[0];
    const slash = noDigest.indexOf("/");
    const first = slash < 0 ? "" : noDigest.slice(0, slash);
    const hasRegistry = first.includes(".") || first.includes(":") || first === "localhost";
    const registry = hasRegistry ? first : "docker.io";
    let rest = hasRegistry ? noDigest.slice(slash + 1) : noDigest;
    const colon = rest.lastIndexOf(":");
    const tag = colon > rest.lastIndexOf("/") ? rest.slice(colon + 1) : undefined;
    if (tag !== undefined) rest = rest.slice(0, colon);
    if (registry === "docker.io" && rest.startsWith("library/")) rest = rest.slice("library/".length);
    return { registry, repository: rest, tag };
}

/** The recipe that stands in for an image, if any (only for images of Docker Hub). */
export function recipeFor(image: string): ImageRecipe | undefined {
    const ref = parseImageRef(image);
    if (ref.registry !== "docker.io") return undefined;
    return (
        IMAGE_RECIPES.find((r) => r.replaces.includes(`${ref.repository}:${ref.tag}`)) ??
        IMAGE_RECIPES.find((r) => r.replaces.includes(ref.repository))
    );
}

/**
 * Content hash of a recipe: its files' relative paths, modes and bytes, and its build args. It is
 * part of the image tag, so a changed recipe is a new image reference and rolls the containers.
 */
export function recipeHash(recipe: ImageRecipe, dir = RECIPES_DIR): string {
    const root = path.join(dir, recipe.name);
    const files: string[] = [];
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else files.push(p);
        }
    };
    walk(root);
    const h = crypto.createHash("sha256");
    for (const f of files.sort()) {
        h.update(`${path.relative(root, f)}\0${(fs.statSync(f).mode & 0o777).toString(8)}\0`);
        h.update(fs.readFileSync(f));
        h.update("\0");
    }
    for (const f of recipe.inputs ?? []) h.update(`${f}\0${fs.readFileSync(path.resolve(dir, "..", f))}\0`);
    h.update(JSON.stringify(recipe.buildArgs ?? {}));
    return h.digest("hex").slice(0, 12);
}

/**
 * Kafka from images/kafka serves its own broker metrics (the Prometheus JMX exporter agent) on this
 * port: Prometheus scrapes it there instead of a kafka_exporter sidecar, which cannot be built here.
 */
export const KAFKA_JMX_EXPORTER_PORT = 9404;
/** Whether a Kafka image is the local recipe (hostplane-local/kafka:…, or its older hostplane-e2e/ name). */
export const hasKafkaJmxAgent = (image: string) => /^hostplane-(local|e2e)\/kafka:/.test(image);

export const recipeKey = (r: ImageRecipe) => `${r.name}:${r.tag}`;
export const localImageRef = (r: ImageRecipe, dir = RECIPES_DIR) => `${LOCAL_IMAGE_PREFIX}/${r.name}:${r.tag}-${recipeHash(r, dir)}`;
