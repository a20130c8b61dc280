/**
 * Typed Prometheus alert rules: an `AlertSpec` value, one builder per alert the seeds name, pure
 * validation, and the conversion to the plain Prometheus rule-group shape that both the
 * `PrometheusRule` custom resource (components/monitoring/alert-rules.ts) and `promtool` consume.
 *
 * Every builder takes a typed options object, documents the metric names it reads, and defaults
 * its thresholds from the seeds (cited beside each default). Where a seed names a threshold but no
 * duration, the convention of seed 001 §1.4 applies: critical alerts wait 5 minutes ("Error rate >
 * 5% for 5 minutes"), warning alerts 10 minutes ("Error rate > 2% for 10 minutes").
 *
 * Metric sources (all conventional, so the products only need standard instrumentation):
 * - the application's Prometheus client (`/metrics`, seed 001 §1.3): `http_requests_total{status}`,
 *   `http_request_duration_seconds_bucket{le}`, plus the few app gauges/counters named below;
 * - postgres_exporter: `pg_stat_activity_count`, `pg_settings_*`, `pg_stat_statements_*`;
 * - node_exporter / kubelet: filesystem and PVC volume stats;
 * - blackbox_exporter (Prometheus Operator `Probe`): `probe_success`, `probe_ssl_earliest_cert_expiry`;
 * - kube-state-metrics: `kube_cronjob_status_last_successful_time`.
 */
