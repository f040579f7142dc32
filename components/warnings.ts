// Warnings the program prints on every preview and up.
import * as pulumi from "@pulumi/pulumi";

/**
 * A warning for the whole stack, never tied to a resource. Why: the SDK sends log lines one after
 * another and waits for a tied resource's URN first; when that resource's registration fails (an
 * hcloud token the API rejects fails every resource behind the host), the URN rejects, and every
 * later log line is lost, the program's own error message included.
 */
export function warnStack(message: string): void {
    void pulumi.log.warn(message);
}
