/**
 * The platform's log classes: which class a log line belongs to, and how long each class is kept.
 *
 * seed 001 §2.5 "Log Retention": application logs 30 days, error logs 90 days, debug logs 7 days,
 * audit logs 7 years (compliance). The platform applies these classes to every product's logs
 * (as it applies seed 001 §2.1's log levels, `stacks/logging.ts`): container logs of each product's
 * namespace and the logs of its Vercel apps.
 *
 * Which class a line is in (the contract the apps follow, README "Logs the apps write"):
 * - a JSON line (seed 001 §2.2 "Use JSON format for all logs") whose top-level `audit` field is
 *   `true` ({@link AUDIT_MARKER_FIELD}) is an audit record, whatever its level;
 * - otherwise its `level` (seed 001 §2.1: ERROR, WARN, INFO, DEBUG; any case) picks the class:
 *   ERROR (and FATAL/CRITICAL) → error, DEBUG (and TRACE) → debug, everything else → app;
 * - a line that is not JSON, or has no level, is an application log.
 *
 * This module is the one source of truth for the class names, their key prefixes and their
 * retention; the agent's routes, the buckets' lifecycle rules and locks, and the tests read it.
 */
import type { BackupBucketRef } from "../data/backup-bucket";
import { Retention } from "../values";

/** A log class (seed 001 §2.5). */
export type LogClass = "app" | "error" | "debug" | "audit";

/** One log class: its key prefix in the product's bucket and how long it is kept. */
export interface LogClassSpec {
  readonly class: LogClass;
  /** Key prefix of the class's objects, under the product's bucket. */
  readonly prefix: string;
  /**
   * How long objects of the class are kept: both the lock (minimum age) and the lifecycle expiry
   * (maximum age) of the class's bucket (`productLogs`). Audit's 7 years are CALENDAR years: locked
   * and expired at {@link AUDIT_RETENTION_MAX_DAYS} (7 × 365 days + 2 leap days), which reach the
   * 7th anniversary from any day written; not `Retention.years(7)`'s 2,555 days, and not S3's
   * `DefaultRetention.Years`, whose year length AWS does not document.
   */
  readonly retention: Retention;
  /** Where the number comes from. */
  readonly source: string;
}

/** Top-level JSON field that marks a log line as an audit record (`"audit": true`). */
export const AUDIT_MARKER_FIELD = "audit";

/** Calendar years audit logs are kept (seed 001 §2.5 "Audit logs: 7 years (compliance requirement)"). */
export const AUDIT_RETENTION_YEARS = 7;

/** The most days 7 calendar years can span: 7 × 365 + 2 leap days (any 7-year window holds at most 2 Feb 29ths). */
export const AUDIT_RETENTION_MAX_DAYS = AUDIT_RETENTION_YEARS * 365 + 2;

/** The four classes, in routing order (audit first: the marker wins over the level). */
export const LOG_CLASSES: readonly LogClassSpec[] = [
  { class: "audit", prefix: "logs/audit/", retention: Retention.days(AUDIT_RETENTION_MAX_DAYS), source: "seed 001 §2.5: audit logs 7 years" },
  { class: "error", prefix: "logs/error/", retention: Retention.days(90), source: "seed 001 §2.5: error logs 90 days" },
  { class: "debug", prefix: "logs/debug/", retention: Retention.days(7), source: "seed 001 §2.5: debug logs 7 days" },
  { class: "app", prefix: "logs/app/", retention: Retention.days(30), source: "seed 001 §2.5: application logs 30 days" },
];

/** The spec of one class. */
export function logClass(c: LogClass): LogClassSpec {
  const spec = LOG_CLASSES.find((s) => s.class === c);
  if (!spec) throw new Error(`unknown log class "${c}"`);
  return spec;
}

/** Levels (lower case) whose lines are error logs. Read by the agents' routes (`log-routes.ts`). */
export const ERROR_LEVELS: ReadonlySet<string> = new Set(["error", "fatal", "critical", "crit", "emerg", "alert", "panic"]);
/** Levels (lower case) whose lines are debug logs. Read by the agents' routes (`log-routes.ts`). */
export const DEBUG_LEVELS: ReadonlySet<string> = new Set(["debug", "trace"]);

/**
 * The class of one log line, as the agent's routes must classify it (the reference the rendered
 * routes are tested against).
 */
export function classifyLogLine(line: string): LogClass {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return "app";
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "app";
  const record = parsed as Record<string, unknown>;
  if (record[AUDIT_MARKER_FIELD] === true) return "audit";
  const level = typeof record.level === "string" ? record.level.toLowerCase() : "";
  if (ERROR_LEVELS.has(level)) return "error";
  if (DEBUG_LEVELS.has(level)) return "debug";
  return "app";
}

/** Where one class of a product's logs is written: a bucket (with what an uploader needs) and a key prefix. */
export interface LogTarget {
  readonly bucket: BackupBucketRef;
  /** Key prefix of the class in that bucket, ending in `/` (the class's {@link LogClassSpec.prefix}). */
  readonly prefix: string;
}

/**
 * Where one product's logs go, per class. Produced once by the product's data (the buckets whose
 * lifecycle and lock keep each class as long as {@link LOG_CLASSES} says) and passed to every writer:
 * the log agent (container logs of the product's namespace) and the Vercel log drains.
 */
export interface LogDestination {
  /** The product id (catalog key). */
  readonly product: string;
  readonly targets: Readonly<Record<LogClass, LogTarget>>;
}
