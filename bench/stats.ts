// Medians, min/max and the printed table of the benchmark.

export interface Stat {
    median: number;
    min: number;
    max: number;
    n: number;
}

export function stat(samples: number[]): Stat {
    const s = [...samples].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    const median = s.length === 0 ? NaN : s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    return { median, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, n: s.length };
}

/** Samples keyed by "metric / tool". */
export class Samples {
    readonly data = new Map<string, number[]>();
    /** Engine event-log profiles of the measured commands (bench/profile.ts), as printed. */
    readonly profiles: string[] = [];
    add(metric: string, tool: string, value: number): void {
        const k = `${metric}\t${tool}`;
        this.data.set(k, [...(this.data.get(k) ?? []), value]);
    }
    stats(): { metric: string; tool: string; stat: Stat; samples: number[] }[] {
        return [...this.data.entries()].map(([k, samples]) => {
            const [metric, tool] = k.split("\t");
            return { metric, tool, stat: stat(samples), samples };
        });
    }
}

const fmt = (v: number, unit: string) => (Number.isNaN(v) ? "-" : unit === "s" ? (v / 1000).toFixed(1) : unit === "MiB" ? v.toFixed(0) : String(Math.round(v)));

/** One row per metric and tool: median [min–max] (n). Values in ms print as seconds. */
export function table(rows: ReturnType<Samples["stats"]>, units: Record<string, string>): string {
    const lines = [["metric", "tool", "median", "min", "max", "n"]];
    for (const r of rows) {
        const u = units[r.metric] ?? "s";
        lines.push([`${r.metric}${u === "s" ? " (s)" : ` (${u})`}`, r.tool, fmt(r.stat.median, u), fmt(r.stat.min, u), fmt(r.stat.max, u), String(r.stat.n)]);
    }
    const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
    return lines.map((l, j) => l.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ") + (j === 0 ? "\n" + widths.map((w) => "-".repeat(w)).join("  ") : "")).join("\n");
}
