// Every shell script in the repository passes shellcheck (the repo's .shellcheckrc: sourced files
// are followed from the script's folder or the repo root). Workflow run: blocks are checked by
// actionlint (tests/workflows.test.ts); scripts written into images are files here too.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { haveCommand, requireTool } from "./support/tools";

const ROOT = path.resolve(__dirname, "..");

/** Tracked files that are shell scripts: a .sh name, or a sh/bash shebang on a file without one. */
function shellScripts(): string[] {
    const files = spawnSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
    return files.filter((f) => {
        if (f.endsWith(".sh")) return true;
        if (path.extname(f) !== "" || !fs.existsSync(path.join(ROOT, f))) return false;
        const head = fs.readFileSync(path.join(ROOT, f), "utf8").slice(0, 100).split("\n")[0];
        return /^#!.*\b(ba)?sh\b/.test(head);
    });
}

describe("shellcheck: every shell script", function () {
    this.timeout(120000);
    before(function () {
        requireTool(this, haveCommand("shellcheck"), "shellcheck", "apt-get install -y shellcheck");
    });

    it("finds the scripts (.sh files and shebang scripts such as .ci/run)", () => {
        const scripts = shellScripts();
        assert.ok(scripts.includes(".ci/run"), ".ci/run is checked");
        assert.ok(scripts.includes("scripts/local-up.sh"), "scripts/*.sh are checked");
        assert.ok(scripts.length >= 30, `only ${scripts.length} scripts found`);
    });

    it("reports nothing on any of them", () => {
        const r = spawnSync("shellcheck", ["-x", ...shellScripts()], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });
});
