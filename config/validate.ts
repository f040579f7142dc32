// Turns raw `hostplane:*` config values into a validated PlatformModel, or throws a ConfigError
// listing every problem at once. Runs before any resource is constructed.
import { z } from "zod";
import { ConfigError, ConfigIssue, formatPath } from "./errors";
import { buildModel, PlatformModel } from "./model";
import { adminUi, buildServices, connectionsFor, type DataServiceModel } from "./services";
import { StackConfig, type AppConfig, type EnvironmentConfig, type StackConfigParsed } from "./schema";
import { durationToSeconds } from "./units";
import { MONITORING_UIS, monitoringIssues, monitoringUiRoutes } from "./monitoring";
import { hcloudEndpointIssues, hcloudKeyIssues, hcloudTokenIssues } from "./hosts";
import { aliasIssues } from "./aliases";
import { exposureIssues } from "./exposure";
import { reservedEnvIssues } from "./reserved-env";
import { applyImageSource, effectiveImageSource } from "./image-source";
import { imagesIssues, registryHost } from "./images";
import { applyMirror } from "./image-mirror";
import type { ImagesModel } from "./image-recipes";
import { offsiteIssues } from "./backup";
import { clusterIssues, withPrimaryHost } from "./cluster";
import { placementIssues } from "./placement";

import { NAMESPACE, type ConfigSource } from "./source";

export { NAMESPACE } from "./source";

export type { ConfigSource, RawValue } from "./source";

const PLAIN_KEYS = Object.keys(StackConfig.shape);
const key = (path: ReadonlyArray<PropertyKey>) => `${NAMESPACE}:${formatPath(path)}`;

export function loadPlatformModel(source: ConfigSource): PlatformModel {
    const issues: ConfigIssue[] = [];
    const plain: Record<string, unknown> = {};
    const secrets = new Set<string>();

    for (const [k, v] of Object.entries(source.values)) {
        if (PLAIN_KEYS.includes(k)) {
            if (v.secret) issues.push({ key: key([k]), message: `is set as a secret; expected a plain value (it holds no secret)` });
            else plain[k] = v.value;
        } else if (v.secret) {
            secrets.add(k);
        } else {
            issues.push({
                key: key([k]),
                message: `unknown key; expected one of ${PLAIN_KEYS.join(", ")}, or a secret set with 'pulumi config set --secret ${NAMESPACE}:${k}'`,
            });
        }
    }

    issues.unshift(...hcloudTokenIssues(plain.host ?? clusterHcloudHost(plain.cluster), source.external, source.stack), ...hcloudEndpointIssues(source.external));
    const parsedRaw = StackConfig.safeParse(plain);
    if (!parsedRaw.success) {
        issues.push(...parsedRaw.error.issues.map((i) => zodIssue(i, plain)));
        throw new ConfigError(issues, source.description);
    }
    // A cluster's first manager is the host Pulumi talks Docker to (config/cluster.ts).
    const primary = withPrimaryHost(parsedRaw.data, key);
    issues.push(...primary.issues, ...clusterIssues(parsedRaw.data, key), ...placementIssues(parsedRaw.data, key));
    if (!primary.cfg) throw new ConfigError(issues, source.description);
    const parsed = { data: primary.cfg };
    issues.push(...semanticIssues(parsed.data, secrets, source.stack));
    issues.push(...reservedEnvIssues(parsed.data, key), ...exposureIssues(parsed.data, key), ...aliasIssues(parsed.data, key), ...sshPortIssues(parsed.data));
    issues.push(...hcloudKeyIssues(parsed.data.host.provider, secrets, NAMESPACE, source.stack));
    issues.push(...monitoringIssues(parsed.data.monitoring, secrets, source.stack, NAMESPACE));
    // Last: the checks above judge the images the user wrote (admin tools are known by repository).
    const explicit = (p: string[]) => valueAt(plain, p) !== undefined;
    const { issues: imageIssues, ...images } = applyImageSource(parsed.data, effectiveImageSource(parsed.data.images.source, source.registryReachable, parsed.data.images.mirror), explicit);
    issues.push(...imageIssues, ...mirrorImages(parsed.data, images));
    issues.push(...imagesIssues(parsed.data.images, appImages(parsed.data), secrets, NAMESPACE, source.stack));
    if (issues.length > 0) throw new ConfigError(issues, source.description);
    return buildModel(parsed.data, source.project, source.stack, images);
}

