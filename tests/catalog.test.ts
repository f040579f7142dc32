// The data-service catalog (catalog/<kind>.ts) is pure: settings schema, defaults and each kind's
// containers as plain data (spec/data.ts), checked here without Pulumi for every registered kind.
import * as assert from "assert";
import { KINDS, SERVICE_TYPES, kindOf, EXPORTER_IMAGES } from "../catalog";
import { loadPlatformModel } from "../config/validate";
import { dataWorkload, exporterWorkload, mainWorkload } from "../spec/data";
import { backupSidecar, pgbouncer, postgresServer } from "../spec/postgres";
import type { DataServiceModel } from "../config/services";
import type { FileSpec, WorkloadSpec } from "../spec/workload";
import { baseConfig, sourceOf } from "./fixtures";

/** A stack with one service of every kind in production, each used by the api app. */
function everyKind() {
    const cfg = baseConfig();
    const prod = cfg.environments.production;
    prod.services = Object.fromEntries(SERVICE_TYPES.map((t) => [t, { type: t, ...(t === "minio" ? { buckets: ["uploads"] } : {}) }]));
    prod.apps.api.dependsOn = [...SERVICE_TYPES];
    return loadPlatformModel(sourceOf(cfg));
}
const service = (m: ReturnType<typeof everyKind>, t: string): DataServiceModel => m.environments.find((e) => e.name === "production")!.services.find((s) => s.type === t)!;
const FAKE: Record<string, string> = { password: "pw-FAKE", "access-key": "ak-FAKE", "monitor-password": "mon-FAKE", superuser: "su-FAKE", "app/api": "api-FAKE" };
const render = (f: FileSpec) => (typeof f.content === "string" ? f.content : f.content.secret(FAKE));

