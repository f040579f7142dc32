// How cost grows with the number of apps: program evaluation under mocks (in process, after a
// warm-up) and a real `pulumi preview` of a fresh stack, for generated stacks of 10, 30 and 90 apps;
// then one `pulumi up` of the largest, with the peak RSS of the engine, language host and providers.
import * as fs from "fs";
import * as path from "path";
import { fromStackFile } from "../config/sources";
import { captureGraph } from "../lib/graph";
import { waitHealthy } from "../lib/compose-run";
import { generatedStack } from "./generate";
import { Samples } from "./stats";
import { pulumi, workspace } from "./workspace";

export async function scaling(samples: Samples, sizes: number[], rounds: number, upLargest: boolean): Promise<void> {
    const files = Object.fromEntries(sizes.map((n) => [`Pulumi.bench${n}.yaml`, generatedStack(n)]));
    const ws = workspace(files);
    for (const n of sizes) {
        const source = fromStackFile(path.join(ws.dir, `Pulumi.bench${n}.yaml`));
        await captureGraph(source); // warm-up: module loading and JIT are not the program's cost
        for (let i = 0; i < rounds; i++) {
            const t = Date.now();
            const c = process.cpuUsage();
            const g = await captureGraph(source);
            const used = process.cpuUsage(c);
            samples.add(`evaluate program, ${n} apps (${g.resources.length} resources)`, "hostplane", Date.now() - t);
            samples.add(`CPU: evaluate program, ${n} apps`, "hostplane", (used.user + used.system) / 1000);
        }
        await pulumi(ws, ["stack", "init", `bench${n}`]);
        for (let i = 0; i < rounds; i++) {
            const p = await pulumi(ws, ["preview", "--stack", `bench${n}`]);
            samples.add(`preview from empty, ${n} apps`, "hostplane", p.ms);
            samples.add(`CPU: preview from empty, ${n} apps`, "hostplane", p.cpuMs ?? NaN);
        }
    }
    if (!upLargest) return;
    const n = Math.max(...sizes);
    const stack = ["--stack", `bench${n}`];
    try {
        const up = await pulumi(ws, ["up", "--yes", "--skip-preview", ...stack], { rss: true });
        await waitHealthy("label=hostplane.stack=bench" + n, n, 300_000);
        samples.add(`cold converge, ${n} apps`, "hostplane", up.ms);
        samples.add(`peak RSS during up, ${n} apps`, "hostplane", up.peakRssMiB ?? NaN);
        const noop = await pulumi(ws, ["preview", ...stack]);
        samples.add(`no-op preview, ${n} apps`, "hostplane", noop.ms);
        samples.add(`CPU: no-op preview, ${n} apps`, "hostplane", noop.cpuMs ?? NaN);
        samples.add(`CPU: cold up, ${n} apps`, "hostplane", up.cpuMs ?? NaN);
    } finally {
        await pulumi(ws, ["destroy", "--yes", "--skip-preview", ...stack]);
        fs.rmSync(ws.dir, { recursive: true, force: true });
    }
}
