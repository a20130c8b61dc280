/**
 * Safe reads of resource properties. During `pulumi preview` some inputs are unknown; the engine's
 * proxy (`unknownCheckingProxy`) throws `UnknownValueError` when a rule touches one, and the
 * server then reports "can't run policy during preview" (advisory) for the whole rule. Stack
 * rules read through `known()` instead so one unknown bucket name does not hide every finding.
 */
// The module that defines the class (the package index re-exports it): the index would load the
// whole policy server and Pulumi SDK into everything that reads values, such as the plan's CLI.
import * as proxy from "@pulumi/policy/proxy";

/** `@pulumi/policy` exports this class at runtime; its 1.21 typings omit it. */
const UnknownValueError = (proxy as unknown as { UnknownValueError: new (...args: unknown[]) => Error }).UnknownValueError;

/** Marks a value that is unknown during preview. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

/** Whether `e` is the proxy's "unknown during preview" error. */
export function isUnknownError(e: unknown): boolean {
  return e instanceof UnknownValueError;
}

/** Runs `read`; returns `UNKNOWN` instead of throwing when it touches an unknown value. */
export function known<T>(read: () => T): T | Unknown {
  try {
    return read();
  } catch (e) {
    if (isUnknownError(e)) return UNKNOWN;
    throw e;
  }
}

/** A known string, or undefined (absent, unknown or another type). */
export function str(read: () => unknown): string | undefined {
  const v = known(read);
  return typeof v === "string" ? v : undefined;
}

/** A plain object or an empty one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a resource's planned inputs, any shape
export function obj(value: unknown): Record<string, any> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, any>) : {}; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** An array or an empty one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a resource's planned inputs, any shape
export function list<T = any>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** Walks every string leaf of a value, with its dotted path. Unknown leaves are skipped. */
export function forEachString(value: unknown, visit: (s: string, path: string) => void, path = ""): void {
  const v = known(() => value);
  if (v === UNKNOWN) return;
  if (typeof v === "string") {
    visit(v, path);
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item = known(() => v[i]);
      if (item !== UNKNOWN) forEachString(item, visit, `${path}[${i}]`);
    }
  } else if (v !== null && typeof v === "object") {
    for (const key of Object.keys(v)) {
      const item = known(() => (v as Record<string, unknown>)[key]);
      if (item !== UNKNOWN) forEachString(item, visit, path ? `${path}.${key}` : key);
    }
  }
}

/** JSON with object keys sorted, to compare two values structurally. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}
