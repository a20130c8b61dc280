/**
 * Prometheus Operator `PrometheusRule` objects: their alerting and recording rules.
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { K8S } from "./kubernetes";
import { ofTypes, type Report, type RuleResourceValidation } from "./rule";
import { list, obj } from "./values";

export interface PromRule {
  /** Alert name (alerting rules) or record name (recording rules). */
  readonly name: string;
  readonly alert: boolean;
  readonly expr: unknown;
  readonly for?: unknown;
  readonly labels: Record<string, unknown>;
  readonly annotations: Record<string, unknown>;
  /** `spec.groups[0].rules[2]`. */
  readonly path: string;
  readonly group: string;
}

/** Every rule of every group of a PrometheusRule's props. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a resource's planned inputs, any shape
export function promRulesOf(props: Record<string, any>): PromRule[] {
  const result: PromRule[] = [];
  list(obj(props.spec).groups).forEach((g, gi) => {
    const group = obj(g);
    list(group.rules).forEach((r, ri) => {
      const rule = obj(r);
      const alert = typeof rule.alert === "string";
      result.push({
        name: String(alert ? rule.alert : (rule.record ?? "?")),
        alert,
        expr: rule.expr,
        for: rule.for,
        labels: { ...obj(rule.labels) },
        annotations: { ...obj(rule.annotations) },
        path: `spec.groups[${gi}].rules[${ri}]`,
        group: String(group.name ?? gi),
      });
    });
  });
  return result;
}

/** `alert "HighErrorRate" (PrometheusRule "codebook-alerts" spec.groups[0].rules[0])`. */
export function describeRule(rule: PromRule, resource: string): string {
  return `${rule.alert ? "alert" : "recording rule"} "${rule.name}" (PrometheusRule "${resource}" ${rule.path})`;
}

/** A rule over the rules of each PrometheusRule. */
export function onPrometheusRules(validate: (rules: PromRule[], args: ResourceValidationArgs, report: Report) => void): RuleResourceValidation {
  return ofTypes([K8S.PrometheusRule], (props, args, report) => {
    const name = obj(props.metadata).name;
    validate(promRulesOf(props), { ...args, name: typeof name === "string" ? name : args.name }, report);
  });
}
