// Monitoring: Prometheus, Alertmanager, Grafana, Loki, the OpenTelemetry Collector, node-exporter
// and blackbox-exporter on the monitoring network, each switchable (`hostplane:monitoring.services`).
//
// Config files are rendered by render/monitoring (exactly what `npm run render` shows) and never
// reach the containers through `uploads` (a changed upload replaces the container). Per service:
//   1. config: a docker CLI step writes the files into a candidate directory on the host, checks
//      them with the service's own tool where it has one (promtool, amtool), and copies them into
//      the live directory the container bind-mounts read-only (cleared and refilled, never
//      replaced, so the bind mount keeps its inode);
//   2. reload: Prometheus and Alertmanager reload in place (POST /-/reload, --web.enable-lifecycle);
//      Loki, the collector and Grafana are restarted (same container) when their files change.
// Containers have fixed names and publish no ports, in any stack: UIs are reached through the
// proxy (hostplane:monitoring.ui, basic auth) or an SSH tunnel. Prometheus joins the environment
// networks that have metrics targets or data-service exporters,
// blackbox those with HTTP health endpoints; nothing else leaves the monitoring network.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ENDPOINTS, type MonitoringService } from "../config/monitoring";
import type { PlatformModel } from "../config/model";
import type { MonitoringFiles } from "../render/monitoring";
import { GRAFANA_ADMIN_PASSWORD_FILE, SLACK_WEBHOOK_FILE, SMTP_PASSWORD_FILE } from "../render/monitoring/paths";
import { dockerRuntime, type StackContext } from "./context";
import type { Runtime, Workload } from "../runtime/runtime";
import { monitoringPlan, monitoringWorkload, SHELL_LESS, type MonitoringModelContext } from "../spec/monitoring";
import { dockerCliEnv } from "./hosts/ssh-client";
import { configStep, reloadStep, secretStep, SecretFile, StepContext, textfileDirStep } from "./monitoring-steps";
import { stackSecret } from "./secrets";

export { MONITORING_HEALTH } from "../spec/monitoring";

/** What Monitoring reads of the model: naming, the monitoring specs' part, the proxy's image (the writer of shell-less services' files). */
export type MonitoringComponentContext = StackContext & MonitoringModelContext & { proxy: Pick<PlatformModel["proxy"], "image" | "ports"> };

export interface MonitoringArgs {
    model: MonitoringComponentContext;
    /**
     * The rendered files by service (render/monitoring monitoringFilesByService: what `npm run
     * render` shows). Rendered from the whole model, since they name every environment's apps,
     * services, routes and probes; the component only delivers them.
     */
    files: MonitoringFiles;
    provider: docker.Provider;
    /** DOCKER_HOST for the docker CLI steps. */
    dockerHost: pulumi.Input<string>;
    /** The monitoring network. */
    network: docker.Network;
    /** Environment networks by network name. */
    environmentNetworks: Record<string, docker.Network>;
}

export class Monitoring extends pulumi.ComponentResource {
    /** Keyed by service; only the enabled ones. */
    readonly containers: Partial<Record<MonitoringService, docker.Container>> = {};
    /** Generated Grafana admin password (secret); undefined when Grafana is off. */
    grafanaAdminPassword?: pulumi.Output<string>;
    /** Health endpoints of the monitoring services, as reached on the monitoring network. */
    readonly health: Record<string, string> = {};

    private readonly model: MonitoringComponentContext;
    private readonly files: MonitoringFiles;
    private readonly steps: StepContext;
    private readonly runtime: Runtime;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:monitoring:Monitoring", name, {}, opts);
        const model = (this.model = args.model);
        this.files = args.files;
        this.steps = { prefix: model.prefix, parent: this, env: dockerCliEnv(args.dockerHost) };
        this.runtime = dockerRuntime(model, args.provider, { [model.monitoringNetworkName]: args.network, ...args.environmentNetworks }, this);
        const enabled = model.monitoring.services;
        const images = model.monitoring.images;

