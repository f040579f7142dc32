// Checks of a postgres service's backup settings that need more than one field: off-host copies
// are https and encrypted unless the config says otherwise in so many words.
import type { ConfigIssue } from "./errors";
import type { BackupSchedule } from "./schema";
import type { z } from "zod";

export function offsiteIssues(b: z.infer<typeof BackupSchedule>, at: (...p: PropertyKey[]) => string): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const s3 = b.s3;
    if (!s3) return issues;
    if (!s3.endpoint.startsWith("https://") && !(s3.allowInsecure && s3.endpoint.startsWith("http://")))
        issues.push({ key: at("backup", "s3", "endpoint"), message: `got ${s3.endpoint}; expected an https:// endpoint (or allowInsecure: true for plain http, which sends the backups unprotected in transit)` });
    if (s3.encrypt !== false && s3.ageRecipients.length === 0)
        issues.push({
            key: at("backup", "s3", "ageRecipients"),
            message: "off-host copies are encrypted with age by default; expected at least one recipient public key (age1…, from 'age-keygen'), or encrypt: false to upload them in clear",
        });
    if (s3.encrypt === false && s3.ageRecipients.length > 0)
        issues.push({ key: at("backup", "s3", "encrypt"), message: "encrypt: false with ageRecipients set; expected one or the other" });
    return issues;
}
