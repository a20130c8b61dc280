import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { MOCK_CLOUDFLARE_TOKEN_VALUE, installRecordingMocks, valueOf, withCredentialSecrets } from "../helpers/mocks";

const rec = installRecordingMocks({ stack: "staging" });

// The provider-computed secrets the job reads (an IAM access key's `secret`, a Cloudflare token's `value`).
const TOKEN_VALUE = MOCK_CLOUDFLARE_TOKEN_VALUE;
withCredentialSecrets();

import { BackupBucket, BackupBucketRef } from "../../components/data/backup-bucket";
import {
  BackupJob,
  BackupJobArgs,
  CLERK_API_URL,
  CLERK_EXPORT_SCRIPT_PATH,
  PG_URL_SCRIPT_PATH,
  S3_PUT_SCRIPT_PATH,
  R2_BUCKET_ITEM_WRITE_PERMISSION_GROUP,
  r2SecretAccessKey,
  validateBackupJobArgs,
} from "../../components/data/backup-job";
import { PlatformContext } from "../../components/context";
import { Duration, Retention } from "../../components/values";

const staging: PlatformContext = { environment: "staging", product: "codebook", owner: "platform-team" };
const prod: PlatformContext = { ...staging, environment: "prod" };
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const DB_URL = "postgresql://backup:pw@db.internal:5432/codebook";
const SCRIPT = readFileSync(path.join(__dirname, "../../components/data/scripts/pg-backup.sh"), "utf8");

const RETENTION = [
  { prefix: "daily/", retention: Retention.days(30) },
  { prefix: "weekly/", retention: Retention.days(90) },
];
const S3_BUCKET: BackupBucketRef = {
  kind: "s3",
  bucketName: "codebook-staging-backups",
  endpoint: "https://s3.us-east-1.amazonaws.com",
  region: "us-east-1",
  arn: "arn:aws:s3:::codebook-staging-backups",
  kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/backups",
  retention: RETENTION,
};
const R2_BUCKET: BackupBucketRef = {
  kind: "r2",
  bucketName: "ara-staging-backups",
  endpoint: `https://${ACCOUNT}.r2.cloudflarestorage.com`,
  region: "auto",
  accountId: ACCOUNT,
  jurisdiction: "default",
  retention: RETENTION,
};

const T = {
  user: "aws:iam/user:User",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  accessKey: "aws:iam/accessKey:AccessKey",
  token: "cloudflare:index/apiToken:ApiToken",
  sa: "kubernetes:core/v1:ServiceAccount",
  secret: "kubernetes:core/v1:Secret",
  configMap: "kubernetes:core/v1:ConfigMap",
  cronJob: "kubernetes:batch/v1:CronJob",
  netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};

const args = (over: Partial<BackupJobArgs> = {}): BackupJobArgs => ({
  context: staging,
  namespace: "codebook",
  bucket: S3_BUCKET,
  prefix: "daily/",
  schedule: "15 3 * * *",
  rpo: Duration.hours(24), // seed 001 §4.3
  databaseUrl: DB_URL,
  image: { repository: "ghcr.io/acme/pg-backup", tag: "17.6-1" },
  ...over,
});

