/**
 * What the backup job's upload credentials allow:
 * - export jobs, whose SDKs switch to multipart uploads for large files, can run a whole multipart
 *   upload into an SSE-KMS bucket (the calls and the IAM/KMS permissions each needs, from AWS's
 *   "Multipart upload API and permissions"), still only under their prefix;
 * - an empty R2 token value (cloudflare/terraform-provider-cloudflare#5273, #5967) fails the
 *   update with a message naming the token, and never reaches the job's Secret.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { MOCK_CLOUDFLARE_TOKEN_VALUE, installRecordingMocks, withCredentialSecrets } from "../helpers/mocks";

const rec = installRecordingMocks({ stack: "staging" });
let tokenValue = MOCK_CLOUDFLARE_TOKEN_VALUE;
withCredentialSecrets(() => tokenValue);

import { BackupBucketRef } from "../../components/data/backup-bucket";
import { BackupJob, BackupJobArgs, emptyR2TokenMessage, r2SecretAccessKey, s3BackupWriterPolicy } from "../../components/data/backup-job";
import { PlatformContext } from "../../components/context";
import { RestoreVerification } from "../../components/data/restore-verification";
import { Duration, Retention } from "../../components/values";

const staging: PlatformContext = { environment: "staging", product: "codebook", owner: "platform-team" };
const BUCKET_ARN = "arn:aws:s3:::codebook-staging-backups-123456789012";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/backups";
const RETENTION = [
  { prefix: "daily/", retention: Retention.days(30) },
  { prefix: "weekly/", retention: Retention.days(90) },
];
const S3_BUCKET: BackupBucketRef = {
  kind: "s3",
  bucketName: "codebook-staging-backups-123456789012",
  endpoint: "https://s3.us-east-1.amazonaws.com",
  region: "us-east-1",
  arn: BUCKET_ARN,
  kmsKeyArn: KEY_ARN,
  retention: RETENTION,
};
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const R2_BUCKET: BackupBucketRef = {
  kind: "r2",
  bucketName: "ara-staging-backups",
  endpoint: `https://${ACCOUNT}.r2.cloudflarestorage.com`,
  region: "auto",
  accountId: ACCOUNT,
  jurisdiction: "default",
  retention: RETENTION,
};
const base = (over: Partial<BackupJobArgs> = {}): BackupJobArgs => ({
  context: staging,
  namespace: "codebook",
  bucket: S3_BUCKET,
  prefix: "daily/",
  schedule: "15 3 * * *",
  rpo: Duration.hours(24),
  databaseUrl: "postgresql://backup:pw@db.internal:5432/codebook",
  image: { repository: "ghcr.io/acme/pg-backup", tag: "17.6-1" },
  ...over,
});
const exportJob = (over: Partial<BackupJobArgs> = {}): BackupJobArgs =>
  base({
    prefix: "weekly/",
    schedule: "0 4 * * 0",
    rpo: Duration.days(8),
    databaseUrl: undefined,
    image: undefined,
    exportTask: { image: { repository: "ghcr.io/acme/codebook-backend", tag: "1.2.3" }, command: ["node", "export.js"] },
    ...over,
  });

// ---- a small IAM evaluator: Allow statements, `*` wildcards in resources, StringEquals conditions.

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: { StringEquals?: Record<string, string> };
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.?+^${}()|[\]\\/]/g, "\\$&"))
      .join(".*")}$`,
  ).test(value);

/** Whether the identity policy allows `action` on `resource` in the request context. */
function allowed(policy: string, action: string, resource: string, context: Record<string, string> = {}): boolean {
  const statements = (JSON.parse(policy) as { Statement: Statement[] }).Statement;
  return statements.some(
    (s) =>
      s.Effect === "Allow" &&
      list(s.Action).some((a) => glob(a, action)) &&
      list(s.Resource).some((r) => glob(r, resource)) &&
      Object.entries(s.Condition?.StringEquals ?? {}).every(([k, v]) => context[k] === v),
  );
}

/**
 * The calls of a multipart upload into an SSE-KMS bucket and what each is authorised by (AWS S3
 * user guide, "Multipart upload API and permissions"): Create, UploadPart and Complete by
 * `s3:PutObject`, Abort by `s3:AbortMultipartUpload`, ListParts by `s3:ListMultipartUploadParts`;
 * S3 generates the data key when the upload starts and decrypts it for every part and to complete.
 */
const MULTIPART_UPLOAD: ReadonlyArray<{ call: string; s3: string; kms: string[] }> = [
  { call: "CreateMultipartUpload", s3: "s3:PutObject", kms: ["kms:GenerateDataKey"] },
  { call: "UploadPart", s3: "s3:PutObject", kms: ["kms:Decrypt"] },
  { call: "ListParts", s3: "s3:ListMultipartUploadParts", kms: [] },
  { call: "CompleteMultipartUpload", s3: "s3:PutObject", kms: ["kms:Decrypt"] },
  { call: "AbortMultipartUpload", s3: "s3:AbortMultipartUpload", kms: [] },
];
const VIA_S3 = { "kms:ViaService": "s3.us-east-1.amazonaws.com" };

/** The calls of the upload that the policy denies, as `Call: action on resource`. */
function deniedCalls(policy: string, objectKey: string): string[] {
  const denied: string[] = [];
  for (const step of MULTIPART_UPLOAD) {
    const object = `${BUCKET_ARN}/${objectKey}`;
    if (!allowed(policy, step.s3, object)) denied.push(`${step.call}: ${step.s3} on ${object}`);
    for (const k of step.kms) if (!allowed(policy, k, KEY_ARN, VIA_S3)) denied.push(`${step.call}: ${k} on the bucket key`);
  }
  return denied;
}

