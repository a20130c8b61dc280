import { defineStackRule } from "../lib/rule";
import { R2, R2_BACKUP_BUCKETS_SCHEMA } from "../lib/cloudflare";
import { backupCredentialTargets, r2BackupTargetOf } from "../lib/backups";
import { readConfig } from "../lib/config";
import { ofTypes } from "../lib/stack";
import { str } from "../lib/values";

const DEFAULTS = { backupBuckets: [] as string[] };

/** R2 backup buckets: no custom domain. */
export const disallowR2BackupCustomDomain = defineStackRule("cloudflare", {
  name: "cloudflare-disallow-r2-backup-custom-domain",
  description: "R2 backup buckets must not be served on a custom domain.",
  enforcementLevel: "mandatory",
  scope: "backups",
  numbers: [48],
  anchors: ["Cloudflare R2 public buckets"],
  rationale: "A custom domain serves the bucket's objects publicly over HTTP, and backups hold customer data.",
  standard: "Cloudflare R2 documentation: public buckets",
  config: { backupBuckets: R2_BACKUP_BUCKETS_SCHEMA },
  appliesTo: [R2.CustomDomain],
  validateStack: (args, report) => {
    const { backupBuckets } = readConfig(args, DEFAULTS);
    const targets = backupCredentialTargets(args.resources);
    for (const domain of ofTypes(args.resources, R2.CustomDomain)) {
      const bucket = r2BackupTargetOf(domain, args.resources, backupBuckets, targets);
      if (bucket === undefined) continue;
      const host = str(() => domain.props.domain) ?? domain.name;
      report(
        `R2 backup bucket "${bucket}" is published on the custom domain "${host}". Fix: delete the R2CustomDomain; read backups with S3 API credentials only.`,
        domain.urn,
      );
    }
  },
});
