import { afterEach, describe, expect, it } from "vitest";
import { enforceAlertSeverity } from "../../policies/prometheus/enforce-alert-severity";
import { missingAlertAnnotations } from "../../policies/prometheus/missing-alert-annotations";
import { configureAlertForDuration } from "../../policies/prometheus/configure-alert-for-duration";
import { enforceAlertExpressions } from "../../policies/prometheus/enforce-alert-expressions";
import { disallowTokenLiterals } from "../../policies/stack/disallow-token-literals";
import { missingBackupFreshnessAlert } from "../../policies/stack/missing-backup-freshness-alert";
import { enforceBackupBucketProtection } from "../../policies/stack/enforce-backup-bucket-protection";
import { parsePromql, thresholds, selectsLabelValue } from "../../policies/lib/promql";
import { isProdStack } from "../../policies/lib/environment";
import { secretValue } from "../../tools/engine/pack/types";
import { backupCronJob, configMap, deployment, plainCronJob, prometheusRule, r2Bucket, s3Bucket, vercelVariable, vercelVariables } from "./fixtures";
import { edit, expectClean, expectNotApplicable, expectViolation, PROD, STAGING } from "./helpers";

const rule0 = (change: (r: any) => void) => edit(prometheusRule(), (p) => change(p.spec.groups[0].rules[0]));

describe("PromQL parsing", () => {
  it("parses the seed expressions and finds thresholds", () => {
    expect(thresholds(parsePromql('rate(http_requests_total{status=~"5.."}[5m]) > 0.05'))).toEqual([{ op: ">", threshold: 0.05 }]);
    expect(thresholds(parsePromql("histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 10"))).toEqual([
      { op: ">", threshold: 10 },
    ]);
    expect(thresholds(parsePromql('time() - kube_cronjob_status_last_successful_time{cronjob="x"} > 24 * 3600'))).toEqual([{ op: ">", threshold: 86_400 }]);
    expect(thresholds(parsePromql("sum without (instance) (up) / on(job) group_left count(up) < bool 0.5"))).toHaveLength(1);
    expect(() => parsePromql("max_over_time(x[5m:1m] offset 1h) @ 1700000000 >= 1")).not.toThrow();
  });
  it("finds selectors by label value", () => {
    expect(selectsLabelValue(parsePromql('x{cronjob=~"codebook-.*"}'), "codebook-db-backup")).toBe(true);
    expect(selectsLabelValue(parsePromql('x{cronjob="other"}'), "codebook-db-backup")).toBe(false);
  });
  it("rejects broken expressions", () => {
    expect(() => parsePromql("rate(x[5m]")).toThrow(/expected "\)"/);
    expect(() => parsePromql("rate(x[5q]) > 1")).toThrow(/invalid number or duration "5q"/);
    expect(() => parsePromql("rate(x[0.5]) > 1")).toThrow(/expected a duration/);
    expect(() => parsePromql("ratee(x[5m]) > 1")).toThrow(/unknown function "ratee"/);
    expect(() => parsePromql('x{a=~"("} > 1')).toThrow(/invalid regular expression/);
    expect(() => parsePromql("x >")).toThrow(/unexpected end/);
    expect(() => parsePromql("")).toThrow(/empty/);
  });
});

