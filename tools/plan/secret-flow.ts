/**
 * Secret flow: a value that came from a secret source must reach every resource input with the
 * secret marker on it. Policies cannot check this — the engine hands them secrets in plaintext
 * (pulumi/pulumi-policy#241) — so the plan does, on the wire form the program sent.
 *
 * Every secret config value of a plan run is a unique placeholder (offline-stack.ts), so a leak
 * is found by looking for the placeholders in everything that is *not* under a secret marker:
 * resource inputs, component and stack outputs (`registerOutputs`), and what the program logged
 * or printed. A placeholder is also found base64-encoded (e.g. `Buffer.from(v).toString("base64")`
 * into a Kubernetes Secret's `data` after `unsecret`), at any byte alignment.
 *
 * What it cannot see: secrets a provider generates (`RandomPassword.result`, an access key's
 * secret) are unknown during a preview and cross the wire as the unknown sentinel, secret marker
 * or not; only a real `up` has their values.
 */
import { isSecret, type RegisteredResource, type RunResult, type WireValue } from "../harness";

/** One place a secret value reached without its secret marker. */
export interface SecretFlowFinding {
  /** The resource (or `stack` for the root stack's outputs); absent for program output. */
  readonly urn?: string;
  readonly type?: string;
  /** `inputs`, `outputs` (registerOutputs), `log` (engine log) or `stdout`/`stderr`. */
  readonly where: "inputs" | "outputs" | "log" | "stdout" | "stderr";
  /** Property path in the `secretPaths` form (`spec.template.spec.containers[0].env[1].value`); empty for text. */
  readonly path: string;
  /** The config key whose value leaked. */
  readonly key: string;
  readonly encoding: "plain" | "base64";
}

interface Needle {
  readonly text: string;
  readonly key: string;
  readonly encoding: SecretFlowFinding["encoding"];
}

/**
 * The strings to look for: each placeholder as it is, and the part of its base64 encoding that
 * does not depend on neighbouring bytes, for each of the three alignments it can start at.
 */
export function needlesFor(placeholders: ReadonlyMap<string, string>): Needle[] {
  const needles: Needle[] = [];
  for (const [value, key] of placeholders) {
    needles.push({ text: value, key, encoding: "plain" });
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(value, "utf8")]).toString("base64").replace(/=+$/, "");
      // Drop the group that mixes in preceding bytes and the last group, which mixes in following ones.
      const core = encoded.slice(offset === 0 ? 0 : 4, encoded.length - 4);
      if (core.length >= 16) needles.push({ text: core, key, encoding: "base64" });
    }
  }
  return needles;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A matcher over many needles: one regular expression, longest first. */
class Matcher {
  private readonly re: RegExp | undefined;
  private readonly byText: Map<string, Needle>;

  constructor(needles: readonly Needle[]) {
    this.byText = new Map(needles.map((n) => [n.text, n]));
    const texts = [...this.byText.keys()].sort((a, b) => b.length - a.length);
    this.re = texts.length > 0 ? new RegExp(texts.map(escapeRegExp).join("|"), "g") : undefined;
  }

  find(text: string): Needle[] {
    if (!this.re) return [];
    const hits: Needle[] = [];
    for (const m of text.matchAll(this.re)) {
      const n = this.byText.get(m[0]);
      if (n && !hits.includes(n)) hits.push(n);
    }
    return hits;
  }
}

/** Code-unit order: the same on every machine and locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Paths under `value` where a needle appears outside any secret marker. */
function plainHits(value: unknown, matcher: Matcher): Array<{ path: string; needle: Needle }> {
  const hits: Array<{ path: string; needle: Needle }> = [];
  const walk = (v: unknown, p: string): void => {
    if (isSecret(v)) return;
    if (typeof v === "string") {
      for (const needle of matcher.find(v)) hits.push({ path: p, needle });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, childPath(p, i)));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        // A key can carry a secret too (`{ [secret]: ... }` maps).
        for (const needle of matcher.find(k)) hits.push({ path: childPath(p, k), needle });
        walk(x, childPath(p, k));
      }
    }
  };
  walk(value, "");
  return hits;
}

/** Every place a placeholder reached without its secret marker, sorted by resource and path. */
export function findSecretLeaks(
  run: Pick<RunResult, "resources" | "logs" | "stdout" | "stderr">,
  placeholders: ReadonlyMap<string, string>,
): SecretFlowFinding[] {
  const matcher = new Matcher(needlesFor(placeholders));
  const findings: SecretFlowFinding[] = [];
  const fromValue = (r: RegisteredResource, where: "inputs" | "outputs", value: WireValue | undefined): void => {
    for (const h of plainHits(value, matcher)) {
      findings.push({ urn: r.urn, type: r.type, where, path: h.path, key: h.needle.key, encoding: h.needle.encoding });
    }
  };
  for (const r of run.resources) {
    fromValue(r, "inputs", r.inputs);
    fromValue(r, "outputs", r.outputs);
  }
  for (const log of run.logs) {
    for (const n of matcher.find(log.message)) {
      findings.push({ ...(log.urn ? { urn: log.urn } : {}), where: "log", path: "", key: n.key, encoding: n.encoding });
    }
  }
  for (const where of ["stdout", "stderr"] as const) {
    for (const n of matcher.find(run[where])) findings.push({ where, path: "", key: n.key, encoding: n.encoding });
  }
  const seen = new Set<string>();
  return findings
    .filter((f) => {
      const id = JSON.stringify([f.urn ?? "", f.where, f.path, f.key, f.encoding]);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .sort(
      (a, b) =>
        cmp(a.urn ?? "", b.urn ?? "") || cmp(a.where, b.where) || cmp(a.path, b.path) || cmp(a.key, b.key) || cmp(a.encoding, b.encoding),
    );
}

/** Replaces every placeholder (plain or base64) in text with `[secret]`: policy messages, logs, leaked values. */
export class Redactor {
  private readonly re: RegExp | undefined;

  constructor(placeholders: ReadonlyMap<string, string>) {
    const needles = needlesFor(placeholders).sort((a, b) => b.text.length - a.text.length);
    // A base64 hit takes the whole base64 run around it, so no fragment of the encoding is left.
    const parts = needles.map((n) => (n.encoding === "base64" ? `[A-Za-z0-9+/]*${escapeRegExp(n.text)}[A-Za-z0-9+/]*=*` : escapeRegExp(n.text)));
    this.re = parts.length > 0 ? new RegExp([...new Set(parts)].join("|"), "g") : undefined;
  }

  redact(text: string): string {
    if (!this.re) return text;
    this.re.lastIndex = 0;
    return this.re.test(text) ? text.replace(this.re, "[secret]") : text;
  }
}
