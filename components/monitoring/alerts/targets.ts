/**
 * Meta-alerts on the metric sources themselves: a scrape target that is down or missing leaves
 * every alert on its series blind. (`databaseDown`, the postgres_exporter's database being
 * unreachable, lives with the other database alerts in database.ts.)
 */
import { Duration } from "../../values";
import { type AlertSpec, type SeriesSelector, type AlertOptions, METRICS } from "./types";
import { renderSelector, describeSelector, checkServiceSelector } from "./helpers";
import { type BuilderDefaults, tierFor, buildSpec } from "./builder";

// --- meta-alerts: the sources themselves ------------------------------------------------------

/** Options of `targetDown` and `targetAbsent`. */
export interface TargetOptions extends AlertOptions {
  /** The scrape job's `up` series; from the ServiceMonitor, Probe or exporter owner. @example { namespace: "codebook-prod", job: "codebook-api" } */
  readonly selector: SeriesSelector;
}

/** Defaults of `targetDown`: a scrape target that stops answering silences every alert on its series, so it pages (5 m, seed 001 §1.4's critical convention). */
export const TARGET_DOWN_DEFAULTS: BuilderDefaults<number> = {
  name: "ScrapeTargetDown",
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
