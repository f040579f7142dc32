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
