// The Hetzner Cloud API check of an hcloud host, before anything is created: the token's length,
// then one authenticated read (the host's location) through the same provider. A token the API
// rejects then fails `pulumi preview` and `up` with a message that names hcloud:token, instead of
// the provider's bare "unable to authenticate (unauthorized)" at the first create. Preview of a
// new server makes no other API call, so without this check a wrong token passes every preview.
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigIssue } from "../../config/errors";
import { HCLOUD_ENDPOINT, HCLOUD_TOKEN } from "../../config/hosts";

/** Hetzner Cloud API tokens are 64 characters; the provider refuses any other length. */
export const TOKEN_LENGTH = 64;

const setToken = (stack: string) => `pulumi config set --secret ${HCLOUD_TOKEN} <api-token> --stack ${stack}`;

/** The problem with a token of `length` characters, if any (never the value itself). */
export function tokenLengthIssue(length: number, stack: string): ConfigIssue | undefined {
    if (length === TOKEN_LENGTH) return undefined;
    return {
        key: HCLOUD_TOKEN,
        message: `got a value of ${length} characters; expected a ${TOKEN_LENGTH}-character Hetzner Cloud API token (Cloud Console: project > Security > API tokens, read & write); set it with '${setToken(stack)}'`,
    };
}

/**
 * Checked synchronously, while the program is built: a wrong length fails at once, before any
 * resource is registered (the provider itself would refuse it only when it is configured).
 */
export function requireTokenShape(stack: string): void {
    const raw = pulumi.runtime.getConfig(HCLOUD_TOKEN);
    const issue = raw === undefined ? undefined : tokenLengthIssue(raw.trim().length, stack);
    if (issue) throw new ConfigError([issue], `stack ${stack}`);
}

/** What an error of the location read means for the operator, naming the config key at fault. */
export function explainApiError(message: string, ctx: { stack: string; location: string; endpoint?: string }): string | undefined {
    const api = ctx.endpoint ? `the Hetzner Cloud API at ${ctx.endpoint} (${HCLOUD_ENDPOINT})` : "the Hetzner Cloud API";
    if (/\bunauthorized\b|unable to authenticate|\b401\b/i.test(message))
        return `${HCLOUD_TOKEN}: ${api} rejected the token (401 unauthorized); expected a valid read & write API token of this project: set it with '${setToken(ctx.stack)}'`;
    if (/\bforbidden\b|\b403\b/i.test(message))
        return `${HCLOUD_TOKEN}: ${api} refused the token (403 forbidden); expected a token with read & write permission: set it with '${setToken(ctx.stack)}'`;
    if (/no location found|location .*not found/i.test(message))
        return `hostplane:host.location: ${api} has no location "${ctx.location}"; expected one of its location names (fsn1, nbg1, hel1, ash, hil, sin)`;
    if (/connection refused|no such host|timeout|i\/o timeout|EOF/i.test(message))
        return `${ctx.endpoint ? HCLOUD_ENDPOINT : HCLOUD_TOKEN}: could not reach ${api}: ${message.split("\n")[0]}`;
    return undefined;
}

/**
 * Resolves to [] once the API accepted the token; used as `dependsOn` of every hcloud resource,
 * so none is registered (and nothing after them, Docker included) when it did not.
 */
export function apiAccepted(provider: hcloud.Provider, ctx: { stack: string; location: string; endpoint?: string }): pulumi.Output<pulumi.Resource[]> {
    const read = hcloud.getLocation({ name: ctx.location }, { provider }).then(
        (): pulumi.Resource[] => [],
        (e: unknown) => {
            const message = e instanceof Error ? e.message : String(e);
            throw new Error(explainApiError(message, ctx) ?? message);
        },
    );
    return pulumi.output(read);
}
