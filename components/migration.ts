// The migration runs to completion before the app container starts: `docker run --rm` through
// the docker CLI (scripts/host/migrate.sh), so a non-zero exit fails `pulumi up` with the job's
// log tail. The app's env and secrets go to it through stdin and an env file
// (render/migration.ts), never through the local process environment or a command line.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import type { AppModel } from "../config/model";
import { envFileContent } from "../render/migration";
import { dockerCliEnv } from "./hosts/ssh-client";
import { BASH, hostScriptCall } from "./host-script";

export interface MigrationArgs {
    app: AppModel;
    network: string;
    dockerHost: pulumi.Input<string>;
    secrets: { name: string; value: pulumi.Output<string> }[];
    revision: random.RandomId;
    /** What the app runs: its configured image, or repo@sha256:… when pinned (components/images.ts). */
    image: pulumi.Output<string>;
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** The step's text: scripts/host/migrate.sh and one `migrate` call; stdin is envFileContent(...). */
export function migrationCall(app: AppModel, network: string, image = app.image): string {
    const m = app.migration!;
    return hostScriptCall("migrate.sh", "migrate", [app.containerBaseName, network, m.timeoutSeconds, image, ...m.command]);
}

export function migrationJob(parent: pulumi.Resource, args: MigrationArgs): command.local.Command {
    const { app } = args;
    const stdin = pulumi
        .all(args.secrets.map((s) => s.value))
        .apply((vals) => envFileContent(app.name, [...Object.entries(app.env), ...args.secrets.map((s, i): [string, string] => [s.name, vals[i]])]));
    return new command.local.Command(
        `${app.containerBaseName}-migrate`,
        {
            create: args.image.apply((image) => migrationCall(app, args.network, image)),
            interpreter: BASH,
            environment: dockerCliEnv(args.dockerHost),
            // Secret as a whole: it holds the app's secrets.
            stdin: pulumi.secret(stdin),
            // Re-run whenever the app rolls to a new revision (image, command, env or secrets).
            triggers: [args.revision.hex],
            logging: "stderr",
        },
        { parent, dependsOn: args.dependsOn },
    );
}
