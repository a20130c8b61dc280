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
 *
 * Layout: shared pieces in types.ts (specs, options, `METRICS`), helpers.ts, validation.ts,
 * render.ts and builder.ts; the builders by area in http.ts (error rate, latency, SSE
 * connections), database.ts, disk.ts, probes.ts (dependencies, TLS, endpoints, security headers),
 * jobs.ts (job queue, backups), llm.ts (LLM errors, token quota) and targets.ts (scrape targets
 * down or missing). This file only re-exports the public API.
 */
export { SEVERITIES, DEFAULT_RUNBOOK_BASE_URL, runbookUrl, RATE_WINDOW, METRICS } from "./types";
export type { Severity, AlertSpec, AlertGroup, PrometheusAlertingRule, PrometheusRuleGroup, RegexMatcher, SeriesSelector, AlertOptions } from "./types";
export { kebabCase, pascalCase, renderSelector } from "./helpers";
export { validateAlertSpec, validateAlertGroups } from "./validation";
export { toPrometheusRule, toPrometheusRuleGroups, renderRuleFile } from "./render";
export type { RenderOptions } from "./render";
// The area modules export only public builders, their options and defaults.
export * from "./http";
export * from "./database";
export * from "./disk";
export * from "./probes";
export * from "./jobs";
export * from "./llm";
export * from "./targets";
export * from "./logs";
