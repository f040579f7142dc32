// The workload spec of an app (pure): one revision of it. Unlike the other workloads an app runs
// side by side with its previous revision during a rollout (spec.revision): the runtime names each
// revision <prefix>-<env>-<app>-<revision>, gives a routed one its own alias (the proxy's cutover
// target, render/upstreams.ts) and drains the replaced one. See components/app.ts.
import { createHash } from "crypto";
import type { AppModel, PlatformModel } from "../config/model";
import { dockerLabels, routesLabel } from "../components/labels";
import type { EnvEntry, WorkloadSpec } from "./workload";

/** A stable short hash of plain data. */
export function specHash(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 12);
}

/** The app's labels without the revision (the runtime appends hostplane.revision). */
const appLabels = (app: AppModel) => ({ environment: app.environment, service: app.name, kind: "app", ...routesLabel(app.routes) });

/**
 * Plain env plus, per secret, NAME_FILE=<path> (file delivery) or NAME=<value> (env delivery, a
 * secret entry), sorted by name (the order Docker is given and reads back).
 */
function appEnv(app: AppModel): EnvEntry[] {
    const entries: { key: string; entry: EnvEntry }[] = [
        ...Object.entries(app.env).map(([k, v]) => ({ key: `${k}=`, entry: `${k}=${v}` })),
        ...app.secrets.map((s) => ({ key: `${s.name}=`, entry: app.secretDelivery === "file" ? `${s.name}_FILE=${s.filePath}` : { name: s.name, secret: (v: Record<string, string>) => v[s.name] } })),
    ];
    // Sorting "NAME=" keys orders the entries exactly as sorting the full "NAME=value" strings.
    const key = (e: { key: string; entry: EnvEntry }) => (typeof e.entry === "string" ? e.entry.slice(0, e.entry.indexOf("=") + 1) : e.key);
    return entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map((e) => e.entry);
}

export function appWorkload(app: AppModel, model: Pick<PlatformModel, "project" | "stack" | "logs" | "drainSeconds">): WorkloadSpec {
    // Secret files are uploaded root-owned. Setting an upload owner makes the provider copy with
    // CopyUIDGID, which Docker 20.10 (Debian 12's docker.io) resolves against the *host's* passwd
    // and fails ("getent unable to find entry"). So: 0400 for a root process, 0444 when the app
    // runs as another user (readable inside its own container only; nothing else shares it).
    const secretMode = app.user && !/^(0|root)(:|$)/.test(app.user) ? "0444" : "0400";
    const labels = appLabels(app);
    return {
        name: app.alias,
        resourceName: `${app.containerBaseName}-container`,
        image: app.image,
        ...(app.command ? { command: app.command } : {}),
        ...(app.user ? { user: app.user } : {}),
        envs: appEnv(app),
        files: app.secretDelivery === "file" ? app.secrets.map((s) => ({ path: s.filePath, content: { secret: (v: Record<string, string>) => v[s.name] }, permissions: secretMode })) : [],
        networks: [{ name: app.environment, aliases: [app.alias] }],
        publish: app.hostPort ? [{ internal: app.port, external: app.hostPort }] : [],
        health: app.healthcheck,
        waitSeconds: Math.ceil(app.healthcheck.worstCaseSeconds) + 30,
        cpus: app.cpus,
        memoryMb: app.memoryMb,
        restart: app.restart,
        labels,
        graceSeconds: 30,
        // Cluster only (absent on a single host): the Swarm service's tasks and where they run.
        ...(app.replicas === undefined ? {} : { replicas: app.replicas }),
        ...(app.placement ? { placement: app.placement } : {}),
        // A published host port cannot be held by two containers at once, so an app with
        // hostPort (never in production) is replaced stop-then-start. Routed traffic goes
        // through the proxy and the shared alias, where replacement is create-before-delete.
        deleteFirst: app.hostPort !== undefined,
        revision: {
            // The hash the revision id keeps: a changed spec, label or log setting rolls the app.
            // replicas is left out: scaling a Swarm service is an in-place update, not a new revision.
            specHash: specHash({ app: { ...app, replicas: undefined }, labels: dockerLabels(model.project, model.stack, labels), logs: model.logs }),
            secrets: app.secrets.map((s) => s.name),
            routed: app.routes.length > 0,
            drainSeconds: model.drainSeconds,
        },
    };
}
