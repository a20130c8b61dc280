import { defineResourceRule } from "../lib/rule";
import { describeRule, onPrometheusRules } from "../lib/prometheus";

function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

/** Alerts carry `summary`, `description` and an https `runbook_url`. */
export const missingAlertAnnotations = defineResourceRule("prometheus", {
  name: "prometheus-missing-alert-annotations",
  description: "Every alert must carry `summary` and `description` annotations and an https `runbook_url`.",
  enforcementLevel: "mandatory",
  numbers: [61],
  anchors: ["pint alerts/annotation", "Prometheus Operator runbooks"],
  rationale: "On-call needs to know what fired, why it matters and where the runbook is.",
  standard: "pint alerts/annotation; Prometheus Operator runbooks",
  validateResource: onPrometheusRules((rules, args, report) => {
    for (const rule of rules.filter((r) => r.alert)) {
      const missing = ["summary", "description"].filter((k) => typeof rule.annotations[k] !== "string" || (rule.annotations[k] as string).trim() === "");
      if (missing.length > 0) {
        report(`${describeRule(rule, args.name)} has no ${missing.join(" or ")} annotation, so the page says nothing. Fix: add \`annotations.${missing[0]}\`.`);
      }
      if (!isHttpsUrl(rule.annotations.runbook_url)) {
        const got = rule.annotations.runbook_url;
        report(
          `${describeRule(rule, args.name)} has ${got === undefined ? "no runbook_url" : `runbook_url "${String(got)}", which is not an https URL`}. Fix: set \`annotations.runbook_url\` to the https page that says what to do.`,
        );
      }
    }
  }),
});
