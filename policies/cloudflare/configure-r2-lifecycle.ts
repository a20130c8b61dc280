import { defineStackRule } from "../lib/rule";
import { R2, targetBucketName } from "../lib/cloudflare";
import { declaredRetentionDays, RETENTION_DEFAULTS, RETENTION_SCHEMA } from "../lib/retention";
import { integer, readConfig } from "../lib/config";
import { ofTypes } from "../lib/stack";
import { known, list, obj, UNKNOWN } from "../lib/values";

const DAY = 86_400;
const DEFAULTS = { ...RETENTION_DEFAULTS, maxAbortMultipartDays: 7 };

/** R2 lifecycle: delete-after ≥ the declared retention; abort multipart ≤ 7 days. */
export const configureR2Lifecycle = defineStackRule("cloudflare", {
  name: "cloudflare-configure-r2-lifecycle",
  description: "R2 lifecycle rules must not delete objects before the bucket's declared retention and must abort incomplete multipart uploads within 7 days.",
  enforcementLevel: "mandatory",
  numbers: [49],
  anchors: ["Cloudflare R2 object lifecycles"],
  rationale: "Deleting objects before their declared retention breaks the restore promise, and abandoned multipart uploads are billed indefinitely.",
  standard: "Cloudflare R2 documentation: object lifecycles",
  config: {
    ...RETENTION_SCHEMA,
    maxAbortMultipartDays: integer("Longest wait before incomplete multipart uploads are aborted.", DEFAULTS.maxAbortMultipartDays, 1),
  },
  appliesTo: [R2.Lifecycle],
  validateStack: (args, report) => {
    const config = readConfig(args, DEFAULTS);
    for (const lifecycle of ofTypes(args.resources, R2.Lifecycle)) {
      const bucket = targetBucketName(lifecycle, args.resources) ?? lifecycle.name;
      const retention = declaredRetentionDays(bucket, undefined, config);
      const rules = known(() =>
        list(lifecycle.props.rules).map((r) => {
          const rule = obj(r);
          const del = obj(obj(rule.deleteObjectsTransition).condition);
          const abort = obj(obj(rule.abortMultipartUploadsTransition).condition);
          return { id: String(rule.id ?? "?"), enabled: rule.enabled === true, delType: del.type, delMaxAge: del.maxAge, abortMaxAge: abort.maxAge };
        }),
      );
      if (rules === UNKNOWN) continue;
      for (const r of rules.filter((x) => x.enabled)) {
        if (r.delType === "Age" && typeof r.delMaxAge === "number" && r.delMaxAge < retention * DAY) {
          report(
            `R2 bucket "${bucket}": lifecycle rule "${r.id}" deletes objects after ${+(r.delMaxAge / DAY).toFixed(2)} days, before the declared retention of ${retention} days. Fix: set \`deleteObjectsTransition.condition.maxAge\` to ${retention * DAY} seconds or more.`,
            lifecycle.urn,
          );
        } else if (r.delType === "Date") {
          report(
            `R2 bucket "${bucket}": lifecycle rule "${r.id}" deletes every object on a fixed date, whatever its age. Fix: use \`condition: { type: "Age", maxAge: ${retention * DAY} }\`.`,
            lifecycle.urn,
          );
        }
      }
      const aborts = rules.some((r) => r.enabled && typeof r.abortMaxAge === "number" && r.abortMaxAge <= config.maxAbortMultipartDays * DAY);
      if (!aborts) {
        report(
          `R2 bucket "${bucket}": its lifecycle replaces R2's default multipart-abort rule without aborting incomplete uploads within ${config.maxAbortMultipartDays} days. Fix: add \`abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: ${config.maxAbortMultipartDays * DAY} } }\` to an enabled rule.`,
          lifecycle.urn,
        );
      }
    }
  },
});
