// Data services in compose, from the same catalog parts as components/data: the same images, env,
// secret files (owned by the uid the image reads them as), health checks, limits, volumes and aliases. Steps hostplane
// runs with `docker exec` (PostgreSQL roles, MinIO buckets) become one-shot services that the
// apps wait for with service_completed_successfully.
import type { DataServiceModel, EnvironmentModel } from "../../config/model";
import { ComposeBuilder, depends } from "./builder";
import { DependsCondition, SecretLookup } from "./types";
import type { CredentialRenderer } from "./apps";
import { renderPostgres } from "./postgres";
import { renderDataBackup } from "./backup";
import * as path from "path";
import { kindOf, type ContainerPart, type SecretValues } from "../../catalog";
import type { FileSpec } from "../../spec/workload";
import { dataVolume, exporter, exporterPort, EXPORTER_UID, passwordKey, serviceContainer, ServiceResult, type ServiceSpec } from "./service";

/** What a consumer app waits for, per service. */
export interface DataServicesResult {
    ready: (service: string) => Record<string, { condition: DependsCondition }>;
    credential: CredentialRenderer;
}

export function renderDataServices(b: ComposeBuilder, env: EnvironmentModel): DataServicesResult {
    const ready: Record<string, Record<string, { condition: DependsCondition }>> = {};
    const creds: Record<string, Record<string, (app: string) => (s: SecretLookup) => string>> = {};
    for (const s of env.services) {
        const r = s.type === "postgres" ? renderPostgres(b, s) : renderSimple(b, s);
        ready[s.name] = r.ready;
        creds[s.name] = r.credentials;
    }
    return {
        // dependsOn may also name an app of the environment: then it waits for that app's health.
        ready: (name) => ready[name] ?? depends([`${env.name}-${name}`]),
        credential: (app, service, credential) => {
            const c = creds[service]?.[credential];
            if (!c) throw new Error(`compose: ${service} gives no ${credential}`);
            return c(app.name);
        },
    };
}

/** A kind's parts (catalog/<kind>.ts) as compose services: the same containers, files and setup. */
function renderSimple(b: ComposeBuilder, s: DataServiceModel): ServiceResult {
    const kind = kindOf(s.type);
    if (!kind.parts) throw new Error(`compose: no renderer for data service type ${s.type}`);
    const keys = Object.fromEntries(Object.entries(kind.secrets ?? {}).map(([what, o]) => [what, passwordKey(b, s, what, o.length)]));
    const values = (l: SecretLookup): SecretValues => Object.fromEntries(Object.entries(keys).map(([what, key]) => [what, l.value(key)]));
    // Secret files under secrets/data/<alias>/, owned by the uid the image reads them as.
    const mount = (alias: string, files: FileSpec[] = []) =>
        files.map((f) => b.secret(`data/${alias}/${path.posix.basename(f.path)}`, (l) => (typeof f.content === "string" ? f.content : f.content.secret(values(l))), f.path, f.owner ? Number(f.owner) : 0));
    const target = b.model.monitoring.exporters.find((e) => e.env === s.environment && e.service === s.name);
    const parts = kind.parts(s, { metrics: target !== undefined });
    const container = (p: ContainerPart, extra: Pick<ServiceSpec, "volumes" | "after"> = {}) =>
        serviceContainer(b, s, { ...p, environment: p.env, volumes: [...(extra.volumes ?? []), ...mount(p.role ? `${s.alias}-${p.role}` : s.alias, p.files)], after: extra.after });
    const before = (parts.before ?? []).map((p) => container(p));
    const mainFiles = mount(s.alias, parts.main.files);
    const name = container(parts.main, { volumes: [dataVolume(b, s)], after: depends(before) });
    const sidecar = kind.exporter.sidecar;
    const port = exporterPort(b, s);
    if (sidecar && port !== undefined)
        exporter(b, s, () => {
            const e = sidecar(s, port);
            return { ...e, environment: e.env, volumes: mount(`${s.alias}-exporter`, e.files?.map((f) => ({ ...f, owner: String(EXPORTER_UID) }))), after: depends([name]) };
        });
    renderDataBackup(b, s, name, mount, values);
    const ready = depends([name]);
    if (parts.setup) {
        // The step runs in a one-shot container of the service's image with its secret files.
        const job = `${s.alias}-${parts.setup.name}`;
        b.add(job, {
            ...b.base({ image: s.image, labels: b.labels({ environment: s.environment, service: `${s.name}-${parts.setup.name}`, kind: "job" }), networks: { [s.environment]: null }, cpus: 0.25, memoryMb: 128, restart: "no" }),
            entrypoint: ["sh", "-c"],
            command: [parts.setup.script(s.alias)],
            volumes: mainFiles,
            depends_on: depends([name]),
        });
        Object.assign(ready, depends([job], "service_completed_successfully"));
    }
    const credentials = kind.credentials?.(s) ?? {};
    return { ready, credentials: Object.fromEntries(Object.entries(credentials).map(([c, render]) => [c, () => (l: SecretLookup) => render(values(l))])) };
}
