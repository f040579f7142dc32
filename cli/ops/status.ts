// `ops status`: every container of the stack with health, image, uptime and restarts, plus the
// services the config declares that have no container at all (a deploy that silently skipped one).
import type { PlatformModel } from "../../config/model";
import { Docker, inspectStackContainers, requireEnvironment } from "./docker";

export interface StatusRow {
    env: string;
    service: string;
    container: string;
    image: string;
    state: string;
    health: string;
    uptime: string;
    restarts: number;
}

/** 90 → "1m30s", 93784 → "1d2h" : the two largest units are enough at a glance. */
export function humanDuration(seconds: number): string {
    const units: [string, number][] = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
    const parts: string[] = [];
    let rest = Math.max(0, Math.floor(seconds));
    for (const [u, n] of units) {
        if (rest >= n || (u === "s" && parts.length === 0)) {
            parts.push(`${Math.floor(rest / n)}${u}`);
            rest %= n;
        }
        if (parts.length === 2) break;
    }
    return parts.join("");
}

/** Rows from `docker inspect` JSON (Docker Engine API ContainerInspect). */
export function statusRows(inspected: any[], now: Date): StatusRow[] {
    return inspected
        .map((c) => {
            const labels = c.Config?.Labels ?? {};
            const running = c.State?.Running === true;
            return {
                env: labels["hostplane.environment"] ?? "-",
                service: labels["hostplane.service"] ?? "-",
                container: String(c.Name ?? "").replace(/^\//, ""),
                image: c.Config?.Image ?? "-",
                state: c.State?.Restarting ? "restarting" : (c.State?.Status ?? "unknown"),
                health: c.State?.Health?.Status ?? "-",
                uptime: running ? humanDuration((now.getTime() - Date.parse(c.State.StartedAt)) / 1000) : "-",
                restarts: Number(c.RestartCount ?? 0),
            };
        })
        .sort((a, b) => a.env.localeCompare(b.env) || a.service.localeCompare(b.service) || a.container.localeCompare(b.container));
}

/** Apps and data services the model declares, as env/service pairs. */
export function expectedServices(model: PlatformModel, envName?: string): { env: string; service: string }[] {
    return model.environments
        .filter((e) => !envName || e.name === envName)
        .flatMap((e) => [...e.services.map((s) => s.name), ...e.apps.map((a) => a.name)].map((service) => ({ env: e.name, service })));
}

/** A row is fine when it runs and its health check (if any) passes. */
export const rowHealthy = (r: StatusRow) => r.state === "running" && (r.health === "-" || r.health === "healthy");

export function status(model: PlatformModel, d: Docker, opts: { env?: string }, now = new Date()): { rows: StatusRow[]; ok: boolean } {
    if (opts.env) requireEnvironment(model, opts.env);
    const rows = statusRows(inspectStackContainers(d, model, opts.env ? { "hostplane.environment": opts.env } : {}), now);
    const missing = expectedServices(model, opts.env)
        .filter((x) => !rows.some((r) => r.env === x.env && r.service === x.service))
        .map((x) => ({ ...x, container: "-", image: "-", state: "missing", health: "-", uptime: "-", restarts: 0 }));
    const all = [...rows, ...missing];
    return { rows: all, ok: all.every(rowHealthy) };
}

export function formatTable(rows: StatusRow[]): string {
    const head = ["ENV", "SERVICE", "CONTAINER", "IMAGE", "STATE", "HEALTH", "UPTIME", "RESTARTS"];
    const cells = [head, ...rows.map((r) => [r.env, r.service, r.container, r.image, r.state, r.health, r.uptime, String(r.restarts)])];
    const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
    return cells.map((c) => c.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
