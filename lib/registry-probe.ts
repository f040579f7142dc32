// Does a container registry answer from here? One bounded check (default 5 s) used to resolve
// `images.source: auto`: any HTTP answer from the registry's /v2/ endpoint (401 included) counts.
// Synchronous on purpose: config validation runs before the program registers any resource.
import { spawnSync } from "child_process";

/** Docker Hub's registry endpoint: every image a local-build recipe stands in for lives there. */
export const DOCKER_HUB_REGISTRY = "registry-1.docker.io";

const PROBE = `
const [url, timeout] = process.argv.slice(1);
const req = require(url.startsWith("http:") ? "http" : "https").get(url, { timeout: Number(timeout) }, (res) => { res.resume(); process.exit(0); });
req.on("timeout", () => { req.destroy(); process.exit(1); });
req.on("error", () => process.exit(1));
`;

/** The /v2/ URL of a registry written as in config: host[:port], or http://host[:port] for plain HTTP. */
export function registryV2Url(server: string): string {
    return /^https?:\/\//.test(server) ? `${server.replace(/\/+$/, "")}/v2/` : `https://${server}/v2/`;
}

/** server: as in config (a mirror may be http://host:port); Docker Hub when omitted. */
export function registryAnswers(server = DOCKER_HUB_REGISTRY, timeoutMs = 5000): boolean {
    const r = spawnSync(process.execPath, ["-e", PROBE, registryV2Url(server), String(timeoutMs - 500)], { timeout: timeoutMs, stdio: "ignore" });
    return r.status === 0;
}
