// An existing host (EC2, any VPS) reached over SSH: scripts/host/bootstrap.sh runs there once per
// change of the script or its settings, installs Docker if missing and hardens what it can.
import * as fs from "fs";
import * as path from "path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import type { HostModelContext } from "../context";
import type { HostConfig } from "../../config/schema";
import { bootstrapEnv } from "../../render/cloud-init";
import { shellQuote } from "../../lib/shell";

type Ssh = Extract<HostConfig, { provider: "ssh" }>;
export const BOOTSTRAP_SCRIPT = path.resolve(__dirname, "../../scripts/host/bootstrap.sh");

/** The shell command remote.Command runs: the script arrives on stdin, settings as env. */
export function bootstrapCommand(model: HostModelContext): string {
    const host = model.host as Ssh;
    const env = Object.entries(bootstrapEnv(model)).map(([k, v]) => shellQuote(`${k}=${v}`)).join(" ");
    const sudo = host.user === "root" ? "" : "sudo -n ";
    // Then the readiness check: Docker answers (its version goes to stderr, stdout keeps the change line).
    return `${sudo}env ${env} bash -s && ${sudo}docker info --format '{{.ServerVersion}}' >&2`;
}

export function createSshBootstrap(name: string, model: HostModelContext, privateKey: pulumi.Output<string>, parent: pulumi.Resource): command.remote.Command {
    const host = model.host as Ssh;
    const script = fs.readFileSync(BOOTSTRAP_SCRIPT, "utf8");
    const create = bootstrapCommand(model);
    return new command.remote.Command(
        `${name}-bootstrap`,
        {
            connection: { host: host.address, user: host.user, port: host.port, privateKey, dialErrorLimit: 10 },
            create,
            stdin: script,
            triggers: [createHash("sha256").update(script).update(create).digest("hex")],
        },
        { parent },
    );
}
