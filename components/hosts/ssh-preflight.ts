// Before anything touches an existing host over SSH: one `ssh … true` with the configured key and
// the same client the Docker provider uses. A host that refuses the key or cannot be reached then
// fails the program with a message naming the config key, instead of a transport error from the
// bootstrap step or the Docker provider half-way through an update.
import { spawnSync } from "child_process";
import * as pulumi from "@pulumi/pulumi";
import type { HostModelContext } from "../context";
import { ConfigError, ConfigIssue } from "../../config/errors";
import { NAMESPACE } from "../../config/validate";
import { keyFilePath, writeKeyFile } from "./ssh-client";
import { stackSecretPlain } from "../secrets";

export interface SshTarget {
    user: string;
    address: string;
    port: number;
}

/** Seconds ssh waits for the TCP connection (ConnectTimeout). */
export const CONNECT_TIMEOUT_S = 10;

/** ssh's arguments for the probe: only the configured key, never a prompt. */
export function preflightArgs(t: SshTarget, keyFile: string, extraOpts: string[] = []): string[] {
    return [
        "-i", keyFile,
        "-p", String(t.port),
        "-o", "IdentitiesOnly=yes",
        "-o", "BatchMode=yes",
        "-o", `ConnectTimeout=${CONNECT_TIMEOUT_S}`,
        "-o", "StrictHostKeyChecking=accept-new",
        ...extraOpts,
        `${t.user}@${t.address}`,
        "true",
    ];
}

/** The last meaningful line ssh printed (its error), without warnings about known_hosts. */
function sshReason(stderr: string): string {
    const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l && !/^Warning: Permanently added/.test(l));
    return lines[lines.length - 1] ?? "no output";
}

/** Maps a failed probe to the config key a user has to fix. Pure: tested on ssh's own messages. */
export function classifySshFailure(t: SshTarget, stderr: string): ConfigIssue {
    const where = `${t.user}@${t.address}:${t.port}`;
    const reason = sshReason(stderr);
    if (/Permission denied/i.test(stderr))
        return {
            key: `${NAMESPACE}:sshPrivateKey`,
            message: `the host ${where} refused this key (${reason}); expected the private half of a key listed in ~${t.user}/.ssh/authorized_keys on that host (and host.user '${t.user}' to be the right user)`,
        };
    if (/Load key|invalid format|error in libcrypto|bad permissions/i.test(stderr))
        return { key: `${NAMESPACE}:sshPrivateKey`, message: `ssh cannot use this key (${reason}); expected an unencrypted OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----)` };
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr))
        return {
            key: `${NAMESPACE}:host.address`,
            message: `the host key of ${where} differs from the one this machine knows (${reason}); expected the same host, or remove its old line from ~/.ssh/known_hosts if it was rebuilt`,
        };
    return {
        key: `${NAMESPACE}:host.address`,
        message: `cannot reach ${where} over SSH (${reason}); expected a reachable host with sshd listening on port ${t.port} (host.address '${t.address}', host.port ${t.port})`,
    };
}

/** Runs the probe; throws a ConfigError naming the key to fix when the host does not let us in. */
export function sshPreflight(t: SshTarget, keyFile: string, extraOpts: string[] = []): void {
    const r = spawnSync("ssh", preflightArgs(t, keyFile, extraOpts), { encoding: "utf8", timeout: (CONNECT_TIMEOUT_S + 20) * 1000, stdio: ["ignore", "ignore", "pipe"] });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT")
        throw new ConfigError([{ key: `${NAMESPACE}:host.provider`, message: "is ssh, but this machine has no ssh client; expected OpenSSH's ssh on PATH (apt-get install openssh-client)" }], "ssh preflight");
    if (r.status === 0) return;
    const stderr = r.error ? `${r.stderr ?? ""}\n${r.error.message}` : (r.stderr ?? "");
    throw new ConfigError([classifySshFailure(t, stderr)], "ssh preflight");
}

/**
 * For host.provider ssh, inside the Pulumi program and before any resource (components too) is
 * registered: writes the key file and probes the host with the stack's key and known_hosts.
 */
export function sshPreflightForStack(model: HostModelContext): void {
    if (model.host.provider !== "ssh") return;
    const stem = keyFilePath(model.project, model.stack);
    const keyFile = writeKeyFile(stem, stackSecretPlain("sshPrivateKey"));
    sshPreflight(model.host, keyFile, ["-o", `UserKnownHostsFile=${stem}-known_hosts`]);
}
