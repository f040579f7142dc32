// Operator commands (`npm run ops -- <command> --stack <s> …`). Names come from the same model the
// program uses, so they always match; the host's Docker engine is reached with the docker CLI
// (DOCKER_HOST from the stack config, or from its outputs for a Hetzner server), and stack history
// and updates go through Pulumi's Automation API.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../config/errors";
import type { PlatformModel } from "../config/model";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { backupContainer, backupNow, pick, restore } from "./ops/data";
import { dockerCli, dockerHostOf, must, OpsError, requireEnvironment } from "./ops/docker";
import { drift } from "./ops/drift";
import { formatDrift, hasDrift } from "../lib/drift/report";
import { logs } from "./ops/logs";
import { imageConfigPath, previousImage } from "./ops/rollback";
import { formatTable, rowHealthy, status } from "./ops/status";

export { backupNow, restore } from "./ops/data";
export { Docker, OpsError } from "./ops/docker";

const REPO = path.resolve(__dirname, "..");

const USAGE = `usage: npm run ops -- <command> --stack <s> [options]
  status                  [--env <e>]                  every container: health, image, uptime, restarts
  logs <service>          [--env <e>] [--follow] [--tail N]
  backup-now              --env <e> [--service <postgres service>]
  backups                 --env <e> [--service <postgres service>]
  restore                 --env <e> [--service <postgres service>] --backup <id>
                          [--identity <age key file> | --identity-secret <config key>]
                          (fetch the off-host copy and decrypt it; the key never stays on the host)
  drill                   --env <e> [--service <postgres service>]   restore drill now
  rollback <app>          --env <e> [--to <image>] [--dry-run]
  drift                   host files changed by hand (checksum vs the render), stopped or missing
                          containers; exit 4 when there is drift
State: PULUMI_BACKEND_URL (the local stack defaults to ./.pulumi-state, like npm run local:up).`;

/** The Automation API stack, on the backend the operator uses (the local stack's default included). */
async function selectStack(model: PlatformModel) {
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
    const envVars: Record<string, string> = {};
    if (!process.env.PULUMI_BACKEND_URL && model.stack === "local") envVars.PULUMI_BACKEND_URL = `file://${REPO}/.pulumi-state`;
    try {
        return await LocalWorkspace.selectStack({ stackName: model.stack, workDir: REPO }, { envVars });
    } catch (err: any) {
        throw new OpsError(`cannot open stack '${model.stack}' (is it deployed, and PULUMI_BACKEND_URL/PULUMI_CONFIG_PASSPHRASE set?): ${String(err?.message ?? err).split("\n").find((l) => l.includes("error:")) ?? err}`);
    }
}

/** Plain stack outputs, needed only where the model cannot tell the Docker host (hcloud). */
async function dockerFor(model: PlatformModel) {
    if (model.host.provider !== "hcloud") return dockerCli(dockerHostOf(model));
    const outputs = await (await selectStack(model)).outputs();
    return dockerCli(dockerHostOf(model, Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]))));
}

