// Bad configs a user can write, each with the exact message they get, before any resource exists.
import * as assert from "assert";
import { ConfigError, ConfigIssue } from "../config/errors";
import { loadPlatformModel } from "../config/validate";
import { IMAGE_RECIPES } from "../config/image-recipes";
import { KAFKA_ZOOKEEPER_REMOVED } from "../config/schema";
import { KINDS } from "../catalog";
import { baseConfig, sourceOf } from "./fixtures";

type Case = {
    name: string;
    mutate: (c: Record<string, any>) => void;
    /** Keys set with --secret (default: stripeApiKey). */
    secrets?: string[];
    /** Extra raw values (e.g. a plain value under a secret's key). */
    extra?: Record<string, unknown>;
    expect: ConfigIssue[];
};

const P = "hostplane:environments.production.apps";
const S = "hostplane:environments.staging.apps";

/** An age public key (age-keygen), and an off-host target that passes every check. */
const AGE_KEY = "age1qv8306tdv6dlxl748kdk5wx0n8aaxy8hnl9l0wxwgl03ztxmva7s76ad5n";
const S3 = { endpoint: "https://s3.example.com", bucket: "dumps", accessKeyId: "s3Key", secretAccessKey: "s3Secret", ageRecipients: [AGE_KEY] };

/** A node of a test cluster, reached over SSH. */
const node = (name: string, role: string, labels: string[], address: string) => ({ name, role, labels, host: { provider: "ssh", address, user: "hostplane" } });
/** The baseline stack on three nodes instead of one host: a manager on the edge, a data node, a plain worker. */
function onCluster(c: Record<string, any>, nodes: Record<string, unknown>[] = [node("n1", "manager", ["edge"], "10.0.0.2"), node("n2", "worker", ["data"], "10.0.0.3"), node("n3", "worker", [], "10.0.0.4")]) {
    delete c.host;
    c.cluster = { nodes };
}
const CLUSTER_SECRETS = ["stripeApiKey", "sshPrivateKey"];
const C = "hostplane:cluster.nodes";
const DB = "hostplane:environments.production.services.db";

