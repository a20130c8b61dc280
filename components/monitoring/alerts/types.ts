/**
 * The shared vocabulary of the alert rules: the `AlertSpec`/`AlertGroup` values the builders return,
 * the plain Prometheus shapes they render to, the options every builder takes, the runbook URL
 * convention and the metric names (`METRICS`) the builders read.
 */
import { Duration } from "../../values";

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** The severities Alertmanager routes on (`prometheus-enforce-alert-severity`): pager, chat, nowhere. */
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
  /** postgres_exporter `database` collector: on-disk size of each database (`datname`), in bytes. */
  pgDatabaseSize: "pg_database_size_bytes",
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
  /** Vector `internal_metrics`: errors per component (`component_id`, `component_kind`, `error_type`, `stage`). */
  vectorComponentErrors: "vector_component_errors_total",
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
  /**
   * App gauge (a documented contract, README "Metrics the apps export"): the LLM spend of the
   * current calendar month so far, in US dollars, optionally by `provider`/`model`; reset on the 1st
   * (seed 001 §6.1 "Monthly spend by client and model", "Total monthly spend exceeds budget").
   */
  llmMonthlySpend: "llm_monthly_spend_usd",
  /** App gauge: open SSE connections per instance (seed 002 "SSE Connection Monitoring"). */
  sseConnections: "sse_active_connections",
  /** kube-state-metrics: Unix time of the CronJob's last successful run. */
  cronJobLastSuccess: "kube_cronjob_status_last_successful_time",
  /** kube-state-metrics: Unix time the CronJob object was created. */
  cronJobCreated: "kube_cronjob_created",
  /** kube-state-metrics: Unix time a Job started and completed (`job_name`); completion only once it succeeded. */
  jobStartTime: "kube_job_status_start_time",
  jobCompletionTime: "kube_job_status_completion_time",
  /** kube-state-metrics: pods of a Job that are running now. */
  jobActive: "kube_job_status_active",
  /** kube-state-metrics: the Job's owner (`owner_kind`, `owner_name`): for a CronJob's runs, the CronJob. */
  jobOwner: "kube_job_owner",
  /** kube-state-metrics: Unix time the CronJob last started a Job. */
  cronJobLastSchedule: "kube_cronjob_status_last_schedule_time",
  /** kube-state-metrics: number of the CronJob's Jobs running now. */
  cronJobActive: "kube_cronjob_status_active",
} as const;
