// The proxy's workload specs are pure: model in, plain data out, no Pulumi.
import * as assert from "assert";
import { fromStackFile, stackFile } from "../config/sources";
import { loadPlatformModel } from "../config/validate";
import { certbotWorkload, proxyWorkload } from "../spec/proxy";

const model = (stack: string) => loadPlatformModel(fromStackFile(stackFile(stack)));

describe("spec/proxy: nginx and certbot as workload specs", () => {
    it("nginx publishes 80/443 on every address family the stack serves; a dual-stack list is carried by a label", () => {
        for (const stack of ["local", "production"]) {
            const m = model(stack);
            const w = proxyWorkload(m);
            const ips = m.proxy.ipv6 ? ["0.0.0.0", "::"] : ["0.0.0.0"];
            assert.deepStrictEqual(w.publish?.map((p) => `${p.ip}:${p.external}->${p.internal}`), ips.flatMap((ip) => [`${ip}:${m.proxy.ports.http}->80`, `${ip}:${m.proxy.ports.https}->443`]));
            assert.deepStrictEqual(w.ignoreChanges, m.proxy.ipv6 ? ["ports"] : []);
            assert.strictEqual("ports" in w.labels, m.proxy.ipv6, stack);
            assert.ok(w.mounts!.every((x) => x.readOnly === true), `${stack}: config, certificates and auth read-only`);
            assert.deepStrictEqual(JSON.parse(JSON.stringify(w)), w, "plain data");
        }
    });

    it("nginx joins exactly the networks it routes to (and monitoring's when it serves a UI)", () => {
        const m = model("production");
        const names = proxyWorkload(m).networks.map((n) => n.name);
        assert.deepStrictEqual(names, [...m.proxy.environments, ...(m.proxy.monitoring ? [m.monitoringNetworkName] : [])]);
    });

    it("certbot only in letsencrypt mode: one issue command per host, healthy once every host has a certificate", () => {
        for (const stack of ["local", "staging", "production", "e2e"]) {
            const m = model(stack);
            if (m.proxy.tls.mode !== "letsencrypt") {
                assert.throws(() => certbotWorkload(m), /letsencrypt/);
                continue;
            }
            const w = certbotWorkload(m);
            for (const h of m.proxy.hosts) {
                assert.ok(w.command![0].includes(`-d ${h} `), h);
                assert.ok(w.health!.test[1].includes(`/etc/letsencrypt/live/${h}/fullchain.pem`), h);
            }
            assert.strictEqual(w.waitSeconds, undefined, "nothing waits for certbot");
        }
    });
});
