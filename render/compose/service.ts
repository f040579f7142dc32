// What every data-service renderer shares: the container (or sidecar) of a service with its
// alias, volume, limits and labels, generated passwords, and the exporter sidecar.
import * as fs from "fs";
import * as path from "path";
import type { DataServiceModel } from "../../config/model";
import type { HealthCheck } from "../../config/health";
import { ComposeBuilder } from "./builder";
import { exporterHealth } from "../../spec/data";
import { ComposeService, DependsCondition, SecretLookup } from "./types";

/** uid the official redis, mongo and postgres images drop to. */
export const IMAGE_UID = 999;
export const EXPORTER_UID = 65534;

export interface ServiceSpec {
    role?: string;
    image?: string;
    port?: number;
    command?: string[];
    entrypoint?: string[];
    environment?: string[];
    envFile?: (s: SecretLookup) => string;
    volumes?: string[];
    health?: HealthCheck;
    cpus?: number;
    memoryMb?: number;
    user?: string;
    after?: Record<string, { condition: DependsCondition }>;
}

/** A data-service container (or sidecar, with `role`); returns its compose service name. */
export function serviceContainer(b: ComposeBuilder, s: DataServiceModel, spec: ServiceSpec): string {
    const alias = spec.role ? `${s.alias}-${spec.role}` : s.alias;
    const publish = !spec.role && s.hostPort !== undefined;
    const svc: ComposeService = {
        ...b.base({
            image: spec.image ?? s.image,
            labels: b.labels({ environment: s.environment, service: spec.role ? `${s.name}-${spec.role}` : s.name, kind: "data", type: s.type }),
            networks: { [s.environment]: { aliases: [alias] } },
            health: spec.health ?? s.health,
            cpus: spec.cpus ?? s.cpus,
            memoryMb: spec.memoryMb ?? s.memoryMb,
            graceSeconds: 60,
        }),
        ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
        ...(spec.command ? { command: spec.command } : {}),
        ...(spec.user ? { user: spec.user } : {}),
        ...(spec.environment?.length ? { environment: spec.environment } : {}),
        ...(spec.envFile ? { env_file: [b.secretFile(`data/${alias}.env`, spec.envFile)] } : {}),
        ...(spec.volumes?.length ? { volumes: spec.volumes } : {}),
        ...(publish ? { ports: [`127.0.0.1:${s.hostPort}:${spec.port ?? s.port}`] } : {}),
        ...(spec.after && Object.keys(spec.after).length ? { depends_on: spec.after } : {}),
    };
    b.add(alias, svc);
    return alias;
}

export const dataVolume = (b: ComposeBuilder, s: DataServiceModel) => b.volume(s.volumeName, s.dataPath);
export const passwordKey = (b: ComposeBuilder, s: DataServiceModel, what: string, length = 32) => b.value(`${s.environment}/${s.name}/${what}`, { generate: length });

/** An exporter sidecar (hostplane:monitoring.exporters), as spec/data.ts exporterWorkload. */
export function exporter(b: ComposeBuilder, s: DataServiceModel, spec: () => Omit<ServiceSpec, "role" | "image" | "port" | "health" | "cpus" | "user">): void {
    const target = b.model.monitoring.exporters.find((e) => e.env === s.environment && e.service === s.name);
    const sc = target?.sidecar;
    if (!target || !sc) return;
    serviceContainer(b, s, {
        ...spec(),
        role: "exporter",
        image: sc.image,
        port: sc.port,
        user: `${EXPORTER_UID}:${EXPORTER_UID}`,
        health: exporterHealth(sc.port, target.path),
        cpus: 0.25,
    });
}

export const exporterPort = (b: ComposeBuilder, s: DataServiceModel) =>
    b.model.monitoring.exporters.find((e) => e.env === s.environment && e.service === s.name)?.sidecar?.port;

export interface ServiceResult {
    ready: Record<string, { condition: DependsCondition }>;
    credentials: Record<string, (app: string) => (s: SecretLookup) => string>;
}

/** The postgres backup scripts, mounted into the backup sidecar from files/. */
export const POSTGRES_SCRIPTS = path.resolve(__dirname, "../../scripts/postgres");
export const readScript = (name: string) => fs.readFileSync(path.join(POSTGRES_SCRIPTS, name), "utf8");