describe("catalog: one file per data-service kind", () => {
    const m = everyKind();

    it("every kind has a pinned image, port, limits, health check and a scrape endpoint; defaults reach the model", () => {
        for (const t of SERVICE_TYPES) {
            const k = kindOf(t);
            assert.match(k.image, /:[0-9A-Za-z.-]+/, `${t}: image pinned to a tag`);
            assert.ok(k.port > 0 && k.cpus > 0 && /^[0-9]+[MG]$/.test(k.memory), t);
            assert.ok(k.health.test.length > 1, t);
            assert.ok(k.exporter.port > 0 && k.exporter.path.startsWith("/"), t);
            const s = service(m, t);
            assert.strictEqual(s.image, k.image);
            assert.strictEqual(s.port, k.port);
            assert.strictEqual(s.dataPath, k.dataPath);
        }
        assert.deepStrictEqual(Object.keys(KINDS), SERVICE_TYPES);
        assert.ok(Object.values(EXPORTER_IMAGES).every((i) => /:[0-9A-Za-z.-]+$/.test(i)));
    });

    it("every kind's containers are plain data: named <env>-<service>[-<role>], on the environment network, with data volume", () => {
        for (const t of SERVICE_TYPES) {
            const k = kindOf(t);
            if (!k.parts) continue; // PostgreSQL: components/data/postgres.ts
            const s = service(m, t);
            const parts = k.parts(s, { metrics: true });
            const main = mainWorkload(s, parts.main);
            const all: WorkloadSpec[] = [...(parts.before ?? []).map((p) => dataWorkload(s, p)), main];
            assert.strictEqual(main.name, s.alias);
            assert.deepStrictEqual(main.networks, [{ name: "production", aliases: [s.alias] }]);
            assert.ok(main.mounts!.some((x) => x.type === "volume" && x.target === s.dataPath && x.volume.name === s.volumeName), t);
            for (const w of all) {
                assert.strictEqual(w.labels.type, t);
                assert.ok(w.health && w.waitSeconds, `${t}: health-gated`);
                assert.ok(w.name === s.alias || (k.sidecars as readonly string[]).some((r) => w.name === `${s.alias}-${r}`), `${w.name}: a reserved alias`);
                // Every secret file is 0400 and no password appears outside secret content.
                for (const f of w.files ?? []) if (typeof f.content !== "string") assert.strictEqual(f.permissions, "0400", `${w.name} ${f.path}`);
                const plain = JSON.stringify({ ...w, files: undefined });
                assert.ok(!plain.includes("FAKE"), `${w.name}: no secret in plain fields`);
            }
        }
    });

    it("exporter sidecars: <alias>-exporter as nobody, secret files owned by nobody, health on the metrics path", () => {
        for (const target of m.monitoring.exporters.filter((e) => e.env === "production" && e.sidecar)) {
            const s = service(m, target.kind);
            const sidecar = kindOf(target.kind).exporter.sidecar;
            assert.ok(sidecar, `${target.kind} names an exporter image, so it has a sidecar`);
            const w = exporterWorkload(s, target, sidecar(s, target.sidecar!.port));
            assert.strictEqual(w.name, `${s.alias}-exporter`);
            assert.strictEqual(w.user, "65534:65534");
            assert.ok(w.health!.test.join(" ").includes(`:${target.sidecar!.port}${target.path}`));
            for (const f of w.files ?? []) assert.deepStrictEqual([f.owner, f.permissions, render(f).includes("FAKE")], ["65534", "0400", true]);
        }
    });

    it("credentials and connection settings come from the generated secrets", () => {
        const redis = service(m, "redis");
        assert.strictEqual(kindOf("redis").credentials!(redis).url!(FAKE), `redis://:pw-FAKE@${redis.alias}:6379/0`);
        const minio = service(m, "minio");
        assert.strictEqual(kindOf("minio").credentials!(minio).accessKeyId!(FAKE), "ak-FAKE");
        assert.deepStrictEqual(kindOf("kafka").connection("production-kafka", 9092, service(m, "kafka").settings).env, { KAFKA_BOOTSTRAP_SERVERS: "production-kafka:9092" });
    });

    it("redis.conf carries the password and the policy; MinIO's setup creates its buckets; Kafka is one KRaft broker", () => {
        const redis = service(m, "redis");
        const conf = kindOf("redis").parts!(redis, { metrics: false }).main.files!.find((f) => f.path.endsWith("redis.conf"))!;
        assert.match(render(conf), /^requirepass pw-FAKE$/m);
        assert.match(render(conf), /^maxmemory-policy noeviction$/m);
        const setup = kindOf("minio").parts!(service(m, "minio"), { metrics: false }).setup!;
        assert.match(setup.script("127.0.0.1"), /http:\/\/127\.0\.0\.1:9000 .* && mc mb --ignore-existing local\/uploads$/);
        // Kafka 4 is KRaft only: the broker is its own controller, nothing runs before it.
        const kafka = kindOf("kafka").parts!(service(m, "kafka"), { metrics: false });
        assert.strictEqual(kafka.before, undefined);
        assert.ok(kafka.main.env!.includes("KAFKA_PROCESS_ROLES=broker,controller"));
    });

    it("PostgreSQL: server, PgBouncer and backup sidecar specs; secrets only in 0400 files", () => {
        const pg = service(m, "postgres");
        const server = postgresServer(pg);
        const bouncer = pgbouncer(pg);
        const backup = backupSidecar(pg, true);
        assert.deepStrictEqual([server.name, bouncer.name, backup.name], [pg.alias, `${pg.alias}-pgbouncer`, `${pg.alias}-backup`]);
        assert.strictEqual(render(server.files!.find((f) => f.path === "/run/secrets/POSTGRES_PASSWORD")!), "su-FAKE");
        assert.strictEqual(render(bouncer.files!.find((f) => f.path.endsWith("userlist.txt"))!), '"api" "api-FAKE"\n');
        assert.strictEqual(render(backup.files!.find((f) => f.path === "/run/secrets/pgpass")!), `${pg.alias}:5432:*:postgres:su-FAKE\n`);
        assert.ok(backup.mounts!.some((x) => x.type === "volume" && x.volume.name === pg.volumeName.replace(/_data$/, "_backups") && x.target === "/backups"));
        assert.deepStrictEqual(backupSidecar(pg, false).hostDirs, []);
        for (const w of [server, bouncer, backup]) {
            for (const f of w.files ?? []) if (typeof f.content !== "string") assert.strictEqual(f.permissions, "0400", `${w.name} ${f.path}`);
            assert.ok(!JSON.stringify({ ...w, files: undefined }).includes("FAKE"));
        }
    });
});
