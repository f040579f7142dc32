// Admin tools recognised by their image repository: a route to one of these must have basic auth
// or an allow-list (or say `public: true`). A fresh n8n, pgAdmin or Portainer lets its first
// visitor create the owner account; the others hand out data or control of the host.
// Shared by config validation (config/exposure.ts) and the policy pack (policy/rules.ts), which
// reads no program or config: this file imports nothing. It lives in config/ because the program
// (deployed without policy/) needs it.

export interface AdminTool {
    /** How messages name it. */
    name: string;
    /** Repositories without registry or tag: `n8nio/n8n`, `rabbitmq` (Docker Hub library images). */
    repositories: string[];
}

/** Extend here: one line per tool, every repository it is published under. */
export const ADMIN_TOOLS: AdminTool[] = [
    { name: "n8n", repositories: ["n8nio/n8n", "n8n-io/n8n"] },
    { name: "pgAdmin", repositories: ["dpage/pgadmin4"] },
    { name: "RabbitMQ management", repositories: ["rabbitmq", "bitnami/rabbitmq"] },
    { name: "MinIO console", repositories: ["minio/minio", "minio/console", "bitnami/minio"] },
    { name: "Grafana", repositories: ["grafana/grafana", "grafana/grafana-oss", "grafana/grafana-enterprise", "bitnami/grafana"] },
    { name: "Prometheus", repositories: ["prom/prometheus", "bitnami/prometheus"] },
    { name: "Alertmanager", repositories: ["prom/alertmanager", "bitnami/alertmanager"] },
    { name: "Portainer", repositories: ["portainer/portainer-ce", "portainer/portainer-ee", "portainer/portainer"] },
    { name: "Flower", repositories: ["mher/flower"] },
    { name: "Adminer", repositories: ["adminer"] },
    { name: "phpMyAdmin", repositories: ["phpmyadmin", "phpmyadmin/phpmyadmin"] },
    { name: "mongo-express", repositories: ["mongo-express"] },
    { name: "Redis Commander", repositories: ["rediscommander/redis-commander"] },
];

/**
 * The repository of an image reference, without registry, tag or digest:
 * `docker.io/dpage/pgadmin4:8.12` -> `dpage/pgadmin4`, `library/rabbitmq:3-management` -> `rabbitmq`.
 */
export function imageRepository(image: string): string {
    let ref = image.split("@")[0];
    const slash = ref.lastIndexOf("/");
    const colon = ref.lastIndexOf(":");
    if (colon > slash) ref = ref.slice(0, colon);
    const parts = ref.split("/");
    // A first component with a dot or a port, or `localhost`, is a registry host.
    if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === "localhost")) parts.shift();
    if (parts[0] === "library") parts.shift();
    return parts.join("/").toLowerCase();
}

/** The admin tool an image runs, if it is one. */
export function adminToolOf(image: string): AdminTool | undefined {
    const repo = imageRepository(image);
    return ADMIN_TOOLS.find((t) => t.repositories.includes(repo));
}
