// What the e2e load client measures, and how a run is summarised (pure: unit-testable).
export interface LoadOptions {
    /** The proxy's HTTPS port on 127.0.0.1 (or on `address`). */
    port: number;
    /** Where the proxy listens: 127.0.0.1 unless a test host's address (its own network namespace). */
    address?: string;
    /** The route's host name: SNI and Host header. */
    host: string;
    path: string;
    slowPath: string;
    keepAlive: number;
    fresh: number;
    slow: number;
    /** Start of the n-th slow client: n × this. */
    slowStaggerMs: number;
    timeoutMs: number;
    pauseMs: number;
    /** Bounds: the client stops by itself after this long or this many requests. */
    maxSeconds: number;
    maxRequests: number;
}

export interface RequestRecord {
    kind: "keepalive" | "fresh" | "slow";
    /** The phase label current when the request started. */
    phase: string;
    /** Milliseconds since the client started. */
    start: number;
    end: number;
    ok: boolean;
    status?: number;
    version?: string;
    error?: string;
    /** The request went out on a kept-alive connection. */
    reused?: boolean;
    /** Sent a second time on a new connection: the kept-alive one was closed before any answer. */
    retried?: boolean;
}

export interface PhaseStats {
    sent: number;
    failed: number;
    /** Requests re-sent once on a new connection (counted once in `sent`; failed only if the retry failed). */
    retried: number;
    p50: number;
    p99: number;
    max: number;
    /** Successful answers per app version. */
    versions: Record<string, number>;
}

export interface LoadReport {
    phases: Record<string, PhaseStats>;
    /** Every slow request, and up to 20 failures (with their error). */
    slow: RequestRecord[];
    failures: RequestRecord[];
    /** Per version: when the first successful request answered by it started. */
    firstStart: Record<string, number>;
    /** Certificate subjects (CN) the proxy presented: proves SNI picked the route's server. */
    certSubjects: string[];
}

/** The q-quantile (0..1) of latencies, nearest-rank. */
export function quantile(values: number[], q: number): number {
    if (values.length === 0) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summarize(records: RequestRecord[], certSubjects: string[]): LoadReport {
    const phases: Record<string, PhaseStats> = {};
    // Slow requests take seconds by design: latency percentiles are of the ordinary requests.
    for (const name of [...new Set(records.map((r) => r.phase))]) {
        const inPhase = records.filter((r) => r.phase === name);
        const latencies = inPhase.filter((r) => r.kind !== "slow").map((r) => r.end - r.start);
        const versions: Record<string, number> = {};
        for (const r of inPhase) if (r.ok && r.version) versions[r.version] = (versions[r.version] ?? 0) + 1;
        phases[name] = {
            sent: inPhase.length,
            failed: inPhase.filter((r) => !r.ok).length,
            retried: inPhase.filter((r) => r.retried).length,
            p50: quantile(latencies, 0.5),
            p99: quantile(latencies, 0.99),
            max: latencies.length ? Math.max(...latencies) : 0,
            versions,
        };
    }
    const firstStart: Record<string, number> = {};
    for (const r of records) if (r.ok && r.version && !(r.start >= (firstStart[r.version] ?? Infinity))) firstStart[r.version] = r.start;
    return {
        phases,
        slow: records.filter((r) => r.kind === "slow"),
        failures: records.filter((r) => !r.ok).slice(0, 20),
        firstStart,
        certSubjects,
    };
}

/** Slow requests answered by `from` that were still in flight when `to` first answered a request. */
export function inFlightAtSwitch(report: LoadReport, from: string, to: string): RequestRecord[] {
    const switched = report.firstStart[to];
    if (switched === undefined) return [];
    return report.slow.filter((r) => r.ok && r.version === from && r.start < switched && r.end > switched);
}
