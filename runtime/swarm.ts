// The Swarm runtime: realizes the same workload specs as the single-host runtime, as Docker Swarm
// services on a cluster's first manager. One spec is one docker.Service:
//   - endpoint_mode dnsrr (no virtual IP: nginx and other callers resolve every task through
//     Docker's DNS; the kernels we run on may lack IPVS), published ports in host mode;
//   - update_config start-first with failure_action rollback (a stateful workload with a volume
//     goes stop-first: two tasks must never share its data), rollback_config, the monitor period
//     taken from the health check, converge_config so `up` waits until every task is healthy;
//   - files as docker.Secret (secret content) or docker.ServiceConfig (plain), both immutable,
//     so each is named after a hash of its content: a changed file is a new object, rolled in;
//   - a revisioned spec (apps) is one service per revision, <prefix>-<env>-<app>-<revision>,
//     carrying the shared alias and, when routed, its revision alias: the proxy's cutover target
//     (render/upstreams.ts), switched only after this service converged; the old one drains.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import type { FileSpec, MountSpec, WorkloadSpec } from "../spec/workload";
import { dockerDuration, durationToSeconds } from "../config/units";
import { dockerLabels } from "../components/labels";
import { dockerLogOpts } from "../render/log-opts";
import type { Revision, RunWith, Runtime, SecretInputs, Step, Workload } from "./runtime";
import { attach, drainStep } from "./drain";
import { DockerRuntime, type DockerRuntimeArgs } from "./docker";

export interface SwarmRuntimeArgs extends DockerRuntimeArgs {
    /** Volumes of pinned workloads are created on their node: its provider, by the spec's placement labels. */
    volumeProvider?: (placement: string[] | undefined) => docker.Provider;
}

/** A Swarm node label as the runtime sets it on nodes and constrains services by it. */
export const nodeLabelKey = (label: string) => `hostplane.${label}`;

/** Docker's restart policy names as Swarm's conditions. */
const RESTART: Record<WorkloadSpec["restart"], string> = { "unless-stopped": "any", always: "any", "on-failure": "on-failure", no: "none" };

/** The update/rollback pace: one task at a time, watched for a health check's worth of time. */
export function updateInputs(spec: WorkloadSpec): { updateConfig: docker.types.input.ServiceUpdateConfig; rollbackConfig: docker.types.input.ServiceRollbackConfig } {
    // Two tasks of a workload with a volume would share its data: stop the old one first.
    const order = spec.mounts?.some((m) => m.type === "volume") ? "stop-first" : "start-first";
    const h = spec.health;
    const monitor = h ? `${Math.ceil(durationToSeconds(h.startPeriod) + h.retries * durationToSeconds(h.interval))}s` : "10s";
    return {
        updateConfig: { parallelism: 1, delay: "0s", order, failureAction: "rollback", monitor, maxFailureRatio: "0" },
        rollbackConfig: { parallelism: 1, delay: "0s", order, failureAction: "pause", monitor, maxFailureRatio: "0" },
    };
}

/** A file as a Swarm secret or config reference; the object is named after its content's hash. */
interface FileObject {
    kind: "secret" | "config";
    data: pulumi.Output<string>;
    name: pulumi.Output<string>;
    file: FileSpec;
}

function fileObject(base: string, f: FileSpec, secrets: SecretInputs): FileObject {
    const plain = typeof f.content === "string";
    const content = typeof f.content === "string" ? pulumi.output(f.content) : pulumi.secret(pulumi.all(secrets).apply((v) => (f.content as { secret: (v: Record<string, string>) => string }).secret(v as Record<string, string>)));
    const hash = content.apply((c) => createHash("sha256").update(`${f.path}\0${c}`).digest("hex").slice(0, 12));
    const stem = f.path.split("/").filter(Boolean).pop()!.replace(/[^A-Za-z0-9_.-]/g, "_");
    return { kind: plain ? "config" : "secret", data: content.apply((c) => Buffer.from(c).toString("base64")), name: pulumi.unsecret(pulumi.interpolate`${base}-${stem}-${hash}`), file: f };
}

