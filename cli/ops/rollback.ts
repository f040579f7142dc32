// `ops rollback <app>`: redeploy the image the app ran before, the Pulumi way. Each update in the
// stack's history records the config it ran with, so the previous image is read from there; the
// rollback sets that image in Pulumi.<stack>.yaml and runs `pulumi up`, so config, state and host
// agree afterwards (commit the changed stack file).
import type { UpdateSummary } from "@pulumi/pulumi/automation";
import { NAMESPACE } from "../../config/validate";
import { OpsError } from "./docker";

/** The config the history stores is keyed `hostplane:environments`; objects arrive as JSON text. */
function imageIn(config: UpdateSummary["config"] | undefined, env: string, app: string): string | undefined {
    const raw = config?.[`${NAMESPACE}:environments`]?.value;
    if (typeof raw !== "string") return undefined;
    try {
        const image = JSON.parse(raw)?.[env]?.apps?.[app]?.image;
        return typeof image === "string" ? image : undefined;
    } catch {
        return undefined;
    }
}

/** Images the app ran with, newest first, one entry per successful `up` (repeats collapsed). */
export function imageHistory(history: Pick<UpdateSummary, "kind" | "result" | "config" | "version">[], env: string, app: string): { version?: number; image: string }[] {
    const out: { version?: number; image: string }[] = [];
    for (const u of [...history].sort((a, b) => (b.version ?? 0) - (a.version ?? 0))) {
        if (u.kind !== "update" || u.result !== "succeeded") continue;
        const image = imageIn(u.config, env, app);
        if (image && out[out.length - 1]?.image !== image) out.push({ version: u.version, image });
    }
    return out;
}

/** The image before `current` in the successful history: what a rollback goes back to. */
export function previousImage(history: Parameters<typeof imageHistory>[0], env: string, app: string, current: string): { version?: number; image: string } {
    const images = imageHistory(history, env, app);
    const prev = images.find((x) => x.image !== current);
    if (!prev)
        throw new OpsError(
            images.length === 0
                ? `no successful update of the stack recorded an image for ${env}/${app}: nothing to roll back to`
                : `every successful update ran ${env}/${app} with ${current}: nothing to roll back to (pass --to <image> to choose one)`,
        );
    return prev;
}

/** The config path a rollback sets (`pulumi config set --path`). */
export const imageConfigPath = (env: string, app: string) => `${NAMESPACE}:environments.${env}.apps.${app}.image`;
