// `ops drift`: what `pulumi refresh` cannot see. Command resources have no read step, so a host
// file edited by hand stays invisible to refresh: compare every delivered host file's checksum
// with the render (lib/drift), and report stopped, unhealthy or missing containers.
import type { PlatformModel } from "../../config/model";
import { DELIVERED_DIRS, expectedHostFiles, upstreamTargets } from "../../lib/drift/expected";
import { hostChecksums } from "../../lib/drift/host-files";
import { compareFiles, containerDrift, DriftReport } from "../../lib/drift/report";
import { Docker, inspectStackContainers } from "./docker";
import { status } from "./status";

export function drift(model: PlatformModel, d: Docker): DriftReport {
    const inspected = inspectStackContainers(d, model);
    const expected = expectedHostFiles(model, upstreamTargets(model, inspected));
    const onHost = hostChecksums(d, model.proxy.image, DELIVERED_DIRS);
    const rows = status(model, d, {}).rows;
    // The proxy is declared by every stack but is not an environment service: check it too.
    const proxy = rows.some((r) => r.service === "proxy")
        ? []
        : [{ env: "-", service: "proxy", container: "-", image: "-", state: "missing", health: "-", uptime: "-", restarts: 0 }];
    return {
        files: compareFiles(expected, onHost, DELIVERED_DIRS),
        containers: containerDrift([...rows, ...proxy]),
        checkedFiles: expected.length,
        checkedContainers: rows.length,
    };
}
