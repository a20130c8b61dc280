import { defineResourceRule, ofType } from "../lib/rule";
import { KmsKey } from "../lib/resource-types";

/** KMS key rotation enabled. */
export const enableKmsKeyRotation = defineResourceRule("aws", {
  name: "aws-enable-kms-key-rotation",
  description: "Symmetric KMS keys should rotate their key material automatically.",
  enforcementLevel: "advisory",
  numbers: [46],
  anchors: ["CKV_AWS_7", "AWS FSBP KMS.4"],
  rationale: "Automatic rotation limits how much data one version of the key material protects.",
  standard: "AWS Foundational Security Best Practices KMS.4; Checkov CKV_AWS_7",
  validateResource: ofType(KmsKey, (key, args, report) => {
    const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT") return args.notApplicable(`rotation does not apply to ${spec} keys`);
    if (key.enableKeyRotation !== true) {
      report(`KMS key "${args.name}" does not rotate its key material. Fix: set \`enableKeyRotation: true\` (yearly; \`rotationPeriodInDays\` to shorten).`);
    }
  }),
});
