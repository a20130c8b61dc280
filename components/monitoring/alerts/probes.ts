/**
 * blackbox_exporter probe builders: external dependencies down, TLS certificates expiring, public
 * endpoints down, slow or failing, and security headers missing (`probe_success`,
 * `probe_ssl_earliest_cert_expiry`, `probe_duration_seconds`, `probe_failed_due_to_regex`).
 */
import { Duration } from "../../values";
import { type AlertSpec, type SeriesSelector, type AlertOptions, RATE_WINDOW, METRICS } from "./types";
import {
  kebabCase,
  pascalCase,
  renderSelector,
  describeSelector,
  percent,
  durationText,
  validateSelector,
  checkServiceSelector,
  requireNonEmptySelector,
  checkRatio,
  checkPositiveDuration,
} from "./helpers";
import { type BuilderDefaults, tierFor, buildSpec } from "./builder";

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

/**
 * Defaults of `dependencyDown`: seed 001 §1.4 "Any external service down (Supabase, Pinecone,
 * LLM)", at warning rather than the seed's critical. The probe reads the vendor's status page
 * (the component we use): the vendor already knows and is on it, and our own symptoms
 * (error rate, latency, endpoint down) page when users are affected; a status-page component
 * going non-operational (degraded performance included) tells the team, it does not wake anyone.
 */
export const DEPENDENCY_DOWN_DEFAULTS: BuilderDefaults<number> = {
  name: "Down",
  severity: "warning",
  tiers: { warning: { threshold: 0, for: Duration.minutes(5) } },
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
  /** Remaining validity below which the alert fires: renewal has been failing. @default Duration.days(10) */
  readonly within?: Duration;
}

/**
 * Seed 001 §1.4's warning line, "SSL certificate expiring within 30 days": drawn on the dashboard's
 * certificate panel, not alerted on. From 2027-02-10 Let's Encrypt's default ("classic") profile
 * issues 64-day certificates (45-day from 2028-02-16; letsencrypt.org/2025/12/02/from-90-to-45),
 * and cert-manager renews when a third of the lifetime is left (its default `renewBefore`): about
 * 21 days, then 15. Under 30 days is then every certificate's normal state for part of each cycle.
 */
export const TLS_CERTIFICATE_DASHBOARD_WARNING: Duration = Duration.days(30);

/**
 * Defaults of `tlsCertificateExpiring`: the alert means "renewal is failing". Under 10 days left,
 * cert-manager has been failing to renew for 11 days (64-day certificates) or 5 days (45-day),
 * with 10 days still left to fix it. Warning, as seed 001 §1.4 has it.
 */
export const TLS_CERTIFICATE_DEFAULTS: BuilderDefaults<Duration> = {
  name: "TlsCertificateExpiringSoon",
  severity: "warning",
  tiers: { warning: { threshold: Duration.days(10), for: Duration.minutes(10) } },
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
    summary: `TLS certificate expires within ${durationText(within)}; its renewal is failing`,
    description:
      "The TLS certificate served at {{ $labels.instance }} expires in {{ $value | humanizeDuration }}; cert-manager renews a third of the lifetime " +
      "before expiry (21 days for a 64-day certificate), so its renewal has been failing for days. Check the Certificate, its CertificateRequest and Order (kubectl describe).",
    problems,
  });
}

// --- blackbox probes ----------------------------------------------------------------------------

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
 * The app answers but a header the stack set on it is missing or different: the probe module's
 * `fail_if_header_not_matches` (exactly the values set) failed, `probe_failed_due_to_regex{<selector>} == 1`.
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
    description: `{{ $labels.instance }} answers (probe_failed_due_to_regex = {{ $value }}) without one of the security headers the stack sets on the app (its vercel.ProjectRoute "app-platform response headers") or with another value; check the project's routing rules and what the app's own config or middleware overwrites.`,
    problems,
  });
}