function problemsOf(a: BackupJobArgs, name = "codebook-backup-daily"): string {
  try {
    validateBackupJobArgs(name, a);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

const children = () => rec.customChildren();

const podSpec = () => rec.one(T.cronJob).inputs.spec.jobTemplate.spec.template.spec;

beforeEach(() => rec.reset());

describe("BackupJob children", () => {
  it.each([
    ["s3", "staging"],
    ["s3", "prod"],
    ["r2", "staging"],
    ["r2", "prod"],
  ] as const)("%s in %s: exact child types and names", async (kind, env) => {
    new BackupJob("job", args({ bucket: kind === "s3" ? S3_BUCKET : R2_BUCKET, context: env === "prod" ? prod : staging }));
    await rec.settle();
    expect(rec.one("app-platform:kubernetes:BackupJob", "job").custom).toBe(false);
    const cloud = kind === "s3" ? [`${T.user} job-user`, `${T.userPolicy} job-user-policy`, `${T.accessKey} job-access-key`] : [`${T.token} job-token`];
    expect(children()).toEqual(
      [
        ...cloud,
        `${T.sa} job-sa`,
        `${T.secret} job-credentials`,
        `${T.configMap} job-script`,
        `${T.cronJob} job-cronjob`,
        `${T.netpol} job-network-policy`,
      ].sort(),
    );
    const labels = rec.one(T.cronJob).inputs.metadata.labels;
    expect(labels["app-platform/environment"]).toBe(env);
    expect(labels["app.kubernetes.io/instance"]).toBe(`job-${env}`);
    // Credentials and the database URL reach the cluster only inside the Secret, as secrets.
    const secret = rec.one(T.secret);
    expect(secret.secretPaths).toEqual(["stringData"]);
    expect(Object.keys(secret.inputs.stringData).sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DATABASE_URL"]);
    for (const r of rec.resources.filter((x) => x.type !== T.secret)) {
      expect(JSON.stringify(r.inputs)).not.toContain(DB_URL);
      expect(JSON.stringify(r.inputs)).not.toContain(secret.inputs.stringData.AWS_SECRET_ACCESS_KEY);
    }
  });
});

describe("BackupJob on S3", () => {
  it("creates an IAM user that may only put objects under the prefix, encrypted through S3", async () => {
    new BackupJob("job", args());
    await rec.settle();
    expect(rec.one(T.user).inputs).toMatchObject({
      name: "job-staging",
      path: "/app-platform/backup/",
      tags: { product: "codebook", "app-platform/backup": "true" },
    });
    const up = rec.one(T.userPolicy).inputs;
    expect(up.user).toBe("job-staging");
    expect(rec.one(T.accessKey).inputs.user).toBe("job-staging");
    expect(JSON.parse(up.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PutBackups",
          Effect: "Allow",
          Action: "s3:PutObject",
          Resource: "arn:aws:s3:::codebook-staging-backups/daily/*",
        },
        {
          Sid: "EncryptThroughS3",
          Effect: "Allow",
          Action: ["kms:GenerateDataKey", "kms:Encrypt"],
          Resource: "arn:aws:kms:us-east-1:123456789012:key/backups",
          Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
        },
      ],
    });
  });

  it("puts the database URL and the access key in the Secret, all as secrets", async () => {
    const job = new BackupJob("job", args());
    await rec.settle();
    const secret = rec.one(T.secret);
    expect(secret.inputs.metadata).toMatchObject({ name: "job-credentials", namespace: "codebook" });
    expect(secret.inputs.type).toBe("Opaque");
    expect(Object.keys(secret.inputs.stringData).sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DATABASE_URL"]);
    expect(secret.inputs.stringData.DATABASE_URL).toBe(DB_URL);
    expect(secret.inputs.stringData.AWS_ACCESS_KEY_ID).toBe("job-access-key-id");
    expect(secret.inputs.stringData.AWS_SECRET_ACCESS_KEY).toBe("mock-aws-secret-access-key");
    expect(secret.secretPaths).toEqual(["stringData"]);
    expect(await valueOf(job.credentialsSecretName)).toBe("job-credentials");
  });

  it("accepts a database URL that arrives as a secret Output", async () => {
    new BackupJob("job", args({ databaseUrl: pulumi.secret(DB_URL) }));
    await rec.settle();
    expect(rec.one(T.secret).inputs.stringData.DATABASE_URL).toBe(DB_URL);
    expect(rec.one(T.secret).secretPaths).toEqual(["stringData"]);
  });

  it("ships the script on disk, byte for byte, in a ConfigMap mounted read-only", async () => {
    new BackupJob("job", args());
    await rec.settle();
    const cm = rec.one(T.configMap).inputs;
    expect(cm.metadata).toMatchObject({ name: "job-script", namespace: "codebook" });
    expect(Object.keys(cm.data)).toEqual(["pg-backup.sh", "pg-url.sh", "s3-put.sh"]);
    expect(cm.data["pg-url.sh"]).toBe(readFileSync(PG_URL_SCRIPT_PATH, "utf8"));
    expect(cm.data["pg-backup.sh"]).toBe(SCRIPT);
    expect(SCRIPT).toMatch(/^#!\/bin\/sh\n/);
    const spec = podSpec();
    expect(spec.volumes).toEqual([
      { name: "scripts", configMap: { name: "job-script", defaultMode: 0o444 } },
      { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
    ]);
    expect(spec.containers[0].volumeMounts).toEqual([
      { name: "scripts", mountPath: "/scripts", readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
    ]);
    expect(spec.containers[0].command).toEqual(["/bin/sh", "/scripts/pg-backup.sh"]);
  });

  it("schedules a CronJob that never overlaps, has deadlines, retries and history limits", async () => {
    const job = new BackupJob("job", args());
    await rec.settle();
    const cj = rec.one(T.cronJob).inputs;
    expect(cj.metadata.name).toBe("job");
    expect(cj.metadata.namespace).toBe("codebook");
    expect(cj.metadata.labels).toMatchObject({
      "app.kubernetes.io/name": "job",
      "app.kubernetes.io/component": "backup",
      "app.kubernetes.io/part-of": "codebook",
      "app.kubernetes.io/managed-by": "pulumi",
      "app-platform/owner": "platform-team",
      "app-platform/backup": "true",
    });
    expect(cj.metadata.annotations).toEqual({ "app-platform/rpo-seconds": "86400", "app-platform/backup-prefix": "daily/" });
    expect(cj.spec).toMatchObject({
      schedule: "15 3 * * *",
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
    });
    expect(cj.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(3600);
    expect(cj.spec.jobTemplate.spec.backoffLimit).toBe(2);
    expect(cj.spec.jobTemplate.spec.template.metadata.labels).toMatchObject(job.selectorLabels);
    expect(await valueOf(job.cronJobName)).toBe("job");
    expect(job.schedule).toBe("15 3 * * *");
    expect(job.rpo.toSeconds()).toBe(86_400);
    expect(job.selectorLabels).toEqual({ "app.kubernetes.io/name": "job", "app.kubernetes.io/instance": "job-staging" });
  });

  it("runs a restricted, non-root pod with its own service account and no token", async () => {
    new BackupJob("job", args());
    await rec.settle();
    expect(rec.one(T.sa).inputs).toMatchObject({ metadata: { name: "job", namespace: "codebook" }, automountServiceAccountToken: false });
    const spec = podSpec();
    expect(spec).toMatchObject({
      serviceAccountName: "job",
      automountServiceAccountToken: false,
      restartPolicy: "Never",
      securityContext: { runAsNonRoot: true, runAsUser: 70, runAsGroup: 70, seccompProfile: { type: "RuntimeDefault" } },
    });
    const c = spec.containers[0];
    expect(c.image).toBe("ghcr.io/acme/pg-backup:17.6-1");
    expect(c.securityContext).toEqual({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 70,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } });
  });

  it("lists the stack's image pull secrets on the job's pod (private registries)", async () => {
    new BackupJob("job", args());
    await rec.settle();
    expect(podSpec().imagePullSecrets).toBeUndefined();
    rec.reset();
    new BackupJob("job", args({ context: { ...staging, kubernetes: { imagePullSecrets: ["ghcr-pull"] } } }));
    await rec.settle();
    expect(podSpec().imagePullSecrets).toEqual([{ name: "ghcr-pull" }]);
  });

  it("passes bucket facts as plain env and secrets only by reference", async () => {
    new BackupJob("job", args());
    await rec.settle();
    const env = podSpec().containers[0].env;
    expect(env).toEqual([
      { name: "S3_ENDPOINT", value: "https://s3.us-east-1.amazonaws.com" },
      { name: "S3_BUCKET", value: "codebook-staging-backups" },
      { name: "S3_REGION", value: "us-east-1" },
      { name: "BACKUP_PREFIX", value: "daily/" },
      { name: "PRODUCT", value: "codebook" },
      { name: "BACKUP_TMPDIR", value: "/tmp" },
      { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "job-credentials", key: "DATABASE_URL" } } },
      { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: "job-credentials", key: "AWS_ACCESS_KEY_ID" } } },
      { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "job-credentials", key: "AWS_SECRET_ACCESS_KEY" } } },
    ]);
    expect(rec.one(T.cronJob).secretPaths).toEqual([]);
  });

  it("allows only DNS, the database port and HTTPS out, and nothing in", async () => {
    const job = new BackupJob("job", args());
    await rec.settle();
    const np = rec.one(T.netpol).inputs;
    expect(np.metadata).toMatchObject({ name: "job", namespace: "codebook" });
    expect(np.spec).toEqual({
      podSelector: { matchLabels: job.selectorLabels },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [
        {
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
        { ports: [{ protocol: "TCP", port: 5432 }] },
        { ports: [{ protocol: "TCP", port: 443 }] },
      ],
    });
  });

  it("takes explicit deadlines, retries, history, resources, scratch size and database port", async () => {
    new BackupJob(
      "job",
      args({
        activeDeadline: Duration.minutes(30),
        startingDeadline: Duration.minutes(5),
        backoffLimit: 1,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 5,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1Gi" } },
        tmpSizeLimit: "10Gi",
        databasePort: 6543,
      }),
    );
    await rec.settle();
    const cj = rec.one(T.cronJob).inputs.spec;
    expect(cj).toMatchObject({ startingDeadlineSeconds: 300, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 5 });
    expect(cj.jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 1800, backoffLimit: 1 });
    expect(podSpec().containers[0].resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1Gi" } });
    expect(podSpec().volumes[1]).toEqual({ name: "tmp", emptyDir: { sizeLimit: "10Gi" } });
    expect(rec.one(T.netpol).inputs.spec.egress[1]).toEqual({ ports: [{ protocol: "TCP", port: 6543 }] });
  });

  it("defaults to a pinned postgres image", async () => {
    new BackupJob("job", args({ image: undefined }));
    await rec.settle();
    expect(podSpec().containers[0].image).toBe("postgres:17.6-alpine3.22");
  });

  it("works with a real BackupBucket's outputs", async () => {
    const bucket = new BackupBucket("backups", { context: staging, kind: "s3", retention: RETENTION });
    new BackupJob("job", args({ bucket }));
    await rec.settle();
    const policy = JSON.parse(rec.one(T.userPolicy).inputs.policy);
    expect(policy.Statement[0].Resource).toBe("arn:aws:mock:::backups-bucket/daily/*");
    expect(policy.Statement[1].Resource).toBe("arn:aws:mock:::backups-key");
    const env = Object.fromEntries(
      podSpec()
        .containers[0].env.filter((e: any) => e.value)
        .map((e: any) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      S3_ENDPOINT: "https://s3.us-east-1.amazonaws.com",
      S3_BUCKET: "codebook-staging-backups",
      S3_REGION: "us-east-1",
    });
  });
});

