// Monitoring: Prometheus, Alertmanager, Grafana, Loki, Promtail, node-exporter, cAdvisor and
// blackbox-exporter on the monitoring network, each switchable (`hostplane:monitoring.services`).
//
// Config files are rendered by render/monitoring (exactly what `npm run render` shows) and never
// reach the containers through `uploads` (a changed upload replaces the container). Per service:
//   1. config: a docker CLI step writes the files into a candidate directory on the host, checks
//      them with the service's own tool where it has one (promtool, amtool), and copies them into
//      the live directory the container bind-mounts read-only (cleared and refilled, never
//      replaced, so the bind mount keeps its inode);
//   2. reload: Prometheus and Alertmanager reload in place (POST /-/reload, --web.enable-lifecycle);
//      Loki, Promtail and Grafana are restarted (same container) when their files change.
// Containers have fixed names and publish no ports, in any stack: UIs are reached through the
// proxy (hostplane:monitoring.ui, basic auth) or an SSH tunnel. Prometheus joins the environment
// networks that have metrics targets or data-service exporters,
// blackbox those with HTTP health endpoints; nothing else leaves the monitoring network.
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { MonitoringService } from "../config/monitoring";
import type { PlatformModel } from "../config/model";
import { NAMESPACE } from "../config/validate";
import { memoryToMegabytes } from "../config/units";
import { HostFile, sha256 } from "../render";
import { monitoringFilesByService } from "../render/monitoring";
import {
    CONF,
    ENDPOINTS,
    GRAFANA_ADMIN_PASSWORD_FILE,
    MONITORING_HOST_DIR,
    SECRETS,
    SLACK_WEBHOOK_FILE,
    SMTP_PASSWORD_FILE,
    TEXTFILE_DIR,
} from "../render/monitoring/paths";
import { labelsFor } from "./labels";
import { containerBlockInput, healthcheckInput } from "./container-spec";
import { dockerCliEnv } from "./hosts/ssh-client";
import { shellQuoteAlways } from "../lib/shell";

export interface MonitoringArgs {
    model: PlatformModel;
    provider: docker.Provider;
    /** DOCKER_HOST for the docker CLI steps. */
    dockerHost: pulumi.Input<string>;
    /** The monitoring network. */
    network: docker.Network;
    /** Environment networks by network name. */
    environmentNetworks: Record<string, docker.Network>;
}

/** Resource limits: small and fixed, except Prometheus (config). */
const LIMITS: Record<MonitoringService, { cpus: number; memoryMb: number }> = {
    prometheus: { cpus: 1, memoryMb: 1024 },
    alertmanager: { cpus: 0.25, memoryMb: 128 },
    grafana: { cpus: 0.5, memoryMb: 512 },
    loki: { cpus: 1, memoryMb: 1024 },
    promtail: { cpus: 0.25, memoryMb: 256 },
    nodeExporter: { cpus: 0.25, memoryMb: 128 },
    cadvisor: { cpus: 0.5, memoryMb: 256 },
    blackbox: { cpus: 0.25, memoryMb: 128 },
};

/**
 * Docker runs the first check only after `interval` (start_interval needs Engine 25 / API 1.44;
 * Debian 12 has 20.10), so the interval is the time to healthy: 10 s, for a local HTTP GET.
 */
export const MONITORING_HEALTH = (test: string[]) => ({ test, interval: "10s", timeout: "5s", retries: 5, startPeriod: "60s" });

