/**
 * Accepted advisories: the reviewed exceptions file (`policies/exceptions.yaml`).
 *
 * The policy pack reports every violation it finds, as `pulumi preview --policy-pack policies`
 * would; the pack never reads this file, so its own output stays honest. The plan applies the
 * file afterwards, in its report: an advisory violation matched by an entry is *accepted* (kept in
 * the plan file with the entry's reason and expiry, counted but not listed), every other one is
 * shown. Mandatory violations cannot be accepted.
 *
 * Each entry names its rule, its resource (a URN, or a pattern of resource names where `*` is any
 * run of characters), optionally a message pattern (to accept one finding of a rule that reports
 * several, e.g. only the ephemeral-storage part of the resource-requests rule) and the stacks it
 * covers, a reason and an expiry date (the last day it holds, UTC). The plan reports an entry that
 * - has expired: it accepts nothing any more, and the plan fails (exit 1) until it is renewed
 *   with a new review or removed;
 * - matched nothing in the stacks planned (fixed, renamed or never there): remove it;
 * - matched a mandatory violation: it accepts nothing, and the plan fails as for the violation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { PlanDocument } from "./json";
import type { PlanViolation } from "./policy";

/** The default file, relative to the project. */
export const DEFAULT_EXCEPTIONS_FILE = path.join("policies", "exceptions.yaml");

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const entrySchema = z
  .object({
    rule: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a policy name of the pack, e.g. aws-enable-backup-replication"),
    resource: z.string().min(1, "a URN (urn:pulumi:…) or a resource-name pattern such as `*-backups-bucket`"),
    /** Narrows the entry to violations whose message matches this pattern (`*` any run), e.g. `*ephemeral-storage*`. */
    message: z.string().min(1).optional(),
    stacks: z.array(z.string().min(1)).min(1).optional(),
    reason: z.string().trim().min(20, "a reason a reviewer can judge (at least 20 characters): why it is accepted, citing the seed where one decides it"),
    expires: z
      .string()
      .regex(DATE, "a date YYYY-MM-DD (the last day the exception holds)")
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "a real calendar date"),
  })
  .strict();

const fileSchema = z
  .object({
    exceptions: z.array(entrySchema),
  })
  .strict();

export type ExceptionEntry = z.infer<typeof entrySchema>;

export interface Exceptions {
  /** Where the entries came from (as given), for messages. */
  readonly file: string;
  readonly entries: readonly ExceptionEntry[];
}

/** What accepted a violation; kept on the violation in the plan file. */
export type Acceptance = NonNullable<PlanViolation["accepted"]>;

export interface ExceptionFinding {
  readonly kind: "expired" | "unused" | "mandatory";
  readonly entry: number;
  readonly rule: string;
  readonly resource: string;
  readonly expires: string;
  /** One sentence: what is wrong and what to do. */
  readonly message: string;
}

export interface ExceptionReport {
  readonly file: string;
  readonly entries: number;
  /** Accepted advisory violations per stack. */
  readonly accepted: Readonly<Record<string, number>>;
  readonly findings: readonly ExceptionFinding[];
}

/** Reads and validates an exceptions file; the error names the file, the entry and the field. */
export function readExceptions(file: string, label = file): Exceptions {
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${label}: not readable YAML: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw ?? { exceptions: [] });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const where = i.path.length > 0 ? i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") : "(file)";
      return `  ${where.replace(/^\./, "")}: ${i.message}`;
    });
    throw new Error(
      `${label} is not a valid exceptions file:\n${problems.join("\n")}\nEach entry: { rule, resource, message?, stacks?, reason, expires: YYYY-MM-DD } (see README "Accepted advisories").`,
    );
  }
  return { file: label, entries: parsed.data.exceptions };
}

