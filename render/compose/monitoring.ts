// Monitoring in compose, from the same workload specs as components/monitoring.ts
// (spec/monitoring.ts: images, flags, mounts, volumes, limits, health checks, networks, and the
// plan of which services run after which). Config files (render/monitoring) are mounted read-only
// from files/monitoring/<service>; the Grafana admin password and Alertmanager's receiver secrets
// are secret files. Compose has no reload step: `compose restart prometheus` after a config change.
import { ENDPOINTS, type MonitoringService } from "../../config/monitoring";
import { monitoringPlan, monitoringWorkload } from "../../spec/monitoring";
import type { MountSpec } from "../../spec/workload";
import { monitoringFilesByService } from "../monitoring";
import { GRAFANA_ADMIN_PASSWORD_FILE, SECRETS, SLACK_WEBHOOK_FILE, SMTP_PASSWORD_FILE, TEXTFILE_DIR } from "../monitoring/paths";
import { ComposeBuilder, depends } from "./builder";
import { composeWorkload } from "./workload";

export function renderMonitoring(b: ComposeBuilder): void {
    const mon = b.model.monitoring;
    if (!mon.enabled) return;
    const files = monitoringFilesByService(b.model);
    for (const list of Object.values(files)) b.hostFiles(list);
    const hasSecrets = alertmanagerSecret(b);
    if (mon.services.grafana) grafanaSecret(b);
    for (const { svc, after } of monitoringPlan(mon.services)) {
        const spec = monitoringWorkload(b.model, svc, hasSecrets);
        b.add(spec.name, {
            ...composeWorkload(b, spec, { mount: (m) => monitoringMount(b, m) }),
            ...(after.length ? { depends_on: depends(after.map((a: MonitoringService) => ENDPOINTS[a].alias)) } : {}),
        });
    }
}

/** Monitoring's own mounts: secrets directories from secrets/, the textfile directory writable. */
function monitoringMount(b: ComposeBuilder, m: MountSpec): string | undefined {
    if (m.type !== "bind") return undefined;
    const secrets = Object.entries(SECRETS).find(([, s]) => s.host === m.source);
    if (secrets) return `./secrets/monitoring/${secrets[0]}:${m.target}:ro`;
    // Created by the CLI, not by root-owned Docker: the backup jobs write into it.
    if (m.source === TEXTFILE_DIR.host) return b.writableDir(TEXTFILE_DIR.host, m.target);
    return undefined;
}

/** Alertmanager's receiver secret (Slack webhook, SMTP password) as a file; whether there is one. */
function alertmanagerSecret(b: ComposeBuilder): boolean {
    const mon = b.model.monitoring;
    const r = mon.alerts.receiver;
    const secret = r.type === "slack" ? { file: SLACK_WEBHOOK_FILE, key: r.webhookUrl } : r.type === "email" && r.authPassword ? { file: SMTP_PASSWORD_FILE, key: r.authPassword } : undefined;
    if (!secret || !mon.services.alertmanager) return false;
    const key = b.value(`config/${secret.key}`, { fromConfig: secret.key });
    b.secretFile(`monitoring/alertmanager/${secret.file.split("/").pop()}`, (l) => l.value(key), SECRETS.alertmanager.uid);
    return true;
}

/** Grafana's generated admin password as a file in its secrets directory. */
function grafanaSecret(b: ComposeBuilder): void {
    const pw = b.value("monitoring/grafana/admin-password", { generate: 32 });
    b.secretFile(`monitoring/grafana/${GRAFANA_ADMIN_PASSWORD_FILE.split("/").pop()}`, (l) => l.value(pw), SECRETS.grafana.uid);
}
