// The one place that reads Pulumi config in the program: every `pulumi config set --secret` value
// a component needs comes through here, as a Pulumi secret (never a plain string), and so do the
// providers' own plain settings. The hostplane: block itself is read once, by config/validate.ts.
import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE } from "../config/source";

/** `hostplane:<key>`, which validation already required to be set as a secret. */
export function stackSecret(key: string): pulumi.Output<string> {
    return new pulumi.Config(NAMESPACE).requireSecret(key);
}

/** A secret of another provider's namespace (`hcloud:token`). */
export function providerSecret(namespace: string, key: string): pulumi.Output<string> {
    return new pulumi.Config(namespace).requireSecret(key);
}

/** A plain setting of another provider's namespace (`hcloud:endpoint`); undefined when unset. */
export function providerSetting(namespace: string, key: string): string | undefined {
    return new pulumi.Config(namespace).get(key);
}

/** A value read in plain text on purpose (the SSH key file written for the docker CLI, mode 0600). */
export function stackSecretPlain(key: string): string {
    return new pulumi.Config(NAMESPACE).require(key);
}
