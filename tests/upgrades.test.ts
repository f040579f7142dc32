// A data service whose image moves to another release line than the deployed one gets a warning
// on preview and up (config/upgrades.ts, components/upgrade-check.ts): the versions as real tags
// write them, and the wiring under mocks with the previous outputs the engine would hand back.
import * as assert from "assert";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { kindOf } from "../catalog";
import { formatLineChange, imageVersion, lineChange, lineChanges, splitImage, tagVersion } from "../config/upgrades";
import { fromStackFile, stackFile } from "../config/sources";
import { captureGraph } from "../lib/graph";
import { repoPath } from "./fixtures";

const rule = (type: string) => kindOf(type).upgrade!;

describe("data-service upgrades: release lines", () => {
    it("reads the version from real tags, a digest or a registry port not mistaken for one", () => {
        assert.deepStrictEqual(tagVersion("16.14-bookworm"), [16, 14]);
        assert.deepStrictEqual(tagVersion("8.0.29"), [8, 0, 29]);
        assert.deepStrictEqual(tagVersion("4.2.8-management"), [4, 2, 8]);
        assert.deepStrictEqual(tagVersion("v1.25.2-p0"), [1, 25, 2]);
        assert.deepStrictEqual(tagVersion("8-alpine"), [8]);
        for (const t of ["latest", "alpine", "bookworm", "RELEASE.2025-06-13T11-33-47Z"]) assert.strictEqual(tagVersion(t), undefined, t);
        assert.deepStrictEqual(splitImage("registry.internal:5000/library/postgres:16.14-bookworm"), { repository: "registry.internal:5000/library/postgres", tag: "16.14-bookworm" });
        assert.deepStrictEqual(splitImage("registry.internal:5000/postgres"), { repository: "registry.internal:5000/postgres" });
        assert.deepStrictEqual(imageVersion("postgres:16.4-bookworm@sha256:0123"), [16, 4]);
        assert.strictEqual(imageVersion("postgres@sha256:0123"), undefined);
    });

    it("an image built here has the version its recipe provides, not its recipe tag", () => {
        assert.deepStrictEqual(imageVersion("hostplane-local/postgres:1-790dfde3cfc2"), [15]);
        assert.deepStrictEqual(imageVersion("hostplane-e2e/postgres:1"), [15]);
        assert.deepStrictEqual(imageVersion("hostplane-local/rabbitmq:1"), [3, 10]);
        assert.deepStrictEqual(imageVersion("hostplane-local/redis:1"), [7, 0]);
    });

    it("PostgreSQL, Redis and MongoDB lines are majors; RabbitMQ's are release series (major.minor)", () => {
        const cases: [string, string, string, "up" | "down" | undefined][] = [
            ["postgres", "postgres:16.4-bookworm", "postgres:16.14-bookworm", undefined],
            ["postgres", "postgres:16.14-bookworm", "postgres:17.2-bookworm", "up"],
            ["postgres", "postgres:17.2-bookworm", "postgres:16.14-bookworm", "down"],
            ["postgres", "hostplane-local/postgres:1-790dfde3cfc2", "postgres:16.14-bookworm", "up"],
            ["postgres", "postgres:latest", "postgres:17.2", undefined],
            ["redis", "redis:7.4.1-bookworm", "redis:8.10.0", "up"],
            ["redis", "redis:8.8.0", "redis:8.10.0", undefined],
            ["rabbitmq", "rabbitmq:3.13.7-management", "rabbitmq:4.2.8-management", "up"],
            ["rabbitmq", "rabbitmq:4.2.8-management", "rabbitmq:4.3.2-management", "up"],
            ["rabbitmq", "rabbitmq:4.2.8-management", "rabbitmq:4.2.9-management", undefined],
            // A tag without the minor says nothing about the series beyond the major.
            ["rabbitmq", "rabbitmq:4.2.8-management", "rabbitmq:4-management", undefined],
            ["mongodb", "mongo:7.0.14", "mongo:8.0.29", "up"],
            ["mongodb", "mongo:8.0.29", "mongo:8.0.30", undefined],
        ];
        for (const [type, from, to, want] of cases) assert.strictEqual(lineChange(rule(type), from, to)?.direction, want, `${type}: ${from} -> ${to}`);
        for (const type of ["kafka", "minio", "seaweedfs"]) assert.strictEqual(kindOf(type).upgrade, undefined, type);
    });

    it("compares only services of the same kind that were deployed; a bad or missing previous output is ignored", () => {
        const current = {
            "production/postgres": { type: "postgres", image: "postgres:17.2-bookworm" },
            "production/cache": { type: "redis", image: "redis:8.10.0" },
            "production/mq": { type: "rabbitmq", image: "rabbitmq:4.2.8-management" },
            "production/new": { type: "postgres", image: "postgres:17.2-bookworm" },
        };
        const previous = {
            "production/postgres": { type: "postgres", image: "postgres:16.14-bookworm" },
            // Another kind under the same name: not an upgrade of the same data.
            "production/cache": { type: "mongodb", image: "mongo:7.0.14" },
            "production/mq": { type: "rabbitmq", image: "rabbitmq:3.13.7-management" },
        };
        const changes = lineChanges(previous, current);
        assert.deepStrictEqual(
            changes.map((c) => [c.service, c.from.version, c.to.version, c.direction]),
            [
                ["production/postgres", "16.14", "17.2", "up"],
                ["production/mq", "3.13.7", "4.2.8", "up"],
            ],
        );
        for (const bad of [undefined, null, "x", 3, { "production/postgres": "postgres:16" }]) assert.deepStrictEqual(lineChanges(bad, current), [], String(bad));
    });

    it("the warning names the service, both images and versions, the step and the README section that exists", () => {
        const [c] = lineChanges({ "e2e/postgres": { type: "postgres", image: "postgres:16.14-bookworm" } }, { "e2e/postgres": { type: "postgres", image: "postgres:17.2-bookworm" } });
        const msg = formatLineChange(c);
        assert.match(msg, /^e2e\/postgres: the image moves to a new release line: postgres:16\.14-bookworm \(16\.14\) -> postgres:17\.2-bookworm \(17\.2\)\. Before this up: .*pg_upgrade.*\. Steps: README "Major upgrades of data services" \(#major-upgrades-of-data-services\)$/);
        assert.match(fs.readFileSync(repoPath("README.md"), "utf8"), /^### Major upgrades of data services$/m);
        const [down] = lineChanges({ "e2e/postgres": { type: "postgres", image: "postgres:17.2" } }, { "e2e/postgres": { type: "postgres", image: "postgres:16.14" } });
        assert.match(formatLineChange(down), /moves back to an older release line: postgres:17\.2 \(17\.2\) -> postgres:16\.14 \(16\.14\); the older server may not read/);
    });
});

describe("data-service upgrades: the warning on preview and up (program under mocks)", () => {
    const warned: string[] = [];
    const original = pulumi.log.warn;
    before(() => {
        (pulumi.log as any).warn = (msg: string) => {
            warned.push(msg);
            return Promise.resolve();
        };
    });
    after(() => {
        (pulumi.log as any).warn = original;
    });
    beforeEach(() => warned.splice(0));

    it("the e2e stack records every data service's kind and image in the dataImages output", async () => {
        const g = await captureGraph(fromStackFile(stackFile("e2e")));
        const images = (g.outputs as any).dataImages;
        assert.deepStrictEqual(images["e2e/postgres"], { type: "postgres", image: "hostplane-e2e/postgres:1" });
        assert.deepStrictEqual(images["e2e/mq"], { type: "rabbitmq", image: "hostplane-local/rabbitmq:1" });
        assert.deepStrictEqual(images["e2e/objects"], { type: "seaweedfs", image: "hostplane-local/seaweedfs:1" });
        assert.deepStrictEqual(warned.filter((w) => /release line/.test(w)), [], "no previous deployment: no warning");
    });

    it("a deployed PostgreSQL 16 and RabbitMQ 3.13 under the staging stack's pins warn once each; the same images do not", async () => {
        const source = fromStackFile(stackFile("staging"));
        const now = (await captureGraph(source)).outputs as any;
        warned.splice(0);
        const previous = { ...now.dataImages, "staging/postgres": { type: "postgres", image: "postgres:15.8-bookworm" }, "sandbox/queue": { type: "rabbitmq", image: "rabbitmq:3.13.7-management" } };
        await captureGraph(source, { previousOutputs: { outputs: { dataImages: previous } } });
        const lines = warned.filter((w) => /release line/.test(w)).sort();
        assert.strictEqual(lines.length, 2, lines.join("\n"));
        assert.match(lines[0], /^sandbox\/queue: the image moves to a new release line: rabbitmq:3\.13\.7-management \(3\.13\.7\) -> rabbitmq:4\.2\.8-management \(4\.2\.8\)\. Before this up: enable every feature flag/);
        assert.match(lines[1], /^staging\/postgres: the image moves to a new release line: postgres:15\.8-bookworm \(15\.8\) -> postgres:16\.14-bookworm \(16\.14\)/);
        warned.splice(0);
        await captureGraph(source, { previousOutputs: { outputs: { dataImages: now.dataImages } } });
        assert.deepStrictEqual(warned.filter((w) => /release line/.test(w)), []);
    });
});
