/**
 * The Prometheus rules the stacks really deploy: both committed stacks run once each through
 * Pulumi's own runner (tools/engine/stack-run.ts), every `PrometheusRule` is exported as a plain rule file
 * (tools/export-rules.ts), and `promtool` checks them. Unlike ./promtool.test.ts (representative
 * rules from the builders), these are the exact rules, selectors and runbook URLs of the stacks.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { exportRuleFiles, PROMETHEUS_RULE_TYPE, RuleFile, writeRuleFiles } from "../../tools/export-rules";
import { plain, RegisteredResource, secret, UNKNOWN, WireObject, WireValue } from "../../tools/engine/harness";
import { requireOk } from "../../tools/engine/stack-run";
import { committedStackRun } from "../helpers/stack-runs";
import { findPromtool, runPromtool } from "../helpers/promtool";
import { registeredResource } from "../helpers/registered";

const STACKS = ["staging", "prod"] as const;
type Stack = (typeof STACKS)[number];

const resources = {} as Record<Stack, readonly RegisteredResource[]>;
const files = {} as Record<Stack, RuleFile[]>;
const paths = {} as Record<Stack, string[]>;
let work: string;

beforeAll(async () => {
  findPromtool(); // installs Debian's `prometheus` package once when missing (as root)
  work = mkdtempSync(join(tmpdir(), "stack-rules-"));
  const runs = await Promise.all(STACKS.map((s) => committedStackRun(s)));
  for (const [i, stack] of STACKS.entries()) {
    resources[stack] = requireOk(runs[i]).resources;
    files[stack] = exportRuleFiles(resources[stack]);
    paths[stack] = writeRuleFiles(files[stack], join(work, stack));
  }
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Alerts per PrometheusRule as the recorded resource defines them, keyed by `<namespace>-<name>.yaml`. */
function alertsDefined(stack: Stack): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of resources[stack].filter((x) => x.type === PROMETHEUS_RULE_TYPE)) {
    const m = plain<any>(r.inputs);
    out[`${m.metadata.namespace}-${m.metadata.name}.yaml`] = m.spec.groups.flatMap((g: any) => g.rules).filter((x: any) => x.alert).length;
  }
  return out;
}

describe.each(STACKS)("%s: exported PrometheusRules", (stack) => {
  it("exports one file per PrometheusRule, named <namespace>-<name>.yaml, holding exactly its spec.groups", () => {
    const rules = resources[stack].filter((x) => x.type === PROMETHEUS_RULE_TYPE);
    expect(rules).toHaveLength(7);
    expect(files[stack].map((f) => f.fileName).sort()).toEqual([
      ...["ara", "ask-dahlia", "chat-api", "codebook"].map((p) => `${p}-${stack}-${p}-alerts-rules.yaml`),
      // The platform's log agent (components/logs/log-agent.ts), in its own namespace.
      `logging-log-agent-${stack}-alerts-rules.yaml`,
      // The Vercel drains' aggregator (components/logs/vercel-drains.ts).
      `vercel-logs-vercel-log-drains-${stack}-alerts-rules.yaml`,
      `voyager-${stack}-voyager-alerts-rules.yaml`,
    ]);
    for (const r of rules) {
      const m = plain<any>(r.inputs);
      const file = files[stack].find((f) => f.urn === r.urn)!;
      expect(file.fileName).toBe(`${m.metadata.namespace}-${m.metadata.name}.yaml`);
      const written = readFileSync(join(work, stack, file.fileName), "utf8");
      expect(written).toBe(file.contents);
      expect(parse(written)).toEqual({ groups: m.spec.groups });
    }
  });

  it("passes `promtool check rules` on every file, with as many alerts as the resources define", () => {
    const r = runPromtool(["check", "rules", ...paths[stack]]);
    expect(r.code, r.output).toBe(0);
    const found: Record<string, number> = {};
    for (const m of r.stdout.matchAll(/^Checking (.+)\n\s+SUCCESS: (\d+) rules found$/gm)) {
      found[m[1].split("/").pop()!] = Number(m[2]);
    }
    const defined = alertsDefined(stack);
    expect(found).toEqual(defined);
    // Every rule is an alert (no recording rules), so promtool's rule count is the alert count.
    expect(files[stack].every((f) => f.records === 0)).toBe(true);
    expect(Object.fromEntries(files[stack].map((f) => [f.fileName, f.alerts]))).toEqual(defined);
    expect(Object.values(defined).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30);
  });
});