const fileMode = (f: FileSpec) => (f.permissions ? parseInt(f.permissions, 8) : f.executable ? 0o555 : 0o444);

export class SwarmRuntime implements Runtime {
    /** Revisions (RandomId keepers) and exec steps work exactly as on a single host. */
    private readonly single: DockerRuntime;
    constructor(private readonly args: SwarmRuntimeArgs) {
        this.single = new DockerRuntime(args);
    }

    revision(spec: WorkloadSpec, secrets: SecretInputs, image: pulumi.Input<string>): Revision {
        return this.single.revision(spec, secrets, image);
    }

    exec(_w: Workload, step: Step): pulumi.Resource {
        throw new Error(`step ${step.name}: steps inside a Swarm task are not supported; run this workload pinned to a node`);
    }

    /** Swarm secrets and configs of a spec's files, created before the service that mounts them. */
    private files(base: string, spec: WorkloadSpec, secrets: SecretInputs) {
        const a = this.args;
        const opts = { parent: a.parent, provider: a.provider, deleteBeforeReplace: false };
        const labels = dockerLabels(a.project, a.stack, { service: spec.labels.service ?? spec.name });
        const secretRefs: docker.types.input.ServiceTaskSpecContainerSpecSecret[] = [];
        const configRefs: docker.types.input.ServiceTaskSpecContainerSpecConfig[] = [];
        const resources: pulumi.Resource[] = [];
        for (const f of spec.files ?? []) {
            const o = fileObject(base, f, secrets);
            const owner = f.owner ? { fileUid: f.owner, fileGid: f.owner } : {};
            if (o.kind === "secret") {
                const s = new docker.Secret(`${base}-secret-${f.path}`, { name: o.name, data: o.data, labels }, opts);
                secretRefs.push({ secretId: s.id, secretName: s.name, fileName: f.path, fileMode: fileMode(f), ...owner });
                resources.push(s);
            } else {
                const c = new docker.ServiceConfig(`${base}-config-${f.path}`, { name: o.name, data: o.data }, opts);
                configRefs.push({ configId: c.id, configName: c.name, fileName: f.path, fileMode: fileMode(f), ...owner });
                resources.push(c);
            }
        }
        return { secretRefs, configRefs, resources };
    }

    private mount(m: MountSpec, placement: string[] | undefined): docker.types.input.ServiceTaskSpecContainerSpecMount {
        if (m.type === "bind") return { type: "bind", source: m.source, target: m.target, readOnly: m.readOnly, ...(m.propagation ? { bindOptions: { propagation: m.propagation } } : {}) };
        // The volume lives on the node the workload is pinned to: created there, by that node's engine.
        const provider = this.args.volumeProvider?.(placement);
        const vol = provider ? new docker.Volume(m.volume.resourceName ?? m.volume.name, { name: m.volume.name, labels: dockerLabels(this.args.project, this.args.stack, m.volume.labels) }, { parent: this.args.parent, provider, ...(m.volume.protect ? { protect: true } : {}) }) : undefined;
        return { type: "volume", source: vol ? vol.name : m.volume.name, target: m.target, ...(m.readOnly === undefined ? {} : { readOnly: m.readOnly }) };
    }

    /** What the spec says about the process, as a Swarm container spec. */
    private containerSpec(spec: WorkloadSpec, secrets: SecretInputs, image: pulumi.Input<string>, files: ReturnType<SwarmRuntime["files"]>, labels: docker.types.input.ContainerLabel[]): docker.types.input.ServiceTaskSpecContainerSpec {
        if (spec.host?.privileged || spec.host?.pidMode || spec.host?.devices) throw new Error(`workload ${spec.name}: host-level access (privileged, pid, devices) cannot run as a Swarm service`);
        const h = spec.health;
        return {
            image,
            ...(spec.entrypoint ? { commands: spec.entrypoint } : {}),
            ...(spec.command ? { args: spec.command } : {}),
            ...(spec.envs?.length ? { env: envMap(spec.envs, secrets) } : {}),
            ...(spec.user ? { user: spec.user } : {}),
            labels,
            ...(spec.mounts || spec.hostDirs ? { mounts: [...(spec.mounts ?? []).map((m) => this.mount(m, spec.placement)), ...(spec.hostDirs ?? []).map((d) => ({ type: "bind", source: d.hostPath, target: d.containerPath }))] } : {}),
            ...(files.secretRefs.length ? { secrets: files.secretRefs } : {}),
            ...(files.configRefs.length ? { configs: files.configRefs } : {}),
            ...(h ? { healthcheck: { tests: h.test, interval: dockerDuration(h.interval), timeout: dockerDuration(h.timeout), retries: h.retries, startPeriod: dockerDuration(h.startPeriod) } } : {}),
            ...(spec.extraHosts ? { hosts: spec.extraHosts } : {}),
            ...(spec.graceSeconds === undefined ? {} : { stopGracePeriod: `${spec.graceSeconds}s` }),
        };
    }

