// The stack configuration schema: every `hostplane:*` key of a Pulumi.<stack>.yaml.
//
// zod was chosen over hand-written checks and over JSON-Schema validators (ajv) because the
// schema *is* the TypeScript type (z.infer), unknown keys are rejected by strictObject, and each
// issue carries the exact path that our error messages name. Cross-field rules (cycles, port
// collisions, duplicate routes, missing secrets) live in validate.ts.
import { z } from "zod";
import { Monitoring } from "./monitoring-schema";
import { DataService, type DataServiceConfig } from "../catalog";
import { allowFrom, atLeastOneSecond, bodySize, configKeyName, cpus, duration, envVarName, hostname, imageRef, memory, nodeLabel, placement, port, replicas, routePath } from "./primitives";
import { REGISTRY_FIELDS } from "./images";

export { BODY_SIZE_PATTERN, DURATION_PATTERN, MEMORY_PATTERN } from "./primitives";

/** Names that become parts of Docker names and DNS aliases. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const name = (what: string) =>
    z.string().regex(NAME_PATTERN, {
        error: `expected ${what} name of 2-32 lowercase letters, digits and '-', starting with a letter`,
    });

export const HealthcheckOverrides = z.strictObject({
    interval: atLeastOneSecond.optional(),
    timeout: atLeastOneSecond.optional(),
    retries: z.number().int().min(1).max(20).optional(),
    startPeriod: duration.optional(),
});

export const AppHealthcheck = HealthcheckOverrides.extend({
    /** HTTP path checked on the app's own port, e.g. /health. */
    // A URL, never shell code: the check passes it to curl/wget as an argument (config/model.ts).
    path: z
        .string()
        .regex(/^\/[A-Za-z0-9._~\/?=&%-]*$/, { error: "expected an HTTP path like /health (letters, digits and . _ ~ - / ? = & %)" })
        .optional(),
    /** A command run inside the container (exit 0 = healthy), for apps without HTTP. */
    command: z.array(z.string()).min(1).optional(),
});

export const Route = z.strictObject({
    host: hostname.optional(),
    path: routePath.optional(),
    /** Largest request body nginx accepts on this route (client_max_body_size); default proxy.clientMaxBodySize. */
    maxBodySize: bodySize.optional(),
    /** Admin UIs: require HTTP basic auth (user `admin`, generated password, a stack output secret). */
    basicAuth: z.boolean().default(false),
    /** Only these client addresses or CIDRs (nginx `allow`), everyone else gets 403. */
    allowFrom: allowFrom.optional(),
    /** Admin tools (config/admin-tools.ts) need basicAuth or allowFrom; true serves one to everyone on purpose. */
    public: z.boolean().default(false),
});

/** Where a secret value comes from. Values never live in this file in plain text. */
export const SecretSource = z.union([
    z.literal("generate"),
    z.strictObject({ generate: z.strictObject({ length: z.number().int().min(16).max(128) }) }),
    z.strictObject({
        /** A key set with `pulumi config set --secret hostplane:<key>`. */
        fromConfig: configKeyName,
    }),
], { error: "expected 'generate', { generate: { length: N } } or { fromConfig: <config key> }" });

export const RestartPolicy = z.enum(["no", "on-failure", "always", "unless-stopped"]);

