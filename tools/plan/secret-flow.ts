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
import { isSecret, type RegisteredResource, type RunResult, type WireValue } from "../engine/harness";

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
      const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(value, "utf8")])
        .toString("base64")
        .replace(/=+$/, "");
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

/** One place a needle occurs in a text. */
interface Occurrence {
  readonly start: number;
  readonly needle: Needle;
}

/**
 * Finds needles in text, overlapping occurrences included. One regular expression (an alternation
 * of the needles) finds the next position where any needle starts, and the search resumes one
 * character later, so no occurrence hides inside another; the needles starting there are then
 * compared directly. Linear in the text for a fixed set of needles. A text shorter than the
 * shortest needle is skipped without a search: most property values are short.
 */
class Matcher {
  private readonly re: RegExp | undefined;
  private readonly needles: readonly Needle[];
  private readonly minLength: number;

  constructor(needles: readonly Needle[]) {
    const byText = new Map(needles.map((n) => [n.text, n]));
    this.needles = [...byText.values()].sort((a, b) => b.text.length - a.text.length);
    this.minLength = Math.min(...this.needles.map((n) => n.text.length));
    this.re = this.needles.length > 0 ? new RegExp(this.needles.map((n) => escapeRegExp(n.text)).join("|"), "g") : undefined;
  }

  /** Every occurrence of every needle, by start position (longest needle first at one position). */
  occurrences(text: string): Occurrence[] {
    const re = this.re;
    if (!re || text.length < this.minLength) return [];
    const found: Occurrence[] = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const start = m.index;
      for (const needle of this.needles) if (text.startsWith(needle.text, start)) found.push({ start, needle });
      re.lastIndex = start + 1;
    }
    return found;
  }

  /** The distinct needles in text, in order of first occurrence. */
  find(text: string): Needle[] {
    const hits: Needle[] = [];
    for (const { needle } of this.occurrences(text)) if (!hits.includes(needle)) hits.push(needle);
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
    .sort((a, b) => cmp(a.urn ?? "", b.urn ?? "") || cmp(a.where, b.where) || cmp(a.path, b.path) || cmp(a.key, b.key) || cmp(a.encoding, b.encoding));
}

/** `A-Z a-z 0-9 + /`: the characters of a base64 run. */
function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/**
 * Replaces every placeholder (plain or base64) in text with `[secret]`: policy messages, logs,
 * leaked values. A base64 hit takes the whole base64 run around it and its `=` padding, so no
 * fragment of the encoding is left; hits that overlap become one `[secret]`. Linear in the text:
 * the needles are found by `Matcher`, then each base64 hit is widened over its neighbours.
 */
export class Redactor {
  private readonly matcher: Matcher;

  constructor(placeholders: ReadonlyMap<string, string>) {
    this.matcher = new Matcher(needlesFor(placeholders));
  }

  redact(text: string): string {
    const hits = this.matcher.occurrences(text);
    if (hits.length === 0) return text;
    // The spans [from, to) to replace; a base64 hit widened to its run. Hits come by start, so a
    // hit inside the run just widened takes that run again (each run is walked once). Widening
    // can reach back past earlier hits, so the spans are sorted before merging.
    let run: [number, number, number] = [-1, -1, -1]; // from, end of its base64 characters, end with padding
    const spans = hits.map(({ start, needle }): [number, number] => {
      if (needle.encoding === "plain") return [start, start + needle.text.length];
      if (start >= run[0] && start < run[1]) return [run[0], run[2]];
      let from = start;
      let to = start + needle.text.length;
      while (from > 0 && isBase64Char(text.charCodeAt(from - 1))) from--;
      while (to < text.length && isBase64Char(text.charCodeAt(to))) to++;
      const chars = to;
      while (to < text.length && text.charCodeAt(to) === 61 /* = */) to++;
      run = [from, chars, to];
      return [from, to];
    });
    spans.sort((x, y) => x[0] - y[0]);
    // Overlapping spans become one, so no fragment survives between them; touching ones stay two.
    const merged: Array<[number, number]> = [];
    for (const span of spans) {
      const last = merged[merged.length - 1];
      if (last && span[0] < last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push(span);
    }
    let out = "";
    let at = 0;
    for (const [from, to] of merged) {
      out += `${text.slice(at, from)}[secret]`;
      at = to;
    }
    return out + text.slice(at);
  }
}
