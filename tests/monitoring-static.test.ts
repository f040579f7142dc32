// What cannot run here is still checked statically: Grafana and Loki are not obtainable on these
// machines (AGPL modules, refused by the module proxy), so their inputs are checked with the real
// libraries that define them: dashboards decoded strictly by the Grafana Foundation SDK
// (scripts/grafana-check), every PromQL/LogQL expression parsed by Prometheus' and Grafana's own
// grammars, and the provisioning files against Grafana's documented shape.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { monitoringFilesByService } from "../render/monitoring";
import { DASHBOARD_DIR, dashboardFiles, GRAFANA_DASHBOARDS } from "../render/monitoring/grafana";
import { STACKS } from "./fixtures";
import { DashboardProvidersFile, DatasourcesFile, shapeProblems } from "./support/grafana-provisioning";
import { dashboardQueries, describeParseErrors, parseErrors, Query, ruleQueries, substituteGrafanaVariables } from "./support/monitoring-queries";
import { haveCommand, requireTool } from "./support/tools";

const REPO = path.resolve(__dirname, "..");
const stackModel = (stack: string) => loadPlatformModel(fromStackFile(stackFile(stack)));
const dashboards = () => dashboardFiles().map((f) => ({ name: f.name, file: path.join("monitoring/dashboards", f.name), doc: JSON.parse(f.content) }));

/** "panels[3].options.x: msg" → the same line with the panel's id and title, so a reader finds it. */
function namePanel(line: string, doc: any): string {
    const m = /^panels\[(\d+)\]/.exec(line);
    const p = m ? doc.panels?.[Number(m[1])] : undefined;
    return p ? `panel ${p.id} "${p.title}": ${line}` : line;
}

