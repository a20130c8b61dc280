/**
 * The log retention and lock checks (issue 21 "Retention that holds"), shared by
 * tests/data.prod.test.ts and tests/data.staging.test.ts: for each class of each product's logs,
 * the effective minimum age (what the object lock guarantees) and maximum age (when the lifecycle
 * has certainly removed the data), computed from the registered lifecycle and lock resources, not
 * from `LOG_CLASSES`, and compared with the seed and with README "Log retention: each class's
 * minimum and maximum age".
 *
 * Timing assumed (the lag, on top of the rule's age):
 * - S3: a lifecycle action falls due at the object's creation plus the rule's days, "rounding up
 *   the resulting time to the next day at midnight UTC" (AWS S3 user guide, "Lifecycle
 *   configuration elements"). On these versioned buckets the expiration only adds a delete
 *   marker; the noncurrent version is removed `noncurrentDays` later, rounded again: +1 +n +1
 *   days. A locked version is never removed by lifecycle before its lock ends ("protected object
 *   versions remain safe from being deleted or overwritten by a lifecycle configuration", "Managing
 *   Object Lock"), so the max is also at least the lock + 1 day. Removal itself is asynchronous
 *   ("Amazon S3 queues it for removal and removes it asynchronously. There might be a delay",
 *   "Expiring objects"; no bound is documented, and expired objects are no longer billed): not
 *   counted, as in tests/helpers/data-checks.ts.
 * - R2: deleted at `maxAge`, "typically within 24 hours" (Cloudflare R2 docs, "Object
 *   lifecycles"): +1 day; a lock rule outranks a lifecycle rule ("Bucket locks": "the object will
 *   not be deleted until the 90-day requirement is met"), and where several lock rules match a key
 *   "the strictest (longest) retention requirement takes precedence".
 */
import { expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordedResource } from "./mocks";
import { MAX_OVERSHOOT_DAYS, r2EffectiveMaxAgeDays, s3EffectiveMaxAgeDays } from "./data-checks";

const S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const S3_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const R2_LIFECYCLE = "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle";
const R2_LOCK = "cloudflare:index/r2BucketLock:R2BucketLock";
const DAY = 86_400;
const DAY_MS = DAY * 1000;

/** Every product ships logs: all five have Kubernetes workloads or Vercel apps (stacks/index.ts). */
export const LOG_PRODUCTS = ["ask-dahlia", "codebook", "chat-api", "voyager", "ara"] as const;

/**
 * seed 001 §2.5 "Log Retention", typed here independently of `LOG_CLASSES`: application 30 days,
 * error 90, debug 7, audit 7 years (compliance) — calendar years, checked by calendar arithmetic
 * below; `days` is the longest 7 calendar years can be (2028-02-01 → 2035-02-01, two Feb 29ths).
 */
export const SEED_LOG_RETENTION = {
  app: { prefix: "logs/app/", days: 30 },
  error: { prefix: "logs/error/", days: 90 },
  debug: { prefix: "logs/debug/", days: 7 },
  audit: { prefix: "logs/audit/", days: 2557, calendarYears: 7 },
} as const;

/** One class of one product's logs, as the registered resources keep it. */
export interface LogRetentionRow {
  readonly product: string;
  readonly class: keyof typeof SEED_LOG_RETENTION;
  readonly kind: "s3" | "r2";
  /** The bucket, `<env>` for the environment and without S3's unique suffix. */
  readonly bucket: string;
  /** Days the lock keeps every object of the class: its minimum age. */
  readonly minDays: number;
  /** S3 lock mode, or `R2` (one mode: a rule anyone who may edit the bucket's configuration can remove). */
  readonly mode: string;
  /** The lifecycle rule's age in days. */
  readonly expiryDays: number;
  /** The latest the data is gone, in days: the maximum age. */
  readonly maxDays: number;
}

function bucketLabel(name: string, stack: string): string {
  return name.replace(`-${stack}-`, "-<env>-").replace(/-\d{12}$/, "");
}

