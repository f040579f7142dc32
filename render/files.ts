// The shape of a host file, in its own module so renderers and the registry (index.ts) can both
// import it without a require cycle.

/** Root of hostplane's files on the host. */
export const HOST_ROOT = "/opt/hostplane";

export interface HostFile {
    /** Absolute path on the host. */
    path: string;
    content: string;
    /** Unix permission bits. */
    mode: number;
}
