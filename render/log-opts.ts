// Docker's json-file log options of every hostplane container. Besides rotation (hostplane:logs),
// each log line carries the container's name (`tag`) and its hostplane labels (`labels`) in its
// `attrs`: the OpenTelemetry Collector reads the files under /var/lib/docker/containers and takes
// the env, service and container labels of a line from there (render/monitoring/otelcol.ts).

/** Docker labels copied into every log line's attrs. */
export const LOG_LINE_LABELS = ["hostplane.environment", "hostplane.service", "hostplane.stack", "hostplane.project"] as const;

/** The container name (Docker's log tag template; json-file writes it as attrs.tag). */
export const LOG_LINE_TAG = "{{.Name}}";

export function dockerLogOpts(logs: { maxSize: string; maxFile: number }): Record<string, string> {
    return { "max-size": logs.maxSize, "max-file": String(logs.maxFile), labels: LOG_LINE_LABELS.join(","), tag: LOG_LINE_TAG };
}
