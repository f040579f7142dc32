// Code shape of the program (tests, e2e and scripts aside), checked in every `npm test`: no
// function body over 80 lines unless it is mostly one data table or template, and no import
// cycle between our modules (type-only imports count: they tie the modules' concerns together).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { REPO } from "./fixtures";

const LIMIT = 80;
const SKIP = /(^|\/)(node_modules|tests?|e2e|\.git|scripts)(\/|$)/;

function programFiles(dir: string, out: string[] = []): string[] {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (SKIP.test(path.relative(REPO, p))) continue;
        if (e.isDirectory()) programFiles(p, out);
        else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && !e.name.endsWith(".test.ts")) out.push(p);
    }
    return out;
}

/** Lines of the largest object/array literal or template directly or deeply inside `node`. */
function largestLiteral(src: ts.SourceFile, node: ts.Node): number {
    const line = (pos: number) => src.getLineAndCharacterOfPosition(pos).line;
    if (ts.isObjectLiteralExpression(node) || ts.isArrayLiteralExpression(node) || ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node))
        return line(node.end) - line(node.getStart(src)) + 1;
    let biggest = 0;
    node.forEachChild((c) => void (biggest = Math.max(biggest, largestLiteral(src, c))));
    return biggest;
}

interface Shape {
    long: string[];
    imports: Map<string, string[]>;
}

function shapeOf(files: string[]): Shape {
    const long: string[] = [];
    const imports = new Map<string, string[]>();
    for (const f of files) {
        const src = ts.createSourceFile(f, fs.readFileSync(f, "utf8"), ts.ScriptTarget.Latest, true);
        const line = (pos: number) => src.getLineAndCharacterOfPosition(pos).line;
        const deps: string[] = [];
        const visit = (n: ts.Node): void => {
            if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier) && n.moduleSpecifier.text.startsWith(".")) {
                const target = path.resolve(path.dirname(f), n.moduleSpecifier.text);
                const hit = [`${target}.ts`, path.join(target, "index.ts")].find((c) => fs.existsSync(c));
                if (hit) deps.push(hit);
            }
            if (ts.isFunctionLike(n) && "body" in n && n.body) {
                const body = n.body as ts.Node;
                const len = line(body.end) - line(body.getStart(src)) + 1;
                if (len > LIMIT && largestLiteral(src, body) < 0.6 * len) long.push(`${path.relative(REPO, f)}:${line(n.getStart(src)) + 1} (${len} lines)`);
            }
            n.forEachChild(visit);
        };
        visit(src);
        imports.set(f, deps);
    }
    return { long, imports };
}

/** One import cycle as a list of files, or undefined (depth-first search with colours). */
function findImportCycle(imports: Map<string, string[]>): string[] | undefined {
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const dfs = (f: string): string[] | undefined => {
        state.set(f, "open");
        stack.push(f);
        for (const d of imports.get(f) ?? []) {
            if (!imports.has(d) || state.get(d) === "done") continue;
            if (state.get(d) === "open") return [...stack.slice(stack.indexOf(d)), d];
            const c = dfs(d);
            if (c) return c;
        }
        stack.pop();
        state.set(f, "done");
        return undefined;
    };
    for (const f of imports.keys()) {
        if (state.has(f)) continue;
        const c = dfs(f);
        if (c) return c;
    }
    return undefined;
}

describe("code shape", () => {
    const shape = shapeOf(programFiles(REPO));
    it(`no function over ${LIMIT} lines outside data tables`, () => assert.deepStrictEqual(shape.long, []));
    it("no import cycle", () => {
        const cycle = findImportCycle(shape.imports);
        assert.strictEqual(cycle, undefined, `import cycle: ${cycle?.map((f) => path.relative(REPO, f)).join(" -> ")}`);
    });
    it("the check finds a cycle and a long function when there is one", () => {
        assert.deepStrictEqual(findImportCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]])), ["a", "b", "c", "a"]);
        const tmp = fs.mkdtempSync(path.join(require("os").tmpdir(), "shape-"));
        const f = path.join(tmp, "long.ts");
        fs.writeFileSync(f, `export function f() {\n${"    g();\n".repeat(LIMIT + 1)}}\n`);
        try {
            assert.strictEqual(shapeOf([f]).long.length, 1);
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
