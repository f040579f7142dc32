// The data-service catalog: one file per kind (catalog/<kind>.ts) holds everything hostplane knows
// about it: settings schema, image pin, port, limits, health check, connection settings, exporter,
// sidecar aliases, generated secrets and its containers as plain data (ServiceParts).
//
// Adding a kind:
//   1. catalog/<kind>.ts: `export const <kind> = { schema, image, port, …, parts } satisfies DataKind<Settings>`
//      (copy catalog/mongodb.ts for a plain one; catalog/types.ts documents every field).
//   2. Register it below in KINDS (and in the DataService union's tuple).
//   3. tests/catalog.test.ts covers every registered kind (parts, secrets, exporter); add a
//      test for what is special about it. Components (components/data/simple.ts), compose
//      (render/compose/data.ts), config validation, aliases, exporters and the image mirror pick it up.
//   Grafana dashboards (monitoring/dashboards/) and alert rules (render/monitoring/rules.ts) are per
//   kind only where a kind has its own panels.
import { z } from "zod";
import type { DataKind, ServiceModel } from "./types";
import { postgres } from "./postgres";
import { redis } from "./redis";
import { rabbitmq } from "./rabbitmq";
import { kafka } from "./kafka";
import { mongodb } from "./mongodb";
import { minio } from "./minio";
import { seaweedfs } from "./seaweedfs";

export const KINDS = { postgres, redis, rabbitmq, kafka, mongodb, minio, seaweedfs };
export type ServiceType = keyof typeof KINDS;
export const SERVICE_TYPES = Object.keys(KINDS) as ServiceType[];

/** One data service's block: the union of every kind's settings schema, told apart by `type`. */
export const DataService = z.discriminatedUnion(
    "type",
    [postgres.schema, redis.schema, rabbitmq.schema, kafka.schema, mongodb.schema, minio.schema, seaweedfs.schema],
    { error: `expected type to be one of ${SERVICE_TYPES.join(", ")}` },
);
export type DataServiceConfig = z.output<typeof DataService>;

/** A kind by name, as the common DataKind shape (its settings type erased). */
export function kindOf(type: string): DataKind<DataServiceConfig> {
    const k = (KINDS as Record<string, unknown>)[type];
    if (!k) throw new Error(`unknown data service type ${type}`);
    return k as DataKind<DataServiceConfig>;
}

/** A service of one kind with its settings narrowed to that kind (throws on another kind). */
export function ofKind<T extends ServiceType>(s: ServiceModel<DataServiceConfig>, type: T): ServiceModel<Extract<DataServiceConfig, { type: T }>> {
    if (s.settings.type !== type) throw new Error(`${s.name} is not a ${type} service`);
    return s as ServiceModel<Extract<DataServiceConfig, { type: T }>>;
}

/** The exporter image keys (hostplane:monitoring.images.<key>) and their pins, in kind order. */
type ExporterImageOf<K> = K extends { exporter: { image: { key: infer I } } } ? I : never;
export type ExporterImage = ExporterImageOf<(typeof KINDS)[ServiceType]>;
export const EXPORTER_IMAGES = Object.fromEntries(
    SERVICE_TYPES.flatMap((t) => {
        const img = kindOf(t).exporter.image;
        return img ? [[img.key, img.ref]] : [];
    }),
) as Record<ExporterImage, string>;

export type { Credential, DataKind, ServiceModel, ServiceParts, ContainerPart, SecretValues } from "./types";
export { pgIdentifier, PGBOUNCER_IMAGE } from "./postgres";
export { RABBITMQ_CREDENTIALS_FILE } from "./rabbitmq";
