// The URLs a newcomer opens after `npm run local:up`, and a check that each one answers. Routed
// host names (*.localhost) are reached on 127.0.0.1 with the right Host header and SNI, so the
// check does not depend on the machine's resolver.
import * as http from "http";
import * as https from "https";
import type { PlatformModel } from "../../config/model";

export interface StackUrl {
    what: string;
    url: string;
}

export function stackUrls(model: PlatformModel): StackUrl[] {
    const { http: httpPort, https: httpsPort } = model.proxy.ports;
    const suffix = (port: number, dflt: number) => (port === dflt ? "" : `:${port}`);
    const urls: StackUrl[] = model.proxy.routes.map((r) => ({
        what: `${r.app} via the proxy${r.basicAuth ? " (basic auth: pulumi stack output proxy --show-secrets)" : ""}`,
        url: `https://${r.host}${suffix(httpsPort, 443)}${r.path}`,
    }));
    if (model.proxy.routes.length > 0) urls.push({ what: "proxy (HTTP, redirects to HTTPS)", url: `http://${model.proxy.routes[0].host}${suffix(httpPort, 80)}/` });
    for (const env of model.environments)
        for (const a of env.apps) if (a.hostPort) urls.push({ what: `${a.name} directly`, url: `http://127.0.0.1:${a.hostPort}/` });
    return urls;
}

/** The HTTP status the URL answers with (any status counts as answering), or an error text. */
export function probeUrl(url: string, timeoutMs = 5000): Promise<{ status?: number; error?: string }> {
    const u = new URL(url);
    const secure = u.protocol === "https:";
    const options: https.RequestOptions = {
        host: "127.0.0.1",
        port: Number(u.port || (secure ? 443 : 80)),
        path: u.pathname + u.search,
        headers: { Host: u.host },
        timeout: timeoutMs,
        // The local stack's certificate is self-signed: this checks that the proxy answers, not trust.
        ...(secure ? { servername: u.hostname, rejectUnauthorized: false } : {}),
    };
    return new Promise((resolve) => {
        const req = (secure ? https : http).get(options, (res) => {
            res.resume();
            resolve({ status: res.statusCode });
        });
        req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on("error", (e) => resolve({ error: e.message }));
    });
}
