// The resolved model's shapes for environments, apps, routes and the proxy: plain data, no logic.
// Apart from model.ts so that per-concern model builders (monitoring.ts) can name them without
// importing the builder that imports them (no import circle).
import type { AppConfig, EnvironmentConfig, ProxyConfig, SecretSourceConfig } from "./schema";
import type { Credential, DataServiceModel } from "./services";
import type { HealthCheck } from "./health";

export interface HealthcheckModel extends HealthCheck {
    /** Longest time from start to healthy before Docker gives up: start period + retries × interval. */
    worstCaseSeconds: number;
}

export interface SecretModel {
    /** Environment variable name the app reads (NAME, or NAME_FILE with file delivery). */
    name: string;
    /** Generated, from config, or a connection credential of a data service the app depends on. */
    source: SecretSourceConfig | { service: string; credential: Credential };
    /** Path inside the container for file delivery. */
    filePath: string;
}

export interface RouteModel {
    host: string;
    /** Always starts with /; "/" for a whole host. */
    path: string;
    /** client_max_body_size for this route, when it differs from the proxy default. */
    maxBodySize?: string;
    basicAuth: boolean;
    allowFrom?: string[];
    /** Served to everyone on purpose (an admin tool without basicAuth/allowFrom). */
    public: boolean;
}

export interface AppModel {
    name: string;
    environment: string;
    image: string;
    port: number;
    command?: string[];
    env: Record<string, string>;
    secrets: SecretModel[];
    secretDelivery: "file" | "env";
    user?: string;
    healthcheck: HealthcheckModel;
    cpus: number;
    memory: string;
    memoryMb: number;
    restart: AppConfig["restart"] & string;
    routes: RouteModel[];
    metrics?: { path: string; port: number };
    /** Names of the apps and data services of the same environment this app needs first. */
    dependsOn: string[];
    migration?: { command: string[]; timeoutSeconds: number };
    /** 127.0.0.1 port on the host, with the environment offset applied. */
    hostPort?: number;
    /** Container name without the revision suffix: <prefix>-<env>-<app>. */
    containerBaseName: string;
    /**
     * Stable DNS name on the environment network, shared by every revision (what the proxy resolves).
     * <env>-<app>, so a proxy on several environment networks never gets two environments' answers.
     */
    alias: string;
    /** Cluster only: tasks of the app's Swarm service (default 1). */
    replicas?: number;
    /** Cluster only: node labels every task's node carries. */
    placement?: string[];
}

export interface EnvironmentModel {
    name: string;
    kind: EnvironmentConfig["kind"];
    domain: string;
    portOffset: number;
    networkName: string;
    /** In dependency order: every app comes after the apps it depends on. */
    apps: AppModel[];
    /** Data services, by name; apps that name one in dependsOn start after it and get its credentials. */
    services: DataServiceModel[];
}

/** One path route as the proxy serves it: which app (alias:port on which network) answers it. */
export interface ProxyRouteModel {
    host: string;
    path: string;
    environment: string;
    app: string;
    alias: string;
    port: number;
    maxBodySize: string;
    basicAuth: boolean;
    allowFrom?: string[];
    /** The path prefix is removed before proxying (Prometheus behind a sub-path, --web.route-prefix=/). */
    stripPrefix?: boolean;
    /** Sub-paths (under the route's path) answered 403 by nginx: Prometheus' lifecycle and admin APIs. */
    denyPaths?: string[];
    /**
     * true for an app's routes: the proxy targets one revision of the app by its revision alias,
     * switched explicitly at cutover (render/upstreams.ts). false for data-service and monitoring
     * UIs, whose containers are not rolled side by side: their shared alias, resolved per request.
     */
    switched: boolean;
}

/** Routes to the monitoring UIs carry this environment name; their upstreams sit on the monitoring network. */
export const MONITORING_ROUTE_ENV = "monitoring";

export interface ProxyModel {
    image: string;
    ports: { http: number; https: number };
    tls: ProxyConfig["tls"];
    clientMaxBodySize: string;
    /** Per-client request rate and connection limits (nginx limit_req / limit_conn). */
    limits: ProxyConfig["limits"];
    /** Publish 80/443 on IPv6 (::) too: every host that may have AAAA records (not a laptop). */
    ipv6: boolean;
    /** Every routed host name, sorted. */
    hosts: string[];
    /** Every route of every environment, sorted by host then path. */
    routes: ProxyRouteModel[];
    /** The environments the proxy routes to: it joins exactly their networks. */
    environments: string[];
    /** Whether it routes to a monitoring UI: then it also joins the monitoring network. */
    monitoring: boolean;
}
