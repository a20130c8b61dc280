/**
 * Checks `docs/runbooks` against the alerts the stacks register: one `<AlertName>.md` per alert
 * name, no runbook for an alert that does not exist, each runbook with the four sections an
 * on-call engineer reads in order, and each alert's `runbook_url` pointing at its own file.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The sections every runbook has, as `## ` headings, in this order. */
export const RUNBOOK_SECTIONS = ["What it means", "First checks", "Mitigation", "Escalation"] as const;

/** Folder of the runbooks, relative to the repository root. */
export const RUNBOOK_DIR = "docs/runbooks";

/** An alert as the rule files carry it. */
export interface AlertRef {
  readonly alert: string;
  /** The `runbook_url` annotation. */
  readonly runbookUrl?: string;
  /** Where it comes from, for messages (e.g. `prod codebook-prod-codebook-alerts-rules.yaml`). */
  readonly source: string;
}

/** Problems of the runbook folder `dir` against `alerts`, expecting `runbook_url` = `<base>/<AlertName>.md`. */
export function checkRunbooks(alerts: readonly AlertRef[], dir: string, base: string): string[] {
  const problems: string[] = [];
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".md")) : [];
  const runbooks = new Set(files.map((f) => f.slice(0, -".md".length)));
  const names = new Set(alerts.map((a) => a.alert));
  for (const name of [...names].sort()) {
    if (!runbooks.has(name)) {
      const where = alerts.filter((a) => a.alert === name).map((a) => a.source);
      problems.push(`alert ${name} (${where.join(", ")}) has no runbook; write ${RUNBOOK_DIR}/${name}.md`);
    }
  }
  for (const name of [...runbooks].sort()) {
    if (!names.has(name)) problems.push(`${RUNBOOK_DIR}/${name}.md names no alert either stack registers; rename or delete it`);
    const text = fs.readFileSync(path.join(dir, `${name}.md`), "utf8");
    if (!text.startsWith(`# ${name}\n`)) problems.push(`${RUNBOOK_DIR}/${name}.md must start with the heading \`# ${name}\``);
    const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim());
    const order = RUNBOOK_SECTIONS.map((s) => headings.indexOf(s));
    for (let i = 0; i < RUNBOOK_SECTIONS.length; i++) {
      const s = RUNBOOK_SECTIONS[i];
      if (order[i] < 0) {
        problems.push(`${RUNBOOK_DIR}/${name}.md has no \`## ${s}\` section`);
        continue;
      }
      const start = text.indexOf(`## ${s}`) + s.length + 3;
      const next = text.slice(start).search(/^## /m);
      const body = (next < 0 ? text.slice(start) : text.slice(start, start + next)).trim();
      if (body.length < 20) problems.push(`${RUNBOOK_DIR}/${name}.md's \`## ${s}\` section is empty`);
    }
    if (order.every((o) => o >= 0) && order.some((o, i) => i > 0 && o < order[i - 1])) {
      problems.push(`${RUNBOOK_DIR}/${name}.md's sections are out of order; expected ${RUNBOOK_SECTIONS.join(", ")}`);
    }
  }
  const want = base.replace(/\/+$/, "");
  for (const a of alerts) {
    if (a.runbookUrl !== `${want}/${a.alert}.md`) {
      problems.push(`alert ${a.alert} (${a.source}) links to runbook "${a.runbookUrl}", expected "${want}/${a.alert}.md"`);
    }
  }
  return problems;
}
