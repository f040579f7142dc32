// Every PromQL and LogQL expression hostplane ships (dashboards, alert and recording rules, Grafana
// variable queries), and their parse errors from the query languages' own parsers: Prometheus'
// @prometheus-io/lezer-promql (the grammar of Prometheus' UI) and Grafana's @grafana/lezer-logql
// (the grammar of Grafana's Loki editor). Grafana and Loki do not run in CI; this is how their
// queries are checked.
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { parser as logqlParser } from "@grafana/lezer-logql";
import { parse as parseYaml } from "yaml";
import type { HostFile } from "../../render/files";

export type QueryLanguage = "promql" | "logql";

export interface Query {
    /** Dashboard file or rendered rule file. */
    file: string;
    /** Where in the file: `panel 402 "5xx ratio" target A`, `variable env`, `rule HostDown`. */
    where: string;
    lang: QueryLanguage;
    expr: string;
}

const LANG_OF_DATASOURCE: Record<string, QueryLanguage> = { prometheus: "promql", loki: "logql" };

/**
 * Grafana replaces its variables before the query reaches Prometheus/Loki: do the same with a
 * value of the right kind ($__rate_interval and friends are durations; other variables are label
 * values, always inside a quoted matcher in our dashboards).
 */
export function substituteGrafanaVariables(expr: string): string {
    return expr
        .replace(/\$\{?__(rate_interval|interval|range|auto)(:[a-z]+)?\}?/g, "5m")
        .replace(/\$\{(\w+)(:\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, "hostplane_variable");
}

/** Offsets of the parser's error nodes (none for a valid expression). */
export function parseErrors(lang: QueryLanguage, expr: string): number[] {
    const parser = lang === "promql" ? promqlParser : logqlParser;
    const errors: number[] = [];
    parser.parse(expr).iterate({ enter: (n) => void (n.type.isError && errors.push(n.from)) });
    return errors;
}

/** One line per expression that does not parse, naming file, place, offset and expression. */
export function describeParseErrors(queries: Query[]): string[] {
    return queries.flatMap((q) => {
        const errs = parseErrors(q.lang, substituteGrafanaVariables(q.expr));
        return errs.length ? [`${q.file}: ${q.where}: ${q.lang} does not parse at offset ${errs[0]}: ${q.expr}`] : [];
    });
}

/** `label_values(up{job="x"}, env)` → `up{job="x"}`; other variable kinds carry no query. */
function variableSelector(query: unknown): string | undefined {
    const q = typeof query === "string" ? query : (query as { query?: unknown } | undefined)?.query;
    if (typeof q !== "string") return undefined;
    const m = /^\s*label_values\((.*),\s*\w+\s*\)\s*$/.exec(q) ?? /^\s*(?:query_result|metrics)\((.*)\)\s*$/.exec(q);
    return m ? m[1] : undefined;
}

/** The queries of one dashboard: every target of every panel (rows included) and variable. */
export function dashboardQueries(file: string, dashboard: any): Query[] {
    const out: Query[] = [];
    const panels = (list: any[]): any[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
    for (const p of panels(dashboard.panels ?? [])) {
        for (const t of p.targets ?? []) {
            const ds = t.datasource?.type ?? p.datasource?.type;
            const lang = LANG_OF_DATASOURCE[ds];
            const where = `panel ${p.id} "${p.title}" target ${t.refId}`;
            if (!lang) throw new Error(`${file}: ${where}: datasource type ${JSON.stringify(ds)} is neither prometheus nor loki`);
            if (typeof t.expr === "string") out.push({ file, where, lang, expr: t.expr });
        }
    }
    for (const v of dashboard.templating?.list ?? []) {
        const lang = LANG_OF_DATASOURCE[v.datasource?.type];
        const expr = lang === "promql" ? variableSelector(v.query) : undefined;
        if (lang && expr !== undefined) out.push({ file, where: `variable ${v.name}`, lang, expr });
    }
    return out;
}

/** The expressions of rendered rule files (Prometheus rules: PromQL; a Loki ruler's: LogQL). */
export function ruleQueries(files: HostFile[], lang: QueryLanguage): Query[] {
    const out: Query[] = [];
    for (const f of files) {
        if (!/\.ya?ml$/.test(f.path)) continue;
        const doc = parseYaml(f.content) as { groups?: { name: string; rules?: { alert?: string; record?: string; expr: string }[] }[] } | null;
        for (const g of doc?.groups ?? [])
            for (const r of g.rules ?? [])
                out.push({ file: f.path, where: `group ${g.name} ${r.alert ? `alert ${r.alert}` : `record ${r.record}`}`, lang, expr: String(r.expr) });
    }
    return out;
}
