// The nginx proxy (and certbot) in compose, from the same workload specs as components/proxy.ts
// (spec/proxy.ts: image, start command with the certificate watcher, published ports, networks,
// health check, limits); its rendered config from files/proxy, certificates and basic-auth files
// from the bundle's directories (made by the CLI). Compose has no `nginx -t` gate before a config
// goes live: run `compose exec proxy nginx -t` yourself.
import { certbotWorkload, proxyWorkload } from "../../spec/proxy";
import type { MountSpec } from "../../spec/workload";
import { CONTAINER_AUTH_DIR, CONTAINER_CERT_DIR, renderNginx } from "../nginx";
import { ComposeBuilder } from "./builder";
import { LAYOUT } from "./types";
import { composeWorkload } from "./workload";

export function renderProxy(b: ComposeBuilder): void {
    const { model } = b;
    const proxy = model.proxy;
    b.hostFiles(renderNginx(model));
    const aliases = [...new Set(proxy.routes.filter((r) => r.basicAuth).map((r) => r.alias))].sort();
    for (const alias of aliases) {
        const key = b.value(`proxy/basic-auth/${alias}`, { generate: 24 });
        b.secretFile(`proxy-auth/${alias}.htpasswd`, (l) => `admin:${l.hash(key)}\n`);
    }
    const spec = proxyWorkload(model);
    // The ports label is the program's (a dual-stack port list Docker reads back reordered).
    const { ports: _ports, ...labels } = spec.labels;
    b.add("proxy", composeWorkload(b, spec, { labels, mount: (m) => proxyMount(m) }));
    if (proxy.tls.mode === "provided") providedCertificates(b, proxy.tls);
    if (proxy.tls.mode === "letsencrypt") {
        const certbot = certbotWorkload(model);
        b.add("certbot", { ...composeWorkload(b, certbot, { mount: (m) => proxyMount(m, false) }), depends_on: { proxy: { condition: "service_started" } } });
    }
}

/** Certificates and basic-auth files come from the bundle's directories (made by the CLI), not volumes. */
function proxyMount(m: MountSpec, readOnly = true): string | undefined {
    if (m.type !== "volume") return undefined;
    const dir = m.target === CONTAINER_CERT_DIR ? LAYOUT.certs : m.target === CONTAINER_AUTH_DIR ? LAYOUT.auth : undefined;
    return dir ? `./${dir}:${m.target}${readOnly ? ":ro" : ""}` : undefined;
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
