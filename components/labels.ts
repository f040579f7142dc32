import type * as docker from "@pulumi/docker";
import type { PlatformModel } from "../config/model";

/**
 * Docker labels on everything hostplane creates: they let operators (and Promtail's Docker
 * discovery) tell stacks, environments and services apart on a shared host.
 */
export function labelsFor(model: PlatformModel, extra: Record<string, string>): docker.types.input.ContainerLabel[] {
    const all: Record<string, string> = { "hostplane.project": model.project, "hostplane.stack": model.stack, ...extra };
    return Object.entries(all)
        .map(([k, v]) => ({ label: k.startsWith("hostplane.") ? k : `hostplane.${k}`, value: v }))
        .sort((a, b) => a.label.localeCompare(b.label));
}
