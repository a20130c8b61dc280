import { defineStackRule } from "../lib/rule";
import { BACKUP_WRITER_FORBIDDEN, allowedS3Actions, credentialRoleOf, IAM, identityDocumentsOf, s3WriteActions, type PolicyDocument } from "../lib/iam";
import { BACKUP_MARKER } from "../lib/backups";
import { ofTypes } from "../lib/stack";
import { UNKNOWN } from "../lib/values";

/**
 * Backup writers cannot delete object versions, change lifecycle, policy or lock, or bypass
 * governance retention; restore readers cannot write. Each principal's identity documents
 * (inline, attached, a role's own) are evaluated together by iam-simulate, so a grant hidden in a
 * wildcard (`s3:Delete*`, `s3:*`), a `NotAction` or a second policy counts, and an explicit
 * unconditional Deny removes it.
 */
export const enforceBackupCredentialScope = defineStackRule("aws", {
  name: "aws-enforce-backup-credential-scope",
  description:
    "A backup writer's IAM permissions must not delete object versions or change a bucket's lifecycle, policy, versioning or object lock or bypass its retention, and a restore reader's must not write at all.",
  enforcementLevel: "mandatory",
  numbers: [68],
  anchors: ["CKV_AWS_111", "CKV_AWS_109", "AWS S3 Object Lock s3:BypassGovernanceRetention", "AWS FSBP S3.6"],
  rationale:
    "The credentials of a backup job sit in the cluster; if they can delete versions, shorten the lifecycle or lift the lock, whoever takes the cluster also takes the backups, and a restore check that can write can corrupt what it verifies.",
  standard:
    "AWS S3 Object Lock (governance mode, s3:BypassGovernanceRetention); AWS Foundational Security Best Practices S3.6; Checkov CKV_AWS_109, CKV_AWS_111",
  appliesTo: [IAM.User, IAM.Role],
  validateStack: async (args, report) => {
    for (const principal of ofTypes(args.resources, IAM.User, IAM.Role)) {
      const role = credentialRoleOf(principal, BACKUP_MARKER);
      if (!role) continue;
      const docs = identityDocumentsOf(args.resources, principal);
      if (docs.some((d) => d.document === UNKNOWN)) continue; // computed during preview; checked again after the update
      const known = docs.filter((d): d is typeof d & { document: PolicyDocument } => d.document !== "invalid");
      if (known.length === 0) continue;
      const forbidden = role === "backup writer" ? BACKUP_WRITER_FORBIDDEN : await s3WriteActions();
      const allowed = await allowedS3Actions(
        known.map((d) => d.document),
        forbidden,
      );
      if (allowed.length === 0) continue;
      const kind = principal.type === IAM.User ? "IAM user" : "IAM role";
      const fix =
        role === "backup writer"
          ? 'grant only "s3:PutObject" (and, for multipart uploads, "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts") on "<bucket ARN>/<prefix>*"'
          : 'grant only "s3:GetObject" on "<bucket ARN>/<prefix>*" and "s3:ListBucket" with an s3:prefix condition';
      report(
        `${kind} "${principal.name}" is a ${role}, but its policies (${known.map((d) => d.label).join(", ")}) allow ${allowed.slice(0, 5).join("; ")}${allowed.length > 5 ? ` and ${allowed.length - 5} more` : ""}. Fix: ${fix}.`,
        principal.urn,
      );
    }
  },
});
