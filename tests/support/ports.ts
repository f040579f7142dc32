import * as net from "net";

/**
 * A loopback TCP port nobody listens on right now. Tests use it instead of a fixed number: a fixed
 * port in the ephemeral range (32768-60999) can be taken by any outgoing connection on the machine.
 */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}
