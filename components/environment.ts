// Environment: the apps of one environment on its own network, started in dependency order.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentModel, PlatformModel } from "../config/model";
import { App } from "./app";

export interface EnvironmentArgs {
    model: PlatformModel;
    environment: EnvironmentModel;
    provider: docker.Provider;
    network: docker.Network;
    dockerHost: string;
}

export class Environment extends pulumi.ComponentResource {
    /** Keyed by app name. */
    readonly apps: Record<string, App> = {};

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:environment:Environment", name, {}, opts);
        const { environment: env } = args;
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
                    dependsOn: [args.network, ...app.dependsOn.map((d) => this.apps[d])],
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
