// How every CLI entry point ends: with main's exit code once stdout is flushed (to a pipe it is
// asynchronous, and a large output such as the JSON graph would otherwise be cut off), or with
// the code its error report returns.
export function runMain(main: (argv: string[]) => Promise<number>, report: (err: any) => number): void {
    main(process.argv.slice(2)).then(
        (code) => process.stdout.write("", () => process.exit(code)),
        (err) => process.exit(report(err)),
    );
}
