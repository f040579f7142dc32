// Shared test helpers: a valid baseline config to mutate, and graph capture per stack.
import * as path from "path";
import { fromStackFile, PROJECT_ROOT, stackFile } from "../config/sources";
import { ConfigError } from "../config/errors";
import { ConfigSource, loadPlatformModel, RawValue } from "../config/validate";
import { captureGraph, Graph } from "../lib/graph";

export const STACKS = ["local", "staging", "production", "e2e"] as const;

const app = (extra: Record<string, unknown> = {}) => ({
    image: "ghcr.io/example/api:1.0.0",
    port: 8000,
    healthcheck: { path: "/health" },
    cpus: 1,
    memory: "1G",
    ...extra,
});

/** A valid two-environment config; each test case mutates a fresh copy. */
export function baseConfig(): Record<string, any> {
    return {
        prefix: "tp",
        host: { provider: "local" },
        environments: {
            production: {
                kind: "production",
                domain: "example.com",
                apps: {
                    api: app({ routes: [{ path: "/api" }], secrets: { STRIPE_API_KEY: { fromConfig: "stripeApiKey" }, SESSION_SECRET: "generate" } }),
                    web: app({ routes: [{ path: "/" }], dependsOn: ["api"] }),
                    worker: app({ healthcheck: { command: ["true"] }, dependsOn: ["api"] }),
                },
            },
            staging: {
                kind: "staging",
                domain: "staging.example.com",
                portOffset: 10,
                apps: { api: app({ routes: [{ host: "api.staging.example.com" }], hostPort: 8001 }) },
            },
        },
    };
}

/** Builds a ConfigSource from plain values; `secrets` names keys set with --secret. */
export function sourceOf(plain: Record<string, unknown>, secrets: string[] = ["stripeApiKey"], stack = "test"): ConfigSource {
    const values: Record<string, RawValue> = {};
    for (const [k, v] of Object.entries(plain)) values[k] = { value: v, secret: false };
    for (const k of secrets) values[k] = { value: "[secret]", secret: true };
    return { project: "hostplane", stack, values, description: `stack ${stack}` };
}

const graphs = new Map<string, Promise<Graph>>();
/** Captures each example stack once per test run (revealed: secret inputs hold their mock values). */
/** The issues validation reports for a config (none when it is valid); other errors are thrown. */
export function configIssues(plain: Record<string, unknown>, secrets: string[] = ["stripeApiKey"]): { key: string; message: string }[] {
    try {
        loadPlatformModel(sourceOf(plain, secrets));
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
    }
}

export function stackGraph(stack: string, revealed = false): Promise<Graph> {
    const k = `${stack}${revealed ? ":revealed" : ""}`;
    if (!graphs.has(k)) graphs.set(k, captureGraph(fromStackFile(stackFile(stack)), { revealSecrets: revealed }));
    return graphs.get(k)!;
}

export const REPO = PROJECT_ROOT;
export const repoPath = (...p: string[]) => path.join(REPO, ...p);
