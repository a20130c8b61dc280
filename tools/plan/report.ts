/**
 * The terminal report, shaped like `pulumi preview`: the resources as a tree under their
 * components, the property changes when there is a base, a summary, then policy violations, the
 * secret-flow and alert-source results and the program's diagnostics.
 *
 * With a base, as `pulumi preview` hides unchanged resources, the tree holds only the changed
 * resources under the components that hold them, and the violations listed are the new and
 * resolved ones (and every mandatory one); the rest are counted. `showSames` (`--show-sames`)
 * shows the whole tree (components with counts by type) and lists every violation. Without a
 * base: the whole tree, mandatory and unaccepted advisory violations listed, accepted ones counted.
 */
import type { ChangeKind, PropertyChange, ResourceChange, StackDiff } from "./diff";
import { compare, SECRET, type Json, type PlanDocument, type PlanResource } from "./json";
import type { ExceptionReport } from "./exceptions";
import type { PlanViolation } from "./policy";
import type { PlanFailure, PlanSuccess } from "./run";
import type { SecretFlowFinding } from "./secret-flow";
import { makeStyle, type Colour, type Style } from "./style";

export interface ReportOptions {
  readonly style?: Style;
  /** List every resource, not only components and changed resources. */
  readonly details?: boolean;
  /**
   * With a base: show unchanged resources (the components with their counts, as without a base)
   * and list every violation, not only the new and resolved ones. By default only changed
   * resources (under the components that hold them) and new/resolved violations are listed, with
   * counts of the rest, as `pulumi preview` hides unchanged resources.
   */
  readonly showSames?: boolean;
  /** Where the plan file was written. */
  readonly planFile?: string;
}

const MARK: Record<ChangeKind, { sign: string; colour: Colour; verb: string }> = {
  create: { sign: "+ ", colour: "green", verb: "to create" },
  update: { sign: "~ ", colour: "yellow", verb: "to update" },
  replace: { sign: "+-", colour: "magenta", verb: "to replace" },
  delete: { sign: "- ", colour: "red", verb: "to delete" },
};

/** `kubernetes:apps/v1:Deployment` → `Deployment`; `pulumi:providers:aws` → `provider:aws`. */
export function shortType(type: string): string {
  if (type.startsWith("pulumi:providers:")) return `provider:${type.slice("pulumi:providers:".length)}`;
  const parts = type.split(":");
  return parts[parts.length - 1] ?? type;
}

