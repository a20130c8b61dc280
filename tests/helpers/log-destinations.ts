/**
 * A test fixture: a `LogDestination` with every class in one bucket under the class's prefix, for
 * rendering tests that need a destination without building the program's log buckets
 * (`productLogs` in components/data/product-data.ts makes the real ones).
 */
import type { BackupBucketRef } from "../../components/data/backup-bucket";
import { LOG_CLASSES, type LogClass, type LogDestination, type LogTarget } from "../../components/logs/log-classes";

/** Every class of `product` in `bucket`, under the class's prefix. */
export function logDestinationIn(product: string, bucket: BackupBucketRef): LogDestination {
  const targets = Object.fromEntries(LOG_CLASSES.map((c) => [c.class, { bucket, prefix: c.prefix }])) as Record<LogClass, LogTarget>;
  return { product, targets };
}
