/**
 * The "Data" checks on one stack's recorded resources, shared by tests/data.prod.test.ts and
 * tests/data.staging.test.ts: restore verification per dumped database, maintenance CronJobs in
 * the window, and the effective maximum age of every backup prefix.
 */
import { expect, it } from "vitest";
import type { RecordedResource } from "./mocks";
import { parseCron } from "../../components/data/job-kernel";
import { R2_BUCKET_ITEM_READ_PERMISSION_GROUP } from "../../components/data/restore-verification";
import { inMaintenanceWindow, DATABASE_MAINTENANCE_DEFAULTS } from "../../components/data/database-maintenance";
import { SUPABASE_INTERNAL_SCHEMAS } from "../../components/data/postgres-providers";
import { CLERK_API_URL, CLERK_EXPORT_SCRIPT_PATH, R2_BUCKET_ITEM_WRITE_PERMISSION_GROUP, S3_PUT_SCRIPT_PATH } from "../../components/data/backup-job";
import { readFileSync } from "node:fs";

const CRONJOB = "kubernetes:batch/v1:CronJob";
const S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const R2_LIFECYCLE = "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle";
const DAY = 86_400;

/** Stated retention in days per product and prefix (the seeds; stacks/*.ts cite them). */
export const STATED_RETENTION: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  "ask-dahlia": { "daily/": 30, "weekly/": 90 },
  // seed 001 §2.5's log classes are in the log buckets (tests/helpers/log-retention-checks.ts).
  codebook: { "daily/": 30, "weekly/": 90, "pinecone/": 90, "pre-deploy/": 90 },
  voyager: { "daily/": 7 },
  ara: { "daily/": 30, "clerk-users/": 30 }, // seed 004 "Clean up old backups (keep 30 days)", the Clerk export kept alike
};

/** How far past its stated age a prefix's data may live and still be "gone close to its stated age". */
export const MAX_OVERSHOOT_DAYS = 3;

/**
 * The longest a backup can exist, in days, under one S3 lifecycle rule of a versioned bucket:
 * the expiration only adds a delete marker (the version becomes noncurrent) at `days` after
 * creation rounded up to the next midnight UTC; the noncurrent version is removed
 * `noncurrentDays` after that, rounded up to midnight again (AWS S3 user guide, "Expiring
 * objects" and lifecycle rule timing). Removal itself is asynchronous and not counted.
 */
export function s3EffectiveMaxAgeDays(rule: { expiration?: { days?: number }; noncurrentVersionExpiration?: { noncurrentDays?: number } }): number {
  const days = rule.expiration?.days;
  const noncurrent = rule.noncurrentVersionExpiration?.noncurrentDays;
  if (days === undefined || noncurrent === undefined) return Number.POSITIVE_INFINITY; // kept forever
  return days + 1 + noncurrent + 1;
}

/**
 * The longest a backup can exist, in days, under an R2 lifecycle rule: R2 has no versions, the
 * object is deleted at `maxAge` seconds, "typically within 24 hours" of that (Cloudflare R2 docs,
 * "Object lifecycles").
 */
export function r2EffectiveMaxAgeDays(rule: { deleteObjectsTransition?: { condition?: { maxAge?: number } } }): number {
  const maxAge = rule.deleteObjectsTransition?.condition?.maxAge;
  return maxAge === undefined ? Number.POSITIVE_INFINITY : maxAge / DAY + 1;
}

/** Effective maximum age per product and prefix, from the recorded lifecycle resources. */
export function effectiveMaxAges(resources: readonly RecordedResource[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of resources.filter((x) => x.type === S3_LIFECYCLE || x.type === R2_LIFECYCLE)) {
    const product = Object.keys(STATED_RETENTION).find((p) => r.name.startsWith(`${p}-backups`));
    if (!product) continue;
    for (const rule of r.inputs.rules) {
      const prefix = r.type === S3_LIFECYCLE ? rule.filter.prefix : rule.conditions.prefix;
      (out[product] ??= {})[prefix] = r.type === S3_LIFECYCLE ? s3EffectiveMaxAgeDays(rule) : r2EffectiveMaxAgeDays(rule);
    }
  }
  return out;
}

