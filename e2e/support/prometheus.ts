// What the e2e tier asks a running Prometheus: scrape targets, and whether every PromQL expression
// of our dashboards and alert rules has data. Queries go through `docker exec … wget` inside the
// Prometheus container (its HTTP API on 127.0.0.1:9090), so nothing is published for the test.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export type PromQuery = (pathAndQuery: string) => any;

export function promApi(container: string): PromQuery {
    return (pathAndQuery: string) => {
        const body = execFileSync("docker", ["exec", container, "wget", "-qO-", `http://127.0.0.1:9090${pathAndQuery}`], { encoding: "utf8" });
        const json = JSON.parse(body);
        if (json.status !== "success") throw new Error(`Prometheus ${pathAndQuery}: ${body.slice(0, 500)}`);
        return json.data;
    };
}

export const instantQuery = (q: PromQuery, expr: string): any[] => q(`/api/v1/query?query=${encodeURIComponent(expr)}`).result;

export interface Expression {
    source: string;
    expr: string;
}

/** Every Prometheus panel target of monitoring/dashboards/*.json (not Loki's), Grafana's variables made concrete. */
export function dashboardExpressions(dir: string): Expression[] {
    const out: Expression[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
        const walk = (panels: any[] = []) => {
            for (const p of panels) {
                for (const t of p.targets ?? []) {
                    const ds = t.datasource?.type ?? p.datasource?.type ?? "prometheus";
                    if (t.expr && ds === "prometheus") out.push({ source: `${file}: ${p.title}`, expr: concrete(t.expr) });
                }
                walk(p.panels);
            }
        };
        walk(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")).panels);
    }
    return out;
}

/** `$env` (always a regex matcher: =~"$env") is every environment; the interval variables 1m. */
const concrete = (expr: string) => expr.replace(/\$__(rate_interval|interval|range)/g, "1m").replace(/\$\{?[a-z_]+\}?/g, ".*");

/** Every alerting rule Prometheus loaded. */
export function ruleExpressions(q: PromQuery): Expression[] {
    return q("/api/v1/rules?type=alert").groups.flatMap((g: any) => g.rules.map((r: any) => ({ source: `rule ${g.name}/${r.name}`, expr: r.query })));
}

const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"]);

/** Metric names an expression reads (strings, label matchers, ranges, function names and keywords removed). */
export function metricNames(expr: string): string[] {
    const stripped = expr
        .replace(/"(\\.|[^"\\])*"/g, '""')
        .replace(/\{[^}]*\}/g, " ")
        .replace(/\[[^\]]*\]/g, " ")
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
    const names = new Set<string>();
    for (const m of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
        if (m[2] || KEYWORDS.has(m[1].toLowerCase()) || /^[0-9]/.test(m[1])) continue;
        names.add(m[1]);
    }
    return [...names].sort();
}

/** Series this stack cannot have, and why: an expression reading only these may return nothing. */
export const ABSENT_HERE: { pattern: RegExp; reason: string }[] = [
    { pattern: /^mongodb_/, reason: "MongoDB cannot run here (no image: not a Debian package, no registry reachable)" },
    { pattern: /^minio_/, reason: "MinIO does not run in new stacks (archived upstream); the e2e object store is SeaweedFS" },
    { pattern: /^kafka_consumergroup_/, reason: "kafka_exporter's metric: the registry image's sidecar has it; images/kafka's JMX agent serves broker metrics instead" },
];

export interface ExpressionReport {
    source: string;
    expr: string;
    /** data: the expression returns series; series: an alert condition that is false, its series exist; absent: see reason. */
    state: "data" | "series" | "absent" | "missing";
    detail: string;
}

/** Classifies every expression: data, or the metrics it lacks with the reason (missing: no reason known). */
export function checkExpressions(q: PromQuery, exprs: Expression[]): ExpressionReport[] {
    const present = new Map<string, boolean>();
    const has = (m: string) => {
        if (!present.has(m)) present.set(m, instantQuery(q, `count({__name__="${m}"})`).length > 0);
        return present.get(m)!;
    };
    return exprs.map(({ source, expr }) => {
        if (instantQuery(q, expr).length > 0) return { source, expr, state: "data", detail: "" };
        const lacking = metricNames(expr).filter((m) => !has(m));
        if (lacking.length === 0) return { source, expr, state: "series", detail: "no series match the condition now; every metric it reads has series" };
        const reasons = lacking.map((m) => ABSENT_HERE.find((a) => a.pattern.test(m)));
        const detail = lacking.map((m, i) => `${m}: ${reasons[i]?.reason ?? "NO REASON KNOWN"}`).join("; ");
        return { source, expr, state: reasons.every(Boolean) ? "absent" : "missing", detail };
    });
}
