// Data-service images that move to another release line than the one deployed: PostgreSQL 16 → 17,
// Redis 7 → 8, RabbitMQ 3.13 → 4.x (and 4.2 → 4.3), MongoDB 7 → 8. Each needs a step before the
// new image runs on the old data (the kind's `upgrade` rule, catalog/<kind>.ts), so preview and up
// warn. Pure: the previous images come from the stack's last outputs (`dataImages`, written by
// deployedImages), read by components/upgrade-check.ts.
import { kindOf } from "../catalog";
import type { UpgradeRule } from "../catalog/types";
import { IMAGE_RECIPES, LOCAL_IMAGE_PREFIX } from "./image-recipes";
import type { PlatformModel } from "./model";

/** README section with the steps per kind. */
export const UPGRADE_README = 'README "Major upgrades of data services" (#major-upgrades-of-data-services)';

/** What a stack output records per data service (`<env>/<service>`): its kind and main image. */
export interface DeployedImage {
    type: string;
    image: string;
}

/** The `dataImages` stack output: every data service's kind and image, by `<env>/<service>`. */
export function deployedImages(model: Pick<PlatformModel, "environments">): Record<string, DeployedImage> {
    return Object.fromEntries(model.environments.flatMap((e) => e.services.map((s) => [`${e.name}/${s.name}`, { type: s.type, image: s.image }])));
}

/** Repository and tag of an image reference (a digest dropped; a registry port is not a tag). */
export function splitImage(ref: string): { repository: string; tag?: string } {
    const name = ref.split("@")[0];
    const colon = name.indexOf(":", name.lastIndexOf("/") + 1);
    return colon < 0 ? { repository: name } : { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
}

/** Numeric version at the start of a tag: "16.14-bookworm" → [16, 14], "v1.25.2-p0" → [1, 25, 2]; "latest" → undefined. */
export function tagVersion(tag: string): number[] | undefined {
    const m = /^v?([0-9]+(?:\.[0-9]+)*)(?:[-_+].*)?$/.exec(tag);
    return m ? m[1].split(".").map(Number) : undefined;
}

// Images built here (images/build.sh) carry a recipe tag, not the version: it is in the recipe's `provides`.
const LOCAL_PREFIXES = [`${LOCAL_IMAGE_PREFIX}/`, "hostplane-e2e/"];

/** The version an image runs: its tag's, or for a local recipe (hostplane-local/postgres:1) the recipe's ("PostgreSQL 15"). */
export function imageVersion(ref: string): number[] | undefined {
    const { repository, tag } = splitImage(ref);
    const local = LOCAL_PREFIXES.find((p) => repository.startsWith(p));
    if (local) {
        const recipe = IMAGE_RECIPES.find((r) => r.name === repository.slice(local.length));
        const m = recipe && /\b([0-9]+(?:\.[0-9]+)*)\b/.exec(recipe.provides);
        return m ? m[1].split(".").map(Number) : undefined;
    }
    return tag === undefined ? undefined : tagVersion(tag);
}

/** A move to another release line: older or newer, as the deployed and configured versions say. */
export interface LineChange {
    service: string;
    from: { image: string; version: string };
    to: { image: string; version: string };
    direction: "up" | "down";
    step: string;
}

/**
 * The release-line change between two images under a kind's rule, or undefined when both run the
 * same line or a version cannot be read (a tag like `latest`): only the parts both tags have count.
 */
export function lineChange(rule: UpgradeRule, from: string, to: string): Pick<LineChange, "direction"> | undefined {
    const a = imageVersion(from);
    const b = imageVersion(to);
    if (!a || !b) return undefined;
    for (let i = 0; i < Math.min(rule.lineParts, a.length, b.length); i++) if (a[i] !== b[i]) return { direction: b[i] > a[i] ? "up" : "down" };
    return undefined;
}

const isDeployed = (v: unknown): v is DeployedImage =>
    typeof v === "object" && v !== null && typeof (v as DeployedImage).type === "string" && typeof (v as DeployedImage).image === "string";

/** Every data service whose configured image is on another release line than the deployed one (same kind only). */
export function lineChanges(previous: unknown, current: Record<string, DeployedImage>): LineChange[] {
    if (typeof previous !== "object" || previous === null) return [];
    const out: LineChange[] = [];
    for (const [service, now] of Object.entries(current)) {
        const before = (previous as Record<string, unknown>)[service];
        const rule = kindOf(now.type).upgrade;
        if (!rule || !isDeployed(before) || before.type !== now.type) continue;
        const change = lineChange(rule, before.image, now.image);
        if (!change) continue;
        const version = (ref: string) => imageVersion(ref)!.join(".");
        out.push({ service, from: { image: before.image, version: version(before.image) }, to: { image: now.image, version: version(now.image) }, ...change, step: rule.step });
    }
    return out;
}

/** The warning: the service, both images and versions, what to do first and where the steps are. */
export function formatLineChange(c: LineChange): string {
    const move =
        c.direction === "up"
            ? `moves to a new release line: ${c.from.image} (${c.from.version}) -> ${c.to.image} (${c.to.version})`
            : `moves back to an older release line: ${c.from.image} (${c.from.version}) -> ${c.to.image} (${c.to.version}); the older server may not read data the newer one wrote (restore a backup taken before the upgrade instead)`;
    return `${c.service}: the image ${move}. Before this up: ${c.step}. Steps: ${UPGRADE_README}`;
}
