/**
 * The pack recognises backups by markers the program writes. The pack is published on its own
 * (it cannot import the program), so this test keeps the two copies of each marker equal.
 */
import { describe, expect, it } from "vitest";
import { BACKUP_TAG } from "../../policies/lib/aws";
import { BACKUP_LABEL as PACK_BACKUP_LABEL, RPO_ANNOTATION as PACK_RPO_ANNOTATION } from "../../policies/lib/kubernetes";
import { RPO_ANNOTATION } from "../../components/data/backup-job";
import { BACKUP_LABEL } from "../../components/data/job-kernel";
import { committedStackRun } from "../helpers/stack-runs";

describe("program and pack agree on the backup markers", () => {
  it("uses the same label, tag and annotation names", () => {
    expect(PACK_BACKUP_LABEL).toBe(BACKUP_LABEL);
    expect(BACKUP_TAG).toBe(BACKUP_LABEL);
    expect(PACK_RPO_ANNOTATION).toBe(RPO_ANNOTATION);
  });

  it("every S3 backup bucket the prod stack registers carries the pack's backup tag, the log buckets (built by BackupBucket) too", async () => {
    const run = await committedStackRun("prod");
    const buckets = run.resources.filter((r) => r.type === "aws:s3/bucket:Bucket");
    // 3 backup buckets; log buckets: every product's audit bucket (5) and app/error/debug for the 3 S3 products (9).
    expect(buckets).toHaveLength(17);
    expect(buckets.filter((b) => /-(audit-logs|logs-(app|error|debug))-bucket$/.test(b.name))).toHaveLength(14);
    for (const b of buckets) expect((b.inputs as any).tags?.[BACKUP_TAG], b.urn).toBe("true");
  });
});
