import { defineStackRule } from "../lib/rule";
import { bucketsOf, companionsOf, describeBucket, S3 } from "../lib/aws";
import { known, list, obj, UNKNOWN } from "../lib/values";

const KMS = ["aws:kms", "aws:kms:dsse"];

interface SseRule {
  readonly algorithm?: string;
  readonly keyId?: string;
  readonly bucketKey?: boolean;
}

function rulesOf(value: unknown): SseRule[] {
  return list(value).map((r) => {
    const rule = obj(r);
    const byDefault = obj(rule.applyServerSideEncryptionByDefault);
    return { algorithm: byDefault.sseAlgorithm, keyId: byDefault.kmsMasterKeyId, bucketKey: rule.bucketKeyEnabled };
  });
}

/** SSE `aws:kms` (or dsse) with a key; bucket key enabled (customer key advisory). */
export const enableBucketKmsEncryption = defineStackRule("aws", {
  name: "aws-enable-bucket-kms-encryption",
  description: "Every S3 bucket must default to SSE-KMS (or DSSE-KMS) encryption with an S3 Bucket Key, preferably under a customer-managed key.",
  enforcementLevel: "mandatory",
  numbers: [39, 76],
  anchors: ["CKV_AWS_19", "CKV_AWS_145", "AVD-AWS-0088", "AVD-AWS-0132", "AWS FSBP S3.17"],
  rationale: "SSE-KMS puts every object read behind a key policy and logs key use in CloudTrail; the bucket key keeps the KMS request cost down.",
  standard: "AWS Foundational Security Best Practices S3.17; Checkov CKV_AWS_19, CKV_AWS_145",
  appliesTo: S3.Bucket,
  validateStack: (args, report) => {
    for (const bucket of bucketsOf(args.resources)) {
      const configs = companionsOf(args.resources, bucket, S3.Encryption);
      const found = known(() => [
        ...configs.flatMap((c) => rulesOf(c.props.rules)),
        ...rulesOf([obj(bucket.props.serverSideEncryptionConfiguration).rule].filter((r) => r !== undefined)),
      ]);
      if (found === UNKNOWN) continue; // computed during preview; checked again after the update
      const kms = found.filter((r) => typeof r.algorithm === "string" && KMS.includes(r.algorithm));
      if (kms.length === 0) {
        const current = found.map((r) => r.algorithm).filter((a) => a)[0];
        report(
          `${describeBucket(bucket)} ${current ? `is encrypted with ${current}` : "has no default encryption configuration"}. Fix: add \`aws.s3.BucketServerSideEncryptionConfiguration\` with \`sseAlgorithm: "aws:kms"\`, a \`kmsMasterKeyId\` and \`bucketKeyEnabled: true\`.`,
          bucket.urn,
        );
        continue;
      }
      // S3 Bucket Keys do not apply to DSSE-KMS.
      if (kms.some((r) => r.algorithm === "aws:kms" && r.bucketKey !== true)) {
        report(
          `${describeBucket(bucket)} uses SSE-KMS without an S3 Bucket Key, paying one KMS call per object. Fix: set \`bucketKeyEnabled: true\` on the encryption rule.`,
          bucket.urn,
        );
      }
      if (kms.every((r) => !r.keyId || r.keyId === "alias/aws/s3")) {
        report.advisory(
          `${describeBucket(bucket)} is encrypted with the AWS-managed key aws/s3, whose policy you cannot restrict. Fix: create an \`aws.kms.Key\` (rotation on) and set it as \`kmsMasterKeyId\`.`,
          bucket.urn,
        );
      }
    }
  },
});
