// The runtime: realizes workload specs as resources. Components build specs (pure) and hand them
// to a runtime, so how a workload runs is decided in one place. Today's implementation is the
// single-host Docker runtime (runtime/docker.ts: one docker.Container, fixed name, health-gated
// wait); a Swarm runtime (a docker.Service per spec, rolling update config) implements the same
// interface. Traffic takeover of app revisions stays with the proxy (render/upstreams.ts), so a
// runtime only has to report when a workload is ready.
import type * as pulumi from "@pulumi/pulumi";
import type { WorkloadSpec } from "../spec/workload";

/** A realized workload: dependents wait for `ready`; `id` changes whenever it is replaced. */
export interface Workload {
    ready: pulumi.Resource;
    id: pulumi.Output<string>;
}

export interface Runtime {
    /** Realizes one spec once every resource in `after` is ready. */
    run(spec: WorkloadSpec, after: pulumi.Input<pulumi.Resource>[]): Workload;
}
