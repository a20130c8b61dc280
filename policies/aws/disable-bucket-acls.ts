import { defineStackRule } from "../lib/rule";
import { bucketsOf, companionsOf, describeBucket, S3 } from "../lib/aws";
import { known, list, obj, UNKNOWN } from "../lib/values";

const PUBLIC_CANNED = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GROUPS = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

/** `BucketOwnershipControls` `BucketOwnerEnforced`, no public `BucketAcl`. */
export const disableBucketAcls = defineStackRule("aws", {
  name: "aws-disable-bucket-acls",
  description: "Every S3 bucket must disable ACLs with BucketOwnershipControls `BucketOwnerEnforced` and must never carry a public ACL.",
  enforcementLevel: "mandatory",
  numbers: [38, 76],
  anchors: ["CKV2_AWS_65", "CKV_AWS_20", "CKV_AWS_57", "AVD-AWS-0092", "AWS FSBP S3.12"],
  rationale: "ACLs are a second access path that is easy to overlook; `BucketOwnerEnforced` turns them off so the bucket policy alone decides.",
  standard: "AWS Foundational Security Best Practices S3.12; Checkov CKV2_AWS_65, CKV_AWS_20, CKV_AWS_57",
  appliesTo: S3.Bucket,
  validateStack: (args, report) => {
    for (const bucket of bucketsOf(args.resources)) {
      const controls = companionsOf(args.resources, bucket, S3.OwnershipControls);
      const enforced = controls.some((c) => {
        const v = known(() => obj(c.props.rule).objectOwnership);
        return v === UNKNOWN || v === "BucketOwnerEnforced";
      });
      if (!enforced) {
        report(
          `${describeBucket(bucket)} does not disable ACLs. Fix: add \`aws.s3.BucketOwnershipControls\` with \`rule.objectOwnership: "BucketOwnerEnforced"\`.`,
          bucket.urn,
        );
      }
      const inline = known(() => bucket.props.acl);
      if (typeof inline === "string" && PUBLIC_CANNED.includes(inline)) {
        report(
          `${describeBucket(bucket)} sets the public canned ACL "${inline}". Fix: remove \`acl\`; grant access through IAM or a bucket policy.`,
          bucket.urn,
        );
      }
      for (const acl of companionsOf(args.resources, bucket, S3.Acl)) {
        const canned = known(() => acl.props.acl);
        const grants = known(() => list(obj(acl.props.accessControlPolicy).grants).map((g) => String(obj(obj(g).grantee).uri ?? "")));
        const publicGrant = grants !== UNKNOWN && grants.some((uri) => PUBLIC_GROUPS.includes(uri));
        if ((typeof canned === "string" && PUBLIC_CANNED.includes(canned)) || publicGrant) {
          report(
            `${describeBucket(bucket)}: BucketAcl "${acl.name}" makes it public${typeof canned === "string" ? ` ("${canned}")` : " (grant to AllUsers/AuthenticatedUsers)"}. Fix: delete the BucketAcl; with BucketOwnerEnforced ACLs are off.`,
            acl.urn,
          );
        }
      }
    }
  },
});
