// Image source of a stack (hostplane:images.source): `registry` pulls every image as written;
// `local-build` builds a stand-in for each from Debian packages on the target host (images/); `auto`
// picks local-build when no registry answers. This module rewrites the parsed config so that every
// image reference points at what will really run, and says what it changed. Pure: no I/O.
import type { ConfigIssue } from "./errors";
import { EXPORTER_IMAGES, EXPORTERS, EXPORTER_KINDS, MONITORING_IMAGES, MONITORING_SERVICES, type ExporterKind } from "./monitoring";
import { hasKafkaJmxAgent, IMAGE_RECIPES, localImageRef, recipeFor, recipeKey, type ImageSource, type ImagesModel, type LocalImageBuild } from "./image-recipes";
import { kindOf, PGBOUNCER_IMAGE } from "../catalog";
import type { StackConfigParsed } from "./schema";

export interface ImageSourcePlan extends ImagesModel {
    issues: ConfigIssue[];
}

const NS = "hostplane";

/**
 * `auto` resolved: HOSTPLANE_REGISTRY=reachable|unreachable (set by scripts/local-up.sh) wins;
 * else the probe asks `mirror` when the stack has one (an air-gapped fleet's only registry).
 */
export function effectiveImageSource(configured: ImageSource | "auto", registryReachable?: (server?: string) => boolean, mirror?: string): ImageSource {
    if (configured !== "auto") return configured;
    const env = process.env.HOSTPLANE_REGISTRY;
    if (env === "reachable" || env === "unreachable") return env === "reachable" ? "registry" : "local-build";
    return (registryReachable?.(mirror) ?? true) ? "registry" : "local-build";
}
const recipeNames = () => [...new Set(IMAGE_RECIPES.flatMap((r) => r.replaces))].join(", ");

/**
 * Rewrites `cfg` in place for `source` and returns the plan. `explicit(path)` tells whether the
 * user wrote a key (a default-on service without a recipe is switched off; one asked for by name
 * is an error).
 */
export function applyImageSource(cfg: StackConfigParsed, source: ImageSource, explicit: (path: string[]) => boolean): ImageSourcePlan {
    const plan: ImageSourcePlan = { source, builds: [], notes: [], issues: [] };
    if (source === "registry") return plan;
    const built = new Map<string, LocalImageBuild>();
    /** Maps one image; undefined when there is no recipe. */
    const map = (key: string, image: string): LocalImageBuild | undefined => {
        const recipe = recipeFor(image);
        if (!recipe) return undefined;
        let b = built.get(recipeKey(recipe));
        if (!b) built.set(recipeKey(recipe), (b = { recipe, ref: localImageRef(recipe) }));
        plan.notes.push(`${key}: ${image} -> ${b.ref} (built from Debian 12 packages: ${recipe.provides})`);
        return b;
    };
    const required = (key: string, image: string): string => {
        const b = map(key, image);
        if (b) return b.ref;
        plan.issues.push({
            key,
            message: `image '${image}' has no local-build recipe (${NS}:images.source is local-build, so every image is built from Debian packages); recipes exist for ${recipeNames()}: use one, or set ${NS}:images.source to registry`,
        });
        return image;
    };
    /** A data service the config asks for: its message names the service, its kind and the image. */
    const requiredForService = (key: string, name: string, type: string, image: string): string => {
        const b = map(key, image);
        if (b) return b.ref;
        plan.issues.push({
            key,
            message: `service '${name}' (${type}) needs image '${image}', which has no local-build recipe (${NS}:images.source is local-build: an air-gapped stack runs only images built from Debian packages); recipes exist for ${recipeNames()}: remove the service, set its image to one of those, or set ${NS}:images.source to registry`,
        });
        return image;
    };

    for (const [envName, env] of Object.entries(cfg.environments)) {
        const at = `${NS}:environments.${envName}`;
        for (const [name, app] of Object.entries(env.apps)) app.image = required(`${at}.apps.${name}.image`, app.image);
        for (const [name, svc] of Object.entries(env.services)) {
            svc.image = requiredForService(`${at}.services.${name}.image`, name, svc.type, svc.image ?? kindOf(svc.type).image);
            if (svc.type === "postgres" && svc.pgbouncer.enabled) {
                const b = map(`${at}.services.${name}.pgbouncer.image`, svc.pgbouncer.image ?? PGBOUNCER_IMAGE);
                if (!b) plan.issues.push({ key: `${at}.services.${name}.pgbouncer.image`, message: `image '${svc.pgbouncer.image ?? PGBOUNCER_IMAGE}' has no local-build recipe; recipes exist for ${recipeNames()}` });
                else {
                    svc.pgbouncer.image = b.ref;
                    if (b.recipe.uid && !explicit(["environments", envName, "services", name, "pgbouncer", "uid"])) svc.pgbouncer.uid = b.recipe.uid;
                }
            }
        }
    }
    cfg.proxy.image = required(`${NS}:proxy.image`, cfg.proxy.image);
    applyToMonitoring(cfg, explicit, map, plan);
    plan.builds = [...built.values()];
    return plan;
}

type MapImage = (key: string, image: string) => LocalImageBuild | undefined;

function applyToMonitoring(cfg: StackConfigParsed, explicit: (path: string[]) => boolean, map: MapImage, plan: ImageSourcePlan) {
    const m = cfg.monitoring;
    if (!m.enabled) return;
    for (const svc of MONITORING_SERVICES) {
        if (!m.services[svc]) continue;
        const image = m.images[svc] ?? MONITORING_IMAGES[svc];
        const b = map(`${NS}:monitoring.images.${svc}`, image);
        if (b) m.images[svc] = b.ref;
        else switchOff(`${NS}:monitoring.services.${svc}`, image, explicit(["monitoring", "services", svc]), plan, () => (m.services[svc] = false));
    }
    const kindsInUse = new Set(Object.values(cfg.environments).flatMap((e) => Object.values(e.services).map((s) => s.type as string)));
    for (const kind of EXPORTER_KINDS) {
        const key = EXPORTERS[kind].image;
        if (!key || !m.exporters[kind] || !kindsInUse.has(kind) || !m.services.prometheus) continue;
        // Kafka from its recipe is scraped through its own JMX agent: no sidecar to build.
        if (kind === "kafka" && kafkaImages(cfg).every(hasKafkaJmxAgent)) continue;
        const image = m.images[key] ?? EXPORTER_IMAGES[key];
        const b = map(`${NS}:monitoring.images.${key}`, image);
        if (b) m.images[key] = b.ref;
        else switchOff(`${NS}:monitoring.exporters.${kind}`, image, explicit(["monitoring", "exporters", kind]), plan, () => (m.exporters[kind as ExporterKind] = false));
    }
}

/** The (already mapped) images of every Kafka service of the stack. */
const kafkaImages = (cfg: StackConfigParsed) =>
    Object.values(cfg.environments).flatMap((e) => Object.values(e.services).filter((s) => s.type === "kafka").map((s) => s.image ?? kindOf("kafka").image));

/** A default-on service without a recipe goes off with a note; one the config names is an error. */
function switchOff(key: string, image: string, isExplicit: boolean, plan: ImageSourcePlan, off: () => void) {
    if (isExplicit) {
        plan.issues.push({ key, message: `is true, but image '${image}' has no local-build recipe (${NS}:images.source is local-build); set it to false, or use ${NS}:images.source registry` });
        return;
    }
    off();
    plan.notes.push(`${key}: switched off: no local-build recipe for ${image} (on by default; set ${NS}:images.source to registry to run it)`);
}
