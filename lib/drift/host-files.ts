// The checksums of the files that are really on the host: one throwaway container (the proxy's
// image, already on the host; no network) mounts the host directories read-only and prints
// `sha256sum` of every file. Works the same on a local engine and through ssh:// (DOCKER_HOST).
import type { Docker } from "../../cli/ops/docker";
import { OpsError } from "../../cli/ops/docker";

/** Absolute host path → sha256 of every file under `dirs` (a missing directory: no files). */
export function hostChecksums(d: Docker, image: string, dirs: string[]): Map<string, string> {
    const mounts = dirs.flatMap((dir, i) => ["-v", `${dir}:/hp${i}:ro`]);
    // Each directory is listed from its mount point; a missing one is created empty by Docker.
    const script = dirs.map((_, i) => `cd /hp${i} && find . -type f -exec sha256sum {} + | sed "s|  \\./|  ${i}/|"`).join("; ");
    const r = d.run(["run", "--rm", "--network", "none", "-u", "0", ...mounts, "--entrypoint", "sh", image, "-c", `set -e; ${script}`]);
    if (r.status !== 0) throw new OpsError(`reading the host files' checksums with ${image} failed: ${(r.stderr || r.stdout).trim()}`);
    const out = new Map<string, string>();
    for (const line of r.stdout.split("\n")) {
        const m = /^([0-9a-f]{64})  (\d+)\/(.+)$/.exec(line);
        if (m) out.set(`${dirs[Number(m[2])]}/${m[3]}`, m[1]);
    }
    return out;
}
