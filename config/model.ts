// The validated, resolved platform model: plain data that renderers and components consume.
// Everything derived (names, effective ports, merged health-check defaults) is computed once here.
import type { AppConfig, EnvironmentConfig, HostConfig, ProxyConfig, StackConfigParsed } from "./schema";
import { adminUi, buildServices, connectionsFor, type DataServiceModel } from "./services";
import { durationToSeconds, memoryToMegabytes } from "./units";
import { MonitoringModel, monitoringModel, monitoringUiRoutes } from "./monitoring";
import { ENDPOINTS } from "./monitoring-schema";
import type { ImagesModel } from "./image-recipes";
import { RegistryImagesModel, registryImagesModel } from "./images";
import type { AppModel, EnvironmentModel, ProxyModel, ProxyRouteModel, RouteModel, SecretModel } from "./model-types";
import { MONITORING_ROUTE_ENV } from "./model-types";
import { clusterModel, type ClusterModel } from "./cluster";

export type { DataServiceModel } from "./services";
export * from "./model-types";

export interface PlatformModel {
    project: string;
    stack: string;
    prefix: string;
    /** The single host, or a cluster's first manager (where Docker resources are created). */
    host: HostConfig;
    /** Several hosts as one Docker Swarm; absent for a single host. */
    cluster?: ClusterModel;
    logs: { maxSize: string; maxFile: number };
    drainSeconds: number;
    monitoringNetworkName: string;
    environments: EnvironmentModel[];
    proxy: ProxyModel;
    /** Monitoring services, scrape targets and probes (config/monitoring.ts). */
    monitoring: MonitoringModel;
    /** Config keys (without namespace) of user-set secrets that apps reference. */
    configSecretKeys: string[];
    /** Where images come from; local-build images to build first (config/image-source.ts); private registries and digest pinning (config/images.ts). */
    images: ImagesModel & RegistryImagesModel;
}

/**
 * The network alias of one revision of a routed app: what the proxy targets after the cutover
 * switch. Unique per revision, so no resolver cache can hand out another revision's address.
 */
export const revisionAlias = (alias: string, revision: string) => `${alias}-${revision}`;
/** Length of the "-<revision>" suffix (RandomId of 4 bytes, hex), for alias length checks. */
export const REVISION_SUFFIX_LENGTH = 9;

export const networkName = (prefix: string, env: string) => `${prefix}_${env}_network`;
export const monitoringNetworkName = (prefix: string) => `${prefix}_monitoring_network`;

/** The HTTP health check of an app: the URL comes in as "$1". */
export const HTTP_CHECK_SCRIPT = 'curl -fsS -o /dev/null "$1" || wget -q -O /dev/null "$1" || exit 1';

function healthTest(app: AppConfig): string[] {
    if (app.healthcheck.command) return ["CMD", ...app.healthcheck.command];
    // curl or wget, whichever the image ships: slim images rarely have both. The URL is an
    // argument of the fixed script ("$1"), never part of shell code: a path like `/h; true #`
    // cannot change what runs (validation also limits the path's characters).
    const url = `http://127.0.0.1:${app.port}${app.healthcheck.path}`;
    return ["CMD", "sh", "-c", HTTP_CHECK_SCRIPT, "healthcheck", url];
}

/** Kahn's algorithm; validation has already rejected cycles, so every app is emitted. */
export function dependencyOrder(apps: Record<string, { dependsOn: string[] }>): string[] {
    const names = Object.keys(apps).sort();
    const done = new Set<string>();
    const order: string[] = [];
    while (order.length < names.length) {
        const next = names.find((n) => !done.has(n) && apps[n].dependsOn.every((d) => done.has(d) || !Object.hasOwn(apps, d)));
        if (!next) throw new Error("dependency cycle (validation should have caught it)");
        done.add(next);
        order.push(next);
    }
    return order;
}

