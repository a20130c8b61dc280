/**
 * What a reviewer sees (issue 22, "What reviewers see"): the PR comment and the terminal show what
 * changed — changed resources with their property diffs, new and resolved violations, counts of
 * the rest — and standing advisories are accepted in the reviewed exceptions file
 * (policies/exceptions.yaml), whose expired and unused entries are reported.
 *
 * Real runs, shared by the tests:
 * - the one-line change the issue measured: prod with `replicasCodebookApi=4` against the base
 *   plan of the same commit (a git repository whose commit is the app-platform program and its
 *   exceptions file; `--diff HEAD` plans the base in a temporary worktree, as plan.yml does);
 * - the plan fixture (tests/fixtures/plan-program, two advisory violations) with an exceptions
 *   file holding an expired entry, a current one and an unused one.
 * The rest renders synthetic plans, so each case is one small document.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffPlans, type StackDiff } from "../../tools/plan/diff";
import { applyExceptions, failsPlan, readExceptions, type Exceptions } from "../../tools/plan/exceptions";
import type { PlanDocument, PlanResource } from "../../tools/plan/json";
import { renderMarkdown } from "../../tools/plan/markdown";
import type { PlanViolation } from "../../tools/plan/policy";
import { renderReport } from "../../tools/plan/report";
import type { PlanSuccess } from "../../tools/plan/run";
import { makeVariantRepo, PLAN_FIXTURE, readJson, ROOT, runCli, tempDir, type CliResult } from "./helpers";

const out = tempDir("plan-review-test");
const repo = makeVariantRepo();
const runs: Record<"oneLine" | "staging" | "fixture", CliResult> = {} as never;
const fixtureExceptions = path.join(out, "fixture-exceptions.yaml");

beforeAll(async () => {
  // The pull request of one line: the committed program, unchanged, with one config override.
  repo.git("checkout", "--", "index.ts");
  // makeVariantRepo commits the project's reviewed exceptions (policies/exceptions.yaml) with it.
  fs.writeFileSync(
    fixtureExceptions,
    [
      "exceptions:",
      "  - rule: kubernetes-missing-recommended-labels",
      "    resource: fixture-settings",
      "    reason: accepted once, and the review lapsed since",
      '    expires: "2020-01-31"',
      "  - rule: kubernetes-missing-recommended-labels",
      "    resource: fixture-credentials",
      "    reason: the fixture stands in for a third-party chart's Secret",
      '    expires: "2099-12-31"',
      "  - rule: kubernetes-missing-recommended-labels",
      "    resource: fixture-gone-*",
      "    reason: a resource this program no longer has",
      '    expires: "2099-12-31"',
      "",
    ].join("\n"),
  );
  // One run at a time, with generous time limits: the machine the suite runs on may be shared
  // (alone, each plan takes ~20 s; the pack's start-up has a fixed 90 s limit).
  runs.oneLine = await runCli([
    "--project",
    repo.dir,
    "--stack",
    "prod",
    "--config",
    "replicasCodebookApi=4",
    "--diff",
    "HEAD",
    "--out",
    path.join(out, "one-line"),
    "-q",
    "--timeout",
    "900",
  ]);
  runs.staging = await runCli(["--stack", "staging", "-q", "--out", path.join(out, "staging"), "--timeout", "900"]);
  runs.fixture = await runCli([
    "--project",
    PLAN_FIXTURE,
    "--stack",
    "dev",
    "-q",
    "--exceptions",
    fixtureExceptions,
    "--out",
    path.join(out, "fixture"),
    "--timeout",
    "900",
  ]);
}, 1_800_000);

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(repo.dir, { recursive: true, force: true });
});

describe("the one-line change (replicasCodebookApi 3 → 4 against the base plan)", () => {
  const comment = () => fs.readFileSync(path.join(out, "one-line", "diff.md"), "utf8");

  it("plans cleanly: zero mandatory and zero unaccepted advisories in prod", () => {
    expect(runs.oneLine.stderr).toBe("");
    expect(runs.oneLine.code).toBe(0);
    const doc = readJson<PlanDocument>(path.join(out, "one-line", "prod.json"));
    const advisory = doc.policy!.violations.filter((v) => v.level !== "mandatory");
    expect(advisory.length).toBeGreaterThan(0);
    expect(advisory.filter((v) => !v.accepted).map((v) => `${v.policy} ${v.urn}`)).toEqual([]);
    expect(doc.summary.violations).toEqual({ mandatory: 0, advisory: advisory.length, accepted: advisory.length });
  });

  it("writes a PR comment under 4,000 characters that shows the change, and counts the standing advisories", () => {
    const md = comment();
    expect(md.length).toBeLessThan(4_000);
    expect(md).toContain("### `prod` — 1 to update");
    // Codebook's API autoscales (seed 001 §6.2): replicasCodebookApi is the HPA's floor.
    expect(md).toContain("- 🟡 update `codebook-api-hpa` (HorizontalPodAutoscaler)\n  - `spec.minReplicas`: `3` → `4`");
    expect(md).toMatch(/· 0 new, 0 resolved/);
    expect(md).toMatch(/<details><summary>Standing advisory violations \(\d+: 0 not accepted, \d+ accepted\)<\/summary>/);
    // 3 backup buckets and 14 log buckets (productLogs: 5 audit, 3 × 3 S3 classes).
    expect(md).toMatch(/- `aws-enable-backup-replication` × 17\n/);
    // The full list is one click away: the full report in the artifact names every violation.
    const full = fs.readFileSync(path.join(out, "one-line", "diff.full.md"), "utf8");
    expect(md).toContain("diff.full.md");
    expect(full).toMatch(/- `aws-enable-backup-replication` — `codebook-backups-bucket` \(Bucket\) _\(accepted until \d{4}-\d{2}-\d{2}\)_: /);
  });

  it("prints the changed resource under its components, not the whole tree; the rest as a count", () => {
    const t = runs.oneLine.stdout;
    expect(t).toMatch(/\n~ {2}[│ ]+└─ codebook-api-hpa \(HorizontalPodAutoscaler\)\n/);
    expect(t).toMatch(/ {3}\d+ unchanged resources hidden \(--show-sames to show them\)/);
    expect(t).not.toContain("voyager-web");
    expect(t).not.toContain("kubernetes:core/v1:Secret"); // the counts by type
    expect(t).toContain("spec.minReplicas: 3 → 4");
    expect(t).toMatch(/since the base: 0 new, 0 resolved\n {2}advisory, standing, accepted by exceptions: \d+\n/);
    const plan = t.slice(t.indexOf("Plan app-platform/prod"), t.indexOf("Wrote "));
    expect(plan.split("\n").length).toBeLessThan(40);
  });
});

describe("the staging stack", () => {
  it("has zero mandatory and zero unaccepted advisories; the report counts the accepted ones", () => {
    expect(runs.staging.stderr).toBe("");
    expect(runs.staging.code).toBe(0);
    const doc = readJson<PlanDocument>(path.join(out, "staging", "staging.json"));
    const advisory = doc.policy!.violations.filter((v) => v.level !== "mandatory");
    expect(advisory.filter((v) => !v.accepted).map((v) => `${v.policy} ${v.urn}`)).toEqual([]);
    expect(doc.summary.violations).toEqual({ mandatory: 0, advisory: advisory.length, accepted: advisory.length });
    expect(runs.staging.stdout).toMatch(/: 0 mandatory, 0 advisory \(\+\d+ accepted by exceptions\)\n {2}accepted \(\d+\)\n/);
    expect(runs.staging.stdout).toMatch(/Exceptions \(policies\/exceptions\.yaml\): \d+ entries; accepted advisories: staging \d+\n {2}ok/);
  });
});

describe("the exceptions file", () => {
  it("reports an expired entry (the plan fails, the violation is not accepted) and an unused one; a current one accepts", () => {
    expect(runs.fixture.code).toBe(1);
    const t = runs.fixture.stdout;
    expect(t).toMatch(/✗ expired {2}#1 kubernetes-missing-recommended-labels fixture-settings: expired on 2020-01-31/);
    expect(t).toMatch(/! unused {2}#3 kubernetes-missing-recommended-labels fixture-gone-\*: matched no violation/);
    const doc = readJson<PlanDocument>(path.join(out, "fixture", "dev.json"));
    const byName = new Map(doc.policy!.violations.map((v) => [v.urn?.split("::").pop(), v]));
    expect(byName.get("fixture-settings")!.accepted).toBeUndefined();
    expect(byName.get("fixture-credentials")!.accepted).toEqual({
      entry: 1,
      reason: "the fixture stands in for a third-party chart's Secret",
      expires: "2099-12-31",
    });
    expect(doc.summary.violations.accepted).toBe(1);
  });

  it("the committed file is valid and every entry carries a rule, a resource, a reason and a future expiry", () => {
    const x = readExceptions(path.join(ROOT, "policies/exceptions.yaml"));
    expect(x.entries.length).toBeGreaterThan(0);
    for (const e of x.entries) {
      expect(e.reason.length).toBeGreaterThan(40);
      expect(e.expires > new Date().toISOString().slice(0, 10)).toBe(true);
    }
  });

  it("refuses an entry without a reason or with a bad date, naming the entry and the field", () => {
    const file = path.join(out, "bad.yaml");
    fs.writeFileSync(file, "exceptions:\n  - rule: aws-enable-backup-replication\n    resource: x\n    expires: 2027-02-30\n");
    expect(() => readExceptions(file, "bad.yaml")).toThrow(
      /bad\.yaml is not a valid exceptions file:\n {2}exceptions\[0\]\.reason: .*\n {2}exceptions\[0\]\.expires: a real calendar date/,
    );
  });
});

// ---- synthetic plans ----

const URN = (type: string, name: string) => `urn:pulumi:prod::p::${type}::${name}`;
const STACK_URN = URN("pulumi:pulumi:Stack", "p-prod");

function res(type: string, name: string, inputs: Record<string, unknown> = {}, parent = STACK_URN): PlanResource {
  return {
    urn: URN(type, name),
    type,
    name,
    custom: !type.startsWith("pulumi:pulumi") && !type.startsWith("app:"),
    parent,
    protect: false,
    inputs,
  } as PlanResource;
}

function doc(resources: PlanResource[], violations: PlanViolation[]): PlanDocument {
  return {
    format: "app-platform-plan/1",
    project: "p",
    stack: "prod",
    placeholders: [],
    summary: {
      resources: resources.length,
      byType: {},
      violations: { mandatory: violations.filter((v) => v.level === "mandatory").length, advisory: violations.filter((v) => v.level !== "mandatory").length },
      secretFlow: 0,
      deadAlerts: 0,
    },
    resources,
    outputs: {},
    policy: { pack: "pack@1", policies: [], violations },
    secretFlow: [],
    deadAlerts: [],
  };
}

const success = (d: PlanDocument): PlanSuccess => ({
  ok: true,
  stack: d.stack,
  doc: d,
  diagnostics: [],
  exitCode: 0,
  timings: { programMs: 0, policyMs: 0, totalMs: 0 },
});

function pair(): { base: PlanDocument; head: PlanDocument; standing: PlanViolation; fresh: PlanViolation } {
  const stackRes = { urn: STACK_URN, type: "pulumi:pulumi:Stack", name: "p-prod", custom: false, protect: false, inputs: {} } as PlanResource;
  const api = res("app:Service", "api");
  const web = res("app:Service", "web");
  const common = [stackRes, api, web, res("kubernetes:core/v1:ConfigMap", "web-config", { data: { A: "1" } }, web.urn)];
  const standing: PlanViolation = {
    policy: "rule-standing",
    level: "advisory",
    message: "standing finding",
    urn: URN("kubernetes:core/v1:ConfigMap", "web-config"),
  };
  const fresh: PlanViolation = {
    policy: "rule-fresh",
    level: "advisory",
    message: "a finding this change brings",
    urn: URN("kubernetes:apps/v1:Deployment", "api-deployment"),
  };
  const base = doc([...common, res("kubernetes:apps/v1:Deployment", "api-deployment", { spec: { replicas: 3 } }, api.urn)], [standing]);
  const head = doc([...common, res("kubernetes:apps/v1:Deployment", "api-deployment", { spec: { replicas: 4 } }, api.urn)], [standing, fresh]);
  return { base, head, standing, fresh };
}

const accepting = (rule: string, resource: string): Exceptions => ({
  file: "policies/exceptions.yaml",
  entries: [{ rule, resource, reason: "accepted for the test, with a reason long enough", expires: "2099-01-01" }],
});

describe("unchanged resources", () => {
  it("are hidden by default, as pulumi preview hides them, and shown with --show-sames", () => {
    const { base, head } = pair();
    const diff: StackDiff = diffPlans(base, head, "base");
    const hidden = renderReport(success(head), diff, base);
    expect(hidden).toMatch(/~ {2}[│ ]+└─ api-deployment \(Deployment\)/);
    expect(hidden).not.toContain("web-config");
    expect(hidden).not.toMatch(/─ web \(/);
    // The stack, two components and a ConfigMap did not change.
    expect(hidden).toContain("4 unchanged resources hidden (--show-sames to show them)");
    const shown = renderReport(success(head), diff, base, { showSames: true, details: true });
    expect(shown).toMatch(/─ web \(app:Service\)/);
    expect(shown).toMatch(/─ web-config \(ConfigMap\)/);
    expect(shown).not.toContain("hidden");
  });
});

describe("violations against the base", () => {
  it("a new advisory not in the exceptions shows as new, in the comment and the terminal; the standing accepted one is only counted", () => {
    const { base, head, fresh } = pair();
    const applied = applyExceptions([head], accepting("rule-standing", "web-*"), "2026-12-06");
    const h = applied.docs[0];
    expect(applied.report.findings).toEqual([]);
    const diff = diffPlans(base, h, "base");
    expect(diff.policy.added.map((v) => v.policy)).toEqual([fresh.policy]);
    const md = renderMarkdown([{ stack: "prod", plan: success(h), diff }]).comment;
    expect(md).toContain("| `prod` | 0 | 1 | 0 | 0 | 0 | 1 | 1 | ✅ |");
    expect(md).toContain("<details open><summary><b>New advisory violations (1, 1 new)</b></summary>");
    expect(md).toContain("- 🆕 `rule-fresh` — `api-deployment` (Deployment): a finding this change brings");
    expect(md).not.toContain("standing finding");
    expect(md).toContain("Standing advisory violations (1: 0 not accepted, 1 accepted)");
    const t = renderReport(success(h), diff, base);
    expect(t).toMatch(/ {2}new \(1\)\n {4}rule-fresh {2}api-deployment \(Deployment\) {2}advisory\n {6}a finding this change brings\n/);
    expect(t).not.toContain("standing finding");
  });

  it("a resolved violation is named; accepting the new one in the same change still shows it as new, with its expiry", () => {
    const { base, head, fresh } = pair();
    const applied = applyExceptions([head], accepting("rule-fresh", "api-*"), "2026-12-06");
    const diff = diffPlans(base, applied.docs[0], "base");
    const md = renderMarkdown([{ stack: "prod", plan: success(applied.docs[0]), diff }]).comment;
    expect(md).toContain("- 🆕 `rule-fresh` — `api-deployment` (Deployment) _(accepted until 2099-01-01)_: a finding this change brings");
    const back = diffPlans(applied.docs[0], base, "head");
    const md2 = renderMarkdown([{ stack: "prod", plan: success(base), diff: back }]).comment;
    expect(md2).toContain(`<details><summary><b>Resolved violations (1)</b></summary>\n\n- \`${fresh.policy}\` — \`api-deployment\` (Deployment) (advisory)`);
  });
});

describe("applying exceptions", () => {
  const v = (policy: string, name: string, level: "advisory" | "mandatory" = "advisory", message = "m"): PlanViolation => ({
    policy,
    level,
    message,
    urn: URN("kubernetes:apps/v1:Deployment", name),
  });

  it("an expired entry accepts nothing and fails the plan; the day it expires it still holds", () => {
    const x: Exceptions = { file: "f", entries: [{ rule: "r", resource: "a", reason: "reason long enough for the schema", expires: "2026-12-05" }] };
    const late = applyExceptions([doc([], [v("r", "a")])], x, "2026-12-06");
    expect(late.docs[0].policy!.violations[0].accepted).toBeUndefined();
    expect(late.report.findings.map((f) => f.kind)).toEqual(["expired"]);
    expect(failsPlan(late.report)).toBe(true);
    const onTime = applyExceptions([doc([], [v("r", "a")])], x, "2026-12-05");
    expect(onTime.docs[0].policy!.violations[0].accepted?.entry).toBe(0);
    expect(failsPlan(onTime.report)).toBe(false);
  });

  it("an unused entry is reported but does not fail; an entry for a stack not planned is not judged", () => {
    const x: Exceptions = {
      file: "f",
      entries: [
        { rule: "r", resource: "gone", reason: "reason long enough for the schema", expires: "2099-01-01" },
        { rule: "r", resource: "a", stacks: ["staging"], reason: "reason long enough for the schema", expires: "2099-01-01" },
      ],
    };
    const r = applyExceptions([doc([], [v("r", "a")])], x, "2026-12-06");
    expect(r.report.findings.map((f) => [f.kind, f.entry])).toEqual([["unused", 0]]);
    expect(failsPlan(r.report)).toBe(false);
    // The staging-only entry does not accept prod's violation.
    expect(r.docs[0].policy!.violations[0].accepted).toBeUndefined();
  });

  it("never accepts a mandatory violation, and says so; a message pattern narrows an entry to one finding", () => {
    const x: Exceptions = {
      file: "f",
      entries: [
        { rule: "m", resource: "*", reason: "reason long enough for the schema", expires: "2099-01-01" },
        {
          rule: "r",
          resource: "urn:pulumi:prod::p::kubernetes:apps/v1:Deployment::*",
          message: "*ephemeral-storage*",
          reason: "reason long enough for the schema",
          expires: "2099-01-01",
        },
      ],
    };
    const r = applyExceptions(
      [doc([], [v("m", "a", "mandatory"), v("r", "a", "advisory", "no ephemeral-storage limit"), v("r", "b", "advisory", "no cpu request")])],
      x,
      "2026-12-06",
    );
    const [mand, storage, cpu] = r.docs[0].policy!.violations;
    expect(mand.accepted).toBeUndefined();
    expect(storage.accepted?.entry).toBe(1);
    expect(cpu.accepted).toBeUndefined();
    expect(r.report.findings.map((f) => f.kind)).toEqual(["mandatory"]);
    expect(failsPlan(r.report)).toBe(true);
  });
});
