// Shell that writes rendered host files into the current directory: the one writer both delivery
// steps (proxy, monitoring) use inside their candidate directory. Content travels base64-encoded,
// so no byte of it is ever parsed by the shell; paths are hostplane's own (no quoting needed).
import type { HostFile } from "../render/files";

/** One line per file: create its directory, decode its content, set its mode. Paths relative to `dir`. */
export function fileWriterScript(files: HostFile[], dir: string): string {
    return files
        .map((f) => {
            const rel = f.path.slice(dir.length + 1);
            const b64 = Buffer.from(f.content).toString("base64");
            return `mkdir -p "$(dirname ${rel})"; echo ${b64} | base64 -d > ${rel}; chmod ${f.mode.toString(8)} ${rel}`;
        })
        .join("\n");
}
