// Metrics sidecars of the data services (hostplane:monitoring.exporters): one exporter container
// per service whose kind needs one, on the service's environment network under <alias>-exporter,
// after the service, publishing nothing. Prometheus scrapes it by that alias (config/monitoring.ts
// derives the target; render/monitoring/prometheus.ts the job). Credentials reach the exporter as
// 0400 files owned by the uid it runs as, never as plain environment values.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ExporterTargetModel } from "../../config/monitoring";
import type { DataServiceModel, PlatformModel } from "../../config/model";
import { DataServiceArgs, serviceContainer } from "./container";

/** Every exporter runs as nobody; its secret files belong to that uid. */
export const EXPORTER_UID = "65534";

/** The monitoring target of a data service, when Prometheus scrapes it. */
export function exporterTarget(model: PlatformModel, s: DataServiceModel): ExporterTargetModel | undefined {
    return model.monitoring.exporters.find((e) => e.env === s.environment && e.service === s.name);
}

export interface ExporterSpec {
    env?: pulumi.Input<string>[];
    command?: string[];
    entrypoints?: string[];
    /** A secret file: path and content. */
    secret?: { file: string; content: pulumi.Input<string> };
    memoryMb: number;
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

export function exporterSidecar(parent: pulumi.Resource, args: DataServiceArgs, target: ExporterTargetModel, spec: ExporterSpec): docker.Container {
    const sc = target.sidecar;
    if (!sc) throw new Error(`${target.kind} has no exporter sidecar`);
    return serviceContainer(parent, {
        ...args,
        role: "exporter",
        image: sc.image,
        port: sc.port,
        command: spec.command,
        entrypoints: spec.entrypoints,
        env: spec.env,
        user: `${EXPORTER_UID}:${EXPORTER_UID}`,
        uploads: spec.secret
            ? [{ file: spec.secret.file, content: pulumi.secret(spec.secret.content), permissions: "0400", owner: EXPORTER_UID, group: EXPORTER_UID }]
            : [],
        health: {
            test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${sc.port}${target.path}`],
            interval: "30s",
            timeout: "10s",
            retries: 3,
            startPeriod: "20s",
        },
        cpus: 0.25,
        memoryMb: spec.memoryMb,
        dependsOn: spec.dependsOn,
    });
}