/** The rows of every product and class, from the registered lifecycle and lock resources. */
export function logRetentionRows(resources: readonly RecordedResource[], stack: string): LogRetentionRow[] {
  const rows: LogRetentionRow[] = [];
  for (const product of LOG_PRODUCTS) {
    for (const [cls, seed] of Object.entries(SEED_LOG_RETENTION) as [LogRetentionRow["class"], (typeof SEED_LOG_RETENTION)[LogRetentionRow["class"]]][]) {
      const where = `${product} ${cls}`;
      const hits = resources.flatMap((r) => {
        if (!r.name.startsWith(`${product}-`)) return [];
        if (r.type === S3_LIFECYCLE)
          return r.inputs.rules.filter((x: any) => x.filter?.prefix === seed.prefix).map((rule: any) => ({ r, rule, kind: "s3" as const }));
        if (r.type === R2_LIFECYCLE)
          return r.inputs.rules.filter((x: any) => x.conditions?.prefix === seed.prefix).map((rule: any) => ({ r, rule, kind: "r2" as const }));
        return [];
      });
      expect(hits.length, `${where}: one lifecycle rule for ${seed.prefix}`).toBe(1);
      const { r: lifecycle, rule, kind } = hits[0];
      if (kind === "s3") {
        const bucket: string = lifecycle.inputs.bucket;
        const locks = resources.filter((x) => x.type === S3_LOCK && x.inputs.bucket === bucket);
        expect(locks.length, `${where}: one object lock on ${bucket}`).toBe(1);
        const retention = locks[0].inputs.rule.defaultRetention;
        // `years` has no documented length on S3 (a 365-day year is the safe lower bound).
        const minDays: number = retention.days ?? retention.years * 365;
        const expiryDays: number = rule.expiration.days;
        const maxDays = Math.max(s3EffectiveMaxAgeDays(rule), minDays + 1);
        rows.push({ product, class: cls, kind, bucket: bucketLabel(bucket, stack), minDays, mode: retention.mode, expiryDays, maxDays });
      } else {
        const bucket: string = lifecycle.inputs.bucketName;
        const locks = resources.filter((x) => x.type === R2_LOCK && x.inputs.bucketName === bucket);
        expect(locks.length, `${where}: one bucket lock on ${bucket}`).toBe(1);
        const matching = locks[0].inputs.rules.filter((l: any) => l.enabled && seed.prefix.startsWith(l.prefix ?? "") && l.condition.type === "Age");
        const minDays = Math.max(0, ...matching.map((l: any) => l.condition.maxAgeSeconds / DAY));
        const expiryDays = rule.deleteObjectsTransition.condition.maxAge / DAY;
        const maxDays = Math.max(r2EffectiveMaxAgeDays(rule), minDays + 1);
        rows.push({ product, class: cls, kind, bucket: bucketLabel(bucket, stack), minDays, mode: "R2", expiryDays, maxDays });
      }
    }
  }
  return rows;
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** The rows as README's table. */
export function logRetentionTable(rows: readonly LogRetentionRow[]): string {
  const lines = [
    "| product | class | bucket | lock = minimum age | lock mode (prod) | lifecycle expiry | maximum age |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.product} | ${r.class} | ${r.kind.toUpperCase()} \`${r.bucket}\` | ${fmt(r.minDays)} d | ${r.mode} | ${fmt(r.expiryDays)} d | ${fmt(r.maxDays)} d |`,
    ),
  ];
  return lines.join("\n");
}

/** README's table (between the heading "Log retention: each class's minimum and maximum age" and the next blank line after it). */
export function readmeLogRetentionTable(): string {
  const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const at = readme.indexOf("Log retention: each class's minimum and maximum age");
  if (at < 0) return "";
  const start = readme.indexOf("| product | class |", at);
  const end = readme.indexOf("\n\n", start);
  return start < 0 ? "" : readme.slice(start, end < 0 ? undefined : end).trim();
}

/** When the lock of an object written at `writtenAt` ends, `days` after (S3: creation timestamp + the default retention). */
export function lockEnds(writtenAt: Date, days: number): Date {
  return new Date(writtenAt.getTime() + days * DAY_MS);
}

