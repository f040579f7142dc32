// Peak resident memory of a process tree (the pulumi engine, its language host, the node program
// and the provider plugins), sampled from /proc every 200 ms.
import * as fs from "fs";

function children(): Map<number, number[]> {
    const kids = new Map<number, number[]>();
    for (const d of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
        } catch {
            // the process ended between readdir and read
        }
    }
    return kids;
}

function rssKb(pid: number): number {
    try {
        const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) : 0;
    } catch {
        return 0;
    }
}

/** Starts sampling the tree under `root`; stop() returns the peak sum in MiB. */
export function sampleTreeRss(root: number): { stop: () => number } {
    let peak = 0;
    const tick = () => {
        const kids = children();
        const todo = [root];
        let sum = 0;
        while (todo.length) {
            const p = todo.pop()!;
            sum += rssKb(p);
            todo.push(...(kids.get(p) ?? []));
        }
        peak = Math.max(peak, sum);
    };
    const timer = setInterval(tick, 200);
    return {
        stop: () => {
            clearInterval(timer);
            return peak / 1024;
        },
    };
}
