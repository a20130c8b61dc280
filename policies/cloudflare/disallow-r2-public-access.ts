import { defineStackRule } from "../lib/rule";
import { R2, R2_BACKUP_BUCKETS_SCHEMA } from "../lib/cloudflare";
import { backupCredentialTargets, r2BackupTargetOf } from "../lib/backups";
import { readConfig } from "../lib/config";
import { ofTypes } from "../lib/stack";
import { known } from "../lib/values";

const DEFAULTS = { backupBuckets: [] as string[] };

/** R2 backup buckets: no public r2.dev access (`R2ManagedDomain`). */
export const disallowR2PublicAccess = defineStackRule("cloudflare", {
  name: "cloudflare-disallow-r2-public-access",
  description: "R2 backup buckets must not enable their public r2.dev URL.",
  enforcementLevel: "mandatory",
  scope: "backups",
  numbers: [47],
  anchors: ["Cloudflare R2 public buckets"],
  rationale: "The public r2.dev URL serves every object to anyone who knows the bucket's address, and backups hold customer data.",
  standard: "Cloudflare R2 documentation: public buckets",
  config: { backupBuckets: R2_BACKUP_BUCKETS_SCHEMA },
  appliesTo: [R2.ManagedDomain],
  validateStack: (args, report) => {
    const { backupBuckets } = readConfig(args, DEFAULTS);
    const targets = backupCredentialTargets(args.resources);
    for (const domain of ofTypes(args.resources, R2.ManagedDomain)) {
      const bucket = r2BackupTargetOf(domain, args.resources, backupBuckets, targets);
      if (bucket === undefined) continue;
      if (known(() => domain.props.enabled) !== false) {
        report(
          `R2 backup bucket "${bucket}" has its r2.dev URL enabled by R2ManagedDomain "${domain.name}", so anyone with a key name can download backups. Fix: set \`enabled: false\` (or delete the R2ManagedDomain).`,
          domain.urn,
        );
      }
    }
  },
});
