// Platform: the root component. Host -> Networks -> Environments -> Proxy, each edge an explicit
// dependsOn; local-build images (when the stack builds its own) come before the networks.
import * as pulumi from "@pulumi/pulumi";
import { MONITORING_ROUTE_ENV, PlatformModel, type DataServiceModel } from "../config/model";
import { ClusterNodes } from "./cluster";
import { Environment } from "./environment";
import { Host } from "./host";
import { LocalImages } from "./local-images";
import { Monitoring } from "./monitoring";
import { Networks } from "./networks";
import { Proxy } from "./proxy";
import { DEFAULT_NGINX_OPTIONS, renderNginx } from "../render/nginx";
import { monitoringFilesByService } from "../render/monitoring";
import { deployedImages } from "../config/upgrades";
import { warnReleaseLineChanges } from "./upgrade-check";

export interface PlatformSettings {
    /** Set by the graph tool and tests: the program must not touch the local disk. */
    underMocks?: boolean;
}

export class Platform extends pulumi.ComponentResource {
    readonly host: Host;
    readonly networks: Networks;
    readonly environments: Record<string, Environment> = {};
    readonly proxy: Proxy;
    /** Undefined when hostplane:monitoring.enabled is false. */
    readonly monitoring?: Monitoring;
    /** Settles once the release-line warnings are out (components/upgrade-check.ts). */
    readonly releaseLineCheck: Promise<void>;

    constructor(name: string, model: PlatformModel, opts?: pulumi.ComponentResourceOptions, settings: PlatformSettings = {}) {
        super("hostplane:index:Platform", name, {}, opts);
        // A data service moved to another release line than the deployed one: warn before anything changes.
        this.releaseLineCheck = warnReleaseLineChanges(model);
        this.host = new Host(`${model.prefix}-host`, { model, writeKeyFile: settings.underMocks !== true }, { parent: this });
        // A cluster: the other nodes' engines and the swarm over all of them (this.host is its first manager).
        const cluster = model.cluster ? new ClusterNodes(`${model.prefix}-cluster`, { model: { ...model, cluster: model.cluster }, primary: this.host, writeKeyFile: settings.underMocks !== true }, { parent: this }) : undefined;
        const onCluster = cluster ? { runtime: cluster.runtime(this.host.provider, this.host.dockerHost), nodeOf: (s: DataServiceModel) => cluster.nodeOf(s) } : undefined;
        // local-build images exist before anything that could run them: everything else comes after the networks.
        const images =
            model.images.builds.length > 0
                ? new LocalImages(`${model.prefix}-images`, { builds: model.images.builds, dockerHost: this.host.dockerHost }, { parent: this, dependsOn: this.host.ready })
                : undefined;
        this.networks = new Networks(
            `${model.prefix}-networks`,
            // Every container attaches to one of these networks, so it waits for the images too.
            { model, provider: this.host.provider, dependsOn: [...this.host.ready, ...(cluster?.swarm.ready ?? []), ...(images?.ready ?? [])] },
            { parent: this, dependsOn: [this.host] },
        );
        for (const env of model.environments) {
            this.environments[env.name] = new Environment(
                `${model.prefix}-${env.name}`,
                {
                    model,
                    environment: env,
                    provider: this.host.provider,
                    network: this.networks.environments[env.name],
                    dockerHost: this.host.dockerHost,
                    ...(onCluster ? { cluster: onCluster } : {}),
                },
                { parent: this, dependsOn: [this.networks] },
            );
        }
        // Monitoring runs next to the environments: it only needs the networks (it scrapes by alias).
        if (model.monitoring.enabled)
            this.monitoring = new Monitoring(
                `${model.prefix}-monitoring`,
                {
                    model,
                    files: monitoringFilesByService(model),
                    provider: this.host.provider,
                    dockerHost: this.host.dockerHost,
                    network: this.networks.monitoring,
                    environmentNetworks: Object.fromEntries(model.environments.map((e) => [e.networkName, this.networks.environments[e.name]])),
                },
                { parent: this, dependsOn: [this.networks] },
            );
        // The proxy comes last: its reload waits for every app it routes to.
        const routed = new Set(model.proxy.routes.map((r) => `${r.environment}/${r.app}`));
        this.proxy = new Proxy(
            `${model.prefix}-proxy`,
            {
                model,
                provider: this.host.provider,
                dockerHost: this.host.dockerHost,
                networks: this.networks.environments,
                monitoringNetwork: this.networks.monitoring,
                // Each routed app's current container, not the App component: waiting for the whole
                // component would also wait for its drain step's sleep before switching the proxy.
                apps: Object.entries(this.environments).flatMap(([envName, e]): pulumi.Resource[] => [
                    ...Object.entries(e.apps).filter(([appName]) => routed.has(`${envName}/${appName}`)).map(([, a]) => a.container),
                    // management UIs of data services (RabbitMQ, MinIO console)
                    ...Object.entries(e.data.services).filter(([svc]) => routed.has(`${envName}/${svc}`)).map(([, c]) => c),
                ],
                ).concat(
                    // Grafana and Prometheus UIs (hostplane:monitoring.ui)
                    model.proxy.routes
                        .filter((r) => r.environment === MONITORING_ROUTE_ENV)
                        .map((r) => this.monitoring?.containers[r.app as "grafana" | "prometheus"])
                        .filter((c): c is NonNullable<typeof c> => c !== undefined),
                ),
                // The cutover switch: each routed app's upstream is the revision alias of its current
                // container (render/upstreams.ts), so the config changes with every rollout.
                files: pulumi.all(revisionTargets(this.environments)).apply((targets) => renderNginx(model, DEFAULT_NGINX_OPTIONS, targets)),
            },
            { parent: this, dependsOn: [this.networks] },
        );
        this.registerOutputs({});
    }
}

