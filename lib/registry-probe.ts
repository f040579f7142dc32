// Does a container registry answer from here? One bounded check (default 5 s) used to resolve
// `images.source: auto`: any HTTP answer from the registry's /v2/ endpoint (401 included) counts.
// Synchronous on purpose: config validation runs before the program registers any resource.
import { spawnSync } from "child_process";

/** Docker Hub's registry endpoint: every image a local-build recipe stands in for lives there. */
export const DOCKER_HUB_REGISTRY = "registry-1.docker.io";

const PROBE = `
const https = require("https");
const req = https.get({ host: process.argv[1], path: "/v2/", timeout: Number(process.argv[2]) }, (res) => { res.resume(); process.exit(0); });
req.on("timeout", () => { req.destroy(); process.exit(1); });
req.on("error", () => process.exit(1));
`;

export function registryAnswers(host = DOCKER_HUB_REGISTRY, timeoutMs = 5000): boolean {
    const r = spawnSync(process.execPath, ["-e", PROBE, host, String(timeoutMs - 500)], { timeout: timeoutMs, stdio: "ignore" });
    return r.status === 0;
}
