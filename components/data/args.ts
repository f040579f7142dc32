// What every data-service component gets from DataServices. Their containers are workload specs
// (spec/data.ts, spec/postgres.ts) realized by the Docker runtime (components/data/simple.ts dataRuntime).
import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import type { DataServiceModel, PlatformModel } from "../../config/model";
import type { MonitoringModel } from "../../config/monitoring";
import type { StackContext } from "../context";

/** What the data services read of the model: naming, and which exporters and textfile metrics monitoring takes. */
export type DataModelContext = StackContext & { monitoring: Pick<MonitoringModel, "exporters" | "services">; images: Pick<PlatformModel["images"], "mirror"> };

export interface DataServiceArgs {
    model: DataModelContext;
    service: DataServiceModel;
    provider: docker.Provider;
    network: docker.Network;
    dockerHost: pulumi.Input<string>;
    dependsOn: pulumi.Input<pulumi.Resource>[];
}
