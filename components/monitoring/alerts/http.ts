/**
 * HTTP service builders, from the application's own Prometheus client (`/metrics`, seed 001 §1.3):
 * 5xx error rate and p95 latency (`http_requests_total`, `http_request_duration_seconds_bucket`),
 * and open SSE connections per instance (`sse_active_connections`).
 */
import { Duration } from "../../values";
import { type AlertSpec, type SeriesSelector, type AlertOptions, RATE_WINDOW, METRICS } from "./types";
import { renderSelector, describeSelector, percent, durationText, checkServiceSelector, checkRatio, checkPositive, checkPositiveDuration } from "./helpers";
import { type BuilderDefaults, tierFor, buildSpec } from "./builder";

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

// --- SSE connections -------------------------------------------------------------------------

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
