// `npm run bench`: hostplane against docker-compose on the same machine, images and health checks.
// Not a test and not in .ci/run (it takes ~20 minutes). Prints a table, writes JSON.
//   npm run bench -- [--rounds 3] [--out bench/results.json] [--sizes 10,30,90] [--no-e2e] [--no-scaling] [--no-up-largest]
//   npm run bench -- --tools compose   one tool only (default: hostplane,compose, alternated)
//   npm run bench -- --profile    where a cold up and a rollout of the e2e stack spend their time
//   npm run bench -- --stack-file bench/stacks/e2e-10.yaml   another stack file as the e2e stack
//                                 (same names and ports; the before/after comparison runs one file on both)
// Needs the Pulumi toolchain (scripts/pulumi-env.sh), a Docker engine, the e2e images
// (e2e/images/build.sh) and docker-compose; bench/run.sh holds /tmp/hostplane-e2e.lock throughout.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { composeDir, composeRound, hostplaneRound } from "./e2e-rounds";
import { formatProfile, profiledUp } from "./profile";
import { scaling } from "./scaling";
import { Samples, table } from "./stats";
import { initStack, REPO, workspace } from "./workspace";

const version = (cmd: string, args: string[]) => {
    try {
        return execFileSync(cmd, args, { encoding: "utf8" }).trim().split("\n")[0];
    } catch {
        return undefined;
    }
};

function machine() {
    return {
        cpus: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        docker: version("docker", ["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"]),
        compose: version("docker-compose", ["version", "--short"]),
        pulumi: version("pulumi", ["version"]),
        node: process.version,
    };
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            rounds: { type: "string", default: "3" },
            out: { type: "string", default: path.join(REPO, "bench", "results.json") },
            sizes: { type: "string", default: "10,30,90" },
            "no-e2e": { type: "boolean", default: false },
            "no-scaling": { type: "boolean", default: false },
            "no-up-largest": { type: "boolean", default: false },
            profile: { type: "boolean", default: false },
            tools: { type: "string", default: "hostplane,compose" },
            "stack-file": { type: "string", default: path.join(REPO, "Pulumi.e2e.yaml") },
        },
    });
    const stackFile = path.resolve(values["stack-file"]!);
    if (values.profile) return profile(stackFile);
    const rounds = Number(values.rounds);
    const m = machine();
    for (const [tool, v] of Object.entries({ docker: m.docker, "docker-compose": m.compose, pulumi: m.pulumi }))
        if (!v) throw new Error(`${tool} is not usable: see bench/main.ts for what the benchmark needs`);
    console.log(`machine: ${JSON.stringify(m)}; load: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    const samples = new Samples();
    const started = new Date().toISOString();
    const meta = { started, rounds, machine: m, stackFile: path.relative(REPO, stackFile), commit: version("git", ["-C", REPO, "rev-parse", "--short", "HEAD"]), load: [] as number[][] };
    if (!values["no-e2e"]) {
        const ws = e2eWorkspace(stackFile);
        await initStack(ws, "e2e");
        const dir = composeDir(ws);
        // Alternated: hostplane, compose, hostplane, compose…
        const tools = values.tools!.split(",");
        for (let i = 1; i <= rounds; i++) {
            if (tools.includes("hostplane")) {
                console.log(`round ${i}/${rounds}: hostplane`);
                await hostplaneRound(ws, samples);
                flush(samples, values.out!, meta);
            }
            if (tools.includes("compose")) {
                console.log(`round ${i}/${rounds}: compose`);
                await composeRound(dir, samples);
                flush(samples, values.out!, meta);
            }
        }
    }
    if (!values["no-scaling"]) {
        console.log("scaling: evaluation and preview of generated stacks");
        await scaling(samples, values.sizes!.split(",").map(Number), rounds, !values["no-up-largest"]);
    }
    flush(samples, values.out!, meta, true);
}

/** The e2e stack (or --stack-file) copied into a workspace as Pulumi.e2e.yaml: one name for both tools. */
const e2eWorkspace = (stackFile: string) => workspace({ "Pulumi.e2e.yaml": fs.readFileSync(stackFile, "utf8") });

/** Prints the table and writes the JSON: after every round, so an interrupted run keeps what it measured. */
function flush(samples: Samples, out: string, meta: { load: number[][] } & Record<string, unknown>, final = false): void {
    // The machine is shared: the load average at every flush says how busy it was meanwhile.
    meta.load.push(os.loadavg().map((l) => Math.round(l * 10) / 10));
    console.log(`load: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    const rows = samples.stats();
    const units = Object.fromEntries(rows.map((r) => [r.metric, r.metric.startsWith("peak RSS") ? "MiB" : r.metric.startsWith("rollout: failed") || r.metric.startsWith("rollout: requests") ? "count" : "s"]));
    console.log("\n" + table(rows, units));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ ...meta, finished: final ? new Date().toISOString() : undefined, rows, units, profiles: samples.profiles }, null, 2) + "\n");
    console.log(`\nwrote ${out}${final ? "" : " (partial)"}`);
}

async function profile(stackFile: string): Promise<void> {
    const ws = e2eWorkspace(stackFile);
    await initStack(ws, "e2e");
    const { pulumi } = await import("./workspace");
    try {
        console.log(formatProfile("cold up (e2e stack)", await profiledUp(ws, "e2e")));
        console.log(formatProfile("no-op up", await profiledUp(ws, "e2e")));
        await pulumi(ws, ["config", "set", "--path", "hostplane:environments.e2e.apps.demo.image", "hostplane-e2e/demo-app:2", "--stack", "e2e"]);
        console.log(formatProfile("rollout of one app", await profiledUp(ws, "e2e")));
    } finally {
        await pulumi(ws, ["destroy", "--yes", "--skip-preview", "--stack", "e2e"]);
    }
}

main().catch((e) => {
    console.error(e?.stack ?? String(e));
    process.exit(1);
});
