/**
 * Rendering: alert specs to the plain Prometheus rule-group shape that the `PrometheusRule` custom
 * resource (components/monitoring/alert-rules.ts) and `promtool` consume, and a rule file's text.
 */
import { stringify } from "yaml";
import { throwIfInvalid } from "../../context";
import type { AlertSpec, AlertGroup, PrometheusAlertingRule, PrometheusRuleGroup } from "./types";
import { validateAlertGroups } from "./validation";

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/** Options of `toPrometheusRuleGroups`. */
export interface RenderOptions {
  /**
   * Labels stamped on every alert under the spec's own labels (e.g. `namespace`, which the
   * Prometheus Operator's AlertmanagerConfig routes on). @default {}
   */
  readonly commonLabels?: Readonly<Record<string, string>>;
}

/** Converts one spec to the Prometheus rule shape (no validation; see `toPrometheusRuleGroups`). */
export function toPrometheusRule(spec: AlertSpec, opts: RenderOptions = {}): PrometheusAlertingRule {
  const rule: PrometheusAlertingRule = {
    alert: spec.name,
    expr: spec.expr,
    labels: { ...(opts.commonLabels ?? {}), ...(spec.labels ?? {}), severity: spec.severity },
    annotations: { summary: spec.summary, description: spec.description, runbook_url: spec.runbookUrl },
  };
  if (spec.for.toSeconds() > 0) rule.for = spec.for.toPrometheus();
  // Key order as Prometheus documents it: alert, expr, for, labels, annotations.
  const { alert, expr, labels, annotations } = rule;
  return rule.for === undefined ? { alert, expr, labels, annotations } : { alert, expr, for: rule.for, labels, annotations };
}

/**
 * Validates the groups (throws a `ValidationError` listing every problem) and converts them to
 * plain Prometheus rule groups: the `spec.groups` of a PrometheusRule and the `groups` of a rule file.
 */
export function toPrometheusRuleGroups(groups: ReadonlyArray<AlertGroup>, opts: RenderOptions = {}): PrometheusRuleGroup[] {
  throwIfInvalid("alert rule groups", groups.map((g) => g.name).join(","), validateAlertGroups(groups));
  return groups.map((group) => ({
    name: group.name,
    ...(group.interval ? { interval: group.interval.toPrometheus() } : {}),
    rules: group.rules.map((spec) => toPrometheusRule(spec, opts)),
  }));
}

/** The text of a Prometheus rule file (`groups: [...]`) for the given plain groups. Pure. */
export function renderRuleFile(groups: ReadonlyArray<PrometheusRuleGroup>): string {
  // lineWidth 0: never fold long PromQL expressions into multi-line scalars.
  return stringify({ groups }, { lineWidth: 0 });
}
