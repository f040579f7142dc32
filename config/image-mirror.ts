// Private mirror registry for air-gapped fleets (hostplane:images.mirror): every image reference of
// the stack is rewritten to the mirror, so the hosts pull only from it, and app images are pinned
// to the digest the mirror holds (config/images.ts resolvesDigest). scripts/images/mirror-fill.sh
// fills a mirror from pulls (on a connected machine) or from local builds (images/).
// Rewrite rule: the registry host is dropped and Docker Hub's official images get `library/`:
//   nginx:1.27-alpine                -> <mirror>/library/nginx:1.27-alpine
//   prom/prometheus:v2.54.1          -> <mirror>/prom/prometheus:v2.54.1
//   ghcr.io/example/shop-api:1.4.2   -> <mirror>/example/shop-api:1.4.2
// (two registries with the same repository path would share one mirror repository: the config
// check below refuses that). Pure: no I/O.
import type { ConfigIssue } from "./errors";
import { EXPORTER_IMAGES, EXPORTERS, EXPORTER_KINDS, MONITORING_IMAGES, MONITORING_SERVICES } from "./monitoring";
import { kindOf, PGBOUNCER_IMAGE } from "../catalog";
import type { StackConfigParsed } from "./schema";

const NS = "hostplane";

export interface MirroredImage {
    /** Config key the image came from: hostplane:environments.production.apps.api.image. */
    key: string;
    /** The reference as configured (or the kind's default, catalog/<kind>.ts). */
    from: string;
    /** The same image in the mirror. */
    to: string;
}

/** Registry host ("docker.io" for Docker Hub) and the repository path inside it, tag/digest kept. */
function splitRegistry(image: string): { registry: string; path: string } {
    const slash = image.indexOf("/");
    const first = slash < 0 ? "" : image.slice(0, slash);
    if (first && (/[.:]/.test(first) || first === "localhost")) {
        const rest = image.slice(slash + 1);
        return first === "docker.io" || first === "index.docker.io" ? { registry: "docker.io", path: rest.includes("/") ? rest : `library/${rest}` } : { registry: first, path: rest };
    }
    return { registry: "docker.io", path: slash < 0 ? `library/${image}` : image };
}

/** The reference of `image` in the mirror `host` (host[:port], no scheme). */
export function mirrorRef(image: string, host: string): string {
    const { registry, path } = splitRegistry(image);
    return registry === host ? image : `${host}/${path}`;
}

/** Every image slot of the parsed config that the stack may run: key, current value, setter. */
function imageSlots(cfg: StackConfigParsed): { key: string; image: string; set: (v: string) => void }[] {
    const slots: { key: string; image: string; set: (v: string) => void }[] = [];
    for (const [envName, env] of Object.entries(cfg.environments)) {
        const at = `${NS}:environments.${envName}`;
        for (const [name, app] of Object.entries(env.apps)) slots.push({ key: `${at}.apps.${name}.image`, image: app.image, set: (v) => (app.image = v) });
        for (const [name, svc] of Object.entries(env.services)) {
            slots.push({ key: `${at}.services.${name}.image`, image: svc.image ?? kindOf(svc.type).image, set: (v) => (svc.image = v) });
            if (svc.type !== "postgres") continue;
            const pg = svc.pgbouncer;
            if (pg.enabled) slots.push({ key: `${at}.services.${name}.pgbouncer.image`, image: pg.image ?? PGBOUNCER_IMAGE, set: (v) => (pg.image = v) });
            const b = svc.backup;
            if (b.image) slots.push({ key: `${at}.services.${name}.backup.image`, image: b.image, set: (v) => (b.image = v) });
        }
    }
    slots.push({ key: `${NS}:proxy.image`, image: cfg.proxy.image, set: (v) => (cfg.proxy.image = v) });
    const m = cfg.monitoring;
    if (!m.enabled) return slots;
    for (const svc of MONITORING_SERVICES)
        if (m.services[svc]) slots.push({ key: `${NS}:monitoring.images.${svc}`, image: m.images[svc] ?? MONITORING_IMAGES[svc], set: (v) => (m.images[svc] = v) });
    const kindsInUse = new Set(Object.values(cfg.environments).flatMap((e) => Object.values(e.services).map((s) => s.type as string)));
    for (const kind of EXPORTER_KINDS) {
        const k = EXPORTERS[kind].image;
        if (k && m.exporters[kind] && m.services.prometheus && kindsInUse.has(kind)) slots.push({ key: `${NS}:monitoring.images.${k}`, image: m.images[k] ?? EXPORTER_IMAGES[k], set: (v) => (m.images[k] = v) });
    }
    return slots;
}

/**
 * Rewrites every image of `cfg` to the mirror `host`, in place; returns what it mapped and the
 * issues: two different images that would land on one mirror reference.
 */
export function applyMirror(cfg: StackConfigParsed, host: string): { mapped: MirroredImage[]; issues: ConfigIssue[] } {
    const mapped: MirroredImage[] = [];
    const issues: ConfigIssue[] = [];
    const seen = new Map<string, MirroredImage>();
    for (const slot of imageSlots(cfg)) {
        const to = mirrorRef(slot.image, host);
        const other = seen.get(to);
        if (other && other.from !== slot.image)
            issues.push({ key: slot.key, message: `image '${slot.image}' and '${other.from}' (${other.key}) would both be ${to} in the mirror ${host} (${NS}:images.mirror drops the registry host); rename one repository` });
        const m = { key: slot.key, from: slot.image, to };
        if (!other) seen.set(to, m);
        slot.set(to);
        mapped.push(m);
    }
    return { mapped, issues };
}
