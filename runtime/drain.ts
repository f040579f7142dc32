// How a workload joins its networks and the drain step of a revisioned workload, shared by the single-host runtime (a container per
// revision) and the Swarm runtime (a service per revision).
import * as command from "@pulumi/command";
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadSpec } from "../spec/workload";
import type { RunWith } from "./runtime";

/**
 * The revision a spec runs under (a revisioned spec must have one), its networks with their
 * aliases, and its name: <prefix>-<name>, with -<revision> for a revision.
 */
export function attach(spec: WorkloadSpec, prefix: string, known: Record<string, docker.Network>, use: RunWith) {
    const rev = use.revision;
    if (spec.revision && !rev) throw new Error(`workload ${spec.name}: a revisioned workload runs under runtime.revision()`);
    const networks = spec.networks.map((n, i) => {
        const net = known[n.name];
        if (!net) throw new Error(`workload ${spec.name}: no network ${n.name}`);
        // A routed revision is also reachable under its own alias on its own network.
        return { net, aliases: i === 0 && rev?.alias && n.aliases ? [...n.aliases, rev.alias] : n.aliases };
    });
    const base = `${prefix}-${spec.name}`;
    return { rev, networks, base, name: rev ? pulumi.interpolate`${base}-${rev.id}` : pulumi.output(base) };
}

// Draining a replaced revision, in two phases. create (new revision up): both revisions
// carry the shared alias for drainSeconds, so callers inside the network that resolve it
// (other apps; the proxy does not, it targets revision aliases) find the new one. delete
// (the old revision's drain step, which Pulumi runs at the end of the update, after the
// proxy switched and reloaded, and just before it stops the old container): the old
// revision stays up and on the network for drainSeconds, so requests it already holds
// (the proxy's old workers finishing theirs) complete; then Pulumi stops it. It is never
// taken off the network first: a caller holding its address gets a refused connection
// (fails fast, retried elsewhere) instead of packets into nowhere (hangs).
export function drainStep(parent: pulumi.Resource, base: string, drainSeconds: number, containerName: pulumi.Output<string>, container: pulumi.Resource): void {
    new command.local.Command(
        `${base}-drain`,
        { create: `sleep ${drainSeconds}`, delete: `sleep ${drainSeconds}`, triggers: [containerName] },
        { parent, dependsOn: [container] },
    );
}
