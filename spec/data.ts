// Workload specs of the data services (pure): a kind's parts (catalog/<kind>.ts) become full
// workloads here: name and alias <env>-<service>[-<role>] on the environment network, data volume,
// the kind's health check, limits, labels, a loopback port when configured, and a fixed name with
// stop-then-start replacement (two database processes must never share one data directory).
import type { HealthCheck } from "../config/health";
import type { ExporterTargetModel } from "../config/monitoring";
import type { ContainerPart, ExporterPart, ServiceModel } from "../catalog/types";
import type { VolumeSpec, WorkloadSpec } from "./workload";

/** Every exporter runs as nobody; its secret files belong to that uid. */
export const EXPORTER_UID = "65534";

/** A volume of the service: its data (<prefix>_<env>_<service>_data) or another (`backups`). */
export function dataVolumeSpec(s: ServiceModel, suffix = "data"): VolumeSpec {
    return {
        name: suffix === "data" ? s.volumeName : s.volumeName.replace(/_data$/, `_${suffix}`),
        labels: { environment: s.environment, service: s.name, kind: "data" },
        protect: s.protect,
    };
}

/**
 * One container of a data service. `volumes`: where the service's volumes are mounted (the main
 * container gets its data volume at the kind's dataPath). The network is named by the service's
 * environment; the runtime maps it to the environment network.
 */
export function dataWorkload(s: ServiceModel, part: ContainerPart, volumes: { volume: VolumeSpec; target: string }[] = []): WorkloadSpec {
    const alias = part.role ? `${s.alias}-${part.role}` : s.alias;
    // Only on loopback, for SSH tunnels: a database never faces the internet.
    const publish = !part.role && s.hostPort !== undefined;
    return {
        name: alias,
        image: part.image ?? s.image,
        ...(part.entrypoint ? { entrypoint: part.entrypoint } : {}),
        ...(part.command ? { command: part.command } : {}),
        ...(part.user ? { user: part.user } : {}),
        envs: part.env ?? [],
        files: part.files ?? [],
        hostDirs: [],
        networks: [{ name: s.environment, aliases: [alias] }],
        mounts: volumes.map((v) => ({ type: "volume" as const, volume: v.volume, target: v.target, readOnly: false })),
        publish: publish ? [{ internal: part.port ?? s.port, external: s.hostPort! }] : [],
        health: part.health ?? s.health,
        waitSeconds: 300,
        cpus: part.cpus ?? s.cpus,
        memoryMb: part.memoryMb ?? s.memoryMb,
        restart: "unless-stopped",
        labels: { environment: s.environment, service: part.role ? `${s.name}-${part.role}` : s.name, kind: "data", type: s.type },
        graceSeconds: 60,
        deleteFirst: true,
    };
}

/** The main container: the kind's part with the data volume at its data path. */
export function mainWorkload(s: ServiceModel, part: ContainerPart): WorkloadSpec {
    return dataWorkload(s, part, [{ volume: dataVolumeSpec(s), target: s.dataPath }]);
}

/** An exporter's health check: its own metrics page answers. */
export const exporterHealth = (port: number, path: string): HealthCheck => ({
    test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${port}${path}`],
    interval: "30s",
    timeout: "10s",
    retries: 3,
    startPeriod: "20s",
});

/**
 * The metrics sidecar (hostplane:monitoring.exporters): <alias>-exporter on the environment
 * network, as nobody, its secret files 0400 owned by nobody, publishing nothing. Prometheus
 * scrapes it by that alias (config/monitoring.ts derives the target).
 */
export function exporterWorkload(s: ServiceModel, target: ExporterTargetModel, part: ExporterPart): WorkloadSpec {
    const sc = target.sidecar;
    if (!sc) throw new Error(`${target.kind} has no exporter sidecar`);
    return dataWorkload(s, {
        ...part,
        role: "exporter",
        image: sc.image,
        port: sc.port,
        user: `${EXPORTER_UID}:${EXPORTER_UID}`,
        files: (part.files ?? []).map((f) => ({ ...f, permissions: "0400", owner: EXPORTER_UID })),
        health: exporterHealth(sc.port, target.path),
        cpus: 0.25,
    });
}
