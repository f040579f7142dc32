// Validation rules of the host (hcloud and ssh) that need more than the schema: the provider
// credentials that live outside the `hostplane:` namespace (hcloud:token) and the SSH key pair.
import type { ConfigIssue } from "./errors";
import type { RawValue } from "./validate";

/** Config namespaces besides hostplane: whose keys the validator reads (never their values). */
export const EXTERNAL_NAMESPACES = ["hcloud"];
export const HCLOUD_TOKEN = "hcloud:token";

/**
 * Checked on the raw host value, before the schema, so a missing token is the first thing the
 * operator reads: nothing in Hetzner can be created (or even previewed) without it.
 */
export function hcloudTokenIssues(rawHost: unknown, external: Record<string, RawValue> | undefined, stack: string): ConfigIssue[] {
    if (rawHost === null || typeof rawHost !== "object" || (rawHost as any).provider !== "hcloud") return [];
    const token = external?.[HCLOUD_TOKEN];
    const set = `pulumi config set --secret ${HCLOUD_TOKEN} <api-token> --stack ${stack}`;
    if (!token)
        return [{ key: HCLOUD_TOKEN, message: `missing secret: host.provider is hcloud and needs a Hetzner Cloud API token (read & write, from the Cloud Console: project > Security > API tokens); set it with '${set}'` }];
    if (!token.secret) return [{ key: HCLOUD_TOKEN, message: `is set in plain text; expected a secret: run '${set}'` }];
    return [];
}

/** After the schema: the hcloud host needs the private half of its sshPublicKey for readiness and Docker. */
export function hcloudKeyIssues(provider: string, secretKeys: Set<string>, namespace: string, stack: string): ConfigIssue[] {
    if (provider !== "hcloud" || secretKeys.has("sshPrivateKey")) return [];
    return [
        {
            key: `${namespace}:sshPrivateKey`,
            message: `missing secret: host.provider is hcloud; set the private key matching host.sshPublicKey with 'pulumi config set --secret ${namespace}:sshPrivateKey < ~/.ssh/id_ed25519 --stack ${stack}'`,
        },
    ];
}
