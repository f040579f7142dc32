// The container every data service shares: its environment network with a stable alias, a data
// volume, health check, limits, log rotation, labels, and a fixed name with stop-then-start
// replacement — two database processes must never share one data directory, so a stateful
// container is never run twice, unlike apps.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { DataServiceModel, PlatformModel } from "../../config/model";
import type { HealthCheck } from "../../config/health";
import { labelsFor } from "../labels";
import { containerBlockInput, healthcheckInput } from "../container-spec";

/** What every data-service component gets from DataServices. */
export interface DataServiceArgs {
    model: PlatformModel;
    service: DataServiceModel;
    provider: docker.Provider;
    network: docker.Network;
    dockerHost: pulumi.Input<string>;
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

export interface ServiceContainerArgs {
    model: PlatformModel;
    service: DataServiceModel;
    provider: docker.Provider;
    network: docker.Network;
    /** Suffix for sidecars (pgbouncer, backup); omitted for the main container. */
    role?: string;
    image?: string;
    port?: number;
    command?: string[];
    entrypoints?: string[];
    env?: pulumi.Input<string>[];
    uploads?: pulumi.Input<docker.types.input.ContainerUpload>[];
    mounts?: { volume: docker.Volume; target: string; readOnly?: boolean }[];
    /** Host directories, created by Docker when missing (e.g. node-exporter's textfile directory). */
    hostDirs?: { hostPath: string; containerPath: string }[];
    health?: HealthCheck;
    cpus?: number;
    memoryMb?: number;
    user?: string;
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

export function serviceContainer(parent: pulumi.Resource, args: ServiceContainerArgs): docker.Container {
    const { service: s, model } = args;
    const name = args.role ? `${s.containerBaseName}-${args.role}` : s.containerBaseName;
    const alias = args.role ? `${s.alias}-${args.role}` : s.alias;
    const health = args.health ?? s.health;
    const publish = !args.role && s.hostPort !== undefined;
    return new docker.Container(
        name,
        {
            name,
            image: args.image ?? s.image,
            command: args.command,
            entrypoints: args.entrypoints,
            user: args.user,
            envs: args.env ?? [],
            uploads: args.uploads ?? [],
            mounts: (args.mounts ?? []).map((m) => ({ type: "volume", source: m.volume.name, target: m.target, readOnly: m.readOnly ?? false })),
            volumes: (args.hostDirs ?? []).map((d) => ({ hostPath: d.hostPath, containerPath: d.containerPath })),
            networksAdvanced: [{ name: args.network.name, aliases: [alias] }],
            // Only on loopback, for SSH tunnels: a database never faces the internet.
            ports: publish ? [{ internal: args.port ?? s.port, external: s.hostPort!, ip: "127.0.0.1", protocol: "tcp" }] : [],
            healthcheck: healthcheckInput(health),
            wait: true,
            waitTimeout: 300,
            ...containerBlockInput({
                cpus: args.cpus ?? s.cpus,
                memoryMb: args.memoryMb ?? s.memoryMb,
                restart: "unless-stopped",
                logs: model.logs,
                labels: labelsFor(model, { environment: s.environment, service: args.role ? `${s.name}-${args.role}` : s.name, kind: "data", type: s.type }),
                graceSeconds: 60,
            }),
        },
        // Every container names its network explicitly, sidecars too: the network must exist first.
        { parent, provider: args.provider, dependsOn: [args.network, ...args.dependsOn], deleteBeforeReplace: true },
    );
}

export function dataVolume(
    parent: pulumi.Resource,
    model: PlatformModel,
    s: DataServiceModel,
    provider: docker.Provider,
    dependsOn: pulumi.Input<pulumi.Resource>[],
    suffix = "data",
): docker.Volume {
    const name = suffix === "data" ? s.volumeName : `${model.prefix}_${s.environment}_${s.name}_${suffix}`;
    return new docker.Volume(
        name,
        { name, labels: labelsFor(model, { environment: s.environment, service: s.name, kind: "data" }) },
        // Production data survives `pulumi destroy` unless the environment sets allowDataDestroy.
        { parent, provider, dependsOn, protect: s.protect },
    );
}

