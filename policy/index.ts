// The hostplane policy pack: `pulumi preview --policy-pack policy` (and `up`) checks every
// resource the program registers against the platform rules in ./rules.ts, all mandatory.
// Which stacks count as production: --policy-pack-config (see README "Delivery").
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("hostplane", {
    description: "hostplane platform rules: health checks, limits, restart, log rotation; production ports, image tags and data volumes; no plain-text secrets; admin tools guarded",
    enforcementLevel: "mandatory",
    policies,
});