// Clusters (config/cluster.ts, config/placement.ts): replicas, placement, managers.
const CLUSTER_CASES: Case[] = [
    {
        name: "replicas above 1 on a single host",
        mutate: (c) => (c.environments.production.apps.api.replicas = 3),
        expect: [{ key: `${P}.api.replicas`, message: "got 3; a single host runs one container of an app (its revisions roll side by side): expected 1, or declare hostplane:cluster" }],
    },
    {
        name: "placement on a single host",
        mutate: (c) => (c.environments.production.apps.api.placement = ["edge"]),
        expect: [{ key: `${P}.api.placement`, message: "is set, but the stack has one host; expected placement only with hostplane:cluster" }],
    },
    {
        name: "replicas above 1 for a stateful data service",
        mutate: (c) => (c.environments.production.services = { db: { type: "postgres", replicas: 2 } }),
        expect: [{ key: `${DB}.replicas`, message: "got 2; a postgres data service is stateful (one volume on one node) and runs single-instance: expected 1 (or leave it out)" }],
    },
    {
        name: "cluster: a placement label no node has",
        mutate: (c) => (onCluster(c), (c.environments.production.apps.api.placement = ["gpu"])),
        secrets: CLUSTER_SECRETS,
        expect: [{ key: `${P}.api.placement`, message: "label 'gpu' is on no node; expected one of the cluster's node labels: data, edge" }],
    },
    {
        name: "cluster: labels no single node carries together",
        mutate: (c) => (onCluster(c), (c.environments.production.apps.api.placement = ["edge", "data"])),
        secrets: CLUSTER_SECRETS,
        expect: [{ key: `${P}.api.placement`, message: "no node carries all of edge, data; expected labels one node has together" }],
    },
    {
        name: "cluster without a manager",
        mutate: (c) => onCluster(c, [node("n1", "worker", ["edge"], "10.0.0.2"), node("n2", "worker", [], "10.0.0.3")]),
        secrets: CLUSTER_SECRETS,
        expect: [{ key: C, message: "has no manager (nodes: n1, n2); expected at least one node with role: manager" }],
    },
    {
        name: "cluster with an even number of managers",
        mutate: (c) => onCluster(c, [node("n1", "manager", ["edge"], "10.0.0.2"), node("n2", "manager", [], "10.0.0.3"), node("n3", "worker", [], "10.0.0.4")]),
        secrets: CLUSTER_SECRETS,
        expect: [{ key: C, message: "has 2 managers (n1, n2); expected an odd number (1, 3, 5): Raft needs a majority, and 2 managers tolerate no more failures than 1" }],
    },
    {
        name: "cluster: a data service not pinned to a node",
        mutate: (c) => (onCluster(c), (c.environments.production.services = { db: { type: "postgres" } })),
        secrets: CLUSTER_SECRETS,
        expect: [{ key: `${DB}.placement`, message: "is required in a cluster of 3 nodes: a data service keeps its volume on one node; expected labels exactly one node has, like [data]" }],
    },
    {
        name: "cluster: a data service whose labels match two nodes",
        mutate: (c) => {
            onCluster(c, [node("n1", "manager", ["edge", "data"], "10.0.0.2"), node("n2", "worker", ["data"], "10.0.0.3"), node("n3", "worker", [], "10.0.0.4")]);
            c.environments.production.services = { db: { type: "postgres", placement: ["data"] } };
        },
        secrets: CLUSTER_SECRETS,
        expect: [{ key: `${DB}.placement`, message: "data matches 2 nodes (n1, n2); expected labels exactly one node has: its volume stays on that node" }],
    },
    {
        name: "cluster and host both set",
        mutate: (c) => (onCluster(c), (c.host = { provider: "local" })),
        secrets: CLUSTER_SECRETS,
        expect: [{ key: "hostplane:cluster", message: "is set together with host; expected one of them: host for one machine, cluster for several" }],
    },
    {
        name: "neither host nor cluster",
        mutate: (c) => delete c.host,
        expect: [{ key: "hostplane:host", message: "is required; expected host ({provider: local|ssh|hcloud, …}) or cluster ({nodes: […]})" }],
    },
    {
        name: "cluster: no edge node for the proxy",
        mutate: (c) => onCluster(c, [node("n1", "manager", [], "10.0.0.2")]),
        secrets: CLUSTER_SECRETS,
        expect: [{ key: C, message: "no node has the label 'edge'; expected at least one: the proxy runs on edge nodes, publishing its ports there" }],
    },
    {
        name: "cluster: two nodes with one name, a local node among several",
        mutate: (c) => onCluster(c, [node("n1", "manager", ["edge"], "10.0.0.2"), node("n1", "worker", [], "10.0.0.3"), { name: "n3", role: "worker", host: { provider: "local" } }]),
        secrets: CLUSTER_SECRETS,
        expect: [
            { key: `${C}[1].name`, message: "'n1' is also the name of nodes[0]; expected unique node names" },
            { key: `${C}[2].host.provider`, message: "got local in a cluster of 3 nodes; expected ssh or hcloud (a local engine is a valid one-node cluster only)" },
        ],
    },
    {
        name: "cluster: two nodes at one address, a bad role",
        mutate: (c) => onCluster(c, [node("n1", "manager", ["edge"], "10.0.0.2"), node("n2", "worker", [], "10.0.0.2"), node("n3", "leader", [], "10.0.0.4")]),
        secrets: CLUSTER_SECRETS,
        expect: [{ key: `${C}[2].role`, message: 'got "leader"; expected role manager or worker' }],
    },
    {
        name: "cluster: two nodes at one address",
        mutate: (c) => onCluster(c, [node("n1", "manager", ["edge"], "10.0.0.2"), node("n2", "worker", [], "10.0.0.2")]),
        secrets: CLUSTER_SECRETS,
        expect: [{ key: C, message: "nodes n1 and n2 are both 10.0.0.2:22; expected one node per machine" }],
    },
    {
        name: "cluster: an hcloud node",
        mutate: (c) => onCluster(c, [node("n1", "manager", ["edge"], "10.0.0.2"), { name: "n2", role: "worker", host: { provider: "hcloud", sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE ops@example.com" } }]),
        secrets: CLUSTER_SECRETS,
        expect: [
            { key: "hcloud:token", message: "missing secret: host.provider is hcloud and needs a Hetzner Cloud API token (read & write, from the Cloud Console: project > Security > API tokens); set it with 'pulumi config set --secret hcloud:token <api-token> --stack test'" },
            { key: `${C}[1].host.provider`, message: "got hcloud; this version joins existing hosts only: expected ssh (create the servers first, or use host.provider hcloud for one machine)" },
        ],
    },
    {
        name: "cluster: local builds",
        mutate: (c) => {
            onCluster(c);
            c.images = { source: "local-build" };
            for (const env of Object.values<any>(c.environments)) for (const app of Object.values<any>(env.apps)) app.image = "hostplane/demo-app:1";
        },
        secrets: CLUSTER_SECRETS,
        expect: [{ key: "hostplane:images.source", message: "got local-build with a cluster; expected registry (local builds land on one engine only, every node must pull the same images)" }],
    },
    {
        name: "cluster: ssh nodes without the private key",
        mutate: (c) => onCluster(c),
        expect: [{ key: "hostplane:sshPrivateKey", message: "missing secret: host.provider is ssh; set the private key with 'pulumi config set --secret hostplane:sshPrivateKey < ~/.ssh/id_ed25519 --stack test'" }],
    },
];

const CASES: Case[] = [
    {
        name: "unknown top-level key",
        mutate: () => {},
        extra: { colour: "blue" },
        expect: [{ key: "hostplane:colour", message: "unknown key; expected one of prefix, host, cluster, defaults, proxy, images, monitoring, environments, or a secret set with 'pulumi config set --secret hostplane:colour'" }],
    },
    {
        name: "proxy: letsencrypt without an e-mail",
        mutate: (c) => (c.proxy = { tls: { mode: "letsencrypt" } }),
        expect: [{ key: "hostplane:proxy.tls.email", message: "is required; expected string" }],
    },
    {
        name: "proxy: unknown TLS mode",
        mutate: (c) => (c.proxy = { tls: { mode: "acme" } }),
        expect: [{ key: "hostplane:proxy.tls.mode", message: "got \"acme\"; expected tls.mode to be one of selfsigned, provided, letsencrypt" }],
    },
    {
        name: "proxy: provided certificate whose secret is not set",
        mutate: (c) => (c.proxy = { tls: { mode: "provided", certificate: "tlsCert", privateKey: "tlsKey" } }),
        secrets: ["stripeApiKey", "tlsCert"],
        expect: [{ key: "hostplane:proxy.tls.privateKey", message: "missing secret hostplane:tlsKey; set it with 'pulumi config set --secret hostplane:tlsKey < file.pem --stack test'" }],
    },
    {
        name: "proxy port taken by an app's host port",
        mutate: (c) => (c.proxy = { ports: { http: 8011, https: 8443 } }),
        expect: [{ key: "hostplane:proxy.ports.http", message: "host port 8011 is also the host port of staging/api; expected ports the apps do not use" }],
    },
    {
        name: "route body size written 10MB",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ path: "/api", maxBodySize: "10MB" }]),
        expect: [{ key: `${P}.api.routes[0].maxBodySize`, message: 'got "10MB"; expected an nginx size like 10m, 512k or 1g' }],
    },
    {
        name: "unknown app key",
        mutate: (c) => (c.environments.production.apps.api.scale = 2),
        expect: [{ key: `${P}.api`, message: "unknown key 'scale'; expected only image, port, command, env, secrets, secretDelivery, user, healthcheck, cpus, memory, restart, routes, metrics, dependsOn, migration, hostPort, replicas, placement" }],
    },
    {
        name: "unknown environment key",
        mutate: (c) => (c.environments.staging.network = "x"),
        expect: [{ key: "hostplane:environments.staging", message: "unknown key 'network'; expected only kind, domain, portOffset, servicePortOffset, apps, services, allowDataDestroy" }],
    },
    {
        name: "memory written 2GB",
        mutate: (c) => (c.environments.production.apps.api.memory = "2GB"),
        expect: [{ key: `${P}.api.memory`, message: 'got "2GB"; expected a Docker memory size: a number with unit K, M or G, like 512M or 2G (not 2GB or 2048)' }],
    },
    {
        name: "memory as a bare number",
        mutate: (c) => (c.environments.production.apps.api.memory = 2048),
        expect: [{ key: `${P}.api.memory`, message: "got 2048; expected string" }],
    },
    {
        name: "cpus as a word",
        mutate: (c) => (c.environments.production.apps.web.cpus = "two"),
        expect: [{ key: `${P}.web.cpus`, message: 'got "two"; expected number' }],
    },
    {
        name: "port out of range",
        mutate: (c) => (c.environments.production.apps.api.port = 70000),
        expect: [{ key: `${P}.api.port`, message: "got 70000; expected at most 65535" }],
    },
    {
        name: "missing image",
        mutate: (c) => delete c.environments.production.apps.api.image,
        expect: [{ key: `${P}.api.image`, message: "is required; expected string" }],
    },
    {
        name: "image with upper case",
        mutate: (c) => (c.environments.production.apps.api.image = "GHCR.io/Example/api:1"),
        expect: [{ key: `${P}.api.image`, message: 'got "GHCR.io/Example/api:1"; expected a Docker image reference like registry.example.com/api:1.4.2' }],
    },
    {
        name: "depends on an unknown service",
        mutate: (c) => (c.environments.production.apps.web.dependsOn = ["api", "wroker"]),
        expect: [{ key: `${P}.web.dependsOn[1]`, message: "unknown service 'wroker'; expected one of the apps or data services of environment 'production': api, worker" }],
    },
    {
        name: "depends on itself",
        mutate: (c) => (c.environments.production.apps.api.dependsOn = ["api"]),
        expect: [{ key: `${P}.api.dependsOn[0]`, message: "'api' depends on itself" }],
    },
    {
        name: "two-app dependency cycle",
        mutate: (c) => (c.environments.production.apps.api.dependsOn = ["worker"]),
        expect: [{ key: P, message: "dependency cycle api -> worker -> api; expected dependsOn to form layers without cycles" }],
    },
    {
        name: "three-app dependency cycle",
        mutate: (c) => {
            c.environments.production.apps.api.dependsOn = ["worker"];
            c.environments.production.apps.worker.dependsOn = ["web"];
        },
        expect: [{ key: P, message: "dependency cycle api -> worker -> web -> api; expected dependsOn to form layers without cycles" }],
    },
    {
        name: "duplicate route in one environment",
        mutate: (c) => (c.environments.production.apps.worker.routes = [{ path: "/api" }]),
        expect: [{ key: `${P}.worker.routes[0]`, message: "route example.com/api is already served by production/api; expected each host+path once" }],
    },
    {
        name: "duplicate route across environments",
        mutate: (c) => (c.environments.staging.apps.api.routes = [{ host: "example.com", path: "/api" }]),
        expect: [{ key: `${S}.api.routes[0]`, message: "route example.com/api is already served by production/api; expected each host+path once" }],
    },
    {
        name: "host port collision between environments",
        mutate: (c) => {
            c.environments.sandbox = { kind: "development", domain: "sandbox.example.com", portOffset: 0, apps: { api: { ...c.environments.staging.apps.api, routes: [], hostPort: 8011 } } };
        },
        expect: [{ key: "hostplane:environments.sandbox.apps.api.hostPort", message: "host port 8011 (hostPort 8011 + portOffset 0) collides with staging/api" }],
    },
    {
        name: "host port pushed past 65535 by the offset",
        mutate: (c) => (c.environments.staging.apps.api.hostPort = 65530),
        expect: [{ key: `${S}.api.hostPort`, message: "hostPort 65530 + portOffset 10 = 65540; expected at most 65535" }],
    },
    {
        name: "production app publishing a port",
        mutate: (c) => (c.environments.production.apps.api.hostPort = 8000),
        expect: [{ key: `${P}.api.hostPort`, message: "got 8000; production environments publish no app ports (only the proxy faces the internet): remove hostPort and add a route" }],
    },
    {
        name: "missing required secret",
        mutate: () => {},
        secrets: [],
        expect: [{ key: `${P}.api.secrets.STRIPE_API_KEY`, message: "missing secret hostplane:stripeApiKey; set it with 'pulumi config set --secret hostplane:stripeApiKey <value> --stack test'" }],
    },
    {
        name: "secret set in plain text",
        mutate: () => {},
        secrets: [],
        extra: { stripeApiKey: "sk_live_123" },
        expect: [
            { key: "hostplane:stripeApiKey", message: "unknown key; expected one of prefix, host, cluster, defaults, proxy, images, monitoring, environments, or a secret set with 'pulumi config set --secret hostplane:stripeApiKey'" },
            { key: `${P}.api.secrets.STRIPE_API_KEY`, message: "missing secret hostplane:stripeApiKey; set it with 'pulumi config set --secret hostplane:stripeApiKey <value> --stack test'" },
        ],
    },
    {
        name: "secret source misspelled",
        mutate: (c) => (c.environments.production.apps.api.secrets.TOKEN = "random"),
        expect: [{ key: `${P}.api.secrets.TOKEN`, message: `got "random"; expected 'generate', { generate: { length: N } } or { fromConfig: <config key> }` }],
    },
    {
        name: "generated secret too short",
        mutate: (c) => (c.environments.production.apps.api.secrets.TOKEN = { generate: { length: 8 } }),
        expect: [{ key: `${P}.api.secrets.TOKEN.generate.length`, message: "got 8; expected at least 16" }],
    },
    {
        name: "secret also a plain env var",
        mutate: (c) => (c.environments.production.apps.api.env = { SESSION_SECRET: "x" }),
        expect: [{ key: `${P}.api.secrets.SESSION_SECRET`, message: "'SESSION_SECRET' is also a plain env var; expected it in only one of env and secrets" }],
    },
    {
        name: "env var name in lower case",
        mutate: (c) => (c.environments.production.apps.api.env = { node_env: "production" }),
        expect: [{ key: `${P}.api.env.node_env`, message: "bad name 'node_env'; expected an environment variable name in UPPER_SNAKE_CASE" }],
    },
    {
        name: "app name in upper case",
        mutate: (c) => {
            c.environments.production.apps.API = c.environments.production.apps.worker;
            delete c.environments.production.apps.worker;
        },
        expect: [{ key: `${P}.API`, message: "bad name 'API'; expected an app name of 2-32 lowercase letters, digits and '-', starting with a letter" }],
    },
    {
        name: "health check with neither path nor command",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { interval: "20s" }),
        expect: [{ key: `${P}.api.healthcheck`, message: "expected exactly one of 'path' (HTTP check) or 'command'" }],
    },
    {
        name: "health check with both path and command",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health", command: ["true"] }),
        expect: [{ key: `${P}.api.healthcheck`, message: "expected exactly one of 'path' (HTTP check) or 'command'" }],
    },
    {
        name: "health check timeout longer than its interval",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health", timeout: "60s" }),
        expect: [{ key: `${P}.api.healthcheck.timeout`, message: "got 60s; expected at most the interval (45s)" }],
    },
    {
        name: "interval shorter than the default timeout",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health", interval: "10s" }),
        expect: [{ key: `${P}.api.healthcheck.timeout`, message: "got 15s (from defaults.healthcheck.timeout); expected at most the interval (10s)" }],
    },
    {
        name: "duration without a unit",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health", startPeriod: "90" }),
        expect: [{ key: `${P}.api.healthcheck.startPeriod`, message: 'got "90"; expected a duration like 15s, 90s or 1m30s' }],
    },
    {
        name: "unknown restart policy",
        mutate: (c) => (c.environments.production.apps.api.restart = "sometimes"),
        expect: [{ key: `${P}.api.restart`, message: 'got "sometimes"; expected one of "no"|"on-failure"|"always"|"unless-stopped"' }],
    },
    {
        name: "route path without a leading slash",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ path: "api" }]),
        expect: [{ key: `${P}.api.routes[0].path`, message: 'got "api"; expected a URL path like /api or /api/v1 (letters, digits, . _ ~ -; no empty, . or .. segments, no trailing /)'  }],
    },
    {
        name: "route host that is no DNS name",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ host: "API_Example.com" }]),
        expect: [{ key: `${P}.api.routes[0].host`, message: 'got "API_Example.com"; expected a lowercase DNS host name like api.example.com of at most 64 characters (a certificate\'s common name)' }],
    },
    {
        name: "unknown host provider",
        mutate: (c) => (c.host = { provider: "kubernetes" }),
        expect: [{ key: "hostplane:host.provider", message: 'got "kubernetes"; expected host.provider to be one of local, ssh, hcloud' }],
    },
    {
        name: "ssh host without its private key",
        mutate: (c) => (c.host = { provider: "ssh", address: "203.0.113.7" }),
        expect: [{ key: "hostplane:sshPrivateKey", message: "missing secret: host.provider is ssh; set the private key with 'pulumi config set --secret hostplane:sshPrivateKey < ~/.ssh/id_ed25519 --stack test'" }],
    },
    {
        name: "hcloud host without its API token or private key (token first)",
        mutate: (c) => (c.host = { provider: "hcloud", sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE ops@example.com" }),
        expect: [
            { key: "hcloud:token", message: "missing secret: host.provider is hcloud and needs a Hetzner Cloud API token (read & write, from the Cloud Console: project > Security > API tokens); set it with 'pulumi config set --secret hcloud:token <api-token> --stack test'" },
            { key: "hostplane:sshPrivateKey", message: "missing secret: host.provider is hcloud; set the private key matching host.sshPublicKey with 'pulumi config set --secret hostplane:sshPrivateKey < ~/.ssh/id_ed25519 --stack test'" },
        ],
    },
    {
        name: "hcloud host without a public key, with a bad admin CIDR",
        mutate: (c) => (c.host = { provider: "hcloud", adminCidrs: ["198.51.100.7"] }),
        secrets: ["stripeApiKey", "sshPrivateKey"],
        expect: [
            { key: "hcloud:token", message: "missing secret: host.provider is hcloud and needs a Hetzner Cloud API token (read & write, from the Cloud Console: project > Security > API tokens); set it with 'pulumi config set --secret hcloud:token <api-token> --stack test'" },
            { key: "hostplane:host.sshPublicKey", message: "is required; expected string" },
            { key: "hostplane:host.adminCidrs[0]", message: 'got "198.51.100.7"; expected a CIDR like 198.51.100.7/32 or 2001:db8::/48' },
        ],
    },
    {
        name: "no environments",
        mutate: (c) => (c.environments = {}),
        expect: [{ key: "hostplane:environments", message: "got {}; expected at least one environment" }],
    },
    {
        name: "environment without a kind",
        mutate: (c) => delete c.environments.staging.kind,
        expect: [{ key: "hostplane:environments.staging.kind", message: 'is required; expected one of "production"|"staging"|"development"' }],
    },
    {
        name: "a plain key set as a secret",
        mutate: () => {},
        secrets: ["stripeApiKey", "prefix"],
        expect: [{ key: "hostplane:prefix", message: "is set as a secret; expected a plain value (it holds no secret)" }],
    },

    // --- security review (issue 16): each of these was accepted, crashed or misreported before ---
    {
        name: "reserved env name BASH_ENV (would run code in a local shell)",
        mutate: (c) => (c.environments.production.apps.api.env = { BASH_ENV: "$(id)" }),
        expect: [{ key: `${P}.api.env.BASH_ENV`, message: "'BASH_ENV' is reserved (it changes how a shell, the dynamic loader or the docker CLI behaves); expected an application variable name" }],
    },
    {
        name: "reserved env name DOCKER_HOST",
        mutate: (c) => (c.environments.production.apps.api.env = { DOCKER_HOST: "tcp://203.0.113.9:2375" }),
        expect: [{ key: `${P}.api.env.DOCKER_HOST`, message: "'DOCKER_HOST' is reserved (it changes how a shell, the dynamic loader or the docker CLI behaves); expected an application variable name" }],
    },
    {
        name: "reserved env name LD_PRELOAD",
        mutate: (c) => (c.environments.production.apps.api.env = { LD_PRELOAD: "/tmp/x.so" }),
        expect: [{ key: `${P}.api.env.LD_PRELOAD`, message: "'LD_PRELOAD' is reserved (it changes how a shell, the dynamic loader or the docker CLI behaves); expected an application variable name" }],
    },
    {
        name: "reserved env name PATH",
        mutate: (c) => (c.environments.production.apps.api.env = { PATH: "/tmp" }),
        expect: [{ key: `${P}.api.env.PATH`, message: "'PATH' is reserved (it changes how a shell, the dynamic loader or the docker CLI behaves); expected an application variable name" }],
    },
    {
        name: "reserved name as a secret (DOCKER_CONFIG)",
        mutate: (c) => (c.environments.production.apps.api.secrets.DOCKER_CONFIG = "generate"),
        expect: [{ key: `${P}.api.secrets.DOCKER_CONFIG`, message: "'DOCKER_CONFIG' is reserved (it changes how a shell, the dynamic loader or the docker CLI behaves); expected an application variable name" }],
    },
    {
        name: "admin tool (n8n) routed without basicAuth or allowFrom",
        mutate: (c) => (c.environments.production.apps.web.image = "n8nio/n8n:1.64.3"),
        expect: [{ key: `${P}.web.routes[0]`, message: "image n8nio/n8n:1.64.3 is n8n, an admin tool: expected basicAuth: true or allowFrom on this route, or public: true to serve it to everyone on purpose" }],
    },
    {
        name: "admin tool (pgAdmin from another registry) routed openly",
        mutate: (c) => (c.environments.production.apps.api.image = "docker.io/dpage/pgadmin4:8.12"),
        expect: [{ key: `${P}.api.routes[0]`, message: "image docker.io/dpage/pgadmin4:8.12 is pgAdmin, an admin tool: expected basicAuth: true or allowFrom on this route, or public: true to serve it to everyone on purpose" }],
    },
    {
        name: "admin tool (Portainer) routed openly in staging",
        mutate: (c) => (c.environments.staging.apps.api.image = "portainer/portainer-ce:2.21.4"),
        expect: [{ key: `${S}.api.routes[0]`, message: "image portainer/portainer-ce:2.21.4 is Portainer, an admin tool: expected basicAuth: true or allowFrom on this route, or public: true to serve it to everyone on purpose" }],
    },
    {
        name: "public: true together with basicAuth",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ path: "/api", public: true, basicAuth: true }]),
        expect: [{ key: `${P}.api.routes[0].public`, message: "public: true contradicts basicAuth/allowFrom on the same route; expected one or the other" }],
    },
    {
        name: "app alias shadows a PgBouncer alias",
        mutate: (c) => {
            c.environments.production.services = { postgres: { type: "postgres" } };
            c.environments.production.apps["postgres-pgbouncer"] = { ...c.environments.production.apps.worker, dependsOn: [] };
        },
        expect: [{ key: `${P}.postgres-pgbouncer`, message: "network alias production-postgres-pgbouncer is already the alias of production/postgres (pgbouncer); expected every alias to be unique (containers find each other by it)" }],
    },
    {
        name: "environment node + app exporter shadows node-exporter",
        mutate: (c) => {
            c.environments.node = { kind: "development", domain: "node.example.com", apps: { exporter: { ...c.environments.production.apps.worker, dependsOn: [] } } };
        },
        expect: [{ key: "hostplane:environments.node.apps.exporter", message: "network alias node-exporter is already the alias of monitoring/nodeExporter; expected every alias to be unique (containers find each other by it)" }],
    },
    {
        name: "data service alias shadows an app's alias",
        mutate: (c) => {
            c.environments.production.apps["db-backup"] = { ...c.environments.production.apps.worker, dependsOn: [] };
            c.environments.production.services = { db: { type: "postgres" } };
        },
        expect: [{ key: `${P}.db-backup`, message: "network alias production-db-backup is already the alias of production/db (backup); expected every alias to be unique (containers find each other by it)" }],
    },
    {
        name: "alias longer than a DNS label",
        mutate: (c) => {
            const name = "a".repeat(32);
            c.environments[name] = { kind: "development", domain: "long.example.com", apps: { ["b".repeat(32)]: { ...c.environments.production.apps.worker, dependsOn: [] } } };
        },
        expect: [{ key: `hostplane:environments.${"a".repeat(32)}.apps.${"b".repeat(32)}`, message: `network alias ${"a".repeat(32)}-${"b".repeat(32)} has 65 characters; expected at most 63 (one DNS label): shorten the environment or app name` }],
    },
    {
        name: "routed app whose revision alias would pass 63 characters",
        mutate: (c) => {
            c.environments["e".repeat(30)] = { kind: "development", domain: "long.example.com", apps: { ["a".repeat(25)]: { ...c.environments.production.apps.worker, dependsOn: [], routes: [{ path: "/" }] } } };
        },
        expect: [{ key: `hostplane:environments.${"e".repeat(30)}.apps.${"a".repeat(25)}`, message: `network alias ${"e".repeat(30)}-${"a".repeat(25)} has 56 characters; expected at most 54 (one DNS label with the -<revision> suffix the proxy switches to): shorten the environment or app name` }],
    },
    {
        name: "proxy http port 22 (SSH)",
        mutate: (c) => (c.proxy = { ports: { http: 22 } }),
        expect: [{ key: "hostplane:proxy.ports.http", message: "got 22; expected a port other than 22, which SSH uses (the firewall opens it to adminCidrs only)" }],
    },
    {
        name: "proxy https port on the ssh host's SSH port",
        mutate: (c) => {
            c.host = { provider: "ssh", address: "203.0.113.7", port: 2222 };
            c.proxy = { ports: { https: 2222 } };
        },
        secrets: ["stripeApiKey", "sshPrivateKey"],
        expect: [{ key: "hostplane:proxy.ports.https", message: "got 2222; expected a port other than 2222, which SSH uses (host.port)" }],
    },
    {
        name: "dependsOn an Object.prototype name (toString)",
        mutate: (c) => (c.environments.production.apps.web.dependsOn = ["toString"]),
        expect: [{ key: `${P}.web.dependsOn[0]`, message: "unknown service 'toString'; expected one of the apps or data services of environment 'production': api, worker" }],
    },
    {
        name: "cpus 0",
        mutate: (c) => (c.environments.production.apps.api.cpus = 0),
        expect: [{ key: `${P}.api.cpus`, message: "got 0; expected at least 0.01" }],
    },
    {
        name: "cpus below 0.01",
        mutate: (c) => (c.environments.production.apps.api.cpus = 0.001),
        expect: [{ key: `${P}.api.cpus`, message: "got 0.001; expected at least 0.01" }],
    },
    {
        name: "data service cpus 0",
        mutate: (c) => (c.environments.production.services = { db: { type: "postgres", cpus: 0 } }),
        expect: [{ key: "hostplane:environments.production.services.db.cpus", message: "got 0; expected at least 0.01" }],
    },
    {
        name: "memory 0M",
        mutate: (c) => (c.environments.production.apps.api.memory = "0M"),
        expect: [{ key: `${P}.api.memory`, message: 'got "0M"; expected at least 6M (Docker\'s minimum) and at most 1024G' }],
    },
    {
        name: "memory 999999G",
        mutate: (c) => (c.environments.production.apps.api.memory = "999999G"),
        expect: [{ key: `${P}.api.memory`, message: 'got "999999G"; expected at least 6M (Docker\'s minimum) and at most 1024G' }],
    },
    {
        name: "log maxSize 0m",
        mutate: (c) => (c.defaults = { logs: { maxSize: "0m" } }),
        expect: [{ key: "hostplane:defaults.logs.maxSize", message: 'got "0m"; expected a json-file log size of at least 1 like 10m' }],
    },
    {
        name: "health-check interval below 1s",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health", interval: "500ms", timeout: "1s" }),
        expect: [{ key: `${P}.api.healthcheck.interval`, message: 'got "500ms"; expected at least 1s' }],
    },
    {
        name: "default health-check timeout 0s",
        mutate: (c) => (c.defaults = { healthcheck: { timeout: "0s" } }),
        expect: [{ key: "hostplane:defaults.healthcheck.timeout", message: 'got "0s"; expected at least 1s' }],
    },
    {
        name: "migration timeout 0s",
        mutate: (c) => (c.environments.production.apps.api.migration = { command: ["migrate"], timeout: "0s" }),
        expect: [{ key: `${P}.api.migration.timeout`, message: 'got "0s"; expected at least 1s' }],
    },
    {
        name: "health-check path with shell syntax",
        mutate: (c) => (c.environments.production.apps.api.healthcheck = { path: "/health; true #" }),
        expect: [{ key: `${P}.api.healthcheck.path`, message: 'got "/health; true #"; expected an HTTP path like /health (letters, digits and . _ ~ - / ? = & %)' }],
    },
    {
        name: "ssh address that is no host name or IP",
        mutate: (c) => (c.host = { provider: "ssh", address: "-oProxyCommand=sh" }),
        secrets: ["stripeApiKey", "sshPrivateKey"],
        expect: [{ key: "hostplane:host.address", message: 'got "-oProxyCommand=sh"; expected a host name or IP address like host.example.com, 203.0.113.7 or 2001:db8::7' }],
    },
    {
        name: "ssh address with a user part",
        mutate: (c) => (c.host = { provider: "ssh", address: "root@203.0.113.7" }),
        secrets: ["stripeApiKey", "sshPrivateKey"],
        expect: [{ key: "hostplane:host.address", message: 'got "root@203.0.113.7"; expected a host name or IP address like host.example.com, 203.0.113.7 or 2001:db8::7' }],
    },
    {
        name: "Let's Encrypt e-mail with a quote",
        mutate: (c) => (c.proxy = { tls: { mode: "letsencrypt", email: "o'brien@example.com" } }),
        expect: [{ key: "hostplane:proxy.tls.email", message: "got \"o'brien@example.com\"; expected the e-mail address Let's Encrypt sends expiry notices to (letters, digits and . _ % + - before the @)" }],
    },
    {
        name: "route path // (would duplicate the / location)",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ path: "//" }]),
        expect: [{ key: `${P}.api.routes[0].path`, message: 'got "//"; expected a URL path like /api or /api/v1 (letters, digits, . _ ~ -; no empty, . or .. segments, no trailing /)' }],
    },
    {
        name: "route path with a trailing slash",
        mutate: (c) => (c.environments.production.apps.worker.routes = [{ path: "/api/" }]),
        expect: [{ key: `${P}.worker.routes[0].path`, message: 'got "/api/"; expected a URL path like /api or /api/v1 (letters, digits, . _ ~ -; no empty, . or .. segments, no trailing /)' }],
    },
    {
        name: "route path with a .. segment",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ path: "/api/../admin" }]),
        expect: [{ key: `${P}.api.routes[0].path`, message: 'got "/api/../admin"; expected a URL path like /api or /api/v1 (letters, digits, . _ ~ -; no empty, . or .. segments, no trailing /)' }],
    },
    {
        name: "253-character route host",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ host: `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}` }]),
        expect: [{ key: `${P}.api.routes[0].host`, message: `got "${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}"; expected a lowercase DNS host name like api.example.com of at most 64 characters (a certificate's common name)` }],
    },
    {
        name: "proxy request rate 0",
        mutate: (c) => (c.proxy = { limits: { requestsPerSecond: 0 } }),
        expect: [{ key: "hostplane:proxy.limits.requestsPerSecond", message: "got 0; expected at least 1" }],
    },
    {
        name: "proxy connections per client as text",
        mutate: (c) => (c.proxy = { limits: { connectionsPerClient: "many" } }),
        expect: [{ key: "hostplane:proxy.limits.connectionsPerClient", message: 'got "many"; expected number' }],
    },
    {
        name: "a line break in env of an app with a migration",
        mutate: (c) => {
            c.environments.production.apps.api.env = { BANNER: "a\nb" };
            c.environments.production.apps.api.migration = { command: ["migrate"] };
        },
        expect: [{ key: `${P}.api.env.BANNER`, message: "contains a line break; expected a single line (the migration job gets env through docker's --env-file)" }],
    },
    // --- more of what users get wrong ---
    {
        name: "an app and a data service with one name",
        mutate: (c) => (c.environments.production.services = { api: { type: "redis" } }),
        expect: [{ key: "hostplane:environments.production.services.api", message: "'api' is both an app and a data service; expected distinct names" }],
    },
    {
        name: "unknown data service type",
        mutate: (c) => (c.environments.production.services = { db: { type: "mysql" } }),
        expect: [{ key: "hostplane:environments.production.services.db.type", message: 'got "mysql"; expected type to be one of postgres, redis, rabbitmq, kafka, mongodb, minio, seaweedfs' }],
    },
    {
        name: "kafka: the ZooKeeper mode (removed in Kafka 4)",
        mutate: (c) => (c.environments.production.services = { events: { type: "kafka", zookeeper: true } }),
        expect: [{ key: "hostplane:environments.production.services.events.zookeeper", message: `got true; ${KAFKA_ZOOKEEPER_REMOVED}` }],
    },
    {
        name: "kafka: zookeeper: false is refused too (the key is gone, not a switch)",
        mutate: (c) => (c.environments.production.services = { events: { type: "kafka", zookeeper: false } }),
        expect: [{ key: "hostplane:environments.production.services.events.zookeeper", message: `got false; ${KAFKA_ZOOKEEPER_REMOVED}` }],
    },
    {
        name: "air-gapped stack (images.source local-build) with a service that has no local recipe (MongoDB)",
        mutate: (c) => {
            c.images = { source: "local-build" };
            for (const env of Object.values<any>(c.environments)) for (const app of Object.values<any>(env.apps)) app.image = "python:3.12-alpine";
            c.environments.staging.services = { docs: { type: "mongodb" } };
        },
        expect: [
            {
                key: "hostplane:environments.staging.services.docs.image",
                message: `service 'docs' (mongodb) needs image '${KINDS.mongodb.image}', which has no local-build recipe (hostplane:images.source is local-build: an air-gapped stack runs only images built from Debian packages); recipes exist for ${[...new Set(IMAGE_RECIPES.flatMap((r) => r.replaces))].join(", ")}: remove the service, set its image to one of those, or set hostplane:images.source to registry`,
            },
        ],
    },
    {
        name: "unknown redis eviction policy",
        mutate: (c) => (c.environments.production.services = { cache: { type: "redis", maxmemoryPolicy: "lru" } }),
        expect: [{ key: "hostplane:environments.production.services.cache.maxmemoryPolicy", message: 'got "lru"; expected one of "noeviction"|"allkeys-lru"|"allkeys-lfu"|"volatile-lru"|"volatile-lfu"|"allkeys-random"|"volatile-random"|"volatile-ttl"' }],
    },
    {
        name: "backup weekly retention below a week",
        mutate: (c) => (c.environments.production.services = { db: { type: "postgres", backup: { weeklyKeepDays: 3 } } }),
        expect: [{ key: "hostplane:environments.production.services.db.backup.weeklyKeepDays", message: "got 3; expected at least 7" }],
    },
    {
        name: "backup S3 keys not set as secrets",
        mutate: (c) => (c.environments.production.services = { db: { type: "postgres", backup: { s3: { endpoint: "https://s3.example.com", bucket: "dumps", accessKeyId: "s3Key", secretAccessKey: "s3Secret", ageRecipients: [AGE_KEY] } } } }),
        secrets: ["stripeApiKey", "s3Key"],
        expect: [{ key: "hostplane:environments.production.services.db.backup.s3.secretAccessKey", message: "missing secret hostplane:s3Secret; set it with 'pulumi config set --secret hostplane:s3Secret <value> --stack test'" }],
    },
    {
        name: "off-host backups over plain http without allowInsecure",
        mutate: (c) => (c.environments.production.services = { db: { type: "postgres", backup: { s3: { ...S3, endpoint: "http://s3.example.com" } } } }),
        secrets: ["stripeApiKey", "s3Key", "s3Secret"],
        expect: [{ key: "hostplane:environments.production.services.db.backup.s3.endpoint", message: "got http://s3.example.com; expected an https:// endpoint (or allowInsecure: true for plain http, which sends the backups unprotected in transit)" }],
    },
    {
        name: "off-host backups without an age recipient and without encrypt: false",
        mutate: (c) => (c.environments.production.services = { db: { type: "postgres", backup: { s3: { ...S3, ageRecipients: [] } } } }),
        secrets: ["stripeApiKey", "s3Key", "s3Secret"],
        expect: [
            {
                key: "hostplane:environments.production.services.db.backup.s3.ageRecipients",
                message: "off-host copies are encrypted with age by default; expected at least one recipient public key (age1…, from 'age-keygen'), or encrypt: false to upload them in clear",
            },
        ],
    },
    {
        name: "an age recipient that is not an age public key",
        mutate: (c) => (c.environments.production.services = { db: { type: "postgres", backup: { s3: { ...S3, ageRecipients: ["ssh-ed25519 AAAA"] } } } }),
        secrets: ["stripeApiKey", "s3Key", "s3Secret"],
        expect: [{ key: "hostplane:environments.production.services.db.backup.s3.ageRecipients[0]", message: 'got "ssh-ed25519 AAAA"; expected an age public key (age1… as printed by age-keygen)' }],
    },
    {
        name: "pgbouncer pool mode misspelled",
        mutate: (c) => (c.environments.production.services = { db: { type: "postgres", pgbouncer: { poolMode: "transactional" } } }),
        expect: [{ key: "hostplane:environments.production.services.db.pgbouncer.poolMode", message: 'got "transactional"; expected one of "transaction"|"session"|"statement"' }],
    },
    {
        name: "an environment named monitoring",
        mutate: (c) => (c.environments.monitoring = { kind: "development", domain: "mon.example.com" }),
        expect: [{ key: "hostplane:environments.monitoring", message: "'monitoring' is reserved (the monitoring network and UI routes use it); expected another environment name" }],
    },
    {
        name: "allowFrom entry that is no address",
        mutate: (c) => (c.environments.production.apps.api.routes = [{ path: "/api", allowFrom: ["office"] }]),
        expect: [{ key: `${P}.api.routes[0].allowFrom[0]`, message: 'got "office"; expected an IP address or CIDR like 10.0.0.0/8' }],
    },
    {
        name: "secretDelivery misspelled",
        mutate: (c) => (c.environments.production.apps.api.secretDelivery = "files"),
        expect: [{ key: `${P}.api.secretDelivery`, message: 'got "files"; expected one of "file"|"env"' }],
    },
    {
        name: "portOffset above 1000",
        mutate: (c) => (c.environments.staging.portOffset = 5000),
        expect: [{ key: "hostplane:environments.staging.portOffset", message: "got 5000; expected at most 1000" }],
    },
    {
        name: "proxy http and https on one port",
        mutate: (c) => (c.proxy = { ports: { http: 8443, https: 8443 } }),
        expect: [{ key: "hostplane:proxy.ports", message: "http and https are both 8443; expected two different ports" }],
    },
    {
        name: "drainSeconds above 300",
        mutate: (c) => (c.defaults = { drainSeconds: 600 }),
        expect: [{ key: "hostplane:defaults.drainSeconds", message: "got 600; expected at most 300" }],
    },
    ...CLUSTER_CASES,
];

