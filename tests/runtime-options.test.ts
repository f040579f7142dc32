// The program runs under Pulumi with tsconfig.pulumi.json (Pulumi.yaml runtime option): transpile
// only (noCheck), and otherwise the same compiler options as tsconfig.json, which type-checks.
import * as assert from "assert";
import * as fs from "fs";
import { parse } from "yaml";
import * as ts from "typescript";
import { repoPath } from "./fixtures";

const options = (file: string) => ts.parseConfigFileTextToJson(file, fs.readFileSync(repoPath(file), "utf8")).config.compilerOptions;

describe("Pulumi runtime options", () => {
    it("Pulumi.yaml points the language host at tsconfig.pulumi.json", () => {
        const project = parse(fs.readFileSync(repoPath("Pulumi.yaml"), "utf8"));
        assert.strictEqual(project.runtime.options.tsconfig, "tsconfig.pulumi.json");
        assert.strictEqual(project.runtime.options.typescript, true);
    });

    it("tsconfig.pulumi.json: noCheck, and tsconfig.json's compiler options otherwise (Pulumi does not follow extends)", () => {
        const run = options("tsconfig.pulumi.json");
        const check = options("tsconfig.json");
        assert.strictEqual(run.noCheck, true);
        const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "noCheck" && k !== "types"));
        assert.deepStrictEqual(strip(run), strip(check));
    });
});
