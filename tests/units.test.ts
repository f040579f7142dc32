import * as assert from "assert";
import { dependencyOrder } from "../config/model";
import { durationToSeconds, memoryToMegabytes } from "../config/units";
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