describe("a malformed rule file fails promtool", () => {
  it("rejects a real exported file with a broken expression or a broken structure", () => {
    const codebook = files.prod.find((f) => f.fileName === "codebook-prod-codebook-alerts-rules.yaml")!;
    const broken = codebook.contents.replace(
      /expr: sum\(rate\(http_requests_total\{namespace="codebook-prod",job="codebook-api",status=~"5.."\}\[5m\]\)\)/,
      'expr: sum(rate(http_requests_total{namespace="codebook-prod",job="codebook-api",status=~"5.."}[5x]))',
    );
    expect(broken).not.toBe(codebook.contents);
    const badExpr = join(work, "bad-expr.yaml");
    writeFileSync(badExpr, broken);
    const r1 = runPromtool(["check", "rules", badExpr]);
    expect(r1.code).not.toBe(0);
    expect(r1.output).toMatch(/"HighErrorRate": could not parse expression/);

    const badShape = join(work, "bad-shape.yaml");
    writeFileSync(badShape, stringify({ groups: { name: "codebook-api", rules: [] } }));
    const r2 = runPromtool(["check", "rules", badShape]);
    expect(r2.code).not.toBe(0);
    expect(r2.output).toContain("FAILED");
  });
});

// ---------------------------------------------------------------------------------------------
// `promtool test rules` against the real exported prod rule files
// ---------------------------------------------------------------------------------------------

const RUNBOOKS = "https://github.com/example-org/app-platform/blob/main/docs/runbooks"; // runbookBaseUrl default from Pulumi.prod.yaml gitOrganization

/** Writes a promtool unit-test suite for one exported prod rule file and runs it. */
function testRules(ruleFile: string, tests: object[], suiteName: string) {
  const dir = join(work, "prod");
  mkdirSync(dir, { recursive: true });
  const suite = join(dir, `${suiteName}.test.yaml`);
  writeFileSync(suite, stringify({ rule_files: [ruleFile], evaluation_interval: "1m", tests }, { lineWidth: 0 }));
  return runPromtool(["test", "rules", suite], dir);
}

const CODEBOOK = "codebook-prod-codebook-alerts-rules.yaml";
const CHAT = "chat-api-prod-chat-api-alerts-rules.yaml";

const codebookErrorRate = (ratio: string, description: string) => ({
  exp_labels: { severity: "critical", namespace: "codebook-prod" },
  exp_annotations: {
    summary: "5xx error rate above 5% (namespace=codebook-prod, job=codebook-api)",
    description: `${ratio} of requests to namespace=codebook-prod, job=codebook-api failed with a 5xx status over the last 5m (threshold 5%).${description}`,
    runbook_url: `${RUNBOOKS}/HighErrorRate.md`,
  },
});

const requests = (ns: string, job: string, status: string, perMinute: number) => ({
  series: `http_requests_total{namespace="${ns}",job="${job}",status="${status}"}`,
  values: `0+${perMinute}x30`,
});

