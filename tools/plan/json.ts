/**
 * The plan document (`plan/<stack>.json`): every resource the program registered — URN, type,
 * parent, provider, inputs, protect flag — plus the stack outputs, the policy results and the
 * secret-flow findings. It is the basis for diffs, so it is deterministic: resources sorted by
 * URN, object keys sorted, no times, no paths of the machine it ran on.
 *
 * Values are the wire values made readable:
 * - a secret becomes `"[secret]"`; the resource's `secrets` map keeps, per secret path, a short
 *   digest of the value so a diff can say "changed" or "unchanged" without showing it (the plan
 *   never holds a real secret: secret config values are placeholders, see offline-stack.ts);
 * - a value only known after `up` (the engine's unknown sentinel) becomes `"[unknown]"`;
 * - a resource reference becomes `{ "[resource]": "<urn>" }`;
 * - any placeholder that leaked into a plain value is redacted to `[secret]` as well (the leak
 *   itself is reported under `secretFlow`).
 */
import { createHash } from "node:crypto";
import { isResourceReference, isSecret, isUnknown, plain, resourceUrn, ROOT_STACK_TYPE, type RegisteredResource, type RunResult } from "../engine/harness";
import type { PolicyResults } from "./policy";
import { providerUrn } from "./policy";
import type { Redactor, SecretFlowFinding } from "./secret-flow";
import type { DeadAlertFinding } from "./alert-sources";

export const PLAN_FORMAT = "app-platform-plan/1";
export const SECRET = "[secret]";
export const UNKNOWN_VALUE = "[unknown]";
export const RESOURCE_REF = "[resource]";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One resource of the plan. Optional fields appear only when set. */
export interface PlanResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** True for provider-managed resources; false for components and the stack. */
  readonly custom: boolean;
  readonly parent?: string;
  /** Provider URN (an explicit provider; absent means the default provider). */
  readonly provider?: string;
  readonly protect: boolean;
  readonly retainOnDelete?: boolean;
  readonly deleteBeforeReplace?: boolean;
  readonly replaceOnChanges?: readonly string[];
  readonly ignoreChanges?: readonly string[];
  /** URNs this resource was known by (its `aliases` option, resolved the way the engine resolves them). */
  readonly aliases?: readonly string[];
  /** Read with `.get()` (not managed) or imported: the id asked for. */
  readonly read?: boolean;
  readonly id?: string;
  readonly inputs: JsonObject;
  /** Component outputs (`registerOutputs`). */
  readonly outputs?: JsonObject;
  /** Secret path → `sha256:<16 hex>` of its value. */
  readonly secrets?: Readonly<Record<string, string>>;
}

export interface PlanSummary {
  readonly resources: number;
  /** Resources by type token. */
  readonly byType: Readonly<Record<string, number>>;
  /** `accepted`: advisory violations accepted by the exceptions file (set when one was applied). */
  readonly violations: { readonly mandatory: number; readonly advisory: number; readonly accepted?: number };
  readonly secretFlow: number;
  /** Alerts with a selector that no series source of the stack satisfies (alert-sources.ts). */
  readonly deadAlerts: number;
}

export interface PlanDocument {
  readonly format: typeof PLAN_FORMAT;
  readonly project: string;
  readonly stack: string;
  /** Secret config keys the plan filled with placeholders. */
  readonly placeholders: readonly string[];
  readonly summary: PlanSummary;
  readonly resources: readonly PlanResource[];
  /** The stack's exported outputs. */
  readonly outputs: JsonObject;
  /** `null` when the policy step was skipped (`--no-policy`). */
  readonly policy: PolicyResults | null;
  readonly secretFlow: readonly SecretFlowFinding[];
  readonly deadAlerts: readonly DeadAlertFinding[];
}

