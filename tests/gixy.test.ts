// gixy-ng, a static security analyzer for nginx configs, on every rendered nginx.conf: each
// example stack and a stack with every kind of route (basic auth, allow-list, Prometheus on a
// sub-path). No finding is accepted, with one documented exception: self-signed stacks send no
// HSTS on purpose (a browser would then refuse to let anyone past the untrusted certificate).
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PlatformModel } from "../config/model";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { baseConfig, sourceOf, STACKS } from "./fixtures";
import { renderInto, tmpDir } from "./support/nginx";

const CANDIDATES = [process.env.GIXY, path.join(os.homedir(), ".cache", "hostplane", "gixy-venv", "bin", "gixy")];

function requireGixy(ctx: Mocha.Context): string {
    const found = CANDIDATES.find((p) => p && fs.existsSync(p)) ?? (spawnSync("gixy", ["--version"]).status === 0 ? "gixy" : undefined);
    if (found) return found;
    if (process.env.CI === "true") assert.fail("gixy-ng is not installed; CI must run it (bash scripts/gixy.sh)");
    console.log("    (skipped: no gixy; install it with: bash scripts/gixy.sh)");
    ctx.skip();
}

function findings(gixy: string, model: PlatformModel): { plugin: string; severity: string; summary: string; file: string }[] {
    const dir = tmpDir("gixy");
    try {
        const conf = renderInto(model, dir);
        const skips = model.proxy.tls.mode === "selfsigned" ? ["--skips", "hsts_header"] : [];
        const r = spawnSync(gixy, ["-f", "json", ...skips, conf], { encoding: "utf8", timeout: 60000 });
        assert.ok(r.status === 0 || r.status === 1, `gixy exited ${r.status}: ${r.stderr}`);
        return JSON.parse(r.stdout || "[]");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("gixy-ng on the rendered nginx config", function () {
    this.timeout(120000);
    for (const stack of STACKS)
        it(`stack ${stack}: no findings`, function () {
            const gixy = requireGixy(this);
            const f = findings(gixy, loadPlatformModel(fromStackFile(stackFile(stack))));
            assert.deepStrictEqual(f.map((x) => `${x.plugin} ${x.severity}: ${x.summary} (${path.basename(x.file)})`), []);
        });

    it("a stack with basic auth, allow-lists, Prometheus on a sub-path and Let's Encrypt: no findings", function () {
        const gixy = requireGixy(this);
        const cfg = baseConfig();
        cfg.proxy = { tls: { mode: "letsencrypt", email: "ops@example.com" } };
        cfg.monitoring = { ui: { grafana: { host: "example.com", path: "/grafana" }, prometheus: { host: "example.com", path: "/prometheus", allowFrom: ["10.0.0.0/8"] } } };
        cfg.environments.production.apps.worker.routes = [{ path: "/admin", basicAuth: true }, { path: "/internal", allowFrom: ["10.0.0.0/8"] }];
        const f = findings(gixy, loadPlatformModel(sourceOf(cfg)));
        assert.deepStrictEqual(f.map((x) => `${x.plugin} ${x.severity}: ${x.summary}`), []);
    });
});
