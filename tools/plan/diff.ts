/**
 * The difference between two plans of one stack: resources added, removed, updated or replaced,
 * with property-level changes, the reasons a replacement is needed, protected resources touched,
 * and which policy violations are new or resolved.
 *
 * Resources are matched by URN, then through the new resource's aliases (a rename with an alias
 * is an update, not a delete and a create). Properties are compared on the plan's readable
 * values; secrets compare by digest, so a change is reported as "changed" without a value.
 * Arrays of objects that all carry a distinct `name` (Kubernetes containers, env, ports, volumes;
 * Prometheus rule groups), `alert`/`record` (Prometheus rules), `id` or `key` are matched by it and
 * addressed as `env[name=FOO]`, so inserting or removing one entry is one change; other arrays
 * compare by index.
 */
import { isDeepStrictEqual } from "node:util";
import { compare, RESOURCE_REF, SECRET, UNKNOWN_VALUE, type Json, type JsonObject, type PlanDocument, type PlanResource } from "./json";
import { ANY_INPUT, forceNewPaths } from "./replacements";
import type { PlanViolation } from "./policy";

export type ChangeKind = "create" | "update" | "replace" | "delete";

export interface PropertyChange {
  /** `spec.replicas`, `spec.template.spec.containers[name=api].env[name=FOO]`, `data.KEY`. */
  readonly path: string;
  readonly kind: "add" | "remove" | "update";
  readonly before?: Json;
  readonly after?: Json;
  /** The value is secret: only changed/unchanged is known. */
  readonly secret?: boolean;
}

export interface ResourceChange {
  readonly kind: ChangeKind;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Product the resource belongs to (its `ApplicationStack`), or `platform`. */
  readonly product: string;
  /** `name (type)` of the component directly above it, or `stack`. */
  readonly component: string;
  readonly custom: boolean;
  /** Protected in the base or the head. */
  readonly protect: boolean;
  readonly properties: readonly PropertyChange[];
  /** Why it is replaced: force-new input paths, `replaceOnChanges`, a new provider. */
  readonly replaceReasons: readonly string[];
  /** The base URN when matched through an alias. */
  readonly previousUrn?: string;
}

export interface PolicyDiff {
  /** In the head, not in the base. */
  readonly added: readonly PlanViolation[];
  /** In the base, not in the head. */
  readonly resolved: readonly PlanViolation[];
}

export interface StackDiff {
  readonly stack: string;
  /** Where the base came from (a file or `git <ref>`). */
  readonly baseLabel: string;
  readonly changes: readonly ResourceChange[];
  readonly outputs: readonly PropertyChange[];
  readonly counts: { readonly create: number; readonly update: number; readonly replace: number; readonly delete: number; readonly same: number };
  readonly policy: PolicyDiff;
}

export const PRODUCT_TYPE = "app-platform:product:ApplicationStack";
const STACK_TYPE = "pulumi:pulumi:Stack";

type Step = string | number | { key: string; value: string };

/** Keys that identify list entries, in the order tried (Kubernetes `name`, Prometheus `alert`/`record`, rule `id`). */
const ENTRY_KEYS = ["name", "alert", "record", "id", "key"];

