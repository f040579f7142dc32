// Writes a compose bundle (render/compose.ts) to a directory: docker-compose.yml, the host files
// under files/, and secrets/ (0700): secret values generated once into secrets/values/ and kept
// across renders, user-set ones read from secrets/config/<key>, the secret files built from them,
// a self-signed certificate per routed host and crypt(3) hashes for basic auth (openssl).
import { execFileSync } from "child_process";
import { randomInt } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ComposeBundle, LAYOUT } from "../render/compose";
import type { SecretLookup } from "../render/compose/types";

const ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const generate = (length: number) => Array.from({ length }, () => ALPHANUM[randomInt(ALPHANUM.length)]).join("");

export interface WriteResult {
    written: string[];
    /** User-set secrets still missing: secrets/config/<key>. */
    missing: string[];
}

export function writeComposeBundle(bundle: ComposeBundle, out: string): WriteResult {
    const written: string[] = [];
    const write = (rel: string, content: string, mode: number) => {
        const dest = path.join(out, rel);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, content, { mode });
        fs.chmodSync(dest, mode);
        written.push(rel);
    };
    write("docker-compose.yml", bundle.composeFile, 0o644);
    for (const f of bundle.files) write(f.path, f.content, f.mode);
    for (const d of bundle.dirs) fs.mkdirSync(path.join(out, d), { recursive: true });

    const secrets = path.join(out, LAYOUT.secrets);
    fs.mkdirSync(secrets, { recursive: true, mode: 0o700 });
    fs.chmodSync(secrets, 0o700);
    const values = new Map<string, string>();
    const missing: string[] = [];
    for (const v of bundle.values) {
        if ("generate" in v.source) {
            const file = path.join(secrets, "values", v.key);
            if (!fs.existsSync(file)) {
                fs.mkdirSync(path.dirname(file), { recursive: true });
                fs.writeFileSync(file, generate(v.source.generate), { mode: 0o600 });
            }
            values.set(v.key, fs.readFileSync(file, "utf8"));
        } else {
            const file = path.join(secrets, "config", v.source.fromConfig);
            if (fs.existsSync(file)) values.set(v.key, fs.readFileSync(file, "utf8").replace(/\n$/, ""));
            else missing.push(path.join(LAYOUT.secrets, "config", v.source.fromConfig));
        }
    }
    if (missing.length) return { written, missing };
    const lookup: SecretLookup = {
        value: (k) => {
            const v = values.get(k);
            if (v === undefined) throw new Error(`compose: no secret value ${k}`);
            return v;
        },
        hash: (k) => execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: lookup.value(k), encoding: "utf8" }).trim(),
    };
    const root = process.getuid?.() === 0;
    for (const f of bundle.secretFiles) {
        const dest = path.join(secrets, f.path);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        // 0400 owned by the uid that reads it when we can chown; else 0444 (the 0700 secrets/
        // directory keeps other host users out; inside the container only the app reads it).
        const mode = root && f.uid !== undefined ? 0o400 : 0o444;
        fs.rmSync(dest, { force: true });
        fs.writeFileSync(dest, f.content(lookup), { mode });
        fs.chmodSync(dest, mode);
        if (root && f.uid !== undefined) fs.chownSync(dest, f.uid, f.uid);
        written.push(path.join(LAYOUT.secrets, f.path));
    }
    fs.mkdirSync(path.join(out, LAYOUT.auth), { recursive: true });
    for (const host of bundle.certificateHosts) selfSigned(path.join(out, LAYOUT.certs, host), host);
    return { written, missing };
}

/** A self-signed certificate, made once (like the Proxy component's bootstrap). */
function selfSigned(dir: string, host: string): void {
    if (fs.existsSync(path.join(dir, "fullchain.pem"))) return;
    fs.mkdirSync(dir, { recursive: true });
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "825", "-subj", `/CN=${host}`, "-addext", `subjectAltName=DNS:${host}`, "-keyout", path.join(dir, "privkey.pem"), "-out", path.join(dir, "fullchain.pem")], { stdio: "ignore" });
    fs.chmodSync(path.join(dir, "privkey.pem"), 0o600);
}