    /** One docker.Service for the spec (per revision for a revisioned one), after its files, networks and `after`. */
    run(spec: WorkloadSpec, after: pulumi.Input<pulumi.Resource>[], secrets: SecretInputs = {}, use: RunWith = {}): Workload {
        const { rev, networks, base, name } = attach(spec, this.args.prefix, this.args.networks, use);
        const a = this.args;
        const labels = [...dockerLabels(a.project, a.stack, spec.labels), ...(rev ? [{ label: "hostplane.revision", value: rev.id }] : [])];
        const files = this.files(rev ? `${base}-rev` : base, spec, secrets);
        const service = new docker.Service(
            spec.resourceName ?? base,
            {
                name,
                labels,
                taskSpec: {
                    containerSpec: this.containerSpec(spec, secrets, use.image ?? spec.image, files, labels),
                    networksAdvanceds: networks.map((n) => ({ id: n.net.id, ...(n.aliases ? { aliases: n.aliases } : {}) })),
                    resources: { limits: { nanoCpus: Math.round(spec.cpus * 1e9), memoryBytes: spec.memoryMb * 1024 * 1024 } },
                    // window spelled as Swarm reads it back (0s): otherwise a perpetual diff.
                    restartPolicy: { condition: RESTART[spec.restart], delay: "5s", window: "0s" },
                    logDriver: { name: "json-file", options: dockerLogOpts(a.logs) },
                    ...(spec.placement ? { placement: { constraints: spec.placement.map((l) => `node.labels.${nodeLabelKey(l)}==true`) } } : {}),
                },
                mode: { replicated: { replicas: spec.replicas ?? 1 } },
                endpointSpec: {
                    mode: "dnsrr",
                    ...(spec.publish?.length ? { ports: spec.publish.map((p) => ({ targetPort: p.internal, publishedPort: p.external, publishMode: "host", protocol: "tcp" })) } : {}),
                },
                ...updateInputs(spec),
                // `up` waits until every task runs (healthy, when it has a check): the readiness gate.
                ...(spec.waitSeconds === undefined ? {} : { convergeConfig: { delay: "2s", timeout: `${spec.waitSeconds}s` } }),
            },
            {
                parent: a.parent,
                provider: a.provider,
                dependsOn: [...networks.map((n) => n.net), ...files.resources, ...after],
                // Explicit: the provider asks for delete-first whenever a service's name is set, which
                // would take the old revision down before the new one exists.
                deleteBeforeReplace: spec.deleteFirst === true,
                // Read back as null though never set (a perpetual diff otherwise).
                ignoreChanges: ["taskSpec.containerSpec.sysctl"],
            },
        );
        if (spec.revision) drainStep(a.parent, base, spec.revision.drainSeconds, name, service);
        return { ready: service, id: service.id, name: service.name };
    }
}

/** Swarm takes env as a map; secret entries make their values secret Outputs. */
function envMap(envs: NonNullable<WorkloadSpec["envs"]>, secrets: SecretInputs): Record<string, pulumi.Input<string>> {
    const out: Record<string, pulumi.Input<string>> = {};
    for (const e of envs) {
        if (typeof e === "string") {
            const i = e.indexOf("=");
            out[e.slice(0, i)] = e.slice(i + 1);
        } else out[e.name] = pulumi.secret(pulumi.all(secrets).apply((v) => e.secret(v as Record<string, string>)));
    }
    return out;
}
