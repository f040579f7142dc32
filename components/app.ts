// App: one application container with file-based secrets, a health-gated start, an optional
// one-shot migration job before it, and zero-downtime replacement:
// The container is a revisioned workload spec (spec/app.ts) run by the Docker runtime, which keeps
// the revision id, names and aliases each revision and drains the replaced one:
//   - the container name carries a revision id that changes with the spec (or a secret), so
//     Pulumi's create-before-delete can start the new container next to the old one;
//   - every revision carries the app's shared alias (what other containers call); an app with
//     routes also gets a revision alias (`<alias>-<revision>`), which the proxy targets;
//   - `wait` holds the rollout until Docker reports the new container healthy (a failing check
//     fails `pulumi up` and the old container keeps serving);
//   - the proxy is then switched to the new revision alias and reloaded (components/proxy.ts;
//     it depends on this component), and only at the end of the update, when Pulumi deletes the
//     replaced revision, does the old container drain (drainSeconds, still serving whatever
//     reached it) and stop (SIGTERM, destroyGraceSeconds to finish, then SIGKILL).
import type * as command from "@pulumi/command";
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AppModel, networkName, PlatformModel } from "../config/model";
import type { Credential } from "../config/services";
import { appWorkload, specHash } from "../spec/app";
import { dockerRuntime, type RuntimeFactory, type StackContext } from "./context";
import { migrationJob } from "./migration";
import { appImage } from "./images";
import { stackSecret } from "./secrets";

/** What an app reads of the model: naming, image sources (digest pins) and the drain time. */
export type AppModelContext = StackContext & Pick<PlatformModel, "images" | "drainSeconds">;

export interface AppArgs {
    model: AppModelContext;
    app: AppModel;
    provider: docker.Provider;
    network: docker.Network;
    /** DOCKER_HOST for the migration job's docker CLI. */
    dockerHost: pulumi.Input<string>;
    /** The network and every app (or data service) this app depends on. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
    /** Connection credentials of the data services this app depends on (a secret Output). */
    credential?: (service: string, credential: Credential, app: string) => pulumi.Output<string>;
    /** In a cluster: the Swarm runtime (one service per revision); the single-host Docker runtime otherwise. */
    runtime?: RuntimeFactory;
}

export { specHash };

export class App extends pulumi.ComponentResource {
    readonly container: docker.Container;
    readonly migration?: command.local.Command;
    readonly containerName: pulumi.Output<string>;
    /** The DNS name other containers on the environment network use, stable across revisions. */
    readonly alias: string;
    /** Routed apps only: this revision's own alias, the proxy's upstream after the cutover switch. */
    readonly revisionAlias?: pulumi.Output<string>;

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:app:App", name, {}, opts);
        const { app, model } = args;
        const base = app.containerBaseName;
        this.alias = app.alias;

        const secretValues = app.secrets.map((s) => ({ name: s.name, value: secretValue(this, base, s, args) }));
        const secrets = Object.fromEntries(secretValues.map((s) => [s.name, s.value]));
        const spec = appWorkload(app, model);
        const networks = { [app.environment]: args.network };
        const runtime = args.runtime ? args.runtime(this, networks) : dockerRuntime(model, args.provider, networks, this);
        // The image as it will run (repo@sha256:… when pinned): a moved tag is a new revision.
        const image = appImage(this, app, model.images, args.provider);
        const revision = runtime.revision(spec, secrets, image.ref);
        this.revisionAlias = revision.alias;

        let dependsOn = image.pulled ? [...args.dependsOn, image.pulled] : args.dependsOn;
        if (app.migration) {
            this.migration = migrationJob(this, { app, network: networkName(model.prefix, app.environment), dockerHost: args.dockerHost, secrets: secretValues, revision: revision.resource as random.RandomId, image: image.ref, dependsOn });
            dependsOn = [...dependsOn, this.migration];
        }

        // The runtime makes the container depend on its network itself.
        const run = runtime.run(spec, dependsOn.filter((d) => d !== args.network), secrets, { image: image.ref, revision });
        this.container = run.ready as docker.Container;
        this.containerName = run.name;
        this.registerOutputs({ containerName: this.containerName, alias: this.alias });
    }
}

function secretValue(parent: pulumi.Resource, base: string, s: AppModel["secrets"][number], args: AppArgs): pulumi.Output<string> {
    if (typeof s.source === "object" && "service" in s.source) {
        if (!args.credential) throw new Error(`app ${args.app.name}: no data services to take ${s.name} from`);
        return pulumi.secret(args.credential(s.source.service, s.source.credential, args.app.name));
    }
    if (s.source === "generate" || "generate" in s.source) {
        const length = s.source === "generate" ? 32 : s.source.generate.length;
        // Letters and digits only: values survive env files, URLs and shell quoting unchanged.
        return new random.RandomPassword(`${base}-${s.name.toLowerCase()}`, { length, special: false }, { parent })
            .result;
    }
    return stackSecret(s.source.fromConfig);
}
