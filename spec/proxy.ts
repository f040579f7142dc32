// Workload specs of the proxy (pure): nginx, the only container that publishes ports, and
// certbot next to it in letsencrypt mode. components/proxy.ts delivers the config, certificates
// and htpasswd files before nginx starts and reloads it; the runtime runs these.
import type { PlatformModel } from "../config/model";
import { CONTAINER_ACME_WEBROOT, CONTAINER_AUTH_DIR, CONTAINER_CERT_DIR, CONTAINER_CONF_DIR, PROXY_HOST_DIR } from "../render/nginx";
import type { VolumeSpec, WorkloadSpec } from "./workload";

/** Memory limits (MB) of the proxy's own containers. */
const PROXY_MEMORY_MB = 256;
const CERTBOT_MEMORY_MB = 256;
export const CERTBOT_IMAGE = "certbot/certbot:v5.8.0";

/** The proxy's volumes: certificates, basic-auth files, ACME webroot and certbot's state. */
/** What the proxy's specs read of the model. */
type ProxyInput = Pick<PlatformModel, "prefix" | "proxy" | "monitoringNetworkName">;

export function proxyVolumes(model: Pick<PlatformModel, "prefix">): Record<"certs" | "auth" | "acme" | "letsencrypt", VolumeSpec> {
    const base = `${model.prefix}-proxy`;
    const labels = { service: "proxy" };
    return {
        certs: { name: `${base}-certs`, labels },
        // Resource name and volume name differ (kept: a renamed resource would replace the volume).
        auth: { name: `${base}-auth`, resourceName: `${base}-htpasswd`, labels },
        acme: { name: `${base}-acme`, labels },
        letsencrypt: { name: `${base}-letsencrypt`, labels: { service: "certbot" } },
    };
}

/**
 * nginx: fixed name and published ports (IPv6 too wherever the stack outputs AAAA records: ssh
 * and hcloud hosts; docker-proxy carries it to the container's IPv4 address), so a replacement
 * (image change only) deletes the old one first: a short, deliberate interruption. The config,
 * certificate and auth volumes read-only; the environment networks it routes to, and the
 * monitoring network when it serves a monitoring UI.
 */
export function proxyWorkload(model: ProxyInput): WorkloadSpec {
    const proxy = model.proxy;
    const v = proxyVolumes(model);
    // Certificates change outside a config reload (certbot renewals, a new provided certificate):
    // a watcher next to nginx reloads it within a minute of any change in the certs volume.
    const certsSum = `cat ${CONTAINER_CERT_DIR}/*/*.pem 2>/dev/null | md5sum`;
    const publish = (proxy.ipv6 ? ["0.0.0.0", "::"] : ["0.0.0.0"]).flatMap((ip) => [
        { internal: 80, external: proxy.ports.http, ip },
        { internal: 443, external: proxy.ports.https, ip },
    ]);
    const ports = publish.map((p) => ({ ...p, protocol: "tcp" }));
    return {
        name: "proxy",
        resourceName: `${model.prefix}-proxy-container`,
        image: proxy.image,
        command: [
            "sh",
            "-c",
            `old=$(${certsSum}); (while :; do sleep 60; new=$(${certsSum}); if [ "$new" != "$old" ]; then old=$new; nginx -s reload; fi; done) & ` +
                `exec nginx -c ${CONTAINER_CONF_DIR}/nginx.conf -g 'daemon off;'`,
        ],
        publish,
        networks: [...proxy.environments.map((name) => ({ name })), ...(proxy.monitoring ? [{ name: model.monitoringNetworkName }] : [])],
        mounts: [
            { type: "bind", source: PROXY_HOST_DIR, target: CONTAINER_CONF_DIR, readOnly: true },
            { type: "volume", volume: v.certs, target: CONTAINER_CERT_DIR, readOnly: true },
            { type: "volume", volume: v.auth, target: CONTAINER_AUTH_DIR, readOnly: true },
            ...(proxy.tls.mode === "letsencrypt" ? [{ type: "volume" as const, volume: v.acme, target: CONTAINER_ACME_WEBROOT, readOnly: true }] : []),
        ],
        health: {
            // Alpine images have wget, Debian-based ones curl.
            test: ["CMD-SHELL", "curl -fsS -o /dev/null http://127.0.0.1/healthz || wget -q -O /dev/null http://127.0.0.1/healthz || exit 1"],
            interval: "10s",
            timeout: "5s",
            retries: 3,
            startPeriod: "10s",
        },
        waitSeconds: 90,
        // A limit like every other container (policy pack: container-memory-limit); nginx with a
        // few hundred connections stays far below it.
        cpus: 1,
        memoryMb: PROXY_MEMORY_MB,
        restart: "unless-stopped",
        labels: proxy.ipv6 ? { service: "proxy", kind: "proxy", ports: JSON.stringify(ports) } : { service: "proxy", kind: "proxy" },
        graceSeconds: 10,
        deleteFirst: true,
        // Docker reads the two bindings of one port (0.0.0.0 and ::) back in the reverse of the
        // order they were created in, so a dual-stack list never compares equal and every `up`
        // would replace the proxy. The ports label carries the list instead: a changed port still
        // replaces the container (labels replace), a re-read order does not.
        ignoreChanges: proxy.ipv6 ? ["ports"] : [],
    };
}

