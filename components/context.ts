// What every component needs to name, label and log its resources (the stack's naming context),
// and the Docker runtime built from it. Components declare the rest of the model they read in
// their own args (a Pick of PlatformModel), never the whole model.
import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformModel } from "../config/model";
import { DockerRuntime } from "../runtime/docker";
import type { Runtime } from "../runtime/runtime";

export type StackContext = Pick<PlatformModel, "prefix" | "project" | "stack" | "logs">;

/**
 * What the Host (and components/hosts/) read of the model: naming, the host block, registry
 * credentials for the provider, the proxy's host names (DNS records) and ports (the hcloud
 * firewall), and each environment's kind (a production stack protects the hcloud Docker volume).
 */
export type HostModelContext = StackContext &
    Pick<PlatformModel, "host" | "images"> & {
        proxy: Pick<PlatformModel["proxy"], "hosts" | "ports">;
        environments: Pick<PlatformModel["environments"][number], "kind">[];
    };

/** Where a workload of a cluster runs when it is not a Swarm service: a node's engine (a pinned data service). */
export interface NodeEngine {
    provider: docker.Provider;
    dockerHost: pulumi.Input<string>;
}

/** Makes the runtime of one component's workloads (the Swarm runtime in a cluster), with `networks` by the names its specs use. */
export type RuntimeFactory = (parent: pulumi.Resource, networks: Record<string, docker.Network>) => Runtime;

/** The Docker runtime of one component's workloads: `networks` by the names its specs use. */
export function dockerRuntime(
    context: StackContext,
    provider: docker.Provider,
    networks: Record<string, docker.Network>,
    parent: pulumi.Resource,
    dockerHost?: pulumi.Input<string>,
): DockerRuntime {
    return new DockerRuntime({ prefix: context.prefix, project: context.project, stack: context.stack, logs: context.logs, provider, networks, parent, dockerHost });
}
