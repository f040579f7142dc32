// The host-file part of a PR comment: a unified diff of every rendered host file (nginx.conf,
// prometheus.yml, cloud-init, …; `npm run render`) between the base branch and the PR.
import { createTwoFilesPatch } from "diff";

export interface FileDiff {
    path: string;
    status: "added" | "removed" | "changed";
    /** Unified diff with `a/` and `b/` headers, 3 lines of context. */
    patch: string;
    added: number;
    removed: number;
}

/** Every file that differs between two renders (relative path → content), in path order. */
export function diffRenders(base: Map<string, string>, head: Map<string, string>): FileDiff[] {
    const paths = [...new Set([...base.keys(), ...head.keys()])].sort();
    const out: FileDiff[] = [];
    for (const p of paths) {
        const before = base.get(p);
        const after = head.get(p);
        if (before === after) continue;
        const patch = createTwoFilesPatch(before === undefined ? "/dev/null" : `a/${p}`, after === undefined ? "/dev/null" : `b/${p}`, before ?? "", after ?? "", "", "", { context: 3 })
            // The library's first line is an `Index:`-less "====" separator: keep the git-style headers only.
            .replace(/^=+\n/, "")
            // …and no tab after the file names (the empty timestamp field).
            .replace(/^(---|\+\+\+) (.*)\t$/gm, "$1 $2");
        const lines = patch.split("\n");
        out.push({
            path: p,
            status: before === undefined ? "added" : after === undefined ? "removed" : "changed",
            patch: patch.trimEnd(),
            added: lines.filter((l) => l.startsWith("+") && !l.startsWith("+++")).length,
            removed: lines.filter((l) => l.startsWith("-") && !l.startsWith("---")).length,
        });
    }
    return out;
}