import { stringify } from "yaml";
import { throwIfInvalid } from "../../context";
import { Duration } from "../../values";

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** The severities Alertmanager routes on (POLICIES.md 60): pager, chat, nowhere. */
export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One alerting rule, before it is rendered for Prometheus. */
export interface AlertSpec {
  /** Alert name, PascalCase, unique within its group. @example "HighErrorRate" */
  readonly name: string;
  /** PromQL expression that compares against a threshold; the alert fires while it returns series. */
  readonly expr: string;
  /** How long the expression must hold before the alert fires (≥ 1 m for critical and warning). */
  readonly for: Duration;
  /** Routing severity: `critical` pages, `warning` goes to chat, `info` is recorded only. */
  readonly severity: Severity;
  /** One-line summary (the `summary` annotation). */
  readonly summary: string;
  /** Longer text with the current value, e.g. `{{ $value | humanizePercentage }}` (the `description` annotation). */
  readonly description: string;
  /** https link to the runbook (the `runbook_url` annotation). */
  readonly runbookUrl: string;
  /** Extra labels added to the alert (never `severity`, which comes from `severity`). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A named group of alerts, evaluated together. */
export interface AlertGroup {
  /** Group name, unique within a rule file / PrometheusRule. @example "codebook-api" */
  readonly name: string;
  /** Evaluation interval; Prometheus' global `evaluation_interval` when omitted. */
  readonly interval?: Duration;
  /** The alerts of the group. */
  readonly rules: ReadonlyArray<AlertSpec>;
}

/** A rule as Prometheus reads it (rule file / `PrometheusRule.spec.groups[].rules[]`). */
export interface PrometheusAlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

/** A rule group as Prometheus reads it. */
export interface PrometheusRuleGroup {
  name: string;
  interval?: string;
  rules: PrometheusAlertingRule[];
}

/** A regular-expression label matcher (`label=~"regex"`), fully anchored by Prometheus. */
export interface RegexMatcher {
  readonly regex: string;
}

/**
 * Which series an alert watches: label name → exact value (`label="value"`) or `{ regex }`
 * (`label=~"regex"`).
 * @example { job: "codebook-api", namespace: "codebook" }
 */
export type SeriesSelector = Readonly<Record<string, string | RegexMatcher>>;

/** Options every builder accepts. */
export interface AlertOptions {
  /** Overrides the alert name (PascalCase). @default the builder's name, with the severity appended when it is not the builder's default severity */
  readonly name?: string;
  /** Severity of the alert; the builder's thresholds follow the severity where the seeds give tiers. @default per builder */
  readonly severity?: Severity;
  /** How long the condition must hold. @default per builder and severity, from the seeds */
  readonly for?: Duration;
  /** Base of the runbook URL; `/<AlertName>.md` is appended (the file name in docs/runbooks). @default "https://runbooks.example.com/app-platform" */
  readonly runbookBaseUrl?: string;
  /** Extra labels on the alert (e.g. `team`). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Placeholder runbook site; stacks pass their real one as `runbookBaseUrl`. */
export const DEFAULT_RUNBOOK_BASE_URL = "https://runbooks.example.com/app-platform";

/**
 * The runbook URL of alert `name`: `<base>/<AlertName>.md`, the path of its runbook under
 * docs/runbooks, so the default base (the repository's GitHub blob view) opens the file and any
 * other site publishing that folder keeps the same names.
 */
export function runbookUrl(base: string, name: string): string {
  return `${base.replace(/\/+$/, "")}/${name}.md`;
}

/** Window of every `rate()` in the builders (seed 001 §1.4 example uses `[5m]`). */
export const RATE_WINDOW = "5m";

/** The metric names the builders read, in one place for the products' instrumentation. */
export const METRICS = {
  /** Counter of HTTP requests with a `status` label (seed 001 §1.4 example). */
  httpRequests: "http_requests_total",
  /** Histogram of request durations in seconds (Prometheus client default name). */
  httpDurationBucket: "http_request_duration_seconds_bucket",
  /** postgres_exporter: 1 when the exporter's last connection to the database succeeded. */
  pgUp: "pg_up",
  /** postgres_exporter: connections by `datname`/`state`. */
  pgActivity: "pg_stat_activity_count",
  /** postgres_exporter: the server's `max_connections` setting. */
  pgMaxConnections: "pg_settings_max_connections",
  /** postgres_exporter: `superuser_reserved_connections`, unusable by the application. */
  pgReservedConnections: "pg_settings_superuser_reserved_connections",
  /** postgres_exporter `stat_statements` collector: total execution seconds per `queryid`. */
  pgStatementSeconds: "pg_stat_statements_seconds_total",
  /** postgres_exporter `stat_statements` collector: calls per `queryid`. */
  pgStatementCalls: "pg_stat_statements_calls_total",
  /** node_exporter filesystem free bytes (for non-root users) and size. */
  nodeFsAvail: "node_filesystem_avail_bytes",
  nodeFsSize: "node_filesystem_size_bytes",
  /** kubelet PersistentVolumeClaim stats. */
  pvcAvail: "kubelet_volume_stats_available_bytes",
  pvcCapacity: "kubelet_volume_stats_capacity_bytes",
  /** blackbox_exporter: 1 when the probe succeeded. */
  probeSuccess: "probe_success",
  /** blackbox_exporter: Unix time the earliest certificate in the chain expires. */
  probeCertExpiry: "probe_ssl_earliest_cert_expiry",
  /** blackbox_exporter: seconds the whole probe took. */
  probeDuration: "probe_duration_seconds",
  /** blackbox_exporter: 1 when the probe failed on a body or header regular expression (`fail_if_header_not_matches`). */
  probeFailedDueToRegex: "probe_failed_due_to_regex",
  /** Prometheus: 1 when the scrape target answered. */
  up: "up",
  /** App gauge: jobs waiting (seed 001 "Job queue depth": `SELECT COUNT(*) FROM jobs WHERE status = 'pending'`). */
  jobQueueDepth: "job_queue_depth",
  /** App counters of LLM API calls and failed calls, with a `provider` label (seed 001 §1.2). */
  llmRequests: "llm_requests_total",
  llmRequestErrors: "llm_request_errors_total",
  /** App gauges per `client_id`: tokens used this month and the monthly quota (seed 001 §6.1, `llm_usage`). */
  llmTokensUsed: "llm_client_tokens_used",
  llmTokenQuota: "llm_client_token_quota",
  /** App gauge: open SSE connections per instance (seed 002 "SSE Connection Monitoring"). */
  sseConnections: "sse_active_connections",
  /** kube-state-metrics: Unix time of the CronJob's last successful run. */
  cronJobLastSuccess: "kube_cronjob_status_last_successful_time",
  /** kube-state-metrics: Unix time the CronJob object was created. */
  cronJobCreated: "kube_cronjob_created",
} as const;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MIN_FOR_SECONDS = 60; // POLICIES.md 62: a `for` floor so one bad scrape never pages

/** `HighErrorRate` → `high-error-rate`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

/** `codebook-db-backup` → `CodebookDbBackup`; `LLM` stays `LLM`. */
export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Renders label matchers, e.g. `{job="api",status=~"5.."}`; empty string when there are none. */
export function renderSelector(selector: SeriesSelector, extra: SeriesSelector = {}): string {
  const parts = Object.entries({ ...selector, ...extra }).map(([label, m]) =>
    typeof m === "string" ? `${label}="${escapeLabelValue(m)}"` : `${label}=~"${escapeLabelValue(m.regex)}"`,
  );
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** Human-readable selector for annotations, e.g. `job=api, status=~5..`. */
function describeSelector(selector: SeriesSelector): string {
  const parts = Object.entries(selector).map(([label, m]) =>
    typeof m === "string" ? `${label}=${m}` : `${label}=~${m.regex}`,
  );
  return parts.length === 0 ? "all series" : parts.join(", ");
}

/** `0.05` → `5%`. */
function percent(ratio: number): string {
  return `${parseFloat((ratio * 100).toPrecision(6))}%`;
}

/** A duration as text: `5m`, `30d`, or `0.5s` for sub-second thresholds. */
function durationText(d: Duration): string {
  const s = d.toSeconds();
  return Number.isInteger(s) ? d.toPrometheus() : `${s}s`;
}

function validateSelector(field: string, selector: SeriesSelector, problems: string[]): void {
  for (const [label, m] of Object.entries(selector)) {
    if (!LABEL_NAME.test(label) || label.startsWith("__")) {
      problems.push(`\`${field}\` label "${label}" is not a valid Prometheus label name; use letters, digits and underscores, not starting with a digit or "__"`);
    }
    const value = typeof m === "string" ? m : m.regex;
    if (value.length === 0) {
      problems.push(`\`${field}.${label}\` is empty; give the label's value (an empty matcher selects series WITHOUT the label)`);
    }
    if (value.includes("{{")) {
      problems.push(`\`${field}.${label}\` contains "{{"; selector values appear in annotation templates, remove the braces`);
    }
    if (typeof m !== "string") {
      try {
        new RegExp(m.regex);
      } catch {
        problems.push(`\`${field}.${label}.regex\` is not a valid regular expression: "${m.regex}"`);
      }
    }
  }
}

/** A builder's `selector`: valid, and naming at least one label so it watches one product. */
function checkServiceSelector(selector: SeriesSelector, problems: string[]): void {
  validateSelector("selector", selector, problems);
  requireNonEmptySelector("selector", selector, problems);
}

function requireNonEmptySelector(field: string, selector: SeriesSelector, problems: string[]): void {
  if (Object.keys(selector).length === 0) {
    problems.push(`\`${field}\` must name at least one label (e.g. \`{ job: "codebook-api" }\`) so the alert watches this product, not every series in the cluster`);
  }
}

function checkRatio(field: string, value: number, problems: string[]): void {
  if (!(value > 0 && value < 1)) {
    problems.push(`\`${field}\` must be a ratio between 0 and 1 exclusive (e.g. 0.05 for 5 %), got ${value}`);
  }
}

function checkPositive(field: string, value: number, problems: string[]): void {
  if (!(Number.isFinite(value) && value > 0)) {
    problems.push(`\`${field}\` must be a positive number, got ${value}`);
  }
}

function checkPositiveDuration(field: string, value: Duration, problems: string[]): void {
  if (!(value.toSeconds() > 0)) {
    problems.push(`\`${field}\` must be longer than 0s, got ${durationText(value)}`);
  }
}

function checkWholeSeconds(field: string, value: Duration, problems: string[]): void {
  if (!Number.isInteger(value.toSeconds())) {
    problems.push(`\`${field}\` must be a whole number of seconds for Prometheus, got ${value.toSeconds()}s`);
  }
}

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
 * Checks one alert (POLICIES.md 60–63) and returns its problems; empty when valid. Pure: no
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
    problems.push(`${who}: \`severity\` must be one of ${SEVERITIES.join(", ")}, got "${spec.severity}"; pick the routing tier (critical pages, warning goes to chat)`);
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

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

interface Tier<T> {
  readonly threshold: T;
  readonly for: Duration;
}

/** A builder's defaults: its default severity and thresholds per severity the seeds name. */
interface BuilderDefaults<T> {
  readonly name: string;
  readonly severity: Severity;
  readonly tiers: Partial<Record<Severity, Tier<T>>>;
}

/**
 * The severity a builder uses (the caller's or its default) and that severity's threshold and
 * `for`; severities without a seed tier use the default severity's.
 */
function tierFor<T>(defaults: BuilderDefaults<T>, opts: AlertOptions): { severity: Severity; tier: Tier<T> } {
  const severity = opts.severity ?? defaults.severity;
  return { severity, tier: defaults.tiers[severity] ?? (defaults.tiers[defaults.severity] as Tier<T>) };
}

interface SpecParts {
  readonly builder: string;
  /** @default the defaults' name */
  readonly defaultName?: string;
  readonly severity: Severity;
  readonly expr: string;
  readonly summary: string;
  readonly description: string;
  readonly problems: string[];
}

/**
 * Assembles and validates a builder's spec; throws a `ValidationError` with every problem. The
 * name gets the severity appended when it is not the builder's default; `for` is the caller's or
 * the tier's.
 */
function buildSpec<T>(opts: AlertOptions, defaults: BuilderDefaults<T>, tier: Tier<T>, parts: SpecParts): AlertSpec {
  const defaultName = parts.defaultName ?? defaults.name;
  const name = opts.name ?? (parts.severity === defaults.severity ? defaultName : `${defaultName}${pascalCase(parts.severity)}`);
  const base = (opts.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL).replace(/\/+$/, "");
  const spec: AlertSpec = {
    name,
    expr: parts.expr,
    for: opts.for ?? tier.for,
    severity: parts.severity,
    summary: parts.summary,
    description: parts.description,
    runbookUrl: runbookUrl(base, name),
    ...(opts.labels && Object.keys(opts.labels).length > 0 ? { labels: { ...opts.labels } } : {}),
  };
  throwIfInvalid(`alerts.${parts.builder}`, name, [...parts.problems, ...validateAlertSpec(spec)]);
  return spec;
}

// --- error rate ------------------------------------------------------------------------------

/** Options of `errorRate`. */
export interface ErrorRateOptions extends AlertOptions {
  /** The service's request series. @example { job: "codebook-api" } */
  readonly selector: SeriesSelector;
  /** Ratio of 5xx responses to all responses above which the alert fires. @default 0.05 (critical), 0.02 (warning) */
  readonly threshold?: number;
}

/** Defaults of `errorRate`. */
export const ERROR_RATE_DEFAULTS: BuilderDefaults<number> = {
  name: "HighErrorRate",
  severity: "critical",
  tiers: {
    // seed 001 §1.4 critical "Error rate > 5% for 5 minutes"; seed 002 "> 5%"; seed 004 "> 5%" "5m"
    critical: { threshold: 0.05, for: Duration.minutes(5) },
    // seed 001 §1.4 warning "Error rate > 2% for 10 minutes"
    warning: { threshold: 0.02, for: Duration.minutes(10) },
  },
};

/**
 * Share of 5xx responses: `sum(rate(http_requests_total{<selector>,status=~"5.."}[5m])) /
 * sum(rate(http_requests_total{<selector>}[5m])) > threshold`. Reads the counter
 * `http_requests_total` with a `status` label (seed 001 §1.4 example).
 */
export function errorRate(opts: ErrorRateOptions): AlertSpec {
  const { severity, tier } = tierFor(ERROR_RATE_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkRatio("threshold", threshold, problems);
  const errors = `${METRICS.httpRequests}${renderSelector(opts.selector, { status: { regex: "5.." } })}`;
  const all = `${METRICS.httpRequests}${renderSelector(opts.selector)}`;
  return buildSpec(opts, ERROR_RATE_DEFAULTS, tier, {
    builder: "errorRate",
    severity,
    expr: `sum(rate(${errors}[${RATE_WINDOW}])) / sum(rate(${all}[${RATE_WINDOW}])) > ${threshold}`,
    summary: `5xx error rate above ${percent(threshold)} (${describeSelector(opts.selector)})`,
    description: `{{ $value | humanizePercentage }} of requests to ${describeSelector(opts.selector)} failed with a 5xx status over the last ${RATE_WINDOW} (threshold ${percent(threshold)}).`,
    problems,
  });
}

// --- latency ---------------------------------------------------------------------------------

/** Options of `latencyP95`. */
export interface LatencyP95Options extends AlertOptions {
  /** The service's request-duration histogram series. @example { job: "chat-api" } */
  readonly selector: SeriesSelector;
  /** p95 latency above which the alert fires. @default Duration.seconds(5) */
  readonly threshold?: Duration;
}

/** Defaults of `latencyP95`: seed 001 §1.4 "API latency p95 > 5 seconds for 5 minutes" (critical). */
export const LATENCY_P95_DEFAULTS: BuilderDefaults<Duration> = {
  name: "HighLatencyP95",
  severity: "critical",
  tiers: { critical: { threshold: Duration.seconds(5), for: Duration.minutes(5) } },
};

/**
 * 95th percentile request latency: `histogram_quantile(0.95, sum by (le)
 * (rate(http_request_duration_seconds_bucket{<selector>}[5m]))) > threshold-in-seconds`.
 * Products: codebook 5 s (seed 001 §1.4), chat-api 10 s (seed 002), ARA 2 s for 5 m (seed 004).
 */
export function latencyP95(opts: LatencyP95Options): AlertSpec {
  const { severity, tier } = tierFor(LATENCY_P95_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkPositiveDuration("threshold", threshold, problems);
  const buckets = `${METRICS.httpDurationBucket}${renderSelector(opts.selector)}`;
  return buildSpec(opts, LATENCY_P95_DEFAULTS, tier, {
    builder: "latencyP95",
    severity,
    expr: `histogram_quantile(0.95, sum by (le) (rate(${buckets}[${RATE_WINDOW}]))) > ${threshold.toSeconds()}`,
    summary: `p95 latency above ${durationText(threshold)} (${describeSelector(opts.selector)})`,
    description: `The 95th percentile latency of ${describeSelector(opts.selector)} is {{ $value | humanizeDuration }} (threshold ${durationText(threshold)}).`,
    problems,
  });
}

// --- database --------------------------------------------------------------------------------

/** Options of `dbConnectionsHigh`. */
export interface DbConnectionsOptions extends AlertOptions {
  /** The postgres_exporter series of the product's database. @example { job: "voyager-postgres" } */
  readonly selector: SeriesSelector;
  /** Share of `max_connections` in use above which the alert fires. @default 0.8 */
  readonly ratio?: number;
}

/** Defaults of `dbConnectionsHigh`: seed 003 "Connection pool exhaustion (>80%)", seed 004 "db_connections > 80%" "2m". */
export const DB_CONNECTIONS_DEFAULTS: BuilderDefaults<number> = {
  name: "DatabaseConnectionsHigh",
  severity: "warning", // seed 003: e-mail alert; seed 004: action "scale_db", not a page
  tiers: { warning: { threshold: 0.8, for: Duration.minutes(2) } },
};

/**
 * Connections in use against `max_connections`, per database server (postgres_exporter):
 * `sum by (instance) (pg_stat_activity_count{<selector>}) / max by (instance)
 * (pg_settings_max_connections{<selector>}) > ratio`.
 */
export function dbConnectionsHigh(opts: DbConnectionsOptions): AlertSpec {
  const { severity, tier } = tierFor(DB_CONNECTIONS_DEFAULTS, opts);
  const ratio = opts.ratio ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkRatio("ratio", ratio, problems);
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, DB_CONNECTIONS_DEFAULTS, tier, {
    builder: "dbConnectionsHigh",
    severity,
    expr: `sum by (instance) (${METRICS.pgActivity}${sel}) / max by (instance) (${METRICS.pgMaxConnections}${sel}) > ${ratio}`,
    summary: `Database connections above ${percent(ratio)} of max_connections (${describeSelector(opts.selector)})`,
    description: `{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its max_connections (threshold ${percent(ratio)}); check for connection leaks or raise the pool size.`,
    problems,
  });
}

/** Options of `dbPoolExhausted`. */
export interface DbPoolExhaustedOptions extends AlertOptions {
  /** The postgres_exporter series of the product's database. @example { job: "codebook-postgres" } */
  readonly selector: SeriesSelector;
}

/** Defaults of `dbPoolExhausted`: seed 001 §1.4 critical "Database connection pool exhausted". */
export const DB_POOL_EXHAUSTED_DEFAULTS: BuilderDefaults<number> = {
  name: "DatabasePoolExhausted",
  severity: "critical",
  // "exhausted" = every connection the application may open is taken (ratio 1); 2m as seed 004's DB alert
  tiers: { critical: { threshold: 1, for: Duration.minutes(2) } },
};

/**
 * Every connection the application can open is in use: connections against `max_connections`
 * minus `superuser_reserved_connections` (postgres_exporter), `>= 1`.
 */
export function dbPoolExhausted(opts: DbPoolExhaustedOptions): AlertSpec {
  const { severity, tier } = tierFor(DB_POOL_EXHAUSTED_DEFAULTS, opts);
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, DB_POOL_EXHAUSTED_DEFAULTS, tier, {
    builder: "dbPoolExhausted",
    severity,
    expr:
      `sum by (instance) (${METRICS.pgActivity}${sel}) / max by (instance) ` +
      `(${METRICS.pgMaxConnections}${sel} - ${METRICS.pgReservedConnections}${sel}) >= ${tier.threshold}`,
    summary: `Database connection pool exhausted (${describeSelector(opts.selector)})`,
    description: `{{ $labels.instance }} has {{ $value | humanizePercentage }} of its usable connections (max_connections minus superuser_reserved_connections) in use; new connections are refused.`,
    problems,
  });
}

/** Options of `slowQueries`. */
export interface SlowQueriesOptions extends AlertOptions {
  /** The postgres_exporter series of the product's database. @example { job: "voyager-postgres" } */
  readonly selector: SeriesSelector;
  /** Mean execution time per call above which a statement counts as slow. @default Duration.seconds(0.5) */
  readonly threshold?: Duration;
}

/** Defaults of `slowQueries`: seed 003 "Slow queries (>500ms)" (an e-mail alert, so warning). */
export const SLOW_QUERIES_DEFAULTS: BuilderDefaults<Duration> = {
  name: "SlowDatabaseQueries",
  severity: "warning",
  tiers: { warning: { threshold: Duration.seconds(0.5), for: Duration.minutes(10) } },
};

/**
 * Statements whose mean execution time over 5 m exceeds the threshold, per `queryid`
 * (postgres_exporter `stat_statements` collector; needs the `pg_stat_statements` extension):
 * `rate(pg_stat_statements_seconds_total[5m]) / rate(pg_stat_statements_calls_total[5m]) > s`.
 */
export function slowQueries(opts: SlowQueriesOptions): AlertSpec {
  const { severity, tier } = tierFor(SLOW_QUERIES_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkPositiveDuration("threshold", threshold, problems);
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, SLOW_QUERIES_DEFAULTS, tier, {
    builder: "slowQueries",
    severity,
    expr:
      `rate(${METRICS.pgStatementSeconds}${sel}[${RATE_WINDOW}]) / ` +
      `rate(${METRICS.pgStatementCalls}${sel}[${RATE_WINDOW}]) > ${threshold.toSeconds()}`,
    summary: `Database statements slower than ${durationText(threshold)} on average (${describeSelector(opts.selector)})`,
    description: `Query {{ $labels.queryid }} on database {{ $labels.datname }} takes {{ $value | humanizeDuration }} per call on average (threshold ${durationText(threshold)}); run EXPLAIN ANALYZE and add an index.`,
    problems,
  });
}

// --- disk ------------------------------------------------------------------------------------

/** Options of `diskSpaceLow`. */
export interface DiskSpaceOptions extends AlertOptions {
  /** The filesystem or volume series. @example { persistentvolumeclaim: "data-codebook-0" } */
  readonly selector: SeriesSelector;
  /** Free share below which the alert fires. @default 0.1 */
  readonly freeRatio?: number;
  /**
   * `node`: node_exporter filesystems (`node_filesystem_avail_bytes / node_filesystem_size_bytes`);
   * `pvc`: PersistentVolumeClaims (`kubelet_volume_stats_available_bytes / ..._capacity_bytes`).
   * @default "node"
   */
  readonly source?: "node" | "pvc";
}

/** Defaults of `diskSpaceLow`: seed 001 §1.4 critical "Disk space < 10% free". */
export const DISK_SPACE_DEFAULTS: BuilderDefaults<number> = {
  name: "DiskSpaceLow",
  severity: "critical",
  tiers: { critical: { threshold: 0.1, for: Duration.minutes(5) } },
};

/** Free space below a share of the size, for node filesystems or PVCs. */
export function diskSpaceLow(opts: DiskSpaceOptions): AlertSpec {
  const { severity, tier } = tierFor(DISK_SPACE_DEFAULTS, opts);
  const freeRatio = opts.freeRatio ?? tier.threshold;
  const source = opts.source ?? "node";
  const problems: string[] = [];
  validateSelector("selector", opts.selector, problems);
  checkRatio("freeRatio", freeRatio, problems);
  const sel = renderSelector(opts.selector);
  const [avail, size, what] =
    source === "pvc"
      ? [METRICS.pvcAvail, METRICS.pvcCapacity, "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }}"]
      : [METRICS.nodeFsAvail, METRICS.nodeFsSize, "Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }}"];
  return buildSpec(opts, DISK_SPACE_DEFAULTS, tier, {
    builder: "diskSpaceLow",
    defaultName: source === "pvc" ? "PersistentVolumeSpaceLow" : DISK_SPACE_DEFAULTS.name,
    severity,
    expr: `${avail}${sel} / ${size}${sel} < ${freeRatio}`,
    summary: `Less than ${percent(freeRatio)} disk space free (${describeSelector(opts.selector)})`,
    description: `${what} has {{ $value | humanizePercentage }} space left (threshold ${percent(freeRatio)}).`,
    problems,
  });
}

// --- dependencies and certificates ----------------------------------------------------------

/** Options of `dependencyDown`. */
export interface DependencyDownOptions extends AlertOptions {
  /** Display name of the dependency; also names the alert (`<Name>Down`). @example "Supabase" */
  readonly dependency: string;
  /**
   * `probe`: a blackbox_exporter probe (`probe_success == 0`), for external services;
   * `up`: a scraped target (`up == 0`), for the product's own workloads.
   * @default "probe"
   */
  readonly source?: "probe" | "up";
  /**
   * The probe's or target's series.
   * @default { dependency: "<dependency in kebab-case>" } for `probe` (set this label on the
   * Probe's static targets), { job: "<dependency in kebab-case>" } for `up`
   */
  readonly selector?: SeriesSelector;
}

/** Defaults of `dependencyDown`: seed 001 §1.4 critical "Any external service down (Supabase, Pinecone, LLM)". */
export const DEPENDENCY_DOWN_DEFAULTS: BuilderDefaults<number> = {
  name: "Down",
  severity: "critical",
  tiers: { critical: { threshold: 0, for: Duration.minutes(5) } },
};

/** An external dependency failing its probe, or a scrape target down. */
export function dependencyDown(opts: DependencyDownOptions): AlertSpec {
  const { severity, tier } = tierFor(DEPENDENCY_DOWN_DEFAULTS, opts);
  const source = opts.source ?? "probe";
  const slug = kebabCase(pascalCase(opts.dependency));
  const selector = opts.selector ?? (source === "probe" ? { dependency: slug } : { job: slug });
  const problems: string[] = [];
  if (pascalCase(opts.dependency).length === 0) {
    problems.push('`dependency` must contain letters or digits, e.g. "Supabase"');
  }
  validateSelector("selector", selector, problems);
  requireNonEmptySelector("selector", selector, problems);
  const metric = source === "probe" ? METRICS.probeSuccess : METRICS.up;
  return buildSpec(opts, DEPENDENCY_DOWN_DEFAULTS, tier, {
    builder: "dependencyDown",
    defaultName: `${pascalCase(opts.dependency)}${DEPENDENCY_DOWN_DEFAULTS.name}`,
    severity,
    expr: `${metric}${renderSelector(selector)} == 0`,
    summary: `${opts.dependency} is down`,
    description:
      source === "probe"
        ? `The probe of ${opts.dependency} at {{ $labels.instance }} is failing (probe_success = {{ $value }}).`
        : `${opts.dependency} target {{ $labels.instance }} does not answer scrapes (up = {{ $value }}).`,
    problems,
  });
}

/** Options of `tlsCertificateExpiring`. */
export interface TlsCertificateOptions extends AlertOptions {
  /** The blackbox_exporter HTTPS probes to watch. @default {} (every probe this Prometheus sees) */
  readonly selector?: SeriesSelector;
  /** Remaining validity below which the alert fires. @default Duration.days(30) */
  readonly within?: Duration;
}

/** Defaults of `tlsCertificateExpiring`: seed 001 §1.4 warning "SSL certificate expiring within 30 days". */
export const TLS_CERTIFICATE_DEFAULTS: BuilderDefaults<Duration> = {
  name: "TlsCertificateExpiringSoon",
  severity: "warning",
  tiers: { warning: { threshold: Duration.days(30), for: Duration.minutes(10) } },
};

/** `probe_ssl_earliest_cert_expiry{<selector>} - time() < within-in-seconds` (blackbox_exporter). */
export function tlsCertificateExpiring(opts: TlsCertificateOptions = {}): AlertSpec {
  const { severity, tier } = tierFor(TLS_CERTIFICATE_DEFAULTS, opts);
  const within = opts.within ?? tier.threshold;
  const selector = opts.selector ?? {};
  const problems: string[] = [];
  validateSelector("selector", selector, problems);
  checkPositiveDuration("within", within, problems);
  return buildSpec(opts, TLS_CERTIFICATE_DEFAULTS, tier, {
    builder: "tlsCertificateExpiring",
    severity,
    expr: `${METRICS.probeCertExpiry}${renderSelector(selector)} - time() < ${within.toSeconds()}`,
    summary: `TLS certificate expires within ${durationText(within)}`,
    description: `The TLS certificate served at {{ $labels.instance }} expires in {{ $value | humanizeDuration }}; renew it or check cert-manager.`,
    problems,
  });
}

// --- application gauges and counters ----------------------------------------------------------

/** Options of `jobQueueHigh`. */
export interface JobQueueOptions extends AlertOptions {
  /** The service exporting `job_queue_depth`. @example { job: "codebook-api" } */
  readonly selector: SeriesSelector;
  /** Pending jobs above which the alert fires. @default 100 */
  readonly threshold?: number;
}

/** Defaults of `jobQueueHigh`: seed 001 §1.4 warning "Job queue depth > 100". */
export const JOB_QUEUE_DEFAULTS: BuilderDefaults<number> = {
  name: "JobQueueBacklog",
  severity: "warning",
  tiers: { warning: { threshold: 100, for: Duration.minutes(10) } },
};

/** `max(job_queue_depth{<selector>}) > threshold` (max: every replica reports the same table count). */
export function jobQueueHigh(opts: JobQueueOptions): AlertSpec {
  const { severity, tier } = tierFor(JOB_QUEUE_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkPositive("threshold", threshold, problems);
  return buildSpec(opts, JOB_QUEUE_DEFAULTS, tier, {
    builder: "jobQueueHigh",
    severity,
    expr: `max(${METRICS.jobQueueDepth}${renderSelector(opts.selector)}) > ${threshold}`,
    summary: `More than ${threshold} jobs waiting (${describeSelector(opts.selector)})`,
    description: `{{ $value }} jobs are pending in the queue of ${describeSelector(opts.selector)} (threshold ${threshold}); check the workers and the LLM latency.`,
    problems,
  });
}

/** Options of `llmErrorRate`. */
export interface LlmErrorRateOptions extends AlertOptions {
  /** The service exporting the LLM call counters. @example { job: "codebook-api" } */
  readonly selector: SeriesSelector;
  /** Ratio of failed LLM API calls above which the alert fires. @default 0.1 */
  readonly threshold?: number;
}

/** Defaults of `llmErrorRate`: seed 001 §1.4 warning "LLM API error rate > 10% for 10 minutes". */
export const LLM_ERROR_RATE_DEFAULTS: BuilderDefaults<number> = {
  name: "LlmApiErrorRateHigh",
  severity: "warning",
  tiers: { warning: { threshold: 0.1, for: Duration.minutes(10) } },
};

/**
 * Failed LLM API calls per provider: `sum by (provider) (rate(llm_request_errors_total[5m])) /
 * sum by (provider) (rate(llm_requests_total[5m])) > threshold`.
 */
export function llmErrorRate(opts: LlmErrorRateOptions): AlertSpec {
  const { severity, tier } = tierFor(LLM_ERROR_RATE_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkRatio("threshold", threshold, problems);
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, LLM_ERROR_RATE_DEFAULTS, tier, {
    builder: "llmErrorRate",
    severity,
    expr:
      `sum by (provider) (rate(${METRICS.llmRequestErrors}${sel}[${RATE_WINDOW}])) / ` +
      `sum by (provider) (rate(${METRICS.llmRequests}${sel}[${RATE_WINDOW}])) > ${threshold}`,
    summary: `LLM API error rate above ${percent(threshold)} (${describeSelector(opts.selector)})`,
    description: `{{ $value | humanizePercentage }} of calls to LLM provider {{ $labels.provider }} failed over the last ${RATE_WINDOW} (threshold ${percent(threshold)}).`,
    problems,
  });
}

/** Options of `tokenQuota`. */
export interface TokenQuotaOptions extends AlertOptions {
  /** The service exporting the per-client token gauges. @example { job: "codebook-api" } */
  readonly selector: SeriesSelector;
  /** Share of the monthly quota above which the alert fires. @default 0.8 */
  readonly ratio?: number;
}

/** Defaults of `tokenQuota`: seed 001 §1.4 "Client approaching LLM token quota (80%)", §6.1 "exceeds 80% of monthly quota". */
export const TOKEN_QUOTA_DEFAULTS: BuilderDefaults<number> = {
  name: "LlmTokenQuotaNearlyUsed",
  severity: "warning",
  tiers: { warning: { threshold: 0.8, for: Duration.minutes(10) } },
};

/**
 * Clients that used more than the share of their monthly token quota:
 * `max by (client_id) (llm_client_tokens_used) / max by (client_id) (llm_client_token_quota) > ratio`.
 */
export function tokenQuota(opts: TokenQuotaOptions): AlertSpec {
  const { severity, tier } = tierFor(TOKEN_QUOTA_DEFAULTS, opts);
  const ratio = opts.ratio ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkRatio("ratio", ratio, problems);
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, TOKEN_QUOTA_DEFAULTS, tier, {
    builder: "tokenQuota",
    severity,
    expr: `max by (client_id) (${METRICS.llmTokensUsed}${sel}) / max by (client_id) (${METRICS.llmTokenQuota}${sel}) > ${ratio}`,
    summary: `A client used more than ${percent(ratio)} of its LLM token quota`,
    description: `Client {{ $labels.client_id }} has used {{ $value | humanizePercentage }} of its monthly LLM token quota (threshold ${percent(ratio)}).`,
    problems,
  });
}

/** Options of `sseConnections`. */
export interface SseConnectionsOptions extends AlertOptions {
  /** The service exporting `sse_active_connections`. @example { job: "chat-api" } */
  readonly selector: SeriesSelector;
  /** Open connections per instance above which the alert fires. @default 200 (critical), 150 (warning) */
  readonly threshold?: number;
}

/** Defaults of `sseConnections`: seed 002 "SSE Connection Monitoring": warning 150, critical 200 connections. */
export const SSE_CONNECTIONS_DEFAULTS: BuilderDefaults<number> = {
  name: "TooManySseConnections",
  severity: "critical",
  tiers: {
    critical: { threshold: 200, for: Duration.minutes(5) },
    warning: { threshold: 150, for: Duration.minutes(10) },
  },
};

/** `sse_active_connections{<selector>} > threshold`, per instance (seed 002: ~200 per instance). */
export function sseConnections(opts: SseConnectionsOptions): AlertSpec {
  const { severity, tier } = tierFor(SSE_CONNECTIONS_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkPositive("threshold", threshold, problems);
  return buildSpec(opts, SSE_CONNECTIONS_DEFAULTS, tier, {
    builder: "sseConnections",
    severity,
    expr: `${METRICS.sseConnections}${renderSelector(opts.selector)} > ${threshold}`,
    summary: `More than ${threshold} open SSE connections on one instance (${describeSelector(opts.selector)})`,
    description: `{{ $labels.instance }} holds {{ $value }} open SSE connections (threshold ${threshold}); scale out before streams are refused.`,
    problems,
  });
}

// --- backups ---------------------------------------------------------------------------------

/** Options of `backupStale`. */
export interface BackupStaleOptions extends AlertOptions {
  /** Name of the backup CronJob. @example "codebook-db-backup" */
  readonly cronJob: string;
  /** Namespace of the CronJob. @example "codebook" */
  readonly namespace: string;
  /** Recovery point objective: the newest successful backup may be at most this old. @default Duration.hours(24) */
  readonly rpo?: Duration;
  /**
   * The longest gap between two scheduled runs (`cronIntervals(parseCron(schedule)).longest`).
   * The RPO must exceed it by `margin`, or one slow run pages. @default the RPO minus `margin` (no check)
   */
  readonly schedulePeriod?: Duration;
  /**
   * Slack a run gets between its scheduled start and its success before the RPO is at risk:
   * the backup job's 1 h `activeDeadline` (a run that takes its whole deadline still counts)
   * plus one hour for scheduling, image pulls and the upload. @default Duration.hours(2)
   */
  readonly margin?: Duration;
}

/** Defaults of `backupStale`: seed 001 §4.3 "RPO (Recovery Point Objective): 24 hours". */
export const BACKUP_STALE_DEFAULTS: BuilderDefaults<Duration> = {
  name: "BackupStale",
  severity: "critical", // the RPO is breached: a restore now would lose more data than agreed
  tiers: { critical: { threshold: Duration.hours(24), for: Duration.minutes(5) } },
};

/** The default `margin` of `backupStale`: the job's 1 h deadline plus an hour of slack. */
export const BACKUP_STALE_MARGIN = Duration.hours(2);

/**
 * The CronJob's last success is older than the RPO; or it has none yet although the CronJob
 * (kube-state-metrics `kube_cronjob_created`) is older than the RPO, i.e. its first scheduled
 * run has had the whole schedule period plus the margin to succeed:
 * `(time() - last_success > rpo) or ((time() - created > rpo) unless on(cronjob, namespace) last_success)`.
 * A fresh deploy therefore never pages before its first run could have succeeded, and
 * `rpo >= schedulePeriod + margin` (checked) means one slow run never pages either.
 * Named `<CronJob>Stale` (e.g. `CodebookDbBackupStale`) so several backups share a group.
 */
export function backupStale(opts: BackupStaleOptions): AlertSpec {
  const { severity, tier } = tierFor(BACKUP_STALE_DEFAULTS, opts);
  const rpo = opts.rpo ?? tier.threshold;
  const margin = opts.margin ?? BACKUP_STALE_MARGIN;
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.cronJob) || opts.cronJob.length > 52) {
    problems.push(`\`cronJob\` must be the CronJob's name (a DNS label of at most 52 characters), got "${opts.cronJob}"`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.namespace) || opts.namespace.length > 63) {
    problems.push(`\`namespace\` must be the CronJob's namespace (a DNS label), got "${opts.namespace}"`);
  }
  checkPositiveDuration("rpo", rpo, problems);
  checkPositiveDuration("margin", margin, problems);
  if (opts.schedulePeriod !== undefined && opts.schedulePeriod.toSeconds() + margin.toSeconds() > rpo.toSeconds()) {
    problems.push(
      `\`rpo\` (${durationText(rpo)}) must be at least the schedule's longest gap (${durationText(opts.schedulePeriod)}) plus \`margin\` (${durationText(margin)}): otherwise one slow run breaches it and pages; schedule the job more often or raise the RPO`,
    );
  }
  const match = renderSelector({ cronjob: opts.cronJob, namespace: opts.namespace });
  const series = `${METRICS.cronJobLastSuccess}${match}`;
  const created = `${METRICS.cronJobCreated}${match}`;
  const base = pascalCase(opts.cronJob);
  return buildSpec(opts, BACKUP_STALE_DEFAULTS, tier, {
    builder: "backupStale",
    defaultName: /Backup$/.test(base) ? `${base}Stale` : `${base}${BACKUP_STALE_DEFAULTS.name}`,
    severity,
    expr: `(time() - ${series} > ${rpo.toSeconds()}) or ((time() - ${created} > ${rpo.toSeconds()}) unless on(cronjob, namespace) ${series})`,
    summary: `Backup ${opts.namespace}/${opts.cronJob} has not succeeded within its RPO of ${durationText(rpo)}`,
    description: `CronJob ${opts.namespace}/${opts.cronJob} has no successful run for {{ $value | humanizeDuration }} (since its last success, or since it was created when it never succeeded), beyond the RPO of ${durationText(rpo)}.`,
    problems,
  });
}

// --- blackbox probes (issue 9 "Wiring") --------------------------------------------------------

/** Options of `endpointDown`. */
export interface EndpointDownOptions extends AlertOptions {
  /** The health Probe's series; take it from the Probe's owner, never type the job. @example { namespace: "codebook-prod", job: "codebook-api-health" } */
  readonly selector: SeriesSelector;
}

/**
 * Defaults of `endpointDown`: a public health endpoint failing its blackbox probe. seed 002
 * "Incident Response": P1 "Service down, all users affected", response "Immediate" → critical,
 * with the platform's 5 m for critical alerts (seed 001 §1.4).
 */
export const ENDPOINT_DOWN_DEFAULTS: BuilderDefaults<number> = {
  name: "EndpointDown",
  severity: "critical",
  tiers: { critical: { threshold: 0, for: Duration.minutes(5) } },
};

/** `probe_success{<selector>} == 0`: the endpoint's blackbox probe fails (one series per target URL). */
export function endpointDown(opts: EndpointDownOptions): AlertSpec {
  const { severity, tier } = tierFor(ENDPOINT_DOWN_DEFAULTS, opts);
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  return buildSpec(opts, ENDPOINT_DOWN_DEFAULTS, tier, {
    builder: "endpointDown",
    severity,
    expr: `${METRICS.probeSuccess}${renderSelector(opts.selector)} == 0`,
    summary: `Endpoint down (${describeSelector(opts.selector)})`,
    description: `The blackbox probe of {{ $labels.instance }} fails (probe_success = {{ $value }}); the endpoint is unreachable or answers with an error.`,
    problems,
  });
}

/** Options of `probeFailureRate`. */
export interface ProbeFailureRateOptions extends AlertOptions {
  /** The health Probe's series. */
  readonly selector: SeriesSelector;
  /** Share of failed probes over 5 m above which the alert fires. @default 0.05 */
  readonly threshold?: number;
}

/** Defaults of `probeFailureRate`: seed 004 "High Error Rate" `error_rate > 5%` for 5m, measured from outside. */
export const PROBE_FAILURE_RATE_DEFAULTS: BuilderDefaults<number> = {
  name: "ProbeFailureRateHigh",
  severity: "critical",
  tiers: { critical: { threshold: 0.05, for: Duration.minutes(5) } },
};

/**
 * Availability of an app Prometheus cannot scrape (a Vercel app), from its blackbox probe:
 * `1 - avg_over_time(probe_success{<selector>}[5m]) > threshold`.
 */
export function probeFailureRate(opts: ProbeFailureRateOptions): AlertSpec {
  const { severity, tier } = tierFor(PROBE_FAILURE_RATE_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkRatio("threshold", threshold, problems);
  return buildSpec(opts, PROBE_FAILURE_RATE_DEFAULTS, tier, {
    builder: "probeFailureRate",
    severity,
    expr: `1 - avg_over_time(${METRICS.probeSuccess}${renderSelector(opts.selector)}[${RATE_WINDOW}]) > ${threshold}`,
    summary: `More than ${percent(threshold)} of health probes fail (${describeSelector(opts.selector)})`,
    description: `{{ $value | humanizePercentage }} of the blackbox probes of {{ $labels.instance }} failed over the last ${RATE_WINDOW} (threshold ${percent(threshold)}).`,
    problems,
  });
}

/** Options of `probeLatencyHigh`. */
export interface ProbeLatencyOptions extends AlertOptions {
  /** The health Probe's series. */
  readonly selector: SeriesSelector;
  /** 95th percentile of the probe's duration over 5 m above which the alert fires. @default Duration.seconds(2) */
  readonly threshold?: Duration;
}

/** Defaults of `probeLatencyHigh`: seed 004 "High Response Time" `p95_response_time > 2s` for 5m ("investigate": warning). */
export const PROBE_LATENCY_DEFAULTS: BuilderDefaults<Duration> = {
  name: "ProbeLatencyHigh",
  severity: "warning",
  tiers: { warning: { threshold: Duration.seconds(2), for: Duration.minutes(5) } },
};

/** `quantile_over_time(0.95, probe_duration_seconds{<selector>}[5m]) > threshold-in-seconds`. */
export function probeLatencyHigh(opts: ProbeLatencyOptions): AlertSpec {
  const { severity, tier } = tierFor(PROBE_LATENCY_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkPositiveDuration("threshold", threshold, problems);
  return buildSpec(opts, PROBE_LATENCY_DEFAULTS, tier, {
    builder: "probeLatencyHigh",
    severity,
    expr: `quantile_over_time(0.95, ${METRICS.probeDuration}${renderSelector(opts.selector)}[${RATE_WINDOW}]) > ${threshold.toSeconds()}`,
    summary: `p95 probe latency above ${durationText(threshold)} (${describeSelector(opts.selector)})`,
    description: `The 95th percentile response time of {{ $labels.instance }}, measured by the blackbox probe over ${RATE_WINDOW}, is {{ $value | humanizeDuration }} (threshold ${durationText(threshold)}).`,
    problems,
  });
}

/** Options of `securityHeadersMissing`. */
export interface SecurityHeadersOptions extends AlertOptions {
  /** The security-headers Probe's series. */
  readonly selector: SeriesSelector;
}

/** Defaults of `securityHeadersMissing`: seed 004 "Security Headers"; a regression to fix, not a page. */
export const SECURITY_HEADERS_DEFAULTS: BuilderDefaults<number> = {
  name: "SecurityHeadersMissing",
  severity: "warning",
  tiers: { warning: { threshold: 1, for: Duration.minutes(10) } },
};

/**
 * The app answers but a required header is missing or wrong: the probe module's
 * `fail_if_header_not_matches` failed, `probe_failed_due_to_regex{<selector>} == 1`.
 */
export function securityHeadersMissing(opts: SecurityHeadersOptions): AlertSpec {
  const { severity, tier } = tierFor(SECURITY_HEADERS_DEFAULTS, opts);
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  return buildSpec(opts, SECURITY_HEADERS_DEFAULTS, tier, {
    builder: "securityHeadersMissing",
    severity,
    expr: `${METRICS.probeFailedDueToRegex}${renderSelector(opts.selector)} == ${tier.threshold}`,
    summary: `Security headers missing or wrong (${describeSelector(opts.selector)})`,
    description: `{{ $labels.instance }} answers (probe_failed_due_to_regex = {{ $value }}) without one of the required security headers (HSTS with preload, X-Content-Type-Options, X-Frame-Options, Referrer-Policy, CSP) or with a wrong value; check the app's vercel.json "headers".`,
    problems,
  });
}

// --- meta-alerts: the sources themselves ------------------------------------------------------

/** Options of `targetDown` and `targetAbsent`. */
export interface TargetOptions extends AlertOptions {
  /** The scrape job's `up` series; from the ServiceMonitor, Probe or exporter owner. @example { namespace: "codebook-prod", job: "codebook-api" } */
  readonly selector: SeriesSelector;
}

/** Defaults of `targetDown`: a scrape target that stops answering silences every alert on its series, so it pages (5 m, seed 001 §1.4's critical convention). */
export const TARGET_DOWN_DEFAULTS: BuilderDefaults<number> = {
  name: "TargetDown",
  severity: "critical",
  tiers: { critical: { threshold: 0, for: Duration.minutes(5) } },
};

/** `up{<selector>} == 0`: Prometheus scrapes the job's target but gets no answer. */
export function targetDown(opts: TargetOptions): AlertSpec {
  const { severity, tier } = tierFor(TARGET_DOWN_DEFAULTS, opts);
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  return buildSpec(opts, TARGET_DOWN_DEFAULTS, tier, {
    builder: "targetDown",
    severity,
    expr: `${METRICS.up}${renderSelector(opts.selector)} == 0`,
    summary: `Scrape target down (${describeSelector(opts.selector)})`,
    description: `Prometheus cannot scrape {{ $labels.instance }} of ${describeSelector(opts.selector)} (up = {{ $value }}); every alert on its series is blind until it answers.`,
    problems,
  });
}

/** Options of `databaseDown`. */
export interface DatabaseDownOptions extends AlertOptions {
  /** The postgres_exporter's series; from the `PostgresExporter` that owns them. @example { namespace: "codebook-prod", job: "codebook-postgres" } */
  readonly selector: SeriesSelector;
}

/**
 * Defaults of `databaseDown`: the database refuses the exporter's connections (seed 002 "Database
 * Connection Failures", which take the API down) — it pages, after 5 m (seed 001 §1.4's critical
 * convention).
 */
export const DATABASE_DOWN_DEFAULTS: BuilderDefaults<number> = {
  name: "DatabaseDown",
  severity: "critical",
  tiers: { critical: { threshold: 0, for: Duration.minutes(5) } },
};

/**
 * `pg_up{<selector>} == 0`: postgres_exporter answers its scrape (`up` stays 1) but cannot reach the
 * database. Without this a stopped database is silent: its other series (connections, settings)
 * simply vanish.
 */
export function databaseDown(opts: DatabaseDownOptions): AlertSpec {
  const { severity, tier } = tierFor(DATABASE_DOWN_DEFAULTS, opts);
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  return buildSpec(opts, DATABASE_DOWN_DEFAULTS, tier, {
    builder: "databaseDown",
    severity,
    expr: `${METRICS.pgUp}${renderSelector(opts.selector)} == ${tier.threshold}`,
    summary: `Database unreachable (${describeSelector(opts.selector)})`,
    description: `postgres_exporter {{ $labels.instance }} cannot connect to the database of ${describeSelector(opts.selector)} (pg_up = {{ $value }}): check the database's status page and the connection string.`,
    problems,
  });
}

/** Defaults of `targetAbsent`: no target at all (ServiceMonitor or Probe not selected, exporter missing) — as blind as a down target, so it pages too. */
export const TARGET_ABSENT_DEFAULTS: BuilderDefaults<number> = {
  name: "TargetMissing",
  severity: "critical",
  tiers: { critical: { threshold: 1, for: Duration.minutes(10) } },
};

/**
 * `absent(up{<selector>}) == 1`: Prometheus has no target for the job at all. Only equality
 * matchers are allowed, so the alert carries the job's labels.
 */
export function targetAbsent(opts: TargetOptions): AlertSpec {
  const { severity, tier } = tierFor(TARGET_ABSENT_DEFAULTS, opts);
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  for (const [label, m] of Object.entries(opts.selector)) {
    if (typeof m !== "string") problems.push(`\`selector.${label}\` must be an exact value: absent() only carries labels of equality matchers`);
  }
  return buildSpec(opts, TARGET_ABSENT_DEFAULTS, tier, {
    builder: "targetAbsent",
    severity,
    expr: `absent(${METRICS.up}${renderSelector(opts.selector)}) == ${tier.threshold}`,
    summary: `No scrape target for ${describeSelector(opts.selector)}`,
    description: `Prometheus has no target for ${describeSelector(opts.selector)} (absent = {{ $value }}): its ServiceMonitor or Probe is not selected (check the selector labels), or the exporter is gone. Alerts on these series cannot fire.`,
    problems,
  });
}