function render(steps: readonly Step[]): string {
  let out = "";
  for (const s of steps) {
    if (typeof s === "number") out += `[${s}]`;
    else if (typeof s === "object") out += `[${s.key}=${s.value}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `secretPaths`-style path (`a.b[0]`) of a step list, for digest lookups. */
function indexPath(steps: readonly (string | number)[]): string {
  let out = "";
  for (const s of steps) out += typeof s === "number" ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

/** When every entry carries a distinct string under one identifying key: that key and value → index. */
function namedArray(a: readonly Json[], key: string): Map<string, number> | undefined {
  if (a.length === 0) return undefined;
  const names = new Map<string, number>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const v = isObject(x) ? x[key] : undefined;
    if (typeof v !== "string" || names.has(v)) return undefined;
    names.set(v, i);
  }
  return names;
}

/** The identifying key both arrays share, with their indexes (empty arrays take the other side's key). */
function entryKey(b: readonly Json[], a: readonly Json[]): { key: string; nb: Map<string, number>; na: Map<string, number> } | undefined {
  for (const key of ENTRY_KEYS) {
    const nb = b.length === 0 ? new Map<string, number>() : namedArray(b, key);
    const na = a.length === 0 ? new Map<string, number>() : namedArray(a, key);
    if (nb && na && (nb.size > 0 || na.size > 0)) return { key, nb, na };
  }
  return undefined;
}

/** Property-level changes between two readable values. */
export function diffValues(
  before: Json | undefined,
  after: Json | undefined,
  secrets: { before?: Readonly<Record<string, string>>; after?: Readonly<Record<string, string>> } = {},
): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const walk = (b: Json | undefined, a: Json | undefined, steps: Step[], bIdx: (string | number)[], aIdx: (string | number)[]): void => {
    if (b === undefined && a === undefined) return;
    const path = render(steps);
    if (b === undefined) {
      changes.push({ path, kind: "add", ...(a === SECRET ? { secret: true } : { after: a }) });
      return;
    }
    if (a === undefined) {
      changes.push({ path, kind: "remove", ...(b === SECRET ? { secret: true } : { before: b }) });
      return;
    }
    if (b === SECRET || a === SECRET) {
      const db = b === SECRET ? secrets.before?.[indexPath(bIdx) || "(root)"] : undefined;
      const da = a === SECRET ? secrets.after?.[indexPath(aIdx) || "(root)"] : undefined;
      if (b === SECRET && a === SECRET && db !== undefined && db === da) return;
      if (b === SECRET && a === SECRET && (db === undefined || da === undefined)) return; // no digests: cannot tell
      changes.push({ path, kind: "update", secret: true });
      return;
    }
    if (isObject(b) && isObject(a) && !(RESOURCE_REF in b) && !(RESOURCE_REF in a)) {
      const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort(compare);
      for (const k of keys) walk(b[k], a[k], [...steps, k], [...bIdx, k], [...aIdx, k]);
      return;
    }
    if (Array.isArray(b) && Array.isArray(a)) {
      const named = entryKey(b, a);
      if (named) {
        const { key, nb, na } = named;
        for (const value of [...new Set([...nb.keys(), ...na.keys()])]) {
          const ib = nb.get(value);
          const ia = na.get(value);
          walk(
            ib === undefined ? undefined : b[ib],
            ia === undefined ? undefined : a[ia],
            [...steps, { key, value }],
            [...bIdx, ib ?? -1],
            [...aIdx, ia ?? -1],
          );
        }
        return;
      }
      if (b.length === a.length || (b.every(isObject) && a.every(isObject))) {
        for (let i = 0; i < Math.max(b.length, a.length); i++) walk(b[i], a[i], [...steps, i], [...bIdx, i], [...aIdx, i]);
        return;
      }
    }
    if (!isDeepStrictEqual(b, a)) changes.push({ path, kind: "update", before: b, after: a });
  };
  walk(before, after, [], [], []);
  return changes;
}

/** The value at a dotted path (`spec.selector`), or undefined. */
function valueAtPath(v: Json | undefined, path: string): Json | undefined {
  let cur: Json | undefined = v;
  for (const step of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[step];
  }
  return cur;
}

/** Digests of secrets at or below `path`, so a secret change under a force-new path counts. */
function secretsUnder(secrets: Readonly<Record<string, string>> | undefined, path: string): string {
  if (!secrets) return "";
  return Object.keys(secrets)
    .filter((p) => p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`))
    .sort(compare)
    .map((p) => `${p}=${secrets[p]}`)
    .join(",");
}

/** Why updating `before` to `after` replaces the resource (empty: in place). */
export function replaceReasons(before: PlanResource, after: PlanResource, properties: readonly PropertyChange[]): string[] {
  const reasons: string[] = [];
  if (!after.custom) return reasons;
  if ((before.provider ?? "") !== (after.provider ?? "")) reasons.push("provider changed");
  const paths = [...forceNewPaths(after.type), ...(after.replaceOnChanges ?? []).map((p) => (p === "*" ? ANY_INPUT : p))];
  for (const p of new Set(paths)) {
    if (p === ANY_INPUT) {
      if (properties.some((c) => !c.path.startsWith("("))) reasons.push("any input change");
      continue;
    }
    const b = valueAtPath(before.inputs, p);
    const a = valueAtPath(after.inputs, p);
    const changed = !isDeepStrictEqual(b, a) || secretsUnder(before.secrets, p) !== secretsUnder(after.secrets, p);
    // Unknown on both sides: nothing is known to change.
    if (changed && !(b === UNKNOWN_VALUE && a === UNKNOWN_VALUE)) reasons.push(p);
  }
  return reasons;
}

