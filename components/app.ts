// App: one application container with file-based secrets, a health-gated start, an optional
// one-shot migration job before it, and zero-downtime replacement:
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
import { createHash } from "crypto";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AppModel, networkName, PlatformModel, revisionAlias } from "../config/model";
import type { Credential } from "../config/services";
import { labelsFor, routesLabel } from "./labels";
import { containerBlockInput, healthcheckInput } from "./container-spec";
import { migrationJob } from "./migration";
import { appImage } from "./images";
import { stackSecret } from "./secrets";

export interface AppArgs {
    model: PlatformModel;
    app: AppModel;
    provider: docker.Provider;
    network: docker.Network;
    /** DOCKER_HOST for the migration job's docker CLI. */
    dockerHost: pulumi.Input<string>;
    /** The network and every app (or data service) this app depends on. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
    /** Connection credentials of the data services this app depends on (a secret Output). */
    credential?: (service: string, credential: Credential, app: string) => pulumi.Output<string>;
}

/** A stable short hash of plain data. */
export function specHash(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 12);
}

/** A digest of the secret values, itself kept secret, so a changed secret rolls the app. */
function digestOf(values: pulumi.Output<string>[]): pulumi.Output<string> {
    return pulumi.all(values).apply((vals) => createHash("sha256").update(vals.join("\0")).digest("hex"));
}

/** Plain env plus, per secret, NAME_FILE=<path> (file delivery) or NAME=<value>; sorted. */
function containerEnv(app: AppModel, secrets: { name: string; path: string; value: pulumi.Output<string> }[]): pulumi.Output<string[]> {
    const plainEnv = Object.entries(app.env).map(([k, v]) => `${k}=${v}`);
    const secretEnv = secrets.map((s) => (app.secretDelivery === "file" ? pulumi.output(`${s.name}_FILE=${s.path}`) : pulumi.interpolate`${s.name}=${s.value}`));
    return pulumi.all([...plainEnv.map((e) => pulumi.output(e)), ...secretEnv]).apply((e) => e.sort());
}

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

        const secretValues = app.secrets.map((s) => ({ name: s.name, path: s.filePath, value: secretValue(this, base, s, args) }));
        const secretDigest = digestOf(secretValues.map((s) => s.value));

        const labels = labelsFor(model, { environment: app.environment, service: app.name, kind: "app", ...routesLabel(app.routes) });
        const spec = { app, labels, logs: model.logs };
        // The image as it will run (repo@sha256:… when pinned): a moved tag is a new revision.
        const image = appImage(this, app, model, args.provider);
        const revision = new random.RandomId(
            `${base}-revision`,
            { byteLength: 4, keepers: { spec: specHash(spec), secrets: secretDigest, image: image.ref } },
            { parent: this },
        );
        this.containerName = pulumi.interpolate`${base}-${revision.hex}`;
        if (app.routes.length > 0) this.revisionAlias = revision.hex.apply((hex) => revisionAlias(app.alias, hex));

        let dependsOn = image.pulled ? [...args.dependsOn, image.pulled] : args.dependsOn;
        if (app.migration) {
            this.migration = migrationJob(this, { app, network: networkName(model.prefix, app.environment), dockerHost: args.dockerHost, secrets: secretValues, revision, image: image.ref, dependsOn });
            dependsOn = [...dependsOn, this.migration];
        }

        // Secret files are uploaded root-owned. Setting an upload owner makes the provider copy with
        // CopyUIDGID, which Docker 20.10 (Debian 12's docker.io) resolves against the *host's* passwd
        // and fails ("getent unable to find entry"). So: 0400 for a root process, 0444 when the app
        // runs as another user (readable inside its own container only; nothing else shares it).
        const secretMode = app.user && !/^(0|root)(:|$)/.test(app.user) ? "0444" : "0400";
        this.container = new docker.Container(
            `${base}-container`,
            {
                name: this.containerName,
                image: image.ref,
                command: app.command,
                user: app.user,
                envs: containerEnv(app, secretValues),
                uploads:
                    app.secretDelivery === "file"
                        ? secretValues.map((s) => ({ file: s.path, content: s.value, permissions: secretMode }))
                        : [],
                networksAdvanced: [{ name: args.network.name, aliases: this.revisionAlias ? [app.alias, this.revisionAlias] : [app.alias] }],
                ports: app.hostPort ? [{ internal: app.port, external: app.hostPort, ip: "127.0.0.1", protocol: "tcp" }] : [],
                healthcheck: healthcheckInput(app.healthcheck),
                wait: true,
                waitTimeout: Math.ceil(app.healthcheck.worstCaseSeconds) + 30,
                ...containerBlockInput({
                    cpus: app.cpus,
                    memoryMb: app.memoryMb,
                    restart: app.restart,
                    logs: model.logs,
                    labels: [...labels, { label: "hostplane.revision", value: revision.hex }],
                    graceSeconds: 30,
                }),
            },
            {
                parent: this,
                provider: args.provider,
                dependsOn,
                // A published host port cannot be held by two containers at once, so an app with
                // hostPort (never in production) is replaced stop-then-start. Routed traffic goes
                // through the proxy and the shared alias, where replacement is create-before-delete.
                deleteBeforeReplace: app.hostPort !== undefined,
            },
        );

        drainStep(this, base, model.drainSeconds, this.containerName, this.container);

        this.registerOutputs({ containerName: this.containerName, alias: this.alias });
    }
}

// Draining a replaced revision, in two phases. create (new revision up): both revisions
// carry the shared alias for drainSeconds, so callers inside the network that resolve it
// (other apps; the proxy does not, it targets revision aliases) find the new one. delete
// (the old revision's drain step, which Pulumi runs at the end of the update, after the
// proxy switched and reloaded, and just before it stops the old container): the old
// revision stays up and on the network for drainSeconds, so requests it already holds
// (the proxy's old workers finishing theirs) complete; then Pulumi stops it. It is never
// taken off the network first: a caller holding its address gets a refused connection
// (fails fast, retried elsewhere) instead of packets into nowhere (hangs).
function drainStep(parent: App, base: string, drainSeconds: number, containerName: pulumi.Output<string>, container: docker.Container): void {
    new command.local.Command(
        `${base}-drain`,
        { create: `sleep ${drainSeconds}`, delete: `sleep ${drainSeconds}`, triggers: [containerName] },
        { parent, dependsOn: [container] },
    );
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