/** The same instant `years` calendar years later; Feb 29 rolls to Mar 1 when the year has none (the later reading). */
export function calendarYearsLater(writtenAt: Date, years: number): Date {
  const d = writtenAt;
  return new Date(Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
}

/** The `it`s of the log retention and lock checks, for the stack whose resources `get` returns. */
export function logRetentionChecks(stack: "prod" | "staging", get: () => readonly RecordedResource[]): void {
  it(`${stack}: each class of each product's logs is locked at least its seed period and gone within ${MAX_OVERSHOOT_DAYS} days after (README "Log retention" table)`, () => {
    const rows = logRetentionRows(get(), stack);
    expect(rows.map((r) => `${r.product} ${r.class}`)).toEqual(LOG_PRODUCTS.flatMap((p) => Object.keys(SEED_LOG_RETENTION).map((c) => `${p} ${c}`)));
    for (const r of rows) {
      const seed = SEED_LOG_RETENTION[r.class];
      const where = `${r.product} ${r.class}: min ${r.minDays} d, expiry ${r.expiryDays} d, max ${r.maxDays} d`;
      expect(r.minDays, `${where}: the lock keeps it its seed period`).toBeGreaterThanOrEqual(seed.days);
      expect(r.expiryDays, `${where}: expiry never precedes the lock`).toBeGreaterThanOrEqual(r.minDays);
      expect(Number.isFinite(r.maxDays), where).toBe(true);
      expect(r.maxDays, `${where}: gone close to its period`).toBeLessThanOrEqual(seed.days + MAX_OVERSHOOT_DAYS);
      if (r.class !== "audit") expect(r.mode, where).not.toBe("COMPLIANCE");
    }
    // The README table is this one (prod's modes; staging differs only in the audit lock's mode).
    const asProd = rows.map((r) => {
      if (r.class !== "audit" || stack === "prod") return r;
      expect(r.mode, `${r.product} audit in staging`).toBe("GOVERNANCE");
      return { ...r, mode: "COMPLIANCE" };
    });
    expect(readmeLogRetentionTable()).toBe(logRetentionTable(asProd));
  });

  it(`${stack}: audit logs are locked ${stack === "prod" ? "in COMPLIANCE mode" : "in GOVERNANCE mode (staging)"} on S3 for 7 calendar years from any day written, and expire at 2,557 days`, () => {
    const audit = logRetentionRows(get(), stack).filter((r) => r.class === "audit");
    expect(audit.map((r) => r.product)).toEqual([...LOG_PRODUCTS]);
    for (const r of audit) {
      // R2 has no compliance mode: every product's audit logs are on S3, in a bucket of their own.
      expect(r, r.product).toMatchObject({ kind: "s3", bucket: `${r.product}-<env>-audit-logs`, mode: stack === "prod" ? "COMPLIANCE" : "GOVERNANCE" });
      expect(r.minDays).toBe(2557);
      expect(r.expiryDays).toBe(2557);
      expect(r.maxDays).toBe(2557 + 3);
      // The examples: written on a leap day, and the day after a Feb 28th; the lock ends exactly at
      // the 7th anniversary (2 leap days in either window).
      expect(lockEnds(new Date("2028-02-29T12:00:00Z"), r.minDays).toISOString()).toBe("2035-03-01T12:00:00.000Z");
      expect(lockEnds(new Date("2027-03-01T00:00:00Z"), r.minDays).toISOString()).toBe("2034-03-01T00:00:00.000Z");
      // Every day of 28 years (a whole cycle of weekdays and leap years): the lock covers 7 calendar years.
      const short: string[] = [];
      for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2052, 0, 1); t += DAY_MS) {
        const written = new Date(t);
        if (lockEnds(written, r.minDays) < calendarYearsLater(written, 7)) short.push(written.toISOString().slice(0, 10));
      }
      expect(short, `${r.product}: days whose lock ends before their 7th anniversary`).toEqual([]);
      // A 365-day-year lock (S3 `Years: 7` read as 2,555 days, or Retention.years(7)) would not.
      expect(lockEnds(new Date("2027-03-01T00:00:00Z"), 2555).getTime()).toBeLessThan(calendarYearsLater(new Date("2027-03-01T00:00:00Z"), 7).getTime());
    }
  });
}
