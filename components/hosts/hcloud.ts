// A Hetzner Cloud server from scratch: SSH key, primary IPs that outlive the server, a firewall
// with only SSH (admin CIDRs), HTTP and HTTPS open, an optional Docker data volume, cloud-init
// from render/cloud-init.ts, and a readiness command that every Docker resource waits for.
import * as command from "@pulumi/command";
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import type { HostModelContext } from "../context";
import type { HostConfig } from "../../config/schema";
import { READY_MARKER, renderCloudInit } from "../../render/cloud-init";
import { hostScriptCall } from "../host-script";
import { apiAccepted, requireTokenShape } from "./hcloud-api-check";
import { providerSecret, providerSetting } from "../secrets";

type Hcloud = Extract<HostConfig, { provider: "hcloud" }>;
const WORLD = ["0.0.0.0/0", "::/0"];

/** The firewall rules: exactly SSH (from admin CIDRs), the proxy's HTTP and HTTPS ports, and ping. */
export function firewallRules(model: HostModelContext): hcloud.types.input.FirewallRule[] {
    const host = model.host as Hcloud;
    return [
        { direction: "in", protocol: "tcp", port: "22", sourceIps: host.adminCidrs, description: "ssh (admin CIDRs)" },
        { direction: "in", protocol: "tcp", port: String(model.proxy.ports.http), sourceIps: WORLD, description: "http (proxy)" },
        { direction: "in", protocol: "tcp", port: String(model.proxy.ports.https), sourceIps: WORLD, description: "https (proxy)" },
        { direction: "in", protocol: "icmp", sourceIps: WORLD, description: "ping" },
    ];
}

export interface HcloudServer {
    ipv4: pulumi.Output<string>;
    ipv6: pulumi.Output<string>;
    server: hcloud.Server;
    ready: command.remote.Command;
}

export function createHcloudServer(name: string, model: HostModelContext, privateKey: pulumi.Output<string>, parent: pulumi.Resource): HcloudServer {
    const host = model.host as Hcloud;
    const labels = { "hostplane-project": model.project, "hostplane-stack": model.stack };
    const provider = hcloudProvider(name, model, parent);
    // Every hcloud resource waits for the API to accept the token (hcloud-api-check.ts).
    const opts = { parent, provider, dependsOn: apiAccepted(provider, { stack: model.stack, location: host.location, endpoint: endpoint() }) };
    const base = `${model.prefix}-${model.stack}`;

    const key = new hcloud.SshKey(`${name}-ssh-key`, { name: base, publicKey: host.sshPublicKey, labels }, opts);
    const firewall = new hcloud.Firewall(`${name}-firewall`, { name: base, labels, rules: firewallRules(model) }, opts);
    // Primary IPs are separate resources so DNS stays valid when the server is replaced.
    const ip = (family: "ipv4" | "ipv6") =>
        new hcloud.PrimaryIp(
            `${name}-${family}`,
            { name: `${base}-${family}`, type: family, location: host.location, assigneeType: "server", autoDelete: false, labels },
            { ...opts, protect: isProduction(model) },
        );
    const ipv4 = ip("ipv4");
    const ipv6 = ip("ipv6");
    const server = new hcloud.Server(
        `${name}-server`,
        {
            name: base,
            serverType: host.serverType,
            location: host.location,
            image: host.image,
            backups: host.backups,
            sshKeys: [key.id],
            firewallIds: [firewall.id.apply(Number)],
            publicNets: [{ ipv4Enabled: true, ipv4: ipv4.id.apply(Number), ipv6Enabled: true, ipv6: ipv6.id.apply(Number) }],
            userData: renderCloudInit(model),
            labels,
        },
        // The primary IPs can be assigned to one server at a time: the old one goes first.
        { ...opts, deleteBeforeReplace: true },
    );
    const after: pulumi.Resource[] = [server, firewall];
    if (host.dockerVolumeSize !== undefined) {
        const volume = new hcloud.Volume(
            `${name}-docker-volume`,
            { name: `${base}-docker`, size: host.dockerVolumeSize, location: host.location, format: "ext4", labels },
            { ...opts, protect: isProduction(model) },
        );
        // cloud-init waits for the device and mounts it at /var/lib/docker before installing Docker.
        after.push(new hcloud.VolumeAttachment(`${name}-docker-volume-attachment`, { serverId: server.id.apply(Number), volumeId: volume.id.apply(Number), automount: false }, opts));
    }
    const ready = new command.remote.Command(
        `${name}-ready`,
        {
            connection: { host: ipv4.ipAddress, user: "root", port: 22, privateKey, dialErrorLimit: 60, perDialTimeout: 10 },
            // The gate of every Docker resource: cloud-init finished well and Docker answers.
            create: hostScriptCall("cloud-init-ready.sh", "ready", [READY_MARKER]),
            // A new server (replacement) runs the check again, and with it everything after it.
            triggers: [server.id],
        },
        { parent, dependsOn: after },
    );
    return { ipv4: ipv4.ipAddress, ipv6: server.ipv6Address, server, ready };
}

/** hcloud:endpoint, the provider's own setting: unset means the public API (https://api.hetzner.cloud/v1). */
const endpoint = () => providerSetting("hcloud", "endpoint");

/** The explicit provider takes the token and the endpoint from the stack's hcloud: config. */
function hcloudProvider(name: string, model: HostModelContext, parent: pulumi.Resource): hcloud.Provider {
    requireTokenShape(model.stack);
    return new hcloud.Provider(`${name}-hcloud`, { token: providerSecret("hcloud", "token"), endpoint: endpoint() }, { parent });
}

function isProduction(model: HostModelContext): boolean {
    return model.environments.some((e) => e.kind === "production");
}
