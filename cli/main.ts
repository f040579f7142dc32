// hostplane CLI for reviewers and CI — no Pulumi engine needed:
//   validate --stack <name> | --config <file>           exit 0 + summary, or exit 1 + every error
//   render   --stack <name> | --config <file> --out <dir>   write every host file (on-host layout)
//            ... --format compose: a docker-compose.yml of the stack with its files and secrets
//   graph    --stack <name> | --config <file> --format json|mermaid   resources under Pulumi mocks
import { runMain } from "./entry";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../config/errors";
import type { PlatformModel } from "../config/model";
import { fromStackFile, stackFile } from "../config/sources";
import { ConfigSource, loadPlatformModel } from "../config/validate";
import { captureGraph, GraphResource } from "../lib/graph";
import { renderHostFiles } from "../render";
import { renderCompose } from "../render/compose";
import { writeComposeBundle } from "./compose";

class UsageError extends Error {}

const USAGE = `usage:
  npm run validate -- --stack <name> | --config <Pulumi.<stack>.yaml>
  npm run render   -- --stack <name> | --config <file>  --out <dir>  [--format compose]
  npm run --silent graph -- --stack <name> | --config <file>  [--format json|mermaid]`;

function source(values: { stack?: string; config?: string }): ConfigSource {
    if (values.stack && values.config) throw new UsageError("give either --stack or --config, not both");
    if (values.config) return fromStackFile(path.resolve(values.config));
    if (values.stack) return fromStackFile(stackFile(values.stack));
    throw new UsageError("missing --stack <name> or --config <file>");
}

export function summary(model: PlatformModel): string {
    const lines = [`stack ${model.stack}: valid`];
    const h = model.host;
    lines.push(`  host: ${h.provider === "ssh" ? `ssh://${h.user}@${h.address}:${h.port}` : h.provider}`);
    for (const env of model.environments) {
        lines.push(`  environment ${env.name} (${env.kind}, ${env.domain}, network ${env.networkName}, port offset ${env.portOffset})`);
        for (const s of env.services) {
            const extras = [
                `${s.cpus} cpu / ${s.memory}`,
                s.settings.type === "postgres" && s.settings.pgbouncer.enabled ? `pgbouncer ${s.settings.pgbouncer.poolMode}` : "",
                s.settings.type === "postgres" ? `backups hourly ${s.settings.backup.hourlyKeepDays}d, weekly ${s.settings.backup.weeklyKeepDays}d` : "",
                s.hostPort ? `127.0.0.1:${s.hostPort}` : "",
                s.protect ? "protected" : "",
                s.consumers.length ? `used by ${s.consumers.join(", ")}` : "unused",
            ].filter(Boolean);
            lines.push(`    ${s.name.padEnd(12)} ${s.type} ${s.image}  (${extras.join("; ")})`);
        }
        for (const a of env.apps) {
            const extras = [
                `${a.cpus} cpu / ${a.memory}`,
                a.routes.length ? `routes ${a.routes.map((r) => r.host + r.path).join(", ")}` : "no routes",
                a.dependsOn.length ? `after ${a.dependsOn.join(", ")}` : "",
                a.migration ? "migration" : "",
                a.hostPort ? `127.0.0.1:${a.hostPort}` : "",
                a.secrets.length ? `${a.secrets.length} secret${a.secrets.length > 1 ? "s" : ""}` : "",
            ].filter(Boolean);
            lines.push(`    ${a.name.padEnd(12)} ${a.image}  (${extras.join("; ")})`);
        }
    }
    return lines.join("\n");
}

const mermaidId = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");

export function mermaid(resources: GraphResource[]): string {
    const shown = resources.filter((r) => !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("random:") && !r.type.startsWith("command:local:Command") || r.name.endsWith("-migrate"));
    const names = new Set(shown.map((r) => r.name));
    const out = ["flowchart LR"];
    for (const r of shown) {
        const kind = r.type.split(":").pop();
        const label = `${r.name}<br/><small>${kind}</small>`;
        out.push(r.custom ? `  ${mermaidId(r.name)}["${label}"]` : `  ${mermaidId(r.name)}(["${label}"])`);
    }
    for (const r of shown) {
        if (r.parent && names.has(r.parent)) out.push(`  ${mermaidId(r.parent)} -.- ${mermaidId(r.name)}`);
        for (const d of r.dependsOn) if (names.has(d)) out.push(`  ${mermaidId(d)} --> ${mermaidId(r.name)}`);
    }
    return out.join("\n");
}

function renderComposeTo(model: PlatformModel, out: string): number {
    const r = writeComposeBundle(renderCompose(model), out);
    if (r.missing.length) {
        console.error(`compose: set these secrets first (the value alone in each file), then render again:\n${r.missing.map((m) => `  ${path.join(out, m)}`).join("\n")}`);
        return 1;
    }
    console.log(`rendered docker-compose.yml for stack ${model.stack} into ${out} (${r.written.length} files; secrets in ${path.join(out, "secrets")})`);
    console.log(`  docker-compose -f ${path.join(out, "docker-compose.yml")} -p ${model.prefix} up -d`);
    return 0;
}

async function main(argv: string[]): Promise<number> {
    const [cmd, ...rest] = argv;
    const { values } = parseArgs({
        args: rest,
        options: { stack: { type: "string" }, config: { type: "string" }, out: { type: "string" }, format: { type: "string", default: "json" } },
        strict: true,
    });
    switch (cmd) {
        case "validate": {
            console.log(summary(loadPlatformModel(source(values))));
            return 0;
        }
        case "render": {
            if (!values.out) throw new UsageError("render needs --out <dir>");
            const model = loadPlatformModel(source(values));
            if (values.format === "compose") return renderComposeTo(model, values.out);
            const files = renderHostFiles(model);
            for (const f of files) {
                const dest = path.join(values.out, f.path);
                fs.mkdirSync(path.dirname(dest), { recursive: true });
                fs.writeFileSync(dest, f.content, { mode: f.mode });
                fs.chmodSync(dest, f.mode);
            }
            console.log(`rendered ${files.length} file${files.length === 1 ? "" : "s"} for stack ${model.stack} into ${values.out}`);
            for (const f of files) console.log(`  ${f.path}`);
            return 0;
        }
        case "graph": {
            const graph = await captureGraph(source(values));
            if (values.format === "mermaid") console.log(mermaid(graph.resources));
            else if (values.format === "json")
                console.log(JSON.stringify({ resources: graph.resources.map(({ name, type, parent, dependsOn, inputs }) => ({ name, type, parent, dependsOn, inputs })) }, null, 2));
            else throw new UsageError(`--format: got '${values.format}'; expected json or mermaid`);
            return 0;
        }
        default:
            throw new UsageError(cmd ? `unknown command '${cmd}'` : "missing command");
    }
}

if (require.main === module)
    runMain(main, (err) => {
        if (err instanceof ConfigError) console.error(err.message);
        else if (err instanceof UsageError || err?.code?.startsWith?.("ERR_PARSE_ARGS")) console.error(`${err.message}\n${USAGE}`);
        else console.error(err?.stack ?? String(err));
        return err instanceof ConfigError || err instanceof UsageError || err?.code?.startsWith?.("ERR_PARSE_ARGS") ? 1 : 2;
    });
