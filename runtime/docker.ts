// The single-host Docker runtime: one docker.Container per workload spec, named
// <prefix>-<name>, on the stack's Docker provider. Fixed names mean a replacement deletes first
// (deleteBeforeReplace); app revisions, which run side by side, use components/app.ts.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { MountSpec, VolumeSpec, WorkloadSpec } from "../spec/workload";
import { containerBlockInput, healthcheckInput } from "../components/container-spec";
import { dockerLabels } from "../components/labels";
import type { Runtime, Workload } from "./runtime";

export interface DockerRuntimeArgs {
    prefix: string;
    project: string;
    stack: string;
    logs: { maxSize: string; maxFile: number };
    provider: docker.Provider;
    /** The networks workloads may join, by Docker network name. */
    networks: Record<string, docker.Network>;
    parent: pulumi.Resource;
}

export class DockerRuntime implements Runtime {
    private readonly volumes = new Map<string, docker.Volume>();
    constructor(private readonly args: DockerRuntimeArgs) {}

    private volume(v: VolumeSpec): docker.Volume {
        let vol = this.volumes.get(v.name);
        if (!vol) {
            const a = this.args;
            vol = new docker.Volume(v.name, { name: v.name, labels: dockerLabels(a.project, a.stack, v.labels) }, { parent: a.parent, provider: a.provider });
            this.volumes.set(v.name, vol);
        }
        return vol;
    }

    private mount(m: MountSpec): docker.types.input.ContainerMount {
        if (m.type === "volume") return { type: "volume", source: this.volume(m.volume).name, target: m.target };
        return { type: "bind", source: m.source, target: m.target, readOnly: m.readOnly, ...(m.propagation ? { bindOptions: { propagation: m.propagation } } : {}) };
    }

    run(spec: WorkloadSpec, after: pulumi.Input<pulumi.Resource>[]): Workload {
        const a = this.args;
        const networks = spec.networks.map((n) => {
            const net = a.networks[n.name];
            if (!net) throw new Error(`workload ${spec.name}: no network ${n.name}`);
            return { net, aliases: n.aliases };
        });
        const mounts = spec.mounts.map((m) => this.mount(m));
        const name = `${a.prefix}-${spec.name}`;
        const container = new docker.Container(
            name,
            {
                name,
                image: spec.image,
                command: spec.command,
                envs: spec.envs,
                ...(spec.user ? { user: spec.user } : {}),
                networksAdvanced: networks.map((n) => (n.aliases ? { name: n.net.name, aliases: n.aliases } : { name: n.net.name })),
                ports: [],
                mounts,
                hosts: spec.extraHosts,
                pidMode: spec.host?.pidMode,
                privileged: spec.host?.privileged,
                devices: spec.host?.devices,
                ...(spec.health ? { healthcheck: healthcheckInput(spec.health), wait: true, waitTimeout: spec.waitSeconds } : {}),
                ...containerBlockInput({
                    cpus: spec.cpus,
                    memoryMb: spec.memoryMb,
                    restart: spec.restart,
                    logs: a.logs,
                    labels: dockerLabels(a.project, a.stack, spec.labels),
                    graceSeconds: spec.graceSeconds,
                }),
            },
            { parent: a.parent, provider: a.provider, dependsOn: [...networks.map((n) => n.net), ...after], deleteBeforeReplace: true },
        );
        return { ready: container, id: container.id };
    }
}