/** The first hcloud node of a raw cluster value, for the token check (which runs before the schema). */
function clusterHcloudHost(cluster: unknown): unknown {
    const nodes = (cluster as { nodes?: unknown } | undefined)?.nodes;
    return Array.isArray(nodes) ? nodes.map((n) => (n as { host?: unknown } | null)?.host).find((h) => (h as { provider?: unknown } | undefined)?.provider === "hcloud") : undefined;
}

/** hostplane:images.mirror: every image from the mirror (registry source only; local builds need none). */
function mirrorImages(cfg: StackConfigParsed, images: ImagesModel): ConfigIssue[] {
    const mirror = cfg.images.mirror;
    if (mirror === undefined) return [];
    if (images.source === "local-build")
        return cfg.images.source === "auto"
            ? [] // auto found no registry: local builds, no mirror (the note says so)
            : [{ key: `${NAMESPACE}:images.mirror`, message: `is set to '${mirror}', but ${NAMESPACE}:images.source is local-build, which pulls nothing; expected images.source registry or auto with a mirror` }];
    const { mapped, issues } = applyMirror(cfg, registryHost(mirror));
    images.notes.push(...mapped.map((m) => `${m.key}: ${m.from} -> ${m.to} (mirror)`));
    images.mirrored = mapped;
    return issues;
}

const appImages = (cfg: StackConfigParsed) =>
    Object.entries(cfg.environments).flatMap(([e, env]) => Object.entries(env.apps).map(([a, app]) => ({ key: `environments.${e}.apps.${a}.image`, image: app.image })));

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    let cur: any = root;
    for (const p of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[p as any];
    }
    return cur;
}

function zodIssue(i: z.core.$ZodIssue, input: unknown): ConfigIssue {
    const got = valueAt(input, i.path);
    const k = key(i.path);
    switch (i.code) {
        case "unrecognized_keys":
            return {
                key: k,
                message: `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((x) => `'${x}'`).join(", ")}; expected only ${allowedKeys(i.path)}`,
            };
        case "invalid_key":
            // A record key (app, environment or env var name) is bad: name the key, not its value.
            return { key: k, message: `bad name '${String(i.path[i.path.length - 1])}'; ${i.issues.map((x) => x.message).join("; ")}` };
        case "too_big":
            return { key: k, message: `got ${JSON.stringify(got)}; expected at most ${i.maximum}${i.origin === "array" ? " items" : ""}` };
        case "too_small":
            return { key: k, message: `got ${JSON.stringify(got)}; expected at least ${i.minimum}${i.origin === "array" ? " item(s)" : ""}` };
    }
    const expected = i.code === "invalid_type" ? `expected ${i.expected}` : i.message.replace(/^Invalid (input|option): /, "");
    if (got === undefined) return { key: k, message: `is required; ${expected}` };
    return { key: k, message: `got ${JSON.stringify(got)}; ${expected}` };
}

/** The keys a strict object accepts, found by walking the schema along the path. */
function allowedKeys(path: ReadonlyArray<PropertyKey>): string {
    let schema: any = StackConfig;
    for (const p of path) {
        schema = unwrap(schema);
        if (schema?.shape) schema = schema.shape[p as string];
        else if (schema?._zod?.def?.valueType) schema = schema._zod.def.valueType;
        else if (schema?._zod?.def?.element) schema = schema._zod.def.element;
        else return "the documented keys";
    }
    schema = unwrap(schema);
    return schema?.shape ? Object.keys(schema.shape).join(", ") : "the documented keys";
}

function unwrap(schema: any): any {
    while (schema?._zod?.def?.innerType) schema = schema._zod.def.innerType;
    return schema;
}

