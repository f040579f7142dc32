// The e2e tier's expression check (e2e/support/prometheus.ts) reads the right metric names: an
// expression it cannot read would be reported as "has data" or "missing" for the wrong reason.
import * as assert from "assert";
import * as path from "path";
import { ABSENT_HERE, dashboardExpressions, metricNames } from "../e2e/support/prometheus";

describe("e2e expression check: metric names and the absent list", () => {
    it("reads the metrics of an expression, not its functions, keywords, labels, strings or ranges", () => {
        assert.deepStrictEqual(metricNames('sum by (env, service) (rate(demo_app_requests_total{job="apps",code=~"5.."}[5m])) / on(env) group_left sum(rate(x_total[1m])) > 0.05'), ["demo_app_requests_total", "x_total"]);
        assert.deepStrictEqual(metricNames("time() - hostplane_backup_last_success_timestamp_seconds > hostplane_backup_max_age_seconds"), ["hostplane_backup_last_success_timestamp_seconds", "hostplane_backup_max_age_seconds"]);
        assert.deepStrictEqual(metricNames('histogram_quantile(0.95, sum by (le) (rate(probe_duration_seconds_bucket[5m])))'), ["probe_duration_seconds_bucket"]);
        assert.deepStrictEqual(metricNames("up == 0"), ["up"]);
    });
    it("every dashboard expression names at least one metric, with Grafana's variables made concrete", () => {
        const exprs = dashboardExpressions(path.resolve(__dirname, "../monitoring/dashboards"));
        assert.ok(exprs.length > 20, `${exprs.length} expressions`);
        for (const e of exprs) {
            assert.ok(!e.expr.includes("$"), `${e.source}: ${e.expr}`);
            assert.ok(metricNames(e.expr).length > 0, `${e.source}: ${e.expr}`);
        }
    });
    it("every metric the e2e stack cannot have carries a reason", () => {
        for (const a of ABSENT_HERE) assert.ok(a.reason.length > 20, String(a.pattern));
        assert.ok(ABSENT_HERE.some((a) => a.pattern.test("mongodb_ss_connections")));
        assert.ok(!ABSENT_HERE.some((a) => a.pattern.test("pg_up") || a.pattern.test("rabbitmq_queue_messages_ready")));
        // The collector runs in the e2e stack: container and nginx series must have data there.
        assert.ok(!ABSENT_HERE.some((a) => a.pattern.test("container_memory_usage_total_bytes") || a.pattern.test("nginx_http_responses_total")));
    });
});
