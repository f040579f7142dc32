// Where workloads may run: replicas and placement of apps and data services, checked against the
// cluster's nodes. A single host runs one container per workload, so replicas above 1 and
// placement need a cluster; a data service is stateful (its volume lives on one node), so it runs
// one task, pinned by labels exactly one node carries.
import type { ConfigIssue } from "./errors";
import { EDGE_LABEL } from "./cluster";
import type { ClusterConfig, StackConfigRaw } from "./schema";

type Key = (path: ReadonlyArray<PropertyKey>) => string;

/** The nodes carrying every label of `labels`. */
export function nodesWith(cluster: ClusterConfig, labels: string[]): string[] {
    return cluster.nodes.filter((n) => labels.every((l) => n.labels.includes(l))).map((n) => n.name);
}

export function placementIssues(cfg: StackConfigRaw, key: Key): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const [envName, env] of Object.entries(cfg.environments)) {
        for (const [appName, app] of Object.entries(env.apps)) {
            const at = (...p: PropertyKey[]) => key(["environments", envName, "apps", appName, ...p]);
            issues.push(...workloadIssues(cfg.cluster, app, at, "an app"));
        }
        for (const [svcName, svc] of Object.entries(env.services)) {
            const at = (...p: PropertyKey[]) => key(["environments", envName, "services", svcName, ...p]);
            if (svc.replicas !== undefined && svc.replicas > 1)
                issues.push({ key: at("replicas"), message: `got ${svc.replicas}; a ${svc.type} data service is stateful (one volume on one node) and runs single-instance: expected 1 (or leave it out)` });
            issues.push(...workloadIssues(cfg.cluster, { placement: svc.placement }, at, "a data service"), ...pinIssues(cfg.cluster, svc.placement, at));
        }
    }
    if (cfg.cluster && nodesWith(cfg.cluster, [EDGE_LABEL]).length === 0)
        issues.push({ key: key(["cluster", "nodes"]), message: `no node has the label '${EDGE_LABEL}'; expected at least one: the proxy runs on edge nodes, publishing its ports there` });
    else if (cfg.cluster) issues.push(...edgeIssues(cfg.cluster, key));
    return issues;
}

/** This version runs the proxy on the first manager (the engine Pulumi talks to): it must be an edge node. */
function edgeIssues(cluster: ClusterConfig, key: Key): ConfigIssue[] {
    const i = cluster.nodes.findIndex((n) => n.role === "manager");
    if (i < 0 || cluster.nodes[i].labels.includes(EDGE_LABEL)) return [];
    return [{ key: key(["cluster", "nodes", i, "labels"]), message: `node ${cluster.nodes[i].name} is the first manager, where this version runs the proxy; expected it to carry '${EDGE_LABEL}'` }];
}

/** replicas and placement need a cluster; placement labels must exist on some node. */
function workloadIssues(cluster: ClusterConfig | undefined, w: { replicas?: number; placement?: string[] }, at: (...p: PropertyKey[]) => string, what: string): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (!cluster) {
        if (w.replicas !== undefined && w.replicas > 1)
            issues.push({ key: at("replicas"), message: `got ${w.replicas}; a single host runs one container of ${what} (its revisions roll side by side): expected 1, or declare hostplane:cluster` });
        if (w.placement) issues.push({ key: at("placement"), message: `is set, but the stack has one host; expected placement only with hostplane:cluster` });
        return issues;
    }
    const known = [...new Set(cluster.nodes.flatMap((n) => n.labels))].sort();
    for (const label of w.placement ?? [])
        if (!known.includes(label))
            issues.push({ key: at("placement"), message: `label '${label}' is on no node; expected one of the cluster's node labels: ${known.join(", ") || "(none: add labels to cluster.nodes)"}` });
    if (w.placement && known.length > 0 && w.placement.every((l) => known.includes(l)) && nodesWith(cluster, w.placement).length === 0)
        issues.push({ key: at("placement"), message: `no node carries all of ${w.placement.join(", ")}; expected labels one node has together` });
    return issues;
}

/** In a cluster of several nodes a data service is pinned: its labels name exactly one node. */
function pinIssues(cluster: ClusterConfig | undefined, placement: string[] | undefined, at: (...p: PropertyKey[]) => string): ConfigIssue[] {
    if (!cluster || cluster.nodes.length < 2) return [];
    if (!placement)
        return [{ key: at("placement"), message: `is required in a cluster of ${cluster.nodes.length} nodes: a data service keeps its volume on one node; expected labels exactly one node has, like [data]` }];
    const nodes = nodesWith(cluster, placement);
    if (nodes.length > 1)
        return [{ key: at("placement"), message: `${placement.join(", ")} matches ${nodes.length} nodes (${nodes.join(", ")}); expected labels exactly one node has: its volume stays on that node` }];
    return [];
}
