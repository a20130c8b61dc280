/**
 * `npm run plan` on the real program and the committed stacks, as a reviewer uses it.
 *
 * Three CLI runs at once, shared by every test: prod, staging with a broken config value, and a
 * pull request in miniature — a git repository whose commit is the app-platform program and whose
 * working tree has a real change: codebook replicas 3 → 4 (config override), a new environment
 * variable and a removed alert (tests/fixtures/plan-variant) — planned with `--diff HEAD --json`,
 * so its base is prod planned a second time, in a temporary git worktree.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { planFileText } from "../../tools/plan/json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allSecretKeys } from "../../infra/secrets";
import type { PlanDocument } from "../../tools/plan/json";
import { renderMarkdown } from "../../tools/plan/markdown";
import { renderReport } from "../../tools/plan/report";
import type { StackDiff } from "../../tools/plan/diff";
import { makeVariantRepo, readJson, ROOT, runCli, tempDir, type CliResult } from "./helpers";

const out = tempDir("plan-program-test");
const variant = makeVariantRepo();
const runs: Record<"text" | "broken" | "diff", CliResult> = {} as never;

beforeAll(async () => {
  [runs.text, runs.broken, runs.diff] = await Promise.all([
    runCli(["--stack", "prod", "--out", path.join(out, "a")]),
    runCli(["--stack", "staging", "--out", path.join(out, "g"), "--config", "ingressAddress=10.0.0.5x", "--no-policy", "-q"]),
    // --typecheck-pack: this run starts the pack type-checked, as the engine does; the first
    // transpiles it (the plan's default). Their prod plans must not differ by a byte.
    runCli([
      "--project",
      variant.dir,
      "--stack",
      "prod",
      "--config",
      "replicasCodebookApi=4",
      "--diff",
      "HEAD",
      "--out",
      path.join(out, "c"),
      "--json",
      "-q",
      "--typecheck-pack",
    ]),
  ]);
}, 180_000);

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(variant.dir, { recursive: true, force: true });
});

describe("plan of prod", () => {
  it("exits 0 or 1 exactly as the policy results, the secret-flow and the alert-source checks say", () => {
    const doc = readJson<PlanDocument>(path.join(out, "a", "prod.json"));
    expect([0, 1]).toContain(runs.text.code);
    expect(runs.text.code).toBe(doc.summary.violations.mandatory > 0 || doc.summary.secretFlow > 0 || doc.summary.deadAlerts > 0 ? 1 : 0);
  });

  it("writes a deterministic plan file: two runs are byte-identical, even from another checkout and with the pack type-checked", () => {
    // The second run: the diff's base, the same program planned in a git worktree under /tmp,
    // with the pack started as the engine starts it (--typecheck-pack) instead of transpiled.
    // The reviewed exceptions mark the head plan only (tools/plan/cli.ts), so the first run's
    // marks are taken off before the byte comparison; everything else must match to the byte.
    const a = fs.readFileSync(path.join(out, "a", "prod.json"), "utf8");
    const b = fs.readFileSync(path.join(out, "c", "base", "prod.json"), "utf8");
    expect(a.length).toBeGreaterThan(100_000);
    const doc = JSON.parse(a) as PlanDocument;
    expect(doc.policy!.violations.length).toBeGreaterThan(0);
    expect(doc.policy!.violations.every((v) => v.level === "mandatory" || v.accepted !== undefined)).toBe(true);
    const unmarked = {
      ...doc,
      policy: { ...doc.policy!, violations: doc.policy!.violations.map(({ accepted: _accepted, ...v }) => v) },
      summary: { ...doc.summary, violations: { mandatory: doc.summary.violations.mandatory, advisory: doc.summary.violations.advisory } },
    };
    expect(planFileText(unmarked as PlanDocument)).toBe(b);
    expect(planFileText(doc)).toBe(a);
  });

  it("records every resource sorted by URN, with type, parent, provider, inputs and protect; secrets as [secret]", () => {
    const text = fs.readFileSync(path.join(out, "a", "prod.json"), "utf8");
    const doc = JSON.parse(text) as PlanDocument;
    const urns = doc.resources.map((r) => r.urn);
    expect(urns).toEqual([...urns].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(doc.summary.resources).toBe(doc.resources.length);
    expect(doc.resources.length).toBeGreaterThan(200);
    const bucket = doc.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "codebook-backups-bucket")!;
    expect(bucket).toMatchObject({
      protect: true,
      parent: expect.stringContaining("BackupBucket::codebook-backups"),
      provider: "urn:pulumi:prod::app-platform::pulumi:providers:aws::aws",
    });
    expect(bucket.inputs.bucket).toBe("codebook-prod-backups-123456789012");
    const secretRes = doc.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "codebook-api-secrets")!;
    expect(secretRes.inputs.stringData).toBe("[secret]");
    expect(secretRes.secrets?.stringData).toMatch(/^sha256:/);
    expect(doc.placeholders).toEqual(
      allSecretKeys()
        .map((s) => `app-platform:${s.key}`)
        .sort(),
    );
    // Nothing of the machine or of the placeholders in the file.
    expect(text).not.toContain("SENTINEL");
    expect(text).not.toContain(ROOT);
    expect(text).not.toContain(out);
    expect(doc.secretFlow).toEqual([]);
  });

  it("--json prints one document with the plan, the diff and the policy results", () => {
    expect(runs.diff.stderr).toBe("");
    const json = JSON.parse(runs.diff.stdout);
    expect(json.format).toBe("app-platform-plan-run/1");
    expect(json.exitCode).toBe(runs.diff.code);
    expect(json.stacks).toHaveLength(1);
    expect(json.stacks[0].plan).toEqual(readJson(path.join(out, "c", "prod.json")));
    // updates: the alert rules, the Deployment (config checksum), the HPA (floor 3 → 4); replaces: the
    // API ConfigMap and the dashboard ConfigMap (its token panel goes with the quota alert it plots).
    expect(json.stacks[0].diff.counts).toEqual({ create: 0, update: 3, replace: 2, delete: 0, same: expect.any(Number) });
    const policy = json.stacks[0].plan.policy;
    expect(policy.pack).toMatch(/^app-platform@/);
    expect(policy.policies.length).toBeGreaterThan(20);
    for (const v of policy.violations) expect(Object.keys(v).sort()).toEqual(expect.arrayContaining(["level", "message", "policy"]));
  });

  it("prints a preview-like report: the tree under components, counts by type, policy violations by level, secret flow", () => {
    const t = runs.text.stdout;
    expect(t).toMatch(/^Plan app-platform\/prod — offline/);
    expect(t).toMatch(/├─ codebook \(app-platform:product:ApplicationStack\)/);
    expect(t).toMatch(/│ {2}├─ codebook-api \(app-platform:kubernetes:Service\) {2}Deployment 1 · /);
    expect(t).toMatch(/Resources:\n {4}\d+ resources of \d+ types\n/);
    // Three product workloads and a postgres_exporter per product database (4).
    expect(t).toMatch(/ {4}\s*7 kubernetes:apps\/v1:Deployment\n/);
    expect(t).toMatch(/Policy violations \(app-platform@[^)]*\): \d+ mandatory, \d+ advisory/);
    expect(t).toMatch(/Secret flow: ok — 41 secret config values traced/);
    expect(t).not.toMatch(/\u001b\[/); // no colours off a terminal
    // The progress line, one line per phase off a terminal.
    expect(runs.text.stderr).toMatch(/prod: running program\nprod: policy pack\n/);
  });
});

describe("a broken config", () => {
  it("exits 2 with the program's own message and no stack dump", () => {
    expect(runs.broken.code).toBe(2);
    expect(runs.broken.stderr).toMatch(/plan of stack staging failed/);
    expect(runs.broken.stderr).toMatch(/`app-platform:ingressAddress`/);
    expect(runs.broken.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(out, "g", "staging.json"))).toBe(false);
  });
});

describe("the diff of a real change", () => {
  const comment = () => fs.readFileSync(path.join(out, "c", "diff.md"), "utf8");

  it("lists the changes with property paths in the terminal report", () => {
    expect([0, 1]).toContain(runs.diff.code);
    const json = JSON.parse(runs.diff.stdout);
    const base = readJson<PlanDocument>(path.join(out, "c", "base", "prod.json"));
    const plan = {
      ok: true as const,
      stack: "prod",
      doc: json.stacks[0].plan,
      diagnostics: [],
      exitCode: 0 as const,
      timings: { programMs: 0, policyMs: 0, totalMs: 0 },
    };
    const t = renderReport(plan, json.stacks[0].diff, base);
    expect(t).toMatch(/~ {2}3 to update/);
    expect(t).toMatch(/\+- 2 to replace/);
    expect(t).toMatch(/\n~ {2}[│ ]+[├└]─ codebook-api-deployment \(Deployment\)\n/);
    expect(t).toMatch(/\n\+- [│ ]+[├└]─ codebook-api-config \(ConfigMap\)\n/);
    expect(t).toMatch(/\n~ {2}[│ ]+[├└]─ codebook-api-hpa \(HorizontalPodAutoscaler\)\n/);
    expect(t).toContain("spec.minReplicas: 3 → 4");
    expect(t).toContain('data.LOG_FORMAT: added "json"');
    expect(t).toContain("replaced because: data");
    expect(t).toMatch(/spec\.groups\[name=codebook-api\]\.rules\[alert=LlmTokenQuotaNearlyUsed\]: removed/);
  });

  it("reads correctly as a pull-request comment: summary, then policy, then changes by product", () => {
    const md = comment();
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toContain("| `prod` | 0 | 3 | 2 | 0 |");
    expect(md).toContain("### `prod` — 3 to update, 2 to replace");
    expect(md).toContain("🟣 **Replacements (2)**:\n- `codebook-api-config` (ConfigMap) — forced by `data`");
    expect(md).toContain("<details><summary><b>codebook</b> — 3 update, 2 replace</summary>");
    expect(md).toContain("- 🟡 update `codebook-api-hpa` (HorizontalPodAutoscaler)\n  - `spec.minReplicas`: `3` → `4`");
    expect(md).toContain('- 🟣 replace `codebook-api-config` (ConfigMap)\n  - replaced because of `data`\n  - `data.LOG_FORMAT`: added `"json"`');
    expect(md).toMatch(
      /- 🟡 update `codebook-alerts-rules` \(PrometheusRule\)\n {2}- `spec\.groups\[name=codebook-api\]\.rules\[alert=LlmTokenQuotaNearlyUsed\]`: removed/,
    );
    const order = ["Replacements", "**Policy**", "#### Changes by product"].map((s) => md.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(md).not.toContain("SENTINEL");
    expect(md).toContain(`Base: git HEAD (`);
    expect(md).not.toMatch(/sha256:[0-9a-f]{16}/);
    expect(fs.existsSync(path.join(out, "c", "diff.full.md"))).toBe(true);
    expect(readJson(path.join(out, "c", "diff.json")).changed).toBe(true);
    expect(variant.git("worktree", "list", "--porcelain").match(/^worktree /gm)).toHaveLength(1);
  });

  it("still names every change when collapsed to a small limit", () => {
    const head = readJson<PlanDocument>(path.join(out, "c", "prod.json"));
    const diff = readJson<{ stacks: Array<{ diff: StackDiff }> }>(path.join(out, "c", "diff.json")).stacks[0].diff;
    const plan = { ok: true as const, stack: "prod", doc: head, diagnostics: [], exitCode: 0 as const, timings: { programMs: 0, policyMs: 0, totalMs: 0 } };
    // A limit below the whole comment's length, so that something must collapse.
    const whole = renderMarkdown([{ stack: "prod", plan, diff }], { limit: 1_000_000 }).comment.length;
    const limit = Math.floor(whole * 0.8);
    const { comment: small, collapsed } = renderMarkdown([{ stack: "prod", plan, diff }], { limit });
    expect(small.length).toBeLessThanOrEqual(limit);
    expect(collapsed.length).toBeGreaterThan(0);
    expect(small).toContain("### `prod` — 3 to update, 2 to replace");
    expect(small).toContain("`codebook-api-config` (ConfigMap) — forced by `data`");
  });
});
