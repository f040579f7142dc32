// One PR comment per stack: the planned resource changes and a unified diff of every rendered
// host file against the base branch. A pure function of its inputs; cli/pr-comment.ts feeds it.
// GitHub refuses comments over 65,536 characters: diffs are cut to fit, and the comment says so.
import { FileDiff } from "./files";
import { changeLines, countsLine, ResourceSummary } from "./resources";

export const GITHUB_COMMENT_LIMIT = 65536;

export interface CommentInput {
    stack: string;
    /** The preview's exit status: a failed preview (e.g. a policy violation) is said first. */
    previewOk: boolean;
    resources: ResourceSummary;
    /** The preview's "Policies:" section (lib/pr-comment/policies.ts); empty: not shown. */
    policies?: string[];
    files: FileDiff[];
    /** Values that must never appear (stack secrets): replaced by [secret] everywhere. */
    secrets?: string[];
    /** Where the full output is (job log, artifact), named when something was cut. */
    fullOutput?: string;
    limit?: number;
}

/** The hidden first line the workflow finds its own comment by (one comment per stack, edited). */
export const marker = (stack: string) => `<!-- hostplane-preview: ${stack} -->`;

/** Replaces each secret, and each longer line of a multi-line secret (a key file), by [secret]. */
export function redact(text: string, secrets: string[] = []): string {
    const needles = new Set<string>();
    for (const s of secrets) {
        if (s.trim().length >= 4) needles.add(s.trim());
        for (const line of s.split("\n")) if (line.trim().length >= 12) needles.add(line.trim());
    }
    let out = text;
    for (const n of [...needles].sort((a, b) => b.length - a.length)) out = out.split(n).join("[secret]");
    return out;
}

/** A code fence longer than any backtick run inside the text. */
function fence(text: string, lang = ""): string {
    const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
    const f = "`".repeat(longest + 1);
    return `${f}${lang}\n${text}\n${f}`;
}

function resourcesPart(input: CommentInput, budget: number): string {
    const lines = changeLines(input.resources.changes);
    const head = [`**Resources:** ${countsLine(input.resources.counts)}`];
    // Policy results first: a violation is what a reviewer must read.
    const policies = (input.policies ?? []).join("\n").slice(0, Math.floor(budget / 2));
    if (policies) head.unshift(`**Policies:**\n\n${fence(policies)}`);
    for (const e of input.resources.errors) head.push(`> ${e.split("\n").join("\n> ")}`);
    if (!lines.length) return head.join("\n\n");
    let shown = lines;
    while (shown.length && head.join("\n\n").length + shown.join("\n").length + 200 > budget) shown = shown.slice(0, Math.floor(shown.length * 0.8));
    const cut = lines.length - shown.length;
    const more = cut ? `\n\n_${cut} more resource change${cut > 1 ? "s" : ""} not shown (comment size limit)${input.fullOutput ? `: see ${input.fullOutput}` : ""}._` : "";
    return `${head.join("\n\n")}\n\n${fence(shown.join("\n"), "diff")}${more}`;
}

const stat = (f: FileDiff) => `${f.status}, +${f.added} −${f.removed}`;
const block = (f: FileDiff, patch: string, note = "") =>
    `<details><summary><code>${f.path}</code> (${stat(f)})${note}</summary>\n\n${fence(patch, "diff")}\n\n</details>`;

/** A block with the first lines of the patch that fit in `room`, or undefined when not even 5 do. */
function cutBlock(f: FileDiff, room: number): string | undefined {
    const lines = f.patch.split("\n");
    for (let keep = lines.length; keep > 4; keep = Math.floor(keep * 0.85)) {
        const b = block(f, lines.slice(0, keep).join("\n"), ` — cut: first ${keep} of ${lines.length} lines`);
        if (b.length <= room) return b;
    }
    return undefined;
}

/** File diffs in order while they fit; the first that does not fit is cut by lines; the rest listed by name. */
function filesPart(input: CommentInput, budget: number): string {
    if (!input.files.length) return "**Host files:** no rendered host file changes.";
    const parts = [`**Host files:** ${input.files.length} rendered file${input.files.length > 1 ? "s" : ""} differ from the base branch.`];
    const notShown: FileDiff[] = [];
    // Room for the list of files not shown, whatever it holds.
    const listRoom = 200 + input.files.reduce((n, f) => n + f.path.length + 40, 0);
    let used = parts[0].length + Math.min(listRoom, Math.floor(budget / 4));
    for (let i = 0; i < input.files.length; i++) {
        const f = input.files[i];
        const full = block(f, f.patch);
        if (used + full.length + 2 <= budget) {
            parts.push(full);
            used += full.length + 2;
            continue;
        }
        // The first file that does not fit is shown cut (when 5 lines fit); later ones only by name.
        const cut = cutBlock(f, budget - used - 2);
        if (cut) parts.push(cut);
        notShown.push(...input.files.slice(cut ? i + 1 : i));
        break;
    }
    if (notShown.length)
        parts.push(`Not shown (comment size limit${input.fullOutput ? `; full diffs: ${input.fullOutput}` : ""}):\n${notShown.map((f) => `- \`${f.path}\` (${stat(f)})`).join("\n")}`);
    return parts.join("\n\n");
}

/** The comment body: marker, title, resources, host files; never longer than the limit. */
export function prComment(raw: CommentInput): string {
    const limit = raw.limit ?? GITHUB_COMMENT_LIMIT;
    const clean = (s: string) => redact(s, raw.secrets);
    // Redact before measuring, so the cut is made on what is really posted.
    const input: CommentInput = {
        ...raw,
        resources: {
            ...raw.resources,
            changes: raw.resources.changes.map((c) => ({ ...c, name: clean(c.name), keys: c.keys.map(clean) })),
            errors: raw.resources.errors.map(clean),
        },
        policies: raw.policies?.map(clean),
        files: raw.files.map((f) => ({ ...f, path: clean(f.path), patch: clean(f.patch) })),
    };
    const title = `${marker(input.stack)}\n### \`pulumi preview --stack ${input.stack}\` ${input.previewOk ? "" : "failed "}with the policy pack`;
    const status = input.previewOk ? "" : "\n\n**The preview failed** (see the errors below and the job log).";
    const resources = resourcesPart(input, Math.floor(limit / 3));
    const files = filesPart(input, limit - title.length - status.length - resources.length - 100);
    const body = `${title}${status}\n\n${resources}\n\n${files}\n`;
    return body.length <= limit ? body : `${body.slice(0, limit - 60)}\n\n_(cut at GitHub's comment size limit)_\n`;
}
