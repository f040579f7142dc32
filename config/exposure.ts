// Who may reach a route: admin tools (recognised by image, config/admin-tools.ts) must not be
// served to the whole internet by accident. Each route of one needs basicAuth or allowFrom, or
// an explicit `public: true`.
import { adminToolOf } from "./admin-tools";
import type { ConfigIssue } from "./errors";
import type { StackConfigParsed } from "./schema";

export function exposureIssues(cfg: StackConfigParsed, key: (path: PropertyKey[]) => string): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const [envName, env] of Object.entries(cfg.environments))
        for (const [appName, app] of Object.entries(env.apps)) {
            const tool = adminToolOf(app.image);
            app.routes.forEach((r, i) => {
                const at = ["environments", envName, "apps", appName, "routes", i];
                const guarded = r.basicAuth || (r.allowFrom?.length ?? 0) > 0;
                if (r.public && guarded)
                    issues.push({ key: key([...at, "public"]), message: "public: true contradicts basicAuth/allowFrom on the same route; expected one or the other" });
                else if (tool && !guarded && !r.public)
                    issues.push({
                        key: key(at),
                        message: `image ${app.image} is ${tool.name}, an admin tool: expected basicAuth: true or allowFrom on this route, or public: true to serve it to everyone on purpose`,
                    });
            });
        }
    return issues;
}
