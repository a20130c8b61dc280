/**
 * Small pure helpers the validation and the builders share: name casing, label selectors (render,
 * describe, validate) and the option checks that collect problems. The private ones of the former
 * alerts.ts are exported for the sibling modules only; index.ts does not re-export them.
 */
import { Duration } from "../../values";
import type { SeriesSelector } from "./types";

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

export const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const MIN_FOR_SECONDS = 60; // `prometheus-configure-alert-for-duration`: a `for` floor so one bad scrape never pages

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
export function describeSelector(selector: SeriesSelector): string {
  const parts = Object.entries(selector).map(([label, m]) => (typeof m === "string" ? `${label}=${m}` : `${label}=~${m.regex}`));
  return parts.length === 0 ? "all series" : parts.join(", ");
}

/** `0.05` → `5%`. */
export function percent(ratio: number): string {
  return `${parseFloat((ratio * 100).toPrecision(6))}%`;
}

/** A duration as text: `5m`, `30d`, or `0.5s` for sub-second thresholds. */
export function durationText(d: Duration): string {
  const s = d.toSeconds();
  return Number.isInteger(s) ? d.toPrometheus() : `${s}s`;
}

export function validateSelector(field: string, selector: SeriesSelector, problems: string[]): void {
  for (const [label, m] of Object.entries(selector)) {
    if (!LABEL_NAME.test(label) || label.startsWith("__")) {
      problems.push(
        `\`${field}\` label "${label}" is not a valid Prometheus label name; use letters, digits and underscores, not starting with a digit or "__"`,
      );
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
export function checkServiceSelector(selector: SeriesSelector, problems: string[]): void {
  validateSelector("selector", selector, problems);
  requireNonEmptySelector("selector", selector, problems);
}

export function requireNonEmptySelector(field: string, selector: SeriesSelector, problems: string[]): void {
  if (Object.keys(selector).length === 0) {
    problems.push(
      `\`${field}\` must name at least one label (e.g. \`{ job: "codebook-api" }\`) so the alert watches this product, not every series in the cluster`,
    );
  }
}

export function checkRatio(field: string, value: number, problems: string[]): void {
  if (!(value > 0 && value < 1)) {
    problems.push(`\`${field}\` must be a ratio between 0 and 1 exclusive (e.g. 0.05 for 5 %), got ${value}`);
  }
}

export function checkPositive(field: string, value: number, problems: string[]): void {
  if (!(Number.isFinite(value) && value > 0)) {
    problems.push(`\`${field}\` must be a positive number, got ${value}`);
  }
}

export function checkPositiveDuration(field: string, value: Duration, problems: string[]): void {
  if (!(value.toSeconds() > 0)) {
    problems.push(`\`${field}\` must be longer than 0s, got ${durationText(value)}`);
  }
}

export function checkWholeSeconds(field: string, value: Duration, problems: string[]): void {
  if (!Number.isInteger(value.toSeconds())) {
    problems.push(`\`${field}\` must be a whole number of seconds for Prometheus, got ${value.toSeconds()}s`);
  }
}