/** A glob (`*` any run of characters, `?` one) as an anchored regular expression. */
function glob(pattern: string): RegExp {
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

/** An entry as a test of a violation: its rule, its resource (a URN or a name pattern), its message pattern. */
function entryMatcher(e: ExceptionEntry): (v: PlanViolation) => boolean {
  const resource = glob(e.resource);
  const byUrn = e.resource.startsWith("urn:");
  const message = e.message ? glob(e.message) : undefined;
  return (v) => {
    if (v.policy !== e.rule) return false;
    const target = v.urn ? (byUrn ? v.urn : (v.urn.split("::").pop() ?? v.urn)) : "stack";
    return resource.test(target) && (!message || message.test(v.message));
  };
}

/** UTC date of `now`, YYYY-MM-DD. */
export function utcDate(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Applies the exceptions to the plans of one run (one document per stack): returns the documents
 * with every accepted advisory marked `accepted` and `summary.violations.accepted` set, and the
 * report of the file (accepted counts, expired / unused / mandatory-matching entries). An entry is
 * unused when it covers at least one of the planned stacks and matched nothing in any of them.
 */
export function applyExceptions(
  docs: readonly PlanDocument[],
  exceptions: Exceptions,
  today: string = utcDate(),
): { docs: PlanDocument[]; report: ExceptionReport } {
  const matchers = exceptions.entries.map(entryMatcher);
  const used = exceptions.entries.map(() => false);
  const covers = exceptions.entries.map(() => false);
  const mandatoryHit = exceptions.entries.map(() => false);
  const expired = exceptions.entries.map((e) => e.expires < today);
  const accepted: Record<string, number> = {};
  const out = docs.map((doc) => {
    if (!doc.policy) return doc;
    const applies = exceptions.entries.map((e) => !e.stacks || e.stacks.includes(doc.stack));
    applies.forEach((a, i) => (covers[i] ||= a));
    let n = 0;
    const violations: PlanViolation[] = doc.policy.violations.map((v) => {
      // Every entry that matches is used, not only the first.
      exceptions.entries.forEach((_, i) => {
        if (applies[i] && matchers[i](v)) {
          used[i] = true;
          if (v.level === "mandatory") mandatoryHit[i] = true;
        }
      });
      const first = exceptions.entries.findIndex((_, i) => applies[i] && !expired[i] && matchers[i](v));
      if (v.level === "mandatory" || first < 0) return v;
      n++;
      const e = exceptions.entries[first];
      return { ...v, accepted: { entry: first, reason: e.reason, expires: e.expires } };
    });
    accepted[doc.stack] = n;
    return {
      ...doc,
      summary: { ...doc.summary, violations: { ...doc.summary.violations, accepted: n } },
      policy: { ...doc.policy, violations },
    };
  });
  const findings: ExceptionFinding[] = [];
  exceptions.entries.forEach((e, i) => {
    const base = { entry: i, rule: e.rule, resource: e.resource, expires: e.expires };
    if (expired[i])
      findings.push({
        ...base,
        kind: "expired",
        message: `expired on ${e.expires}: it accepts nothing any more. Fix the violation, or review the reason and set a new \`expires\`.`,
      });
    if (mandatoryHit[i])
      findings.push({
        ...base,
        kind: "mandatory",
        message: `matches a mandatory violation; exceptions accept advisory violations only. Fix the violation or change the rule's level in the pack config.`,
      });
    if (covers[i] && !used[i])
      findings.push({
        ...base,
        kind: "unused",
        message: `matched no violation in the stacks planned (${e.stacks ? e.stacks.join(", ") : "any stack"}): the advisory is fixed or the resource renamed. Remove the entry.`,
      });
  });
  return { docs: out, report: { file: exceptions.file, entries: exceptions.entries.length, accepted, findings } };
}

/** True when a finding fails the plan: an expired entry, or one that tries to accept a mandatory violation. */
export function failsPlan(report: ExceptionReport | undefined): boolean {
  return (report?.findings ?? []).some((f) => f.kind === "expired" || f.kind === "mandatory");
}
