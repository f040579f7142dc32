// One workload spec (spec/*.ts) as a compose service: what the program's runtime realizes as a
// container, compose writes as a service, from the same spec. Monitoring, the proxy, certbot and
// apps go through here; each kind maps the mounts compose keeps elsewhere (secrets/, the
// certificates directory) with its own `mount`, and adds what only compose has (depends_on,
// env_file).
import type { MountSpec, WorkloadSpec } from "../../spec/workload";
import { HOST_ROOT } from "../files";
import { ComposeBuilder } from "./builder";
import type { ComposeService } from "./types";

export interface ComposeWorkloadOptions {
    /** A mount this kind writes its own way; undefined falls back to the default mapping. */
    mount?: (m: MountSpec) => string | undefined;
    /** Labels, when compose's differ from the spec's (the proxy's runtime-only ports label). */
    labels?: Record<string, string>;
    /** Secret environment entries are the caller's (an env_file); otherwise one is an error. */
    secretEnvHandled?: boolean;
}

export function composeWorkload(b: ComposeBuilder, spec: WorkloadSpec, opts: ComposeWorkloadOptions = {}): ComposeService {
    const h = spec.host;
    const envs = (spec.envs ?? []).filter((e): e is string => {
        if (typeof e === "string") return true;
        if (!opts.secretEnvHandled) throw new Error(`compose: ${spec.name} has a secret environment entry ${e.name}`);
        return false;
    });
    return {
        ...b.base({
            image: spec.image,
            labels: b.labels(opts.labels ?? spec.labels),
            networks: composeNetworks(b, spec),
            health: spec.health,
            cpus: spec.cpus,
            memoryMb: spec.memoryMb,
            restart: spec.restart,
            graceSeconds: spec.graceSeconds,
        }),
        ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
        ...(spec.command ? { command: spec.command } : {}),
        ...(spec.user ? { user: spec.user } : {}),
        ...(envs.length ? { environment: envs } : {}),
        ...(h?.pidMode ? { pid: h.pidMode } : {}),
        ...(h?.privileged ? { privileged: true } : {}),
        ...(h?.devices ? { devices: h.devices.map((d) => `${d.hostPath}:${d.containerPath}:${d.permissions}`) } : {}),
        ...(spec.extraHosts?.length ? { extra_hosts: spec.extraHosts.map((x) => `${x.host}:${x.ip}`) } : {}),
        ...(spec.publish?.length ? { ports: spec.publish.map((p) => `${p.ip === "::" ? "[::]" : (p.ip ?? "127.0.0.1")}:${p.external}:${p.internal}`) } : {}),
        ...(spec.mounts?.length ? { volumes: spec.mounts.map((m) => opts.mount?.(m) ?? defaultMount(b, m)) } : {}),
    };
}

/**
 * The spec's networks under compose's names: an environment's network (the spec names it by the
 * environment or by its Docker network name) is the environment's name, the monitoring network
 * "monitoring".
 */
function composeNetworks(b: ComposeBuilder, spec: WorkloadSpec): NonNullable<ComposeService["networks"]> {
    const networks: NonNullable<ComposeService["networks"]> = {};
    for (const n of spec.networks) {
        const env = b.model.environments.find((e) => e.networkName === n.name || e.name === n.name);
        networks[env ? env.name : "monitoring"] = n.aliases ? { aliases: n.aliases } : null;
    }
    return networks;
}

/** Volumes by name; host paths under /opt/hostplane from files/, others as they are. */
function defaultMount(b: ComposeBuilder, m: MountSpec): string {
    if (m.type === "volume") return b.volume(m.volume.name, m.target, m.readOnly ?? false);
    if (m.source.startsWith(`${HOST_ROOT}/`)) return b.bind(m.source, m.target);
    return `${m.source}:${m.target}${m.readOnly ? ":ro" : ""}${m.propagation ? `${m.readOnly ? "," : ":"}${m.propagation}` : ""}`;
}
