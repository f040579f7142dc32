// Where the time of a `pulumi up` goes, from the engine's event log (`--event-log`): the time
// before the first resource is registered (engine and language host start, TypeScript compile,
// program evaluation), each resource's step from its pre-event to its outputs, and the tail after
// the last step. Printed as the longest steps first.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumi, Workspace } from "./workspace";

interface Step {
    urn: string;
    op: string;
    start: number;
    end?: number;
}

export interface Profile {
    totalMs: number;
    firstStepMs: number;
    lastStepEndMs: number;
    steps: { name: string; op: string; startMs: number; ms: number }[];
}

export async function profiledUp(ws: Workspace, stack: string, extra: string[] = []): Promise<Profile> {
    const log = eventLogPath();
    const t0 = Date.now() / 1000;
    const r = await pulumi(ws, ["up", "--yes", "--skip-preview", "--stack", stack, "--event-log", log, ...extra]);
    return readEventLog(log, t0, r.ms);
}

export const eventLogPath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-profile-")), "events.jsonl");

/** Steps of an engine event log written by a command started at t0 (seconds since the epoch). */
export function readEventLog(log: string, t0: number, totalMs: number): Profile {
    const steps = new Map<string, Step>();
    for (const line of fs.readFileSync(log, "utf8").split("\n").filter(Boolean)) {
        const e = JSON.parse(line);
        const ts = e.timestamp as number;
        const pre = e.resourcePreEvent?.metadata;
        if (pre && !pre.urn.includes("pulumi:pulumi:Stack")) steps.set(pre.urn, { urn: pre.urn, op: pre.op, start: ts });
        const out = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
        if (out && steps.has(out.urn)) steps.get(out.urn)!.end = ts;
    }
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
    // First and last over every step (a no-op has only "same" ones); the list has the changes.
    const all = [...steps.values()];
    const list = all.filter((s) => s.op !== "same");
    const first = Math.min(...all.map((s) => s.start));
    const last = Math.max(...all.map((s) => s.end ?? s.start));
    return {
        totalMs,
        firstStepMs: Math.round((first - t0) * 1000),
        lastStepEndMs: Math.round((last - t0) * 1000),
        steps: list
            .map((s) => ({ name: s.urn.split("::").pop()!, op: s.op, startMs: Math.round((s.start - t0) * 1000), ms: Math.round(((s.end ?? s.start) - s.start) * 1000) }))
            .sort((a, b) => b.ms - a.ms),
    };
}

export function formatProfile(title: string, p: Profile, top = 15): string {
    const lines = [
        `${title}: ${(p.totalMs / 1000).toFixed(1)} s in all; first step at ${(p.firstStepMs / 1000).toFixed(1)} s (engine + language host + compile + evaluation); last step done at ${(p.lastStepEndMs / 1000).toFixed(1)} s`,
        ...p.steps.slice(0, top).map((s) => `  ${(s.ms / 1000).toFixed(1).padStart(6)} s  from ${(s.startMs / 1000).toFixed(1).padStart(5)} s  ${s.op.padEnd(14)} ${s.name}`),
    ];
    return lines.join("\n");
}