/** What the cross-field rules share while they walk the config: the issues so far, and who owns each route and host port. */
interface Scan {
    cfg: StackConfigParsed;
    secretKeys: Set<string>;
    stack: string;
    issues: ConfigIssue[];
    /** host+path -> env/app (or monitoring/<ui>) that serves it. */
    routeOwners: Map<string, string>;
    /** Published host port -> env/service that holds it. */
    portOwners: Map<number, string>;
}

/** Rules that span fields: references, cycles, collisions, secrets, production exposure. */
function semanticIssues(cfg: StackConfigParsed, secretKeys: Set<string>, stack: string): ConfigIssue[] {
    const scan: Scan = { cfg, secretKeys, stack, issues: [], routeOwners: new Map(), portOwners: new Map() };
    for (const [envName, env] of Object.entries(cfg.environments)) environmentIssues(scan, envName, env);
    monitoringUiIssues(scan);
    proxyIssues(scan);
    const { issues } = scan;
    if (cfg.host.provider === "ssh" && !secretKeys.has("sshPrivateKey"))
        issues.push({
            key: `${NAMESPACE}:sshPrivateKey`,
            message: `missing secret: host.provider is ssh; set the private key with 'pulumi config set --secret ${NAMESPACE}:sshPrivateKey < ~/.ssh/id_ed25519 --stack ${stack}'`,
        });
    return issues;
}

function environmentIssues(scan: Scan, envName: string, env: EnvironmentConfig): void {
    const { issues } = scan;
    const appNames = Object.keys(env.apps);
    const serviceNames = Object.keys(env.services);
    for (const n of serviceNames)
        if (appNames.includes(n))
            issues.push({ key: key(["environments", envName, "services", n]), message: `'${n}' is both an app and a data service; expected distinct names` });
    const services = buildServices(scan.cfg.prefix, envName, env);
    for (const [appName, app] of Object.entries(env.apps)) {
        const at = (...p: PropertyKey[]) => key(["environments", envName, "apps", appName, ...p]);
        appReferenceIssues(scan, envName, env, services, appName, app, at);
        appExposureIssues(scan, envName, env, appName, app, at);
    }
    for (const svc of services) serviceIssues(scan, envName, env, svc);
    const cycle = findCycle(env.apps);
    if (cycle) issues.push({ key: key(["environments", envName, "apps"]), message: `dependency cycle ${cycle.join(" -> ")}; expected dependsOn to form layers without cycles` });
}

type At = (...p: PropertyKey[]) => string;

/** dependsOn names, injected connection settings, health check and secrets of one app. */
function appReferenceIssues(scan: Scan, envName: string, env: EnvironmentConfig, services: DataServiceModel[], appName: string, app: AppConfig, at: At): void {
    const { issues, cfg, secretKeys, stack } = scan;
    const known = [...Object.keys(env.apps), ...Object.keys(env.services)];
    app.dependsOn.forEach((dep, i) => {
        if (dep === appName) issues.push({ key: at("dependsOn", i), message: `'${appName}' depends on itself` });
        else if (!known.includes(dep))
            issues.push({
                key: at("dependsOn", i),
                message: `unknown service '${dep}'; expected one of the apps or data services of environment '${envName}': ${known.filter((n) => n !== appName).join(", ") || "(none)"}`,
            });
    });

    // Connection settings injected from data services must not collide with the app's own.
    const conn = connectionsFor(appName, services);
    for (const v of [...Object.keys(conn.env), ...conn.secrets.map((c) => c.name)])
        if (v in app.env || v in app.secrets)
            issues.push({ key: at(v in app.env ? "env" : "secrets", v), message: `is set by the data service this app depends on; remove it here` });

    const hc = app.healthcheck;
    if ((hc.path === undefined) === (hc.command === undefined))
        issues.push({ key: at("healthcheck"), message: `expected exactly one of 'path' (HTTP check) or 'command'` });
    const timeout = hc.timeout ?? cfg.defaults.healthcheck.timeout;
    const interval = hc.interval ?? cfg.defaults.healthcheck.interval;
    if (durationToSeconds(timeout) > durationToSeconds(interval))
        issues.push({
            key: at("healthcheck", "timeout"),
            message: `got ${timeout}${hc.timeout ? "" : " (from defaults.healthcheck.timeout)"}; expected at most the interval (${interval})`,
        });

    for (const name of Object.keys(app.secrets)) {
        if (name in app.env) issues.push({ key: at("secrets", name), message: `'${name}' is also a plain env var; expected it in only one of env and secrets` });
        if (`${name}_FILE` in app.env) issues.push({ key: at("env", `${name}_FILE`), message: `is set by the secret '${name}'; remove it from env` });
        const src = app.secrets[name];
        if (typeof src === "object" && "fromConfig" in src && !secretKeys.has(src.fromConfig))
            issues.push({
                key: at("secrets", name),
                message: `missing secret ${NAMESPACE}:${src.fromConfig}; set it with 'pulumi config set --secret ${NAMESPACE}:${src.fromConfig} <value> --stack ${stack}'`,
            });
    }
}

