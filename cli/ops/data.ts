// PostgreSQL day-2 commands: manual backups, the list of backups, and the restore runbook
// (check, stop apps, safety backup, restore, start, migrate, health).
import type { AppModel, DataServiceModel, EnvironmentModel, PlatformModel } from "../../config/model";
import { pgIdentifier } from "../../config/services";
import { Docker, must, OpsError, requireEnvironment } from "./docker";

export function pick(model: PlatformModel, envName: string | undefined, serviceName: string | undefined): { env: EnvironmentModel; service: DataServiceModel } {
    const env = requireEnvironment(model, envName);
    const pgs = env.services.filter((s) => s.type === "postgres");
    if (pgs.length === 0) throw new OpsError(`environment '${envName}' has no postgres service`);
    const service = serviceName ? env.services.find((s) => s.name === serviceName) : pgs.length === 1 ? pgs[0] : undefined;
    if (!service) throw new OpsError(serviceName ? `unknown service '${serviceName}' in environment '${envName}'; postgres services: ${pgs.map((s) => s.name).join(", ")}` : `several postgres services in '${envName}': pass --service (${pgs.map((s) => s.name).join(", ")})`);
    if (service.type !== "postgres") throw new OpsError(`service '${service.name}' is ${service.type}; backups exist for postgres services only`);
    return { env, service };
}

export const backupContainer = (s: DataServiceModel) => `${s.containerBaseName}-backup`;

/** The running container of an app (its name carries a revision id; labels find it). */
function appContainers(d: Docker, model: PlatformModel, app: AppModel): string[] {
    const out = must(
        d,
        ["ps", "-a", "--filter", `label=hostplane.stack=${model.stack}`, "--filter", `label=hostplane.environment=${app.environment}`, "--filter", `label=hostplane.service=${app.name}`, "--format", "{{.Names}}"],
        `listing ${app.name}'s containers`,
    );
    return out.split("\n").filter(Boolean);
}

async function waitHealthy(d: Docker, container: string, seconds: number, log: (s: string) => void): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const status = d.run(["inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}", container]).stdout.trim();
        if (status === "healthy" || status === "running") return log(`  ${container}: ${status}`);
        if (Date.now() > deadline) throw new OpsError(`${container} is ${status || "gone"} after ${seconds}s; check 'docker logs ${container}'`);
        await new Promise((r) => setTimeout(r, 1000));
    }
}

export async function restore(model: PlatformModel, d: Docker, opts: { env?: string; service?: string; backup?: string; identity?: string }, log: (s: string) => void): Promise<void> {
    const { env, service } = pick(model, opts.env, opts.service);
    if (!opts.backup) throw new OpsError("missing --backup <id>; list them with: npm run ops -- backups --stack … --env …");
    const id = opts.backup.replace(/\.dump$/, "");
    const m = /^(.+)-(hourly|weekly|manual|safety)-(\d{8}T\d{6}Z)$/.exec(id);
    if (!m) throw new OpsError(`backup id '${id}' is not of the form <database>-<hourly|weekly|manual|safety>-<YYYYmmddTHHMMSSZ>`);
    const db = m[1];
    const owner = env.apps.find((a) => pgIdentifier(a.name) === db && service.consumers.includes(a.name));
    if (!owner) throw new OpsError(`database '${db}' belongs to no app of ${env.name}/${service.name}; its apps: ${service.consumers.join(", ")}`);
    const bc = backupContainer(service);

    // From the off-host copy: downloaded and decrypted in the sidecar with the operator's identity
    // on stdin (held in memory there, never written).
    if (opts.identity) {
        log(`0/6 fetching ${id} from the off-host copy into ${bc}`);
        const f = d.run(["exec", "-i", bc, "pg-backup.sh", "fetch", id], opts.identity);
        process.stderr.write(f.stderr);
        if (f.status !== 0) throw new OpsError(`cannot fetch ${id} from the off-host copy (see above); nothing was changed`);
    }

    // A full restore into a scratch server inside the sidecar, row counts compared: a truncated or
    // corrupt dump is refused here, before any app stops.
    log(`1/6 restoring backup ${id} into a scratch server in ${bc} to check it`);
    const check = d.run(["exec", bc, "pg-verify.sh", `/backups/${db}/${id}.dump`]);
    if (check.status !== 0) {
        process.stderr.write(check.stderr);
        throw new OpsError(`backup ${id} is missing or does not restore cleanly in ${bc}; nothing was changed`);
    }

    // The apps that use this database, and the apps that depend on those, stop first.
    const affected = env.apps.filter((a) => a.name === owner.name || a.dependsOn.includes(owner.name));
    const containers = affected.flatMap((a) => appContainers(d, model, a).map((c) => ({ app: a, c })));
    log(`2/6 stopping ${containers.map((x) => x.c).join(", ") || "(no running app)"}`);
    for (const { c } of containers) must(d, ["stop", "-t", "30", c], `stopping ${c}`);

    log(`3/6 safety backup, recreate ${db}, restore ${id}`);
    const r = d.run(["exec", bc, "pg-restore.sh", id, db]);
    process.stderr.write(r.stderr);
    if (r.status !== 0) {
        const safety = /safety backup: (\S+)/.exec(r.stderr)?.[1];
        throw new OpsError(
            r.status === 2
                ? `backup ${id} was rejected; nothing was changed. The apps are stopped: start them with 'docker start ${containers.map((x) => x.c).join(" ")}'`
                : `restore failed; the apps stay stopped.${safety ? ` To go back to the state before the restore: npm run ops -- restore --stack ${model.stack} --env ${env.name} --service ${service.name} --backup ${safety}` : ""}`,
        );
    }

    log(`4/6 starting ${containers.map((x) => x.c).join(", ")}`);
    for (const { c } of containers) must(d, ["start", c], `starting ${c}`);

    if (owner.migration) {
        const [c] = containers.filter((x) => x.app.name === owner.name).map((x) => x.c);
        log(`5/6 migrations of ${owner.name}: ${owner.migration.command.join(" ")}`);
        if (c) must(d, ["exec", c, ...owner.migration.command], `migration of ${owner.name}`);
    } else log(`5/6 ${owner.name} has no migration`);

    log("6/6 waiting for health checks");
    for (const { app, c } of containers) await waitHealthy(d, c, Math.ceil(app.healthcheck.worstCaseSeconds) + 30, log);
    log(`restored ${db} from ${id}`);
}

export function backupNow(model: PlatformModel, d: Docker, opts: { env?: string; service?: string }, log: (s: string) => void): string[] {
    const { service } = pick(model, opts.env, opts.service);
    const r = d.run(["exec", backupContainer(service), "pg-backup.sh", "run", "manual"]);
    process.stderr.write(r.stderr);
    if (r.status !== 0) throw new OpsError(`backup failed in ${backupContainer(service)}`);
    const ids = r.stdout.split("\n").filter(Boolean);
    log(`backups taken: ${ids.join(", ")}`);
    return ids;
}

