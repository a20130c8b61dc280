/**
 * The log pipeline's own alert: an agent's sink failing to write (Vector's `internal_metrics`,
 * exported by its `prometheus_exporter` sink: `vector_component_errors_total{component_id,
 * component_kind, component_type, error_type, stage}`, https://vector.dev/docs/reference/configuration/sources/internal_metrics/).
 * Its scrape target down or missing is `targetDown` / `targetAbsent` (targets.ts).
 */
import { Duration } from "../../values";
import { type AlertSpec, type SeriesSelector, type AlertOptions, RATE_WINDOW, METRICS } from "./types";
import { renderSelector, describeSelector, checkServiceSelector } from "./helpers";
import { type BuilderDefaults, tierFor, buildSpec } from "./builder";

/** Options of `logShippingFailing`. */
export interface LogShippingOptions extends AlertOptions {
  /** The agent's scrape job. @example { namespace: "logging", job: "vector-agent-metrics" } */
  readonly selector: SeriesSelector;
}

/**
 * Defaults of `logShippingFailing`: a sink that keeps failing for 15 minutes (Vector retries each
 * request; a short outage of the bucket's API retries through) is filling its buffer, and once the
 * buffer is full the agent stops reading the node's log files, which the kubelet rotates away.
 * Warning: logs are at risk, not yet lost; no seed names a threshold.
 */
export const LOG_SHIPPING_DEFAULTS: BuilderDefaults<number> = {
  name: "LogShippingFailing",
  severity: "warning",
  tiers: { warning: { threshold: 0, for: Duration.minutes(15) } },
};

/** `sum by (component_id) (rate(vector_component_errors_total{<selector>,component_kind="sink"}[5m])) > 0`. */
export function logShippingFailing(opts: LogShippingOptions): AlertSpec {
  const { severity, tier } = tierFor(LOG_SHIPPING_DEFAULTS, opts);
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  return buildSpec(opts, LOG_SHIPPING_DEFAULTS, tier, {
    builder: "logShippingFailing",
    severity,
    expr: `sum by (component_id) (rate(${METRICS.vectorComponentErrors}${renderSelector(opts.selector, { component_kind: "sink" })}[${RATE_WINDOW}])) > ${tier.threshold}`,
    summary: `Log sink {{ $labels.component_id }} failing (${describeSelector(opts.selector)})`,
    description: `Vector's log sink {{ $labels.component_id }} (${describeSelector(opts.selector)}) fails {{ $value | printf "%.2f" }} times a second; its logs are buffered and, once the buffer is full, no longer taken in (the agent stops reading the nodes' files; the Vercel drains' aggregator stops accepting deliveries).`,
    problems,
  });
}
