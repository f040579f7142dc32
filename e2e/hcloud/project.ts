// A temp copy of the project with a file backend, where the repo's own Pulumi.staging.yaml and
// Pulumi.production.yaml are used as they are, except that their `secure:` placeholders are
// replaced by dummy values set with `pulumi config set --secret` (the real CLI encrypts them).
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

const REPO = path.resolve(__dirname, "../..");
const SKIP = new Set(["node_modules", "e2e", "tests", "docs"]);

export interface PulumiResult {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

export class TempProject {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostplane-hcloud-"));
    /** HOME of the pulumi processes: the program writes the SSH key file under ~/.ssh. */
    readonly home = path.join(this.dir, ".home");

    constructor() {
        // The whole program (whatever directories it grows), not the tests, state or stack files.
        for (const entry of fs.readdirSync(REPO)) {
            if (SKIP.has(entry) || entry.startsWith(".") || /^Pulumi\..+\.ya?ml$/.test(entry)) continue;
            fs.cpSync(path.join(REPO, entry), path.join(this.dir, entry), { recursive: true });
        }
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.dir, "node_modules"));
        fs.mkdirSync(path.join(this.dir, ".state"));
        fs.mkdirSync(this.home);
    }

    /** Runs the real CLI in the copy (bounded by `timeoutSeconds`). */
    pulumi(args: string[], opts: { stdin?: string; timeoutSeconds?: number } = {}): Promise<PulumiResult> {
        const env = {
            ...process.env,
            HOME: this.home,
            PULUMI_BACKEND_URL: `file://${this.dir}/.state`,
            PULUMI_CONFIG_PASSPHRASE: "hcloud-preview-test-only",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
        };
        const started = Date.now();
        return new Promise((resolve) => {
            const child = execFile("pulumi", [...args, "--cwd", this.dir], { env, maxBuffer: 64 << 20, timeout: (opts.timeoutSeconds ?? 300) * 1000 }, (err, stdout, stderr) =>
                resolve({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
            );
            if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
        });
    }

    /**
     * Creates `stack` from the repo's Pulumi.<stack>.yaml: plain values as they are, every
     * `secure:` key set again with `pulumi config set --secret` from `secrets` (all required).
     */
    async initStack(stack: string, secrets: Record<string, string>): Promise<string[]> {
        const doc = YAML.parse(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8"));
        const secureKeys = Object.keys(doc.config).filter((k) => doc.config[k] !== null && typeof doc.config[k] === "object" && "secure" in doc.config[k]);
        for (const k of secureKeys) delete doc.config[k];
        // ghcr.io is not reachable here: no digest look-up of the example images (the look-up itself
        // is tested against a registry on loopback, npm run test:registry). Credentials stay.
        const images = doc.config["hostplane:images"];
        if (images?.registries) images.digests = "off";
        fs.writeFileSync(path.join(this.dir, `Pulumi.${stack}.yaml`), YAML.stringify(doc));
        await this.must(["stack", "init", stack, "--secrets-provider", "passphrase"]);
        for (const k of secureKeys) {
            if (secrets[k] === undefined) throw new Error(`no dummy value for the secret ${k} of Pulumi.${stack}.yaml`);
            // From stdin, so no value is on a command line.
            await this.must(["config", "set", "--secret", k, "--stack", stack], secrets[k]);
        }
        return secureKeys;
    }

    async must(args: string[], stdin?: string): Promise<PulumiResult> {
        const r = await this.pulumi(args, { stdin });
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
        return r;
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