/** A compact one-line rendering of a value (long values cut with `…`). */
export function compactValue(v: Json | undefined, max = 80): string {
  if (v === undefined) return "";
  if (v === SECRET) return "[secret]";
  const text = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One property change as text: `spec.replicas: 3 → 4`. */
export function describeChange(c: PropertyChange, max = 80): string {
  if (c.secret) {
    return `${c.path}: ${c.kind === "add" ? "added" : c.kind === "remove" ? "removed" : "changed"} [secret]`;
  }
  if (c.kind === "add") return `${c.path}: added ${compactValue(c.after, max)}`;
  if (c.kind === "remove") return `${c.path}: removed (was ${compactValue(c.before, max)})`;
  return `${c.path}: ${compactValue(c.before, max)} → ${compactValue(c.after, max)}`;
}

interface Node {
  readonly res: PlanResource;
  readonly children: Node[];
  change?: ResourceChange;
}

function buildTree(doc: PlanDocument, diff: StackDiff | undefined, base: PlanDocument | undefined): Node | undefined {
  const nodes = new Map<string, Node>();
  for (const r of doc.resources) nodes.set(r.urn, { res: r, children: [] });
  for (const c of diff?.changes ?? []) {
    if (c.kind === "delete") {
      const r = base?.resources.find((x) => x.urn === c.urn);
      if (r) nodes.set(r.urn, { res: r, children: [], change: c });
    } else {
      const n = nodes.get(c.urn);
      if (n) n.change = c;
    }
  }
  let root: Node | undefined;
  for (const n of nodes.values()) {
    const parent = n.res.parent ? nodes.get(n.res.parent) : undefined;
    if (parent) parent.children.push(n);
    else if (n.res.type === "pulumi:pulumi:Stack") root = n;
    else if (root) root.children.push(n);
  }
  // Resources without a registered parent hang under the stack.
  for (const n of nodes.values()) {
    if (n !== root && root && !(n.res.parent && nodes.has(n.res.parent)) && !root.children.includes(n)) root.children.push(n);
  }
  const sortRec = (n: Node): void => {
    n.children.sort((a, b) => Number(a.res.custom) - Number(b.res.custom) || compare(a.res.type, b.res.type) || compare(a.res.name, b.res.name));
    n.children.forEach(sortRec);
  };
  if (root) sortRec(root);
  return root;
}

function countsByType(children: readonly Node[]): string {
  const counts = new Map<string, number>();
  for (const c of children) if (c.res.custom) counts.set(shortType(c.res.type), (counts.get(shortType(c.res.type)) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${t} ${n}`).join(" · ");
}

/** True when the node or something under it changed. */
function touched(n: Node): boolean {
  return n.change !== undefined || n.children.some(touched);
}

function renderTree(root: Node, style: Style, details: boolean, changedOnly = false): string[] {
  const lines: string[] = [];
  const visit = (n: Node, prefix: string, last: boolean, isRoot: boolean): void => {
    const mark = n.change ? MARK[n.change.kind] : undefined;
    const sign = mark ? style(mark.colour, mark.sign) : "  ";
    const branch = isRoot ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
    const label = `${n.res.name} ${style("dim", `(${n.res.custom ? shortType(n.res.type) : n.res.type})`)}`;
    const counts = !n.res.custom && !changedOnly ? countsByType(n.children) : "";
    lines.push(
      `${sign} ${branch}${mark ? style(mark.colour, n.res.name) : n.res.name}${label.slice(n.res.name.length)}${counts ? `  ${style("gray", counts)}` : ""}`,
    );
    const shown = changedOnly
      ? n.children.filter(touched)
      : n.children.filter((c) => !c.res.custom || details || c.change || c.res.type.startsWith("pulumi:providers:"));
    const childPrefix = isRoot ? "" : `${prefix}${last ? "   " : "│  "}`;
    shown.forEach((c, i) => visit(c, childPrefix, i === shown.length - 1, false));
  };
  visit(root, "", true, true);
  return lines;
}

function whereOf(v: PlanViolation, style: Style): string {
  return v.urn ? `${v.urn.split("::").pop()} ${style("dim", `(${shortType(v.urn.split("::")[2]?.split("$").pop() ?? "")})`)}` : "stack";
}

/** Violations listed in full: rule, resource, message; `new` and accepted ones marked. */
function violationLines(violations: readonly PlanViolation[], style: Style, fresh?: ReadonlySet<PlanViolation>, indent = "    "): string[] {
  const lines: string[] = [];
  for (const v of violations) {
    const level = style(v.level === "mandatory" ? ["red", "bold"] : "yellow", v.level);
    lines.push(`${indent}${fresh?.has(v) ? style("bold", "new ") : ""}${style("bold", v.policy)}  ${whereOf(v, style)}  ${level}`);
    lines.push(`${indent}  ${v.message.replace(/\n/g, `\n${indent}  `)}`);
    if (v.accepted) lines.push(`${indent}  ${style("green", `accepted until ${v.accepted.expires}:`)} ${v.accepted.reason}`);
  }
  return lines;
}

/** `rule × n` counts, one line each, sorted by rule. */
function countLines(violations: readonly PlanViolation[], indent: string): string[] {
  const counts = new Map<string, number>();
  for (const v of violations) counts.set(v.policy, (counts.get(v.policy) ?? 0) + 1);
  return [...counts].sort((a, b) => compare(a[0], b[0])).map(([p, n]) => `${indent}${p} × ${n}`);
}

/**
 * The policy section. Mandatory violations are always listed. With a base (and without
 * `showSames`), advisory violations are listed only when new; resolved ones are named; the
 * standing rest is counted by rule. Without a base, unaccepted advisories are listed and
 * accepted ones counted. `showSames` lists everything.
 */
function policyLines(doc: PlanDocument, diff: StackDiff | undefined, style: Style, showSames: boolean): string[] {
  const policy = doc.policy;
  if (!policy) return [style("bold", "Policy violations: not checked (--no-policy)")];
  const out: string[] = [];
  const all = policy.violations;
  const mandatory = all.filter((v) => v.level === "mandatory");
  const advisory = all.filter((v) => v.level !== "mandatory");
  const accepted = advisory.filter((v) => v.accepted);
  const open = advisory.filter((v) => !v.accepted);
  out.push(
    style(
      "bold",
      `Policy violations (${policy.pack}, ${policy.policies.length} policies): ${mandatory.length} mandatory, ${open.length} advisory` +
        (accepted.length > 0 ? ` (+${accepted.length} accepted by exceptions)` : ""),
    ),
  );
  const fresh = new Set(diff?.policy.added ?? []);
  if (diff) out.push(`  since the base: ${diff.policy.added.length} new, ${diff.policy.resolved.length} resolved`);
  if (showSames || !diff) {
    if (mandatory.length > 0) out.push(`  ${style(["red", "bold"], "mandatory")} (${mandatory.length})`, ...violationLines(mandatory, style, fresh));
    if (open.length > 0) out.push(`  ${style("yellow", "advisory")} (${open.length})`, ...violationLines(open, style, fresh));
    if (accepted.length > 0) {
      out.push(`  ${style("green", "accepted")} (${accepted.length})`);
      out.push(...(showSames ? violationLines(accepted, style, fresh) : countLines(accepted, "    ")));
    }
  } else {
    const added = all.filter((v) => fresh.has(v));
    if (added.length > 0) out.push(`  ${style("bold", "new")} (${added.length})`, ...violationLines(added, style));
    if (diff.policy.resolved.length > 0) {
      out.push(`  ${style("green", "resolved")} (${diff.policy.resolved.length})`);
      for (const v of diff.policy.resolved) out.push(`    ${style("bold", v.policy)}  ${whereOf(v, style)}  ${v.level}`);
    }
    const standingMandatory = mandatory.filter((v) => !fresh.has(v));
    if (standingMandatory.length > 0)
      out.push(`  ${style(["red", "bold"], "mandatory, standing")} (${standingMandatory.length})`, ...violationLines(standingMandatory, style));
    const standingOpen = open.filter((v) => !fresh.has(v));
    const standingAccepted = accepted.filter((v) => !fresh.has(v));
    if (standingOpen.length > 0)
      out.push(`  ${style("yellow", "advisory, standing, not accepted")} (${standingOpen.length}):`, ...countLines(standingOpen, "    "));
    if (standingAccepted.length > 0) out.push(`  ${style("dim", `advisory, standing, accepted by exceptions: ${standingAccepted.length}`)}`);
    if (standingOpen.length + standingAccepted.length > 0) out.push(`  ${style("dim", "(--show-sames lists every violation; the plan file has them all)")}`);
  }
  if (all.length === 0) out.push(`  ${style("green", "none")}`);
  return out;
}

/** The exceptions file's report: accepted counts, and every expired, unused or mandatory-matching entry. */
export function renderExceptions(report: ExceptionReport, options: { style?: Style } = {}): string {
  const style = options.style ?? makeStyle(false);
  const accepted = Object.entries(report.accepted)
    .map(([stack, n]) => `${stack} ${n}`)
    .join(", ");
  const out = [`${style("bold", `Exceptions (${report.file}):`)} ${report.entries} entries; accepted advisories: ${accepted || "none"}`];
  for (const f of report.findings) {
    const mark = f.kind === "unused" ? style("yellow", "! unused") : style(["red", "bold"], `✗ ${f.kind}`);
    out.push(`  ${mark}  #${f.entry + 1} ${style("bold", f.rule)} ${f.resource}: ${f.message}`);
  }
  if (report.findings.length === 0) out.push(`  ${style("green", "ok")} — no entry expired, none unused in the stacks planned`);
  return `${out.join("\n")}\n`;
}

function secretFlowLines(findings: readonly SecretFlowFinding[], doc: PlanDocument, style: Style): string[] {
  if (findings.length === 0) {
    return [
      `Secret flow: ${style("green", "ok")} — ${doc.placeholders.length} secret config values traced; none reaches an input, an output or a log without the secret marker`,
    ];
  }
  const lines = [`Secret flow: ${style(["red", "bold"], `FAILED`)} — ${findings.length} place(s) hold a secret value without the secret marker:`];
  for (const f of findings) {
    const where = f.urn ? `${f.urn.split("::").pop()} (${f.type ?? shortType(f.urn.split("::")[2] ?? "")})` : "the program's";
    lines.push(
      `  ${style("red", "✗")} ${where} ${f.where}${f.path ? ` \`${f.path}\`` : ""} ← \`${f.key}\`${f.encoding === "base64" ? " (base64-encoded)" : ""}`,
    );
  }
  lines.push(
    "  Fix: keep the value an Output from `config.requireSecret` (or wrap it in `pulumi.secret(...)`) all the way to the input; never `unsecret` it or build strings from it outside `.apply` on the secret.",
  );
  return lines;
}

function deadAlertLines(doc: PlanDocument, style: Style): string[] {
  const findings = doc.deadAlerts ?? [];
  if (findings.length === 0)
    return [
      `Alert sources: ${style("green", "ok")} — every selector of every alert reads series that a source of this stack or a cluster prerequisite produces`,
    ];
  const alerts = new Set(findings.map((f) => `${f.where}`)).size;
  const lines = [
    `Alert sources: ${style(["red", "bold"], "FAILED")} — ${alerts} alert(s) can never fire (${findings.length} selector(s) match no series source):`,
  ];
  for (const f of findings) {
    const [first, ...rest] = f.message.split("\n");
    lines.push(`  ${style("red", "✗")} ${first}`);
    for (const l of rest) lines.push(`    ${l}`);
  }
  return lines;
}

/** The full terminal report of one stack. */
export function renderReport(plan: PlanSuccess, diff?: StackDiff, base?: PlanDocument, options: ReportOptions = {}): string {
  const style = options.style ?? makeStyle(false);
  const doc = plan.doc;
  const out: string[] = [];
  out.push(
    style("bold", `Plan ${doc.project}/${doc.stack}`) +
      style("dim", ` — offline: Pulumi's runner against a recording engine, ${doc.placeholders.length} secrets as placeholders, no credentials`),
  );
  if (diff) out.push(style("dim", `Compared with ${diff.baseLabel}`));
  out.push("");
  const showSames = options.showSames === true || !diff;
  const root = buildTree(doc, diff, base);
  if (root) out.push(...renderTree(root, style, options.details ?? false, !showSames));
  if (diff && !showSames) {
    if (diff.changes.length === 0) out.push(style("dim", "   no resource changes"));
    out.push(style("dim", `   ${diff.counts.same} unchanged resources hidden (--show-sames to show them)`));
  }
  out.push("");

  if (diff && diff.changes.some((c) => c.properties.length > 0)) {
    out.push(style("bold", "Changes:"));
    for (const c of diff.changes) {
      if (c.kind === "create" || c.kind === "delete" || c.properties.length === 0) continue;
      const m = MARK[c.kind];
      out.push(`  ${style(m.colour, m.sign)} ${c.name} ${style("dim", `(${c.type})`)}${c.protect ? style(["red", "bold"], " [protected]") : ""}`);
      if (c.replaceReasons.length > 0) out.push(`      ${style("magenta", `replaced because: ${c.replaceReasons.join(", ")}`)}`);
      for (const p of c.properties) out.push(`      ${describeChange(p)}`);
    }
    out.push("");
  }
  if (diff && diff.outputs.length > 0) {
    out.push(style("bold", "Outputs:"));
    for (const p of diff.outputs) out.push(`    ${describeChange(p)}`);
    out.push("");
  }

  out.push(style("bold", "Resources:"));
  if (diff) {
    for (const kind of ["create", "update", "replace", "delete"] as const) {
      const n = diff.counts[kind];
      if (n > 0) out.push(`    ${style(MARK[kind].colour, `${MARK[kind].sign} ${n} ${MARK[kind].verb}`)}`);
    }
    out.push(`      ${diff.counts.same} unchanged`);
    const touched = diff.changes.filter((c) => c.protect && c.kind !== "create");
    if (touched.length > 0)
      out.push(`    ${style(["red", "bold"], `${touched.length} protected resource(s) touched: ${touched.map((c) => `${c.name} (${c.kind})`).join(", ")}`)}`);
  } else {
    out.push(`    ${doc.summary.resources} resources of ${Object.keys(doc.summary.byType).length} types`);
  }
  if (showSames) {
    const types = Object.entries(doc.summary.byType).sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
    const width = Math.max(...types.map(([, n]) => String(n).length));
    for (const [type, n] of types) out.push(`    ${String(n).padStart(width)} ${type}`);
  }
  out.push("");

  out.push(...policyLines(doc, diff, style, options.showSames === true));
  out.push("");
  out.push(...secretFlowLines(doc.secretFlow, doc, style));
  out.push(...deadAlertLines(doc, style));
  if (plan.diagnostics.length > 0) {
    out.push("");
    out.push(style("bold", "Diagnostics:"));
    for (const d of plan.diagnostics) out.push(`  ${d.severity === "warning" ? style("yellow", "warning") : d.severity}: ${d.message}`);
  }
  if (options.planFile) {
    out.push("");
    out.push(style("dim", `Wrote ${options.planFile}`));
  }
  return `${out.join("\n")}\n`;
}

/** The report of a stack whose program or config failed. */
export function renderFailure(plan: PlanFailure, options: { style?: Style; context?: string } = {}): string {
  const style = options.style ?? makeStyle(false);
  return `${style(["red", "bold"], `error:`)} plan of stack ${plan.stack}${options.context ? ` (${options.context})` : ""} failed:\n${plan.error.replace(/^/gm, "  ")}\n`;
}
