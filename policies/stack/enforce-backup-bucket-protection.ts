import { defineResourceRule, ofTypes } from "../lib/rule";
import { BACKUP_BUCKETS_SCHEMA, BACKUP_TAG, S3 } from "../lib/aws";
import { isR2BackupName, R2 } from "../lib/cloudflare";
import { readConfig } from "../lib/config";
import { obj } from "../lib/values";

const DEFAULTS = { backupBuckets: [] as string[] };

/** POLICIES.md 65: backup buckets (S3 and R2) are `protect`ed in prod. */
export const enforceBackupBucketProtection = defineResourceRule("stack", {
    name: "stack-enforce-backup-bucket-protection",
    description: "Backup buckets, S3 and R2, must be declared with `protect: true` so no destroy or refactor can delete them.",
    enforcementLevel: "mandatory",
    scope: "prod",
    policiesMd: [65],
    anchors: ["Pulumi protect resource option", "components/context.ts dataProtection"],
    config: { backupBuckets: BACKUP_BUCKETS_SCHEMA },
    validateResource: ofTypes([...S3.Bucket, R2.Bucket], (props, args, report) => {
        const { backupBuckets } = readConfig(args, DEFAULTS);
        const isR2 = args.type === R2.Bucket;
        const name = String((isR2 ? props.name : props.bucket) ?? args.name);
        const backup = isR2
            ? isR2BackupName(name, backupBuckets) || backupBuckets.includes(args.name)
            : obj(props.tags)[BACKUP_TAG] === "true" || backupBuckets.includes(name) || backupBuckets.includes(args.name);
        if (!backup) return args.notApplicable("not a backup bucket");
        if (!args.opts.protect) {
            report(`Backup ${isR2 ? "R2" : "S3"} bucket "${name}" is not protected; \`pulumi destroy\` or a rename would delete every backup. Fix: create it with \`{ protect: true, retainOnDelete: true }\` (components/context.ts \`dataProtection\`).`);
        }
    }),
});
