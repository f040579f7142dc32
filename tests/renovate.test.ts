// renovate.json keeps the image catalog current only if its customManagers see every pin. This
// applies the managers' own patterns (managerFilePatterns, matchStrings) to the repository's
// files, and compares what they extract with every image pin found by a broad scan and with the
// images the program really runs (a compose render of every catalog kind): a pin moved to a new
// file or written in a new shape fails here instead of silently escaping Renovate. (The config
// itself is validated by renovate-config-validator in .ci/run.)
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { loadPlatformModel } from "../config/validate";
import { renderCompose } from "../render/compose";
import { baseConfig, sourceOf } from "./fixtures";

const REPO = path.resolve(__dirname, "..");
const config = JSON.parse(fs.readFileSync(path.join(REPO, "renovate.json"), "utf8"));

/** Renovate's "/regex/" pattern strings (globs are not used in our config). */
function filePattern(p: string): RegExp {
    const m = /^\/(.*)\/([a-z]*)$/.exec(p);
    assert.ok(m, `managerFilePatterns entry ${p} is not a /regex/`);
    return new RegExp(m[1], m[2]);
}

/** Tracked files (git), so build output and node_modules never count. */
const trackedFiles = (): string[] => execFileSync("git", ["ls-files"], { cwd: REPO, encoding: "utf8" }).split("\n").filter(Boolean);

/** "file → name:tag" for everything the managers extract. */
function extracted(files: string[]): Set<string> {
    const out = new Set<string>();
    for (const m of config.customManagers) {
        const patterns = (m.managerFilePatterns as string[]).map(filePattern);
        for (const f of files.filter((f) => patterns.some((p) => p.test(f)))) {
            const text = fs.readFileSync(path.join(REPO, f), "utf8");
            for (const s of m.matchStrings as string[])
                for (const hit of text.matchAll(new RegExp(s, "g"))) out.add(`${f} → ${hit.groups!.depName}:${hit.groups!.currentValue}`);
        }
    }
    return out;
}

/** Files that may hold image pins: product code, example stacks, image recipes (not tests). */
const scanned = (f: string) => /^(?!tests\/|e2e\/|bench\/).+\.ts$/.test(f) || /^Pulumi\.[^.]+\.yaml$/.test(f) || /^images\/.+\/Dockerfile$/.test(f);
const REF = "([a-z][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*):(v?[0-9][A-Za-z0-9._+-]*|RELEASE\\.[A-Za-z0-9._-]+)";
/**
 * A pin is a value that is nothing but name:tag with a version-like tag: a whole string literal
 * in TypeScript, a whole YAML value, a Dockerfile ARG default or FROM. Messages and comments that
 * mention an image inside a sentence pin nothing.
 */
const PIN_SHAPES: { files: RegExp; pattern: RegExp }[] = [
    { files: /\.ts$/, pattern: new RegExp(`["'\`]${REF}["'\`]`, "g") },
    { files: /\.yaml$/, pattern: new RegExp(`:\\s*["']?${REF}["']?\\s*(?:[,}#\\n]|$)`, "gm") },
    { files: /Dockerfile$/, pattern: new RegExp(`^(?:ARG \\w+=|FROM )${REF}`, "gm") },
];
/** Strings of that shape that are not images, with why. */
const NOT_IMAGES: Record<string, string> = {
    "api:8000": "an nginx error message quoted in a comment (render/nginx.ts)",
};

function scannedPins(files: string[]): Set<string> {
    const out = new Set<string>();
    for (const f of files.filter(scanned)) {
        // Doc comments name images as examples ("`docker.io/dpage/pgadmin4:8.12` -> ..."): not pins.
        const text = fs
            .readFileSync(path.join(REPO, f), "utf8")
            .split("\n")
            .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l))
            .join("\n");
        for (const { pattern } of PIN_SHAPES.filter((s) => s.files.test(f)))
            for (const m of text.matchAll(pattern)) if (!NOT_IMAGES[`${m[1]}:${m[2]}`]) out.add(`${f} → ${m[1]}:${m[2]}`);
    }
    return out;
}

describe("renovate.json: every image pin is seen by a custom manager", () => {
    const files = trackedFiles();

    it("every name:tag pin in code, example stacks and image recipes is extracted by some manager, in its own file", () => {
        const seen = extracted(files);
        const pins = [...scannedPins(files)];
        assert.ok(pins.length >= 20, `pins found by the scan: ${pins.length}`);
        assert.deepStrictEqual(pins.filter((p) => !seen.has(p)), [], "pins no customManager extracts (widen managerFilePatterns/matchStrings)");
    });

    it("the images the program runs (every data-service kind, PgBouncer, exporters, monitoring, proxy, certbot) are all among them", () => {
        const seen = new Set([...extracted(files)].map((e) => e.split(" → ")[1]));
        // A stack with every kind the catalog has, Let's Encrypt and the full monitoring stack,
        // rendered the way the program runs it (compose: one image per container).
        const cfg = baseConfig();
        cfg.proxy = { tls: { mode: "letsencrypt", email: "ops@example.com" } };
        cfg.environments.staging.services = Object.fromEntries(["postgres", "redis", "rabbitmq", "kafka", "mongodb", "minio"].map((t) => [`s-${t}`, { type: t }]));
        const compose = parseYaml(renderCompose(loadPlatformModel(sourceOf(cfg))).composeFile) as { services: Record<string, { image: string }> };
        const appImages = new Set(["ghcr.io/example/api:1.0.0"]);
        // The backup sidecars' image is built on the host FROM each service's (pinned) image.
        const used = [...new Set(Object.values(compose.services).map((c) => c.image))].filter((i) => !appImages.has(i) && !i.startsWith("hostplane-local/backup:"));
        assert.ok(used.length >= 15, `images in the render: ${used.join(", ")}`);
        assert.deepStrictEqual(used.filter((i) => !seen.has(i)), []);
    });

    it("managers extract nothing that is not a pin (no lookups of made-up images)", () => {
        const pins = scannedPins(files);
        assert.deepStrictEqual([...extracted(files)].filter((e) => !pins.has(e)), []);
    });

    it("the scan finds pins in each way we write them, and the managers' patterns compile as JavaScript regexes (Renovate's fallback)", () => {
        const ts = PIN_SHAPES[0].pattern;
        const yaml = PIN_SHAPES[1].pattern;
        for (const line of ['image: "postgres:16.4-bookworm",', 'prometheus: "prom/prometheus:v2.55.1",', '?? "edoburu/pgbouncer:v1.23.1-p2"'])
            assert.strictEqual([...line.matchAll(ts)].length, 1, line);
        for (const line of ["image: nginx:1.27-alpine", 'x: { image: "hostplane-e2e/redis:1", cpus: 1 }']) assert.strictEqual([...line.matchAll(yaml)].length, 1, line);
        assert.strictEqual([...'message: "expected e.g. registry.example.com/api:1.4.2"'.matchAll(ts)].length, 0);
        for (const m of config.customManagers) for (const s of m.matchStrings) assert.doesNotThrow(() => new RegExp(s, "g"));
    });
});
