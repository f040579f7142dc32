// The PR comment of one stack (.github/workflows/pr.yml): planned resource changes from
// `pulumi preview --json`, and a unified diff of every rendered host file between the base
// branch's render and the PR's. Writes the Markdown body (lib/pr-comment/comment.ts).
//
//   npm run pr-comment -- --stack staging --preview preview.json --preview-exit 0 \
//     [--preview-log preview.txt] (the human output: its "Policies:" section) \
//     --base out/base/staging --head out/head/staging [--redact-env HCLOUD_TOKEN,SSH_PRIVATE_KEY] \
//     [--full-output "the job log"] [--out comment.md]
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { prComment } from "../lib/pr-comment/comment";
import { diffRenders } from "../lib/pr-comment/files";
import { policySection } from "../lib/pr-comment/policies";
import { ResourceSummary, summarizePreview } from "../lib/pr-comment/resources";

/** Every file under dir, by path relative to it (a missing dir: the base branch had no render). */
export function readTree(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    if (!fs.existsSync(dir)) return out;
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.isFile()) out.set(path.relative(dir, p).split(path.sep).join("/"), fs.readFileSync(p, "utf8"));
        }
    };
    walk(dir);
    return out;
}

function resources(file: string): ResourceSummary {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    try {
        return summarizePreview(text);
    } catch {
        return { changes: [], counts: {}, errors: [`the preview wrote no JSON plan to ${file} (see the job log)`] };
    }
}

function main(argv: string[]): void {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string" },
            preview: { type: "string" },
            "preview-exit": { type: "string", default: "0" },
            "preview-log": { type: "string" },
            base: { type: "string" },
            head: { type: "string" },
            "redact-env": { type: "string", default: "" },
            "full-output": { type: "string" },
            out: { type: "string" },
        },
    });
    for (const k of ["stack", "preview", "base", "head"] as const)
        if (!values[k]) throw new Error(`--${k} is required (usage: see the top of cli/pr-comment.ts)`);
    const secrets = values["redact-env"]!.split(",").filter(Boolean).map((name) => process.env[name] ?? "").filter(Boolean);
    const body = prComment({
        stack: values.stack!,
        previewOk: values["preview-exit"] === "0",
        resources: resources(values.preview!),
        policies: values["preview-log"] && fs.existsSync(values["preview-log"]) ? policySection(fs.readFileSync(values["preview-log"], "utf8")) : [],
        files: diffRenders(readTree(values.base!), readTree(values.head!)),
        secrets,
        fullOutput: values["full-output"],
    });
    if (values.out) fs.writeFileSync(values.out, body);
    else process.stdout.write(body);
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (err: any) {
        console.error(`pr-comment: ${err?.message ?? err}`);
        process.exit(1);
    }
}
