// The runtime: realizes workload specs as resources. Components build specs (pure) and hand them
// to a runtime, so how a workload runs is decided in one place. Today's implementation is the
// single-host Docker runtime (runtime/docker.ts: one docker.Container, fixed name, health-gated
// wait; app revisions side by side with a drain step); a Swarm runtime (a docker.Service per
// spec, rolling update config) implements the same interface. Traffic takeover of app revisions
// stays with the proxy (render/upstreams.ts, switched explicitly after the new revision is
// ready), so a runtime only has to report when a workload is ready and name its revision.
import type * as pulumi from "@pulumi/pulumi";
import type { WorkloadSpec } from "../spec/workload";

/** A realized workload: dependents wait for `ready`; `id` changes whenever it is replaced. */
export interface Workload {
    ready: pulumi.Resource;
    id: pulumi.Output<string>;
    /** The name the runtime gave it (a container name, a Swarm service name). */
    name: pulumi.Output<string>;
}

/** The generated secret values a spec's secret files are built from, by name. */
export type SecretInputs = Record<string, pulumi.Input<string>>;

/** A one-off shell step run inside a ready workload (MinIO's buckets): `sh -c <script>`. */
export interface Step {
    /** Resource name. */
    name: string;
    script: string;
    /** A change to any of these (or a replaced workload) reruns the step. */
    triggers: string[];
}

/** A revision of a revisioned workload (WorkloadSpec.revision): its id and, when routed, its alias. */
export interface Revision {
    resource: pulumi.Resource;
    id: pulumi.Output<string>;
    /** <alias>-<revision>: what the proxy switches to once the revision is healthy. */
    alias?: pulumi.Output<string>;
}

/** What only the deployment knows: the image as resolved (a digest pin), the revision to run. */
export interface RunWith {
    image?: pulumi.Input<string>;
    revision?: Revision;
}

export interface Runtime {
    /** Realizes one spec once every resource in `after` is ready; secret files are built from `secrets`. */
    run(spec: WorkloadSpec, after: pulumi.Input<pulumi.Resource>[], secrets?: SecretInputs, use?: RunWith): Workload;
    /** The next revision of a revisioned workload; run it with `use.revision`. */
    revision(spec: WorkloadSpec, secrets: SecretInputs, image: pulumi.Input<string>): Revision;
    /** Runs a step inside a realized workload once it is ready. */
    exec(w: Workload, step: Step): pulumi.Resource;
}
