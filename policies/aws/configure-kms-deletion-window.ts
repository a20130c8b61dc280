import { defineResourceRule, ofTypes } from "../lib/rule";
import { ENVIRONMENT_CONFIG_SCHEMA, isProdStack } from "../lib/environment";
import { integer, readConfig } from "../lib/config";
import { KMS } from "../lib/iam";

// AWS KMS ScheduleKeyDeletion: PendingWindowInDays 7..30, default 30.
const DEFAULTS = { minDays: 7, prodAdvisedDays: 30 };
const AWS_DEFAULT_DAYS = 30;

/** KMS keys: deletion window ≥ 7 days (30 in prod advisory). */
export const configureKmsDeletionWindow = defineResourceRule("aws", {
  name: "aws-configure-kms-deletion-window",
  description: "Every KMS key must wait at least 7 days before deletion, and prod keys should wait the full 30.",
  enforcementLevel: "mandatory",
  numbers: [69],
  anchors: ["AWS FSBP KMS.3", "AWS KMS ScheduleKeyDeletion PendingWindowInDays"],
  rationale: "Deleting a KMS key makes every object encrypted under it unreadable for good; the waiting period is the only time to notice and cancel.",
  standard: "AWS Foundational Security Best Practices KMS.3; AWS KMS documentation: deleting keys (waiting period 7 to 30 days)",
  config: {
    minDays: integer("Shortest deletion window allowed.", DEFAULTS.minDays, 7),
    prodAdvisedDays: integer("Deletion window advised on prod.", DEFAULTS.prodAdvisedDays, 7),
    environment: ENVIRONMENT_CONFIG_SCHEMA,
  },
  validateResource: ofTypes(KMS.Keys, (props, args, report) => {
    const { minDays, prodAdvisedDays } = readConfig(args, DEFAULTS);
    const days = typeof props.deletionWindowInDays === "number" ? props.deletionWindowInDays : AWS_DEFAULT_DAYS;
    if (days < minDays) {
      report(
        `KMS key "${args.name}" can be deleted ${days} days after it is scheduled, under the ${minDays}-day minimum. Fix: set \`deletionWindowInDays: 30\` (at least ${minDays}).`,
      );
    } else if (days < prodAdvisedDays && isProdStack(args)) {
      report.advisory(`KMS key "${args.name}" on prod waits ${days} days before deletion. Fix: set \`deletionWindowInDays: ${prodAdvisedDays}\`.`);
    }
  }),
});
