/**
 * The release Jobs' pieces under Pulumi's mocks: `releaseJobName` (one name per image pin, a DNS
 * label of at most 63 characters), `PreDeployBackup` (the backup job's credentials model on the
 * `pre-deploy/` prefix, refused without a retention rule for it) and `KubernetesService`'s
 * `migration` (checked before anything is created).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { installRecordingMocks, withCredentialSecrets } from "../helpers/mocks";

const rec = installRecordingMocks({ stack: "staging" });

// The provider-computed secrets the job reads (an IAM access key's `secret`), so their flow can be asserted.
withCredentialSecrets();

import type { BackupBucketRef } from "../../components/data/backup-bucket";
import { PRE_DEPLOY_PREFIX, PreDeployBackup, type PreDeployBackupArgs } from "../../components/data/pre-deploy-backup";
import { MAX_JOB_NAME, releaseJobName } from "../../components/workloads/release-jobs";
import { imageReference, kubernetesServiceProblems, type KubernetesServiceArgs } from "../../components/workloads/kubernetes-service";
import { Probe } from "../../components/workloads/probe";
import type { PlatformContext } from "../../components/context";
import { Retention } from "../../components/values";

const staging: PlatformContext = { environment: "staging", product: "codebook", owner: "platform-team" };
const REPO = "ghcr.io/acme/codebook-backend";
const DIGEST = `sha256:${"0a1b".repeat(16)}`;

describe("releaseJobName", () => {
  const ref = (tag?: string, digest?: string) => imageReference({ repository: REPO, tag, digest });

  it("is the same for the same pin and differs for a new tag, a digest or another repository", () => {
    const a = releaseJobName("codebook-api", "migrate", ref("1.2.3"));
    expect(releaseJobName("codebook-api", "migrate", ref("1.2.3"))).toBe(a);
    expect(a).toMatch(/^codebook-api-migrate-[0-9a-f]{10}$/);
    const others = [ref("1.2.4"), ref("1.2.3", DIGEST), ref(undefined, DIGEST), imageReference({ repository: "ghcr.io/acme/other", tag: "1.2.3" })];
    for (const o of others) expect(releaseJobName("codebook-api", "migrate", o), o).not.toBe(a);
    // The steps of one release have names of their own.
    expect(releaseJobName("codebook-api", "pre-deploy", ref("1.2.3"))).not.toBe(a);
  });

  it("shortens a long workload name to stay a DNS label of at most 63 characters, keeping the hash", () => {
    const long = `${"a".repeat(40)}-${"b".repeat(40)}`;
    const name = releaseJobName(long, "pre-deploy", ref("1.2.3"));
    expect(name.length).toBeLessThanOrEqual(MAX_JOB_NAME);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(name).toMatch(/-pre-deploy-[0-9a-f]{10}$/);
    // A cut that ends on "-" does not leave a double hyphen.
    expect(releaseJobName(`${"a".repeat(40)}-bbbb`, "pre-deploy", ref("1"))).not.toMatch(/--/);
  });
});

const RETENTION = [
  { prefix: "daily/", retention: Retention.days(30) },
  { prefix: PRE_DEPLOY_PREFIX, retention: Retention.days(90) },
];
const S3: BackupBucketRef = {
  kind: "s3",
  bucketName: "codebook-staging-backups",
  endpoint: "https://s3.us-east-1.amazonaws.com",
  region: "us-east-1",
  arn: "arn:aws:s3:::codebook-staging-backups",
  kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/backups",
  retention: RETENTION,
};
const R2: BackupBucketRef = {
  kind: "r2",
  bucketName: "codebook-staging-backups",
  endpoint: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
  region: "auto",
  accountId: "0123456789abcdef0123456789abcdef",
  jurisdiction: "default",
  retention: RETENTION,
};
const backupArgs = (over: Partial<PreDeployBackupArgs> = {}): PreDeployBackupArgs => ({
  context: staging,
  namespace: "codebook-staging",
  bucket: S3,
  jobName: "codebook-api-pre-deploy-0123456789",
  databaseUrl: pulumi.secret("postgresql://app:pw@db.internal:5432/codebook"),
  ...over,
});

describe("PreDeployBackup", () => {
  beforeEach(() => rec.reset());

  it("S3: its own IAM user may only put objects under pre-deploy/ (and encrypt through S3)", async () => {
    new PreDeployBackup("codebook-api-pre-deploy", backupArgs());
    await rec.settle();
    const policy = JSON.parse(rec.one("aws:iam/userPolicy:UserPolicy").inputs.policy);
    const actions = policy.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions.sort()).toEqual(["kms:Encrypt", "kms:GenerateDataKey", "s3:PutObject"]);
    expect(policy.Statement.find((s: any) => s.Action === "s3:PutObject").Resource).toBe("arn:aws:s3:::codebook-staging-backups/pre-deploy/*");
    // DATABASE_URL and both keys reach only the Secret, as secrets.
    const secret = rec.one("kubernetes:core/v1:Secret");
    expect(Object.keys(secret.inputs.stringData).sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DATABASE_URL"]);
    for (const k of Object.keys(secret.inputs.stringData)) {
      expect(
        secret.secretPaths.some((p) => p === "stringData" || p === `stringData.${k}`),
        k,
      ).toBe(true);
    }
    const job = rec.one("kubernetes:batch/v1:Job");
    expect(job.secretPaths).toEqual([]);
    expect(job.inputs.metadata.name).toBe("codebook-api-pre-deploy-0123456789");
    expect(job.inputs.spec.template.spec.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
  });

  it("R2: a token on the one bucket, named for the pre-deploy prefix", async () => {
    new PreDeployBackup("codebook-api-pre-deploy", backupArgs({ bucket: R2 }));
    await rec.settle();
    expect(rec.one("cloudflare:index/apiToken:ApiToken").inputs.name).toBe("codebook-staging pre-deploy backup writer codebook-staging-backups/pre-deploy/");
    expect(rec.ofType("aws:iam/user:User")).toEqual([]);
  });

  it("is refused, naming the fix, when the bucket keeps no pre-deploy/ prefix", () => {
    expect(() => new PreDeployBackup("x-pre-deploy", backupArgs({ bucket: { ...S3, retention: [RETENTION[0]] } }))).toThrow(
      /no retention rule for "pre-deploy\/".*Retention\.days\(90\)/s,
    );
  });
});

describe("KubernetesService migration arguments", () => {
  const service = (migration: KubernetesServiceArgs["migration"]): KubernetesServiceArgs => ({
    context: staging,
    namespace: "codebook-staging",
    image: { repository: REPO, tag: "1.2.3" },
    port: 8000,
    liveness: Probe.httpGet("/health", { port: 8000 }),
    readiness: Probe.httpGet("/health", { port: 8000 }),
    resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "1Gi" } },
    replicas: 1,
    migration,
  });

  it("accepts a command and a release Job name", () => {
    expect(
      kubernetesServiceProblems("codebook-api", service({ command: ["npx", "prisma", "migrate", "deploy"], jobName: "codebook-api-migrate-0123456789" })),
    ).toEqual([]);
  });

  it.each([
    [{ command: [], jobName: "codebook-api-migrate-0123456789" }, /migration\.command/],
    [{ command: ["npx", ""], jobName: "codebook-api-migrate-0123456789" }, /migration\.command/],
    [{ command: ["npx"], jobName: `${"a".repeat(64)}` }, /migration\.jobName.*63/],
    [{ command: ["npx"], jobName: "Codebook_Migrate" }, /migration\.jobName/],
  ])("refuses %j", (migration, problem) => {
    expect(kubernetesServiceProblems("codebook-api", service(migration)).join("\n")).toMatch(problem);
  });
});
