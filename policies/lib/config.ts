/**
 * Rule thresholds come from policy config. The engine fills each property's schema `default`
 * before `Configure`; rules still merge their literal defaults so a rule called without the
 * engine (tests, tools) behaves the same.
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

interface ConfigSource {
  getConfig<T extends object>(): T;
}

/** The rule's config: `defaults` with every configured property (other than `undefined`) over it. */
export function readConfig<T extends object>(source: ConfigSource, defaults: T): T {
  const configured = source.getConfig<Partial<T>>();
  const result: T = { ...defaults };
  for (const key of Object.keys(configured) as (keyof T)[]) {
    const value = configured[key];
    if (value !== undefined && value !== null) result[key] = value as T[keyof T];
  }
  return result;
}

/** A string-list property with its documented default. */
export function stringList(description: string, defaultValue: readonly string[]): PolicyConfigJSONSchema {
  return { type: "array", items: { type: "string" }, default: [...defaultValue], description };
}

/** An integer property with its documented default and minimum. */
export function integer(description: string, defaultValue: number, minimum = 0): PolicyConfigJSONSchema {
  return { type: "integer", minimum, default: defaultValue, description };
}

/** A map from bucket name to retention in days (no default: empty). */
export function retentionMap(description: string): PolicyConfigJSONSchema {
  return { type: "object", additionalProperties: { type: "integer", minimum: 1 }, default: {}, description };
}

/** A map of label name to value (Kubernetes labels). */
export function labelMap(description: string, defaultValue: Readonly<Record<string, string>>): PolicyConfigJSONSchema {
  return { type: "object", additionalProperties: { type: "string" }, default: { ...defaultValue }, description };
}
