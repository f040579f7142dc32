// Steps of `npm run local:up` (scripts/local-up.sh) that need the stack model; no Pulumi engine.
//   prepare --stack <name> --plan F   resolve the image source (one registry check, ≤ 5 s),
//                                         print one line per image, refuse taken host ports
//                                         (exit 3), write HOSTPLANE_REGISTRY and BUILD_SPECS to F
//   report  --stack <name> [--wait S]     the status table and every URL with its answer
//                                         (exit 4 when a container is unhealthy or a URL is silent)
import { runMain } from "./entry";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { parseArgs } from "util";
import { ConfigError } from "../config/errors";
import { recipeKey } from "../config/image-recipes";
import type { PlatformModel } from "../config/model";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { publishedPorts, takenPortMessages } from "../lib/local/ports";
import { probeUrl, stackUrls } from "../lib/local/urls";
import { DOCKER_HUB_REGISTRY, registryAnswers } from "../lib/registry-probe";
import { dockerCli } from "./ops/docker";
import { formatTable, status } from "./ops/status";

/** Host ports already published by this stack's own containers (a re-run finds them taken). */
function ownPorts(model: PlatformModel): Set<number> {
    let out = "";
    try {
        const filters = ["--filter", `label=hostplane.stack=${model.stack}`, "--filter", `label=hostplane.project=${model.project}`];
        out = execFileSync("docker", ["ps", ...filters, "--format", "{{.Ports}}"], { encoding: "utf8" });
    } catch {
        return new Set();
    }
    return new Set([...out.matchAll(/:(\d+)->/g)].map((m) => Number(m[1])));
}

async function prepare(stack: string, planFile: string): Promise<number> {
    // One probe per registry and run (the stack's mirror, else Docker Hub), reused by the plan.
    const answers = new Map<string, boolean>();
    const probe = (server = DOCKER_HUB_REGISTRY) => {
        if (!answers.has(server)) answers.set(server, registryAnswers(server));
        return answers.get(server)!;
    };
    const model = loadPlatformModel({ ...fromStackFile(stackFile(stack)), registryReachable: probe });
    const reachable = answers.size ? [...answers.values()].every(Boolean) : undefined;
    const { source, builds, notes } = model.images;
    console.log(source === "registry" ? "images: pulled from their registries" : `images: built on this host from Debian packages${reachable === false ? " (no registry answered within 5 s)" : ""}`);
    for (const n of notes) console.log(`  ${n}`);
    const problems = await takenPortMessages(publishedPorts(model), ownPorts(model), `Pulumi.${model.stack}.yaml`);
    for (const p of problems) console.error(`error: ${p}`);
    if (problems.length) return 3;
    const specs = builds.map((b) => `${recipeKey(b.recipe)}=${b.ref}`).join(" ");
    fs.writeFileSync(planFile, `HOSTPLANE_REGISTRY=${source === "registry" ? "reachable" : "unreachable"}\nBUILD_SPECS='${specs}'\n`);
    return 0;
}

async function report(stack: string, waitSeconds: number): Promise<number> {
    const model = loadPlatformModel(fromStackFile(stackFile(stack)));
    const s = status(model, dockerCli(undefined), {});
    console.log(formatTable(s.rows));
    console.log("\nOpen:");
    const deadline = Date.now() + waitSeconds * 1000;
    let silent = 0;
    for (const u of stackUrls(model)) {
        let r = await probeUrl(u.url);
        while (r.error && Date.now() < deadline) {
            await new Promise((res) => setTimeout(res, 1000));
            r = await probeUrl(u.url);
        }
        if (r.error) silent++;
        console.log(`  ${u.url.padEnd(36)} ${(r.error ? `NO ANSWER (${r.error})` : `answers ${r.status}`).padEnd(12)}  ${u.what}`);
    }
    if (!s.ok) console.error("\nnot every container is healthy: see the table above, and `npm run ops -- logs <service> --stack local`");
    return s.ok && silent === 0 ? 0 : 4;
}

async function main(argv: string[]): Promise<number> {
    const [cmd, ...rest] = argv;
    const options = { stack: { type: "string", default: "local" }, plan: { type: "string" }, wait: { type: "string", default: "30" } } as const;
    const { values } = parseArgs({ args: rest, options, strict: true });
    if (cmd === "prepare" && values.plan) return prepare(values.stack, values.plan);
    if (cmd === "report") return report(values.stack, Number(values.wait));
    console.error("usage: local.ts prepare --stack <s> --plan <f> | report --stack <s> [--wait <seconds>]");
    return 64;
}

if (require.main === module)
    runMain(main, (err) => {
        console.error(err instanceof ConfigError ? err.message : (err?.message ?? String(err)));
        return err instanceof ConfigError ? 1 : 2;
    });
