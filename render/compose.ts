// docker-compose rendering of a stack: the same containers the Pulumi program creates (images,
// commands, env, secret files, health checks, limits, networks, aliases), ordered by
// `depends_on` with `condition: service_healthy` where hostplane orders by dependsOn + wait.
// It is the baseline the benchmark compares against and a way out (eject) for users: the files
// are plain compose (format 2.4: Debian's docker-compose 1.29 and compose v2 both read it).
//
// Pure: the model in, the compose text plus the host files and the *recipes* of secret files
// out. Secret values never appear in the compose file; the CLI (cli/compose.ts) generates them
// into secrets/ (0700) once and keeps them across renders.
import { stringify } from "yaml";
import type { PlatformModel } from "../config/model";
import { renderApps } from "./compose/apps";
import { ComposeBuilder, escapeDollars } from "./compose/builder";
import { renderDataServices } from "./compose/data";
import { renderMonitoring } from "./compose/monitoring";
import { renderProxy } from "./compose/proxy";
import type { ComposeBundle } from "./compose/types";

export type { ComposeBundle } from "./compose/types";
export { LAYOUT } from "./compose/types";

export function renderCompose(model: PlatformModel): ComposeBundle {
    const b = new ComposeBuilder(model);
    for (const env of model.environments) {
        const data = renderDataServices(b, env);
        renderApps(b, env, data.ready, data.credential);
    }
    renderMonitoring(b);
    renderProxy(b);
    const doc = {
        version: "2.4",
        services: sortKeys(b.services),
        networks: Object.fromEntries([...b.networks].sort().map((n) => [n, { labels: b.labels({ ...(n === "monitoring" ? {} : { environment: n }) }) }])),
        ...(b.volumes.size ? { volumes: Object.fromEntries([...b.volumes].sort().map((v) => [v, {}])) } : {}),
    };
    // YAML 1.1 quoting: docker-compose 1.29 (PyYAML) reads a bare `no` as false.
    const header = `# docker-compose file of hostplane stack '${model.stack}', rendered by \`npm run render -- --format compose\`.\n# Secrets live in ./secrets (never in this file). See README "docker-compose (baseline and eject)".\n`;
    return {
        composeFile: header + stringify(escapeAll(doc), { lineWidth: 0, version: "1.1" }),
        files: b.files,
        dirs: [...b.dirs].sort(),
        values: [...b.values.values()],
        secretFiles: b.secretFiles,
        // Self-signed certificates, or placeholders until certbot has issued the real ones.
        certificateHosts: model.proxy.tls.mode === "provided" ? [] : model.proxy.hosts,
    };
}

const sortKeys = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/** Every string in the services is literal: compose would read `$x` as interpolation. */
function escapeAll(v: unknown): unknown {
    if (typeof v === "string") return escapeDollars(v);
    if (Array.isArray(v)) return v.map(escapeAll);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeAll(x)]));
    return v;
}
