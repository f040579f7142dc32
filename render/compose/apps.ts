// Apps in compose, from the same workload spec as the App component (spec/app.ts: image, command,
// user, env, health check, limits, alias, loopback port), with secret files and env files from
// secrets/, started after what they depend on is healthy; the migration job is a one-shot service
// the app waits for (service_completed_successfully).
// Compose has no revisions: `up -d` recreates a changed app in place (stop, then start).
import type { AppModel, EnvironmentModel } from "../../config/model";
import { ComposeBuilder, depends } from "./builder";
import { ComposeService, DependsCondition, SecretLookup } from "./types";
import { appWorkload } from "../../spec/app";
import { composeWorkload } from "./workload";

type Content = (s: SecretLookup) => string;
/** Renders a data-service credential (DATABASE_URL…) of an app from secret values. */
export type CredentialRenderer = (app: AppModel, service: string, credential: string) => Content;
export type ReadyConditions = (service: string) => Record<string, { condition: DependsCondition }>;

export function renderApps(b: ComposeBuilder, env: EnvironmentModel, ready: ReadyConditions, credential: CredentialRenderer): void {
    for (const app of env.apps) {
        const secrets = app.secrets.map((s) => ({ ...s, content: secretContent(b, app, s, credential) }));
        const asEnvFile = (list: typeof secrets): Content => (l) => list.map((s) => `${s.name}=${s.content(l)}\n`).join("");
        const fileSecrets = app.secretDelivery === "file" ? secrets : [];
        const envSecrets = app.secretDelivery === "env" ? secrets : [];
        const after = Object.assign({}, ...app.dependsOn.map(ready));
        const envList = Object.entries(app.env).map(([k, v]) => `${k}=${v}`);
        if (app.migration) {
            const job = `${app.alias}-migrate`;
            b.add(job, {
                ...b.base({ image: app.image, labels: b.labels({ environment: app.environment, service: `${app.name}-migrate`, kind: "job" }), networks: { [env.name]: null }, cpus: app.cpus, memoryMb: app.memoryMb, restart: "no" }),
                command: app.migration.command,
                ...(app.user ? { user: app.user } : {}),
                ...(envList.length ? { environment: [...envList].sort() } : {}),
                // Like the docker-run job: every secret as an environment variable, from a 0400 file compose reads.
                ...(secrets.length ? { env_file: [b.secretFile(`apps/${app.alias}-migrate.env`, asEnvFile(secrets))] } : {}),
                ...(Object.keys(after).length ? { depends_on: { ...after } } : {}),
            });
            Object.assign(after, depends([job], "service_completed_successfully"));
        }
        // The revision's spec (spec/app.ts); compose has no revisions, so the spec's own name and alias.
        const spec = appWorkload(app, b.model);
        const service: ComposeService = {
            ...composeWorkload(b, spec, { secretEnvHandled: true }),
            ...(envSecrets.length ? { env_file: [b.secretFile(`apps/${app.alias}.env`, asEnvFile(envSecrets))] } : {}),
            ...(fileSecrets.length ? { volumes: fileSecrets.map((s) => b.secret(`apps/${app.alias}/${s.name}`, s.content, s.filePath)) } : {}),
            ...(Object.keys(after).length ? { depends_on: after } : {}),
        };
        b.add(app.alias, service);
    }
}

function secretContent(b: ComposeBuilder, app: AppModel, s: AppModel["secrets"][number], credential: CredentialRenderer): Content {
    const src = s.source;
    if (typeof src === "object" && "service" in src) return credential(app, src.service, src.credential);
    const key =
        src === "generate" || "generate" in src
            ? b.value(`${app.environment}/${app.name}/${s.name}`, { generate: src === "generate" ? 32 : src.generate.length })
            : b.value(`config/${src.fromConfig}`, { fromConfig: src.fromConfig });
    return (l) => l.value(key);
}
