// Every data service but PostgreSQL, from its catalog entry (catalog/<kind>.ts): the kind's
// generated secrets, then its containers (spec/data.ts) through the Docker runtime — containers it
// waits for, the main one with its data volume, the exporter sidecar when Prometheus scrapes it,
// and a setup step inside it. Per-app users exist only for PostgreSQL; these share one login.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { kindOf, type Credential } from "../../catalog";
import { dataVolumeSpec, dataWorkload, exporterWorkload, mainWorkload } from "../../spec/data";
import type { DockerRuntime } from "../../runtime/docker";
import { dockerRuntime } from "../context";
import type { SecretInputs } from "../../runtime/runtime";
import type { DataServiceArgs } from "./args";
import { exporterTarget } from "./exporter";
import { warnStack } from "../warnings";
import { backupImage, offsiteSecrets } from "./backup-image";
import { backupBase, dataBackupSettings, dataBackupSidecar } from "../../spec/data-backup";
import { noBackupImageNote } from "../../spec/backup-image";

/** The Docker runtime of one data service's resources: its environment network, under `parent`. */
export function dataRuntime(parent: pulumi.Resource, args: DataServiceArgs): DockerRuntime {
    return dockerRuntime(args.model, args.provider, { [args.service.environment]: args.network }, parent, args.dockerHost);
}

export class SimpleDataService extends pulumi.ComponentResource {
    readonly container: docker.Container;
    readonly ready: pulumi.Resource[];
    /** The metrics sidecar (redis, kafka, mongodb), when hostplane:monitoring.exporters turns it on. */
    readonly exporter?: docker.Container;
    /** The backup sidecar (Redis, RabbitMQ), unless backup.enabled is false. */
    readonly backup?: docker.Container;
    private readonly secrets: SecretInputs;
    private readonly credentials: Partial<Record<Credential, (v: Record<string, string>) => string>>;

    constructor(name: string, args: DataServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`hostplane:data:${args.service.type[0].toUpperCase()}${args.service.type.slice(1)}`, name, {}, opts);
        const { model, service: s } = args;
        const kind = kindOf(s.type);
        if (!kind.parts) throw new Error(`${s.type} has its own component`);
        if (kind.deprecated) warnStack(`${s.environment}/${s.name}: ${kind.deprecated}`);
        const base = s.containerBaseName;
        this.secrets = Object.fromEntries(
            Object.entries(kind.secrets ?? {}).map(([what, o]) => [
                what,
                new random.RandomPassword(`${base}-${what}`, { length: o.length, special: false, ...(o.lower === false ? { lower: false } : {}) }, { parent: this }).result,
            ]),
        );
        this.credentials = kind.credentials?.(s) ?? {};
        // RabbitMQ and MinIO are scraped directly; the others get an exporter sidecar.
        const target = exporterTarget(model, s);
        const parts = kind.parts(s, { metrics: target !== undefined });
        const runtime = dataRuntime(this, args);

        const data = runtime.volume(dataVolumeSpec(s), args.dependsOn);
        const before = (parts.before ?? []).map((p) => runtime.run(dataWorkload(s, p), args.dependsOn, this.secrets).ready);
        const main = runtime.run(mainWorkload(s, parts.main), [...args.dependsOn, data, ...before], this.secrets);
        this.container = main.ready as docker.Container;
        const sidecar = kind.exporter.sidecar;
        // No sidecar when the image serves its own metrics (images/kafka's JMX exporter agent).
        if (target?.sidecar && sidecar) this.exporter = runtime.run(exporterWorkload(s, target, sidecar(s, target.sidecar.port)), [main.ready], this.secrets).ready as docker.Container;
        this.backup = this.backupSidecar(args, runtime, main.ready);
        const setup = parts.setup ? [runtime.exec(main, { name: `${base}-${parts.setup.name}`, script: parts.setup.script("127.0.0.1"), triggers: parts.setup.triggers })] : [];
        this.ready = [this.container, ...before, ...setup];
        this.registerOutputs({ alias: s.alias });
    }

    /** Scheduled backups in a sidecar from the image built FROM the service's (spec/data-backup.ts). */
    private backupSidecar(args: DataServiceArgs, runtime: DockerRuntime, main: pulumi.Resource): docker.Container | undefined {
        const { model, service: s } = args;
        const b = dataBackupSettings(s);
        if (!b) return undefined;
        const image = backupImage(this, s, b.image, args.provider, args.dependsOn, model.images.mirror, backupBase(s));
        if (!image.ref) {
            warnStack(noBackupImageNote(s.environment, s.name, backupBase(s)));
            return undefined;
        }
        const backups = runtime.volume(dataVolumeSpec(s, "backups"), args.dependsOn);
        const after = [main, backups, ...(image.built ? [image.built] : [])];
        const spec = dataBackupSidecar(s, model.monitoring.services.nodeExporter, image.ref);
        return runtime.run(spec, after, { ...this.secrets, ...offsiteSecrets(s, b) }).ready as docker.Container;
    }

    /** A credential an app gets (catalog/<kind>.ts credentials), built from the generated secrets: a secret. */
    credential(what: Credential): pulumi.Output<string> {
        const render = this.credentials[what];
        if (!render) throw new Error(`${this.constructor.name} has no ${what}`);
        return pulumi.secret(pulumi.all(this.secrets).apply((v) => render(v as Record<string, string>)));
    }
}
