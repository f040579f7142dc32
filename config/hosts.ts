// Validation rules of the host (hcloud and ssh) that need more than the schema: the provider
// credentials and settings that live outside the `hostplane:` namespace (hcloud:token,
// hcloud:endpoint) and the SSH key pair.
import type { ConfigIssue } from "./errors";
import type { RawValue } from "./source";

/** Config namespaces besides hostplane: whose keys the validator reads (never a secret's value). */
export const EXTERNAL_NAMESPACES = ["hcloud"];
export const HCLOUD_TOKEN = "hcloud:token";
/** Optional: the API base URL the hcloud provider talks to (default https://api.hetzner.cloud/v1). */
export const HCLOUD_ENDPOINT = "hcloud:endpoint";

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

/** hcloud:endpoint, when set: a plain http(s) URL (the provider's own `endpoint` setting). */
export function hcloudEndpointIssues(external: Record<string, RawValue> | undefined): ConfigIssue[] {
    const endpoint = external?.[HCLOUD_ENDPOINT];
    if (!endpoint) return [];
    if (endpoint.secret) return [{ key: HCLOUD_ENDPOINT, message: `is set as a secret; expected a plain URL (it holds no secret): 'pulumi config set ${HCLOUD_ENDPOINT} https://api.hetzner.cloud/v1'` }];
    const value = endpoint.value;
    let url: URL | undefined;
    try {
        url = typeof value === "string" ? new URL(value) : undefined;
    } catch {
        url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol))
        return [{ key: HCLOUD_ENDPOINT, message: `got ${JSON.stringify(value)}; expected the Hetzner Cloud API base URL, like https://api.hetzner.cloud/v1` }];
    return [];
}
