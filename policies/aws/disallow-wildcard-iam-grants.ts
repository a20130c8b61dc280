import { defineResourceRule, ofTypes } from "../lib/rule";
import { ATTACHMENTS, AWS_MANAGED, broadGrants, DOCUMENT_TYPES, documentsOf, IAM, type PolicyDocument } from "../lib/iam";
import { known, list, UNKNOWN } from "../lib/values";

/**
 * No Allow of `*` or of a whole service on every resource, in any identity or bucket policy.
 * KMS key policies are left to `aws-disallow-public-policy-principals`: in a key policy
 * `Resource: "*"` means "this key", and AWS's default key policy grants `kms:*` to the account.
 */
export const disallowWildcardIamGrants = defineResourceRule("aws", {
  name: "aws-disallow-wildcard-iam-grants",
  description: "No IAM or bucket policy document may allow every action, or every action of a service, on every resource.",
  enforcementLevel: "mandatory",
  numbers: [66],
  anchors: ["CKV_AWS_1", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_109", "CKV_AWS_111", "CIS AWS Foundations 1.16", "AWS FSBP IAM.1", "AWS FSBP IAM.21"],
  rationale:
    "A `*` or `service:*` grant on every resource turns one leaked credential into control of the whole account or service, including deleting backups and rewriting their policies.",
  standard:
    "CIS AWS Foundations Benchmark 1.16; AWS Foundational Security Best Practices IAM.1, IAM.21; Checkov CKV_AWS_1, CKV_AWS_62, CKV_AWS_63, CKV_AWS_109, CKV_AWS_111",
  validateResource: ofTypes([...DOCUMENT_TYPES, ...ATTACHMENTS], async (props, args, report) => {
    const docs: { label: string; document: PolicyDocument }[] = [];
    for (const d of documentsOf(args)) {
      if (d.kind !== "identity" && d.kind !== "resource") continue;
      if (d.document === UNKNOWN) continue; // computed during preview; checked again after the update
      if (d.document === "invalid") {
        report(
          `${args.type.split(":").pop()} "${args.name}": \`${d.field}\` is not a policy document. Fix: build it with JSON.stringify or pass a PolicyDocument object.`,
        );
        continue;
      }
      docs.push({ label: `\`${d.field}\``, document: d.document });
    }
    // AWS managed policies attached by ARN (the stack's own iam.Policy is checked where it is declared).
    const arns = args.type === IAM.Role ? known(() => list(props.managedPolicyArns)) : [known(() => props.policyArn)];
    for (const arn of arns === UNKNOWN ? [] : arns) {
      if (typeof arn === "string" && AWS_MANAGED[arn]) docs.push({ label: `the AWS managed policy ${arn}`, document: AWS_MANAGED[arn] });
    }
    for (const { label, document } of docs) {
      for (const g of await broadGrants(document)) {
        report(
          `${args.type.split(":").pop()} "${args.name}": statement ${g.statement} of ${label} allows ${g.what} on every resource. Fix: list the actions the principal needs and the ARNs it needs them on (e.g. "s3:PutObject" on "arn:aws:s3:::<bucket>/<prefix>*").`,
        );
      }
    }
  }),
});
