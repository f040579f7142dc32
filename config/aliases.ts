// Network aliases are how containers find each other (Docker's DNS), so two containers with one
// alias get each other's traffic: an app named `postgres-pgbouncer` would receive the database
// credentials meant for PgBouncer. Every alias hostplane generates is collected here, platform
// ones first, and must be unique across the stack (the proxy and Prometheus join several
// networks) and fit in one DNS label.
import type { ConfigIssue } from "./errors";
import type { StackConfigParsed } from "./schema";
import { ENDPOINTS } from "./monitoring-schema";
import { REVISION_SUFFIX_LENGTH } from "./model";
import { kindOf } from "../catalog";

/** RFC 1035: a label (an alias is one) has at most 63 characters. */
export const DNS_LABEL_MAX = 63;

interface AliasOwner {
    alias: string;
    /** How messages name the owner: production/postgres (pgbouncer). */
    owner: string;
    /** Config path of what the user can rename; none for platform aliases. */
    path?: PropertyKey[];
    kind?: "environment or app" | "environment or service";
    /** Characters appended at deploy time: "-<revision>" of a routed app (the proxy's cutover target). */
    suffix?: number;
}

function allAliases(cfg: StackConfigParsed): AliasOwner[] {
    const out: AliasOwner[] = Object.entries(ENDPOINTS).map(([svc, e]) => ({ alias: e.alias, owner: `monitoring/${svc}` }));
    for (const [envName, env] of Object.entries(cfg.environments)) {
        for (const [name, svc] of Object.entries(env.services)) {
            const path = ["environments", envName, "services", name];
            const kind = "environment or service" as const;
            out.push({ alias: `${envName}-${name}`, owner: `${envName}/${name}`, path, kind });
            // Sidecar aliases a data service of each kind may add: <alias>-<role> (catalog/<kind>.ts sidecars).
            for (const role of kindOf(svc.type).sidecars) out.push({ alias: `${envName}-${name}-${role}`, owner: `${envName}/${name} (${role})`, path, kind });
        }
        // An app named like a service is reported as such by validate.ts: no second message here.
        for (const [name, app] of Object.entries(env.apps).filter(([n]) => !Object.hasOwn(env.services, n)))
            out.push({
                alias: `${envName}-${name}`,
                owner: `${envName}/${name}`,
                path: ["environments", envName, "apps", name],
                kind: "environment or app",
                suffix: app.routes.length > 0 ? REVISION_SUFFIX_LENGTH : 0,
            });
    }
    return out;
}

export function aliasIssues(cfg: StackConfigParsed, key: (path: PropertyKey[]) => string): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const seen = new Map<string, string>();
    const reported = new Set<string>();
    for (const a of allAliases(cfg)) {
        const where = a.path ? key(a.path) : undefined;
        const max = DNS_LABEL_MAX - (a.suffix ?? 0);
        if (where && a.alias.length > max && !reported.has(where)) {
            reported.add(where);
            const why = a.suffix ? `one DNS label with the -<revision> suffix the proxy switches to` : "one DNS label";
            issues.push({ key: where, message: `network alias ${a.alias} has ${a.alias.length} characters; expected at most ${max} (${why}): shorten the ${a.kind} name` });
        }
        const prev = seen.get(a.alias);
        if (prev === undefined) seen.set(a.alias, a.owner);
        else if (where && !reported.has(where)) {
            reported.add(where);
            issues.push({ key: where, message: `network alias ${a.alias} is already the alias of ${prev}; expected every alias to be unique (containers find each other by it)` });
        }
    }
    return issues;
}
