// DataServices: every data service of one environment, before any app that names it.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentModel } from "../../config/model";
import type { DataModelContext } from "./args";
import type { Credential } from "../../catalog";
import { Postgres } from "./postgres";
import { SimpleDataService } from "./simple";
import type { NodeEngine } from "../context";

export interface DataServicesArgs {
    model: DataModelContext;
    environment: EnvironmentModel;
    provider: docker.Provider;
    network: docker.Network;
    dockerHost: pulumi.Input<string>;
    /** In a cluster: the engine of the node a service is pinned to (it runs there as a container, with its volume). */
    nodeOf?: (service: EnvironmentModel["services"][number]) => NodeEngine;
}

export class DataServices extends pulumi.ComponentResource {
    readonly services: Record<string, Postgres | SimpleDataService> = {};

    constructor(name: string, args: DataServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:data:DataServices", name, {}, opts);
        for (const s of args.environment.services) {
            const engine = args.nodeOf?.(s) ?? { provider: args.provider, dockerHost: args.dockerHost };
            const a = { model: args.model, service: s, provider: engine.provider, network: args.network, dockerHost: engine.dockerHost, dependsOn: [args.network] };
            this.services[s.name] = s.type === "postgres" ? new Postgres(`${s.containerBaseName}-service`, a, { parent: this }) : new SimpleDataService(`${s.containerBaseName}-service`, a, { parent: this });
        }
        this.registerOutputs({});
    }

    /** What an app that depends on the service waits for. */
    ready(service: string): pulumi.Resource[] {
        return this.services[service].ready;
    }

    credential(service: string, kind: Credential, app: string): pulumi.Output<string> {
        const svc = this.services[service];
        if (svc instanceof Postgres) return svc.databaseUrl(app);
        return svc.credential(kind);
    }
}
