// The machines of a cluster beyond its first manager (which is the Platform's Host): each node's
// Docker engine (bootstrapped like a single ssh host), the swarm over all of them, and how
// workloads are placed: apps as Swarm services (runtime/swarm.ts) created on the first manager;
// a data service as a container on the one node its placement labels name, next to its volume.
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterModel } from "../config/cluster";
import type { DataServiceModel, PlatformModel } from "../config/model";
import { SwarmRuntime } from "../runtime/swarm";
import type { NodeEngine, RuntimeFactory } from "./context";
import { Host } from "./host";
import { SwarmHosts } from "./hosts/swarm";

export interface ClusterArgs {
    model: PlatformModel & { cluster: ClusterModel };
    /** The first manager: the Platform's host. */
    primary: Host;
    writeKeyFile: boolean;
}

export class ClusterNodes extends pulumi.ComponentResource {
    readonly swarm: SwarmHosts;
    /** Every node's engine, by node name. */
    readonly engines: Record<string, NodeEngine> = {};

    constructor(name: string, private readonly args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:host:Cluster", name, {}, opts);
        const { model, primary } = args;
        const cluster = model.cluster;
        const ready: Record<string, pulumi.Input<pulumi.Resource>[]> = { [cluster.primary]: primary.ready };
        this.engines[cluster.primary] = { provider: primary.provider, dockerHost: primary.dockerHost };
        for (const n of cluster.nodes.filter((x) => x.name !== cluster.primary)) {
            const host = new Host(`${model.prefix}-node-${n.name}`, { model: { ...model, host: n.host }, writeKeyFile: args.writeKeyFile }, { parent: this });
            this.engines[n.name] = { provider: host.provider, dockerHost: host.dockerHost };
            ready[n.name] = host.ready;
        }
        this.swarm = new SwarmHosts(
            `${model.prefix}-swarm`,
            { cluster, dockerHosts: Object.fromEntries(Object.entries(this.engines).map(([k, e]) => [k, e.dockerHost])), ready },
            { parent: this },
        );
        this.registerOutputs({});
    }

    /** Apps' runtime: Swarm services on the first manager. */
    runtime(provider: docker.Provider, dockerHost: pulumi.Input<string>): RuntimeFactory {
        const m = this.args.model;
        return (parent, networks) => new SwarmRuntime({ prefix: m.prefix, project: m.project, stack: m.stack, logs: m.logs, provider, networks, parent, dockerHost });
    }

    /** The node a data service is pinned to (validation made its labels name exactly one; a one-node cluster needs none). */
    nodeOf(service: DataServiceModel): NodeEngine {
        const cluster = this.args.model.cluster;
        const labels = service.settings.placement ?? [];
        const node = labels.length ? cluster.nodes.find((n) => labels.every((l) => n.labels.includes(l))) : cluster.nodes.find((n) => n.name === cluster.primary);
        if (!node) throw new Error(`data service ${service.environment}/${service.name}: no node carries ${labels.join(", ")}`);
        return this.engines[node.name];
    }
}
