import { defineStackRule } from "../lib/rule";
import { bucketsOf, companionsOf, describeBucket, S3 } from "../lib/aws";
import { known, UNKNOWN } from "../lib/values";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

/** `BucketPublicAccessBlock` with all four flags true. */
export const missingPublicAccessBlock = defineStackRule("aws", {
  name: "aws-missing-public-access-block",
  description: "Every S3 bucket must have a BucketPublicAccessBlock with all four flags true.",
  enforcementLevel: "mandatory",
  numbers: [37, 76],
  anchors: [
    "CKV_AWS_53",
    "CKV_AWS_54",
    "CKV_AWS_55",
    "CKV_AWS_56",
    "CKV2_AWS_6",
    "AVD-AWS-0086",
    "AVD-AWS-0087",
    "AVD-AWS-0091",
    "AVD-AWS-0093",
    "AVD-AWS-0094",
    "AWS FSBP S3.8",
  ],
  rationale: "Without all four public access block flags a single ACL or bucket policy can make the bucket public.",
  standard: "AWS Foundational Security Best Practices S3.8; Checkov CKV_AWS_53 to CKV_AWS_56; Trivy AVD-AWS-0086 and others",
  appliesTo: S3.Bucket,
  validateStack: (args, report) => {
    for (const bucket of bucketsOf(args.resources)) {
      const blocks = companionsOf(args.resources, bucket, S3.PublicAccessBlock);
      if (blocks.length === 0) {
        report(
          `${describeBucket(bucket)} has no BucketPublicAccessBlock, so a later ACL or policy can make it public. Fix: add \`aws.s3.BucketPublicAccessBlock\` for it with ${FLAGS.join(", ")} all true.`,
          bucket.urn,
        );
        continue;
      }
      for (const block of blocks) {
        const off = FLAGS.filter((f) => {
          const v = known(() => block.props[f]);
          return v !== UNKNOWN && v !== true;
        });
        if (off.length > 0) {
          report(
            `${describeBucket(bucket)}: its BucketPublicAccessBlock "${block.name}" leaves ${off.join(", ")} off. Fix: set all four flags to true.`,
            block.urn,
          );
        }
      }
    }
  },
});