/** The revision alias of every routed app, by its shared alias: what the proxy is switched to. */
function revisionTargets(environments: Record<string, Environment>): Record<string, pulumi.Output<string>> {
    const targets: Record<string, pulumi.Output<string>> = {};
    for (const env of Object.values(environments))
        for (const app of Object.values(env.apps)) if (app.revisionAlias) targets[app.alias] = app.revisionAlias;
    return targets;
}

/** What `pulumi stack output` shows: URLs, container and network names. Never a secret value. */
export function stackOutputs(model: PlatformModel, platform: Platform) {
    return {
        dockerHost: platform.host.dockerHost,
        /** Server IP, SSH command and the DNS records to create (A/AAAA per routed host name). */
        host: platform.host.outputs,
        networks: Object.fromEntries(model.environments.map((e) => [e.name, e.networkName])),
        monitoringNetwork: model.monitoringNetworkName,
        /** Each data service's kind and image: the next preview compares its configured image with this. */
        dataImages: deployedImages(model),
        monitoring: platform.monitoring
            ? {
                  health: platform.monitoring.health,
                  grafanaAdminPassword: platform.monitoring.grafanaAdminPassword ? pulumi.secret(platform.monitoring.grafanaAdminPassword) : undefined,
              }
            : undefined,
        proxy: {
            container: platform.proxy.container.name,
            // Secret values: `pulumi stack output proxy --show-secrets` shows them to the operator.
            basicAuth: Object.fromEntries(Object.entries(platform.proxy.basicAuth).map(([alias, c]) => [alias, { user: c.user, password: pulumi.secret(c.password) }])),
        },
        environments: Object.fromEntries(
            model.environments.map((env) => [
                env.name,
                {
                    domain: env.domain,
                    apps: Object.fromEntries(
                        env.apps.map((app) => [
                            app.name,
                            {
                                container: platform.environments[env.name].apps[app.name].containerName,
                                alias: app.alias,
                                urls: app.routes.map((r) => `https://${r.host}${model.proxy.ports.https === 443 ? "" : `:${model.proxy.ports.https}`}${r.path}`),
                                local: app.hostPort ? `http://127.0.0.1:${app.hostPort}` : undefined,
                            },
                        ]),
                    ),
                },
            ]),
        ),
    };
}
