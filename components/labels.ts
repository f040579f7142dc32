import type * as docker from "@pulumi/docker";
import type { PlatformModel, RouteModel } from "../config/model";

/** How a route is guarded, as the policy pack reads it (policy/rules.ts adminToolsGuarded). */
export function routeAccess(r: Pick<RouteModel, "basicAuth" | "allowFrom" | "public">): "basic-auth" | "allow-list" | "public" | "open" {
    if (r.basicAuth) return "basic-auth";
    if (r.allowFrom?.length) return "allow-list";
    return r.public ? "public" : "open";
}

/** `hostplane.routes`: every route of an app as host/path=access, space-separated; none without routes. */
export function routesLabel(routes: RouteModel[]): Record<string, string> {
    return routes.length ? { routes: routes.map((r) => `${r.host}${r.path}=${routeAccess(r)}`).join(" ") } : {};
}

/**
 * Docker labels on everything hostplane creates: they let operators (and Promtail's Docker
 * discovery) tell stacks, environments and services apart on a shared host.
 */
export function labelsFor(model: Pick<PlatformModel, "project" | "stack">, extra: Record<string, string>): docker.types.input.ContainerLabel[] {
    return dockerLabels(model.project, model.stack, extra);
}

/** hostplane.project/stack plus `extra` (keys get the hostplane. prefix), sorted by label. */
export function dockerLabels(project: string, stack: string, extra: Record<string, string>): docker.types.input.ContainerLabel[] {
    const all: Record<string, string> = { "hostplane.project": project, "hostplane.stack": stack, ...extra };
    return Object.entries(all)
        .map(([k, v]) => ({ label: k.startsWith("hostplane.") ? k : `hostplane.${k}`, value: v }))
        .sort((a, b) => a.label.localeCompare(b.label));
}
