// LocalImages: builds the stack's `local-build` images (images/<recipe>) on the target host's
// engine before any container needs them. One build step for all recipes: images/build.sh is
// idempotent (an image whose recipe and base are unchanged is skipped in seconds). It re-runs when
// a recipe's content changes, which also changes the image references (a content hash in the tag),
// so the containers using them roll.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { recipeKey, type LocalImageBuild } from "../config/image-recipes";
import { shellQuote } from "../lib/shell";
import { dockerCliEnv } from "./hosts/ssh-client";

export interface LocalImagesArgs {
    builds: LocalImageBuild[];
    /** DOCKER_HOST of the target engine. */
    dockerHost: pulumi.Input<string>;
}

export class LocalImages extends pulumi.ComponentResource {
    /** Depend on this before creating a container from a local-build image. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: LocalImagesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:images:LocalImages", name, {}, opts);
        const specs = args.builds.map((b) => `${recipeKey(b.recipe)}=${b.ref}`);
        const build = new command.local.Command(
            `${name}-build`,
            {
                // Relative: Pulumi runs the program in the project directory; a path that moves with
                // the checkout would show as a change in every preview.
                create: ["bash", "images/build.sh", ...specs].map(shellQuote).join(" "),
                environment: dockerCliEnv(args.dockerHost),
                // The references carry each recipe's content hash: a changed recipe re-runs the build.
                triggers: args.builds.map((b) => b.ref),
                logging: "stderr",
            },
            { parent: this },
        );
        this.ready = [build];
        this.registerOutputs({});
    }
}

