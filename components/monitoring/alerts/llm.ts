/**
 * LLM builders, from the application's LLM call counters and per-client token gauges: the error
 * rate of LLM API calls per provider and clients nearing their monthly token quota.
 */
import { Duration } from "../../values";
import { type AlertSpec, type SeriesSelector, type AlertOptions, RATE_WINDOW, METRICS } from "./types";
import { renderSelector, describeSelector, percent, checkServiceSelector, checkRatio } from "./helpers";
import { type BuilderDefaults, tierFor, buildSpec } from "./builder";

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

/** Options of `llmSpendOverBudget`. */
export interface LlmSpendOptions extends AlertOptions {
  /** The service exporting `llm_monthly_spend_usd`. @example { namespace: "codebook-prod", job: "codebook-api" } */
  readonly selector: SeriesSelector;
  /** The product's monthly LLM budget in US dollars (a product config key). */
  readonly monthlyBudgetUsd: number;
  /** Share of the budget above which the alert fires. @default 1 (seed 001 §6.1 "exceeds budget") */
  readonly ratio?: number;
}

/** Defaults of `llmSpendOverBudget`: seed 001 §6.1 "Total monthly spend exceeds budget"; seed 000 "Set usage alerts". */
export const LLM_SPEND_DEFAULTS: BuilderDefaults<number> = {
  name: "LlmMonthlySpendOverBudget",
  severity: "warning",
  tiers: { warning: { threshold: 1, for: Duration.minutes(10) } },
};

/**
 * The month's LLM spend so far, over every provider and model, above the budget:
 * `sum(max by (provider, model) (llm_monthly_spend_usd{<selector>})) > budget * ratio`
 * (`max by` first: every replica reports the same month-to-date total from the usage table).
 */
export function llmSpendOverBudget(opts: LlmSpendOptions): AlertSpec {
  const { severity, tier } = tierFor(LLM_SPEND_DEFAULTS, opts);
  const ratio = opts.ratio ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  if (!(ratio > 0 && ratio <= 2)) problems.push(`\`ratio\` must be above 0 and at most 2 (a share of the budget), got ${ratio}`);
  if (!(Number.isFinite(opts.monthlyBudgetUsd) && opts.monthlyBudgetUsd > 0)) {
    problems.push(`\`monthlyBudgetUsd\` must be a positive number of US dollars, got ${opts.monthlyBudgetUsd}`);
  }
  const limit = Math.round(opts.monthlyBudgetUsd * ratio * 100) / 100;
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, LLM_SPEND_DEFAULTS, tier, {
    builder: "llmSpendOverBudget",
    severity,
    expr: `sum(max by (provider, model) (${METRICS.llmMonthlySpend}${sel})) > ${limit}`,
    summary: `LLM spend this month above ${ratio === 1 ? "" : `${percent(ratio)} of `}the $${opts.monthlyBudgetUsd} budget (${describeSelector(opts.selector)})`,
    description: `${describeSelector(opts.selector)} has spent \${{ $value | printf "%.2f" }} on LLM calls this month (threshold $${limit}); check the most expensive operations and clients, or raise the budget.`,
    problems,
  });
}
