// Pure renderers: every file hostplane puts on the host, computed from the model alone.
// `npm run render` writes them under an output directory in the on-host layout, and the
// components deliver the very same strings, so what a reviewer reads is what the host gets.
import { createHash } from "crypto";
import type { PlatformModel } from "../config/model";
import { HOST_ROOT, HostFile } from "./files";
import { renderNginx } from "./nginx";
import { renderPostgresFiles } from "./postgres";
import { renderRedisFiles } from "./redis";
import { renderMonitoring } from "./monitoring";
import { renderHostBootstrap } from "./cloud-init";

export { HOST_ROOT, HostFile };

export type Renderer = (model: PlatformModel) => HostFile[];

/** Each concern (proxy, monitoring, data services, host bootstrap) adds its renderer here. */
const RENDERERS: Renderer[] = [(model) => renderNginx(model), renderPostgresFiles, renderRedisFiles, renderMonitoring, renderHostBootstrap];

export function renderHostFiles(model: PlatformModel): HostFile[] {
    const files = RENDERERS.flatMap((r) => r(model));
    files.push(manifest(model, files));
    return files.sort((a, b) => a.path.localeCompare(b.path));
}

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** A reviewable index of what lives on the host: environments, networks, containers, files. */
function manifest(model: PlatformModel, files: HostFile[]): HostFile {
    const body = {
        project: model.project,
        stack: model.stack,
        host: model.host.provider,
        networks: [...model.environments.map((e) => e.networkName), model.monitoringNetworkName],
        environments: model.environments.map((e) => ({
            name: e.name,
            kind: e.kind,
            domain: e.domain,
            services: e.services.map((s) => ({ name: s.name, type: s.type, image: s.image, alias: s.alias, volume: s.volumeName, protected: s.protect, usedBy: s.consumers })),
            apps: e.apps.map((a) => ({
                name: a.name,
                image: a.image,
                alias: a.alias,
                dependsOn: a.dependsOn,
                routes: a.routes.map((r) => `${r.host}${r.path}`),
                limits: { cpus: a.cpus, memory: a.memory },
                secrets: a.secrets.map((s) => s.name),
            })),
        })),
        files: files.map((f) => ({ path: f.path, mode: f.mode.toString(8), sha256: sha256(f.content) })),
    };
    return { path: `${HOST_ROOT}/manifest.json`, content: JSON.stringify(body, null, 2) + "\n", mode: 0o644 };
}