/** sha256 of a value's canonical JSON, shortened: enough to tell changed from unchanged. */
export function digest(value: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16)}`;
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** The readable form of a wire value (see the module comment); records secret digests by path. */
export function readable(value: unknown, redactor: Redactor | undefined, secrets?: Record<string, string>, base = ""): Json {
  const walk = (v: unknown, p: string): Json => {
    if (isSecret(v)) {
      if (secrets) secrets[p || "(root)"] = digest(plain(v));
      return SECRET;
    }
    if (isUnknown(v)) return UNKNOWN_VALUE;
    if (isResourceReference(v)) return { [RESOURCE_REF]: v.urn };
    if (typeof v === "string") return redactor ? redactor.redact(v) : v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, childPath(p, i)));
    if (v && typeof v === "object") {
      const out: JsonObject = {};
      for (const [k, x] of Object.entries(v)) out[redactor ? redactor.redact(k) : k] = walk(x, childPath(p, k));
      return out;
    }
    return (v ?? null) as Json;
  };
  return walk(value, base);
}

/** The URNs of a resource's aliases: URN aliases as given, alias specs filled in from the resource. */
export function aliasUrns(r: RegisteredResource): string[] {
  // urn:pulumi:<stack>::<project>::<type chain>::<name>
  const [stack, project] = r.urn.slice("urn:pulumi:".length).split("::");
  const urns = new Set<string>();
  for (const a of r.aliases) {
    if ("urn" in a) urns.add(a.urn);
    else {
      const s = a.spec;
      const parent = s.noParent ? undefined : (s.parentUrn ?? r.parent);
      urns.add(resourceUrn(s.stack ?? stack, s.project ?? project, s.type ?? r.type, s.name ?? r.name, parent));
    }
  }
  urns.delete(r.urn);
  return [...urns].sort(compare);
}

/** One registration in plan form. */
export function planResource(r: RegisteredResource, redactor: Redactor | undefined): PlanResource {
  const secrets: Record<string, string> = {};
  const inputs = readable(r.inputs, redactor, secrets) as JsonObject;
  const aliases = r.aliases.length > 0 ? aliasUrns(r) : [];
  const outputs =
    !r.custom && r.type !== ROOT_STACK_TYPE && r.outputs && Object.keys(r.outputs).length > 0 ? (readable(r.outputs, redactor) as JsonObject) : undefined;
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    custom: r.custom,
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.provider ? { provider: providerUrn(r.provider) } : {}),
    protect: r.protect,
    ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(r.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.deleteBeforeReplace } : {}),
    ...(r.replaceOnChanges.length > 0 ? { replaceOnChanges: [...r.replaceOnChanges].sort() } : {}),
    ...(r.ignoreChanges.length > 0 ? { ignoreChanges: [...r.ignoreChanges].sort() } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
    ...(r.read ? { read: true } : {}),
    ...(r.id ? { id: r.id } : {}),
    inputs,
    ...(outputs ? { outputs } : {}),
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
}

/** Builds the plan document of one run. */
export function planDocument(args: {
  readonly run: Pick<RunResult, "project" | "stack" | "resources" | "stackOutputs">;
  readonly placeholderKeys: readonly string[];
  readonly policy: PolicyResults | null;
  readonly secretFlow: readonly SecretFlowFinding[];
  readonly deadAlerts?: readonly DeadAlertFinding[];
  readonly redactor?: Redactor;
}): PlanDocument {
  const { run, redactor } = args;
  const resources = run.resources.map((r) => planResource(r, redactor)).sort((a, b) => compare(a.urn, b.urn));
  const byType: Record<string, number> = {};
  for (const r of resources) byType[r.type] = (byType[r.type] ?? 0) + 1;
  const violations = args.policy?.violations ?? [];
  const policy = args.policy
    ? { ...args.policy, violations: violations.map((v) => ({ ...v, message: redactor ? redactor.redact(v.message) : v.message })) }
    : null;
  return {
    format: PLAN_FORMAT,
    project: run.project,
    stack: run.stack,
    placeholders: [...args.placeholderKeys].sort(compare),
    summary: {
      resources: resources.length,
      byType: sortKeys(byType) as Record<string, number>,
      violations: {
        mandatory: violations.filter((v) => v.level === "mandatory").length,
        advisory: violations.filter((v) => v.level !== "mandatory").length,
      },
      secretFlow: args.secretFlow.length,
      deadAlerts: args.deadAlerts?.length ?? 0,
    },
    resources,
    outputs: readable(run.stackOutputs, redactor) as JsonObject,
    policy,
    secretFlow: args.secretFlow,
    deadAlerts: args.deadAlerts ?? [],
  };
}

/** Code-unit order: the same on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(compare)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** JSON with object keys sorted at every level, two-space indented, newline-terminated. */
export function canonicalJson(value: unknown, indent: number | undefined = undefined): string {
  const text = JSON.stringify(sortKeys(value), null, indent);
  return indent === undefined ? text : `${text}\n`;
}

/** The file text of a plan document. */
export function planFileText(doc: PlanDocument): string {
  return canonicalJson(doc, 2);
}

/** Parses a plan file, checking its format; the error names the file. */
export function parsePlanFile(text: string, file: string): PlanDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not a plan file: ${(err as Error).message}`);
  }
  const format = (doc as { format?: unknown } | null)?.format;
  if (format !== PLAN_FORMAT) {
    throw new Error(`${file} is not a plan file of format ${PLAN_FORMAT} (found ${JSON.stringify(format)}); write it with \`npm run plan\``);
  }
  return doc as PlanDocument;
}
