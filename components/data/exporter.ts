// The monitoring target of a data service (hostplane:monitoring.exporters): config/monitoring.ts
// derives it; spec/data.ts exporterWorkload builds the sidecar from it.
import type { ExporterTargetModel } from "../../config/monitoring";
import type { DataServiceModel } from "../../config/model";
import type { DataModelContext } from "./args";

/** The monitoring target of a data service, when Prometheus scrapes it. */
export function exporterTarget(model: DataModelContext, s: DataServiceModel): ExporterTargetModel | undefined {
    return model.monitoring.exporters.find((e) => e.env === s.environment && e.service === s.name);
}
