import { defineResourceRule, ofTypes } from "../lib/rule";
import { DOCUMENT_TYPES, documentsOf, openStatements } from "../lib/iam";
import { UNKNOWN } from "../lib/values";

const WHAT = { resource: "bucket policy", key: "KMS key policy", trust: "trust policy" } as const;

/** No `Principal: "*"` Allow without a restricting condition (bucket, KMS key and trust policies). */
export const disallowPublicPolicyPrincipals = defineResourceRule("aws", {
  name: "aws-disallow-public-policy-principals",
  description:
    'No bucket, KMS key or role trust policy may allow `Principal: "*"` (or `NotPrincipal`) unless a condition restricts the caller\'s account, organization, source or network.',
  enforcementLevel: "mandatory",
  numbers: [67],
  anchors: ["CKV_AWS_33", "CKV_AWS_70", "CKV_AWS_60", "AWS FSBP S3.2", "AWS FSBP S3.3", "AWS FSBP KMS.5"],
  rationale:
    "An Allow for everyone opens the bucket, the key or the role to every AWS account and to anonymous callers; a condition on TLS or encryption headers does not say who the caller is.",
  standard: "AWS Foundational Security Best Practices S3.2, S3.3, KMS.5; Checkov CKV_AWS_33, CKV_AWS_60, CKV_AWS_70",
  validateResource: ofTypes(DOCUMENT_TYPES, (_props, args, report) => {
    for (const d of documentsOf(args)) {
      if (d.kind === "identity" || d.document === UNKNOWN || d.document === "invalid") continue;
      for (const statement of openStatements(d.document)) {
        report(
          `${args.type.split(":").pop()} "${args.name}": statement ${statement} of its ${WHAT[d.kind]} (\`${d.field}\`) allows everyone without a condition naming who. Fix: name the principals (an account, role ARN or service principal), or add a condition on aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn or aws:SourceVpce.`,
        );
      }
    }
  }),
});
