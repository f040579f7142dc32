// Networks: one bridge network per environment plus the monitoring network, created before
// anything attaches to them (the "network declared as external, but could not be found" fix).
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformModel } from "../config/model";
import { labelsFor } from "./labels";

export interface NetworksArgs {
    model: Pick<PlatformModel, "project" | "stack" | "environments" | "monitoringNetworkName" | "cluster">;
    provider: docker.Provider;
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class Networks extends pulumi.ComponentResource {
    /** Keyed by environment name. */
    readonly environments: Record<string, docker.Network> = {};
    readonly monitoring: docker.Network;

    constructor(name: string, args: NetworksArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:network:Networks", name, {}, opts);
        const { model } = args;
        const childOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
        const kind = driverOf(model.cluster);
        for (const env of model.environments) {
            this.environments[env.name] = new docker.Network(env.networkName, { name: env.networkName, ...kind, labels: labelsFor(model, { environment: env.name }) }, childOpts);
        }
        this.monitoring = new docker.Network(model.monitoringNetworkName, { name: model.monitoringNetworkName, ...kind, labels: labelsFor(model, { environment: "monitoring" }) }, childOpts);
        this.registerOutputs({
            names: Object.fromEntries(Object.entries(this.environments).map(([k, n]) => [k, n.name])),
            monitoring: this.monitoring.name,
        });
    }
}

/**
 * A bridge on one host. In a cluster: an overlay spanning the nodes, attachable (pinned data
 * services, the proxy and migration jobs are plain containers on their node that join it), with
 * IPsec encryption between nodes unless the cluster turns it off.
 */
function driverOf(cluster: PlatformModel["cluster"]): Pick<docker.NetworkArgs, "driver" | "attachable" | "options"> {
    if (!cluster) return { driver: "bridge" };
    return { driver: "overlay", attachable: true, ...(cluster.encrypted ? { options: { encrypted: "true" } } : {}) };
}