const wget = (port: number, path: string) => ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${port}${path}`];

export class Monitoring extends pulumi.ComponentResource {
    /** Keyed by service; only the enabled ones. */
    readonly containers: Partial<Record<MonitoringService, docker.Container>> = {};
    /** Generated Grafana admin password (secret); undefined when Grafana is off. */
    readonly grafanaAdminPassword?: pulumi.Output<string>;
    /** Health endpoints of the monitoring services, as reached on the monitoring network. */
    readonly health: Record<string, string> = {};

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:monitoring:Monitoring", name, {}, opts);
        const { model } = args;
        const mon = model.monitoring;
        const on = mon.services;
        const files = monitoringFilesByService(model);
        const env = dockerCliEnv(args.dockerHost);
        const dockerOpts = { parent: this, provider: args.provider };
        const cname = (svc: string) => `${model.prefix}-${ENDPOINTS[svc as MonitoringService]?.alias ?? svc}`;
        const volume = (svc: string) =>
            new docker.Volume(`${model.prefix}-${svc}-data`, { name: `${model.prefix}-${svc}-data`, labels: labelsFor(model, { environment: "monitoring", service: svc }) }, dockerOpts);

        /** Writes one service's files: candidate dir, optional check, then into the live dir. */
        const configStep = (svc: keyof typeof CONF, image: string, check?: string, extra: pulumi.Resource[] = []): command.local.Command => {
            const conf = CONF[svc];
            const rel = conf.host.slice(MONITORING_HOST_DIR.length + 1);
            const writer = files[svc]
                .map((f: HostFile) => {
                    const p = f.path.slice(conf.host.length + 1);
                    return `mkdir -p "$(dirname ${p})"; echo ${Buffer.from(f.content).toString("base64")} | base64 -d > ${p}; chmod ${f.mode.toString(8)} ${p}`;
                })
                .join("\n");
            const script = [
                "set -e",
                `mkdir -p /hp/${rel}.next /hp/${rel}`,
                `cd /hp/${rel}.next; find . -mindepth 1 -delete`,
                writer,
                check ?? "true",
                `find /hp/${rel} -mindepth 1 -delete; cp -a /hp/${rel}.next/. /hp/${rel}/`,
            ].join("\n");
            return new command.local.Command(
                `${model.prefix}-${svc}-config`,
                {
                    create: `set -euo pipefail\ndocker run --rm -i --network none -u 0 -v ${MONITORING_HOST_DIR}:/hp --entrypoint sh ${image} -s <<'HOSTPLANE_EOF'\n${script}\nHOSTPLANE_EOF`,
                    interpreter: ["/bin/bash", "-c"],
                    environment: env,
                    triggers: [sha256(JSON.stringify(files[svc])), image],
                    logging: "stdoutAndStderr",
                },
                { parent: this, dependsOn: extra },
            );
        };

        /** A step run after the container on every config change: reload in place or restart. */
        const reloadStep = (svc: MonitoringService, container: docker.Container, cfg: command.local.Command, how: "reload" | "restart") =>
            new command.local.Command(
                `${model.prefix}-${svc}-reload`,
                {
                    create:
                        how === "reload"
                            ? `docker exec ${cname(svc)} wget -q -O /dev/null --post-data= http://127.0.0.1:${ENDPOINTS[svc].port}/-/reload`
                            : `docker restart ${cname(svc)} >/dev/null`,
                    environment: env,
                    triggers: [sha256(JSON.stringify(files[svc as keyof typeof CONF] ?? [])), container.id],
                    logging: "stdoutAndStderr",
                },
                { parent: this, dependsOn: [container, cfg] },
            );

        const container = (
            svc: MonitoringService,
            spec: Partial<docker.ContainerArgs> & { health?: string[] },
            dependsOn: pulumi.Input<pulumi.Resource>[],
            networks: docker.Network[] = [],
        ): docker.Container => {
            const { health, ...rest } = spec;
            const limits = svc === "prometheus" ? { ...LIMITS.prometheus, memoryMb: memoryToMegabytes(mon.prometheusMemory) } : LIMITS[svc];
            const c = new docker.Container(
                `${model.prefix}-${ENDPOINTS[svc].alias}`,
                {
                    name: cname(svc),
                    image: mon.images[svc],
                    networksAdvanced: [
                        { name: args.network.name, aliases: [ENDPOINTS[svc].alias] },
                        ...networks.map((n) => ({ name: n.name })),
                    ],
                    ports: [],
                    ...(health
                        ? { healthcheck: healthcheckInput(MONITORING_HEALTH(health)), wait: true, waitTimeout: 240 }
                        : {}),
                    ...containerBlockInput({
                        ...limits,
                        restart: "unless-stopped",
                        logs: model.logs,
                        labels: labelsFor(model, { environment: "monitoring", service: ENDPOINTS[svc].alias, kind: "monitoring" }),
                        graceSeconds: 20,
                    }),
                    ...rest,
                },
                // Fixed name: a replacement (image change) deletes first. Monitoring has a short gap; apps never do.
                { ...dockerOpts, dependsOn: [args.network, ...networks, ...dependsOn], deleteBeforeReplace: true },
            );
            this.containers[svc] = c;
            if (health) this.health[svc] = `http://${ENDPOINTS[svc].alias}:${ENDPOINTS[svc].port}${ENDPOINTS[svc].health}`;
            return c;
        };
        const bind = (source: string, target: string, readOnly = true): docker.types.input.ContainerMount => ({ type: "bind", source, target, readOnly });

        // Secrets: 0400 files owned by the service's uid, from the CLI's environment (never a command line).
        const secretStep = (svc: keyof typeof SECRETS, values: { file: string; env: string; value: pulumi.Output<string> }[], image: string) => {
            const s = SECRETS[svc];
            const writes = values
                .map((v) => `printf '%s' "$${v.env}" > ${s.container}/${v.file.split("/").pop()}; chown ${s.uid}:${s.uid} ${s.container}/${v.file.split("/").pop()}; chmod 0400 ${s.container}/${v.file.split("/").pop()}`)
                .join("; ");
            const script = `umask 077; mkdir -p ${s.container}; chown ${s.uid}:${s.uid} ${s.container}; chmod 0500 ${s.container}; ${writes}`;
            return new command.local.Command(
                `${model.prefix}-${svc}-secrets`,
                {
                    create: `docker run --rm --network none -u 0 ${values.map((v) => `-e ${v.env}`).join(" ")} -v ${s.host}:${s.container} --entrypoint sh ${image} -c ${shellQuoteAlways(script)}`,
                    environment: pulumi.all([env, pulumi.all(values.map((v) => v.value))]).apply(([e, vals]) => ({ ...e, ...Object.fromEntries(values.map((v, i) => [v.env, vals[i]])) })),
                    // A digest (itself secret) so a changed secret rewrites the file.
                    triggers: [pulumi.secret(pulumi.all(values.map((v) => v.value)).apply((vals) => sha256(vals.join("\0"))))],
                    logging: "stderr",
                },
                { parent: this },
            );
        };

        let loki: docker.Container | undefined;
        if (on.loki) {
            const cfg = configStep("loki", mon.images.loki);
            loki = container("loki", {
                command: [`-config.file=${CONF.loki.container}/loki.yml`],
                mounts: [bind(CONF.loki.host, CONF.loki.container), { type: "volume", source: volume("loki").name, target: "/loki" }],
                health: wget(ENDPOINTS.loki.port, ENDPOINTS.loki.health),
            }, [cfg]);
            reloadStep("loki", loki, cfg, "restart");
        }

        let alertmanager: docker.Container | undefined;
        if (on.alertmanager) {
            const r = mon.alerts.receiver;
            const cfgSecrets = new pulumi.Config(NAMESPACE);
            const secretValues =
                r.type === "slack"
                    ? [{ file: SLACK_WEBHOOK_FILE, env: "SLACK_WEBHOOK_URL", value: cfgSecrets.requireSecret(r.webhookUrl) }]
                    : r.type === "email" && r.authPassword
                      ? [{ file: SMTP_PASSWORD_FILE, env: "SMTP_PASSWORD", value: cfgSecrets.requireSecret(r.authPassword) }]
                      : [];
            const secrets = secretValues.length > 0 ? [secretStep("alertmanager", secretValues, mon.images.alertmanager)] : [];
            const cfg = configStep("alertmanager", mon.images.alertmanager, "amtool check-config alertmanager.yml >/dev/null", secrets);
            alertmanager = container("alertmanager", {
                command: [`--config.file=${CONF.alertmanager.container}/alertmanager.yml`, "--storage.path=/alertmanager"],
                mounts: [
                    bind(CONF.alertmanager.host, CONF.alertmanager.container),
                    // Only with a receiver that has secrets: the directory exists only then.
                    ...(secrets.length > 0 ? [bind(SECRETS.alertmanager.host, SECRETS.alertmanager.container)] : []),
                    { type: "volume", source: volume("alertmanager").name, target: "/alertmanager" },
                ],
                health: wget(ENDPOINTS.alertmanager.port, ENDPOINTS.alertmanager.health),
            }, [cfg]);
            reloadStep("alertmanager", alertmanager, cfg, "reload");
        }

        if (on.nodeExporter) {
            const textfile = new command.local.Command(
                `${model.prefix}-node-exporter-textfile`,
                {
                    create: `docker run --rm --network none -u 0 -v ${MONITORING_HOST_DIR}:/hp --entrypoint sh ${mon.images.nodeExporter} -c 'mkdir -p /hp/${TEXTFILE_DIR.host.slice(MONITORING_HOST_DIR.length + 1)}'`,
                    environment: env,
                    logging: "stderr",
                },
                { parent: this },
            );
            container("nodeExporter", {
                command: [
                    "--path.rootfs=/host",
                    `--collector.textfile.directory=${TEXTFILE_DIR.container}`,
                    "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|var/lib/docker/.+)($|/)",
                ],
                pidMode: "host",
                mounts: [
                    { type: "bind", source: "/", target: "/host", readOnly: true, bindOptions: { propagation: "rslave" } },
                    bind(TEXTFILE_DIR.host, TEXTFILE_DIR.container),
                ],
                health: wget(ENDPOINTS.nodeExporter.port, ENDPOINTS.nodeExporter.health),
            }, [textfile]);
        }

        if (on.cadvisor)
            container("cadvisor", {
                command: [
                    "--docker_only=true",
                    "--housekeeping_interval=30s",
                    "--store_container_labels=false",
                    "--whitelisted_container_labels=hostplane.environment,hostplane.service,hostplane.stack",
                ],
                privileged: true,
                devices: [{ hostPath: "/dev/kmsg", containerPath: "/dev/kmsg", permissions: "rwm" }],
                mounts: [
                    bind("/", "/rootfs"),
                    bind("/var/run", "/var/run"),
                    bind("/sys", "/sys"),
                    bind("/var/lib/docker", "/var/lib/docker"),
                    bind("/dev/disk", "/dev/disk"),
                ],
                health: wget(ENDPOINTS.cadvisor.port, ENDPOINTS.cadvisor.health),
            }, []);

        // UIs through the proxy (hostplane:monitoring.ui): the public URL each one must generate links for.
        const httpsPort = model.proxy.ports.https === 443 ? "" : `:${model.proxy.ports.https}`;
        const uiUrl = (ui: "grafana" | "prometheus") => {
            const r = mon.uiRoutes.find((x) => x.ui === ui);
            return r ? { url: `https://${r.host}${httpsPort}${r.path.replace(/\/+$/, "")}`, subPath: r.path !== "/" } : undefined;
        };
        const promUi = uiUrl("prometheus");
        const grafanaUi = uiUrl("grafana");

        const envNets = (names: string[]) => names.map((n) => args.environmentNetworks[n]);
        if (on.blackbox && on.prometheus) {
            const cfg = configStep("blackbox", mon.images.blackbox);
            const bb = container(
                "blackbox",
                {
                    command: [`--config.file=${CONF.blackbox.container}/blackbox.yml`],
                    mounts: [bind(CONF.blackbox.host, CONF.blackbox.container)],
                    // Route probes go to this host's proxy (probeVia: host), not through public DNS.
                    hosts: mon.probeHosts.map((h) => ({ host: h, ip: "host-gateway" })),
                    health: wget(ENDPOINTS.blackbox.port, ENDPOINTS.blackbox.health),
                },
                [cfg],
                envNets(mon.blackboxNetworks),
            );
            reloadStep("blackbox", bb, cfg, "reload");
        }

        let prometheus: docker.Container | undefined;
        if (on.prometheus) {
            const cfg = configStep("prometheus", mon.images.prometheus, "promtool check config prometheus.yml >/dev/null");
            prometheus = container(
                "prometheus",
                {
                    command: [
                        `--config.file=${CONF.prometheus.container}/prometheus.yml`,
                        "--storage.tsdb.path=/prometheus",
                        `--storage.tsdb.retention.time=${mon.metricsRetention}`,
                        "--web.enable-lifecycle",
                        // Behind the proxy: links use the public URL; the proxy strips a sub-path, so
                        // Prometheus itself (health, reload, self-scrape) keeps serving at /.
                        ...(promUi ? [`--web.external-url=${promUi.url}/`, "--web.route-prefix=/"] : []),
                    ],
                    mounts: [bind(CONF.prometheus.host, CONF.prometheus.container), { type: "volume", source: volume("prometheus").name, target: "/prometheus" }],
                    health: wget(ENDPOINTS.prometheus.port, ENDPOINTS.prometheus.health),
                },
                // Not after Alertmanager: Prometheus starts without it and retries alert delivery, so
                // the two start in parallel instead of two health-check waits in a row.
                [cfg],
                envNets(mon.prometheusNetworks),
            );
            reloadStep("prometheus", prometheus, cfg, "reload");
        }

        if (on.promtail && loki) {
            const cfg = configStep("promtail", mon.images.promtail);
            const pt = container("promtail", {
                command: [`-config.file=${CONF.promtail.container}/promtail.yml`],
                mounts: [
                    bind(CONF.promtail.host, CONF.promtail.container),
                    bind("/var/run/docker.sock", "/var/run/docker.sock"),
                    { type: "volume", source: volume("promtail").name, target: "/var/lib/promtail" },
                ],
                // The image has bash but neither curl nor wget.
                health: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${ENDPOINTS.promtail.port}`],
            }, [cfg, loki]);
            reloadStep("promtail", pt, cfg, "restart");
        }

        if (on.grafana) {
            const password = new random.RandomPassword(`${model.prefix}-grafana-admin-password`, { length: 32, special: false }, { parent: this });
            this.grafanaAdminPassword = pulumi.secret(password.result);
            const secrets = secretStep("grafana", [{ file: GRAFANA_ADMIN_PASSWORD_FILE, env: "GF_ADMIN_PASSWORD", value: password.result }], mon.images.grafana);
            const cfg = configStep("grafana", mon.images.grafana, undefined, [secrets]);
            const g = container(
                "grafana",
                {
                    envs: [
                        "GF_SECURITY_ADMIN_USER=admin",
                        `GF_SECURITY_ADMIN_PASSWORD__FILE=${GRAFANA_ADMIN_PASSWORD_FILE}`,
                        `GF_PATHS_PROVISIONING=${CONF.grafana.container}/provisioning`,
                        "GF_USERS_ALLOW_SIGN_UP=false",
                        "GF_ANALYTICS_REPORTING_ENABLED=false",
                        "GF_ANALYTICS_CHECK_FOR_UPDATES=false",
                        // The proxy's basic-auth header must not be taken for a Grafana login.
                        "GF_AUTH_BASIC_ENABLED=false",
                        ...(grafanaUi
                            ? [`GF_SERVER_ROOT_URL=${grafanaUi.url}/`, ...(grafanaUi.subPath ? ["GF_SERVER_SERVE_FROM_SUB_PATH=true"] : [])]
                            : []),
                    ],
                    mounts: [
                        bind(CONF.grafana.host, CONF.grafana.container),
                        bind(SECRETS.grafana.host, SECRETS.grafana.container),
                        { type: "volume", source: volume("grafana").name, target: "/var/lib/grafana" },
                    ],
                    health: wget(ENDPOINTS.grafana.port, ENDPOINTS.grafana.health),
                },
                // After its datasources.
                [cfg, ...(prometheus ? [prometheus] : []), ...(loki ? [loki] : [])],
            );
            reloadStep("grafana", g, cfg, "restart");
        }

        this.registerOutputs({ health: this.health });
    }
}