export const App = z.strictObject({
    image: imageRef,
    port: port,
    command: z.array(z.string()).optional(),
    /** Plain, non-secret environment. Secrets go under `secrets`. */
    env: z.record(envVarName, z.string()).default({}),
    secrets: z.record(envVarName, SecretSource).default({}),
    /**
     * `file` (default): each secret is a 0400 file under /run/secrets and the app gets NAME_FILE.
     * `env`: for images that cannot read files, the value goes into NAME (still a Pulumi secret).
     */
    secretDelivery: z.enum(["file", "env"]).default("file"),
    /** The uid[:gid] the image runs as, so secret files are readable by it. */
    // A user of the image (name or uid). Docker 20.10 (Debian 12's docker.io) resolves it with the
    // image's passwd when secret files are uploaded, and cannot resolve "uid:gid": use a name there.
    user: z
        .string()
        .regex(/^([a-z_][a-z0-9_-]*|[0-9]+)(:([a-z_][a-z0-9_-]*|[0-9]+))?$/, { error: "expected a user of the image: a name or uid, optionally :group or :gid" })
        .optional(),
    healthcheck: AppHealthcheck,
    cpus: cpus,
    memory: memory,
    restart: RestartPolicy.optional(),
    routes: z.array(Route).default([]),
    metrics: z.strictObject({ path: z.string().startsWith("/").default("/metrics"), port: port.optional() }).optional(),
    dependsOn: z.array(z.string()).default([]),
    migration: z
        .strictObject({ command: z.array(z.string()).min(1), timeout: atLeastOneSecond.default("10m") })
        .optional(),
    /** Publish the app on 127.0.0.1:(hostPort + environment portOffset), for local use only. */
    hostPort: port.optional(),
    /** Cluster only: tasks of the app (a Swarm service's replicas); one container on a single host. */
    replicas: replicas.optional(),
    /** Cluster only: run on nodes carrying every one of these labels. */
    placement: placement.optional(),
});

// Data services: each kind's block is in its catalog file (catalog/<kind>.ts).
export { BackupSchedule } from "../catalog/postgres";
export { KAFKA_ZOOKEEPER_REMOVED } from "../catalog/kafka";

export const EnvironmentKind = z.enum(["production", "staging", "development"]);

export const Environment = z.strictObject({
    kind: EnvironmentKind,
    /** The environment's base domain; routes without a host are served on it. */
    domain: hostname,
    /** Added to every host port of the environment, so environments on one host never collide. */
    portOffset: z.number().int().min(0).max(1000).default(0),
    /**
     * Added to data services' host ports (127.0.0.1 only). Separate from portOffset because the
     * usual scheme steps databases by one (5432/5433/5434) and apps by ten (8001/8011/8021).
     */
    servicePortOffset: z.number().int().min(0).max(1000).default(0),
    apps: z.record(name("an app"), App).default({}),
    /** Data services of this environment, by name (apps name them in dependsOn). */
    services: z.record(name("a service"), DataService).default({}),
    /** Production data volumes are protected; true lets `pulumi destroy` delete them. */
    allowDataDestroy: z.boolean().default(false),
});

export const HostLocal = z.strictObject({ provider: z.literal("local") });
/** Swap file size the host bootstrap adds when the host has no swap: 2G, 512M; "0" = none. */
const swapSize = z.string().regex(/^(0|[0-9]+[MG])$/, { error: "expected a swap size like 2G or 512M, or \"0\" for none" });
const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/[0-9]{1,3}$/, { error: "expected a CIDR like 198.51.100.7/32 or 2001:db8::/48" });
export const HostSsh = z.strictObject({
    provider: z.literal("ssh"),
    // A host name or an IP: it ends up in ssh:// URLs and ssh command lines (no options, no user@).
    address: z
        .string()
        .regex(/^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*|[0-9a-fA-F:]*:[0-9a-fA-F:.]+)$/, {
            error: "expected a host name or IP address like host.example.com, 203.0.113.7 or 2001:db8::7",
        }),
    user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, { error: "expected a Unix user name" }).default("root"),
    port: port.default(22),
    /** Run scripts/host/bootstrap.sh (Docker if missing, hardening) before any Docker work. */
    bootstrap: z.boolean().default(true),
    swap: swapSize.default("2G"),
});
/** A Hetzner Cloud server created from scratch (components/hosts/hcloud.ts). Token: secret hcloud:token. */
export const HostHcloud = z.strictObject({
    provider: z.literal("hcloud"),
    serverType: z.string().regex(/^[a-z0-9-]+$/, { error: "expected a Hetzner server type like cx22 or cpx31" }).default("cx22"),
    location: z.string().regex(/^[a-z0-9-]+$/, { error: "expected a Hetzner location like fsn1, nbg1, hel1, ash" }).default("fsn1"),
    image: z.string().regex(/^[a-z0-9.-]+$/, { error: "expected a Hetzner image name like debian-12" }).default("debian-12"),
    /** OpenSSH public key installed for root; its private half is the secret hostplane:sshPrivateKey. */
    sshPublicKey: z.string().regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+=*( [^\n]*)?$/, {
        error: "expected an OpenSSH public key line like 'ssh-ed25519 AAAA... user@host'",
    }),
    /** Who may reach port 22; everyone by default. 80/443 are always open (the proxy). */
    adminCidrs: z.array(cidr).min(1).default(["0.0.0.0/0", "::/0"]),
    /** Size in GB of a Hetzner Volume mounted at /var/lib/docker; none by default. */
    dockerVolumeSize: z.number().int().min(10).max(10240).optional(),
    swap: swapSize.default("2G"),
    /** Hetzner's daily server backups (extra cost). */
    backups: z.boolean().default(false),
});
export const Host = z.discriminatedUnion("provider", [HostLocal, HostSsh, HostHcloud], {
    error: "expected host.provider to be one of local, ssh, hcloud",
});

