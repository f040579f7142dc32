// Golden graphs: every example stack's resource graph under mocks (URNs, types, parents, options and
// inputs with secrets masked), compared with the JSON committed in tests/golden/. A change in any
// of these is a change deployed stacks would see (a changed URN or input replaces a container), so
// refactors must leave them alone; an intended change is recorded with UPDATE_GOLDEN=1 and reviewed.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO, stackGraph } from "./fixtures";
import type { Graph } from "../lib/graph";

const GOLDEN_DIR = path.join(__dirname, "golden");
const exampleStacks = () =>
    fs.readdirSync(REPO).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort();

/** Object keys sorted (insertion order is not identity); the checkout's and home paths replaced. */
function canonical(v: unknown): unknown {
    if (typeof v === "string") return v.split(REPO).join("<repo>").split(path.join(os.homedir(), ".ssh")).join("<home>/.ssh");
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === "object")
        return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    return v;
}

export function goldenOf(g: Graph): unknown {
    const urnOf = new Map(g.resources.map((r) => [r.name, r.urn]));
    const resources = g.resources
        .map((r) => ({
            urn: r.urn,
            type: r.type,
            custom: r.custom,
            parent: r.parent === undefined ? undefined : urnOf.get(r.parent) ?? r.parent,
            dependsOn: r.dependsOn.map((d) => urnOf.get(d) ?? d).sort(),
            protect: r.protect,
            options: r.options,
            inputs: r.inputs,
        }))
        .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return canonical({ resources, outputs: g.outputs });
}

describe("golden graphs of the example stacks", function () {
    this.timeout(300000);
    const update = process.env.UPDATE_GOLDEN === "1";
    for (const stack of exampleStacks()) {
        it(`${stack}: matches tests/golden/${stack}.json${update ? " (updating)" : ""}`, async () => {
            const g = await stackGraph(stack);
            const text = JSON.stringify(goldenOf(g), null, 2) + "\n";
            for (const s of g.secretValues) assert.ok(!text.includes(s), `a secret value reached the golden graph of ${stack}`);
            const file = path.join(GOLDEN_DIR, `${stack}.json`);
            if (update) fs.writeFileSync(file, text);
            assert.ok(fs.existsSync(file), `${file} is missing: record it with UPDATE_GOLDEN=1 npm test`);
            const want = fs.readFileSync(file, "utf8");
            if (text !== want) {
                const got = JSON.parse(text), exp = JSON.parse(want);
                assert.deepStrictEqual(got, exp, `the ${stack} graph differs from ${file}; if intended, record it with UPDATE_GOLDEN=1`);
            }
        });
    }
    it("covers every example stack", () => assert.deepStrictEqual(exampleStacks().sort(), fs.readdirSync(GOLDEN_DIR).map((f) => f.replace(/\.json$/, "")).sort()));
});
