// A cluster: several hosts as one Docker Swarm (hostplane:cluster, instead of hostplane:host).
// The rules a cluster must meet before anything is created (an odd number of managers, labels
// that exist, stateful services pinned to one node) and its plain model. Single-host stacks have
// no cluster and none of this applies to them, except that replicas and placement need one.
import type { ConfigIssue } from "./errors";
import type { ClusterConfig, HostConfig, StackConfigParsed, StackConfigRaw } from "./schema";

export interface ClusterNodeModel {
    name: string;
    role: "manager" | "worker";
    labels: string[];
    host: HostConfig;
    advertiseAddress?: string;
}

export interface ClusterModel {
    /** In config order; `primary` is the first manager: swarm init runs there and Pulumi talks Docker to it. */
    nodes: ClusterNodeModel[];
    primary: string;
    /** Overlay networks with IPsec encryption between nodes. */
    encrypted: boolean;
}

/** The label whose nodes run the proxy (publishing 80/443 in host mode). */
export const EDGE_LABEL = "edge";

type Key = (path: ReadonlyArray<PropertyKey>) => string;

/** The first manager of a cluster: the Docker endpoint for services, secrets and networks. */
export function primaryNode(cluster: ClusterConfig): ClusterConfig["nodes"][number] | undefined {
    return cluster.nodes.find((n) => n.role === "manager");
}

/**
 * The config as the program sees it: `host` is the single host, or a cluster's first manager.
 * Undefined (with issues) when neither gives a host.
 */
export function withPrimaryHost(cfg: StackConfigRaw, key: Key): { cfg?: StackConfigParsed; issues: ConfigIssue[] } {
    if (cfg.host && cfg.cluster)
        return { issues: [{ key: key(["cluster"]), message: "is set together with host; expected one of them: host for one machine, cluster for several" }] };
    if (cfg.host) return { cfg: { ...cfg, host: cfg.host }, issues: [] };
    if (!cfg.cluster) return { issues: [{ key: key(["host"]), message: "is required; expected host ({provider: local|ssh|hcloud, …}) or cluster ({nodes: […]})" }] };
    const primary = primaryNode(cfg.cluster);
    if (!primary) return { issues: managerIssues(cfg.cluster, key) };
    return { cfg: { ...cfg, host: primary.host }, issues: [] };
}

/** Roles, names, addresses and how nodes are reached. */
export function clusterIssues(cfg: Pick<StackConfigRaw, "cluster" | "images">, key: Key): ConfigIssue[] {
    const cluster = cfg.cluster;
    if (!cluster) return [];
    const issues: ConfigIssue[] = [...(primaryNode(cluster) ? managerIssues(cluster, key) : [])];
    if (cfg.images.source === "local-build")
        issues.push({ key: key(["images", "source"]), message: "got local-build with a cluster; expected registry (local builds land on one engine only, every node must pull the same images)" });
    const seen = new Map<string, number>();
    cluster.nodes.forEach((n, i) => {
        const at = (...p: PropertyKey[]) => key(["cluster", "nodes", i, ...p]);
        const prev = seen.get(n.name);
        if (prev !== undefined) issues.push({ key: at("name"), message: `'${n.name}' is also the name of nodes[${prev}]; expected unique node names` });
        else seen.set(n.name, i);
        // Creating servers per node (names, firewall between members) is not built yet.
        if (n.host.provider === "hcloud")
            issues.push({ key: at("host", "provider"), message: `got hcloud; this version joins existing hosts only: expected ssh (create the servers first, or use host.provider hcloud for one machine)` });
        if (n.host.provider === "local" && cluster.nodes.length > 1)
            issues.push({ key: at("host", "provider"), message: `got local in a cluster of ${cluster.nodes.length} nodes; expected ssh or hcloud (a local engine is a valid one-node cluster only)` });
    });
    const addresses = new Map<string, string>();
    for (const n of cluster.nodes) {
        const addr = n.host.provider === "ssh" ? `${n.host.address}:${n.host.port}` : undefined;
        if (addr && addresses.has(addr))
            issues.push({ key: key(["cluster", "nodes"]), message: `nodes ${addresses.get(addr)} and ${n.name} are both ${addr}; expected one node per machine` });
        else if (addr) addresses.set(addr, n.name);
    }
    return issues;
}

/** At least one manager, and an odd number of them (Raft needs a majority). */
function managerIssues(cluster: ClusterConfig, key: Key): ConfigIssue[] {
    const managers = cluster.nodes.filter((n) => n.role === "manager").map((n) => n.name);
    if (managers.length === 0)
        return [{ key: key(["cluster", "nodes"]), message: `has no manager (nodes: ${cluster.nodes.map((n) => n.name).join(", ")}); expected at least one node with role: manager` }];
    if (managers.length % 2 === 0)
        return [
            {
                key: key(["cluster", "nodes"]),
                message: `has ${managers.length} managers (${managers.join(", ")}); expected an odd number (1, 3, 5): Raft needs a majority, and ${managers.length} managers tolerate no more failures than ${managers.length - 1}`,
            },
        ];
    return [];
}

export function clusterModel(cluster: ClusterConfig): ClusterModel {
    const primary = primaryNode(cluster);
    if (!primary) throw new Error("cluster without a manager (validation should have caught it)");
    return {
        nodes: cluster.nodes.map((n) => ({ name: n.name, role: n.role, labels: [...n.labels], host: n.host, ...(n.advertiseAddress ? { advertiseAddress: n.advertiseAddress } : {}) })),
        primary: primary.name,
        encrypted: cluster.encrypted,
    };
}
