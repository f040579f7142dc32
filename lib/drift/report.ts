// Drift: what differs between the host and the stack's declared state, in words an operator acts
// on. Pure: inputs are the expected files, the host's checksums and the containers' status rows.
import type { StatusRow } from "../../cli/ops/status";
import { rowHealthy } from "../../cli/ops/status";
import type { ExpectedFile } from "./expected";

export interface FileDrift {
    path: string;
    kind: "changed" | "missing" | "unexpected";
}

export interface DriftReport {
    files: FileDrift[];
    /** Containers that are not running and healthy, or declared but absent. */
    containers: StatusRow[];
    checkedFiles: number;
    checkedContainers: number;
}

/** Files changed by hand, deleted, or added to a directory the program owns. `owned`: such directories. */
export function compareFiles(expected: ExpectedFile[], onHost: Map<string, string>, owned: string[]): FileDrift[] {
    const out: FileDrift[] = [];
    const want = new Map(expected.map((f) => [f.path, f.sha256]));
    for (const [p, sum] of want) {
        const got = onHost.get(p);
        if (got === undefined) out.push({ path: p, kind: "missing" });
        else if (got !== sum) out.push({ path: p, kind: "changed" });
    }
    // Only next to delivered files: other files in a host directory (metrics a sidecar writes) are not ours.
    const ownedDirs = new Set([...want.keys()].map((p) => p.slice(0, p.lastIndexOf("/"))));
    for (const p of onHost.keys())
        if (!want.has(p) && owned.some((d) => p.startsWith(`${d}/`)) && ownedDirs.has(p.slice(0, p.lastIndexOf("/")))) out.push({ path: p, kind: "unexpected" });
    return out.sort((a, b) => a.path.localeCompare(b.path));
}

export const containerDrift = (rows: StatusRow[]): StatusRow[] => rows.filter((r) => !rowHealthy(r));

export const hasDrift = (r: DriftReport) => r.files.length > 0 || r.containers.length > 0;

const FILE_WORDS: Record<FileDrift["kind"], string> = {
    changed: "changed on the host (checksum differs from the render)",
    missing: "missing on the host",
    unexpected: "on the host but not in the render",
};

export function formatDrift(stack: string, r: DriftReport): string {
    const lines: string[] = [];
    for (const f of r.files) lines.push(`file ${f.path}: ${FILE_WORDS[f.kind]}`);
    for (const c of r.containers)
        lines.push(`container ${c.env}/${c.service}${c.container !== "-" ? ` (${c.container})` : ""}: ${c.state === "missing" ? "missing (declared, no container)" : `${c.state}${c.health !== "-" ? `, ${c.health}` : ""}`}`);
    const checked = `checked ${r.checkedFiles} host files and ${r.checkedContainers} containers of stack ${stack}`;
    return hasDrift(r) ? `drift in stack ${stack}:\n${lines.map((l) => `  ${l}`).join("\n")}\n(${checked}; README "Drift" says how to restore each)` : `no drift: ${checked}`;
}
