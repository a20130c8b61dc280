/**
 * The plan's dead-alert step: the same check as the pack's `stack-missing-alert-series-source`
 * (policies/lib/series-sources.ts `findDeadAlerts`) over what the program registered, so that
 * `npm run plan` fails on a dead alert even with `--no-policy`, and names the alert, the selector
 * and the sources that do exist.
 *
 * Prometheus' selector labels come, first match wins, from the policy config of that rule
 * (`--policy-config`), the stack config `prometheusSelectorLabels` (read with the program's own
 * schema: a list of `key=value`), else kube-prometheus-stack's default `{ release: kube-prometheus-stack }`.
 * The plan hands the pack the same labels (policy.ts), so both report the same.
 */
import type { PolicyPackConfig } from "@pulumi/policy";
import { PLAIN_CONFIG_KEYS } from "../../infra/config-keys";
import { readProject, readStackConfig, type RegisteredResource } from "../engine/harness";
import { isUnknown, plain } from "../engine/harness/properties";
import { DEFAULT_SELECTOR_LABELS, findDeadAlerts, SOURCE_TYPES, type DeadAlert, type SourceResource } from "../../policies/lib/series-sources";
import { UNKNOWN } from "../../policies/lib/values";

/** The pack's rule that runs the same check. */
export const DEAD_ALERT_RULE = "stack-missing-alert-series-source";
/** The stack config key holding Prometheus' selector labels (monitoring wiring), and its schema in the program. */
export const SELECTOR_LABELS_KEY = "prometheusSelectorLabels";
const SELECTOR_LABELS_CONFIG = PLAIN_CONFIG_KEYS.find((k) => k.key === SELECTOR_LABELS_KEY)!;
const SELECTOR_LABELS_SCHEMA = SELECTOR_LABELS_CONFIG.schema;
const SELECTOR_LABELS_FORM = SELECTOR_LABELS_CONFIG.form;

/** One dead alert as the plan file records it. */
export interface DeadAlertFinding {
  readonly alert: string;
  /** `<namespace>/<PrometheusRule> spec.groups[g].rules[r]`. */
  readonly where: string;
  readonly urn: string;
  /** Absent when the whole PrometheusRule is not loaded by Prometheus. */
  readonly selector?: string;
  readonly message: string;
}

/** Where the selector labels came from, with the labels. */
export interface SelectorLabels {
  readonly labels: Readonly<Record<string, string>>;
  readonly from: "policy config" | "stack config" | "default";
}

function isLabelMap(v: unknown): v is Record<string, string> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
}

/** The selector labels of a stack (see the module comment); throws with the key's name when the stack config holds no label map. */
export function selectorLabelsFor(
  projectDir: string,
  stack: string,
  overrides: Readonly<Record<string, string>> = {},
  policyConfig?: PolicyPackConfig,
): SelectorLabels {
  const ruleConfig = policyConfig?.[DEAD_ALERT_RULE];
  if (typeof ruleConfig === "object" && ruleConfig !== null && isLabelMap((ruleConfig as { selectorLabels?: unknown }).selectorLabels)) {
    return { labels: (ruleConfig as { selectorLabels: Record<string, string> }).selectorLabels, from: "policy config" };
  }
  const project = readProject(projectDir);
  const key = `${project.name}:${SELECTOR_LABELS_KEY}`;
  let raw: string | undefined = overrides[key] ?? overrides[SELECTOR_LABELS_KEY];
  if (raw === undefined) {
    try {
      raw = readStackConfig(project, stack, () => "").values[key];
    } catch {
      raw = undefined; // an unreadable stack file is the program run's error to report
    }
  }
  if (raw === undefined || raw === "") return { labels: DEFAULT_SELECTOR_LABELS, from: "default" };
  // Read the value exactly as the program does: the key's own schema (`key=value` entries).
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = raw;
  }
  const result = SELECTOR_LABELS_SCHEMA.safeParse(parsed);
  if (!result.success) {
    throw new Error(`${SELECTOR_LABELS_KEY} must be ${SELECTOR_LABELS_FORM}, e.g. ["release=kube-prometheus-stack"]; got ${raw}`);
  }
  return { labels: result.data as Readonly<Record<string, string>>, from: "stack config" };
}

/** The recorded resources as the check reads them: secrets unwrapped, unknowns as `UNKNOWN`. */
export function sourceResources(resources: readonly RegisteredResource[]): SourceResource[] {
  const unknowns = (v: unknown): unknown => {
    if (isUnknown(v)) return UNKNOWN;
    if (Array.isArray(v)) return v.map(unknowns);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unknowns(x)]));
    return v;
  };
  return resources
    .filter((r) => SOURCE_TYPES.includes(r.type))
    .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: unknowns(plain(r.inputs ?? {})) as Record<string, unknown> }));
}

/** Every dead alert of a recorded run. */
export function findRunDeadAlerts(resources: readonly RegisteredResource[], selectorLabels: Readonly<Record<string, string>>): DeadAlertFinding[] {
  return findDeadAlerts(sourceResources(resources), { selectorLabels }).map((d: DeadAlert) => ({
    alert: d.alert,
    where: d.where,
    urn: d.urn,
    ...(d.selector !== undefined ? { selector: d.selector } : {}),
    message: d.message,
  }));
}

/** The policy config handed to the pack: the user's, plus the stack's selector labels for the dead-alert rule when the user set none. */
export function packConfigWithSelectors(config: PolicyPackConfig | undefined, selectors: SelectorLabels): PolicyPackConfig | undefined {
  if (selectors.from !== "stack config") return config;
  const own = config?.[DEAD_ALERT_RULE];
  const ruleConfig = typeof own === "string" ? { enforcementLevel: own } : typeof own === "object" && own !== null ? own : {};
  return { ...(config ?? {}), [DEAD_ALERT_RULE]: { ...ruleConfig, selectorLabels: { ...selectors.labels } } } as PolicyPackConfig;
}
