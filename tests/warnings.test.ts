// Warnings go through components/warnings.ts: a warning tied to a resource whose registration
// fails loses every later log line, the program's own error included (found by the hcloud tier's
// rejected-token preview). This keeps the program's other files from calling pulumi.log directly.
import * as assert from "assert";
import { execFileSync } from "child_process";
import { readFileSync } from "fs";

describe("warnings: only components/warnings.ts calls pulumi.log", () => {
    it("no other TypeScript file of the program logs through the SDK", () => {
        const tracked = execFileSync("git", ["ls-files", "*.ts"], { encoding: "utf8" }).split("\n").filter(Boolean);
        const program = tracked.filter((f) => !/^(tests|e2e|scripts|node_modules)\//.test(f) && f !== "components/warnings.ts");
        const offenders = program.filter((f) => /pulumi\.log\.(warn|info|error|debug)\(/.test(readFileSync(f, "utf8")));
        assert.deepStrictEqual(offenders, []);
    });
});