export function buildModel(cfg: StackConfigParsed, project: string, stack: string, images: ImagesModel = { source: "registry", builds: [], notes: [] }): PlatformModel {
    const d = cfg.defaults;
    const environments: EnvironmentModel[] = Object.entries(cfg.environments).map(([envName, env]) => {
        const services = buildServices(cfg.prefix, envName, env);
        const apps = dependencyOrder(env.apps).map((appName) => appModel(cfg, envName, env, services, appName));
        return {
            name: envName,
            kind: env.kind,
            domain: env.domain,
            portOffset: env.portOffset,
            networkName: networkName(cfg.prefix, envName),
            apps,
            services,
        };
    });
    const configSecretKeys = userSecretKeys(cfg, environments);
    const proxy = proxyModel(cfg, environments);
    const monitoring = monitoringModel(cfg, environments, proxy);
    return {
        project,
        stack,
        prefix: cfg.prefix,
        host: cfg.host,
        ...(cfg.cluster ? { cluster: clusterModel(cfg.cluster) } : {}),
        logs: d.logs,
        drainSeconds: d.drainSeconds,
        monitoringNetworkName: monitoringNetworkName(cfg.prefix),
        environments,
        proxy,
        monitoring,
        configSecretKeys: [...new Set([...configSecretKeys, ...monitoring.secretKeys])].sort(),
        images: { ...registryImagesModel(cfg.images), ...images },
    };
}

/** One app, resolved: defaults merged, connection settings of the data services it depends on injected. */
function appModel(cfg: StackConfigParsed, envName: string, env: EnvironmentConfig, services: DataServiceModel[], appName: string): AppModel {
    const d = cfg.defaults;
    const app = env.apps[appName];
    const conn = connectionsFor(appName, services);
    const hc = { ...d.healthcheck, ...stripUndefined(app.healthcheck) };
    return {
        name: appName,
        environment: envName,
        image: app.image,
        port: app.port,
        command: app.command,
        env: { ...conn.env, ...app.env },
        secrets: [
            ...Object.entries(app.secrets).map(([name, source]) => ({ name, source, filePath: `/run/secrets/${name}` })),
            ...conn.secrets.map(({ name, service, credential }) => ({ name, source: { service, credential }, filePath: `/run/secrets/${name}` })),
        ],
        secretDelivery: app.secretDelivery,
        user: app.user,
        healthcheck: {
            test: healthTest(app),
            interval: hc.interval,
            timeout: hc.timeout,
            retries: hc.retries,
            startPeriod: hc.startPeriod,
            worstCaseSeconds:
                durationToSeconds(hc.startPeriod) +
                hc.retries * (durationToSeconds(hc.interval) + durationToSeconds(hc.timeout)),
        },
        cpus: app.cpus,
        memory: app.memory,
        memoryMb: memoryToMegabytes(app.memory),
        restart: app.restart ?? d.restart,
        routes: app.routes.map((r) => ({
            host: r.host ?? env.domain,
            path: r.path ?? "/",
            maxBodySize: r.maxBodySize,
            basicAuth: r.basicAuth,
            allowFrom: r.allowFrom,
            public: r.public,
        })),
        metrics: app.metrics ? { path: app.metrics.path, port: app.metrics.port ?? app.port } : undefined,
        dependsOn: app.dependsOn,
        migration: app.migration
            ? { command: app.migration.command, timeoutSeconds: durationToSeconds(app.migration.timeout) }
            : undefined,
        hostPort: app.hostPort === undefined ? undefined : app.hostPort + env.portOffset,
        containerBaseName: `${cfg.prefix}-${envName}-${appName}`,
        alias: `${envName}-${appName}`,
        // Cluster only; absent otherwise, so a single host's app (and its spec hash) is unchanged.
        ...(app.replicas === undefined ? {} : { replicas: app.replicas }),
        ...(app.placement ? { placement: app.placement } : {}),
    };
}

