// The hostplane Pulumi program: validate the stack config, build one Platform, export outputs.
import { fromPulumiRuntime } from "./config/sources";
import { loadPlatformModel } from "./config/validate";
import { Platform, stackOutputs } from "./components/platform";

// Throws a ConfigError naming every bad key before any resource is registered.
const model = loadPlatformModel(fromPulumiRuntime());
const platform = new Platform(model.prefix, model);

export const outputs = stackOutputs(model, platform);
