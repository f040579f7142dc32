// `images/mirror-fill.sh`'s plan: which images a stack pulls from hostplane:images.mirror, under
// which mirror reference, and the local-build recipe (images/) that can stand in for each.
//   mirror.ts plan --stack <name>   one line per distinct mirror reference:
//                                   <mirror ref> TAB <original ref> TAB <recipe name:tag or -> TAB <config key>
// Exit 2 with a message when the stack sets no mirror; config errors as everywhere (exit 1).
import { parseArgs } from "util";
import { ConfigError } from "../config/errors";
import { recipeFor, recipeKey } from "../config/image-recipes";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";

export function mirrorPlan(stack: string): string[] {
    const model = loadPlatformModel(fromStackFile(stackFile(stack)));
    if (!model.images.mirror) throw new ConfigError([{ key: "hostplane:images.mirror", message: `is not set in Pulumi.${stack}.yaml; expected the mirror registry's host, e.g. registry.internal:5000` }], `stack ${stack}`);
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const m of model.images.mirrored ?? []) {
        // Apps are pinned by digest at deploy time; the mirror needs the tag the config names.
        if (seen.has(m.to)) continue;
        seen.add(m.to);
        const recipe = recipeFor(m.from);
        lines.push([m.to, m.from, recipe ? recipeKey(recipe) : "-", m.key].join("\t"));
    }
    return lines;
}

function main(argv: string[]): number {
    const [cmd, ...rest] = argv;
    const { values } = parseArgs({ args: rest, options: { stack: { type: "string" } }, strict: true });
    if (cmd !== "plan" || !values.stack) {
        console.error("usage: mirror.ts plan --stack <name>");
        return 64;
    }
    try {
        for (const l of mirrorPlan(values.stack)) console.log(l);
        return 0;
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        console.error(e.message);
        return 2;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
