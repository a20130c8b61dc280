/**
 * Issue 21's capacity, cost and recovery-time pieces on the committed stacks (Pulumi's own runner,
 * tests/global-setup.ts): Codebook's autoscaler and Glacier archive, the new alerts and the keys
 * that set them, and the config errors that guard them. Their firing is proven by promtool
 * (tests/promtool/suites/capacity.yaml) and, for the database size, by the real postgres_exporter
 * (tests/e2e/faults.test.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { plain, type RegisteredResource } from "../tools/engine/harness";
import { exportRuleFiles } from "../tools/export-rules";
import { committedStackRun } from "./helpers/stack-runs";
import { ConfigError, parseStackConfig, type RawConfig } from "../infra/config";
import { allSecretKeys } from "../infra/secrets";
import { readProject, readStackConfig } from "../tools/engine/harness/project";
import { checkArchiveKeepsNewestReadable } from "../components/data/product-data";
import { Duration, Retention } from "../components/values";
import * as path from "node:path";

const STACKS = ["prod", "staging"] as const;
const resources: Record<string, readonly RegisteredResource[]> = {};
const alerts: Record<string, { alert: string; expr: string; namespace: string }[]> = {};

beforeAll(async () => {
  for (const s of STACKS) {
    const run = await committedStackRun(s);
    expect(run.ok, run.stderr).toBe(true);
    resources[s] = run.resources;
    alerts[s] = exportRuleFiles(run.resources).flatMap((f) =>
      f.groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => ({ alert: r.alert!, expr: r.expr, namespace: String(r.labels?.namespace ?? "") }))),
    );
  }
}, 180_000);

const inputsOf = (stack: string, type: string, nameEnd: string) =>
  resources[stack].filter((r) => r.type === type && r.urn.endsWith(`::${nameEnd}`)).map((r) => plain<Record<string, any>>(r.inputs));

describe.each(STACKS)("%s stack", (stack) => {
  it("Codebook's API autoscales on CPU from its seed replicas (seed 001 §3.1, §6.2); the Deployment leaves the count to the HPA", () => {
    const [hpa] = inputsOf(stack, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "codebook-api-hpa");
    expect(hpa, "codebook-api-hpa").toBeDefined();
    const replicas = stack === "prod" ? 3 : Number(readConfig(stack)["app-platform:replicasCodebookApi"] ?? 3);
    expect(hpa.spec).toMatchObject({
      minReplicas: replicas,
      maxReplicas: 6,
      scaleTargetRef: { kind: "Deployment", name: "codebook-api" },
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    });
    const [dep] = inputsOf(stack, "kubernetes:apps/v1:Deployment", "codebook-api-deployment");
    expect(dep.spec.replicas).toBeUndefined();
  });

  it("Codebook's backups and logs older than 30 days move to Glacier Instant Retrieval on every prefix kept longer; daily/ (the restore check's) never moves", () => {
    const [lc] = inputsOf(stack, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "codebook-backups-lifecycle");
    expect(lc, "codebook-backups-lifecycle").toBeDefined();
    const byPrefix = Object.fromEntries((lc.rules as any[]).filter((r) => r.filter?.prefix).map((r) => [r.filter.prefix, r]));
    for (const p of ["weekly/", "pinecone/"]) {
      expect(byPrefix[p]?.transitions, p).toEqual([{ days: 30, storageClass: "GLACIER_IR" }]);
    }
    expect(byPrefix["daily/"]?.transitions ?? []).toEqual([]);
    // The log buckets (productLogs) kept longer than 30 days archive too; app (30 d) and debug (7 d) never move.
    const logRule = (bucket: string) =>
      inputsOf(stack, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `codebook-${bucket}-lifecycle`)[0]?.rules[0];
    for (const b of ["logs-error", "audit-logs"]) expect(logRule(b)?.transitions, b).toEqual([{ days: 30, storageClass: "GLACIER_IR" }]);
    for (const b of ["logs-app", "logs-debug"]) expect(logRule(b)?.transitions ?? [], b).toEqual([]);
  });

  it("the new alerts exist where the guides ask, on the stack's own sources", () => {
    const ns = (p: string) => `${p}-${stack}`;
    const names = alerts[stack].map((a) => `${a.namespace}/${a.alert}`);
    expect(names).toContain(`${ns("voyager")}/DatabaseStorageHigh`);
    expect(names).toContain(`${ns("codebook")}/CodebookRestoreVerifyDailyTooSlow`);
    const slow = alerts[stack].filter((a) => a.alert === "SlowDatabaseQueries").map((a) => [a.namespace, Number(/> ([0-9.]+)$/.exec(a.expr)![1])]);
    expect(slow).toEqual(
      expect.arrayContaining([
        [ns("codebook"), 1],
        [ns("voyager"), 0.5],
      ]),
    );
    const storage = alerts[stack].find((a) => a.alert === "DatabaseStorageHigh")!;
    expect(storage.expr).toBe(`sum by (instance) (pg_database_size_bytes{namespace="${ns("voyager")}",job="voyager-postgres"}) / ${10 * 2 ** 30} > 0.8`);
    // Spend alerts only where the stack sets a budget (the committed prod stack sets example budgets).
    const spend = alerts[stack].filter((a) => a.alert === "LlmMonthlySpendOverBudget").map((a) => [a.namespace, Number(/> ([0-9.]+)$/.exec(a.expr)![1])]);
    expect(spend).toEqual(
      stack === "prod"
        ? expect.arrayContaining([
            [ns("codebook"), 1500],
            [ns("ask-dahlia"), 1000],
          ])
        : [],
    );
  });

  it("Codebook's restore check may run for the whole 4 h RTO, so a slow restore is measured, not killed at the alert's 2 h", () => {
    const [cj] = inputsOf(stack, "kubernetes:batch/v1:CronJob", "codebook-restore-verify-daily-cronjob");
    expect(cj, "codebook-restore-verify-daily-cronjob").toBeDefined();
    expect(cj.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(4 * 3600);
    const [other] = inputsOf(stack, "kubernetes:batch/v1:CronJob", "voyager-restore-verify-daily-cronjob");
    expect(other.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(2 * 3600);
  });
});

const ROOT = path.resolve(__dirname, "..");
const project = readProject(ROOT);
function readConfig(stack: string): RawConfig {
  return readStackConfig(project, stack).values;
}
function problemsOf(changes: Record<string, string>): string[] {
  const raw: Record<string, string | undefined> = { ...readConfig("prod") };
  for (const [k, v] of Object.entries(changes)) raw[`app-platform:${k}`] = v;
  try {
    parseStackConfig(raw, "prod", new Set(allSecretKeys().map((s) => s.key)));
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
}

describe("config that would break them fails at start-up, naming the key and the fix", () => {
  it.each([
    [{ codebookApiMaxReplicas: "2" }, "app-platform:codebookApiMaxReplicas", "below `replicasCodebookApi` (3)"],
    [{ codebookApiTargetCpuUtilization: "5" }, "app-platform:codebookApiTargetCpuUtilization", ""],
    [{ codebookBackupArchiveAfterDays: "90" }, "app-platform:codebookBackupArchiveAfterDays", ""],
    [{ voyagerDatabaseStorageLimitGib: "0" }, "app-platform:voyagerDatabaseStorageLimitGib", ""],
    [{ codebookLlmMonthlyBudgetUsd: "-5" }, "app-platform:codebookLlmMonthlyBudgetUsd", ""],
    [{ askDahliaLlmMonthlyBudgetUsd: "ten" }, "app-platform:askDahliaLlmMonthlyBudgetUsd", ""],
  ])("%o", (changes, key, text) => {
    const problems = problemsOf(changes as Record<string, string>);
    const p = problems.find((x) => x.includes(key));
    expect(p, problems.join(" | ")).toBeDefined();
    expect(p).toContain(text);
    expect(p).toMatch(/pulumi config set/);
  });

  it("the committed prod config passes", () => expect(problemsOf({})).toEqual([]));
});

describe("an archive that would hide the newest backup behind a Glacier restore is refused", () => {
  const backups = (after: number, storageClass: "GLACIER_IR" | "GLACIER" | "DEEP_ARCHIVE") => ({
    kind: "s3" as const,
    retention: [{ prefix: "daily/", retention: Retention.days(30) }],
    databaseSecret: "DATABASE_URL",
    jobs: [{ name: "daily", prefix: "daily/", schedule: "0 3 * * *", rpo: Duration.hours(24) }],
    archive: { after: Retention.days(after), storageClass },
  });
  it("GLACIER after 1 day (within the 24 h RPO) throws, naming the job and both fixes", () => {
    expect(() => checkArchiveKeepsNewestReadable("codebook", backups(1, "GLACIER"))).toThrow(/"daily" \(1d\).*longest RPO, or use GLACIER_IR/);
    expect(() => checkArchiveKeepsNewestReadable("codebook", backups(1, "DEEP_ARCHIVE"))).toThrow(/DEEP_ARCHIVE/);
  });
  it("GLACIER_IR at any age, and GLACIER after the RPO, pass", () => {
    expect(() => checkArchiveKeepsNewestReadable("codebook", backups(1, "GLACIER_IR"))).not.toThrow();
    expect(() => checkArchiveKeepsNewestReadable("codebook", backups(2, "GLACIER"))).not.toThrow();
  });
});
