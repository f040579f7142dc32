// What the host should hold: the rendered files that components deliver into host directories
// (the proxy's config, the monitoring services' config), with each routed app's upstream file
// naming the revision the proxy was switched to (read from the running containers), exactly as
// components/platform.ts renders it for delivery.
import type { PlatformModel } from "../../config/model";
import { revisionAlias } from "../../config/model";
import { HostFile, renderHostFiles, sha256 } from "../../render";
import { PROXY_HOST_DIR } from "../../render/nginx";
import { MONITORING_HOST_DIR } from "../../render/monitoring/paths";
import { renderUpstreams, UpstreamTargets } from "../../render/upstreams";

/** Host directories whose files come from the render and nothing else (components clear and refill them). */
export const DELIVERED_DIRS = [PROXY_HOST_DIR, MONITORING_HOST_DIR];

export interface ExpectedFile {
    path: string;
    sha256: string;
}

/** The newest running revision of each routed app, as the proxy's upstream target (`docker inspect` JSON). */
export function upstreamTargets(model: PlatformModel, inspected: any[]): UpstreamTargets {
    const targets: UpstreamTargets = {};
    for (const env of model.environments)
        for (const app of env.apps.filter((a) => a.routes.length > 0)) {
            const running = inspected
                .filter((c) => {
                    const l = c.Config?.Labels ?? {};
                    return l["hostplane.environment"] === env.name && l["hostplane.service"] === app.name && l["hostplane.revision"] && c.State?.Running;
                })
                .sort((a, b) => String(b.State?.StartedAt).localeCompare(String(a.State?.StartedAt)));
            if (running.length) targets[app.alias] = revisionAlias(app.alias, running[0].Config.Labels["hostplane.revision"]);
        }
    return targets;
}

/** Every delivered file (under DELIVERED_DIRS) with its checksum; upstream files point at `targets`. */
export function expectedHostFiles(model: PlatformModel, targets: UpstreamTargets): ExpectedFile[] {
    const upstreams = new Map(renderUpstreams(model, PROXY_HOST_DIR, targets).map((f) => [f.path, f]));
    const delivered = (f: HostFile) => DELIVERED_DIRS.some((d) => f.path.startsWith(`${d}/`));
    return renderHostFiles(model)
        .filter(delivered)
        .map((f) => upstreams.get(f.path) ?? f)
        .map((f) => ({ path: f.path, sha256: sha256(f.content) }));
}