async function rollback(model: PlatformModel, opts: { app?: string; env?: string; to?: string; "dry-run"?: boolean }, log: (s: string) => void): Promise<void> {
    if (!opts.app) throw new OpsError("missing app: npm run ops -- rollback <app> --stack <s> --env <e>");
    const env = requireEnvironment(model, opts.env);
    const app = env.apps.find((a) => a.name === opts.app);
    if (!app) throw new OpsError(`unknown app '${opts.app}' in ${env.name}; apps: ${env.apps.map((a) => a.name).join(", ")}`);
    const stack = await selectStack(model);
    const target = opts.to ? { image: opts.to, version: undefined } : previousImage(await stack.history(), env.name, app.name, app.image);
    log(`${env.name}/${app.name}: ${app.image} -> ${target.image}${target.version ? ` (as deployed by update #${target.version})` : ""}`);
    if (opts["dry-run"]) return;
    await stack.setConfig(imageConfigPath(env.name, app.name), { value: target.image }, true);
    log(`set ${imageConfigPath(env.name, app.name)} in Pulumi.${model.stack}.yaml; running pulumi up`);
    await stack.up({ onOutput: (s) => process.stdout.write(s) });
    log(`rolled back; commit Pulumi.${model.stack}.yaml so the next deploy keeps ${target.image}`);
}

/**
 * The age identity that decrypts off-host copies: a file on the operator's machine, or a Pulumi
 * secret of the stack. Read here and handed to the sidecar on stdin, never written on the host.
 */
async function ageIdentity(model: PlatformModel, opts: { identity?: string; "identity-secret"?: string }): Promise<string | undefined> {
    if (opts.identity && opts["identity-secret"]) throw new OpsError("give --identity or --identity-secret, not both");
    if (opts.identity) {
        if (!fs.existsSync(opts.identity)) throw new OpsError(`--identity ${opts.identity}: no such file (expected an age identity file from age-keygen)`);
        return fs.readFileSync(opts.identity, "utf8");
    }
    const key = opts["identity-secret"];
    if (!key) return undefined;
    const value = await (await selectStack(model)).getConfig(`hostplane:${key}`).catch(() => undefined);
    if (!value?.value) throw new OpsError(`--identity-secret ${key}: hostplane:${key} is not set in stack ${model.stack}; set it with 'pulumi config set --secret hostplane:${key} < key.txt'`);
    return value.value;
}

export async function main(argv: string[]): Promise<number> {
    const [cmd, ...rest] = argv;
    const { values, positionals } = parseArgs({
        args: rest,
        options: {
            stack: { type: "string" },
            env: { type: "string" },
            service: { type: "string" },
            backup: { type: "string" },
            follow: { type: "boolean", short: "f" },
            tail: { type: "string" },
            to: { type: "string" },
            "dry-run": { type: "boolean" },
            identity: { type: "string" },
            "identity-secret": { type: "string" },
        },
        allowPositionals: true,
        strict: true,
    });
    if (!cmd) throw new OpsError("missing command");
    if (!values.stack) throw new OpsError("missing --stack <name>");
    const model = loadPlatformModel(fromStackFile(stackFile(values.stack)));
    const log = (s: string) => console.log(s);
    switch (cmd) {
        case "status": {
            const r = status(model, await dockerFor(model), values);
            console.log(formatTable(r.rows));
            if (!r.ok) console.log(`\nnot all healthy: ${r.rows.filter((x) => !rowHealthy(x)).map((x) => `${x.env}/${x.service} (${x.state}${x.health !== "-" ? `, ${x.health}` : ""})`).join(", ")}`);
            return r.ok ? 0 : 3;
        }
        case "logs":
            return logs(model, await dockerFor(model), { ...values, service: positionals[0] });
        case "backup-now":
            backupNow(model, await dockerFor(model), values, log);
            return 0;
        case "backups": {
            const { service } = pick(model, values.env, values.service);
            console.log(must(await dockerFor(model), ["exec", backupContainer(service), "pg-backup.sh", "list"], "listing backups").trim());
            return 0;
        }
        case "restore":
            await restore(model, await dockerFor(model), { ...values, identity: await ageIdentity(model, values) }, log);
            return 0;
        case "drill": {
            const { service } = pick(model, values.env, values.service);
            const r = (await dockerFor(model)).run(["exec", backupContainer(service), "pg-backup.sh", "drill"]);
            process.stderr.write(r.stderr);
            if (r.status !== 0) throw new OpsError(`restore drill failed in ${backupContainer(service)}`);
            log("restore drill passed");
            return 0;
        }
        case "rollback":
            await rollback(model, { ...values, app: positionals[0] }, log);
            return 0;
        case "drift": {
            const r = drift(model, await dockerFor(model));
            log(formatDrift(model.stack, r));
            return hasDrift(r) ? 4 : 0;
        }
        default:
            throw new OpsError(`unknown command '${cmd}'`);
    }
}

if (require.main === module) {
    main(process.argv.slice(2))
        .then((code) => process.exit(code))
        .catch((err) => {
            if (err instanceof ConfigError) console.error(err.message);
            else if (err instanceof OpsError || err?.code?.startsWith?.("ERR_PARSE_ARGS")) console.error(`error: ${err.message}\n${USAGE}`);
            else console.error(err?.stack ?? String(err));
            process.exit(1);
        });
}