const CODEBOOK_ERROR_RATE_TESTS = [
  {
    // seed 001 §1.4: error rate > 5% for 5 minutes pages. The ratio exists from 1m, so it fires at 6m.
    name: "codebook prod at 6 % 5xx pages after 5m",
    interval: "1m",
    input_series: [requests("codebook-prod", "codebook-api", "500", 6), requests("codebook-prod", "codebook-api", "200", 94)],
    alert_rule_test: [
      { eval_time: "5m", alertname: "HighErrorRate", exp_alerts: [] },
      { eval_time: "7m", alertname: "HighErrorRate", exp_alerts: [codebookErrorRate("6%", "")] },
    ],
  },
  {
    name: "codebook prod at 4.9 % stays below the critical threshold",
    interval: "1m",
    input_series: [requests("codebook-prod", "codebook-api", "503", 49), requests("codebook-prod", "codebook-api", "200", 951)],
    alert_rule_test: [{ eval_time: "20m", alertname: "HighErrorRate", exp_alerts: [] }],
  },
  {
    name: "staging's codebook failing does not page prod",
    interval: "1m",
    input_series: [requests("codebook-staging", "codebook-api", "500", 50), requests("codebook-staging", "codebook-api", "200", 50)],
    alert_rule_test: [{ eval_time: "20m", alertname: "HighErrorRate", exp_alerts: [] }],
  },
];

const sse = (threshold: number, severity: string, value: number, alert: string) => ({
  // job = the Service's name (chat-api-api), as the operator labels the ServiceMonitor's series
  exp_labels: { severity, namespace: "chat-api-prod", job: "chat-api-api", instance: "10.0.0.1:8000" },
  exp_annotations: {
    summary: `More than ${threshold} open SSE connections on one instance (namespace=chat-api-prod, job=chat-api-api)`,
    description: `10.0.0.1:8000 holds ${value} open SSE connections (threshold ${threshold}); scale out before streams are refused.`,
    runbook_url: `${RUNBOOKS}/${alert}.md`,
  },
});

const sseSeries = (instance: string, value: number) => ({
  series: `sse_active_connections{namespace="chat-api-prod",job="chat-api-api",instance="${instance}"}`,
  values: `${value}x30`,
});

const CHAT_SSE_TESTS = [
  {
    // seed 002 "SSE Connection Monitoring": warning above 150, critical above 200 per instance.
    name: "201 open streams page after 5m and warn after 10m",
    interval: "1m",
    input_series: [sseSeries("10.0.0.1:8000", 201)],
    alert_rule_test: [
      { eval_time: "4m", alertname: "TooManySseConnections", exp_alerts: [] },
      { eval_time: "6m", alertname: "TooManySseConnections", exp_alerts: [sse(200, "critical", 201, "TooManySseConnections")] },
      { eval_time: "9m", alertname: "TooManySseConnectionsWarning", exp_alerts: [] },
      {
        eval_time: "11m",
        alertname: "TooManySseConnectionsWarning",
        exp_alerts: [sse(150, "warning", 201, "TooManySseConnectionsWarning")],
      },
    ],
  },
  {
    name: "200 streams stay below critical, 150 below warning",
    interval: "1m",
    input_series: [sseSeries("10.0.0.1:8000", 200), sseSeries("10.0.0.2:8000", 150)],
    alert_rule_test: [
      { eval_time: "20m", alertname: "TooManySseConnections", exp_alerts: [] },
      {
        eval_time: "20m",
        alertname: "TooManySseConnectionsWarning",
        exp_alerts: [sse(150, "warning", 200, "TooManySseConnectionsWarning")],
      },
    ],
  },
];

const backupStale = (age: string, extra: Record<string, string>) => ({
  exp_labels: { severity: "critical", namespace: "codebook-prod", cronjob: "codebook-backup-daily", ...extra },
  exp_annotations: {
    summary: "Backup codebook-prod/codebook-backup-daily has not succeeded within its RPO of 1d",
    description: `CronJob codebook-prod/codebook-backup-daily has no successful run for ${age} (since its last success, or since it was created when it never succeeded), beyond the RPO of 1d.`,
    runbook_url: `${RUNBOOKS}/CodebookBackupDailyBackupStale.md`,
  },
});

const lastSuccess = (cronjob: string, values: string) => ({
  series: `kube_cronjob_status_last_successful_time{job="kube-state-metrics",namespace="codebook-prod",cronjob="${cronjob}"}`,
  values,
});

const created = (cronjob: string, values: string) => ({
  series: `kube_cronjob_created{job="kube-state-metrics",namespace="codebook-prod",cronjob="${cronjob}"}`,
  values,
});