function issuesOf(c: Case): ConfigIssue[] {
    const cfg = baseConfig();
    c.mutate(cfg);
    const src = sourceOf({ ...cfg, ...(c.extra ?? {}) }, c.secrets ?? ["stripeApiKey"]);
    if (c.secrets?.includes("prefix")) delete src.values.prefix, (src.values.prefix = { value: "[secret]", secret: true });
    try {
        loadPlatformModel(src);
    } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
    }
    return [];
}

describe("config validation", () => {
    it("accepts the baseline config", () => assert.deepStrictEqual(issuesOf({ name: "base", mutate: () => {}, expect: [] }), []));

    it(`has at least 80 bad-config cases (${CASES.length})`, () => assert.ok(CASES.length >= 80));

    for (const c of CASES) {
        it(`rejects: ${c.name}`, () => assert.deepStrictEqual(issuesOf(c), c.expect));
    }

    it("accepts a three-node cluster: replicas, placement and a pinned data service in the model", () => {
        const cfg = baseConfig();
        onCluster(cfg);
        cfg.environments.production.apps.api.replicas = 3;
        cfg.environments.production.apps.web.placement = ["edge"];
        cfg.environments.production.services = { db: { type: "postgres", placement: ["data"] } };
        cfg.environments.production.apps.api.dependsOn = ["db"];
        const model = loadPlatformModel(sourceOf(cfg, CLUSTER_SECRETS));
        assert.strictEqual(model.cluster?.primary, "n1");
        assert.deepStrictEqual(model.host, { provider: "ssh", address: "10.0.0.2", user: "hostplane", port: 22, bootstrap: true, swap: "2G" });
        assert.deepStrictEqual(model.cluster?.nodes.map((n) => [n.name, n.role, n.labels.join(",")]), [["n1", "manager", "edge"], ["n2", "worker", "data"], ["n3", "worker", ""]]);
        const prod = model.environments.find((e) => e.name === "production")!;
        assert.strictEqual(prod.apps.find((a) => a.name === "api")!.replicas, 3);
        assert.deepStrictEqual(prod.apps.find((a) => a.name === "web")!.placement, ["edge"]);
        assert.deepStrictEqual(prod.services[0].settings.placement, ["data"]);
    });

    it("a single host's model has no cluster, replicas or placement", () => {
        const model = loadPlatformModel(sourceOf(baseConfig()));
        assert.strictEqual(model.cluster, undefined);
        for (const app of model.environments.flatMap((e) => e.apps)) assert.ok(!("replicas" in app) && !("placement" in app), app.name);
    });

    it("reports every problem at once, each naming its key", () => {
        const cfg = baseConfig();
        cfg.environments.production.apps.api.memory = "2GB";
        cfg.environments.production.apps.web.dependsOn = ["nope"];
        try {
            loadPlatformModel(sourceOf(cfg));
            assert.fail("expected a ConfigError");
        } catch (e: any) {
            assert.ok(e instanceof ConfigError);
            // zod issues stop the semantic pass, so the schema problem comes alone first…
            assert.deepStrictEqual(e.issues.map((i: ConfigIssue) => i.key), [`${P}.api.memory`]);
            assert.match(e.message, /^invalid hostplane configuration \(stack test\): 1 problem\n  - hostplane:environments/);
        }
        // …and once it is fixed, the semantic ones are all listed together.
        cfg.environments.production.apps.api.memory = "2G";
        cfg.environments.production.apps.worker.dependsOn = ["also-nope"];
        assert.throws(() => loadPlatformModel(sourceOf(cfg)), (e: any) => e.issues.length === 2);
    });
});
