// The one shell-quoting rule: single quotes, with each ' written as '\'' (POSIX sh, bash, dash).

/** Always single-quoted: for scripts passed to `sh -c` and words whose exact text is part of a trigger. */
export function shellQuoteAlways(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A word safe to paste into a POSIX shell command line; plain words stay unquoted. */
export function shellQuote(s: string): string {
    return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : shellQuoteAlways(s);
}