const BACKUP_STALE_TESTS = [
  {
    // seed 001 §4.3: RPO 24 h = 86400 s. A success 86280 s before time 0 is over the RPO from 3m,
    // so the 5m alert fires from 8m.
    name: "the daily codebook backup pages 5m after it is older than 24 h",
    interval: "1m",
    input_series: [lastSuccess("codebook-backup-daily", "-86280x20")],
    alert_rule_test: [
      { eval_time: "7m", alertname: "CodebookBackupDailyBackupStale", exp_alerts: [] },
      {
        eval_time: "9m",
        alertname: "CodebookBackupDailyBackupStale",
        exp_alerts: [backupStale("1d 0h 7m 0s", { job: "kube-state-metrics" })],
      },
    ],
  },
  {
    name: "a backup 60 s inside its RPO stays silent, and the weekly job's 8 d RPO is not crossed",
    interval: "1m",
    input_series: [lastSuccess("codebook-backup-daily", "-85140x20"), lastSuccess("codebook-backup-weekly", "-86280x20")],
    alert_rule_test: [
      { eval_time: "20m", alertname: "CodebookBackupDailyBackupStale", exp_alerts: [] },
      { eval_time: "20m", alertname: "CodebookBackupWeeklyBackupStale", exp_alerts: [] },
    ],
  },
  {
    // No page before the first scheduled run has had time to succeed.
    name: "a daily backup CronJob created an hour ago without a success stays silent",
    interval: "1m",
    input_series: [created("codebook-backup-daily", "-3600x20"), lastSuccess("codebook-backup-weekly", "0x20")],
    alert_rule_test: [{ eval_time: "20m", alertname: "CodebookBackupDailyBackupStale", exp_alerts: [] }],
  },
  {
    name: "a daily backup CronJob older than the RPO that never succeeded pages after 5m",
    interval: "1m",
    input_series: [created("codebook-backup-daily", "-86280x20")],
    alert_rule_test: [
      { eval_time: "6m", alertname: "CodebookBackupDailyBackupStale", exp_alerts: [] },
      { eval_time: "8m", alertname: "CodebookBackupDailyBackupStale", exp_alerts: [backupStale("1d 0h 6m 0s", { job: "kube-state-metrics" })] },
    ],
  },
];

