/**
 * Declared retention of a bucket (S3 or R2), which lifecycle rules must not undercut.
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { integer, retentionMap } from "./config";

/** Tag that declares how many days a bucket's objects must be kept (program convention, S3). */
export const RETENTION_TAG = "retention-days";

/** Config of the retention-aware rules. */
export const RETENTION_DEFAULTS = { minRetentionDays: 7, retentionDays: {} as Record<string, number> };
export const RETENTION_SCHEMA: Record<string, PolicyConfigJSONSchema> = {
  // seed 001 §2.5 / seed 003: the shortest retention the products declare is 7 days.
  minRetentionDays: integer("Retention in days assumed for a bucket that declares none.", RETENTION_DEFAULTS.minRetentionDays, 1),
  retentionDays: retentionMap(`Declared retention in days per bucket name, for buckets without a \`${RETENTION_TAG}\` tag (S3) or without tags at all (R2).`),
};

/** The declared retention: tag `retention-days`, else config by name, else `minRetentionDays`. */
export function declaredRetentionDays(name: string, tagValue: unknown, config: { minRetentionDays: number; retentionDays: Record<string, number> }): number {
  const fromTag = Number(tagValue);
  if (tagValue !== undefined && Number.isInteger(fromTag) && fromTag > 0) return fromTag;
  return config.retentionDays[name] ?? config.minRetentionDays;
}
