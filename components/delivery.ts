// The one delivery step for host files (render -> candidate -> check -> promote) as a command
// resource: the shell is scripts/host/deliver-files.sh (checked by shellcheck), followed by one
// `deliver` call whose arguments are quoted with lib/shell.ts; the rendered files travel on stdin
// as the writer (components/host-files.ts), base64-encoded. Used by the proxy and the monitoring
// services; their reload steps come after their containers.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { HostFile } from "../render/files";
import { fileWriterScript } from "./host-files";
import { BASH, hostScriptCall } from "./host-script";

export interface Delivery {
    /** The service's own image: the check runs its tool. */
    image: string;
    /** Host directory mounted at /hp, and the live directory under it. */
    root: string;
    rel: string;
    /** Where the candidate is checked: /hp/<rel>.next, or the path the service's config expects. */
    checkAt: string;
    /** The real tool's check (nginx -t, promtool, amtool), run in checkAt; "true" for none. */
    check: string;
    /** More `docker run` options for the check (read-only volumes the config references). */
    dockerArgs?: string[];
}

/** The command text: the script, then one deliver call with the writer of `files` on stdin. */
export function deliveryScript(d: Delivery, files: HostFile[]): string {
    const call = hostScriptCall("deliver-files.sh", "deliver", [d.image, d.root, d.rel, d.checkAt, d.check, ...(d.dockerArgs ?? [])]);
    const writer = fileWriterScript(files, `${d.root}/${d.rel}`);
    return `${call} <<'HOSTPLANE_EOF'\n${writer}\nHOSTPLANE_EOF`;
}

/** The delivery step as a resource: rerun when the files, the image or the step's shell change. */
export function deliveryStep(
    name: string,
    d: Delivery,
    files: pulumi.Input<HostFile[]>,
    triggers: pulumi.Input<string>[],
    env: pulumi.Input<Record<string, string>>,
    opts: pulumi.CustomResourceOptions,
): command.local.Command {
    return new command.local.Command(
        name,
        {
            create: pulumi.output(files).apply((f) => deliveryScript(d, f)),
            interpreter: BASH,
            environment: env,
            triggers,
            logging: "stdoutAndStderr",
        },
        opts,
    );
}
