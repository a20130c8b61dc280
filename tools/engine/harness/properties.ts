/**
 * Pulumi property values in their wire form, as the engine's resource monitor receives them, and
 * helpers to read them.
 *
 * The runner serialises inputs with these markers (values from @pulumi/pulumi/runtime/rpc.js):
 * - a secret is `{ "4dabf1…": "1b4706…", value: <plain> }`;
 * - an unknown (a value only known after `up`, e.g. a computed output during preview) is the
 *   string `UNKNOWN`;
 * - a resource reference is `{ "4dabf1…": "5cf8f7…", urn, id?, packageVersion? }`;
 * - assets and archives carry their own signatures and are left as they are.
 * Recorded inputs and outputs keep these markers so callers can see which paths are secret or
 * unknown; `plain()` and `secretPaths()` turn them into what a test or a policy wants to read.
 */

/** The key that marks a special value in a serialised property. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Signature of a secret value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** Signature of a resource reference. */
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** Signature of an output value (only sent when the monitor supports `outputValues`, which ours does not). */
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** The sentinel the engine and SDK use for a value that is unknown during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A JSON-like value as it crossed the wire (secrets, unknowns and references still marked). */
export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };
/** An object of wire values: a resource's inputs or outputs, or the stack outputs. */
export type WireObject = { [key: string]: WireValue };

/** A secret as it appears on the wire. */
export type WireSecret = {
  readonly [SIG_KEY]: typeof SECRET_SIG;
  readonly value: WireValue;
};

function isObject(v: unknown): v is { [key: string]: WireValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when `v` is a secret marker. */
export function isSecret(v: unknown): v is WireSecret {
  return isObject(v) && v[SIG_KEY] === SECRET_SIG;
}

/** True when `v` is the unknown sentinel (a value that only exists after `up`). */
export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

/** True when `v` is a resource reference marker. */
export function isResourceReference(v: unknown): v is { urn: string; id?: string } {
  return isObject(v) && v[SIG_KEY] === RESOURCE_SIG;
}

/** Wraps a plain value in a secret marker, e.g. for an invoke answer that a provider marks secret. */
export function secret(value: WireValue): WireSecret {
  return { [SIG_KEY]: SECRET_SIG, value };
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/**
 * Lists the paths under `value` that are secrets, in the same dotted/indexed form as
 * tests/helpers/mocks.ts (`spec.template.env[0].value`; `(root)` when the value itself is a secret).
 * A secret nested inside a secret is reported once, at the outer path.
 */
export function secretPaths(value: unknown, base = ""): string[] {
  const paths: string[] = [];
  const walk = (v: unknown, p: string): void => {
    if (isSecret(v)) {
      paths.push(p || "(root)");
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, childPath(p, i)));
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, childPath(p, k));
  };
  walk(value, base);
  return paths;
}

/** Lists the paths under `value` that are unknown during preview (same path form as `secretPaths`). */
export function unknownPaths(value: unknown, base = ""): string[] {
  const paths: string[] = [];
  const walk = (v: unknown, p: string): void => {
    if (isUnknown(v)) paths.push(p || "(root)");
    else if (isSecret(v)) walk(v.value, p);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, childPath(p, i)));
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, childPath(p, k));
  };
  walk(value, base);
  return paths;
}

/**
 * A copy of `value` with every secret replaced by its plain value. Unknowns stay `UNKNOWN` and
 * resource references stay markers, so the copy still says what preview could not know.
 */
export function plain<T = WireValue>(value: unknown): T {
  const walk = (v: unknown): unknown => {
    if (isSecret(v)) return walk(v.value);
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) {
      const out: { [key: string]: unknown } = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * Reads the value at a `secretPaths`-style path (`a.b[0].c`), looking through secrets on the way.
 * Returns `undefined` when any step is missing.
 */
export function valueAt(value: unknown, path: string): WireValue | undefined {
  const steps = path.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let cur: unknown = value;
  for (const step of steps) {
    if (isSecret(cur)) cur = cur.value;
    if (step.startsWith("[")) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(step.slice(1, -1))];
    } else {
      if (!isObject(cur)) return undefined;
      cur = cur[step];
    }
  }
  return cur as WireValue | undefined;
}
