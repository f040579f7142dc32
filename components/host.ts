// Host: owns the Docker provider for the target machine and the "ready" gate that every Docker
// resource depends on. The Hetzner server (hcloud) arrives with the hosts issue.
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE } from "../config/validate";
import type { PlatformModel } from "../config/model";

export interface HostArgs {
    model: PlatformModel;
    /** False under mocks (graph, tests): compute the key file path but write nothing. */
    writeKeyFile: boolean;
}

export class Host extends pulumi.ComponentResource {
    /** Pass as `provider` to every Docker resource. */
    readonly provider: docker.Provider;
    /** Resources that must exist before anything touches Docker on this host. */
    readonly ready: pulumi.Resource[];
    /** DOCKER_HOST for docker CLI steps (migrations) run by the engine's machine. */
    readonly dockerHost: string;

    constructor(name: string, args: HostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:host:Host", name, {}, opts);
        const host = args.model.host;
        switch (host.provider) {
            case "local":
                this.dockerHost = "unix:///var/run/docker.sock";
                this.provider = new docker.Provider(`${name}-docker`, { host: this.dockerHost }, { parent: this });
                break;
            case "ssh": {
                this.dockerHost = `ssh://${host.user}@${host.address}:${host.port}`;
                const keyFile = privateKeyFile(args.model, args.writeKeyFile);
                this.provider = new docker.Provider(
                    `${name}-docker`,
                    {
                        host: this.dockerHost,
                        sshOpts: keyFile.apply((f) => ["-i", f, "-o", "StrictHostKeyChecking=accept-new", "-o", "BatchMode=yes"]),
                    },
                    { parent: this },
                );
                break;
            }
            case "hcloud":
                throw new Error(`${NAMESPACE}:host.provider 'hcloud' is not implemented yet (see the hosts issue); use 'local' or 'ssh'`);
        }
        this.ready = [this.provider];
        this.registerOutputs({ dockerHost: this.dockerHost });
    }
}

/**
 * The Docker provider's ssh transport takes a key *file*: write the secret to a 0600 file that
 * only this user can read, named per stack. The key itself stays a Pulumi secret in state.
 */
function privateKeyFile(model: PlatformModel, write: boolean): pulumi.Output<string> {
    const key = new pulumi.Config(NAMESPACE).requireSecret("sshPrivateKey");
    const file = path.join(os.homedir(), ".ssh", `hostplane-${model.project}-${model.stack}`);
    return pulumi.unsecret(
        key.apply((k) => {
            if (!write) return file;
            fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
            fs.writeFileSync(file, k.endsWith("\n") ? k : `${k}\n`, { mode: 0o600 });
            return file;
        }),
    );
}
