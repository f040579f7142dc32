// The one shell-quoting helper: a word safe to paste into a POSIX shell command line.
export function shellQuote(s: string): string {
    return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
