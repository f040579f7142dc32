// Stack traces while the program registers resources. Pulumi's SDK formats `new Error().stack` for
// every promise it creates (kept only for its promise-leak diagnostics), and through ts-node's
// source maps that formatting was 80 % of evaluating a 90-app stack (12.7 s, 2.4 s without; see
// README "Performance"). Our own user-facing errors are messages (ConfigError), not stacks.
// `HOSTPLANE_STACK_TRACES=1` keeps V8's default, for debugging a crash inside the program.

/** Stops capturing stack frames unless HOSTPLANE_STACK_TRACES=1; returns a function that undoes it. */
export function withoutStackTraces(env: NodeJS.ProcessEnv = process.env): () => void {
    const before = Error.stackTraceLimit;
    if (env.HOSTPLANE_STACK_TRACES !== "1") Error.stackTraceLimit = 0;
    return () => {
        Error.stackTraceLimit = before;
    };
}
