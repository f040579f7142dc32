// No block of six or more lines repeated in the program's TypeScript (tests and e2e aside):
// checked with jscpd (pinned devDependency), the same way in every `npm test` and so in CI.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { haveCommand, requireTool } from "./support/tools";

const ROOT = path.resolve(__dirname, "..");
const JSCPD = path.join(ROOT, "node_modules", ".bin", "jscpd");
/** The program: every TypeScript folder that ships (tests, e2e and scripts' own tools aside). */
const PROGRAM = ["index.ts", "config", "catalog", "spec", "runtime", "components", "render", "lib", "cli", "policy"];
const MIN_LINES = 6;

interface Clone {
    lines: number;
    firstFile: { name: string; start: number; end: number };
    secondFile: { name: string; start: number; end: number };
}

describe("duplication: no block of six or more lines repeated (jscpd)", function () {
    this.timeout(180000);
    before(function () {
        requireTool(this, haveCommand(JSCPD), "jscpd", "npm ci: it is a devDependency");
    });

    it(`finds no clone of ${MIN_LINES}+ lines in ${PROGRAM.join(", ")}`, () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-jscpd-"));
        try {
            const r = spawnSync(
                JSCPD,
                ["--min-lines", String(MIN_LINES), "--format", "typescript", "--reporters", "json", "--output", out, "--silent", "--ignore", "**/node_modules/**,**/tests/**,**/e2e/**,**/*.test.ts", ...PROGRAM],
                { cwd: ROOT, encoding: "utf8" },
            );
            assert.strictEqual(r.status, 0, r.stdout + r.stderr);
            const report = JSON.parse(fs.readFileSync(path.join(out, "jscpd-report.json"), "utf8")) as { duplicates: Clone[]; statistics: { total: { sources: number } } };
            assert.ok(report.statistics.total.sources > 100, `only ${report.statistics.total.sources} files analyzed`);
            const clones = report.duplicates.map((d) => `${d.firstFile.name}:${d.firstFile.start}-${d.firstFile.end} = ${d.secondFile.name}:${d.secondFile.start}-${d.secondFile.end} (${d.lines} lines)`);
            assert.deepStrictEqual(clones, [], "repeated blocks: give them one home");
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });

    it("the check finds a clone when there is one", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-jscpd-self-"));
        try {
            const block = Array.from({ length: 8 }, (_, i) => `    const v${i} = compute(${i}, "x${i}") + other(${i * 3});`).join("\n");
            for (const f of ["a.ts", "b.ts"]) fs.writeFileSync(path.join(dir, f), `export function f${f[0]}() {\n${block}\n}\n`);
            const r = spawnSync(JSCPD, ["--min-lines", String(MIN_LINES), "--format", "typescript", "--reporters", "json", "--output", dir, "--silent", dir], { encoding: "utf8" });
            assert.strictEqual(r.status, 0, r.stdout + r.stderr);
            assert.ok(JSON.parse(fs.readFileSync(path.join(dir, "jscpd-report.json"), "utf8")).duplicates.length >= 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
