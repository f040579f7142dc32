// Pure renderers of the host bootstrap: the cloud-init user_data of a Hetzner server (hcloud) and
// the hardening files that scripts/host/bootstrap.sh puts on an existing host (ssh). Both make
// the same host: Docker Engine from Debian's packages, json-file log rotation defaults in
// daemon.json, SSH without passwords, unattended security upgrades, swap, and a marker when done.
import * as YAML from "yaml";
import type { PlatformModel } from "../config/model";
import { HOST_ROOT, HostFile } from "./files";

export const HOST_DIR = `${HOST_ROOT}/host`;
/** Written as the last step of cloud-init; the readiness check looks for it. */
/** What the host's files read of the model. */
export type HostRenderModel = Pick<PlatformModel, "host" | "logs" | "project" | "stack">;

export const READY_MARKER = "/var/lib/hostplane/cloud-init-done";
/** Lexically before cloud images' 50-cloud-init.conf: sshd takes the first value it reads. */
export const SSHD_DROPIN = "/etc/ssh/sshd_config.d/10-hostplane.conf";
export const APT_DROPIN = "/etc/apt/apt.conf.d/52hostplane-unattended-upgrades";
export const DOCKER_DATA = "/var/lib/docker";

export function daemonJson(logs: PlatformModel["logs"]): string {
    return JSON.stringify({ "log-driver": "json-file", "log-opts": { "max-size": logs.maxSize, "max-file": String(logs.maxFile) } }, null, 2) + "\n";
}

export const SSHD_HARDENING = [
    "# hostplane: keys only (password logins are the first thing scanners try).",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitEmptyPasswords no",
    "PermitRootLogin prohibit-password",
    "",
].join("\n");

export const UNATTENDED_UPGRADES = [
    "// hostplane: refresh package lists and install security updates every day.",
    'APT::Periodic::Update-Package-Lists "1";',
    'APT::Periodic::Unattended-Upgrade "1";',
    'APT::Periodic::AutocleanInterval "7";',
    "",
].join("\n");

/** Waits (up to 5 minutes) for the Hetzner volume, formats it if blank, mounts it at /var/lib/docker before Docker is installed. */
const MOUNT_DOCKER_VOLUME = [
    "set -eu",
    `mountpoint -q ${DOCKER_DATA} && exit 0`,
    'dev=""',
    'for i in $(seq 1 150); do dev=$(ls /dev/disk/by-id/scsi-0HC_Volume_* 2>/dev/null | head -n1); [ -n "$dev" ] && break; sleep 2; done',
    '[ -n "$dev" ] || { echo "hostplane: the Docker data volume is not attached" >&2; exit 1; }',
    'blkid "$dev" >/dev/null 2>&1 || mkfs.ext4 -q "$dev"',
    `mkdir -p ${DOCKER_DATA}`,
    `grep -q ' ${DOCKER_DATA} ' /etc/fstab || echo "UUID=$(blkid -s UUID -o value "$dev") ${DOCKER_DATA} ext4 discard,nofail,defaults 0 2" >> /etc/fstab`,
    `mount ${DOCKER_DATA}`,
].join("\n");

/** The cloud-config of a Hetzner server; its change replaces the server (user_data is create-only). */
export function renderCloudInit(model: HostRenderModel): string {
    const host = model.host;
    if (host.provider !== "hcloud") throw new Error(`cloud-init is rendered for host.provider hcloud, not ${host.provider}`);
    const doc: Record<string, unknown> = {
        package_update: true,
        package_upgrade: true,
        packages: ["docker.io", "unattended-upgrades", "apt-listchanges", "ca-certificates"],
        ssh_pwauth: false,
        disable_root: false,
        write_files: [
            { path: "/etc/docker/daemon.json", permissions: "0644", owner: "root:root", content: daemonJson(model.logs) },
            { path: SSHD_DROPIN, permissions: "0644", owner: "root:root", content: SSHD_HARDENING },
            { path: APT_DROPIN, permissions: "0644", owner: "root:root", content: UNATTENDED_UPGRADES },
        ],
        runcmd: [
            ["sh", "-c", "systemctl reload ssh || systemctl reload sshd || true"],
            ["systemctl", "enable", "--now", "docker", "unattended-upgrades"],
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            ["sh", "-c", `mkdir -p $(dirname ${READY_MARKER}) && date -u +%FT%TZ > ${READY_MARKER}`],
        ],
    };
    if (host.swap !== "0") doc.swap = { filename: "/swapfile", size: host.swap, maxsize: host.swap };
    if (host.dockerVolumeSize !== undefined) doc.bootcmd = [["sh", "-c", MOUNT_DOCKER_VOLUME]];
    const header = [
        "#cloud-config",
        `# hostplane ${model.project}/${model.stack}: Docker Engine (Debian packages), log rotation, SSH keys only,`,
        "# unattended security upgrades, swap. Rendered from the stack config; a change replaces the server.",
    ].join("\n");
    return `${header}\n${YAML.stringify(doc, { lineWidth: 0 })}`;
}

/** Environment of scripts/host/bootstrap.sh for an ssh host. */
export function bootstrapEnv(model: HostRenderModel): Record<string, string> {
    const host = model.host;
    return {
        HOSTPLANE_SWAP: host.provider === "ssh" || host.provider === "hcloud" ? host.swap : "0",
        HOSTPLANE_LOG_MAX_SIZE: model.logs.maxSize,
        HOSTPLANE_LOG_MAX_FILE: String(model.logs.maxFile),
    };
}

/** `npm run render`: what the host bootstrap puts on a new (hcloud) or existing (ssh) host. */
export function renderHostBootstrap(model: HostRenderModel): HostFile[] {
    const host = model.host;
    if (host.provider === "hcloud") return [{ path: `${HOST_DIR}/cloud-init.yaml`, content: renderCloudInit(model), mode: 0o644 }];
    if (host.provider === "ssh" && host.bootstrap) {
        const env = Object.entries(bootstrapEnv(model)).map(([k, v]) => `${k}=${v}`).join("\n");
        return [{ path: `${HOST_DIR}/bootstrap.env`, content: `# scripts/host/bootstrap.sh runs with:\n${env}\n`, mode: 0o644 }];
    }
    return [];
}