/** Product and component of a resource, from the parent chain. */
function placeOf(r: PlanResource, byUrn: ReadonlyMap<string, PlanResource>): { product: string; component: string } {
  let product = "platform";
  const parent = r.parent ? byUrn.get(r.parent) : undefined;
  const component = parent && parent.type !== STACK_TYPE ? `${parent.name} (${parent.type})` : "stack";
  for (let cur: PlanResource | undefined = r; cur; cur = cur.parent ? byUrn.get(cur.parent) : undefined) {
    if (cur.type === PRODUCT_TYPE) {
      product = cur.name;
      break;
    }
  }
  return { product, component };
}

function violationKey(v: PlanViolation): string {
  return JSON.stringify([v.policy, v.urn ?? "", v.message]);
}

/** The diff of `head` against `base` (two plans of the same stack). */
export function diffPlans(base: PlanDocument, head: PlanDocument, baseLabel: string): StackDiff {
  const baseBy = new Map(base.resources.map((r) => [r.urn, r]));
  const headBy = new Map(head.resources.map((r) => [r.urn, r]));
  const matchedBase = new Set<string>();
  const changes: ResourceChange[] = [];
  let same = 0;

  const pair = (h: PlanResource): PlanResource | undefined => {
    const direct = baseBy.get(h.urn);
    if (direct) return direct;
    for (const u of h.aliases ?? []) {
      const b = baseBy.get(u);
      if (b && !headBy.has(u)) return b;
    }
    return undefined;
  };

  for (const h of head.resources) {
    const b = pair(h);
    const place = placeOf(h, headBy);
    const common = { urn: h.urn, type: h.type, name: h.name, custom: h.custom, ...place };
    if (!b) {
      if (!h.read) changes.push({ ...common, kind: "create", protect: h.protect, properties: [], replaceReasons: [] });
      continue;
    }
    matchedBase.add(b.urn);
    const properties = [...diffValues(b.inputs, h.inputs, { before: b.secrets, after: h.secrets }), ...optionChanges(b, h)];
    if (properties.length === 0 && b.urn === h.urn && (b.provider ?? "") === (h.provider ?? "")) {
      same++;
      continue;
    }
    const reasons = replaceReasons(b, h, properties);
    changes.push({
      ...common,
      kind: reasons.length > 0 ? "replace" : "update",
      protect: b.protect || h.protect,
      properties,
      replaceReasons: reasons,
      ...(b.urn !== h.urn ? { previousUrn: b.urn } : {}),
    });
  }
  for (const b of base.resources) {
    if (matchedBase.has(b.urn) || b.read) continue;
    changes.push({
      kind: "delete",
      urn: b.urn,
      type: b.type,
      name: b.name,
      custom: b.custom,
      ...placeOf(b, baseBy),
      protect: b.protect,
      properties: [],
      replaceReasons: [],
    });
  }
  changes.sort((x, y) => compare(x.product, y.product) || compare(x.component, y.component) || compare(x.urn, y.urn));
  const count = (k: ChangeKind) => changes.filter((c) => c.kind === k).length;

  const baseViolations = new Set((base.policy?.violations ?? []).map(violationKey));
  const headViolations = new Set((head.policy?.violations ?? []).map(violationKey));
  return {
    stack: head.stack,
    baseLabel,
    changes,
    outputs: diffValues(base.outputs, head.outputs),
    counts: { create: count("create"), update: count("update"), replace: count("replace"), delete: count("delete"), same },
    policy: {
      added: (head.policy?.violations ?? []).filter((v) => !baseViolations.has(violationKey(v))),
      resolved: (base.policy?.violations ?? []).filter((v) => !headViolations.has(violationKey(v))),
    },
  };
}

/** Changes of resource options the engine acts on (shown as `(protect)` etc.). */
function optionChanges(b: PlanResource, h: PlanResource): PropertyChange[] {
  const out: PropertyChange[] = [];
  const opt = (name: string, x: Json | undefined, y: Json | undefined): void => {
    if (!isDeepStrictEqual(x, y)) out.push({ path: `(${name})`, kind: "update", before: x ?? null, after: y ?? null });
  };
  opt("protect", b.protect, h.protect);
  opt("retainOnDelete", b.retainOnDelete ?? false, h.retainOnDelete ?? false);
  opt("deleteBeforeReplace", b.deleteBeforeReplace ?? null, h.deleteBeforeReplace ?? null);
  opt("provider", b.provider ?? null, h.provider ?? null);
  return out;
}

/** True when nothing changed (resources, outputs, policy results). */
export function isEmptyDiff(d: StackDiff): boolean {
  return d.changes.length === 0 && d.outputs.length === 0 && d.policy.added.length === 0 && d.policy.resolved.length === 0;
}
