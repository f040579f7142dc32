// The program's evaluation runs without stack frames (lib/stack-traces.ts), and gives them back.
import * as assert from "assert";
import { withoutStackTraces } from "../lib/stack-traces";

describe("withoutStackTraces", () => {
    it("captures no frames until restored, then V8's limit again", () => {
        const before = Error.stackTraceLimit;
        const restore = withoutStackTraces({});
        try {
            assert.strictEqual(Error.stackTraceLimit, 0);
            assert.strictEqual(new Error("x").stack, "Error: x");
        } finally {
            restore();
        }
        assert.strictEqual(Error.stackTraceLimit, before);
        assert.match(String(new Error("y").stack), /\n\s+at /);
    });

    it("keeps frames when HOSTPLANE_STACK_TRACES=1 (debugging a crash in the program)", () => {
        const before = Error.stackTraceLimit;
        const restore = withoutStackTraces({ HOSTPLANE_STACK_TRACES: "1" });
        assert.strictEqual(Error.stackTraceLimit, before);
        restore();
    });
});
