/**
 * INTERIM WIRING, to be replaced by the log-retention work's producer of `LogDestination`s (the
 * buckets whose lifecycle and lock keep each class as seed 001 §2.5 says). Until it lands, a
 * product's logs go to its backup bucket under the `LOG_CLASSES` prefixes: one function, so the
 * swap is one call site (`infra/program.ts`).
 */
import type { BackupBucketRef } from "../data/backup-bucket";
import { LOG_CLASSES, type LogClass, type LogDestination, type LogTarget } from "./log-classes";

/** Every class of `product` in `bucket`, under the class's prefix. */
export function interimLogDestination(product: string, bucket: BackupBucketRef): LogDestination {
  const targets = Object.fromEntries(LOG_CLASSES.map((c) => [c.class, { bucket, prefix: c.prefix }])) as Record<LogClass, LogTarget>;
  return { product, targets };
}