describe("promtool test rules on the real prod rule files", () => {
  it("codebook HighErrorRate pages at 5 % for 5m, in prod's namespace only", () => {
    const r = testRules(CODEBOOK, CODEBOOK_ERROR_RATE_TESTS, "codebook-error-rate");
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("chat-api SSE connections: critical above 200 for 5m, warning above 150 for 10m", () => {
    const r = testRules(CHAT, CHAT_SSE_TESTS, "chat-api-sse");
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("CodebookBackupDailyBackupStale pages at its 24 h RPO", () => {
    const r = testRules(CODEBOOK, BACKUP_STALE_TESTS, "codebook-backup-stale");
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("ARA (Vercel): availability and latency from its /api/health probe; a missing Probe pages as TargetMissing", () => {
    const job = "ara-probes-web-health";
    const probe = (metric: string, values: string) => ({
      series: `${metric}{namespace="ara-prod",job="${job}",instance="https://example.com/api/health"}`,
      values,
    });
    const tests = [
      {
        // seed 004: error rate > 5 % for 5m. One failed probe in ten (30 s scrapes) is 10 %.
        name: "failing probes above 5 % page after 5m; slow probes above 2 s warn after 5m",
        interval: "30s",
        input_series: [
          probe("probe_success", "1 1 1 1 1 1 1 1 1 0 1 1 1 1 1 1 1 1 1 0 1 1 1 1 1 1 1 1 1 0 1 1 1 1 1 1 1 1 1 0 1 1 1 1"),
          probe("up", "1x44"),
          probe("probe_duration_seconds", "2.5x44"),
        ],
        alert_rule_test: [
          { eval_time: "4m", alertname: "ProbeFailureRateHigh", exp_alerts: [] },
          {
            eval_time: "20m",
            alertname: "ProbeFailureRateHigh",
            exp_alerts: [
              {
                exp_labels: { severity: "critical", namespace: "ara-prod", job, instance: "https://example.com/api/health" },
                exp_annotations: {
                  summary: `More than 5% of health probes fail (namespace=ara-prod, job=${job})`,
                  description: "9.091% of the blackbox probes of https://example.com/api/health failed over the last 5m (threshold 5%).",
                  runbook_url: `${RUNBOOKS}/ProbeFailureRateHigh.md`,
                },
              },
            ],
          },
          {
            eval_time: "20m",
            alertname: "ProbeLatencyHigh",
            exp_alerts: [
              {
                exp_labels: { severity: "warning", namespace: "ara-prod", job, instance: "https://example.com/api/health" },
                exp_annotations: {
                  summary: `p95 probe latency above 2s (namespace=ara-prod, job=${job})`,
                  description:
                    "The 95th percentile response time of https://example.com/api/health, measured by the blackbox probe over 5m, is 2.5s (threshold 2s).",
                  runbook_url: `${RUNBOOKS}/ProbeLatencyHigh.md`,
                },
              },
            ],
          },
          {
            eval_time: "20m",
            alertname: "TargetMissing",
            // the exporter, the headers Probe and the redirects Probe (apex, www) have no `up` series
            // in this test: their absence pages
            exp_alerts: ["ara-postgres", "ara-probes-web-headers", "ara-probes-web-redirects"].map((missing) => ({
              exp_labels: { severity: "critical", namespace: "ara-prod", job: missing, scrape_job: missing },
              exp_annotations: {
                summary: `No scrape target for namespace=ara-prod, job=${missing}`,
                description: `Prometheus has no target for namespace=ara-prod, job=${missing} (absent = 1): its ServiceMonitor or Probe is not selected (check the selector labels), or the exporter is gone. Alerts on these series cannot fire.`,
                runbook_url: `${RUNBOOKS}/TargetMissing.md`,
              },
            })),
          },
        ],
      },
    ];
    const r = testRules("ara-prod-ara-alerts-rules.yaml", tests, "ara-probes");
    expect(r.code, r.output).toBe(0);
  });

  it("ARA (Vercel): SecurityHeadersMissing warns when the headers probe fails on its header check for 10m, not on other failures", () => {
    // seed 004 "Security Headers": the blackbox module's fail_if_header_not_matches sets
    // probe_failed_due_to_regex to 1 (tests/blackbox/modules.test.ts runs the real exporter).
    const job = "ara-probes-web-headers";
    const instance = "https://example.com/";
    const series = (metric: string, values: string) => ({ series: `${metric}{namespace="ara-prod",job="${job}",instance="${instance}"}`, values });
    const warning = {
      exp_labels: { severity: "warning", endpoint: "web", namespace: "ara-prod", job, instance },
      exp_annotations: {
        summary: `Security headers missing or wrong (namespace=ara-prod, job=${job})`,
        description: `${instance} answers (probe_failed_due_to_regex = 1) without one of the security headers the stack sets on the app (its vercel.ProjectRoute "app-platform response headers") or with another value; check the project's routing rules and what the app's own config or middleware overwrites.`,
        runbook_url: `${RUNBOOKS}/SecurityHeadersMissing.md`,
      },
    };
    const tests = [
      {
        name: "a header goes missing at 2m: pending for 10m, warning from 12m",
        interval: "30s",
        input_series: [series("probe_failed_due_to_regex", "0 0 0 0 1x40"), series("probe_success", "1 1 1 1 0x40"), series("up", "1x44")],
        alert_rule_test: [
          { eval_time: "11m", alertname: "SecurityHeadersMissing", exp_alerts: [] },
          { eval_time: "13m", alertname: "SecurityHeadersMissing", exp_alerts: [warning] },
        ],
      },
      {
        name: "the headers come back: the warning clears",
        interval: "30s",
        input_series: [series("probe_failed_due_to_regex", "1x28 0x16"), series("up", "1x44")],
        alert_rule_test: [
          { eval_time: "13m", alertname: "SecurityHeadersMissing", exp_alerts: [warning] },
          { eval_time: "20m", alertname: "SecurityHeadersMissing", exp_alerts: [] },
        ],
      },
      {
        name: "the app is down (connection refused, 5xx): not a header problem",
        interval: "30s",
        input_series: [series("probe_failed_due_to_regex", "0x44"), series("probe_success", "0x44"), series("up", "1x44")],
        alert_rule_test: [{ eval_time: "20m", alertname: "SecurityHeadersMissing", exp_alerts: [] }],
      },
    ];
    const r = testRules("ara-prod-ara-alerts-rules.yaml", tests, "ara-headers");
    expect(r.code, r.output).toBe(0);
  });

  it("fails a suite whose expectation is wrong (4.9 % expected to page)", () => {
    const wrong = [
      { ...CODEBOOK_ERROR_RATE_TESTS[1], alert_rule_test: [{ eval_time: "20m", alertname: "HighErrorRate", exp_alerts: [codebookErrorRate("4.9%", "")] }] },
    ];
    const r = testRules(CODEBOOK, wrong, "wrong-expectation");
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("FAILED");
    expect(r.output).toContain("HighErrorRate");
  });
});

// ---------------------------------------------------------------------------------------------
// exportRuleFiles on hand-made registrations: what it refuses
// ---------------------------------------------------------------------------------------------

function fakeRule(name: string, inputs: WireObject, type = PROMETHEUS_RULE_TYPE): RegisteredResource {
  return registeredResource({ type, name, inputs });
}

const GROUPS: WireValue[] = [
  {
    name: "g",
    rules: [
      { alert: "A", expr: "up == 0", for: "5m", labels: { severity: "critical" } },
      { record: "r", expr: "up" },
    ],
  },
];
const ruleInputs = (name: WireObject[string], namespace: WireObject[string], groups: WireObject[string] = GROUPS): WireObject => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: { name, namespace },
  spec: { groups },
});

describe("exportRuleFiles", () => {
  it("exports PrometheusRules only, counting alerts and recording rules", () => {
    const out = exportRuleFiles([
      fakeRule("a", ruleInputs("a-rules", "ns")),
      fakeRule("cm", { metadata: { name: "x", namespace: "ns" } }, "kubernetes:core/v1:ConfigMap"),
    ]);
    expect(out.map((f) => [f.fileName, f.alerts, f.records])).toEqual([["ns-a-rules.yaml", 1, 1]]);
    expect(parse(out[0].contents)).toEqual({ groups: GROUPS });
    expect(out[0].contents).toMatch(/^# Exported by tools\/export-rules\.ts from PrometheusRule ns\/a-rules\n/);
  });

  it("refuses unknown names or groups, secrets in the rules, and clashing file names", () => {
    expect(() => exportRuleFiles([fakeRule("u", ruleInputs(UNKNOWN, "ns"))])).toThrow(/unknown until `pulumi up`: metadata\.name/);
    expect(() => exportRuleFiles([fakeRule("g", ruleInputs("n", "ns", UNKNOWN))])).toThrow(/unknown until `pulumi up`: spec\.groups/);
    expect(() => exportRuleFiles([fakeRule("s", ruleInputs("n", "ns", [secret(GROUPS[0])]))])).toThrow(
      /holds secrets, which a plain rule file must not: spec\.groups\[0\]/,
    );
    expect(() => exportRuleFiles([fakeRule("m", { metadata: { name: "n" }, spec: { groups: [] } })])).toThrow(/`metadata\.namespace` is not set/);
    expect(() => exportRuleFiles([fakeRule("x", ruleInputs("b-c", "a")), fakeRule("y", ruleInputs("c", "a-b"))])).toThrow(
      /a-b-c\.yaml is also the file of .*::x/,
    );
  });
});
