// redis.conf (catalog/redis.ts renders it) as `npm run render` shows it: the generated password as a placeholder.
import type { PlatformModel } from "../config/model";
import { renderRedisConf } from "../catalog/redis";
import { ofKind } from "../catalog";
import { HOST_ROOT, HostFile } from "./files";

/** What `npm run render` shows in place of the generated password. */
export const REDIS_PASSWORD_PLACEHOLDER = "<generated secret: /run/secrets/REDIS_PASSWORD>";

/** Every Redis service's redis.conf, for `npm run render` (password shown as a placeholder). */
export function renderRedisFiles(model: PlatformModel): HostFile[] {
    return model.environments.flatMap((env) =>
        env.services
            .filter((s) => s.settings.type === "redis")
            .map((s) => ({ path: `${HOST_ROOT}/${env.name}/${s.name}/redis.conf`, content: renderRedisConf(ofKind(s, "redis"), REDIS_PASSWORD_PLACEHOLDER), mode: 0o400 })),
    );
}
