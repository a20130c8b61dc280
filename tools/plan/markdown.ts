/**
 * The pull-request comment: summary first (counts, replacements, deletions, protected resources
 * touched; expired or unused exceptions), then policy violations, then the changes grouped by
 * product and component, secrets shown only as changed/unchanged.
 *
 * Violations against a base: every mandatory one, the new advisories in full and the resolved
 * ones by name; the standing advisories only counted by rule (accepted or not) in a collapsed
 * section. The full report (`diff.full.md`, written beside the comment) lists every one with its
 * message, so the full list stays one click away.
 *
 * GitHub refuses comments over 65,536 characters (pulumi/actions#482, #1387, #969, #463: long
 * previews get cut off or the step fails). The comment is rendered at full detail and, while it
 * is too long, the lowest-priority section is collapsed one step at a time — listed creations,
 * output changes, advisory violations, property values, then property paths, then the
 * replacement/deletion lists, and mandatory violations last; the summary is never collapsed.
 * A collapsed comment says so and points at the full report, which is written beside it.
 */
import type { PropertyChange, ResourceChange, StackDiff } from "./diff";
import { compare } from "./json";
import type { ExceptionReport } from "./exceptions";
import type { PlanViolation } from "./policy";
import { compactValue, shortType } from "./report";
import type { PlanFailure, PlanSuccess } from "./run";

/** GitHub's limit on an issue or pull-request comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** First line of every comment, so the workflow finds and edits its own comment. */
export const COMMENT_MARKER = "<!-- app-platform-plan -->";

export interface StackSection {
  readonly stack: string;
  readonly plan: PlanSuccess | PlanFailure;
  readonly diff?: StackDiff;
  /** Set when the base could not be planned. */
  readonly baseError?: string;
}

export interface MarkdownOptions {
  /** @default GITHUB_COMMENT_LIMIT */
  readonly limit?: number;
  /** Where the full report is (a path or a link), named when the comment had to collapse. */
  readonly fullReport?: string;
  /** A line under the title, e.g. the commit range. */
  readonly subtitle?: string;
  /** The exceptions file's report: expired and unused entries are named under the summary. */
  readonly exceptions?: ExceptionReport;
}

/** Detail levels; 0 is full detail. */
interface Levels {
  creates: number; // 0 names, 1 counts by type, 2 count only
  outputs: number; // 0 values, 1 paths, 2 count
  advisory: number; // 0 messages, 1 one line each, 2 counts by policy, 3 count
  changes: number; // 0 values, 1 short values, 2 paths, 3 resource names, 4 counts per product
  lists: number; // 0 names with reasons, 1 counts
  mandatory: number; // 0 messages, 1 one line each, 2 counts by policy
  /** Standing advisories with a base: 0 one line each (the full report), 1 counts by policy (the comment). */
  standing: number;
}

/** Collapse order: lowest priority first. */
const STEPS: ReadonlyArray<[keyof Levels, number]> = [
  ["creates", 1],
  ["outputs", 1],
  ["advisory", 1],
  ["changes", 1],
  ["creates", 2],
  ["outputs", 2],
  ["advisory", 2],
  ["changes", 2],
  ["advisory", 3],
  ["changes", 3],
  ["changes", 4],
  ["lists", 1],
  ["mandatory", 1],
  ["mandatory", 2],
];

const FULL: Levels = { creates: 0, outputs: 0, advisory: 0, changes: 0, lists: 0, mandatory: 0, standing: 0 };
/** The comment's starting point: standing advisories counted, everything else in full. */
const COMMENT: Levels = { ...FULL, standing: 1 };

