/**
 * RestoreVerification and DatabaseMaintenance: argument validation (each gate shown failing), the
 * scripts shipped byte for byte, the read-only S3 policy, the staleness limit, the window guard.
 */
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { installRecordingMocks } from "../helpers/mocks";

const rec = installRecordingMocks({ stack: "staging" });

import { BackupBucketRef } from "../../components/data/backup-bucket";
import { PlatformContext, ValidationError } from "../../components/context";
import {
  RESTORE_VERIFY_SCRIPT_PATH,
  RestoreVerification,
  RestoreVerificationArgs,
  restoreVerificationStaleAfter,
  s3BackupReaderPolicy,
  validateRestoreVerificationArgs,
} from "../../components/data/restore-verification";
import {
  DATABASE_MAINTENANCE_DEFAULTS,
  DB_MAINTENANCE_FILES,
  DatabaseMaintenance,
  DatabaseMaintenanceArgs,
  inMaintenanceWindow,
  validateDatabaseMaintenanceArgs,
} from "../../components/data/database-maintenance";
import { Duration, Retention } from "../../components/values";

const context: PlatformContext = { environment: "staging", product: "codebook", owner: "platform-team" };
const image = { repository: "ghcr.io/example/pg-backup", tag: "17.6-2" };
const s3Bucket: BackupBucketRef = {
  kind: "s3",
  bucketName: "codebook-staging-backups",
  endpoint: "https://s3.us-east-1.amazonaws.com",
  region: "us-east-1",
  retention: [{ prefix: "daily/", retention: Retention.days(30) }],
  arn: "arn:aws:s3:::codebook-staging-backups",
  kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/abc",
};