describe("prometheus-enforce-alert-severity", () => {
  const rule = enforceAlertSeverity;
  it("passes critical and warning", () => expectClean(rule, prometheusRule()));
  it("flags a missing or unknown severity", async () => {
    await expectViolation(
      rule,
      rule0((r) => delete r.labels.severity),
      /alert "HighErrorRate" .* has severity unset/,
    );
    await expectViolation(
      rule,
      rule0((r) => (r.labels.severity = "page")),
      /has severity "page"/,
    );
  });
  it("uses the configured severities", () =>
    expectViolation(rule, prometheusRule(), /severity "warning"/, "mandatory", { ...PROD, config: { [rule.name]: { allowedSeverities: ["critical"] } } }));
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("prometheus-missing-alert-annotations", () => {
  const rule = missingAlertAnnotations;
  it("passes the baseline", () => expectClean(rule, prometheusRule()));
  it("flags missing summary/description", async () => {
    await expectViolation(
      rule,
      rule0((r) => delete r.annotations.summary),
      /has no summary annotation/,
    );
    await expectViolation(
      rule,
      rule0((r) => (r.annotations.description = " ")),
      /has no description annotation/,
    );
  });
  it("flags a missing or non-https runbook", async () => {
    await expectViolation(
      rule,
      rule0((r) => delete r.annotations.runbook_url),
      /has no runbook_url/,
    );
    await expectViolation(
      rule,
      rule0((r) => (r.annotations.runbook_url = "http://wiki/runbook")),
      /runbook_url "http:\/\/wiki\/runbook", which is not an https URL/,
    );
  });
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("prometheus-configure-alert-for-duration", () => {
  const rule = configureAlertForDuration;
  it("passes 5m", () => expectClean(rule, prometheusRule()));
  it("advises a missing or short for", async () => {
    await expectViolation(
      rule,
      rule0((r) => delete r.for),
      /has no `for` and fires on a single evaluation/,
      "advisory",
    );
    await expectViolation(
      rule,
      rule0((r) => (r.for = "30s")),
      /waits only 30s/,
      "advisory",
    );
    await expectViolation(
      rule,
      rule0((r) => (r.for = "five minutes")),
      /is not a duration/,
      "advisory",
    );
  });
  it("uses the configured floor", () =>
    expectViolation(
      rule,
      rule0((r) => (r.for = "2m")),
      /waits only 2m/,
      "advisory",
      { ...PROD, config: { [rule.name]: { minFor: "3m" } } },
    ));
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("prometheus-enforce-alert-expressions", () => {
  const rule = enforceAlertExpressions;
  it("passes the seed alerts, including one name with two severities", () => expectClean(rule, prometheusRule()));
  it("flags an expression that does not parse", () =>
    expectViolation(
      rule,
      rule0((r) => (r.expr = "rate(http_requests_total[5m] > 0.05")),
      /does not parse: expected "\)"/,
    ));
  it("flags an alert without a threshold, but accepts absent()", async () => {
    await expectViolation(
      rule,
      rule0((r) => (r.expr = "rate(http_requests_total[5m])")),
      /has no comparison against a threshold/,
    );
    await expectClean(
      rule,
      rule0((r) => (r.expr = 'absent(up{job="api"})')),
    );
  });
  it("flags duplicate names with the same labels", async () => {
    await expectViolation(
      rule,
      edit(prometheusRule(), (p) => (p.spec.groups[0].rules[1].labels.severity = "critical")),
      /duplicates spec.groups\[0\].rules\[0\]/,
    );
  });
  it("flags a missing expr", () =>
    expectViolation(
      rule,
      rule0((r) => delete r.expr),
      /has no `expr`/,
    ));
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("stack-disallow-token-literals (stack)", () => {
  const rule = disallowTokenLiterals;
  const akia = "AKIA" + "ABCDEFGHIJKLMNOP";
  it("passes the compliant resources", () => expectClean(rule, [deployment(), configMap(), vercelVariable("JWT_SECRET", "x".repeat(32))]));
  it("flags a token literal anywhere", async () => {
    const v = await expectViolation(
      rule,
      [edit(configMap(), (p) => (p.metadata.annotations = { note: `key ${akia}` }))],
      /ConfigMap "api-config" has a AWS access key id in `metadata.annotations.note`/,
    );
    expect(v.urn).toContain("api-config");
    await expectViolation(
      rule,
      [edit(deployment(), (p) => (p.spec.template.spec.containers[0].args = ["--token", "xoxb-1234567890-abcdef"]))],
      /has a Slack token in `spec.template.spec.containers\[0\].args\[1\]`/,
    );
  });
  it("exempts the legitimate secret sinks (plaintext to policies, see pulumi-policy#241)", async () => {
    const live = "sk_live_" + "b".repeat(24);
    await expectClean(rule, [
      vercelVariable("STRIPE_SECRET_KEY", live, { targets: ["production"] }),
      vercelVariables([{ key: "STRIPE_SECRET_KEY", value: secretValue(live), sensitive: true, targets: ["production"] }]),
      { type: "kubernetes:core/v1:Secret", name: "s", props: { stringData: { key: live } } },
      { type: "pulumi:providers:cloudflare", name: "cf", props: { apiToken: "ghp_" + "c".repeat(36) } },
    ]);
    await expectViolation(rule, [vercelVariable("STRIPE_SECRET_KEY", live, { sensitive: false })], /Stripe live key in `value`/);
  });
});

describe("stack-missing-backup-freshness-alert (stack)", () => {
  const rule = missingBackupFreshnessAlert;
  it("passes a backup job with a freshness alert within its RPO", () => expectClean(rule, [backupCronJob(), prometheusRule()]));
  it("flags a backup job without an alert", async () => {
    await expectViolation(rule, [backupCronJob()], /Backup CronJob "codebook-db-backup" has no freshness alert/);
    const other = edit(
      prometheusRule(),
      (p) => (p.spec.groups[0].rules[2].expr = 'time() - kube_cronjob_status_last_successful_time{cronjob="other"} > 86400'),
    );
    await expectViolation(rule, [backupCronJob(), other], /has no freshness alert/);
  });
  it("flags an alert whose threshold exceeds the RPO", async () => {
    const late = edit(
      prometheusRule(),
      (p) => (p.spec.groups[0].rules[2].expr = 'time() - kube_cronjob_status_last_successful_time{cronjob="codebook-db-backup"} > 172800'),
    );
    await expectViolation(rule, [backupCronJob(), late], /does not fire once the last success is older than the RPO \(86400 s\)/);
  });
  it("ignores CronJobs that are not backups", () => expectClean(rule, [plainCronJob()]));
  it("does not apply without CronJobs", () => expectNotApplicable(rule, [prometheusRule()]));
});

describe("stack-enforce-backup-bucket-protection (prod-scoped)", () => {
  const rule = enforceBackupBucketProtection;
  it("passes protected S3 and R2 backup buckets", async () => {
    await expectClean(rule, s3Bucket());
    await expectClean(rule, r2Bucket());
  });
  it("flags unprotected backup buckets: mandatory on prod, advisory on staging", async () => {
    await expectViolation(rule, { ...s3Bucket(), protect: false }, /Backup S3 bucket "codebook-backups-prod" is not protected/, "mandatory", PROD);
    await expectViolation(rule, { ...r2Bucket(), protect: false }, /Backup R2 bucket "ara-backups" is not protected/, "advisory", STAGING);
  });
  it("leaves other buckets alone and does not apply without buckets", async () => {
    await expectClean(rule, { ...r2Bucket("ara-prod-reports"), protect: false });
    await expectClean(
      rule,
      edit({ ...s3Bucket("codebook-data-prod", "codebook-data"), protect: false }, (p) => delete p.tags["app-platform/backup"]),
    );
    await expectNotApplicable(rule, deployment());
  });
});

describe("environment resolution", () => {
  const saved = { PULUMI_STACK: process.env.PULUMI_STACK, PULUMI_NODEJS_STACK: process.env.PULUMI_NODEJS_STACK };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const source = (tags: Record<string, string>, config: Record<string, unknown> = {}) => ({
    stackTags: new Map(Object.entries(tags)),
    getConfig: <T extends object>() => config as T,
  });
  it("prefers the rule config, then the stack tag, then the stack name the engine passes, then prod", () => {
    process.env.PULUMI_STACK = "org/app-platform/staging";
    expect(isProdStack(source({ environment: "staging" }, { environment: "prod" }))).toBe(true);
    expect(isProdStack(source({ environment: "production" }))).toBe(true);
    expect(isProdStack(source({ environment: "staging" }))).toBe(false);
    expect(isProdStack(source({}))).toBe(false);
    process.env.PULUMI_STACK = "prod";
    expect(isProdStack(source({}))).toBe(true);
    delete process.env.PULUMI_STACK;
    delete process.env.PULUMI_NODEJS_STACK;
    expect(isProdStack(source({}))).toBe(true);
  });
});
