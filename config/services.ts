// The data services of an environment as the model resolves them: each kind's defaults (image,
// port, limits, health check) from its catalog file (catalog/<kind>.ts), overridden by config;
// the connection settings each app that names a service in `dependsOn` receives.
import type { EnvironmentConfig } from "./schema";
import { memoryToMegabytes } from "./units";
import { PGBOUNCER_PORT } from "../catalog/postgres";
import { kindOf, type Credential, type DataServiceConfig, type ServiceModel, type ServiceType } from "../catalog";

export type { Credential, ServiceType };
export { pgIdentifier } from "../catalog";

export type DataServiceModel = ServiceModel<DataServiceConfig>;

export function buildServices(prefix: string, envName: string, env: EnvironmentConfig): DataServiceModel[] {
    return Object.entries(env.services)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, svc]) => {
            const p = kindOf(svc.type);
            const memory = svc.memory ?? p.memory;
            return {
                name,
                type: svc.type,
                environment: envName,
                image: svc.image ?? p.image,
                port: p.port,
                cpus: svc.cpus ?? p.cpus,
                memory,
                memoryMb: memoryToMegabytes(memory),
                dataPath: p.dataPath,
                health: p.health,
                alias: `${envName}-${name}`,
                containerBaseName: `${prefix}-${envName}-${name}`,
                volumeName: `${prefix}_${envName}_${name}_data`,
                hostPort: svc.hostPort === undefined ? undefined : svc.hostPort + env.servicePortOffset,
                protect: env.kind === "production" && !env.allowDataDestroy,
                consumers: Object.entries(env.apps)
                    .filter(([, a]) => a.dependsOn.includes(name))
                    .map(([n]) => n)
                    .sort(),
                settings: svc,
            };
        });
}

/**
 * What one app gets from the services it depends on. A variable is prefixed with the service's
 * name (ANALYTICS_DB_DATABASE_URL) only when the app uses two services of one type.
 */
export function connectionsFor(
    app: string,
    services: DataServiceModel[],
): { env: Record<string, string>; secrets: { name: string; service: string; credential: Credential }[] } {
    const used = services.filter((s) => s.consumers.includes(app));
    const env: Record<string, string> = {};
    const secrets: { name: string; service: string; credential: Credential }[] = [];
    for (const s of used) {
        const shared = used.filter((o) => o.type === s.type).length > 1;
        const varName = (base: string) => (shared ? `${s.name.toUpperCase().replace(/-/g, "_")}_${base}` : base);
        const c = kindOf(s.type).connection(s.alias, s.type === "postgres" && pgbouncerEnabled(s) ? PGBOUNCER_PORT : s.port, s.settings);
        for (const [k, v] of Object.entries(c.env)) env[varName(k)] = v;
        for (const [k, cred] of Object.entries(c.secrets)) secrets.push({ name: varName(k), service: s.name, credential: cred });
    }
    return { env, secrets };
}

/** The proxy route of a service's management UI, if configured: on the env domain unless a host is given. */
export function adminUi(s: DataServiceModel, domain: string): { host: string; path: string; port: number; allowFrom?: string[] } | undefined {
    const ui = "ui" in s.settings ? s.settings.ui : undefined;
    const port = kindOf(s.type).uiPort;
    if (!ui || !port) return undefined;
    return { host: ui.host ?? domain, path: ui.path ?? "/", port, allowFrom: ui.allowFrom };
}

export const pgbouncerEnabled = (s: DataServiceModel) => s.settings.type === "postgres" && s.settings.pgbouncer.enabled;