/** Routes and host ports of one app: each owned once, none published in production. */
function appExposureIssues(scan: Scan, envName: string, env: EnvironmentConfig, appName: string, app: AppConfig, at: At): void {
    const { issues, routeOwners, portOwners } = scan;
    app.routes.forEach((r, i) => {
        const route = `${r.host ?? env.domain}${r.path ?? "/"}`;
        const owner = `${envName}/${appName}`;
        const prev = routeOwners.get(route);
        if (prev) issues.push({ key: at("routes", i), message: `route ${route} is already served by ${prev}; expected each host+path once` });
        else routeOwners.set(route, owner);
    });

    if (app.hostPort !== undefined) {
        if (env.kind === "production")
            issues.push({
                key: at("hostPort"),
                message: `got ${app.hostPort}; production environments publish no app ports (only the proxy faces the internet): remove hostPort and add a route`,
            });
        const effective = app.hostPort + env.portOffset;
        const prev = portOwners.get(effective);
        if (effective > 65535) issues.push({ key: at("hostPort"), message: `hostPort ${app.hostPort} + portOffset ${env.portOffset} = ${effective}; expected at most 65535` });
        else if (prev) issues.push({ key: at("hostPort"), message: `host port ${effective} (hostPort ${app.hostPort} + portOffset ${env.portOffset}) collides with ${prev}` });
        else portOwners.set(effective, `${envName}/${appName}`);
    }
}

/** A data service's admin UI route, host port and backup settings. */
function serviceIssues(scan: Scan, envName: string, env: EnvironmentConfig, svc: DataServiceModel): void {
    const { issues, routeOwners, portOwners, secretKeys, stack } = scan;
    const at = (...p: PropertyKey[]) => key(["environments", envName, "services", svc.name, ...p]);
    const ui = adminUi(svc, env.domain);
    if (ui) {
        const route = `${ui.host}${ui.path}`;
        const prev = routeOwners.get(route);
        if (prev) issues.push({ key: at("ui"), message: `route ${route} is already served by ${prev}; expected each host+path once` });
        else routeOwners.set(route, `${envName}/${svc.name}`);
    }
    if (svc.hostPort !== undefined) {
        const prev = portOwners.get(svc.hostPort);
        if (svc.hostPort > 65535) issues.push({ key: at("hostPort"), message: `hostPort + servicePortOffset ${env.servicePortOffset} = ${svc.hostPort}; expected at most 65535` });
        else if (prev) issues.push({ key: at("hostPort"), message: `host port ${svc.hostPort} (with servicePortOffset ${env.servicePortOffset}) collides with ${prev}` });
        else portOwners.set(svc.hostPort, `${envName}/${svc.name}`);
    }
    // PostgreSQL's, Redis's and RabbitMQ's backup sidecars share the off-host rules.
    const backup = "backup" in svc.settings ? svc.settings.backup : undefined;
    if (backup) issues.push(...offsiteIssues(backup, at));
    if (backup?.s3)
        for (const k of ["accessKeyId", "secretAccessKey"] as const) {
            const name = backup.s3[k];
            if (!secretKeys.has(name))
                issues.push({ key: at("backup", "s3", k), message: `missing secret ${NAMESPACE}:${name}; set it with 'pulumi config set --secret ${NAMESPACE}:${name} <value> --stack ${stack}'` });
        }
}

