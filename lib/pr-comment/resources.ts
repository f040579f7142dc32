// The resource part of a PR comment: what `pulumi preview --json` plans to change, one line per
// resource, with the names of the changed inputs (never their values: a value may be a secret).

export interface PlannedChange {
    op: string;
    type: string;
    name: string;
    /** Inputs that differ (update/replace), by top-level name. */
    keys: string[];
}

export interface ResourceSummary {
    changes: PlannedChange[];
    /** `changeSummary` of the preview: op → count (same included). */
    counts: Record<string, number>;
    /** Error diagnostics (a failed preview, a mandatory policy violation), text only. */
    errors: string[];
}

const SIGN: Record<string, string> = {
    create: "+",
    update: "~",
    replace: "+-",
    "create-replacement": "+-",
    "delete-replaced": "-",
    delete: "-",
    read: ">",
    import: "=",
};

/** Parses `pulumi preview --json`; `same` and component-only steps are left out. */
export function summarizePreview(previewJson: string): ResourceSummary {
    const doc = JSON.parse(previewJson);
    const changes: PlannedChange[] = [];
    for (const s of doc.steps ?? []) {
        const state = s.newState ?? s.oldState ?? {};
        // Replacement shows as three steps; keep the one a reviewer reads ("replace").
        if (s.op === "same" || s.op === "create-replacement" || s.op === "delete-replaced" || state.custom === false) continue;
        const urn: string = s.urn ?? "";
        const keys = Object.keys(s.detailedDiff ?? {}).map((k) => k.split(/[.[]/)[0]);
        for (const k of s.diffReasons ?? []) keys.push(String(k).split(/[.[]/)[0]);
        changes.push({ op: s.op, type: state.type ?? urn.split("::")[2] ?? "?", name: urn.split("::").pop() ?? urn, keys: [...new Set(keys)].sort() });
    }
    changes.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    const errors = (doc.diagnostics ?? []).filter((d: any) => d.severity === "error").map((d: any) => `${d.urn ? `${d.urn.split("::").pop()}: ` : ""}${String(d.message ?? "").trim()}`);
    return { changes, counts: doc.changeSummary ?? {}, errors };
}

/** "3 to create, 1 to replace, 12 unchanged". */
export function countsLine(counts: Record<string, number>): string {
    const order = ["create", "update", "replace", "delete", "same"];
    const ops = Object.keys(counts).sort((a, b) => (order.indexOf(a) + 99) % 99 - (order.indexOf(b) + 99) % 99 || a.localeCompare(b));
    const parts = ops.filter((op) => counts[op] > 0).map((op) => (op === "same" ? `${counts[op]} unchanged` : `${counts[op]} to ${op}`));
    return parts.length ? parts.join(", ") : "no resources";
}

/** One `diff`-highlighted line per change: `+ create  docker:index/container:Container  shop-proxy  (envs, labels)`. */
export function changeLines(changes: PlannedChange[]): string[] {
    return changes.map((c) => `${(SIGN[c.op] ?? "?").padEnd(2)} ${c.op.padEnd(7)} ${c.type}  ${c.name}${c.keys.length ? `  (${c.keys.join(", ")})` : ""}`);
}
