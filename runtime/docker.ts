// The single-host Docker runtime: one docker.Container per workload spec, named
// <prefix>-<name>, on the stack's Docker provider. Fixed names mean a replacement deletes first
// (deleteBeforeReplace); app revisions, which run side by side, use components/app.ts.
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { FileSpec, MountSpec, VolumeSpec, WorkloadSpec } from "../spec/workload";
import { containerBlockInput, healthcheckInput } from "../components/container-spec";
import { dockerLabels } from "../components/labels";
import { dockerCliEnv } from "../components/hosts/ssh-client";
import type { Runtime, SecretInputs, Step, Workload } from "./runtime";

export interface DockerRuntimeArgs {
    prefix: string;
    project: string;
    stack: string;
    logs: { maxSize: string; maxFile: number };
    provider: docker.Provider;
    /** The networks workloads may join, by the name specs use for them. */
    networks: Record<string, docker.Network>;
    parent: pulumi.Resource;
    /** DOCKER_HOST of the docker CLI for steps (exec); needed only when steps are run. */
    dockerHost?: pulumi.Input<string>;
}

/** A file as the provider uploads it; secret content is built from the secret values, and stays secret. */
function upload(f: FileSpec, secrets: SecretInputs): docker.types.input.ContainerUpload {
    const content = typeof f.content === "string" ? f.content : secretContent(f.content.secret, secrets);
    return {
        file: f.path,
        content,
        ...(f.permissions ? { permissions: f.permissions } : {}),
        ...(f.owner ? { owner: f.owner, group: f.owner } : {}),
        ...(f.executable === undefined ? {} : { executable: f.executable }),
    };
}

function secretContent(render: (v: Record<string, string>) => string, secrets: SecretInputs): pulumi.Output<string> {
    return pulumi.secret(pulumi.all(secrets).apply((v) => render(v as Record<string, string>)));
}

export class DockerRuntime implements Runtime {
    private readonly volumes = new Map<string, docker.Volume>();
    constructor(private readonly args: DockerRuntimeArgs) {}

    /** The volume of a spec (created once, by its name), after `after` when given. */
    volume(v: VolumeSpec, after: pulumi.Input<pulumi.Resource>[] = []): docker.Volume {
        let vol = this.volumes.get(v.name);
        if (!vol) {
            const a = this.args;
            const opts: pulumi.CustomResourceOptions = { parent: a.parent, provider: a.provider, ...(after.length ? { dependsOn: after } : {}), ...(v.protect ? { protect: true } : {}) };
            vol = new docker.Volume(v.resourceName ?? v.name, { name: v.name, labels: dockerLabels(a.project, a.stack, v.labels) }, opts);
            this.volumes.set(v.name, vol);
        }
        return vol;
    }

    private mount(m: MountSpec): docker.types.input.ContainerMount {
        if (m.type === "volume") return { type: "volume", source: this.volume(m.volume).name, target: m.target, ...(m.readOnly === undefined ? {} : { readOnly: m.readOnly }) };
        return { type: "bind", source: m.source, target: m.target, readOnly: m.readOnly, ...(m.propagation ? { bindOptions: { propagation: m.propagation } } : {}) };
    }

    /** What a spec says about the process and its files, as container inputs. */
    private processInputs(spec: WorkloadSpec, secrets: SecretInputs) {
        return {
            image: spec.image,
            entrypoints: spec.entrypoint,
            command: spec.command,
            envs: spec.envs,
            user: spec.user,
            ...(spec.files ? { uploads: spec.files.map((f) => upload(f, secrets)) } : {}),
            ...(spec.hostDirs ? { volumes: spec.hostDirs.map((d) => ({ hostPath: d.hostPath, containerPath: d.containerPath })) } : {}),
            hosts: spec.extraHosts,
            pidMode: spec.host?.pidMode,
            privileged: spec.host?.privileged,
            devices: spec.host?.devices,
            ...(spec.health ? { healthcheck: healthcheckInput(spec.health) } : {}),
            ...(spec.health && spec.waitSeconds !== undefined ? { wait: true, waitTimeout: spec.waitSeconds } : {}),
        };
    }

    run(spec: WorkloadSpec, after: pulumi.Input<pulumi.Resource>[], secrets: SecretInputs = {}): Workload {
        const a = this.args;
        const networks = spec.networks.map((n) => {
            const net = a.networks[n.name];
            if (!net) throw new Error(`workload ${spec.name}: no network ${n.name}`);
            return { net, aliases: n.aliases };
        });
        const mounts = spec.mounts.map((m) => this.mount(m));
        const name = `${a.prefix}-${spec.name}`;
        const container = new docker.Container(
            spec.resourceName ?? name,
            {
                name,
                ...this.processInputs(spec, secrets),
                ...(networks.length ? { networksAdvanced: networks.map((n) => (n.aliases ? { name: n.net.name, aliases: n.aliases } : { name: n.net.name })) } : {}),
                ...(spec.publish ? { ports: spec.publish.map((p) => ({ internal: p.internal, external: p.external, ip: p.ip ?? "127.0.0.1", protocol: "tcp" })) } : {}),
                mounts,
                ...containerBlockInput({
                    cpus: spec.cpus,
                    memoryMb: spec.memoryMb,
                    restart: spec.restart,
                    logs: a.logs,
                    labels: dockerLabels(a.project, a.stack, spec.labels),
                    graceSeconds: spec.graceSeconds,
                }),
            },
            {
                parent: a.parent,
                provider: a.provider,
                dependsOn: [...networks.map((n) => n.net), ...after],
                ...(spec.deleteFirst === false ? {} : { deleteBeforeReplace: true }),
                ...(spec.ignoreChanges ? { ignoreChanges: spec.ignoreChanges } : {}),
            },
        );
        return { ready: container, id: container.id, name: container.name };
    }

    /** `docker exec <container> sh -c '<script>'`, rerun when the container or a trigger changes. */
    exec(w: Workload, step: Step): pulumi.Resource {
        const a = this.args;
        if (a.dockerHost === undefined) throw new Error(`step ${step.name}: the runtime has no dockerHost`);
        return new command.local.Command(
            step.name,
            {
                create: pulumi.interpolate`docker exec ${w.name} sh -c '${step.script}'`,
                environment: dockerCliEnv(a.dockerHost),
                triggers: [w.id, ...step.triggers],
            },
            { parent: a.parent, dependsOn: [w.ready] },
        );
    }
}
