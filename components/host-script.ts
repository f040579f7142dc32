// The text of a one-shot step whose shell lives in a checked script file (scripts/host/*.sh, run by
// shellcheck in tests/shellcheck.test.ts): the file, then one call of its function with every
// argument quoted by lib/shell.ts. Arguments are data, never shell. The text is part of the step's
// identity in state: a changed script reruns the step once on the next `up` (no container changes).
import * as fs from "fs";
import * as path from "path";
import { shellQuote } from "../lib/shell";

const HOST_SCRIPTS = path.resolve(__dirname, "../scripts/host");

/** The text of scripts/host/<file>. */
export function hostScript(file: string): string {
    return fs.readFileSync(path.join(HOST_SCRIPTS, file), "utf8");
}

/** `fn` with its arguments, each quoted. */
export function scriptCall(fn: string, args: (string | number)[]): string {
    return [fn, ...args.map((a) => shellQuote(String(a)))].join(" ");
}

/** The script, then one call of `fn`: the command text to run with interpreter bash. */
export function hostScriptCall(file: string, fn: string, args: (string | number)[]): string {
    return `${hostScript(file)}\n${scriptCall(fn, args)}`;
}

/** The interpreter for these texts (the scripts are bash). */
export const BASH: string[] = ["/bin/bash", "-c"];