/**
 * certbot (letsencrypt mode): the webroot challenge is served by nginx from the shared acme
 * volume; certificates are copied to /etc/nginx/certs/<host>/ (where nginx looks in every mode)
 * after each issue or renewal, and the proxy's certificate watcher reloads nginx within a minute.
 */
export function certbotWorkload(model: ProxyInput): WorkloadSpec {
    const tls = model.proxy.tls;
    if (tls.mode !== "letsencrypt") throw new Error("certbot runs in letsencrypt mode only");
    const v = proxyVolumes(model);
    const issue = model.proxy.hosts
        .map(
            (h) =>
                `certbot certonly --webroot -w /var/www/acme -d ${h} --email ${tls.email} --agree-tos --non-interactive --keep-until-expiring${tls.staging ? " --staging" : ""} ` +
                `&& mkdir -p /etc/nginx/certs/${h} && cp -L /etc/letsencrypt/live/${h}/fullchain.pem /etc/letsencrypt/live/${h}/privkey.pem /etc/nginx/certs/${h}/`,
        )
        .join("; ");
    return {
        name: "proxy-certbot",
        image: CERTBOT_IMAGE,
        entrypoint: ["sh", "-c"],
        // Twice a day, as Let's Encrypt recommends; certbot only renews what is due.
        command: [`trap exit TERM; while :; do ${issue}; sleep 12h & wait $!; done`],
        // On Docker's default bridge: it only needs the internet (and nginx serves its challenge).
        networks: [],
        mounts: [
            { type: "volume", volume: v.acme, target: "/var/www/acme" },
            { type: "volume", volume: v.certs, target: "/etc/nginx/certs" },
            { type: "volume", volume: v.letsencrypt, target: "/etc/letsencrypt" },
        ],
        // Healthy once Let's Encrypt has issued a certificate for every host (a failing challenge
        // shows as an unhealthy container, not only in its log); nothing waits for it.
        health: {
            test: ["CMD-SHELL", model.proxy.hosts.map((h) => `test -s /etc/letsencrypt/live/${h}/fullchain.pem`).join(" && ") || "true"],
            interval: "5m",
            timeout: "10s",
            retries: 3,
            startPeriod: "10m",
        },
        cpus: 0.5,
        memoryMb: CERTBOT_MEMORY_MB,
        restart: "unless-stopped",
        labels: { service: "certbot", kind: "proxy" },
        // No grace/mustRun, no deleteFirst: certbot keeps the provider's defaults, as deployed so
        // far. With its fixed name a replacement (a new certbot image) would fail until the old
        // container is removed; deleteFirst changes the resource's options, so it waits for an
        // announced graph change.
    };
}
