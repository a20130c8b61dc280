/**
 * The machinery every builder shares: per-severity defaults (`BuilderDefaults`), picking the tier
 * for the caller's severity, and assembling and validating the `AlertSpec` (`buildSpec`). The area
 * modules (http, database, disk, probes, jobs, llm, targets) hold the builders themselves.
 */
import { throwIfInvalid } from "../../context";
import { Duration } from "../../values";
import { type Severity, type AlertSpec, type AlertOptions, DEFAULT_RUNBOOK_BASE_URL, runbookUrl } from "./types";
import { pascalCase } from "./helpers";
import { validateAlertSpec } from "./validation";

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

interface Tier<T> {
  readonly threshold: T;
  readonly for: Duration;
}

/** A builder's defaults: its default severity and thresholds per severity the seeds name. */
export interface BuilderDefaults<T> {
  readonly name: string;
  readonly severity: Severity;
  readonly tiers: Partial<Record<Severity, Tier<T>>>;
}

/**
 * The severity a builder uses (the caller's or its default) and that severity's threshold and
 * `for`; severities without a seed tier use the default severity's.
 */
export function tierFor<T>(defaults: BuilderDefaults<T>, opts: AlertOptions): { severity: Severity; tier: Tier<T> } {
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
export function buildSpec<T>(opts: AlertOptions, defaults: BuilderDefaults<T>, tier: Tier<T>, parts: SpecParts): AlertSpec {
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
