// Host: owns the Docker provider for the target machine and the "ready" gate that every Docker
// resource depends on: the local daemon; an existing host over SSH (bootstrapped by
// scripts/host/bootstrap.sh); or a Hetzner Cloud server created from scratch (components/hosts/).
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { HostModelContext } from "./context";
import { createHcloudServer } from "./hosts/hcloud";
import { createSshBootstrap } from "./hosts/ssh";
import { registryAuth } from "./images";
import { keyFilePath, sshOptions, useSshWrapper, writeKeyFile, writeSshWrapper } from "./hosts/ssh-client";
import { stackSecret } from "./secrets";

export interface HostArgs {
    model: HostModelContext;
    /** False under mocks (graph, tests): compute the key file path but write nothing. */
    writeKeyFile: boolean;
}

/** A DNS record the operator creates for a routed host name (stack output `host.dnsRecords`). */
export interface DnsRecord {
    name: string;
    type: "A" | "AAAA" | "CNAME";
    value: pulumi.Input<string>;
}

export interface HostOutputs {
    provider: string;
    ipv4?: pulumi.Input<string>;
    ipv6?: pulumi.Input<string>;
    sshCommand?: pulumi.Input<string>;
    dnsRecords: DnsRecord[];
}

export class Host extends pulumi.ComponentResource {
    /** Pass as `provider` to every Docker resource. */
    readonly provider: docker.Provider;
    /** Resources that must exist before anything touches Docker on this host. */
    readonly ready: pulumi.Resource[];
    /** DOCKER_HOST for docker CLI steps (migrations) run by the engine's machine. */
    readonly dockerHost: pulumi.Input<string>;
    /** Address, SSH command and DNS records, for the stack outputs. */
    readonly outputs: HostOutputs;

    constructor(name: string, args: HostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:host:Host", name, {}, opts);
        const model = args.model;
        const host = model.host;
        const records = (ipv4?: pulumi.Input<string>, ipv6?: pulumi.Input<string>, cname?: string): DnsRecord[] =>
            model.proxy.hosts.flatMap((h): DnsRecord[] => [
                ...(ipv4 ? [{ name: h, type: "A" as const, value: ipv4 }] : []),
                ...(ipv6 ? [{ name: h, type: "AAAA" as const, value: ipv6 }] : []),
                ...(cname ? [{ name: h, type: "CNAME" as const, value: cname }] : []),
            ]);
        switch (host.provider) {
            case "local":
                this.dockerHost = "unix:///var/run/docker.sock";
                this.provider = new docker.Provider(`${name}-docker`, { host: this.dockerHost, registryAuth: registryAuth(model.images) }, { parent: this });
                this.ready = [this.provider];
                this.outputs = { provider: "local", dnsRecords: [] };
                break;
            case "ssh": {
                this.dockerHost = `ssh://${host.user}@${host.address}:${host.port}`;
                const stem = keyFilePath(model.project, model.stack);
                const knownHosts = `${stem}-known_hosts`;
                const keyFile = privateKeyFile(model, args.writeKeyFile);
                // index.ts ran the SSH preflight (sshPreflightForStack) before any resource.
                if (args.writeKeyFile) useSshWrapper(keyFile.apply((f) => writeSshWrapper(stem, f, knownHosts)));
                const bootstrap = host.bootstrap ? createSshBootstrap(name, model, privateKey(), this) : undefined;
                this.provider = new docker.Provider(
                    `${name}-docker`,
                    { host: this.dockerHost, registryAuth: registryAuth(model.images), sshOpts: keyFile.apply((f) => sshOptions(f, knownHosts)) },
                    { parent: this, dependsOn: bootstrap ? [bootstrap] : [] },
                );
                this.ready = bootstrap ? [bootstrap, this.provider] : [this.provider];
                const v4 = /^[0-9.]+$/.test(host.address), v6 = host.address.includes(":");
                this.outputs = {
                    provider: "ssh",
                    ipv4: v4 ? host.address : undefined,
                    ipv6: v6 ? host.address : undefined,
                    sshCommand: `ssh -p ${host.port} ${host.user}@${host.address}`,
                    dnsRecords: records(v4 ? host.address : undefined, v6 ? host.address : undefined, v4 || v6 ? undefined : host.address),
                };
                break;
            }
            case "hcloud": {
                const server = createHcloudServer(name, model, privateKey(), this);
                this.dockerHost = pulumi.interpolate`ssh://root@${server.ipv4}:22`;
                const keyFile = privateKeyFile(model, args.writeKeyFile);
                // One known_hosts file per server: a replaced server (new host key, same IP) is accepted anew.
                const knownHosts = pulumi.interpolate`${keyFilePath(model.project, model.stack)}-known_hosts-${server.server.id}`;
                if (args.writeKeyFile) useSshWrapper(pulumi.all([keyFile, knownHosts]).apply(([f, k]) => writeSshWrapper(f, f, k)));
                this.provider = new docker.Provider(
                    `${name}-docker`,
                    { host: this.dockerHost, registryAuth: registryAuth(model.images), sshOpts: pulumi.all([keyFile, knownHosts]).apply(([f, k]) => sshOptions(f, k)) },
                    { parent: this, dependsOn: [server.ready] },
                );
                this.ready = [server.ready, this.provider];
                this.outputs = {
                    provider: "hcloud",
                    ipv4: server.ipv4,
                    ipv6: server.ipv6,
                    sshCommand: pulumi.interpolate`ssh root@${server.ipv4}`,
                    dnsRecords: records(server.ipv4, server.ipv6),
                };
                break;
            }
        }
        this.registerOutputs({ dockerHost: this.dockerHost });
    }
}

const privateKey = () => stackSecret("sshPrivateKey");
/**
 * The Docker provider's ssh transport takes a key *file*: write the secret to a 0600 file that
 * only this user can read, named per stack. The key itself stays a Pulumi secret in state.
 */
function privateKeyFile(model: HostModelContext, write: boolean): pulumi.Output<string> {
    const file = keyFilePath(model.project, model.stack);
    return pulumi.unsecret(privateKey().apply((k) => (write ? writeKeyFile(file, k) : file)));
}
