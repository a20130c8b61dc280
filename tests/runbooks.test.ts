/**
 * Every alert the committed stacks register has a runbook in docs/runbooks, every runbook names
 * an alert, each has the four sections, and each alert links to its own file under the default
 * `runbookBaseUrl` (the repository on GitHub). The fixtures prove each check can fail.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRunbookBaseUrl } from "../infra/config-keys";
import { parseStackConfig } from "../infra/config";
import { allSecretKeys } from "../infra/secrets";
import { readProject, readStackConfig } from "../tools/engine/harness/project";
import { exportRuleFiles } from "../tools/export-rules";
import { RUNBOOK_DIR, checkRunbooks, type AlertRef } from "../tools/runbooks";
import { committedStackRun } from "./helpers/stack-runs";

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, RUNBOOK_DIR);
const alerts: Record<string, AlertRef[]> = {};
const bases: Record<string, string> = {};

beforeAll(async () => {
  const project = readProject(ROOT);
  for (const stack of ["staging", "prod"]) {
    const run = await committedStackRun(stack);
    expect(run.ok, run.stderr).toBe(true);
    alerts[stack] = exportRuleFiles(run.resources).flatMap((f) =>
      f.groups.flatMap((g) =>
        (g.rules ?? []).flatMap((r) => {
          const rule = r as { alert?: string; annotations?: { runbook_url?: string } };
          return rule.alert ? [{ alert: rule.alert, runbookUrl: rule.annotations?.runbook_url, source: `${stack} ${f.fileName}` }] : [];
        }),
      ),
    );
    const cfg = parseStackConfig(readStackConfig(project, stack).values, stack, new Set(allSecretKeys().map((s) => s.key)));
    bases[stack] = cfg.runbookBaseUrl;
  }
}, 120_000);

describe("docs/runbooks against the committed stacks", () => {
  it("the stacks use the default runbook base: this repository's docs/runbooks on GitHub", () => {
    for (const stack of ["staging", "prod"]) {
      const project = readProject(ROOT);
      const org = readStackConfig(project, stack).values["app-platform:gitOrganization"] as string;
      expect(bases[stack]).toBe(defaultRunbookBaseUrl(org));
      expect(alerts[stack].length).toBeGreaterThan(20);
    }
  });

  it("every alert of both stacks has a runbook with the four sections, every runbook names an alert, every link is the alert's file", () => {
    // Per stack: each alert has its file and links to it under that stack's base. A runbook only
    // has to name an alert of one of the stacks, so "names no alert" is judged on the union.
    const union = [...alerts.staging, ...alerts.prod].map((a) => ({ alert: a.alert, source: a.source }));
    const problems = [
      ...checkRunbooks(alerts.staging, DIR, bases.staging).filter((p) => !p.includes("names no alert")),
      ...checkRunbooks(alerts.prod, DIR, bases.prod).filter((p) => !p.includes("names no alert")),
      ...checkRunbooks(union, DIR, bases.prod).filter((p) => p.includes("names no alert")),
    ];
    expect(problems).toEqual([]);
  });
});

/**
 * Alert names kube-prometheus-stack's default rules already use (the chart's
 * templates/prometheus/rules-1.14/general.rules.yaml, generated from kube-prometheus's
 * kubePrometheus-prometheusRule.yaml "general.rules" group). An alert of ours with one of these
 * names is grouped and routed together with the chart's own, so it notifies twice or is inhibited
 * by it: our names must differ.
 */
const KUBE_PROMETHEUS_STACK_GENERAL_ALERTS = ["TargetDown", "Watchdog", "InfoInhibitor"];

describe("our alert names do not collide with kube-prometheus-stack's defaults", () => {
  it("no alert of either stack is named like a chart default (TargetDown, Watchdog, InfoInhibitor)", () => {
    const ours = new Set([...alerts.staging, ...alerts.prod].map((a) => a.alert));
    expect(ours.size).toBeGreaterThan(20);
    expect(KUBE_PROMETHEUS_STACK_GENERAL_ALERTS.filter((n) => ours.has(n))).toEqual([]);
    // The scrape-target meta-alert is still there, under its own name.
    expect(ours.has("ScrapeTargetDown")).toBe(true);
  });
});

describe("the runbook check fails where it must", () => {
  let tmp: string;
  const base = "https://github.com/acme/app-platform/blob/main/docs/runbooks";
  const good = (name: string) =>
    `# ${name}\n\n## What it means\n\nThe thing is broken for five minutes.\n\n## First checks\n\n1. Look at the dashboard first.\n\n## Mitigation\n\n- Roll back the last deploy.\n\n## Escalation\n\n1. Primary on-call engineer.\n`;
  const ref = (alert: string): AlertRef => ({ alert, runbookUrl: `${base}/${alert}.md`, source: "fixture" });

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "runbooks-"));
    fs.writeFileSync(path.join(tmp, "Good.md"), good("Good"));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("passes a complete fixture", () => {
    expect(checkRunbooks([ref("Good")], tmp, base)).toEqual([]);
  });

  it("an alert without a runbook", () => {
    expect(checkRunbooks([ref("Good"), ref("Missing")], tmp, base).join("\n")).toContain("alert Missing (fixture) has no runbook");
  });

  it("a runbook that names no alert", () => {
    expect(checkRunbooks([], tmp, base).join("\n")).toContain("Good.md names no alert");
  });

  it("a runbook without a section, with an empty section, or out of order", () => {
    const d = fs.mkdtempSync(path.join(tmp, "bad-"));
    fs.writeFileSync(path.join(d, "NoEsc.md"), good("NoEsc").replace(/## Escalation[\s\S]*$/, ""));
    fs.writeFileSync(path.join(d, "Empty.md"), good("Empty").replace("- Roll back the last deploy.", ""));
    fs.writeFileSync(
      path.join(d, "Order.md"),
      "# Order\n\n## First checks\n\n1. Look at the dashboard first.\n\n## What it means\n\nThe thing is broken for five minutes.\n\n## Mitigation\n\n- Roll back the last deploy.\n\n## Escalation\n\n1. Primary on-call engineer.\n",
    );
    const out = checkRunbooks([ref("NoEsc"), ref("Empty"), ref("Order")], d, base).join("\n");
    expect(out).toContain("NoEsc.md has no `## Escalation` section");
    expect(out).toContain("Empty.md's `## Mitigation` section is empty");
    expect(out).toContain("Order.md's sections are out of order");
  });

  it("an alert linking somewhere else than its file", () => {
    const out = checkRunbooks([{ alert: "Good", runbookUrl: `${base}/good`, source: "fixture" }], tmp, base).join("\n");
    expect(out).toContain('links to runbook "https://github.com/acme/app-platform/blob/main/docs/runbooks/good"');
  });
});
