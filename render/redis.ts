// redis.conf, from the model: the password (a generated secret) is the only input not in the
// model. The Redis component and the compose renderer deliver this text as a 0400 file owned by
// redis; `npm run render` shows it with a placeholder for the password.
import type { DataServiceModel, PlatformModel } from "../config/model";
import { HOST_ROOT, HostFile } from "./files";

/** What `npm run render` shows in place of the generated password. */
export const REDIS_PASSWORD_PLACEHOLDER = "<generated secret: /run/secrets/REDIS_PASSWORD>";

export function renderRedisConf(s: DataServiceModel, password: string): string {
    if (s.settings.type !== "redis") throw new Error(`${s.name} is not a redis service`);
    // maxmemory leaves room for fork-on-save and buffers.
    return (
        `# rendered by hostplane\nrequirepass ${password}\nappendonly ${s.settings.appendonly ? "yes" : "no"}\nappendfsync everysec\n` +
        `maxmemory ${Math.floor(s.memoryMb * 0.8)}mb\nmaxmemory-policy ${s.settings.maxmemoryPolicy}\ndir /data\nprotected-mode no\n`
    );
}

/** Every Redis service's redis.conf, for `npm run render` (password shown as a placeholder). */
export function renderRedisFiles(model: PlatformModel): HostFile[] {
    return model.environments.flatMap((env) =>
        env.services
            .filter((s) => s.settings.type === "redis")
            .map((s) => ({ path: `${HOST_ROOT}/${env.name}/${s.name}/redis.conf`, content: renderRedisConf(s, REDIS_PASSWORD_PLACEHOLDER), mode: 0o400 })),
    );
}
