/**
 * `npm run plan` on tests/fixtures/plan-program, a tiny program that can keep its secrets, leak
 * them, break a mandatory policy or throw — one exit code each — and, in a git repository, the
 * diff against a git ref planned in a temporary worktree.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanDocument } from "../../tools/plan/json";
import { makeFixtureRepo, PLAN_FIXTURE, readJson, runCli, tempDir, type CliResult } from "./helpers";

const out = tempDir("plan-fixture-test");
const repo = makeFixtureRepo();
const runs: Record<"gitDiff" | "leak" | "violation" | "fail" | "noStack", CliResult> = {} as never;

beforeAll(async () => {
  // The pull request: a committed base, and a working tree that changes one config value.
  fs.appendFileSync(path.join(repo.dir, "Pulumi.dev.yaml"), "  plan-fixture:greeting: hi\n");
  const fixture = (...args: string[]) => runCli(["--project", PLAN_FIXTURE, "--stack", "dev", "-q", ...args]);
  [runs.gitDiff, runs.leak, runs.violation, runs.fail, runs.noStack] = await Promise.all([
    runCli(["--project", repo.dir, "--stack", "dev", "--diff", "HEAD", "--out", path.join(out, "git"), "--json", "-q"]),
    fixture("--config", "mode=leak", "--no-policy", "--json", "--out", path.join(out, "leak")),
    fixture("--config", "mode=violation", "--out", path.join(out, "violation")),
    fixture("--config", "mode=fail", "--no-policy", "--out", path.join(out, "fail")),
    runCli(["--project", PLAN_FIXTURE, "--stack", "nope", "-q", "--no-policy", "--out", path.join(out, "nope")]),
  ]);
}, 180_000);

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(repo.dir, { recursive: true, force: true });
});

describe("exit codes", () => {
  it("0: clean — secrets stay secret and no mandatory violation", () => {
    expect(runs.gitDiff.stderr).toBe("");
    expect(runs.gitDiff.code).toBe(0);
    const head = JSON.parse(runs.gitDiff.stdout).stacks[0].plan as PlanDocument;
    expect(head.secretFlow).toEqual([]);
    expect(head.summary.violations.mandatory).toBe(0);
    // Both kinds of secret keys got placeholders: `secure:` in the stack file and declared-but-absent.
    expect(head.placeholders).toEqual(["plan-fixture:apiKey", "plan-fixture:token"]);
    const settings = head.resources.find((r) => r.name === "fixture-settings")!;
    expect(settings.inputs.data).toEqual({ ACCOUNT: "123456789012", GREETING: "hi", ZONE_ID: "0123456789abcdef0123456789abcdef" });
    expect(head.resources.find((r) => r.name === "fixture-credentials")!.inputs.stringData).toBe("[secret]");
  });

  it("1: a secret reaching inputs without the secret marker fails with resource and property path", () => {
    expect(runs.leak.code).toBe(1);
    const doc = JSON.parse(runs.leak.stdout).stacks[0].plan as PlanDocument;
    expect(doc.policy).toBeNull();
    expect(doc.secretFlow).toEqual([
      { encoding: "plain", key: "plan-fixture:token", path: "", where: "log" },
      {
        encoding: "base64",
        key: "plan-fixture:apiKey",
        path: "binaryData.API_KEY",
        type: "kubernetes:core/v1:ConfigMap",
        urn: "urn:pulumi:dev::plan-fixture::kubernetes:core/v1:ConfigMap::fixture-encoded",
        where: "inputs",
      },
      {
        encoding: "plain",
        key: "plan-fixture:token",
        path: "data.LEAKED",
        type: "kubernetes:core/v1:ConfigMap",
        urn: "urn:pulumi:dev::plan-fixture::kubernetes:core/v1:ConfigMap::fixture-settings",
        where: "inputs",
      },
    ]);
    // The leaked values are redacted in the plan too.
    expect(runs.leak.stdout).not.toContain("SENTINEL");
    expect(doc.resources.find((r) => r.name === "fixture-settings")!.inputs.data).toMatchObject({ LEAKED: "[secret]" });
  });

  it("1: a mandatory policy violation, found by the pack through its analyzer server", () => {
    expect(runs.violation.code).toBe(1);
    const doc = readJson<PlanDocument>(path.join(out, "violation", "dev.json"));
    expect(doc.secretFlow).toEqual([]);
    const mandatory = doc.policy!.violations.filter((v) => v.level === "mandatory");
    expect(mandatory.length).toBeGreaterThan(0);
    expect(new Set(mandatory.map((v) => v.urn))).toEqual(new Set(["urn:pulumi:dev::plan-fixture::kubernetes:apps/v1:Deployment::fixture-web"]));
    expect(runs.violation.stdout).toMatch(/Policy violations \(app-platform@[^)]*\): [1-9]\d* mandatory/);
    expect(runs.violation.stdout).toMatch(/ {2}mandatory \(\d+\)\n {4}\S+ {2}fixture-web \(Deployment\)/);
  });

  it("2: the program throws — its message and where, no stack dump, no plan file", () => {
    expect(runs.fail.code).toBe(2);
    expect(runs.fail.stderr).toMatch(
      /plan of stack dev failed:\n {2}Error: plan-fixture was asked to fail: config `plan-fixture:mode` is fail\n {2}\(at index\.ts:\d+\)/,
    );
    expect(runs.fail.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(out, "fail", "dev.json"))).toBe(false);
  });

  it("2: a stack without a stack file", () => {
    expect(runs.noStack.code).toBe(2);
    expect(runs.noStack.stderr).toMatch(/no stack file .*Pulumi\.nope\.yaml for stack 'nope' \(stacks here: dev\)/);
  });
});

describe("--diff <git ref>", () => {
  it("plans the ref in a temporary worktree and diffs the working tree against it", () => {
    const diff = JSON.parse(runs.gitDiff.stdout).stacks[0].diff;
    expect(diff.baseLabel).toMatch(/^git HEAD \([0-9a-f]{12}\)$/);
    expect(diff.counts).toEqual({ create: 0, update: 0, replace: 1, delete: 0, same: 3 });
    const settings = diff.changes.find((c: { name: string }) => c.name === "fixture-settings");
    // ConfigMap data is force-new in the Kubernetes provider.
    expect(settings).toMatchObject({
      kind: "replace",
      replaceReasons: ["data"],
      properties: [{ path: "data.GREETING", kind: "update", before: "hello", after: "hi" }],
    });
    expect(diff.outputs).toEqual([{ path: "settings.greeting", kind: "update", before: "hello", after: "hi" }]);
    expect(readJson(path.join(out, "git", "base", "dev.json")).resources.length).toBe(4);
  });

  it("writes the comment and the full report, and removes the worktree", () => {
    const md = fs.readFileSync(path.join(out, "git", "diff.md"), "utf8");
    expect(md).toContain('`data.GREETING`: `"hello"` → `"hi"`');
    // The comment counts the fixture's standing advisories; the full report (the artifact) lists each.
    const full = fs.readFileSync(path.join(out, "git", "diff.full.md"), "utf8");
    expect(md).toMatch(/- `kubernetes-missing-recommended-labels` × 2 \(\*\*2 not accepted\*\*\)/);
    expect(full).toContain('`data.GREETING`: `"hello"` → `"hi"`');
    expect(full).toMatch(/- `kubernetes-missing-recommended-labels` — `fixture-settings` \(ConfigMap\) \*\*not accepted\*\*: /);
    expect(repo.git("worktree", "list", "--porcelain").match(/^worktree /gm)).toHaveLength(1);
    expect(repo.git("status", "--porcelain")).toBe("M Pulumi.dev.yaml");
  });
});
