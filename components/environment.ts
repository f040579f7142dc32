// Environment: the apps of one environment on its own network, started in dependency order.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentModel } from "../config/model";
import { App, type AppModelContext } from "./app";
import { DataServices } from "./data";
import type { DataModelContext } from "./data/args";
import type { NodeEngine, RuntimeFactory } from "./context";

export interface EnvironmentArgs {
    /** What its apps and data services read of the model. */
    model: AppModelContext & DataModelContext;
    environment: EnvironmentModel;
    provider: docker.Provider;
    network: docker.Network;
    dockerHost: pulumi.Input<string>;
    /** In a cluster: the apps' Swarm runtime, and the node engine of each pinned data service. */
    cluster?: { runtime: RuntimeFactory; nodeOf: (service: EnvironmentModel["services"][number]) => NodeEngine };
}

export class Environment extends pulumi.ComponentResource {
    /** Keyed by app name. */
    readonly apps: Record<string, App> = {};
    readonly data: DataServices;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:environment:Environment", name, {}, opts);
        const { environment: env } = args;
        // Data services first: apps that name one in dependsOn wait for it (and its setup steps).
        this.data = new DataServices(
            `${args.model.prefix}-${env.name}-data`,
            { model: args.model, environment: env, provider: args.provider, network: args.network, dockerHost: args.dockerHost, ...(args.cluster ? { nodeOf: args.cluster.nodeOf } : {}) },
            { parent: this },
        );
        const serviceNames = new Set(env.services.map((s) => s.name));
        // env.apps is in dependency order, so every dependency already exists here.
        for (const app of env.apps) {
            this.apps[app.name] = new App(
                app.containerBaseName,
                {
                    model: args.model,
                    app,
                    provider: args.provider,
                    network: args.network,
                    dockerHost: args.dockerHost,
                    dependsOn: [args.network, ...app.dependsOn.flatMap((d) => (serviceNames.has(d) ? this.data.ready(d) : [this.apps[d]]))],
                    credential: (service, kind, appName) => this.data.credential(service, kind, appName),
                    ...(args.cluster ? { runtime: args.cluster.runtime } : {}),
                },
                { parent: this },
            );
        }
        this.registerOutputs({
            network: args.network.name,
            containers: Object.fromEntries(Object.entries(this.apps).map(([k, a]) => [k, a.containerName])),
        });
    }
}