/** Config keys of user-set secrets the program reads (apps, SSH, off-host backups, TLS, registries). */
function userSecretKeys(cfg: StackConfigParsed, environments: EnvironmentModel[]): Set<string> {
    const configSecretKeys = new Set<string>();
    for (const env of environments)
        for (const app of env.apps)
            for (const s of app.secrets) if (typeof s.source === "object" && "fromConfig" in s.source) configSecretKeys.add(s.source.fromConfig);
    if (cfg.host.provider === "ssh" || cfg.host.provider === "hcloud") configSecretKeys.add("sshPrivateKey");
    for (const env of environments)
        for (const svc of env.services)
            if (svc.settings.type === "postgres" && svc.settings.backup.s3) {
                configSecretKeys.add(svc.settings.backup.s3.accessKeyId);
                configSecretKeys.add(svc.settings.backup.s3.secretAccessKey);
            }
    if (cfg.proxy.tls.mode === "provided") {
        configSecretKeys.add(cfg.proxy.tls.certificate);
        configSecretKeys.add(cfg.proxy.tls.privateKey);
    }
    for (const r of cfg.images.registries) if (r.password) configSecretKeys.add(r.password);
    return configSecretKeys;
}

function proxyModel(stackCfg: StackConfigParsed, environments: EnvironmentModel[]): ProxyModel {
    const proxyCfg: ProxyConfig = stackCfg.proxy;
    const routes: ProxyRouteModel[] = environments.flatMap((env) =>
        env.apps.flatMap((app) =>
            app.routes.map((r) => ({
                host: r.host,
                path: r.path,
                environment: env.name,
                app: app.name,
                alias: app.alias,
                port: app.port,
                maxBodySize: r.maxBodySize ?? proxyCfg.clientMaxBodySize,
                basicAuth: r.basicAuth,
                allowFrom: r.allowFrom,
                switched: true,
            })),
        ),
    );
    // Management UIs of data services (RabbitMQ, MinIO console): always behind basic auth.
    for (const env of environments)
        for (const svc of env.services) {
            const ui = adminUi(svc, env.domain);
            if (ui)
                routes.push({ host: ui.host, path: ui.path, environment: env.name, app: svc.name, alias: svc.alias, port: ui.port, maxBodySize: proxyCfg.clientMaxBodySize, basicAuth: true, allowFrom: ui.allowFrom, switched: false });
        }
    // Grafana and Prometheus (hostplane:monitoring.ui): always behind basic auth, on the monitoring network.
    for (const ui of monitoringUiRoutes(stackCfg.monitoring, environments))
        routes.push({
            host: ui.host,
            path: ui.path,
            environment: MONITORING_ROUTE_ENV,
            app: ui.ui,
            alias: ENDPOINTS[ui.ui].alias,
            port: ENDPOINTS[ui.ui].port,
            maxBodySize: proxyCfg.clientMaxBodySize,
            basicAuth: true,
            allowFrom: ui.allowFrom,
            switched: false,
            // Grafana serves its sub-path itself (serve_from_sub_path); Prometheus gets it stripped.
            ...(ui.ui === "prometheus" && ui.path !== "/" ? { stripPrefix: true } : {}),
            // Basic auth is not enough for these: /-/quit, /-/reload and the TSDB admin API (delete series).
            ...(ui.ui === "prometheus" ? { denyPaths: ["/-/", "/api/v1/admin/"] } : {}),
        });
    routes.sort((a, b) => a.host.localeCompare(b.host) || a.path.localeCompare(b.path));
    return {
        image: proxyCfg.image,
        ports: proxyCfg.ports,
        tls: proxyCfg.tls,
        clientMaxBodySize: proxyCfg.clientMaxBodySize,
        limits: proxyCfg.limits,
        ipv6: stackCfg.host.provider !== "local",
        hosts: [...new Set(routes.map((r) => r.host))].sort(),
        routes,
        environments: environments.filter((e) => routes.some((r) => r.environment === e.name)).map((e) => e.name),
        monitoring: routes.some((r) => r.environment === MONITORING_ROUTE_ENV),
    };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
