// On every preview and up: a warning for each data service whose image moves to another release
// line than the one deployed (config/upgrades.ts). The deployed images are the stack's own last
// outputs (`dataImages`), read with the engine's built-in `readStackOutputs` invoke: no resource, so
// nothing in state, no step in the plan, and `pulumi refresh` stays without changes (a
// StackReference to the stack itself would keep a stale copy of every output and show a diff).
import * as pulumi from "@pulumi/pulumi";
import { deployedImages, formatLineChange, lineChanges } from "../config/upgrades";
import type { PlatformModel } from "../config/model";
import { warnStack } from "./warnings";

export const READ_STACK_OUTPUTS = "pulumi:pulumi:readStackOutputs";
/** The one stack output index.ts exports (`export const outputs`), which holds `dataImages`. */
export const STACK_OUTPUT = "outputs";

/** Compares the configured data-service images with the deployed ones; resolves once the warnings are out. */
export function warnReleaseLineChanges(model: Pick<PlatformModel, "environments">): Promise<void> {
    const current = deployedImages(model);
    if (Object.keys(current).length === 0) return Promise.resolve();
    let name: string;
    try {
        name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    } catch {
        return Promise.resolve(); // a runtime that names no organization (tests' bare mocks): nothing to read
    }
    return pulumi.runtime.invoke(READ_STACK_OUTPUTS, { name }).then(
        (r) => {
            // index.ts exports every output under one name, `outputs` (stack output `outputs.dataImages`).
            for (const c of lineChanges(r?.outputs?.[STACK_OUTPUT]?.dataImages, current)) warnStack(formatLineChange(c));
        },
        // No deployment yet, or a backend that cannot read it: nothing to compare with.
        () => undefined,
    );
}
