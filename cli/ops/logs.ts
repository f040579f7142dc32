// `ops logs <service>`: the logs of a service's container, found by its labels (app containers
// carry a revision in their name, so names are not guessable).
import type { PlatformModel } from "../../config/model";
import { Docker, inspectStackContainers, OpsError } from "./docker";

/** The container to show: the running one, else the most recently created. */
export function pickContainer(model: PlatformModel, inspected: any[], service: string, env?: string): string {
    const label = (c: any, k: string) => c.Config?.Labels?.[`hostplane.${k}`];
    const matches = inspected.filter((c) => label(c, "service") === service && (!env || label(c, "environment") === env));
    if (matches.length === 0) {
        const known = [...new Set(inspected.filter((c) => !env || label(c, "environment") === env).map((c) => label(c, "service")).filter(Boolean))].sort();
        throw new OpsError(`no container of service '${service}'${env ? ` in environment '${env}'` : ""} in stack ${model.stack}; services with containers: ${known.join(", ") || "(none: is the stack up?)"}`);
    }
    const envs = [...new Set(matches.map((c) => label(c, "environment")))];
    if (!env && envs.length > 1) throw new OpsError(`service '${service}' exists in several environments (${envs.sort().join(", ")}): pass --env`);
    const best = [...matches].sort((a, b) => Number(b.State?.Running) - Number(a.State?.Running) || Date.parse(b.Created) - Date.parse(a.Created))[0];
    return String(best.Name).replace(/^\//, "");
}

export function logs(model: PlatformModel, d: Docker, opts: { service?: string; env?: string; follow?: boolean; tail?: string }): number {
    if (!opts.service) throw new OpsError("missing service: npm run ops -- logs <service> --stack <s> [--env <e>] [--follow] [--tail N]");
    if (opts.tail !== undefined && !/^(\d+|all)$/.test(opts.tail)) throw new OpsError(`--tail must be a number or 'all' (got '${opts.tail}')`);
    const container = pickContainer(model, inspectStackContainers(d, model), opts.service, opts.env);
    const args = ["logs", "--timestamps", "--tail", opts.tail ?? "200", ...(opts.follow ? ["--follow"] : []), container];
    if (!d.attach) throw new OpsError("this Docker client cannot attach a terminal");
    return d.attach(args);
}
