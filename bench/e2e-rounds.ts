// One round of each tool on the e2e stack (same machine, images and health checks): cold converge
// to all healthy, no-op converge (and preview), a one-app rollout under load through the proxy,
// destroy. hostplane: `pulumi up/preview/destroy`; compose: docker-compose 1.29 on the rendered file.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { writeComposeBundle } from "../cli/compose";
import { fromStackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { projectFilter, waitHealthy } from "../lib/compose-run";
import { renderCompose } from "../render/compose";
import { startLoad, waitServing } from "./load";
import { eventLogPath, formatProfile, readEventLog } from "./profile";
import { Samples } from "./stats";
import { pulumi, run, Timed, Workspace } from "./workspace";

const STACK = "e2e";
const HTTPS = 18443;
const HOST = "e2e.localhost";
const IMAGE = (v: number) => `hostplane-e2e/demo-app:${v}`;
const PROJECT = "hpbench-compose";
/** How long the load keeps running after a rollout returns (catches failures while the old one drains). */
const TAIL_MS = 3000;

const stackArgs = ["--stack", STACK];

/** The CPU time of a tool's command (client side: the pulumi engine, language host and providers, or docker-compose). */
function cpu(samples: Samples, what: string, tool: string, t: Timed): Timed {
    samples.add(`CPU: ${what}`, tool, t.cpuMs ?? NaN);
    return t;
}

async function rollout(samples: Samples, tool: string, apply: () => Promise<Timed>): Promise<void> {
    const load = startLoad(HTTPS, HOST, "2", 300);
    const t0 = Date.now();
    cpu(samples, "rollout", tool, await apply());
    samples.add("rollout: command returns", tool, Date.now() - t0);
    await new Promise((r) => setTimeout(r, TAIL_MS));
    const r = await load.stop();
    samples.add("rollout: new version serving", tool, r.firstNewVersionMs ?? NaN);
    samples.add("rollout: failed requests", tool, r.failed);
    samples.add("rollout: requests sent", tool, r.sent);
}

/** `pulumi up` with the engine's event log: the round's own profile (where its time went) lands in the JSON. */
async function up(ws: Workspace, samples: Samples, title: string, opts: { rss?: boolean } = {}): Promise<Timed> {
    const log = eventLogPath();
    const t0 = Date.now() / 1000;
    const r = await pulumi(ws, ["up", "--yes", "--skip-preview", ...stackArgs, "--event-log", log], opts);
    const round = samples.profiles.filter((p) => p.startsWith(title)).length + 1;
    const text = formatProfile(`${title}, round ${round}`, readEventLog(log, t0, r.ms), 12);
    samples.profiles.push(text);
    console.log(text);
    return r;
}

export async function hostplaneRound(ws: Workspace, samples: Samples): Promise<void> {
    try {
        await hostplaneSteps(ws, samples);
    } catch (e) {
        await pulumi(ws, ["destroy", "--yes", "--skip-preview", ...stackArgs]).catch(() => undefined);
        throw e;
    }
}

async function hostplaneSteps(ws: Workspace, samples: Samples): Promise<void> {
    const tool = "hostplane";
    await pulumi(ws, ["config", "set", "--path", "hostplane:environments.e2e.apps.demo.image", IMAGE(1), ...stackArgs]);
    const cold = cpu(samples, "cold up", tool, await up(ws, samples, "cold up", { rss: true }));
    const rest = await waitHealthy(`label=hostplane.stack=${STACK}`, 1, 300_000);
    samples.add("cold converge to all healthy", tool, cold.ms + rest);
    samples.add("peak RSS during up, e2e stack", tool, cold.peakRssMiB ?? NaN);
    await waitServing(HTTPS, HOST, 30_000);
    samples.add("no-op converge (up)", tool, cpu(samples, "no-op up", tool, await up(ws, samples, "no-op up")).ms);
    samples.add("no-op preview", tool, cpu(samples, "no-op preview", tool, await pulumi(ws, ["preview", ...stackArgs])).ms);
    await pulumi(ws, ["config", "set", "--path", "hostplane:environments.e2e.apps.demo.image", IMAGE(2), ...stackArgs]);
    await rollout(samples, tool, () => up(ws, samples, "rollout of one app"));
    samples.add("destroy", tool, cpu(samples, "destroy", tool, await pulumi(ws, ["destroy", "--yes", "--skip-preview", ...stackArgs])).ms);
}

/** The compose rendering of the workspace's e2e stack file (the one hostplane's rounds apply); the services running the demo image. */
function composeBundle(c: ComposeDir, demoVersion: number): string[] {
    const dir = c.dir;
    const model = loadPlatformModel(fromStackFile(path.join(c.ws.dir, `Pulumi.${STACK}.yaml`)));
    for (const env of model.environments) for (const a of env.apps) if (a.name === "demo") a.image = IMAGE(demoVersion);
    const r = writeComposeBundle(renderCompose(model), dir);
    if (r.missing.length) throw new Error(`compose bundle: missing ${r.missing.join(", ")}`);
    c.services = Object.keys(loadServices(dir)).length;
    return Object.entries(loadServices(dir) as Record<string, { image?: string }>)
        .filter(([, s]) => s.image === IMAGE(demoVersion))
        .map(([name]) => name);
}

const sumTimed = (a: Timed, b: Timed): Timed => ({ ms: a.ms + b.ms, cpuMs: (a.cpuMs ?? NaN) + (b.cpuMs ?? NaN), output: a.output + b.output });

/**
 * docker-compose 1.x cannot recreate a container on Docker Engine 25+ (API 1.44 dropped the image's
 * ContainerConfig it reads: KeyError 'ContainerConfig'). There the rollout is `rm -s -f` of the
 * changed services and `up -d`: the same stop-then-start a recreate does.
 */
function composeCanRecreate(): boolean {
    const v1 = /^1\./.test(execFileSync("docker-compose", ["version", "--short"], { encoding: "utf8" }).trim());
    const api = execFileSync("docker", ["version", "--format", "{{.Server.APIVersion}}"], { encoding: "utf8" }).trim();
    const [major, minor] = api.split(".").map(Number);
    return !(v1 && (major > 1 || minor >= 44));
}

/** Service names of the rendered file (top-level `services:` only, not networks or volumes). */
const loadServices = (dir: string): Record<string, unknown> => parse(fs.readFileSync(path.join(dir, "docker-compose.yml"), "utf8"), { version: "1.1" }).services;

export interface ComposeDir {
    dir: string;
    ws: Workspace;
    /** Services in the rendered file (top-level `services:`), for the wait until all are healthy. */
    services: number;
    canRecreate: boolean;
}

export function composeDir(ws: Workspace): ComposeDir {
    const canRecreate = composeCanRecreate();
    if (!canRecreate) console.log("docker-compose 1.x on Docker Engine 25+: the compose rollout is rm -s -f of the changed services, then up -d");
    return { dir: fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-bench-compose-")), ws, services: 0, canRecreate };
}

export async function composeRound(c: ComposeDir, samples: Samples): Promise<void> {
    const dc = (...args: string[]) => run("docker-compose", ["-p", PROJECT, ...args], c.dir, process.env);
    try {
        await composeSteps(c, dc, samples);
    } catch (e) {
        // Never leave the project (and the e2e ports) behind for the next holder of the lock.
        await dc("down", "-v", "--remove-orphans").catch(() => undefined);
        throw e;
    }
}

async function composeSteps(c: ComposeDir, dc: (...args: string[]) => Promise<Timed>, samples: Samples): Promise<void> {
    const tool = "compose";
    composeBundle(c, 1);
    const t0 = Date.now();
    cpu(samples, "cold up", tool, await dc("up", "-d"));
    await waitHealthy(projectFilter(PROJECT), c.services, 300_000);
    samples.add("cold converge to all healthy", tool, Date.now() - t0);
    await waitServing(HTTPS, HOST, 30_000);
    samples.add("no-op converge (up)", tool, cpu(samples, "no-op up", tool, await dc("up", "-d")).ms);
    const changed = composeBundle(c, 2);
    await rollout(samples, tool, async () => {
        if (!c.canRecreate) return sumTimed(await dc("rm", "-s", "-f", ...changed), await dc("up", "-d"));
        return dc("up", "-d");
    });
    samples.add("destroy", tool, cpu(samples, "destroy", tool, await dc("down", "-v", "--remove-orphans")).ms);
}
