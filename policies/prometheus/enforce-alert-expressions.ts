import { defineResourceRule } from "../lib/rule";
import { describeRule, onPrometheusRules } from "../lib/prometheus";
import { parsePromql, thresholds, walk } from "../lib/promql";
import { stableJson } from "../lib/values";

/** Alerts that fire on absence rather than on a threshold. */
const ABSENCE = ["absent", "absent_over_time"];

/** Alert expressions parse, compare against a threshold, names not duplicated. */
export const enforceAlertExpressions = defineResourceRule("prometheus", {
  name: "prometheus-enforce-alert-expressions",
  description: "Rule expressions must parse, alerts must compare against a threshold (or test absence), and no two rules may share a name and labels.",
  enforcementLevel: "mandatory",
  numbers: [63],
  anchors: ["pint promql/syntax", "pint alerts/comparison", "pint rule/duplicate", "promtool check rules"],
  rationale: "Prometheus rejects a rule that does not parse, an alert without a comparison fires always or never, and duplicate rules page twice.",
  standard: "pint promql/syntax, alerts/comparison, rule/duplicate; promtool check rules",
  validateResource: onPrometheusRules((rules, args, report) => {
    const seen = new Map<string, string>();
    for (const rule of rules) {
      const where = describeRule(rule, args.name);
      const key = `${rule.alert ? "alert" : "record"}:${rule.name}:${stableJson(rule.labels)}`;
      const first = seen.get(key);
      if (first)
        report(
          `${where} duplicates ${first} (same name and labels); Prometheus evaluates both and Alertmanager merges them. Fix: rename one or give them different labels (e.g. severity).`,
        );
      else seen.set(key, rule.path);
      if (typeof rule.expr !== "string") {
        report(`${where} has no \`expr\`. Fix: write the PromQL expression.`);
        continue;
      }
      let ast;
      try {
        ast = parsePromql(rule.expr);
      } catch (e) {
        report(`${where} has an expression that does not parse: ${(e as Error).message}. Fix: correct it (check with \`promtool check rules\`).`);
        continue;
      }
      if (!rule.alert) continue;
      const absence = walk(ast).some((n) => n.kind === "call" && ABSENCE.includes(n.fn));
      if (!absence && thresholds(ast).length === 0) {
        report(
          `${where} has no comparison against a threshold (\`${rule.expr}\`), so it fires whenever the series exists. Fix: compare against the seed's threshold, e.g. \`... > 0.05\`.`,
        );
      }
    }
  }),
});