        // One plan for the program and compose (spec/monitoring.ts): which run, after which.
        const start: Record<MonitoringService, (after: Workload[]) => Workload> = {
            loki: () => this.withConfig("loki", "restart"),
            alertmanager: () => this.alertmanager(),
            nodeExporter: () => this.run("nodeExporter", [textfileDirStep(this.steps, images.nodeExporter)]),
            blackbox: () => this.withConfig("blackbox", "reload"),
            prometheus: () => this.withConfig("prometheus", "reload", "promtool check config prometheus.yml >/dev/null"),
            otelcol: (after) => this.withConfig("otelcol", "restart", undefined, [], after),
            grafana: (after) => this.grafana(after),
        };
        const started: Partial<Record<MonitoringService, Workload>> = {};
        for (const { svc, after } of monitoringPlan(enabled)) started[svc] = start[svc](after.map((a) => started[a]!));

        this.registerOutputs({ health: this.health });
    }

    /** Realizes a service's spec after `after`; records its container and health endpoint. */
    private run(svc: MonitoringService, after: pulumi.Resource[], hasSecrets = false): Workload {
        const spec = monitoringWorkload(this.model, svc, hasSecrets);
        const w = this.runtime.run(spec, after);
        this.containers[svc] = w.ready as docker.Container;
        if (spec.health) this.health[svc] = `http://${ENDPOINTS[svc].alias}:${ENDPOINTS[svc].port}${ENDPOINTS[svc].health}`;
        return w;
    }

    /** Config files delivered (and checked) first, the container, then a reload/restart on every change. */
    private withConfig(
        svc: "loki" | "alertmanager" | "blackbox" | "prometheus" | "otelcol" | "grafana",
        how: "reload" | "restart",
        check?: string,
        secrets: pulumi.Resource[] = [],
        after: Workload[] = [],
    ): Workload {
        // Distroless images have no sh: the proxy's image (always there) writes their files.
        const writer = SHELL_LESS.has(svc) ? this.model.proxy.image : this.model.monitoring.images[svc];
        const config = configStep(this.steps, svc, this.files[svc], writer, check, secrets);
        const w = this.run(svc, [config, ...after.map((a) => a.ready)], secrets.length > 0);
        reloadStep(this.steps, svc, this.files[svc], w, config, how);
        return w;
    }

    /** Alertmanager: the receiver's secret (Slack webhook, SMTP password) as a file, then the config. */
    private alertmanager(): Workload {
        const r = this.model.monitoring.alerts.receiver;
        const values: SecretFile[] =
            r.type === "slack"
                ? [{ file: SLACK_WEBHOOK_FILE, env: "SLACK_WEBHOOK_URL", value: stackSecret(r.webhookUrl) }]
                : r.type === "email" && r.authPassword
                  ? [{ file: SMTP_PASSWORD_FILE, env: "SMTP_PASSWORD", value: stackSecret(r.authPassword) }]
                  : [];
        const secrets = values.length > 0 ? [secretStep(this.steps, "alertmanager", values, this.model.monitoring.images.alertmanager)] : [];
        return this.withConfig("alertmanager", "reload", "amtool check-config alertmanager.yml >/dev/null", secrets);
    }

    /** Grafana: a generated admin password (kept, secret) as a file; starts after its datasources. */
    private grafana(datasources: Workload[]): Workload {
        const password = new random.RandomPassword(`${this.model.prefix}-grafana-admin-password`, { length: 32, special: false }, { parent: this });
        const secrets = secretStep(this.steps, "grafana", [{ file: GRAFANA_ADMIN_PASSWORD_FILE, env: "GF_ADMIN_PASSWORD", value: password.result }], this.model.monitoring.images.grafana);
        this.grafanaAdminPassword = pulumi.secret(password.result);
        return this.withConfig("grafana", "restart", undefined, [secrets], datasources);
    }
}
