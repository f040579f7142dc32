// The single-host Docker runtime: one docker.Container per workload spec, named
// <prefix>-<name>, on the stack's Docker provider. Fixed names mean a replacement deletes first
// (deleteBeforeReplace); app revisions, which run side by side, use components/app.ts.
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "crypto";
import { revisionAlias } from "../config/model";
import type { FileSpec, MountSpec, VolumeSpec, WorkloadSpec } from "../spec/workload";
import { containerBlockInput, healthcheckInput } from "../components/container-spec";
import { dockerLabels } from "../components/labels";
import { dockerCliEnv } from "../components/hosts/ssh-client";
import { shellQuoteAlways } from "../lib/shell";
import type { Revision, RunWith, Runtime, SecretInputs, Step, Workload } from "./runtime";
import { attach, drainStep } from "./drain";

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

/** Plain entries as they are; with a secret entry the list is one secret Output (order kept). */
function envInput(envs: WorkloadSpec["envs"], secrets: SecretInputs): pulumi.Input<pulumi.Input<string>[]> | undefined {
    if (!envs || envs.every((e) => typeof e === "string")) return envs as string[] | undefined;
    return pulumi.all(envs.map((e) => (typeof e === "string" ? pulumi.output(e) : secretContent((v) => `${e.name}=${e.secret(v)}`, secrets))));
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
            envs: envInput(spec.envs, secrets),
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

    /**
     * A revisioned workload's revision id (before the workload: a migration may run under it): it
     * changes with the spec hash, the named secrets' values (a digest, itself secret) or the image.
     */
    revision(spec: WorkloadSpec, secrets: SecretInputs, image: pulumi.Input<string>): Revision {
        const r = spec.revision;
        if (!r) throw new Error(`workload ${spec.name} has no revisions`);
        const digest = pulumi.all(r.secrets.map((n) => secrets[n])).apply((vals) => createHash("sha256").update(vals.join("\0")).digest("hex"));
        const id = new random.RandomId(`${this.args.prefix}-${spec.name}-revision`, { byteLength: 4, keepers: { spec: r.specHash, secrets: digest, image } }, { parent: this.args.parent });
        const alias = spec.networks[0]?.aliases?.[0];
        return { resource: id, id: id.hex, ...(r.routed && alias ? { alias: id.hex.apply((hex) => revisionAlias(alias, hex)) } : {}) };
    }

    run(spec: WorkloadSpec, after: pulumi.Input<pulumi.Resource>[], secrets: SecretInputs = {}, use: RunWith = {}): Workload {
        const a = this.args;
        const { rev, networks, base, name } = attach(spec, a.prefix, a.networks, use);
        const container = new docker.Container(
            spec.resourceName ?? base,
            {
                name: rev ? name : base,
                ...this.processInputs(spec, secrets),
                ...(use.image === undefined ? {} : { image: use.image }),
                ...(networks.length ? { networksAdvanced: networks.map((n) => (n.aliases ? { name: n.net.name, aliases: n.aliases } : { name: n.net.name })) } : {}),
                ...(spec.publish ? { ports: spec.publish.map((p) => ({ internal: p.internal, external: p.external, ip: p.ip ?? "127.0.0.1", protocol: "tcp" })) } : {}),
                ...(spec.mounts ? { mounts: spec.mounts.map((m) => this.mount(m)) } : {}),
                ...containerBlockInput({
                    cpus: spec.cpus,
                    memoryMb: spec.memoryMb,
                    restart: spec.restart,
                    logs: a.logs,
                    labels: [...dockerLabels(a.project, a.stack, spec.labels), ...(rev ? [{ label: "hostplane.revision", value: rev.id }] : [])],
                    graceSeconds: spec.graceSeconds,
                }),
            },
            {
                parent: a.parent,
                provider: a.provider,
                dependsOn: [...networks.map((n) => n.net), ...after],
                ...(spec.deleteFirst === undefined ? {} : { deleteBeforeReplace: spec.deleteFirst }),
                ...(spec.ignoreChanges ? { ignoreChanges: spec.ignoreChanges } : {}),
            },
        );
        if (spec.revision) drainStep(a.parent, base, spec.revision.drainSeconds, name, container);
        return { ready: container, id: container.id, name: container.name };
    }

    /**
     * `docker exec <container> sh -c '<script>'`, rerun when the container or a trigger changes. The
     * script is quoted (lib/shell.ts): quotes inside it (SeaweedFS's `weed shell` input) stay its own.
     */
    exec(w: Workload, step: Step): pulumi.Resource {
        const a = this.args;
        if (a.dockerHost === undefined) throw new Error(`step ${step.name}: the runtime has no dockerHost`);
        return new command.local.Command(
            step.name,
            {
                create: pulumi.interpolate`docker exec ${w.name} sh -c ${pulumi.output(step.script).apply(shellQuoteAlways)}`,
                environment: dockerCliEnv(a.dockerHost),
                triggers: [w.id, ...step.triggers],
            },
            { parent: a.parent, dependsOn: [w.ready] },
        );
    }
}
