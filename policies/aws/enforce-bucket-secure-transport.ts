import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { bucketsOf, companionsOf, describeBucket, S3 } from "../lib/aws";
import { known, obj, UNKNOWN } from "../lib/values";

type Statement = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** `*`, `{ AWS: "*" }` or `{ AWS: [..., "*"] }`. */
export function isAnyone(principal: unknown): boolean {
  if (principal === "*") return true;
  return asList(obj(principal).AWS).includes("*");
}

function deniesInsecureTransport(s: Statement): boolean {
  if (s.Effect !== "Deny" || !isAnyone(s.Principal)) return false;
  const actions = asList(s.Action).map(String);
  if (!actions.some((a) => a === "s3:*" || a === "*")) return false;
  const value = obj(obj(s.Condition).Bool)["aws:SecureTransport"];
  return asList(value).some((v) => v === false || v === "false");
}

/** Statements of a policy given as JSON text or a PolicyDocument object; `undefined` if unparseable. */
export function statementsOf(policy: unknown): Statement[] | undefined {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return undefined;
    }
  }
  return asList(obj(doc).Statement).map((s) => obj(s));
}

/** Bucket policy denies `aws:SecureTransport = false`; no `Principal: "*"` allow. */
export const enforceBucketSecureTransport = defineStackRule("aws", {
  name: "aws-enforce-bucket-secure-transport",
  description: "Every S3 bucket policy must deny requests without TLS and must not allow any principal `*`.",
  enforcementLevel: "mandatory",
  numbers: [43, 76],
  anchors: ["CKV_AWS_70", "AWS FSBP S3.5", "AWS Config s3-bucket-ssl-requests-only"],
  rationale: "Without a TLS-only deny clients may send data and credentials in cleartext, and an allow for principal `*` opens the bucket to everyone.",
  standard: "AWS Foundational Security Best Practices S3.5; AWS Config s3-bucket-ssl-requests-only; Checkov CKV_AWS_70",
  appliesTo: S3.Bucket,
  validateStack: (args, report) => {
    for (const bucket of bucketsOf(args.resources)) {
      const sources: { policy: unknown; from: PolicyResource }[] = [];
      for (const bp of companionsOf(args.resources, bucket, S3.Policy)) sources.push({ policy: known(() => bp.props.policy), from: bp });
      const inline = known(() => bucket.props.policy);
      if (inline !== undefined) sources.push({ policy: inline, from: bucket });
      if (sources.some((s) => s.policy === UNKNOWN)) {
        report.advisory(
          `${describeBucket(bucket)}: its bucket policy is computed during preview, so TLS enforcement is checked after the update. Fix: none needed if the policy denies aws:SecureTransport = false.`,
          bucket.urn,
        );
        continue;
      }
      if (sources.length === 0) {
        report(
          `${describeBucket(bucket)} has no bucket policy, so plain-HTTP requests are accepted. Fix: add \`aws.s3.BucketPolicy\` with a Deny of "s3:*" for Principal "*" when \`aws:SecureTransport\` is "false".`,
          bucket.urn,
        );
        continue;
      }
      let deniesHttp = false;
      for (const { policy, from } of sources) {
        const statements = statementsOf(policy);
        if (!statements) {
          report(
            `${describeBucket(bucket)}: the policy of "${from.name}" is not valid JSON. Fix: build it with JSON.stringify or pass a PolicyDocument object.`,
            from.urn,
          );
          continue;
        }
        if (statements.some(deniesInsecureTransport)) deniesHttp = true;
        statements.forEach((s, i) => {
          if (s.Effect === "Allow" && isAnyone(s.Principal)) {
            report(
              `${describeBucket(bucket)}: statement ${s.Sid ? `"${s.Sid}"` : `#${i}`} of "${from.name}" allows Principal "*", making the bucket public. Fix: name the principals (an IAM role ARN, a service principal) instead of "*".`,
              from.urn,
            );
          }
        });
      }
      if (!deniesHttp) {
        report(
          `${describeBucket(bucket)}: its bucket policy does not deny plain-HTTP requests. Fix: add a statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, bucketArn + "/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }.`,
          bucket.urn,
        );
      }
    }
  },
});
