import { defineResourceRule } from "../lib/rule";
import { readConfig } from "../lib/config";
import { describeRule, onPrometheusRules } from "../lib/prometheus";
import { parseDuration } from "../lib/promql";

const DEFAULTS = { minFor: "1m" };

/** Alert `for` at least a floor. */
export const configureAlertForDuration = defineResourceRule("prometheus", {
  name: "prometheus-configure-alert-for-duration",
  description: "Alerts should wait at least the floor duration (`for`) before firing, so one bad scrape does not page.",
  enforcementLevel: "advisory",
  numbers: [62],
  anchors: ["pint alerts/for"],
  rationale: "An alert without a `for` fires on a single bad scrape and trains people to ignore pages.",
  standard: "pint alerts/for",
  config: {
    minFor: {
      type: "string",
      pattern: "^([0-9]+(ms|s|m|h|d|w|y))+$",
      default: DEFAULTS.minFor,
      description: "Shortest allowed `for`, as a Prometheus duration.",
    },
  },
  validateResource: onPrometheusRules((rules, args, report) => {
    const { minFor } = readConfig(args, DEFAULTS);
    const floor = parseDuration(minFor) ?? 60;
    for (const rule of rules.filter((r) => r.alert)) {
      const seconds = rule.for === undefined ? 0 : typeof rule.for === "string" ? parseDuration(rule.for) : undefined;
      if (seconds === undefined) {
        report(`${describeRule(rule, args.name)} has \`for: ${String(rule.for)}\`, which is not a duration. Fix: write it like "5m".`);
      } else if (seconds < floor) {
        report(
          `${describeRule(rule, args.name)} ${rule.for === undefined ? "has no `for`" : `waits only ${String(rule.for)}`} and fires on a single evaluation. Fix: set \`for\` to at least ${minFor} (the seeds use 5m).`,
        );
      }
    }
  }),
});
