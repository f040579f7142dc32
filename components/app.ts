// App: one application container with file-based secrets, a health-gated start, an optional
// one-shot migration job before it, and zero-downtime replacement:
//   - the container name carries a revision id that changes with the spec (or a secret), so
//     Pulumi's create-before-delete can start the new container next to the old one;
//   - both revisions share the network alias the proxy resolves;
//   - `wait` holds the rollout until Docker reports the new container healthy (a failing check
//     fails `pulumi up` and the old container keeps serving);
//   - a drain step keeps the old container for a few seconds so resolver caches move over,
//     then Pulumi deletes it (gracefully, destroyGraceSeconds).
import { createHash } from "crypto";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { networkName } from "../config/model";
import type { AppModel, PlatformModel } from "../config/model";
import type { Credential } from "../config/services";
import { NAMESPACE } from "../config/validate";
import { labelsFor, routesLabel } from "./labels";
import { healthcheckInput, limitsInput } from "./container-spec";
import { migrationJob } from "./migration";

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

export class App extends pulumi.ComponentResource {
    readonly container: docker.Container;
    readonly migration?: command.local.Command;
    readonly containerName: pulumi.Output<string>;
    /** The DNS name other containers on the environment network use, stable across revisions. */
    readonly alias: string;

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hostplane:app:App", name, {}, opts);
        const { app, model } = args;
        const base = app.containerBaseName;
        this.alias = app.alias;

        const secretValues = app.secrets.map((s) => ({ name: s.name, path: s.filePath, value: secretValue(this, base, s, args) }));
        // A digest of the secret values, itself kept secret, so a changed secret rolls the app.
        const secretDigest = pulumi
            .all(secretValues.map((s) => s.value))
            .apply((vals) => createHash("sha256").update(vals.join("\0")).digest("hex"));

        const labels = labelsFor(model, { environment: app.environment, service: app.name, kind: "app", ...routesLabel(app.routes) });
        const spec = { app, labels, logs: model.logs };
        const revision = new random.RandomId(
            `${base}-revision`,
            { byteLength: 4, keepers: { spec: specHash(spec), secrets: secretDigest } },
            { parent: this },
        );
        this.containerName = pulumi.interpolate`${base}-${revision.hex}`;

        const plainEnv = Object.entries(app.env).map(([k, v]) => `${k}=${v}`);
        const secretEnv = secretValues.map((s) =>
            app.secretDelivery === "file" ? pulumi.output(`${s.name}_FILE=${s.path}`) : pulumi.interpolate`${s.name}=${s.value}`,
        );

        let dependsOn = args.dependsOn;
        if (app.migration) {
            this.migration = migrationJob(this, { app, network: networkName(model.prefix, app.environment), dockerHost: args.dockerHost, secrets: secretValues, revision, dependsOn: args.dependsOn });
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
                image: app.image,
                command: app.command,
                user: app.user,
                envs: pulumi.all([...plainEnv.map((e) => pulumi.output(e)), ...secretEnv]).apply((e) => e.sort()),
                uploads:
                    app.secretDelivery === "file"
                        ? secretValues.map((s) => ({ file: s.path, content: s.value, permissions: secretMode }))
                        : [],
                networksAdvanced: [{ name: args.network.name, aliases: [app.alias] }],
                ports: app.hostPort ? [{ internal: app.port, external: app.hostPort, ip: "127.0.0.1", protocol: "tcp" }] : [],
                healthcheck: healthcheckInput(app.healthcheck),
                wait: true,
                waitTimeout: Math.ceil(app.healthcheck.worstCaseSeconds) + 30,
                ...limitsInput(app.cpus, app.memoryMb),
                restart: app.restart,
                logDriver: "json-file",
                logOpts: { "max-size": model.logs.maxSize, "max-file": String(model.logs.maxFile) },
                labels: [...labels, { label: "hostplane.revision", value: revision.hex }],
                destroyGraceSeconds: 30,
                mustRun: true,
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

        // Draining a replaced revision, in two phases. create (new revision up): both revisions
        // share the alias for drainSeconds, so every resolver (nginx: valid=5s) learns the new
        // address. delete (the old revision's drain step, which Pulumi removes just before the old
        // container): take the old container off the network first, so its address leaves Docker's
        // DNS before the process gets SIGTERM, then let connections already resolved move over.
        new command.local.Command(
            `${base}-drain`,
            {
                create: `sleep ${model.drainSeconds}`,
                delete: `docker network disconnect "$NETWORK" "$CONTAINER" 2>/dev/null || true; sleep ${Math.min(2, model.drainSeconds)}`,
                environment: { DOCKER_HOST: args.dockerHost, NETWORK: args.network.name, CONTAINER: this.containerName },
                triggers: [this.containerName],
            },
            { parent: this, dependsOn: [this.container] },
        );

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
    return new pulumi.Config(NAMESPACE).requireSecret(s.source.fromConfig);
}
