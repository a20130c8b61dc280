/**
 * Shapes shared by the two offline ways of running this pack (`in-process.ts`, `engine.ts`).
 */
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";

/** A resource as the engine describes it to an analyzer. */
export interface TestResource {
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
  readonly type: string;
  /** Pulumi resource name. */
  readonly name: string;
  /** Inputs (Analyze) or outputs (AnalyzeStack); unknowns as the proxy sentinels (`UNKNOWN_STRING`). */
  readonly props: Record<string, unknown>;
  /** @default `urn:pulumi:<stack>::<project>::<type>::<name>` */
  readonly urn?: string;
  /** @default false */
  readonly protect?: boolean;
  /** Parent URN. */
  readonly parent?: string;
  /** URNs this resource depends on. */
  readonly dependencies?: readonly string[];
  /** Per input property, the URNs its value came from. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  /** The resource's provider. */
  readonly provider?: { readonly type: string; readonly name: string; readonly urn: string; readonly props: Record<string, unknown> };
}

/** How a run is configured, as `pulumi preview --policy-pack ... --policy-pack-config` plus stack tags. */
export interface RunOptions {
  /** Stack tags (delivered by `ConfigureStack`), e.g. `{ environment: "prod" }`. */
  readonly stackTags?: Readonly<Record<string, string>>;
  /** Policy pack config as in a `--policy-pack-config` file (level string or object per rule, or `all`). */
  readonly config?: PolicyPackConfig;
}

/** One reported violation, in the engine's terms. */
export interface Violation {
  readonly policyName: string;
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly urn?: string;
}

export interface NotApplicable {
  readonly policyName: string;
  readonly reason?: string;
}

export interface AnalysisResult {
  readonly violations: readonly Violation[];
  readonly notApplicable: readonly NotApplicable[];
}

export const TEST_STACK = "test";
export const TEST_PROJECT = "app-platform";

/** The URN the engine would give a top-level resource. */
export function urnOf(r: Pick<TestResource, "type" | "name" | "urn">, stack = TEST_STACK, project = TEST_PROJECT): string {
  return r.urn ?? `urn:pulumi:${stack}::${project}::${r.type}::${r.name}`;
}

/** Unknown-value sentinels as the engine marshals them (same values as `@pulumi/policy`'s proxy). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421";
export const UNKNOWN_BOOLEAN = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
export const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
export const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";

/** A secret value as the engine marshals it (policies receive the plaintext). */
export function secretValue(value: unknown): Record<string, unknown> {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}