describe("Grafana dashboards: strict decode with the Grafana Foundation SDK (scripts/grafana-check)", function () {
    let bin: string;
    before(function () {
        requireTool(this, haveCommand("go", ["version"]), "Go (builds scripts/grafana-check)", "Go 1.25+");
        bin = execFileSync("bash", [path.join(REPO, "scripts/grafana-check/build.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop()!;
    });
    const check = (files: string[]) => spawnSync(bin, files, { encoding: "utf8" });

    it("every shipped dashboard decodes with no unknown, missing or mistyped field, and only known panel and query types", () => {
        const ds = dashboards();
        assert.ok(ds.length >= 7, `dashboards: ${ds.map((d) => d.name)}`);
        const r = check(ds.map((d) => path.join(DASHBOARD_DIR, d.name)));
        const lines = `${r.stdout}${r.stderr}`.split("\n").filter(Boolean).map((l) => {
            const d = ds.find((x) => l.startsWith(path.join(DASHBOARD_DIR, x.name)));
            return d ? `${d.file}: ${namePanel(l.slice(path.join(DASHBOARD_DIR, d.name).length + 2), d.doc)}` : l;
        });
        assert.deepStrictEqual(lines, []);
        assert.strictEqual(r.status, 0);
    });

    it("rejects a misspelled field, a wrong type, an unknown panel type and an unknown datasource, naming each path", () => {
        const doc = JSON.parse(fs.readFileSync(path.join(DASHBOARD_DIR, "redis.json"), "utf8"));
        doc.panels[0].colour = "red";
        doc.panels[1].gridPos.w = "12";
        doc.panels[2].type = "graphz";
        doc.panels[3].targets[0].datasource = { type: "influxdb", uid: "x" };
        doc.panels[4].targets[0].exprr = "up";
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-grafana-")), "bad.json");
        fs.writeFileSync(file, JSON.stringify(doc));
        const r = check([file]);
        assert.strictEqual(r.status, 1, r.stdout + r.stderr);
        for (const want of [
            "panels[0].Panel: unexpected field 'colour'",
            "panels[1].gridPos.w: json: cannot unmarshal string",
            'panels[2].type: no schema for panel type "graphz"',
            "panels[3].targets[0].datasource.type: no schema",
            "panels[4].targets[0].Dataquery: unexpected field 'exprr'",
        ])
            assert.ok(r.stdout.includes(`${file}: ${want}`), `missing "${want}" in:\n${r.stdout}`);
    });
});

describe("PromQL and LogQL: every expression parses with the languages' own grammars", () => {
    const allDashboardQueries = () => dashboards().flatMap((d) => dashboardQueries(d.file, d.doc));
    /** Rules of every example stack (thresholds differ per stack): Prometheus' are PromQL, a Loki ruler's LogQL. */
    const allRuleQueries = () =>
        STACKS.flatMap((s) => {
            const files = monitoringFilesByService(stackModel(s)) as Record<string, { path: string; content: string; mode: number }[]>;
            return [...ruleQueries(files.prometheus ?? [], "promql"), ...ruleQueries(files.loki ?? [], "logql")].map((q): Query => ({ ...q, file: `${s}:${q.file}` }));
        });

    it("every dashboard target and variable query (PromQL on Prometheus, LogQL on Loki)", () => {
        const qs = allDashboardQueries();
        assert.ok(qs.filter((q) => q.lang === "promql").length >= 30, "PromQL queries found");
        assert.ok(qs.some((q) => q.lang === "logql"), "a LogQL query found");
        assert.deepStrictEqual(describeParseErrors(qs), []);
    });

    it("every alert and recording rule of every example stack", () => {
        const qs = allRuleQueries();
        assert.ok(qs.length >= 10, `rules found: ${qs.length}`);
        assert.deepStrictEqual(describeParseErrors(qs), []);
    });

    it("the parsers reject broken expressions, and a failure names file, place and expression", () => {
        for (const bad of ["rate(x[5m)", "sum(rate(x[5m])) by (le", "up ==", "foo bar"]) assert.notDeepStrictEqual(parseErrors("promql", bad), [], bad);
        for (const bad of ['{service="proxy"', '{a="b"} |= ', "count_over_time({a=\"b\"})"]) assert.notDeepStrictEqual(parseErrors("logql", bad), [], bad);
        const q: Query = { file: "monitoring/dashboards/x.json", where: 'panel 1 "Errors" target A', lang: "promql", expr: "rate(x[5m)" };
        assert.deepStrictEqual(describeParseErrors([q]), ['monitoring/dashboards/x.json: panel 1 "Errors" target A: promql does not parse at offset 9: rate(x[5m)']);
    });

    it("Grafana variables are replaced by a value of their kind before parsing", () => {
        assert.strictEqual(substituteGrafanaVariables('rate(x{env=~"$env"}[$__rate_interval])'), 'rate(x{env=~"hostplane_variable"}[5m])');
        assert.strictEqual(substituteGrafanaVariables('x{a="${env:regex}"}[${__interval}]'), 'x{a="hostplane_variable"}[5m]');
    });
});

describe("Grafana provisioning files: the documented shape", () => {
    it("every example stack with Grafana: datasources and dashboard provider match Grafana's provisioning schema and each other", () => {
        const withGrafana = STACKS.filter((s) => monitoringFilesByService(stackModel(s)).grafana.length > 0);
        assert.ok(withGrafana.length >= 2, `stacks with Grafana: ${withGrafana}`);
        for (const stack of withGrafana) {
            const files = monitoringFilesByService(stackModel(stack)).grafana;
            const doc = (suffix: string) => parseYaml(files.find((f) => f.path.endsWith(suffix))!.content);
            const datasources = doc("provisioning/datasources/hostplane.yml");
            const providers = doc("provisioning/dashboards/hostplane.yml");
            assert.deepStrictEqual(shapeProblems(DatasourcesFile, datasources), [], stack);
            assert.deepStrictEqual(shapeProblems(DashboardProvidersFile, providers), [], stack);
            assert.strictEqual(datasources.datasources.filter((d: any) => d.isDefault).length, 1, `${stack}: exactly one default datasource`);
            // The provider reads the directory the dashboards are delivered to, and each dashboard
            // only names datasources that are provisioned.
            assert.strictEqual(providers.providers[0].options.path, GRAFANA_DASHBOARDS);
            const uids = new Set(datasources.datasources.map((d: any) => d.uid));
            for (const d of dashboards())
                for (const p of d.doc.panels ?? []) assert.ok(uids.has(p.datasource.uid), `${d.file}: panel ${p.id} "${p.title}" uses datasource ${p.datasource.uid}, not provisioned in ${stack}`);
        }
    });

    it("the shape check catches a misspelled key and a wrong type", () => {
        assert.deepStrictEqual(shapeProblems(DatasourcesFile, { apiVersion: 1, datasources: [{ name: "P", type: "prometheus", isdefault: true }] }), ['datasources.0: Unrecognized key: "isdefault"']);
        assert.deepStrictEqual(shapeProblems(DashboardProvidersFile, { apiVersion: 1, providers: [{ name: "h", type: "file", options: { path: "dashboards" } }] }), [
            'providers.0.options.path: Invalid string: must start with "/"',
        ]);
    });
});
