// Host ports a stack publishes, each with the config key that sets it, and the check that none
// is already taken on this machine by something other than the stack itself. Used by
// `npm run local:up` before anything is created (5432 and 8080 are often taken on a laptop).
import * as net from "net";
import type { PlatformModel } from "../../config/model";

export interface PublishedPort {
    port: number;
    /** Address the port is published on: 0.0.0.0 for the proxy, 127.0.0.1 for hostPort. */
    address: string;
    /** The config key to change, with the offset that applies to it. */
    key: string;
    what: string;
}

const NS = "hostplane";

export function publishedPorts(model: PlatformModel): PublishedPort[] {
    const ports: PublishedPort[] = [
        { port: model.proxy.ports.http, address: "0.0.0.0", key: `${NS}:proxy.ports.http`, what: "proxy (HTTP)" },
        { port: model.proxy.ports.https, address: "0.0.0.0", key: `${NS}:proxy.ports.https`, what: "proxy (HTTPS)" },
    ];
    for (const env of model.environments) {
        const at = `${NS}:environments.${env.name}`;
        for (const s of env.services)
            if (s.hostPort) ports.push({ port: s.hostPort, address: "127.0.0.1", key: `${at}.services.${s.name}.hostPort`, what: `${s.name} of ${env.name}` });
        for (const a of env.apps)
            if (a.hostPort)
                ports.push({
                    port: a.hostPort,
                    address: "127.0.0.1",
                    key: `${at}.apps.${a.name}.hostPort`,
                    what: `${a.name} of ${env.name}${env.portOffset ? `, with portOffset ${env.portOffset}` : ""}`,
                });
    }
    return ports;
}

/** True when nothing listens on address:port (we could bind it ourselves). */
export function portFree(port: number, address: string): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once("error", (e: NodeJS.ErrnoException) => resolve(e.code !== "EADDRINUSE"));
        server.listen({ port, host: address, exclusive: true }, () => server.close(() => resolve(true)));
    });
}

/**
 * Messages for ports that are taken by something else. `ownPorts` are the ports the stack's own
 * containers publish already (a second run must not trip over itself).
 */
export async function takenPortMessages(ports: PublishedPort[], ownPorts: Set<number>, stackFile: string): Promise<string[]> {
    const out: string[] = [];
    for (const p of ports) {
        if (ownPorts.has(p.port) || (await portFree(p.port, p.address))) continue;
        out.push(
            `port ${p.port} on ${p.address} (${p.what}) is already in use on this machine by another program; ` +
                `free it, or set ${p.key} to a free port in ${stackFile}`,
        );
    }
    return out;
}