describe("BackupJob on R2", () => {
  it("creates an API token that can write to this one bucket only", async () => {
    new BackupJob("job", args({ bucket: R2_BUCKET }));
    await rec.settle();
    const token = rec.one(T.token).inputs;
    expect(token.name).toBe("codebook-staging backup writer ara-staging-backups/daily/");
    expect(token.policies).toHaveLength(1);
    expect(token.policies[0].effect).toBe("allow");
    expect(token.policies[0].permissionGroups).toEqual([{ id: R2_BUCKET_ITEM_WRITE_PERMISSION_GROUP }]);
    expect(JSON.parse(token.policies[0].resources)).toEqual({
      [`com.cloudflare.edge.r2.bucket.${ACCOUNT}_default_ara-staging-backups`]: "*",
    });
    expect(rec.ofType(T.user)).toEqual([]);
  });

  it("takes another permission group id", async () => {
    new BackupJob("job", args({ bucket: R2_BUCKET, r2PermissionGroupId: "feedface" }));
    await rec.settle();
    expect(rec.one(T.token).inputs.policies[0].permissionGroups).toEqual([{ id: "feedface" }]);
  });

  it("derives the S3 credentials from the token and keeps them secret", async () => {
    new BackupJob("job", args({ bucket: R2_BUCKET }));
    await rec.settle();
    const secret = rec.one(T.secret);
    expect(secret.inputs.stringData.AWS_ACCESS_KEY_ID).toBe("job-token-id");
    // Cloudflare: secret access key = sha256 hex of the token value.
    expect(r2SecretAccessKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(secret.inputs.stringData.AWS_SECRET_ACCESS_KEY).toBe(r2SecretAccessKey(TOKEN_VALUE));
    expect(secret.secretPaths).toEqual(["stringData"]);
  });

  it("signs for region auto against the account endpoint", async () => {
    new BackupJob("job", args({ bucket: R2_BUCKET }));
    await rec.settle();
    const env = Object.fromEntries(
      podSpec()
        .containers[0].env.filter((e: any) => e.value)
        .map((e: any) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      S3_ENDPOINT: `https://${ACCOUNT}.r2.cloudflarestorage.com`,
      S3_BUCKET: "ara-staging-backups",
      S3_REGION: "auto",
    });
  });
});

describe("validateBackupJobArgs", () => {
  it("accepts the codebook daily and weekly jobs", () => {
    expect(problemsOf(args())).toBe("");
    expect(problemsOf(args({ prefix: "weekly/", schedule: "30 3 * * 0", rpo: Duration.days(8) }))).toBe("");
    expect(problemsOf(args({ bucket: R2_BUCKET }))).toBe("");
  });

  it("checks `dumpSchemas`: names or pg_dump patterns, not empty, dumps only", () => {
    expect(problemsOf(args({ dumpSchemas: { exclude: ["auth", "pg_*"] } }))).toBe("");
    expect(problemsOf(args({ dumpSchemas: { include: [] } }))).toContain("`dumpSchemas.include` is empty");
    expect(problemsOf(args({ dumpSchemas: { exclude: ["a,b"] } }))).toContain('`dumpSchemas.exclude` entry "a,b" is not a schema name or pg_dump pattern');
  });

  it("rejects a prefix the bucket has no retention rule for", () => {
    expect(problemsOf(args({ prefix: "hourly/" }))).toContain('`prefix` "hourly/" is not one of the bucket\'s retention prefixes ("daily/", "weekly/")');
  });

  it("rejects a schedule slower than the RPO, naming both", () => {
    expect(problemsOf(args({ schedule: "30 3 * * 0" }))).toContain('`schedule` "30 3 * * 0" leaves up to 7d between runs, more than `rpo` (1d)');
    expect(problemsOf(args({ schedule: "0 3 * * 1-5" }))).toContain("leaves up to 3d between runs, more than `rpo` (1d)");
    expect(problemsOf(args({ schedule: "0 0 29 2 *", rpo: Duration.days(29) }))).toContain("leaves up to 1461d");
  });

  // The grammar itself is tested in tests/policies/cron-conformance.test.ts; here: that the
  // validation reads schedules with it and says what is wrong.
  it.each([
    ["* * * *", "has 4 field(s); use 5"],
    ["60 3 * * *", 'minute "60" is outside 0-59'],
    ["0 3 * * 7", 'day of week "7" is outside 0-6'],
    ["TZ=UTC 15 3 * * *", "it names a time zone"],
  ])("rejects the malformed cron %j", (schedule, why) => {
    expect(problemsOf(args({ schedule }))).toContain(`\`schedule\` "${schedule}" is not a valid cron expression: ${why}`);
  });

  it("accepts the macros Kubernetes accepts, checked against the RPO like five fields", () => {
    expect(problemsOf(args({ schedule: "@daily" }))).toBe("");
    expect(problemsOf(args({ schedule: "@weekly" }))).toContain('`schedule` "@weekly" leaves up to 7d between runs, more than `rpo` (1d)');
  });

  it("rejects a schedule that never fires", () => {
    expect(problemsOf(args({ schedule: "0 0 31 4 *" }))).toContain('`schedule` "0 0 31 4 *" never fires');
  });

  it("rejects an RPO of zero or one that outlives the prefix's retention", () => {
    expect(problemsOf(args({ rpo: Duration.seconds(0) }))).toContain("`rpo` is 0");
    expect(problemsOf(args({ schedule: "0 3 1 * *", rpo: Duration.days(31) }))).toContain('`rpo` (31d) is not shorter than the retention of "daily/" (30d)');
  });

  it("rejects an active deadline longer than the shortest gap between runs", () => {
    expect(problemsOf(args({ schedule: "*/30 * * * *" }))).toContain("`activeDeadline` (1h) is longer than the shortest gap between runs of `schedule` (30m)");
    expect(problemsOf(args({ schedule: "*/30 * * * *", activeDeadline: Duration.minutes(25) }))).toBe("");
  });

  it("rejects too short deadlines and out-of-range counts", () => {
    expect(problemsOf(args({ startingDeadline: Duration.seconds(5) }))).toContain("`startingDeadline` is 5s");
    expect(problemsOf(args({ activeDeadline: Duration.seconds(0) }))).toContain("`activeDeadline` is 0s");
    expect(problemsOf(args({ backoffLimit: -1 }))).toContain("`backoffLimit` is -1; use a whole number from 0 to 10");
    expect(problemsOf(args({ successfulJobsHistoryLimit: 1.5 }))).toContain("`successfulJobsHistoryLimit` is 1.5");
    expect(problemsOf(args({ failedJobsHistoryLimit: 11 }))).toContain("`failedJobsHistoryLimit` is 11");
  });

  it("rejects unpinned images and tags in the repository", () => {
    expect(problemsOf(args({ image: { repository: "postgres", tag: "latest" } }))).toContain('`image.tag` "latest" is not pinned');
    expect(problemsOf(args({ image: { repository: "postgres", tag: "" } }))).toContain('`image.tag` "" is not pinned');
    expect(problemsOf(args({ image: { repository: "postgres:17", tag: "17.6" } }))).toContain(
      '`image.repository` "postgres:17" must be a repository without tag or digest',
    );
    expect(problemsOf(args({ image: { repository: "registry.local:5000/pg", tag: "1" } }))).toBe("");
  });

  it("rejects a component name that cannot name a CronJob", () => {
    expect(problemsOf(args(), "x".repeat(53))).toContain("must be a DNS label of at most 52 characters");
    expect(problemsOf(args(), "Backup_Daily")).toContain('the component name "Backup_Daily" names the CronJob');
  });

  it("rejects a bad database port", () => {
    expect(problemsOf(args({ databasePort: 70000 }))).toContain("`databasePort` is 70000");
  });

  it("rejects bucket refs missing what the credentials need", () => {
    expect(problemsOf(args({ bucket: { ...S3_BUCKET, kmsKeyArn: undefined } }))).toContain("`bucket` is an S3 bucket without `arn` and `kmsKeyArn`");
    expect(problemsOf(args({ bucket: { ...R2_BUCKET, accountId: undefined } }))).toContain("`bucket` is an R2 bucket without `accountId`");
  });

  it("throws from the constructor before creating anything", async () => {
    expect(() => new BackupJob("job", args({ prefix: "hourly/", schedule: "0 3 * * 0" }))).toThrow(
      /BackupJob "job" has invalid arguments:\n {2}- `prefix` "hourly\/"[\s\S]*`schedule` "0 3 \* \* 0" leaves up to 7d/,
    );
    await rec.settle();
    expect(rec.resources.filter((r) => r.custom)).toEqual([]);
  });
});

describe("BackupJob with the product's own export (exportTask)", () => {
  const pinecone = (over: Partial<BackupJobArgs> = {}): BackupJobArgs =>
    args({
      prefix: "weekly/",
      schedule: "0 4 * * 0",
      rpo: Duration.days(8),
      databaseUrl: undefined,
      image: undefined,
      exportTask: {
        image: { repository: "ghcr.io/acme/codebook-backend", tag: "1.2.3" },
        command: ["node", "dist/scripts/backup-pinecone.js"],
        env: { PINECONE_INDEX: "codebooks" },
        secretEnv: { PINECONE_API_KEY: "pc-secret" },
      },
      ...over,
    });

  it("runs the export command in the product's image with the upload environment, and no script", async () => {
    new BackupJob("codebook-backup-pinecone", pinecone());
    await rec.settle();
    expect(children()).toEqual(
      [
        `${T.netpol} codebook-backup-pinecone-network-policy`,
        `${T.sa} codebook-backup-pinecone-sa`,
        `${T.secret} codebook-backup-pinecone-credentials`,
        `${T.accessKey} codebook-backup-pinecone-access-key`,
        `${T.user} codebook-backup-pinecone-user`,
        `${T.userPolicy} codebook-backup-pinecone-user-policy`,
        `${T.cronJob} codebook-backup-pinecone-cronjob`,
      ].sort(),
    );
    const c = podSpec().containers[0];
    expect(c.name).toBe("export");
    expect(c.image).toBe("ghcr.io/acme/codebook-backend:1.2.3");
    expect(c.command).toEqual(["node", "dist/scripts/backup-pinecone.js"]);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? `secret:${e.valueFrom.secretKeyRef.key}`]));
    expect(env).toMatchObject({
      BACKUP_PREFIX: "weekly/",
      PINECONE_INDEX: "codebooks",
      PINECONE_API_KEY: "secret:PINECONE_API_KEY",
      AWS_SECRET_ACCESS_KEY: "secret:AWS_SECRET_ACCESS_KEY",
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(podSpec().volumes.map((v: any) => v.name)).toEqual(["tmp"]);
    const secret = rec.one(T.secret);
    expect(secret.inputs.stringData.PINECONE_API_KEY).toBe("pc-secret");
    expect(secret.inputs.stringData.DATABASE_URL).toBeUndefined();
    expect(secret.secretPaths).toContain("stringData");
    // Egress: DNS and HTTPS only; no database port.
    const ports = rec.one(T.netpol).inputs.spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port));
    expect(ports.sort()).toEqual([443, 53, 53].sort());
  });

  it("needs exactly one of databaseUrl, exportTask and serviceExport", () => {
    const expected =
      "give exactly one of `databaseUrl` (a Postgres dump), `exportTask` (the product's own export command) and `serviceExport` (a hosted service's export by the platform's script)";
    expect(problemsOf(pinecone({ databaseUrl: DB_URL }), "codebook-backup-pinecone")).toContain(expected);
    expect(problemsOf(pinecone({ exportTask: undefined }), "codebook-backup-pinecone")).toContain(expected);
    expect(problemsOf(pinecone(), "codebook-backup-pinecone")).toBe("");
  });

  it("rejects an empty command, an unpinned image and variables the job provides itself", () => {
    const task = pinecone().exportTask!;
    expect(problemsOf(pinecone({ exportTask: { ...task, command: [] } }))).toContain("`exportTask.command` is empty");
    expect(problemsOf(pinecone({ exportTask: { ...task, image: { repository: "x", tag: "latest" } } }))).toContain("`exportTask.image.tag` must be pinned");
    expect(problemsOf(pinecone({ exportTask: { ...task, env: { S3_BUCKET: "other" } } }))).toContain(
      "`exportTask` sets `S3_BUCKET`, which the job provides itself",
    );
  });
});