/** Monitoring UIs share the route space with apps and management UIs. */
function monitoringUiIssues(scan: Scan): void {
    const { issues, cfg, routeOwners } = scan;
    if (Object.keys(cfg.environments).includes("monitoring"))
        issues.push({ key: key(["environments", "monitoring"]), message: `'monitoring' is reserved (the monitoring network and UI routes use it); expected another environment name` });
    const uiRoutes = monitoringUiRoutes(cfg.monitoring, Object.values(cfg.environments));
    for (const ui of MONITORING_UIS) {
        const c = cfg.monitoring.ui[ui];
        if (cfg.monitoring.enabled && cfg.monitoring.services[ui] && c && !c.host && !Object.values(cfg.environments).some((e) => e.kind === "production"))
            issues.push({ key: key(["monitoring", "ui", ui, "host"]), message: `is required: the stack has no production environment to take a default domain from` });
        const r = uiRoutes.find((x) => x.ui === ui);
        if (!r) continue;
        const route = `${r.host}${r.path}`;
        const prev = routeOwners.get(route);
        if (prev) issues.push({ key: key(["monitoring", "ui", ui]), message: `route ${route} is already served by ${prev}; expected each host+path once` });
        else routeOwners.set(route, `monitoring/${ui}`);
    }
}

/** Provided TLS secrets, and proxy ports that no app holds. */
function proxyIssues(scan: Scan): void {
    const { issues, cfg, secretKeys, stack, portOwners } = scan;
    if (cfg.proxy.tls.mode === "provided")
        for (const k of ["certificate", "privateKey"] as const) {
            const name = cfg.proxy.tls[k];
            if (!secretKeys.has(name))
                issues.push({
                    key: key(["proxy", "tls", k]),
                    message: `missing secret ${NAMESPACE}:${name}; set it with 'pulumi config set --secret ${NAMESPACE}:${name} < file.pem --stack ${stack}'`,
                });
        }
    for (const which of ["http", "https"] as const) {
        const owner = portOwners.get(cfg.proxy.ports[which]);
        if (owner) issues.push({ key: key(["proxy", "ports", which]), message: `host port ${cfg.proxy.ports[which]} is also the host port of ${owner}; expected ports the apps do not use` });
    }
    if (cfg.proxy.ports.http === cfg.proxy.ports.https)
        issues.push({ key: key(["proxy", "ports"]), message: `http and https are both ${cfg.proxy.ports.http}; expected two different ports` });
}

/**
 * The proxy's ports are opened to the world (hcloud firewall, docker-proxy on 0.0.0.0): one on the
 * SSH port would open SSH to everyone, bypassing adminCidrs.
 */
function sshPortIssues(cfg: StackConfigParsed): ConfigIssue[] {
    const ssh = cfg.host.provider === "ssh" ? { port: cfg.host.port, why: "(host.port)" } : { port: 22, why: "(the firewall opens it to adminCidrs only)" };
    return (["http", "https"] as const)
        .filter((which) => cfg.proxy.ports[which] === ssh.port)
        .map((which) => ({ key: key(["proxy", "ports", which]), message: `got ${ssh.port}; expected a port other than ${ssh.port}, which SSH uses ${ssh.why}` }));
}

/** Returns one cycle as a closed path (a -> b -> a), or undefined. Self-loops are reported separately. */
export function findCycle(apps: Record<string, { dependsOn: string[] }>): string[] | undefined {
    const state = new Map<string, "visiting" | "done">();
    const stack: string[] = [];
    const visit = (n: string): string[] | undefined => {
        state.set(n, "visiting");
        stack.push(n);
        for (const d of apps[n].dependsOn) {
            if (d === n || !Object.hasOwn(apps, d)) continue;
            if (state.get(d) === "visiting") return [...stack.slice(stack.indexOf(d)), d];
            if (!state.has(d)) {
                const c = visit(d);
                if (c) return c;
            }
        }
        stack.pop();
        state.set(n, "done");
        return undefined;
    };
    for (const n of Object.keys(apps).sort()) {
        if (!state.has(n)) {
            const c = visit(n);
            if (c) return c;
        }
    }
    return undefined;
}