/** One machine of a cluster: how it is reached (or created), its Swarm role and its labels. */
export const ClusterNode = z.strictObject({
    name: name("a node"),
    role: z.enum(["manager", "worker"], { error: "expected role manager or worker" }),
    /** Node labels (Swarm node labels hostplane.<label>=true): edge runs the proxy, others pin workloads. */
    labels: z.array(nodeLabel).default([]),
    host: Host,
    /** Address the other nodes reach this one at (swarm advertise address); default the ssh address, or the hcloud server's IPv4. */
    advertiseAddress: z.string().regex(/^[0-9.]+$|^[0-9a-fA-F:]*:[0-9a-fA-F:.]+$/, { error: "expected an IP address like 10.0.0.2" }).optional(),
});
/** Several hosts as one Docker Swarm (config/cluster.ts); instead of `host`. */
export const Cluster = z.strictObject({
    nodes: z.array(ClusterNode).min(1),
    /** Overlay networks with IPsec encryption (--opt encrypted) between nodes. */
    encrypted: z.boolean().default(true),
});

export const Defaults = z.strictObject({
    healthcheck: z
        .strictObject({
            interval: atLeastOneSecond.default("45s"),
            timeout: atLeastOneSecond.default("15s"),
            retries: z.number().int().min(1).max(20).default(5),
            startPeriod: duration.default("90s"),
        })
        .prefault({}),
    logs: z
        .strictObject({
            maxSize: z.string().regex(/^[1-9][0-9]*[kmg]$/, { error: "expected a json-file log size of at least 1 like 10m" }).default("10m"),
            maxFile: z.number().int().min(1).max(20).default(3),
        })
        .prefault({}),
    restart: RestartPolicy.default("unless-stopped"),
    /** Seconds the old container keeps serving after the new one is healthy, so DNS caches move over. */
    drainSeconds: z.number().int().min(0).max(300).default(10),
});

/** How the proxy gets its certificates. Every mode stores them under /etc/nginx/certs/<host>/. */
export const ProxyTls = z.discriminatedUnion(
    "mode",
    [
        /** Generated on the host, no network needed: local and staging. */
        z.strictObject({ mode: z.literal("selfsigned") }),
        /** One certificate (SAN or wildcard) for every routed host, from `pulumi config set --secret`. */
        z.strictObject({ mode: z.literal("provided"), certificate: configKeyName, privateKey: configKeyName }),
        /** certbot with the webroot challenge on port 80. */
        z.strictObject({
            mode: z.literal("letsencrypt"),
            // A plain address: it reaches certbot's command line inside a shell loop.
            email: z.string().regex(/^[A-Za-z0-9._%+-]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, {
                error: "expected the e-mail address Let's Encrypt sends expiry notices to (letters, digits and . _ % + - before the @)",
            }),
            /** Use Let's Encrypt's staging CA (untrusted certificates, generous rate limits). */
            staging: z.boolean().default(false),
        }),
    ],
    { error: "expected tls.mode to be one of selfsigned, provided, letsencrypt" },
);

