// Schema parts every data-service kind's settings share: image override, limits, host port, and
// the proxy route of a management UI.
import { z } from "zod";
import { allowFrom, cpus, hostname, imageRef, memory, placement, port, replicas, routePath } from "../config/primitives";

/** Every field is optional: the kind (catalog/<kind>.ts) fills image, limits and health check. Credentials are always generated. */
export const serviceCommon = {
    /** Pinned image; each kind has a default. */
    image: imageRef.optional(),
    cpus: cpus.optional(),
    memory: memory.optional(),
    /** Publish on 127.0.0.1:(hostPort + environment portOffset) only, for SSH tunnels. */
    hostPort: port.optional(),
    /** Cluster only: the node labels that pin it (with its volume) to exactly one node. */
    placement: placement.optional(),
    /** Always 1 (single-instance, stateful); accepted so a value above 1 gets a clear error. */
    replicas: replicas.optional(),
};

/** A management UI (RabbitMQ, MinIO console) behind the proxy: always basic auth, never a published port. */
export const AdminUiRoute = z.strictObject({
    host: hostname.optional(),
    path: routePath.optional(),
    allowFrom: allowFrom.optional(),
});