/** The `it`s of the Data checks (backups, restore verification, maintenance), for the stack whose resources `get` returns. */
export function dataChecks(stack: "prod" | "staging", get: () => readonly RecordedResource[]): void {
  const cronJobs = () => get().filter((r) => r.type === CRONJOB);
  const byName = (name: string) => {
    const r = get().find((x) => x.name === name);
    if (!r) throw new Error(`no resource ${name}`);
    return r;
  };

  it(`${stack}: one restore verification per dumped database, on the seeds' cadence, with read-only credentials`, () => {
    const verify = cronJobs().filter((j) => j.inputs.metadata.name.includes("-restore-verify-"));
    const cadence = Object.fromEntries(verify.map((j) => [j.inputs.metadata.name, j.inputs.spec.schedule]));
    expect(cadence).toEqual({
      "ask-dahlia-restore-verify-daily": "30 5 * * 1", // seed 000: weekly
      "codebook-restore-verify-daily": "0 5 2 * *", // seed 001 §4.4: monthly
      "voyager-restore-verify-daily": "30 5 * * 1",
      "ara-restore-verify-daily": "30 5 * * 1", // seed 004: weekly
    });
    for (const j of verify) {
      const c = j.inputs.spec.jobTemplate.spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(env.BACKUP_PREFIX).toBe("daily/");
      expect(c.command).toEqual(["/bin/sh", "/scripts/pg-restore-verify.sh"]);
      expect(env.AWS_SECRET_ACCESS_KEY.secretKeyRef.name).toBe(`${j.inputs.metadata.name}-credentials`);
      // Read-only root, the throwaway cluster in an emptyDir.
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
      expect(j.inputs.spec.jobTemplate.spec.template.spec.volumes).toContainEqual({ name: "tmp", emptyDir: { sizeLimit: "8Gi" } });
    }
    const env = (name: string) =>
      Object.fromEntries(byName(`${name}-cronjob`).inputs.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env("ara-restore-verify-daily").EXPECTED_TABLES).toBe("audit_sessions,chat_messages,audit_answers");
    expect(env("codebook-restore-verify-daily").EXPECTED_TABLES).toBe("codebook_items,llm_usage");
    // S3: list + get under the prefix, decrypt through S3; nothing else.
    for (const p of ["ask-dahlia", "codebook", "voyager"]) {
      const policy = JSON.parse(byName(`${p}-restore-verify-daily-user-policy`).inputs.policy);
      const actions = policy.Statement.flatMap((s: any) => [s.Action].flat());
      expect(actions.sort()).toEqual(["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
      expect(policy.Statement.find((s: any) => s.Action === "s3:ListBucket").Condition).toEqual({ StringLike: { "s3:prefix": ["daily/*"] } });
      expect(policy.Statement.find((s: any) => s.Action === "s3:GetObject").Resource).toMatch(/\/daily\/\*$/);
    }
    // R2: its own token with the read-only permission group.
    const token = byName("ara-restore-verify-daily-token");
    expect(token.inputs.policies[0].permissionGroups).toEqual([{ id: R2_BUCKET_ITEM_READ_PERMISSION_GROUP }]);
  });

  it(`${stack}: the Supabase product's dumps leave out Supabase's internal schemas; the others dump every schema`, () => {
    const dumps = cronJobs().filter((j) => j.inputs.spec.jobTemplate.spec.template.spec.containers[0].name === "pg-backup");
    const schemas = Object.fromEntries(
      dumps.map((j) => {
        const env = j.inputs.spec.jobTemplate.spec.template.spec.containers[0].env;
        const get = (n: string) => env.find((e: any) => e.name === n)?.value;
        return [j.inputs.metadata.name, { exclude: get("DUMP_EXCLUDE_SCHEMAS"), include: get("DUMP_SCHEMAS") }];
      }),
    );
    // seed 001: Codebook's database is Supabase (its only Supabase product with a dump).
    const supabase = SUPABASE_INTERNAL_SCHEMAS.join(",");
    expect(Object.keys(schemas)).toContain("codebook-backup-daily");
    for (const [job, dump] of Object.entries(schemas)) {
      expect(dump, job).toEqual(job.startsWith("codebook-") ? { exclude: supabase, include: undefined } : { exclude: undefined, include: undefined });
    }
  });

  it(`${stack}: seed 004's Clerk user export runs the platform's script in ARA's namespace into clerk-users/, with its own Secret, egress and freshness alert`, () => {
    const job = byName("ara-backup-clerk-users-cronjob").inputs;
    expect(job.metadata).toMatchObject({
      name: "ara-backup-clerk-users",
      namespace: `ara-${stack}`,
      annotations: { "app-platform/rpo-seconds": "86400", "app-platform/backup-prefix": "clerk-users/" },
    });
    expect(job.spec.schedule).toBe("30 2,14 * * *"); // daily, twice: 12 h gaps under the 24 h RPO
    const pod = job.spec.jobTemplate.spec.template.spec;
    const c = pod.containers[0];
    // The backup image (ARA has none of its own on Kubernetes), running the shipped script.
    expect(c.image).toBe(byName("ara-backup-daily-cronjob").inputs.spec.jobTemplate.spec.template.spec.containers[0].image);
    expect(c.command).toEqual(["/bin/sh", "/scripts/clerk-export.sh"]);
    const script = byName("ara-backup-clerk-users-script").inputs;
    expect(script.data).toEqual({
      "clerk-export.sh": readFileSync(CLERK_EXPORT_SCRIPT_PATH, "utf8"),
      "s3-put.sh": readFileSync(S3_PUT_SCRIPT_PATH, "utf8"),
    });
    expect(pod.volumes).toContainEqual({ name: "scripts", configMap: { name: "ara-backup-clerk-users-script", defaultMode: 0o444 } });
    // The Clerk key only through the job's Secret; the API URL plain config; no database.
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    expect(env.CLERK_SECRET_KEY).toEqual({
      name: "CLERK_SECRET_KEY",
      valueFrom: { secretKeyRef: { name: "ara-backup-clerk-users-credentials", key: "CLERK_SECRET_KEY" } },
    });
    expect(env.CLERK_API_URL).toEqual({ name: "CLERK_API_URL", value: CLERK_API_URL });
    expect(env.BACKUP_PREFIX.value).toBe("clerk-users/");
    expect(env.DATABASE_URL).toBeUndefined();
    expect(Object.keys(byName("ara-backup-clerk-users-credentials").inputs.stringData).sort()).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "CLERK_SECRET_KEY",
    ]);
    // Egress: DNS and HTTPS (Clerk's API, R2) only; no ingress.
    const policy = byName("ara-backup-clerk-users-network-policy").inputs.spec;
    expect(policy.ingress).toEqual([]);
    expect(policy.egress.flatMap((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`)).sort()).toEqual(["TCP/443", "TCP/53", "UDP/53"]);
    expect(policy.egress.every((r: any) => r.to === undefined)).toBe(true);
    // Its own R2 upload token (the backup job's credentials model).
    expect(byName("ara-backup-clerk-users-token").inputs.policies[0].permissionGroups).toEqual([{ id: R2_BUCKET_ITEM_WRITE_PERMISSION_GROUP }]);
    // The freshness alert, on this CronJob in this namespace at the 24 h RPO.
    const rules = get()
      .filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
      .flatMap((r) => r.inputs.spec.groups.flatMap((g: any) => g.rules));
    const stale = rules.find((r: any) => r.alert === "AraBackupClerkUsersBackupStale");
    expect(stale).toBeDefined();
    expect(stale.expr).toContain(`kube_cronjob_status_last_successful_time{cronjob="ara-backup-clerk-users",namespace="ara-${stack}"} > 86400`);
    expect(stale.labels.severity).toBe("critical");
  });

  it(`${stack}: each restore verification has a staleness alert built like the backup freshness alert`, () => {
    const rules = get()
      .filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
      .flatMap((r) => r.inputs.spec.groups.flatMap((g: any) => g.rules));
    for (const job of ["ask-dahlia-restore-verify-daily", "codebook-restore-verify-daily", "voyager-restore-verify-daily", "ara-restore-verify-daily"]) {
      const rule = rules.find((x: any) => typeof x.expr === "string" && x.expr.includes(`cronjob="${job}"`));
      expect(rule, job).toBeDefined();
      expect(rule.expr).toMatch(/kube_cronjob_status_last_successful_time/);
    }
  });

  it(`${stack}: VACUUM monthly (000, 001, 004) and vector REINDEX quarterly (000), only in the first-Saturday window`, () => {
    const maint: Record<string, string> = Object.fromEntries(
      cronJobs()
        .filter((j) => j.inputs.metadata.name.includes("-db-maintenance-"))
        .map((j) => [j.inputs.metadata.name, j.inputs.spec.schedule]),
    );
    expect(maint).toEqual({
      "ask-dahlia-db-maintenance-vacuum": "0 2 1-7 * *",
      "ask-dahlia-db-maintenance-reindex": "0 2 1-7 1,4,7,10 *",
      "codebook-db-maintenance-vacuum": "0 2 1-7 * *",
      "ara-db-maintenance-vacuum": "0 2 1-7 * *",
    });
    // Where the CronJob fires and the script's guard lets it run: exactly the first Saturdays.
    for (const [name, schedule] of Object.entries(maint)) {
      const cron = parseCron(schedule);
      if ("problem" in cron) throw new Error(cron.problem);
      const runs: string[] = [];
      for (let d = 0; d < 365; d++) {
        const at = new Date(Date.UTC(2027, 0, 1 + d, [...cron.hours][0], [...cron.minutes][0]));
        const fires = cron.daysOfMonth.has(at.getUTCDate()) && cron.months.has(at.getUTCMonth() + 1);
        if (fires && inMaintenanceWindow(DATABASE_MAINTENANCE_DEFAULTS.window, at)) runs.push(at.toISOString().slice(0, 10));
      }
      // Each month's first Saturday, found independently of cron and the guard.
      const firstSaturdays = Array.from({ length: 12 }, (_, m) => {
        const day = [1, 2, 3, 4, 5, 6, 7].find((d) => new Date(Date.UTC(2027, m, d)).getUTCDay() === 6)!;
        return new Date(Date.UTC(2027, m, day)).toISOString().slice(0, 10);
      });
      expect(runs, name).toEqual(name.endsWith("reindex") ? firstSaturdays.filter((d) => ["01", "04", "07", "10"].includes(d.slice(5, 7))) : firstSaturdays);
      const job = byName(`${name}-cronjob`).inputs.spec;
      expect(job.jobTemplate.spec.activeDeadlineSeconds).toBe(4 * 3600); // 02:00-06:00
      const c = job.jobTemplate.spec.template.spec.containers[0];
      expect(c.env.find((e: any) => e.name === "DATABASE_URL").valueFrom.secretKeyRef).toBeDefined();
      expect(c.env.find((e: any) => e.name === "LOCK_TIMEOUT").value).toBe("10s");
    }
  });

  it(`${stack}: every backup prefix's data is gone within ${MAX_OVERSHOOT_DAYS} days of its stated age`, () => {
    const ages = effectiveMaxAges(get());
    expect(Object.keys(ages).sort()).toEqual(Object.keys(STATED_RETENTION).sort());
    for (const [product, prefixes] of Object.entries(STATED_RETENTION)) {
      expect(Object.keys(ages[product]).sort(), product).toEqual(Object.keys(prefixes).sort());
      for (const [prefix, stated] of Object.entries(prefixes)) {
        const effective = ages[product][prefix];
        expect(effective, `${product} ${prefix}`).toBeGreaterThanOrEqual(stated);
        expect(effective, `${product} ${prefix}: stated ${stated} d, effective ${effective} d`).toBeLessThanOrEqual(stated + MAX_OVERSHOOT_DAYS);
      }
    }
    // The gate can fail: the previous 30-day noncurrent window kept Voyager's "7 days" 39 days.
    expect(s3EffectiveMaxAgeDays({ expiration: { days: 7 }, noncurrentVersionExpiration: { noncurrentDays: 30 } })).toBe(39);
    expect(s3EffectiveMaxAgeDays({ expiration: { days: 7 } })).toBe(Number.POSITIVE_INFINITY);
    expect(ages.voyager["daily/"]).toBe(10);
    expect(ages.ara["daily/"]).toBe(31); // R2: no versions, deleted within a day of 30 d
  });
}
