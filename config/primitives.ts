// zod primitives the stack schema (schema.ts) and the data-service kinds (catalog/) share: sizes,
// durations, ports, names, image references, host names and route paths, with the error messages
// users see. A leaf: imports nothing of ours but the unit parsers.
import { z } from "zod";
import { durationToSeconds, memoryToMegabytes } from "./units";

/** Docker memory sizes as `docker run --memory` understands them: 512M, 2G, 1.5G. */
export const MEMORY_PATTERN = /^[0-9]+(\.[0-9]+)?[kKmMgG]$/;
/** Docker refuses less than 6 MB; more than 1 TB is a typo on any single host. */
const MEMORY_MIN_MB = 6;
const MEMORY_MAX_MB = 1024 * 1024;
export const memory = z
    .string()
    .regex(MEMORY_PATTERN, {
        error: `expected a Docker memory size: a number with unit K, M or G, like 512M or 2G (not 2GB or 2048)`,
    })
    .refine((m) => !MEMORY_PATTERN.test(m) || (memoryToMegabytes(m) >= MEMORY_MIN_MB && memoryToMegabytes(m) <= MEMORY_MAX_MB), {
        error: `expected at least ${MEMORY_MIN_MB}M (Docker's minimum) and at most ${MEMORY_MAX_MB / 1024}G`,
    });
/** Docker's CPU quota has a 0.01 granularity: less is rounded to 0, which means unlimited. */
export const cpus = z.number().min(0.01).max(64);

/** Go-style durations as Docker health checks take them: 500ms, 15s, 1m30s. */
export const DURATION_PATTERN = /^([0-9]+(ms|s|m|h))+$/;
export const duration = z.string().regex(DURATION_PATTERN, {
    error: `expected a duration like 15s, 90s or 1m30s`,
});
/** Intervals, timeouts: 0s or 500ms are accepted by Docker but mean "never" or a busy loop. */
export const atLeastOneSecond = duration.refine((d) => !DURATION_PATTERN.test(d) || durationToSeconds(d) >= 1, { error: "expected at least 1s" });

export const port = z.number().int().min(1).max(65535);
/** Request body sizes as nginx's client_max_body_size takes them: 10m, 512k, 1g (0 = unlimited). */
export const BODY_SIZE_PATTERN = /^[0-9]+[kmg]?$/;
export const bodySize = z.string().regex(BODY_SIZE_PATTERN, { error: "expected an nginx size like 10m, 512k or 1g" });
export const configKeyName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, { error: "expected a camelCase config key name" });
export const imageRef = z.string().regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, {
    error: "expected a Docker image reference like registry.example.com/api:1.4.2",
});
export const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, {
    error: "expected an environment variable name in UPPER_SNAKE_CASE",
});
// At most 64 characters: a routed host becomes a certificate's common name (openssl -subj /CN=,
// certbot's first -d), which X.509 caps at 64, and nginx's conf.d/<host>.conf file name.
export const hostname = z
    .string()
    .regex(/^(?=.{1,64}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
        error: "expected a lowercase DNS host name like api.example.com of at most 64 characters (a certificate's common name)",
    });

/** A route's URL path: one normal form per location. */
// `//`, `/api/` or `/a/../b` would render a second, overlapping nginx location for the same
// prefix (or one that never matches).
export const routePath = z.string().regex(/^\/$|^(\/(?!\.{1,2}(\/|$))[A-Za-z0-9._~-]+)+$/, {
    error: "expected a URL path like /api or /api/v1 (letters, digits, . _ ~ -; no empty, . or .. segments, no trailing /)",
});
/** Client addresses or CIDRs (nginx `allow`). */
export const allowFrom = z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/, { error: "expected an IP address or CIDR like 10.0.0.0/8" }));

/** A Swarm node label as hostplane uses it (a role like edge, data, gpu): apps and data services are placed by it. */
export const nodeLabel = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "expected a node label of lowercase letters, digits and '-', like edge or data" });
/** Where a workload runs in a cluster: on nodes carrying every one of these labels. */
export const placement = z.array(nodeLabel).min(1);
/** Tasks of a workload in a cluster (a Swarm service's replicas). */
export const replicas = z.number().int().min(1).max(100);
