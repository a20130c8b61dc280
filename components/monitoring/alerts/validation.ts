/**
 * Pure validation of alert specs and groups (`prometheus-enforce-alert-severity`, `prometheus-missing-alert-annotations`, `prometheus-configure-alert-for-duration` and `prometheus-enforce-alert-expressions`): every problem is returned as a
 * sentence, nothing throws here.
 */
import { SEVERITIES, type AlertSpec, type AlertGroup } from "./types";
import { PASCAL_CASE, LABEL_NAME, MIN_FOR_SECONDS, durationText, checkPositiveDuration, checkWholeSeconds } from "./helpers";

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** Removes string literals so operators inside them are not mistaken for PromQL operators. */
function stripStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
}

/** Removes label-matcher blocks (`{...}`), whose `=`, `!=`, `=~` are not comparisons. */
function stripMatchers(expr: string): string {
  return expr.replace(/\{[^{}]*\}/g, "");
}

function bracketsBalanced(expr: string): boolean {
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  const stack: string[] = [];
  for (const ch of expr) {
    if (ch === "(" || ch === "[" || ch === "{") stack.push(ch);
    else if (ch in pairs) {
      if (stack.pop() !== pairs[ch]) return false;
    }
  }
  return stack.length === 0;
}

/**
 * Checks one alert (`prometheus-enforce-alert-severity`, `prometheus-missing-alert-annotations`, `prometheus-configure-alert-for-duration` and `prometheus-enforce-alert-expressions`) and returns its problems; empty when valid. Pure: no
 * PromQL parser here (`promtool check rules` is the real parser in tests), only what can be seen
 * from the text: a comparison outside label matchers, no `bool` modifier, balanced brackets.
 */
export function validateAlertSpec(spec: AlertSpec): string[] {
  const problems: string[] = [];
  const who = `alert "${spec.name}"`;
  if (!PASCAL_CASE.test(spec.name)) {
    problems.push(`${who}: \`name\` must be PascalCase (a capital letter, then letters and digits), e.g. "HighErrorRate"`);
  }
  if (!(SEVERITIES as readonly string[]).includes(spec.severity)) {
    problems.push(
      `${who}: \`severity\` must be one of ${SEVERITIES.join(", ")}, got "${spec.severity}"; pick the routing tier (critical pages, warning goes to chat)`,
    );
  }
  let https = false;
  try {
    const url = new URL(spec.runbookUrl);
    https = url.protocol === "https:" && url.hostname.length > 0;
  } catch {
    https = false;
  }
  if (!https) {
    problems.push(`${who}: \`runbookUrl\` must be an https:// URL, got "${spec.runbookUrl}"; pass the runbook site as \`runbookBaseUrl\``);
  }
  if (spec.summary.trim().length === 0) {
    problems.push(`${who}: \`summary\` must not be empty; write one line saying what is wrong`);
  }
  if (spec.description.trim().length === 0) {
    problems.push(`${who}: \`description\` must not be empty; say what is wrong and include the value, e.g. "{{ $value }}"`);
  }
  if ((spec.severity === "critical" || spec.severity === "warning") && spec.for.toSeconds() < MIN_FOR_SECONDS) {
    problems.push(`${who}: \`for\` must be at least 1m for ${spec.severity} alerts, got ${durationText(spec.for)}; a single bad scrape must not notify anyone`);
  }
  if (!Number.isInteger(spec.for.toSeconds())) {
    problems.push(`${who}: \`for\` must be a whole number of seconds, got ${spec.for.toSeconds()}s`);
  }
  const code = stripStrings(spec.expr);
  if (spec.expr.trim().length === 0) {
    problems.push(`${who}: \`expr\` must not be empty`);
  } else if (!/(==|!=|>=|<=|>|<)/.test(stripMatchers(code))) {
    problems.push(`${who}: \`expr\` must compare against a threshold (==, !=, >, <, >=, <=), e.g. "... > 0.05"; a bare query fires on every series`);
  }
  if (/\bbool\b/.test(stripMatchers(code))) {
    problems.push(`${who}: \`expr\` must not use the \`bool\` modifier: it returns 0/1 for every series, so the alert would always fire`);
  }
  if (!bracketsBalanced(code)) {
    problems.push(`${who}: \`expr\` has unbalanced brackets; check every (, [ and { is closed`);
  }
  for (const [label] of Object.entries(spec.labels ?? {})) {
    if (label === "severity") {
      problems.push(`${who}: \`labels.severity\` is not allowed; set the \`severity\` field instead`);
    } else if (!LABEL_NAME.test(label) || label.startsWith("__")) {
      problems.push(`${who}: \`labels\` key "${label}" is not a valid Prometheus label name; use letters, digits and underscores`);
    }
  }
  return problems;
}

/** Checks every group and its alerts, including duplicate group and alert names. */
export function validateAlertGroups(groups: ReadonlyArray<AlertGroup>): string[] {
  const problems: string[] = [];
  const groupNames = new Set<string>();
  groups.forEach((group, gi) => {
    const where = `\`groups[${gi}]\``;
    if (group.name.trim().length === 0) {
      problems.push(`${where}: \`name\` must not be empty; name the group after the service, e.g. "codebook-api"`);
    } else if (groupNames.has(group.name)) {
      problems.push(`${where}: group name "${group.name}" is used twice; give each group a unique \`name\``);
    }
    groupNames.add(group.name);
    if (group.interval !== undefined) {
      checkPositiveDuration(`groups[${gi}].interval`, group.interval, problems);
      checkWholeSeconds(`groups[${gi}].interval`, group.interval, problems);
    }
    if (group.rules.length === 0) {
      problems.push(`${where} ("${group.name}") has no rules; add alerts or remove the group`);
    }
    const alertNames = new Set<string>();
    for (const rule of group.rules) {
      if (alertNames.has(rule.name)) {
        problems.push(`${where} ("${group.name}") has duplicate alert name "${rule.name}"; give each rule a unique \`name\` (builders take a \`name\` option)`);
      }
      alertNames.add(rule.name);
      for (const p of validateAlertSpec(rule)) problems.push(`${where} ${p}`);
    }
  });
  return problems;
}
