import { defineStackRule } from "../lib/rule";
import { bucketsOf, companionsOf, describeBucket, S3 } from "../lib/aws";
import { known, obj, UNKNOWN } from "../lib/values";

/** Versioning `Enabled`. */
export const enableBucketVersioning = defineStackRule("aws", {
  name: "aws-enable-bucket-versioning",
  description: "Every S3 bucket must have versioning enabled.",
  enforcementLevel: "mandatory",
  numbers: [40, 76],
  anchors: ["CKV_AWS_21", "AVD-AWS-0090", "AWS FSBP S3.14"],
  rationale: "Without versioning an overwrite or delete is final, whether it comes from a faulty job or an attacker.",
  standard: "AWS Foundational Security Best Practices S3.14; Checkov CKV_AWS_21",
  appliesTo: S3.Bucket,
  validateStack: (args, report) => {
    for (const bucket of bucketsOf(args.resources)) {
      const statuses = companionsOf(args.resources, bucket, S3.Versioning).map((v) => known(() => obj(v.props.versioningConfiguration).status));
      const inline = known(() => obj(bucket.props.versioning).enabled);
      if (inline === true || statuses.some((s) => s === "Enabled" || s === UNKNOWN)) continue;
      const state = statuses.find((s) => typeof s === "string");
      report(
        `${describeBucket(bucket)} ${state ? `has versioning ${state}` : "has no BucketVersioning"}, so an overwrite or delete loses data. Fix: add \`aws.s3.BucketVersioning\` with \`versioningConfiguration.status: "Enabled"\`.`,
        bucket.urn,
      );
    }
  },
});
