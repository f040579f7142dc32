// The hostplane Pulumi program: validate the stack config, build one Platform, export outputs.
import { fromPulumiRuntime } from "./config/sources";
import { loadPlatformModel } from "./config/validate";
import { Platform, stackOutputs } from "./components/platform";
import { sshPreflightForStack } from "./components/hosts/ssh-preflight";
import { withoutStackTraces } from "./lib/stack-traces";

// This process only runs the program: no frames for the SDK's per-promise stacks (lib/stack-traces.ts).
withoutStackTraces();

// Throws a ConfigError naming every bad key before any resource is registered.
const model = loadPlatformModel(fromPulumiRuntime());
// An SSH host that refuses the key or cannot be reached: a ConfigError naming the key, still before any resource.
sshPreflightForStack(model);
const platform = new Platform(model.prefix, model);

export const outputs = stackOutputs(model, platform);
