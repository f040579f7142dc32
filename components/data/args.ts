// What every data-service component gets from DataServices. Their containers are workload specs
// (spec/data.ts, spec/postgres.ts) realized by the Docker runtime (components/data/simple.ts dataRuntime).
import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import type { DataServiceModel, PlatformModel } from "../../config/model";

export interface DataServiceArgs {
    model: PlatformModel;
    service: DataServiceModel;
    provider: docker.Provider;
    network: docker.Network;
    dockerHost: pulumi.Input<string>;
    dependsOn: pulumi.Input<pulumi.Resource>[];
}
