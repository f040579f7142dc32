// The nginx proxy in compose, as components/proxy.ts: the same image, start command (with the
// certificate watcher), published ports, networks, health check and limits; its rendered config
// from files/proxy, certificates and basic-auth files from secrets/ (made by the CLI). Compose has
// no `nginx -t` gate before a config goes live: run `compose exec proxy nginx -t` yourself.
import type { PlatformModel } from "../../config/model";
import { CONTAINER_ACME_WEBROOT, CONTAINER_AUTH_DIR, CONTAINER_CERT_DIR, CONTAINER_CONF_DIR, PROXY_HOST_DIR, renderNginx } from "../nginx";
import { ComposeBuilder } from "./builder";
import { LAYOUT } from "./types";
import type { ComposeService } from "./types";

const PROXY_MEMORY_MB = 256;

export function renderProxy(b: ComposeBuilder): void {
    const { model } = b;
    const proxy = model.proxy;
    b.hostFiles(renderNginx(model));
    const networks: NonNullable<ComposeService["networks"]> = Object.fromEntries(proxy.environments.map((e) => [e, null]));
    if (proxy.monitoring) networks.monitoring = null;
    const aliases = [...new Set(proxy.routes.filter((r) => r.basicAuth).map((r) => r.alias))].sort();
    for (const alias of aliases) {
        const key = b.value(`proxy/basic-auth/${alias}`, { generate: 24 });
        b.secretFile(`proxy-auth/${alias}.htpasswd`, (l) => `admin:${l.hash(key)}\n`);
    }
    const certsSum = `cat ${CONTAINER_CERT_DIR}/*/*.pem 2>/dev/null | md5sum`;
    b.add("proxy", {
        ...b.base({
            image: proxy.image,
            labels: b.labels({ service: "proxy", kind: "proxy" }),
            networks,
            health: {
                test: ["CMD-SHELL", "curl -fsS -o /dev/null http://127.0.0.1/healthz || wget -q -O /dev/null http://127.0.0.1/healthz || exit 1"],
                interval: "10s",
                timeout: "5s",
                retries: 3,
                startPeriod: "10s",
            },
            cpus: 1,
            memoryMb: PROXY_MEMORY_MB,
            graceSeconds: 10,
        }),
        command: [
            "sh",
            "-c",
            `old=$(${certsSum}); (while :; do sleep 60; new=$(${certsSum}); if [ "$new" != "$old" ]; then old=$new; nginx -s reload; fi; done) & ` +
                `exec nginx -c ${CONTAINER_CONF_DIR}/nginx.conf -g 'daemon off;'`,
        ],
        // IPv6 too where the stack outputs AAAA records, as components/proxy.ts does.
        ports: (proxy.ipv6 ? ["0.0.0.0", "[::]"] : ["0.0.0.0"]).flatMap((ip) => [`${ip}:${proxy.ports.http}:80`, `${ip}:${proxy.ports.https}:443`]),
        volumes: [
            b.bind(PROXY_HOST_DIR, CONTAINER_CONF_DIR),
            `./${LAYOUT.certs}:${CONTAINER_CERT_DIR}:ro`,
            `./${LAYOUT.auth}:${CONTAINER_AUTH_DIR}:ro`,
            ...(proxy.tls.mode === "letsencrypt" ? [b.volume(`${model.prefix}-proxy-acme`, CONTAINER_ACME_WEBROOT, true)] : []),
        ],
    });
    if (proxy.tls.mode === "provided") providedCertificates(b, proxy.tls);
    if (proxy.tls.mode === "letsencrypt") certbot(b, proxy.tls);
}

/** tls.mode provided: the certificate and key from secrets/config/<key>, per host. */
function providedCertificates(b: ComposeBuilder, tls: { certificate: string; privateKey: string }): void {
    const cert = b.value(`config/${tls.certificate}`, { fromConfig: tls.certificate });
    const key = b.value(`config/${tls.privateKey}`, { fromConfig: tls.privateKey });
    for (const host of b.model.proxy.hosts) {
        b.secretFile(`proxy-certs/${host}/fullchain.pem`, (l) => l.value(cert) + "\n", 0);
        b.secretFile(`proxy-certs/${host}/privkey.pem`, (l) => l.value(key) + "\n", 0);
    }
}

/** certbot as in the Proxy component: webroot challenges through nginx, certificates copied for nginx. */
function certbot(b: ComposeBuilder, tls: Extract<PlatformModel["proxy"]["tls"], { mode: "letsencrypt" }>): void {
    const { model } = b;
    const issue = model.proxy.hosts
        .map(
            (h) =>
                `certbot certonly --webroot -w /var/www/acme -d ${h} --email ${tls.email} --agree-tos --non-interactive --keep-until-expiring${tls.staging ? " --staging" : ""} ` +
                `&& mkdir -p /etc/nginx/certs/${h} && cp -L /etc/letsencrypt/live/${h}/fullchain.pem /etc/letsencrypt/live/${h}/privkey.pem /etc/nginx/certs/${h}/`,
        )
        .join("; ");
    b.add("certbot", {
        ...b.base({
            image: "certbot/certbot:v5.8.0",
            labels: b.labels({ service: "certbot", kind: "proxy" }),
            networks: {},
            health: { test: ["CMD-SHELL", model.proxy.hosts.map((h) => `test -s /etc/letsencrypt/live/${h}/fullchain.pem`).join(" && ") || "true"], interval: "5m", timeout: "10s", retries: 3, startPeriod: "10m" },
            cpus: 0.5,
            memoryMb: 256,
        }),
        entrypoint: ["sh", "-c"],
        command: [`trap exit TERM; while :; do ${issue}; sleep 12h & wait $!; done`],
        volumes: [b.volume(`${model.prefix}-proxy-acme`, "/var/www/acme"), `./${LAYOUT.certs}:/etc/nginx/certs`, b.volume(`${model.prefix}-proxy-letsencrypt`, "/etc/letsencrypt")],
        depends_on: { proxy: { condition: "service_started" } },
    });
}
