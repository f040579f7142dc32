// The SSH client side of a remote host, shared by the Docker provider, the preflight and every
// docker CLI step (proxy config, drains, migrations, SQL). The docker CLI's ssh:// transport runs
// plain `ssh` with no way to pass a key, so CLI steps get a PATH whose first `ssh` is a two-line
// wrapper adding this stack's key and known_hosts file.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { shellQuoteAlways } from "../../lib/shell";

/** ~/.ssh/hostplane-<project>-<stack>: the key file (0600), and the stem of the stack's other files. */
export const keyFilePath = (project: string, stack: string) => path.join(os.homedir(), ".ssh", `hostplane-${project}-${stack}`);

/** Writes the private key file, only this user may read it. */
export function writeKeyFile(file: string, key: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
    return file;
}

/** ssh options every connection to the host uses: the stack's key only, its known_hosts, no prompts. */
export function sshOptions(keyFile: string, knownHosts: string): string[] {
    return ["-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=accept-new", "-o", "BatchMode=yes"];
}

/** The first `ssh` on PATH (the real client), skipping a directory of ours. */
function realSsh(skip: string): string {
    for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
        if (!dir || path.resolve(dir) === skip) continue;
        const f = path.join(dir, "ssh");
        try {
            fs.accessSync(f, fs.constants.X_OK);
            return f;
        } catch {
            /* not here */
        }
    }
    return "/usr/bin/ssh";
}

const STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Writes <stem>.bin/ssh, the wrapper the docker CLI steps find first on PATH; returns the dir. */
export function writeSshWrapper(stem: string, keyFile: string, knownHosts: string): string {
    const dir = `${stem}.bin`;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const opts = sshOptions(keyFile, knownHosts).map(shellQuoteAlways).join(" ");
    const script = `#!/bin/sh\n# hostplane: the docker CLI's ssh:// transport with this stack's key and known_hosts.\nexec ${shellQuoteAlways(realSsh(path.resolve(dir)))} ${opts} "$@"\n`;
    fs.writeFileSync(path.join(dir, "ssh"), script, { mode: 0o700 });
    return dir;
}

// One host per program: the wrapper dir its CLI steps use (unset for the local engine and under mocks).
let wrapperDir: pulumi.Output<string | undefined> = pulumi.output(undefined);

export function useSshWrapper(dir: pulumi.Input<string>): void {
    wrapperDir = pulumi.output(dir);
}

/** Environment for a docker CLI step: DOCKER_HOST, and for ssh:// the PATH with our ssh first. */
export function dockerCliEnv(dockerHost: pulumi.Input<string>, extra: Record<string, pulumi.Input<string>> = {}): pulumi.Output<Record<string, string>> {
    return pulumi.all([dockerHost, wrapperDir, extra]).apply(([host, dir, more]): Record<string, string> => ({
        DOCKER_HOST: host,
        // A fixed PATH after ours, so a different PATH on the next run is not a change.
        ...(dir && host.startsWith("ssh://") ? { PATH: `${dir}:${STANDARD_PATH}` } : {}),
        ...more,
    }));
}