const verifyArgs = (o: Partial<RestoreVerificationArgs> = {}): RestoreVerificationArgs => ({
  context,
  namespace: "codebook-staging",
  bucket: s3Bucket,
  prefix: "daily/",
  schedule: "0 5 2 * *",
  image,
  ...o,
});
const maintArgs = (o: Partial<DatabaseMaintenanceArgs> = {}): DatabaseMaintenanceArgs => ({
  context,
  namespace: "codebook-staging",
  databaseUrl: "postgresql://u:p@db:5432/codebook",
  image,
  tasks: { vacuum: { months: "*" } },
  ...o,
});
const problems = (f: () => void): string => {
  try {
    f();
    return "";
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
};

beforeEach(() => rec.reset());

describe("RestoreVerification", () => {
  it("accepts the stacks' arguments and rejects each bad one by name", () => {
    expect(problems(() => validateRestoreVerificationArgs("codebook-restore-verify-daily", verifyArgs()))).toBe("");
    const bad: Array<[Partial<RestoreVerificationArgs>, RegExp]> = [
      [{ prefix: "weekly/" }, /`prefix` "weekly\/" is not one of the bucket's retention prefixes/],
      [{ schedule: "0 5 2 *" }, /`schedule` "0 5 2 \*" is not a valid cron expression/],
      [{ schedule: "0 0 30 2 *" }, /`schedule` "0 0 30 2 \*" never fires, or fires on one day only/],
      [{ expectedTables: ["users; drop table x"] }, /`expectedTables` entry "users; drop table x"/],
      [{ restoreSchemas: ["public,auth"] }, /`restoreSchemas` entry "public,auth"/],
      [{ maxBackupAge: Duration.minutes(90) }, /`maxBackupAge` is/],
      [{ image: { repository: "postgres", tag: "latest" } }, /`image` must be a repository and a pinned tag/],
      [{ bucket: { ...s3Bucket, arn: undefined } }, /S3 bucket without `arn` and `kmsKeyArn`/],
    ];
    for (const [o, re] of bad) expect(problems(() => validateRestoreVerificationArgs("codebook-restore-verify-daily", verifyArgs(o)))).toMatch(re);
    expect(problems(() => validateRestoreVerificationArgs("x".repeat(53), verifyArgs()))).toMatch(/must be a DNS label of at most 52 characters/);
    expect(problems(() => validateRestoreVerificationArgs("v", verifyArgs({ expectedTables: ['public."User"', "chunks"] })))).toBe("");
  });

  it("limits the reader to listing and reading the prefix, and decrypting through S3", () => {
    const p = JSON.parse(s3BackupReaderPolicy(s3Bucket.arn as string, "daily/", s3Bucket.kmsKeyArn as string, "us-east-1"));
    expect(p.Statement).toEqual([
      { Sid: "ListBackups", Effect: "Allow", Action: "s3:ListBucket", Resource: s3Bucket.arn, Condition: { StringLike: { "s3:prefix": ["daily/*"] } } },
      { Sid: "ReadBackups", Effect: "Allow", Action: "s3:GetObject", Resource: `${s3Bucket.arn}/daily/*` },
      {
        Sid: "DecryptThroughS3",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: s3Bucket.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
    ]);
  });

  it("goes stale after the schedule's longest gap plus the run's deadline and a day", () => {
    // Monthly on the 2nd: the longest gap is 31 days.
    expect(restoreVerificationStaleAfter("0 5 2 * *", Duration.hours(2), Duration.days(1))!.toSeconds()).toBe((31 * 24 + 2 + 24) * 3600);
    expect(restoreVerificationStaleAfter("30 5 * * 1", Duration.hours(2), Duration.days(1))!.toSeconds()).toBe((7 * 24 + 2 + 24) * 3600);
  });

  it("ships the script byte for byte and runs it restricted, with the cluster in an emptyDir", async () => {
    new RestoreVerification("codebook-restore-verify-daily", verifyArgs({ expectedTables: ["codebook_items"] }));
    const all = await rec.settle();
    const cm = all.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
    expect(cm.inputs.data["pg-restore-verify.sh"]).toBe(readFileSync(RESTORE_VERIFY_SCRIPT_PATH, "utf8"));
    const job = all.find((r) => r.type === "kubernetes:batch/v1:CronJob")!.inputs.spec;
    const pod = job.jobTemplate.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 70, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(pod.containers[0].env).toContainEqual({ name: "EXPECTED_TABLES", value: "codebook_items" });
    expect(job).toMatchObject({ concurrencyPolicy: "Forbid", timeZone: "Etc/UTC" });
    const np = all.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!.inputs.spec;
    expect(np.egress.flatMap((e: any) => e.ports.map((p: any) => p.port))).toEqual([53, 53, 443]);
  });
});

describe("DatabaseMaintenance", () => {
  it("accepts the stacks' arguments and rejects each bad one by name", () => {
    expect(problems(() => validateDatabaseMaintenanceArgs("codebook-db-maintenance", maintArgs()))).toBe("");
    const bad: Array<[Partial<DatabaseMaintenanceArgs>, RegExp]> = [
      [{ tasks: {} }, /`tasks` is empty/],
      [{ tasks: { reindex: { months: "13" } } }, /`tasks.reindex.months` "13" is not a cron month field/],
      [{ window: { startHour: 6, endHour: 2 } }, /`window` 6:00-2:00 is not a window/],
      [{ window: { weekday: 0 } }, /`window.weekday` is 0/],
      [{ lockTimeout: Duration.seconds(0) }, /`lockTimeout` is/],
      [{ vectorAccessMethods: ["ivfflat;drop"] }, /`vectorAccessMethods` entry/],
      [{ databasePort: 0 }, /`databasePort` is 0/],
    ];
    for (const [o, re] of bad) expect(problems(() => validateDatabaseMaintenanceArgs("codebook-db-maintenance", maintArgs(o)))).toMatch(re);
  });

  it("knows the first Saturday 02:00-06:00 UTC window (seed 001 §7.1)", () => {
    const w = DATABASE_MAINTENANCE_DEFAULTS.window;
    expect(inMaintenanceWindow(w, new Date(Date.UTC(2026, 11, 5, 2, 0)))).toBe(true); // 1st Saturday
    expect(inMaintenanceWindow(w, new Date(Date.UTC(2026, 11, 5, 5, 59)))).toBe(true);
    expect(inMaintenanceWindow(w, new Date(Date.UTC(2026, 11, 5, 6, 0)))).toBe(false);
    expect(inMaintenanceWindow(w, new Date(Date.UTC(2026, 11, 12, 2, 0)))).toBe(false); // 2nd Saturday
    expect(inMaintenanceWindow(w, new Date(Date.UTC(2026, 11, 1, 2, 0)))).toBe(false); // Tuesday the 1st
  });

  it("ships the wrapper and both SQL files, one CronJob per task, a Secret for the URL", async () => {
    new DatabaseMaintenance("ask-dahlia-db-maintenance", maintArgs({ tasks: { vacuum: { months: "*" }, reindex: { months: "1,4,7,10" } } }));
    const all = await rec.settle();
    const cm = all.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
    for (const f of Object.values(DB_MAINTENANCE_FILES)) expect(cm.inputs.data[f.split("/").pop()!]).toBe(readFileSync(f, "utf8"));
    const jobs = all.filter((r) => r.type === "kubernetes:batch/v1:CronJob").map((r) => [r.inputs.metadata.name, r.inputs.spec.schedule]);
    expect(jobs).toEqual([
      ["ask-dahlia-db-maintenance-vacuum", "0 2 1-7 * *"],
      ["ask-dahlia-db-maintenance-reindex", "0 2 1-7 1,4,7,10 *"],
    ]);
    const secret = all.find((r) => r.type === "kubernetes:core/v1:Secret")!;
    expect(secret.secretPaths.some((p) => p.startsWith("stringData"))).toBe(true);
    // The NetworkPolicy selects the pods of every task.
    const np = all.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!.inputs.spec.podSelector.matchLabels;
    for (const j of all.filter((r) => r.type === "kubernetes:batch/v1:CronJob")) {
      expect(j.inputs.spec.jobTemplate.spec.template.metadata.labels).toMatchObject(np);
    }
  });
});

describe("transform (components/context.ts), on every child the script jobs expose", () => {
  const mark = <T extends { metadata?: unknown }>(args: T, value: string): T => ({
    ...args,
    metadata: { ...(args.metadata as object), annotations: { "example.com/transformed": value } },
  });

  it("DatabaseMaintenance: the CronJob transform gets each task, the NetworkPolicy transform its args", async () => {
    new DatabaseMaintenance(
      "ask-dahlia-db-maintenance",
      maintArgs({
        tasks: { vacuum: { months: "*" }, reindex: { months: "1,4,7,10" } },
        transform: { cronJob: (args, task) => mark(args, task), networkPolicy: (args) => mark(args, "np") },
      }),
    );
    const all = await rec.settle();
    const marks = all.filter((r) => r.type === "kubernetes:batch/v1:CronJob").map((r) => r.inputs.metadata.annotations["example.com/transformed"]);
    expect(marks).toEqual(["vacuum", "reindex"]);
    const np = all.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!;
    expect(np.inputs.metadata.annotations["example.com/transformed"]).toBe("np");
  });

  it("RestoreVerification: the CronJob, NetworkPolicy and IAM user policy transforms apply", async () => {
    new RestoreVerification(
      "codebook-restore-verify",
      verifyArgs({
        transform: {
          cronJob: (args) => mark(args, "cron"),
          networkPolicy: (args) => mark(args, "np"),
          userPolicy: (args) => ({ ...args, name: "transformed-reader" }),
        },
      }),
    );
    const all = await rec.settle();
    expect(all.find((r) => r.type === "kubernetes:batch/v1:CronJob")!.inputs.metadata.annotations["example.com/transformed"]).toBe("cron");
    expect(all.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!.inputs.metadata.annotations["example.com/transformed"]).toBe("np");
    expect(all.find((r) => r.type === "aws:iam/userPolicy:UserPolicy")!.inputs.name).toBe("transformed-reader");
  });
});
