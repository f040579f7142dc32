// Unit conversions shared by validation and rendering.

/** "512M" -> 512, "2G" -> 2048, "1.5g" -> 1536, "262144k" -> 256: the Docker provider takes MB. */
export function memoryToMegabytes(size: string): number {
    const m = /^([0-9]+(?:\.[0-9]+)?)([kKmMgG])$/.exec(size);
    if (!m) throw new Error(`not a memory size: ${size}`);
    const n = Number(m[1]);
    const unit = m[2].toLowerCase();
    const mb = unit === "g" ? n * 1024 : unit === "m" ? n : n / 1024;
    return Math.max(1, Math.ceil(mb));
}

/** "1m30s" -> 90, "500ms" -> 0.5. */
export function durationToSeconds(d: string): number {
    let total = 0;
    for (const [, num, unit] of d.matchAll(/([0-9]+)(ms|s|m|h)/g)) {
        const n = Number(num);
        total += unit === "h" ? n * 3600 : unit === "m" ? n * 60 : unit === "s" ? n : n / 1000;
    }
    return total;
}

/**
 * A duration as Docker reports it back (Go's time.Duration.String): "60s" -> "1m0s", "1h" ->
 * "1h0m0s", "500ms" -> "500ms". The Docker provider reads health check durations back in this
 * form, so inputs in any other spelling would show a diff on every preview.
 */
export function dockerDuration(d: string): string {
    const ms = Math.round(durationToSeconds(d) * 1000);
    if (ms === 0) return "0s";
    if (ms < 1000) return `${ms}ms`;
    const h = Math.floor(ms / 3600000);
    const m = Math.floor((ms % 3600000) / 60000);
    const s = (ms % 60000) / 1000;
    return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

/** CPUs as the Docker provider reads them back: 1 -> "1.0", 0.5 -> "0.5" (no perpetual diff). */
export function dockerCpus(cpus: number): string {
    return Number.isInteger(cpus) ? cpus.toFixed(1) : String(cpus);
}
