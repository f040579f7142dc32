// The policy results of a preview, for the PR comment. `pulumi preview --json` leaves them out (a
// mandatory violation shows there only as "preview failed"), so they are read from the human
// output's "Policies:" section: each pack with ✅/❌, each violation with its rule, resource and message.

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** The lines of the "Policies:" section (indentation kept), or [] when the output has none. */
export function policySection(previewText: string): string[] {
    const lines = previewText.replace(ANSI, "").split("\n");
    const start = lines.findIndex((l) => l.trimEnd() === "Policies:");
    if (start < 0) return [];
    const out: string[] = [];
    for (const l of lines.slice(start + 1)) {
        // The section ends at the next heading (Diagnostics:, Outputs:, Resources:) at column 0.
        if (l !== "" && !/^\s/.test(l)) break;
        out.push(l.trimEnd());
    }
    while (out.length && out[out.length - 1] === "") out.pop();
    return out;
}
