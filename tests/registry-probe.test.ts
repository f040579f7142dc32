// The registry probe behind `images.source: auto`, against real HTTP servers on loopback: any answer
// of /v2/ counts (401 included), a closed port or a server that never answers does not, within the
// bound; a mirror written as http://host:port is asked over plain HTTP.
import * as assert from "assert";
import { spawn } from "child_process";
import { registryAnswers, registryV2Url } from "../lib/registry-probe";
import { freePort } from "./support/ports";

// The probe blocks (spawnSync, so config validation stays synchronous): the registry stand-in
// runs in a process of its own. MODE answer: 401 to every request, logging its path; MODE silent:
// accepts connections and never answers.
const STAND_IN = `
const mode = process.argv[1];
const server = require("http").createServer((req, res) => {
    if (mode === "silent") return;
    process.stdout.write("path " + req.url + "\\n");
    res.writeHead(401, { "www-authenticate": 'Basic realm="r"' });
    res.end();
});
server.listen(0, "127.0.0.1", () => process.stdout.write("port " + server.address().port + "\\n"));
`;

async function registryStandIn(mode: "answer" | "silent"): Promise<{ port: number; output: () => string; stop: () => void }> {
    const child = spawn(process.execPath, ["-e", STAND_IN, mode], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    for (let i = 0; i < 100 && !/port \d+/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    const port = Number(/port (\d+)/.exec(out)?.[1]);
    assert.ok(port > 0, `the stand-in did not start: ${out}`);
    return { port, output: () => out, stop: () => child.kill() };
}

describe("registry probe (images.source: auto)", function () {
    this.timeout(30000);

    it("writes the /v2/ URL of a registry as config names it", () => {
        assert.strictEqual(registryV2Url("registry-1.docker.io"), "https://registry-1.docker.io/v2/");
        assert.strictEqual(registryV2Url("mirror.internal:5000"), "https://mirror.internal:5000/v2/");
        assert.strictEqual(registryV2Url("http://127.0.0.1:5000/"), "http://127.0.0.1:5000/v2/");
    });

    it("a plain-HTTP mirror that answers 401 counts as reachable, and /v2/ is what is asked", async () => {
        const registry = await registryStandIn("answer");
        try {
            assert.strictEqual(registryAnswers(`http://127.0.0.1:${registry.port}`, 3000), true);
            await new Promise((r) => setTimeout(r, 100));
            assert.match(registry.output(), /^path \/v2\/$/m);
        } finally {
            registry.stop();
        }
    });

    it("a closed port, or a server that never answers, is unreachable within the bound", async () => {
        assert.strictEqual(registryAnswers(`http://127.0.0.1:${await freePort()}`, 2000), false);
        const silent = await registryStandIn("silent");
        try {
            const t0 = Date.now();
            assert.strictEqual(registryAnswers(`http://127.0.0.1:${silent.port}`, 2000), false);
            assert.ok(Date.now() - t0 < 3500, `took ${Date.now() - t0} ms`);
        } finally {
            silent.stop();
        }
    });
});
