// The docker CLI steps of the Monitoring component: deliver a service's config files (the one
// delivery step, components/delivery.ts), write its secret files, reload it. Their shell is in
// scripts/host/ (reload.sh, host-dirs.sh), called with quoted arguments (components/host-script.ts).
// The scripts' text is part of each step's identity in state: change it only on purpose.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { ENDPOINTS, type MonitoringService } from "../config/monitoring";
import { HostFile, sha256 } from "../render";
import { CONF, MONITORING_HOST_DIR, SECRETS, TEXTFILE_DIR } from "../render/monitoring/paths";
import { deliveryStep } from "./delivery";
import { BASH, hostScriptCall } from "./host-script";

export interface StepContext {
    prefix: string;
    parent: pulumi.Resource;
    /** Environment of the docker CLI (DOCKER_HOST, ssh wrapper on PATH). */
    env: pulumi.Input<Record<string, string>>;
}

/** Delivers one service's files (components/delivery.ts): candidate, optional check (promtool, amtool), promote. */
export function configStep(ctx: StepContext, svc: keyof typeof CONF, files: HostFile[], image: string, check?: string, after: pulumi.Resource[] = []): command.local.Command {
    const rel = CONF[svc].host.slice(MONITORING_HOST_DIR.length + 1);
    return deliveryStep(
        `${ctx.prefix}-${svc}-config`,
        { image, root: MONITORING_HOST_DIR, rel, checkAt: `/hp/${rel}.next`, check: check ?? "true" },
        files,
        [sha256(JSON.stringify(files)), image],
        ctx.env,
        { parent: ctx.parent, dependsOn: after },
    );
}

/** Run after the container on every config change: reload in place (/-/reload) or restart. */
export function reloadStep(ctx: StepContext, svc: MonitoringService, files: HostFile[], container: { ready: pulumi.Resource; id: pulumi.Output<string> }, config: command.local.Command, how: "reload" | "restart") {
    const name = `${ctx.prefix}-${ENDPOINTS[svc].alias}`;
    return new command.local.Command(
        `${ctx.prefix}-${svc}-reload`,
        {
            create: how === "reload" ? hostScriptCall("reload.sh", "http_reload", [name, ENDPOINTS[svc].port]) : hostScriptCall("reload.sh", "restart", [name]),
            interpreter: BASH,
            environment: ctx.env,
            triggers: [sha256(JSON.stringify(files)), container.id],
            logging: "stdoutAndStderr",
        },
        { parent: ctx.parent, dependsOn: [container.ready, config] },
    );
}

export interface SecretFile {
    /** Path inside the container; the file name is what matters. */
    file: string;
    /** Variable that carries the value into the docker CLI (never its command line). */
    env: string;
    value: pulumi.Output<string>;
}

/** Secrets: 0400 files owned by the service's uid, in the service's secrets host directory. */
export function secretStep(ctx: StepContext, svc: keyof typeof SECRETS, values: SecretFile[], image: string): command.local.Command {
    const s = SECRETS[svc];
    return new command.local.Command(
        `${ctx.prefix}-${svc}-secrets`,
        {
            create: hostScriptCall("host-dirs.sh", "secret_files", [image, s.host, s.container, s.uid, ...values.map((v) => `${v.file.split("/").pop()}=${v.env}`)]),
            interpreter: BASH,
            environment: pulumi.all([ctx.env, pulumi.all(values.map((v) => v.value))]).apply(([e, vals]) => ({ ...e, ...Object.fromEntries(values.map((v, i) => [v.env, vals[i]])) })),
            // A digest (itself secret) so a changed secret rewrites the file.
            triggers: [pulumi.secret(pulumi.all(values.map((v) => v.value)).apply((vals) => sha256(vals.join("\0"))))],
            logging: "stderr",
        },
        { parent: ctx.parent },
    );
}

/** node-exporter's textfile directory on the host, where backup jobs drop their metrics. */
export function textfileDirStep(ctx: StepContext, image: string): command.local.Command {
    return new command.local.Command(
        `${ctx.prefix}-node-exporter-textfile`,
        {
            create: hostScriptCall("host-dirs.sh", "host_dir", [image, MONITORING_HOST_DIR, TEXTFILE_DIR.host.slice(MONITORING_HOST_DIR.length + 1)]),
            interpreter: BASH,
            environment: ctx.env,
            logging: "stderr",
        },
        { parent: ctx.parent },
    );
}