export const Images = z.strictObject({
    /**
     * registry: pull every image as written. local-build: build a stand-in for each image from
     * Debian packages on the target host (images/README.md), for hosts that reach no registry.
     * auto: local-build when no registry answers (checked once per run), else registry.
     */
    source: z.enum(["registry", "local-build", "auto"], { error: "expected images.source to be one of registry, local-build, auto" }).default("registry"),
    /** Private registries and digest pinning (config/images.ts). */
    ...REGISTRY_FIELDS,
});

export const Proxy = z.strictObject({
    /** Pinned: the rendered config is tested against nginx 1.22 (Debian 12) syntax and runs on newer. */
    image: imageRef.default("nginx:1.30.5-alpine"),
    /** Host ports the proxy publishes on 0.0.0.0. Production keeps 80/443; a laptop may use 8080/8443. */
    ports: z.strictObject({ http: port.default(80), https: port.default(443) }).prefault({}),
    tls: ProxyTls.default({ mode: "selfsigned" }),
    /** client_max_body_size for routes that set no maxBodySize. */
    clientMaxBodySize: bodySize.default("10m"),
    /**
     * Per client address (nginx limit_req / limit_conn). Generous on purpose: they stop one client
     * from flooding the host, and never a rollout test or a benchmark from one machine.
     */
    limits: z
        .strictObject({
            requestsPerSecond: z.number().int().min(1).max(100000).default(2000),
            /** Requests above the rate that are still served at once (nodelay) before 429s. */
            burst: z.number().int().min(0).max(100000).default(4000),
            connectionsPerClient: z.number().int().min(1).max(100000).default(512),
        })
        .prefault({}),
});

/** Every plain (non-secret) `hostplane:*` key. Secret keys are free-form; see validate.ts. */
export const StackConfig = z.strictObject({
    /** Prefix of every Docker name on the host: containers, networks, volumes. */
    prefix: name("a prefix").default("hostplane"),
    /** One machine; or `cluster` for several (then this is absent). */
    host: Host.optional(),
    /** Several machines as one Docker Swarm; its first manager is where Docker resources are created. */
    cluster: Cluster.optional(),
    defaults: Defaults.prefault({}),
    /** The nginx reverse proxy; optional, defaults to self-signed TLS on 80/443. */
    proxy: Proxy.prefault({}),
    /** Where images come from (config/image-source.ts): pulled from registries or built locally. */
    images: Images.prefault({}),
    /** The monitoring stack (config/monitoring-schema.ts); optional, everything on by default. */
    monitoring: Monitoring.prefault({}),
    environments: z.record(name("an environment"), Environment).refine((e) => Object.keys(e).length > 0, {
        error: "expected at least one environment",
    }),
});

/** As parsed: `host` may be absent when a cluster is declared. */
export type StackConfigRaw = z.output<typeof StackConfig>;
/** As the rest of the program sees it: `host` is the machine Pulumi talks Docker to (a cluster's first manager). */
export type StackConfigParsed = Omit<StackConfigRaw, "host"> & { host: HostConfig };
export type ClusterConfig = z.output<typeof Cluster>;
export type AppConfig = z.output<typeof App>;
export type EnvironmentConfig = z.output<typeof Environment>;
export type HostConfig = z.output<typeof Host>;
export type { DataServiceConfig };
export type ProxyConfig = z.output<typeof Proxy>;
export type SecretSourceConfig = z.output<typeof SecretSource>;