describe("BackupJob with a hosted service's export by the platform's script (serviceExport)", () => {
  const SK = "sk_test_clerk-export-unit";
  const clerk = (over: Partial<BackupJobArgs> = {}): BackupJobArgs =>
    args({
      context: { ...staging, product: "ara" },
      namespace: "ara-staging",
      bucket: { ...R2_BUCKET, retention: [...RETENTION, { prefix: "clerk-users/", retention: Retention.days(30) }] },
      prefix: "clerk-users/",
      schedule: "30 2,14 * * *",
      databaseUrl: undefined,
      serviceExport: { service: "clerk-users", secretEnv: { CLERK_SECRET_KEY: SK } },
      ...over,
    });

  it("ships clerk-export.sh and the upload it sources, runs it in the backup image, the key only from the Secret", async () => {
    new BackupJob("ara-backup-clerk-users", clerk());
    await rec.settle();
    expect(children()).toEqual(
      [
        `${T.netpol} ara-backup-clerk-users-network-policy`,
        `${T.sa} ara-backup-clerk-users-sa`,
        `${T.secret} ara-backup-clerk-users-credentials`,
        `${T.configMap} ara-backup-clerk-users-script`,
        `${T.token} ara-backup-clerk-users-token`,
        `${T.cronJob} ara-backup-clerk-users-cronjob`,
      ].sort(),
    );
    expect(rec.one(T.configMap).inputs.data).toEqual({
      "clerk-export.sh": readFileSync(CLERK_EXPORT_SCRIPT_PATH, "utf8"),
      "s3-put.sh": readFileSync(S3_PUT_SCRIPT_PATH, "utf8"),
    });
    const c = podSpec().containers[0];
    expect(c.name).toBe("clerk-users");
    expect(c.image).toBe("ghcr.io/acme/pg-backup:17.6-1");
    expect(c.command).toEqual(["/bin/sh", "/scripts/clerk-export.sh"]);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? `secret:${e.valueFrom.secretKeyRef.key}`]));
    expect(env).toMatchObject({
      BACKUP_PREFIX: "clerk-users/",
      PRODUCT: "ara",
      CLERK_API_URL,
      CLERK_SECRET_KEY: "secret:CLERK_SECRET_KEY",
      AWS_SECRET_ACCESS_KEY: "secret:AWS_SECRET_ACCESS_KEY",
    });
    expect(env.DATABASE_URL).toBeUndefined();
    const secret = rec.one(T.secret);
    expect(Object.keys(secret.inputs.stringData).sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "CLERK_SECRET_KEY"]);
    expect(secret.inputs.stringData.CLERK_SECRET_KEY).toBe(SK);
    expect(secret.secretPaths).toContain("stringData");
    for (const r of rec.resources.filter((x) => x.type !== T.secret)) expect(JSON.stringify(r.inputs)).not.toContain(SK);
    // Egress: DNS and HTTPS (Clerk's API and the bucket) only.
    const ports = rec.one(T.netpol).inputs.spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port));
    expect(ports.sort()).toEqual([443, 53, 53].sort());
  });

  it("uploads with one PUT: on S3 its writer policy has no multipart rights", async () => {
    new BackupJob("ara-backup-clerk-users", clerk({ bucket: { ...S3_BUCKET, retention: [{ prefix: "clerk-users/", retention: Retention.days(30) }] } }));
    await rec.settle();
    const policy = JSON.parse(rec.one(T.userPolicy).inputs.policy);
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual(["PutBackups", "EncryptThroughS3"]);
    expect(policy.Statement[0].Resource).toBe("arn:aws:s3:::codebook-staging-backups/clerk-users/*");
  });

  it("needs exactly the secret variables the export reads, and no database", () => {
    expect(problemsOf(clerk(), "ara-backup-clerk-users")).toBe("");
    expect(problemsOf(clerk({ serviceExport: { service: "clerk-users", secretEnv: {} } }))).toContain(
      '`serviceExport.secretEnv` lacks `CLERK_SECRET_KEY`, which the "clerk-users" export needs',
    );
    expect(problemsOf(clerk({ serviceExport: { service: "clerk-users", secretEnv: { CLERK_SECRET_KEY: SK, OTHER: "x" } } }))).toContain(
      '`serviceExport.secretEnv` sets `OTHER`, which the "clerk-users" export does not read',
    );
    expect(problemsOf(clerk({ serviceExport: { service: "nope" as never, secretEnv: {} } }))).toContain(
      '`serviceExport.service` "nope" is not one of "clerk-users"',
    );
    expect(problemsOf(clerk({ databaseUrl: DB_URL }))).toContain("give exactly one of `databaseUrl`");
  });
});
