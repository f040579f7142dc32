// Collects a compose bundle while the per-concern renderers (apps, data services, monitoring,
// proxy) add to it, and gives them the fields every hostplane container shares: restart policy,
// json-file log rotation, labels, CPU/memory limits (swap = memory) and the health check in
// Docker's own duration spelling.
import * as path from "path";
import type { PlatformModel } from "../../config/model";
import { dockerDuration } from "../../config/units";
import { labelsFor } from "../../components/labels";
import { SECURITY_OPTS } from "../../components/container-spec";
import { HOST_ROOT, HostFile } from "../files";
import { dockerLogOpts } from "../log-opts";
import { ComposeService, DependsCondition, LAYOUT, SecretFile, SecretLookup, SecretValue } from "./types";

export interface HealthInput {
    test: string[];
    interval: string;
    timeout: string;
    retries: number;
    startPeriod: string;
}

export interface BaseSpec {
    image: string;
    labels: Record<string, string>;
    networks: NonNullable<ComposeService["networks"]>;
    health?: HealthInput;
    cpus: number;
    memoryMb: number;
    restart?: string;
    graceSeconds?: number;
}

export class ComposeBuilder {
    readonly services: Record<string, ComposeService> = {};
    readonly volumes = new Set<string>();
    readonly networks = new Set<string>();
    readonly files: HostFile[] = [];
    readonly dirs = new Set<string>();
    readonly values = new Map<string, SecretValue>();
    readonly secretFiles: SecretFile[] = [];

    constructor(readonly model: PlatformModel) {}

    add(name: string, service: ComposeService): void {
        if (this.services[name]) throw new Error(`compose: two services named ${name}`);
        this.services[name] = service;
    }

    /** Fields every container shares. */
    base(spec: BaseSpec): ComposeService {
        const { model } = this;
        for (const n of Object.keys(spec.networks)) this.networks.add(n);
        return {
            image: spec.image,
            // No network: the project's default one (certbot, like its container on Docker's bridge).
            ...(Object.keys(spec.networks).length ? { networks: spec.networks } : {}),
            ...(spec.health ? { healthcheck: health(spec.health) } : {}),
            cpus: spec.cpus,
            mem_limit: `${spec.memoryMb}m`,
            memswap_limit: `${spec.memoryMb}m`,
            security_opt: [...SECURITY_OPTS],
            restart: spec.restart ?? "unless-stopped",
            logging: { driver: "json-file", options: dockerLogOpts(model.logs) },
            labels: spec.labels,
            ...(spec.graceSeconds ? { stop_grace_period: `${spec.graceSeconds}s` } : {}),
        };
    }

    labels(extra: Record<string, string>): Record<string, string> {
        return Object.fromEntries(labelsFor(this.model, extra).map((l) => [l.label as string, l.value as string]));
    }

    /** A named volume (compose scopes it to the project). */
    volume(name: string, target: string, readOnly = false): string {
        this.volumes.add(name);
        return `${name}:${target}${readOnly ? ":ro" : ""}`;
    }

    /** Plain host files rendered for /opt/hostplane/<dir>: written under files/<dir>, mounted read-only. */
    hostFiles(files: HostFile[]): void {
        for (const f of files) this.files.push({ ...f, path: hostPath(f.path) });
    }

    /** A bind mount of a host path hostplane uses under /opt/hostplane, relative to the compose file. */
    bind(hostAbs: string, target: string, readOnly = true): string {
        return `./${hostPath(hostAbs)}:${target}${readOnly ? ":ro" : ""}`;
    }

    /** A host directory the container writes to (created by the CLI, not by root-owned Docker). */
    writableDir(hostAbs: string, target: string): string {
        this.dirs.add(hostPath(hostAbs));
        return this.bind(hostAbs, target, false);
    }

    value(key: string, source: SecretValue["source"]): string {
        this.values.set(key, { key, source });
        return key;
    }

    /** A secret file, bind-mounted read-only at `target`. */
    secret(file: string, content: (s: SecretLookup) => string, target: string, uid?: number): string {
        this.secretFile(file, content, uid);
        return `./${LAYOUT.secrets}/${file}:${target}:ro`;
    }

    secretFile(file: string, content: (s: SecretLookup) => string, uid?: number): string {
        if (!this.secretFiles.some((f) => f.path === file)) this.secretFiles.push({ path: file, content, uid });
        return `./${LAYOUT.secrets}/${file}`;
    }
}

export const depends = (names: string[], condition: DependsCondition = "service_healthy"): Record<string, { condition: DependsCondition }> =>
    Object.fromEntries(names.map((n) => [n, { condition }]));

function health(h: HealthInput) {
    return { test: h.test, interval: dockerDuration(h.interval), timeout: dockerDuration(h.timeout), retries: h.retries, start_period: dockerDuration(h.startPeriod) };
}

/** /opt/hostplane/proxy/nginx.conf -> files/proxy/nginx.conf */
function hostPath(abs: string): string {
    if (!abs.startsWith(HOST_ROOT + "/")) throw new Error(`compose: host path outside ${HOST_ROOT}: ${abs}`);
    return path.posix.join(LAYOUT.files, abs.slice(HOST_ROOT.length + 1));
}

/** Compose reads `$` in any string as interpolation: `$$` is a literal dollar. */
export const escapeDollars = (s: string) => s.replace(/\$/g, "$$$$");
