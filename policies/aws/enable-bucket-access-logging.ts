import { defineStackRule } from "../lib/rule";
import { bucketsOf, companionsOf, configures, describeBucket, S3 } from "../lib/aws";
import { ofTypes } from "../lib/stack";
import { known, UNKNOWN } from "../lib/values";

/** Access logging. */
export const enableBucketAccessLogging = defineStackRule("aws", {
  name: "aws-enable-bucket-access-logging",
  description: "S3 buckets should write server access logs to a log bucket.",
  enforcementLevel: "advisory",
  numbers: [44, 76],
  anchors: ["CKV_AWS_18", "AVD-AWS-0089", "AWS FSBP S3.9"],
  rationale: "Server access logs are the record of who read or deleted what, which an incident investigation needs.",
  standard: "AWS Foundational Security Best Practices S3.9; Checkov CKV_AWS_18",
  appliesTo: S3.Bucket,
  validateStack: (args, report) => {
    const loggings = ofTypes(args.resources, ...S3.Logging);
    for (const bucket of bucketsOf(args.resources)) {
      // A log target bucket does not log into itself.
      const isTarget = loggings.some((l) => configures(l, bucket, "targetBucket"));
      if (isTarget) continue;
      const inline = known(() => bucket.props.logging);
      if (inline !== undefined && inline !== null) continue;
      if (companionsOf(args.resources, bucket, S3.Logging).length === 0 && inline !== UNKNOWN) {
        report(
          `${describeBucket(bucket)} has no access logging. Fix: add \`aws.s3.BucketLogging\` with a \`targetBucket\` (the product's log bucket) and a \`targetPrefix\`.`,
          bucket.urn,
        );
      }
    }
  },
});