/** Inline code that survives backticks and table pipes in the value. */
export function code(text: string): string {
  const t = text.replace(/\r?\n/g, "⏎");
  const fence = t.includes("`") ? "``" : "`";
  return fence === "``" ? `\`\` ${t} \`\`` : `\`${t}\``;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function where(urn: string | undefined): string {
  if (!urn) return "stack";
  const parts = urn.split("::");
  return `${code(parts[parts.length - 1] ?? urn)} (${shortType((parts[2] ?? "").split("$").pop() ?? "")})`;
}

function propertyLine(p: PropertyChange, level: number): string {
  if (level >= 2) return `- ${code(p.path)}`;
  const max = level === 0 ? 200 : 60;
  if (p.secret) return `- ${code(p.path)}: ${p.kind === "add" ? "added" : p.kind === "remove" ? "removed" : "changed"} _(secret)_`;
  if (p.kind === "add") return `- ${code(p.path)}: added ${code(compactValue(p.after, max))}`;
  if (p.kind === "remove") return `- ${code(p.path)}: removed (was ${code(compactValue(p.before, max))})`;
  return `- ${code(p.path)}: ${code(compactValue(p.before, max))} → ${code(compactValue(p.after, max))}`;
}

const SIGN: Record<ResourceChange["kind"], string> = { create: "🟢 create", update: "🟡 update", replace: "🟣 replace", delete: "🔴 delete" };

function violationBlock(list: readonly PlanViolation[], level: number, fresh: ReadonlySet<PlanViolation>, title: string, open: boolean): string[] {
  if (list.length === 0) return [];
  const out: string[] = [];
  const newCount = list.filter((v) => fresh.has(v)).length;
  const summary = `${title} (${list.length}${fresh.size > 0 || newCount > 0 ? `, ${newCount} new` : ""})`;
  if (level >= 3) return [`**${summary}**`, ""];
  out.push(`<details${open ? " open" : ""}><summary><b>${summary}</b></summary>`, "");
  if (level === 2) {
    const counts = new Map<string, number>();
    for (const v of list) counts.set(v.policy, (counts.get(v.policy) ?? 0) + 1);
    for (const [policy, n] of [...counts].sort((a, b) => compare(a[0], b[0]))) out.push(`- ${code(policy)} × ${n}`);
  } else {
    for (const v of list) {
      const tag = fresh.has(v) ? "🆕 " : "";
      const ok = v.accepted ? ` _(accepted until ${v.accepted.expires})_` : "";
      if (level === 1) out.push(`- ${tag}${code(v.policy)} — ${where(v.urn)}${ok}`);
      else out.push(`- ${tag}${code(v.policy)} — ${where(v.urn)}${ok}: ${v.message.replace(/\s*\n\s*/g, " ")}`);
    }
  }
  out.push("", "</details>", "");
  return out;
}

function stackMarkdown(s: StackSection, lv: Levels, options: MarkdownOptions): string[] {
  const out: string[] = [];
  if (!s.plan.ok) {
    out.push(`### ❌ \`${s.stack}\` — the plan failed`, "", "```text", s.plan.error.replace(/```/g, "'''"), "```", "");
    return out;
  }
  const doc = s.plan.doc;
  const d = s.diff;
  const counts = d?.counts;
  const headline = counts
    ? (["create", "update", "replace", "delete"] as const)
        .filter((k) => counts[k] > 0)
        .map((k) => `${counts[k]} to ${k}`)
        .join(", ") || "no changes"
    : `${doc.summary.resources} resources`;
  const mandatory = doc.summary.violations.mandatory;
  const flags = [
    mandatory > 0 ? `❌ ${plural(mandatory, "mandatory violation")}` : "",
    doc.secretFlow.length > 0 ? `❌ secret flow: ${doc.secretFlow.length} leak(s)` : "",
    (doc.deadAlerts?.length ?? 0) > 0 ? `❌ ${plural(doc.deadAlerts.length, "dead alert selector")}` : "",
  ].filter(Boolean);
  out.push(`### \`${s.stack}\` — ${headline}${flags.length ? ` · ${flags.join(" · ")}` : ""}`, "");
  if (d) out.push(`Base: ${d.baseLabel}`, "");
  if (s.baseError) out.push(`⚠️ The base could not be planned, so this is the whole plan, not a diff:`, "", "```text", s.baseError, "```", "");

  // Summary: counts, replacements, deletions, protected resources touched.
  if (counts) {
    out.push("| create | update | replace | delete | unchanged |", "|---:|---:|---:|---:|---:|");
    out.push(`| ${counts.create} | ${counts.update} | ${counts.replace} | ${counts.delete} | ${counts.same} |`, "");
    const replaced = d!.changes.filter((c) => c.kind === "replace");
    const deleted = d!.changes.filter((c) => c.kind === "delete");
    const protectedTouched = d!.changes.filter((c) => c.protect && c.kind !== "create");
    if (protectedTouched.length > 0) {
      out.push(`🔒 **Protected resources touched (${protectedTouched.length})**${lv.lists >= 1 ? "" : ":"}`);
      if (lv.lists < 1)
        for (const c of protectedTouched)
          out.push(`- ${code(c.name)} (${shortType(c.type)}) — ${c.kind}${c.kind !== "update" ? " — **the engine refuses this while `protect` is set**" : ""}`);
      out.push("");
    }
    if (replaced.length > 0) {
      out.push(`🟣 **Replacements (${replaced.length})**${lv.lists >= 1 ? "" : ":"}`);
      if (lv.lists < 1) for (const c of replaced) out.push(`- ${code(c.name)} (${shortType(c.type)}) — forced by ${c.replaceReasons.map(code).join(", ")}`);
      out.push("");
    }
    if (deleted.length > 0) {
      out.push(`🔴 **Deletions (${deleted.length})**${lv.lists >= 1 ? "" : ":"}`);
      if (lv.lists < 1) for (const c of deleted) out.push(`- ${code(c.name)} (${shortType(c.type)})`);
      out.push("");
    }
  } else {
    out.push(`${doc.summary.resources} resources of ${Object.keys(doc.summary.byType).length} types (no base to compare with).`, "");
  }

  // Policy violations: mandatory ones always listed. With a base, advisories are listed when new
  // (or resolved) and the standing rest is counted; without one, the unaccepted ones are listed.
  if (doc.policy) {
    const fresh = new Set(d?.policy.added ?? []);
    const v = doc.policy.violations;
    const mand = v.filter((x) => x.level === "mandatory");
    const adv = v.filter((x) => x.level !== "mandatory");
    const accepted = adv.filter((x) => x.accepted);
    const resolved = d?.policy.resolved ?? [];
    out.push(
      `**Policy** (${code(doc.policy.pack)}): ${mand.length} mandatory, ${adv.length - accepted.length} advisory${accepted.length > 0 ? ` (+${accepted.length} accepted by exceptions)` : ""}${d ? ` · ${d.policy.added.length} new, ${resolved.length} resolved` : ""}`,
      "",
    );
    out.push(...violationBlock(mand, lv.mandatory, fresh, "Mandatory violations", true));
    if (d) {
      out.push(
        ...violationBlock(
          adv.filter((x) => fresh.has(x)),
          lv.advisory,
          fresh,
          "New advisory violations",
          true,
        ),
      );
      if (resolved.length > 0) {
        out.push(`<details><summary><b>Resolved violations (${resolved.length})</b></summary>`, "");
        for (const x of resolved) out.push(`- ${code(x.policy)} — ${where(x.urn)} (${x.level})`);
        out.push("", "</details>", "");
      }
      const standing = adv.filter((x) => !fresh.has(x));
      if (standing.length > 0) {
        const open = standing.filter((x) => !x.accepted).length;
        out.push(`<details><summary>Standing advisory violations (${standing.length}: ${open} not accepted, ${standing.length - open} accepted)</summary>`, "");
        if (lv.standing === 0) {
          for (const x of standing)
            out.push(
              `- ${code(x.policy)} — ${where(x.urn)}${x.accepted ? ` _(accepted until ${x.accepted.expires})_` : " **not accepted**"}: ${x.message.replace(/\s*\n\s*/g, " ")}`,
            );
        } else {
          const counts = new Map<string, [number, number]>();
          for (const x of standing) {
            const c = counts.get(x.policy) ?? [0, 0];
            c[x.accepted ? 1 : 0]++;
            counts.set(x.policy, c);
          }
          for (const [policy, [o, a]] of [...counts].sort((p, q) => compare(p[0], q[0])))
            out.push(`- ${code(policy)} × ${o + a}${o > 0 ? ` (**${o} not accepted**)` : ""}`);
          out.push("", `Every one, with its message: ${options.fullReport ?? "the full report in the workflow's artifacts"}.`);
        }
        out.push("", "</details>", "");
      }
    } else {
      out.push(
        ...violationBlock(
          adv.filter((x) => !x.accepted),
          lv.advisory,
          fresh,
          "Advisory violations",
          false,
        ),
      );
      if (accepted.length > 0) out.push(`${accepted.length} advisory violations accepted by exceptions.`, "");
    }
  } else {
    out.push("**Policy**: not checked.", "");
  }
  if (doc.secretFlow.length > 0) {
    out.push(`**Secret flow** ❌ — values from secret config reach these without the secret marker:`);
    for (const f of doc.secretFlow)
      out.push(`- ${where(f.urn)} ${f.where}${f.path ? ` ${code(f.path)}` : ""} ← ${code(f.key)}${f.encoding === "base64" ? " (base64)" : ""}`);
    out.push("");
  }
  if ((doc.deadAlerts?.length ?? 0) > 0) {
    out.push(`**Alert sources** ❌ — alerts that can never fire (selector matching no series source):`);
    for (const f of doc.deadAlerts)
      out.push(`- ${code(f.alert)} (${f.where})${f.selector ? `: ${code(f.selector)}` : ": PrometheusRule not loaded by Prometheus"}`);
    out.push("");
  }

  // Changes grouped by product and component.
  if (d && d.changes.length > 0) {
    const byProduct = new Map<string, ResourceChange[]>();
    for (const c of d.changes) byProduct.set(c.product, [...(byProduct.get(c.product) ?? []), c]);
    out.push("#### Changes by product", "");
    for (const [product, list] of byProduct) {
      const tally = (["create", "update", "replace", "delete"] as const)
        .map((k) => [k, list.filter((c) => c.kind === k).length] as const)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ");
      if (lv.changes >= 4) {
        out.push(`- **${product}**: ${tally}`);
        continue;
      }
      out.push(`<details><summary><b>${product}</b> — ${tally}</summary>`, "");
      const byComponent = new Map<string, ResourceChange[]>();
      for (const c of list) byComponent.set(c.component, [...(byComponent.get(c.component) ?? []), c]);
      for (const [component, items] of byComponent) {
        out.push(`**${component.replace(/ \((.*)\)$/, " _($1)_")}**`, "");
        const creates = items.filter((c) => c.kind === "create");
        for (const c of items) {
          if (c.kind === "create") continue;
          out.push(
            `- ${SIGN[c.kind]} ${code(c.name)} (${shortType(c.type)})${c.protect ? " 🔒" : ""}${c.previousUrn ? ` (renamed from ${code(c.previousUrn.split("::").pop() ?? "")})` : ""}`,
          );
          if (lv.changes <= 2) {
            if (c.replaceReasons.length > 0 && c.kind === "replace") out.push(`  - replaced because of ${c.replaceReasons.map(code).join(", ")}`);
            for (const p of c.properties) out.push(`  ${propertyLine(p, lv.changes)}`);
          }
        }
        if (creates.length > 0) {
          if (lv.creates === 0) for (const c of creates) out.push(`- ${SIGN.create} ${code(c.name)} (${shortType(c.type)})`);
          else if (lv.creates === 1) {
            const byType = new Map<string, number>();
            for (const c of creates) byType.set(shortType(c.type), (byType.get(shortType(c.type)) ?? 0) + 1);
            out.push(`- ${SIGN.create} ${[...byType].map(([t, n]) => `${t} × ${n}`).join(", ")}`);
          } else out.push(`- ${SIGN.create} ${plural(creates.length, "resource")}`);
        }
        out.push("");
      }
      out.push("</details>", "");
    }
  }
  if (d && d.outputs.length > 0) {
    if (lv.outputs >= 2) out.push(`**Outputs**: ${plural(d.outputs.length, "change")}`, "");
    else {
      out.push(`<details><summary><b>Outputs</b> (${d.outputs.length})</summary>`, "");
      for (const p of d.outputs) out.push(propertyLine(p, lv.outputs === 0 ? 0 : 2));
      out.push("", "</details>", "");
    }
  }
  return out;
}

function render(sections: readonly StackSection[], lv: Levels, options: MarkdownOptions, collapsed: boolean): string {
  const out: string[] = [COMMENT_MARKER, "## Offline plan", ""];
  if (options.subtitle) out.push(options.subtitle, "");
  out.push("| stack | create | update | replace | delete | mandatory | advisory | accepted | secret flow |", "|---|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const s of sections) {
    if (!s.plan.ok) {
      out.push(`| \`${s.stack}\` | ❌ failed | | | | | | | |`);
      continue;
    }
    const c = s.diff?.counts;
    const v = s.plan.doc.summary.violations;
    const accepted = v.accepted ?? 0;
    const cell = (n: number | undefined) => (n === undefined ? "–" : String(n));
    out.push(
      `| \`${s.stack}\` | ${cell(c?.create)} | ${cell(c?.update)} | ${cell(c?.replace)} | ${cell(c?.delete)} | ${v.mandatory > 0 ? `❌ ${v.mandatory}` : "0"} | ${v.advisory - accepted} | ${accepted} | ${s.plan.doc.secretFlow.length > 0 ? `❌ ${s.plan.doc.secretFlow.length}` : "✅"} |`,
    );
  }
  out.push("");
  if (collapsed) {
    out.push(`> [!NOTE]`, `> Shortened to fit GitHub's comment limit; the full report is ${options.fullReport ?? "in the workflow's artifacts"}.`, "");
  }
  if (options.exceptions && options.exceptions.findings.length > 0) {
    const x = options.exceptions;
    out.push(`**Exceptions** (${code(x.file)}): ${x.findings.map((f) => f.kind).join(", ")}`, "");
    for (const f of x.findings)
      out.push(`- ${f.kind === "unused" ? "⚠️" : "❌"} ${f.kind}: #${f.entry + 1} ${code(f.rule)} ${code(f.resource)} — ${f.message}`);
    out.push("");
  }
  for (const s of sections) out.push(...stackMarkdown(s, lv, options));
  out.push(
    "<sub>Planned offline: the program ran through Pulumi's own Node.js runner against a recording engine, with placeholders for secrets and no credentials. Replacements come from the documented table in `tools/plan/replacements.ts`.</sub>",
    "",
  );
  return out.join("\n");
}

export interface RenderedMarkdown {
  /** The comment: within `limit`. */
  readonly comment: string;
  /** The full report (no collapsing). */
  readonly full: string;
  /** The collapse steps applied, e.g. `advisory → 2`. */
  readonly collapsed: readonly string[];
}

/** Renders the comment (collapsed to fit `limit`) and the full report. */
export function renderMarkdown(sections: readonly StackSection[], options: MarkdownOptions = {}): RenderedMarkdown {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const full = render(sections, FULL, options, false);
  const first = render(sections, COMMENT, options, false);
  if (first.length <= limit) return { comment: first, full, collapsed: [] };
  const lv: Levels = { ...COMMENT };
  const applied: string[] = [];
  let comment = first;
  for (const [key, level] of STEPS) {
    lv[key] = level;
    applied.push(`${key} → ${level}`);
    comment = render(sections, lv, options, true);
    if (comment.length <= limit) return { comment, full, collapsed: applied };
  }
  // Still too long (thousands of stacks or failures): cut at a line, keeping the summary.
  const note = `\n\n> [!WARNING]\n> Cut at ${limit} characters; see the full report.\n`;
  const cut = comment.slice(0, limit - note.length);
  return { comment: cut.slice(0, Math.max(cut.lastIndexOf("\n"), 0)) + note, full, collapsed: [...applied, "truncated"] };
}
