import * as assert from "assert";
import { dependencyOrder } from "../config/model";
import { dockerCpus, dockerDuration, durationToSeconds, memoryToMegabytes } from "../config/units";
import { findCycle } from "../config/validate";

describe("units and ordering", () => {
    it("converts Docker memory sizes to the provider's megabytes", () => {
        assert.deepStrictEqual(["512M", "2G", "1.5G", "262144k", "4g"].map(memoryToMegabytes), [512, 2048, 1536, 256, 4096]);
    });
    it("converts durations to seconds", () => {
        assert.deepStrictEqual(["45s", "1m30s", "500ms", "2h"].map(durationToSeconds), [45, 90, 0.5, 7200]);
    });
    it("orders apps so each comes after its dependencies", () => {
        const apps = { web: { dependsOn: ["api"] }, api: { dependsOn: ["db"] }, db: { dependsOn: [] }, worker: { dependsOn: ["api", "db"] } };
        const order = dependencyOrder(apps);
        for (const [n, a] of Object.entries(apps)) for (const d of a.dependsOn) assert.ok(order.indexOf(d) < order.indexOf(n), `${d} before ${n}`);
    });
    it("finds a cycle and prints it closed", () => {
        assert.deepStrictEqual(findCycle({ a: { dependsOn: ["b"] }, b: { dependsOn: ["c"] }, c: { dependsOn: ["a"] } }), ["a", "b", "c", "a"]);
        assert.strictEqual(findCycle({ a: { dependsOn: ["b"] }, b: { dependsOn: [] } }), undefined);
    });
});

describe("Docker's own spelling of durations and CPUs (what the provider reads back)", () => {
    it("formats durations like Go's time.Duration.String", () => {
        assert.deepStrictEqual(["45s", "60s", "90s", "1m", "5m", "1h", "1h30m", "500ms", "1s", "0s"].map(dockerDuration), ["45s", "1m0s", "1m30s", "1m0s", "5m0s", "1h0m0s", "1h30m0s", "500ms", "1s", "0s"]);
    });
    it("formats CPUs like the provider's nanoInt64ToDecimalString", () => {
        assert.deepStrictEqual([1, 2, 0.5, 0.25, 1.5, 4].map(dockerCpus), ["1.0", "2.0", "0.5", "0.25", "1.5", "4.0"]);
    });
});