beforeEach(() => {
  rec.reset();
  tokenValue = MOCK_CLOUDFLARE_TOKEN_VALUE;
});

async function registeredPolicy(a: BackupJobArgs): Promise<string> {
  new BackupJob(a.exportTask ? "codebook-backup-pinecone" : "codebook-backup-daily", a);
  await rec.settle();
  return rec.one("aws:iam/userPolicy:UserPolicy").inputs.policy as string;
}

describe("multipart uploads of export jobs (SSE-KMS)", () => {
  it("the evaluator denies a multipart upload under the single-PUT policy (so the checks below can fail)", () => {
    const single = s3BackupWriterPolicy(BUCKET_ARN, "weekly/", KEY_ARN, "us-east-1");
    expect(deniedCalls(single, "weekly/codebook/2026-01-04.json.gz")).toEqual([
      "UploadPart: kms:Decrypt on the bucket key",
      `ListParts: s3:ListMultipartUploadParts on ${BUCKET_ARN}/weekly/codebook/2026-01-04.json.gz`,
      "CompleteMultipartUpload: kms:Decrypt on the bucket key",
      `AbortMultipartUpload: s3:AbortMultipartUpload on ${BUCKET_ARN}/weekly/codebook/2026-01-04.json.gz`,
    ]);
  });

  it("an export job's registered policy allows every call of a multipart upload under its prefix", async () => {
    const policy = await registeredPolicy(exportJob());
    expect(deniedCalls(policy, "weekly/codebook/2026-01-04.json.gz")).toEqual([]);
  });

  it("and nothing outside its prefix, nor through KMS other than via S3", async () => {
    const policy = await registeredPolicy(exportJob());
    const outside = deniedCalls(policy, "daily/codebook/2026-01-04.dump");
    expect(outside.filter((d) => d.includes(" on arn:aws:s3"))).toHaveLength(MULTIPART_UPLOAD.length);
    expect(allowed(policy, "kms:Decrypt", KEY_ARN, {})).toBe(false);
    expect(allowed(policy, "s3:GetObject", `${BUCKET_ARN}/weekly/x`)).toBe(false);
    expect(allowed(policy, "s3:DeleteObject", `${BUCKET_ARN}/weekly/x`)).toBe(false);
  });

  it("the pg_dump job (one signed PUT) keeps the narrower policy: no decrypt, no multipart", async () => {
    const policy = await registeredPolicy(base());
    expect(allowed(policy, "s3:PutObject", `${BUCKET_ARN}/daily/codebook/x.dump`)).toBe(true);
    expect(allowed(policy, "kms:GenerateDataKey", KEY_ARN, VIA_S3)).toBe(true);
    expect(allowed(policy, "kms:Decrypt", KEY_ARN, VIA_S3)).toBe(false);
    expect(allowed(policy, "s3:AbortMultipartUpload", `${BUCKET_ARN}/daily/codebook/x.dump`)).toBe(false);
  });
});

describe("empty R2 token value", () => {
  it("r2SecretAccessKey refuses an empty value with the known issue and the fix", () => {
    expect(() => r2SecretAccessKey("")).toThrow(emptyR2TokenMessage("the API token"));
    expect(emptyR2TokenMessage("x")).toMatch(/#5273, #5967/);
    expect(emptyR2TokenMessage("x")).toMatch(/pulumi up --replace/);
  });

  it("an empty token value fails the job with a message naming the token, and no Secret gets an empty key", async () => {
    tokenValue = "";
    const errors: unknown[] = [];
    const onRejection = (e: unknown) => errors.push(e);
    process.on("unhandledRejection", onRejection);
    try {
      new BackupJob("ara-backup-daily", base({ bucket: R2_BUCKET, context: { ...staging, product: "ara" } }));
      await rec.settle();
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      process.off("unhandledRejection", onRejection);
    }
    const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)));
    expect(messages.some((m) => m.includes('Cloudflare API token "ara-backup-daily-token" has an empty `value`'))).toBe(true);
    const secrets = rec.ofType("kubernetes:core/v1:Secret");
    for (const s of secrets) expect(s.inputs.stringData?.AWS_SECRET_ACCESS_KEY).toBeTruthy();
    expect(secrets).toHaveLength(0);
  });

  it("the restore verification's reader token is guarded the same way (one credential path, components/data/prefix-credentials.ts)", async () => {
    tokenValue = "";
    const errors: unknown[] = [];
    const onRejection = (e: unknown) => errors.push(e);
    process.on("unhandledRejection", onRejection);
    try {
      new RestoreVerification("ara-restore-verify-daily", {
        context: { ...staging, product: "ara" },
        namespace: "ara-staging",
        bucket: R2_BUCKET,
        prefix: "daily/",
        schedule: "0 5 * * 0",
        image: { repository: "ghcr.io/example/pg-backup", tag: "17.6-2" },
      });
      await rec.settle();
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      process.off("unhandledRejection", onRejection);
    }
    const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)));
    expect(messages.some((m) => m.includes('Cloudflare API token "ara-restore-verify-daily-token" has an empty `value`'))).toBe(true);
    expect(rec.ofType("kubernetes:core/v1:Secret")).toHaveLength(0);
  });

  it("a non-empty value still becomes the sha256 key in the Secret", async () => {
    new BackupJob("ara-backup-daily", base({ bucket: R2_BUCKET, context: { ...staging, product: "ara" } }));
    await rec.settle();
    const secret = rec.one("kubernetes:core/v1:Secret");
    expect(secret.inputs.stringData.AWS_SECRET_ACCESS_KEY).toBe(r2SecretAccessKey("mock-cloudflare-token-value"));
  });
});
