import { defineResourceRule } from "../lib/rule";
import { readConfig, stringList } from "../lib/config";
import { describeRule, onPrometheusRules } from "../lib/prometheus";

const DEFAULTS = {
  // SPEC: critical pages, warning goes to chat; info is for dashboards.
  allowedSeverities: ["critical", "warning", "info"],
};

/** Alert `severity` label from the allow-list. */
export const enforceAlertSeverity = defineResourceRule("prometheus", {
  name: "prometheus-enforce-alert-severity",
  description: "Every alert must carry a `severity` label from the allow-list, which drives routing.",
  enforcementLevel: "mandatory",
  numbers: [60],
  anchors: ["pint rule/label", "Prometheus Operator alert routing"],
  rationale: "Alert routing keys on `severity`: an alert without a known severity pages nobody or the wrong people.",
  standard: "pint rule/label; Prometheus Operator alert routing",
  config: { allowedSeverities: stringList("Allowed values of the `severity` label.", DEFAULTS.allowedSeverities) },
  validateResource: onPrometheusRules((rules, args, report) => {
    const { allowedSeverities } = readConfig(args, DEFAULTS);
    for (const rule of rules.filter((r) => r.alert)) {
      const severity = rule.labels.severity;
      if (typeof severity !== "string" || !allowedSeverities.includes(severity)) {
        report(
          `${describeRule(rule, args.name)} has severity ${severity === undefined ? "unset" : `"${String(severity)}"`}, so Alertmanager cannot route it. Fix: set \`labels.severity\` to one of ${allowedSeverities.join(", ")}.`,
        );
      }
    }
  }),
});
