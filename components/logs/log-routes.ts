/**
 * How a log line finds its class and its product's targets in Vector's configuration, from one
 * small typed table: {@link CLASS_RULES} mirrors `classifyLogLine` (log-classes.ts, the reference),
 * {@link classifyByRules} evaluates the table the way the rendered VRL does, and
 * {@link renderClassifyVrl} writes the table as a VRL `remap` program. The tests hold the table to
 * `classifyLogLine` on sample lines and the rendering to the table, text for text; no Vector binary
 * (and so no VRL evaluator) exists on this machine (README "Logs").
 *
 * Vector configuration reference: https://vector.dev/docs/reference/configuration/ — `remap`
 * (VRL: `parse_json`, `is_object`, `is_string`, `downcase`, `includes`), `route` (one VRL condition
 * per route; an event that matches none goes to `_unmatched`, which nothing reads, so it is dropped).
 *
 * Two things the rendered text must avoid: `${` (Vector interpolates environment variables in
 * the whole file, VRL included) and `{{` (the Helm chart passes `customConfig` through `tpl`).
 */
import { AUDIT_MARKER_FIELD, DEBUG_LEVELS, ERROR_LEVELS, type LogClass, type LogDestination } from "./log-classes";

/** When a line belongs to a class (checked in table order; the first match wins). */
export type ClassCondition =
  /** The line is a JSON object whose top-level `field` is the boolean `true`. */
  | { readonly kind: "marker"; readonly field: string }
  /** The line is a JSON object whose `level` is a string, one of `levels` in any case. */
  | { readonly kind: "level"; readonly levels: readonly string[] }
  /** Every other line (not JSON, not an object, no or another level). */
  | { readonly kind: "otherwise" };

/** One row of the routing table. */
export interface ClassRule {
  readonly class: LogClass;
  readonly when: ClassCondition;
}

/** The classes in routing order, as `classifyLogLine` decides them: the audit marker wins, then the level, then app. */
export const CLASS_RULES: readonly ClassRule[] = [
  { class: "audit", when: { kind: "marker", field: AUDIT_MARKER_FIELD } },
  { class: "error", when: { kind: "level", levels: [...ERROR_LEVELS] } },
  { class: "debug", when: { kind: "level", levels: [...DEBUG_LEVELS] } },
  { class: "app", when: { kind: "otherwise" } },
];

/** The event field the classify transform writes the class into (shipped with the record). */
export const CLASS_FIELD = "log_class";

/** Field names the VRL may use as plain path segments. */
const VRL_FIELD = /^[a-z_][a-z0-9_]*$/;

/** Evaluates `rules` on one raw line exactly as {@link renderClassifyVrl}'s program does. */
export function classifyByRules(line: string, rules: readonly ClassRule[] = CLASS_RULES): LogClass {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const record = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  const level = record && typeof record.level === "string" ? record.level.toLowerCase() : "";
  for (const rule of rules) {
    const w = rule.when;
    if (w.kind === "otherwise") return rule.class;
    if (!record) continue;
    if (w.kind === "marker" && record[w.field] === true) return rule.class;
    if (w.kind === "level" && w.levels.includes(level)) return rule.class;
  }
  throw new Error("the class rules end without an `otherwise` row");
}

/** Checks the table's shape: one `otherwise` row, last; VRL-safe field names and levels. */
export function checkClassRules(rules: readonly ClassRule[]): void {
  const problems: string[] = [];
  rules.forEach((r, i) => {
    if (r.when.kind === "otherwise" && i !== rules.length - 1) problems.push(`the \`otherwise\` row (${r.class}) must be last`);
    if (r.when.kind === "marker" && !VRL_FIELD.test(r.when.field)) problems.push(`marker field "${r.when.field}" is not a plain VRL path segment`);
    if (r.when.kind === "level") for (const l of r.when.levels) if (!/^[a-z]+$/.test(l)) problems.push(`level "${l}" must be lower-case letters`);
  });
  if (rules.at(-1)?.when.kind !== "otherwise") problems.push("the last row must be `otherwise`");
  if (problems.length > 0) throw new Error(`class rules: ${problems.join("; ")}`);
}

/**
 * The VRL of the classify transform: parse `source` (the raw line) as JSON and set
 * `.<CLASS_FIELD>` to the class of the first matching row. Every row but the last is one branch,
 * in table order.
 */
export function renderClassifyVrl(rules: readonly ClassRule[] = CLASS_RULES, source = ".message"): string {
  checkClassRules(rules);
  const fallback = rules[rules.length - 1].class;
  const branches = rules.slice(0, -1).map((r) => {
    const w = r.when;
    const test = w.kind === "marker" ? `parsed.${w.field} == true` : `includes(${JSON.stringify(w.kind === "level" ? w.levels : [])}, level)`;
    return `if ${test} {\n    .${CLASS_FIELD} = ${JSON.stringify(r.class)}\n  }`;
  });
  return [
    `.${CLASS_FIELD} = ${JSON.stringify(fallback)}`,
    `parsed, err = parse_json(${source})`,
    "if err == null && is_object(parsed) {",
    '  level = if is_string(parsed.level) { downcase(string!(parsed.level)) } else { "" }',
    `  ${branches.join(" else ")}`,
    "}",
    "",
  ].join("\n");
}

/** The `route` condition that selects one class (after the classify transform). */
export function classRouteCondition(c: LogClass): string {
  return `.${CLASS_FIELD} == ${JSON.stringify(c)}`;
}

/** A Vector component id fragment: lower-case letters, digits and `_`. */
export function componentId(...parts: string[]): string {
  return parts.map((p) => p.toLowerCase().replace(/[^a-z0-9]+/g, "_")).join("_");
}

/** The environment variable name of one credential, e.g. `LOGS_CODEBOOK_1_AWS_ACCESS_KEY_ID`. */
export function credentialEnvName(product: string, bucketIndex: number, key: "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY"): string {
  return `LOGS_${componentId(product).toUpperCase()}_${bucketIndex + 1}_${key}`;
}

/** The distinct buckets of one destination, in class order, with the classes each holds. */
export function destinationBuckets(d: LogDestination): { bucket: LogDestination["targets"][LogClass]["bucket"]; classes: LogClass[] }[] {
  const out: { bucket: LogDestination["targets"][LogClass]["bucket"]; classes: LogClass[] }[] = [];
  for (const rule of CLASS_RULES) {
    const t = d.targets[rule.class];
    const group = out.find((g) => g.bucket === t.bucket);
    if (group) group.classes.push(rule.class);
    else out.push({ bucket: t.bucket, classes: [rule.class] });
  }
  return out;
}
