import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  AlertGroup,
  AlertSpec,
  backupStale,
  endpointDown,
  probeFailureRate,
  probeLatencyHigh,
  securityHeadersMissing,
  targetAbsent,
  targetDown,
  dbConnectionsHigh,
  dbPoolExhausted,
  dependencyDown,
  diskSpaceLow,
  errorRate,
  jobQueueHigh,
  kebabCase,
  latencyP95,
  llmErrorRate,
  pascalCase,
  renderRuleFile,
  renderSelector,
  slowQueries,
  sseConnections,
  tlsCertificateExpiring,
  TLS_CERTIFICATE_DASHBOARD_WARNING,
  tokenQuota,
  toPrometheusRuleGroups,
  validateAlertGroups,
  validateAlertSpec,
} from "../../components/monitoring/alerts";
import { ValidationError } from "../../components/context";
import { Duration } from "../../components/values";

const api = { job: "codebook-api" };
const RB = "https://runbooks.example.com/app-platform";

/** A valid hand-written spec to change one field at a time. */
const base: AlertSpec = {
  name: "HighErrorRate",
  expr: 'sum(rate(http_requests_total{job="a",status=~"5.."}[5m])) / sum(rate(http_requests_total{job="a"}[5m])) > 0.05',
  for: Duration.minutes(5),
  severity: "critical",
  summary: "High error rate",
  description: "Error rate is {{ $value }}",
  runbookUrl: "https://runbooks.example.com/app-platform/HighErrorRate.md",
};

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error("expected a ValidationError");
}

describe("helpers", () => {
  it("converts names between cases", () => {
    expect(kebabCase("HighErrorRate")).toBe("high-error-rate");
    expect(kebabCase("LLMDown")).toBe("llm-down");
    expect(kebabCase("HighLatencyP95")).toBe("high-latency-p95");
    expect(pascalCase("codebook-db-backup")).toBe("CodebookDbBackup");
    expect(pascalCase("LLM")).toBe("LLM");
    expect(pascalCase("worker api")).toBe("WorkerApi");
  });

  it("renders equality and regex matchers with escaping", () => {
    expect(renderSelector({})).toBe("");
    expect(renderSelector({ job: "a" }, { status: { regex: "5.." } })).toBe('{job="a",status=~"5.."}');
    expect(renderSelector({ path: 'say "hi"\\' })).toBe('{path="say \\"hi\\"\\\\"}');
  });
});

describe("builders", () => {
  it("errorRate defaults to critical 5 % for 5m (seed 001 §1.4)", () => {
    const a = errorRate({ selector: api });
    expect(a.name).toBe("HighErrorRate");
    expect(a.severity).toBe("critical");
    expect(a.for.toPrometheus()).toBe("5m");
    expect(a.expr).toBe('sum(rate(http_requests_total{job="codebook-api",status=~"5.."}[5m])) / sum(rate(http_requests_total{job="codebook-api"}[5m])) > 0.05');
    expect(a.summary).toBe("5xx error rate above 5% (job=codebook-api)");
    expect(a.description).toContain("{{ $value | humanizePercentage }}");
    expect(a.runbookUrl).toBe(`${RB}/HighErrorRate.md`);
    expect(a.labels).toBeUndefined();
  });

  it("errorRate warning tier is 2 % for 10m and carries the severity in its name", () => {
    const a = errorRate({ selector: api, severity: "warning" });
    expect(a.name).toBe("HighErrorRateWarning");
    expect(a.expr.endsWith("> 0.02")).toBe(true);
    expect(a.for.toPrometheus()).toBe("10m");
    expect(a.runbookUrl).toBe(`${RB}/HighErrorRateWarning.md`);
  });

  it("common options override name, for, labels and the runbook base", () => {
    const a = errorRate({
      selector: api,
      threshold: 0.1,
      name: "ApiErrors",
      for: Duration.minutes(15),
      labels: { team: "platform" },
      runbookBaseUrl: "https://wiki.example.org/runbooks/",
    });
    expect(a.name).toBe("ApiErrors");
    expect(a.expr.endsWith("> 0.1")).toBe(true);
    expect(a.for.toPrometheus()).toBe("15m");
    expect(a.labels).toEqual({ team: "platform" });
    expect(a.runbookUrl).toBe("https://wiki.example.org/runbooks/ApiErrors.md");
  });

  it("latencyP95 uses the histogram with the threshold in seconds", () => {
    const a = latencyP95({ selector: { job: "chat-api" }, threshold: Duration.seconds(10) });
    expect(a.name).toBe("HighLatencyP95");
    expect(a.expr).toBe('histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="chat-api"}[5m]))) > 10');
    expect(a.severity).toBe("critical");
    expect(a.for.toPrometheus()).toBe("5m");
    expect(a.description).toContain("{{ $value | humanizeDuration }}");
    expect(latencyP95({ selector: api }).expr.endsWith("> 5")).toBe(true); // seed 001 default
  });

  it("dbConnectionsHigh is a warning at 80 % for 2m (seeds 003, 004)", () => {
    const a = dbConnectionsHigh({ selector: { job: "ara-postgres" } });
    expect(a.name).toBe("DatabaseConnectionsHigh");
    expect(a.severity).toBe("warning");
    expect(a.for.toPrometheus()).toBe("2m");
    expect(a.expr).toBe(
      'sum by (instance) (pg_stat_activity_count{job="ara-postgres"}) / max by (instance) (pg_settings_max_connections{job="ara-postgres"}) > 0.8',
    );
  });

  it("dbPoolExhausted pages when the usable connections are used up", () => {
    const a = dbPoolExhausted({ selector: { job: "pg" } });
    expect(a.name).toBe("DatabasePoolExhausted");
    expect(a.severity).toBe("critical");
    expect(a.expr).toBe(
      'sum by (instance) (pg_stat_activity_count{job="pg"}) / max by (instance) (pg_settings_max_connections{job="pg"} - pg_settings_superuser_reserved_connections{job="pg"}) >= 1',
    );
  });

  it("diskSpaceLow reads node_exporter or kubelet volume stats", () => {
    const node = diskSpaceLow({ selector: { mountpoint: "/" } });
    expect(node.name).toBe("DiskSpaceLow");
    expect(node.expr).toBe('node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"} < 0.1');
    expect(node.severity).toBe("critical");
    const pvc = diskSpaceLow({ selector: { persistentvolumeclaim: "data" }, source: "pvc", freeRatio: 0.15 });
    expect(pvc.name).toBe("PersistentVolumeSpaceLow");
    expect(pvc.expr).toBe(
      'kubelet_volume_stats_available_bytes{persistentvolumeclaim="data"} / kubelet_volume_stats_capacity_bytes{persistentvolumeclaim="data"} < 0.15',
    );
  });

  it("dependencyDown defaults its selector per source and names the alert after the dependency", () => {
    const probe = dependencyDown({ dependency: "Supabase" });
    expect(probe.name).toBe("SupabaseDown");
    expect(probe.expr).toBe('probe_success{dependency="supabase"} == 0');
    // A vendor's status-page component: warning (issue 19 item 9), not the seed's critical.
    expect(probe.severity).toBe("warning");
    expect(probe.runbookUrl).toBe(`${RB}/SupabaseDown.md`);
    const up = dependencyDown({ dependency: "worker-api", source: "up" });
    expect(up.name).toBe("WorkerApiDown");
    expect(up.expr).toBe('up{job="worker-api"} == 0');
    expect(dependencyDown({ dependency: "LLM", selector: { instance: "https://api.openai.com" } }).expr).toBe(
      'probe_success{instance="https://api.openai.com"} == 0',
    );
  });

  it("jobQueueHigh, llmErrorRate and tokenQuota use seed 001's warning thresholds", () => {
    const q = jobQueueHigh({ selector: api });
    expect([q.name, q.severity, q.for.toPrometheus(), q.expr]).toEqual(["JobQueueBacklog", "warning", "10m", 'max(job_queue_depth{job="codebook-api"}) > 100']);
    const l = llmErrorRate({ selector: api });
    expect([l.name, l.severity, l.for.toPrometheus()]).toEqual(["LlmApiErrorRateHigh", "warning", "10m"]);
    expect(l.expr).toBe(
      'sum by (provider) (rate(llm_request_errors_total{job="codebook-api"}[5m])) / sum by (provider) (rate(llm_requests_total{job="codebook-api"}[5m])) > 0.1',
    );
    const t = tokenQuota({ selector: api });
    expect([t.name, t.severity]).toEqual(["LlmTokenQuotaNearlyUsed", "warning"]);
    expect(t.expr).toBe(
      'max by (client_id) (llm_client_tokens_used{job="codebook-api"}) / max by (client_id) (llm_client_token_quota{job="codebook-api"}) > 0.8',
    );
  });

  it("tlsCertificateExpiring warns when renewal is failing (10 days left), not at seed 001's 30 days (a 64-day certificate's normal state)", () => {
    const a = tlsCertificateExpiring();
    expect(a.name).toBe("TlsCertificateExpiringSoon");
    expect(a.severity).toBe("warning");
    expect(a.expr).toBe("probe_ssl_earliest_cert_expiry - time() < 864000");
    expect(tlsCertificateExpiring({ selector: { instance: { regex: "https://.*\\.example\\.com" } } }).expr).toBe(
      'probe_ssl_earliest_cert_expiry{instance=~"https://.*\\\\.example\\\\.com"} - time() < 864000',
    );
    // cert-manager renews at a third of the lifetime left: a 64-day certificate at ~21 days.
    expect((64 / 3) * 86400).toBeGreaterThan(864000);
    expect(TLS_CERTIFICATE_DASHBOARD_WARNING.toSeconds()).toBe(2592000);
  });

  it("sseConnections: critical 200 for 5m, warning 150 for 10m (seed 002)", () => {
    const c = sseConnections({ selector: { job: "chat-api" } });
    expect([c.name, c.severity, c.for.toPrometheus(), c.expr]).toEqual([
      "TooManySseConnections",
      "critical",
      "5m",
      'sse_active_connections{job="chat-api"} > 200',
    ]);
    const w = sseConnections({ selector: { job: "chat-api" }, severity: "warning" });
    expect([w.name, w.severity, w.for.toPrometheus(), w.expr]).toEqual([
      "TooManySseConnectionsWarning",
      "warning",
      "10m",
      'sse_active_connections{job="chat-api"} > 150',
    ]);
  });

  it("slowQueries compares mean seconds per call with 500 ms (seed 003)", () => {
    const a = slowQueries({ selector: { job: "voyager-postgres" } });
    expect(a.name).toBe("SlowDatabaseQueries");
    expect(a.expr).toBe(
      'rate(pg_stat_statements_seconds_total{job="voyager-postgres"}[5m]) / rate(pg_stat_statements_calls_total{job="voyager-postgres"}[5m]) > 0.5',
    );
    expect(a.summary).toContain("0.5s");
  });

  it("backupStale fires past the RPO, or when no success is recorded once the CronJob is older than the RPO", () => {
    const a = backupStale({ cronJob: "codebook-db-backup", namespace: "codebook" });
    const series = 'kube_cronjob_status_last_successful_time{cronjob="codebook-db-backup",namespace="codebook"}';
    const created = 'kube_cronjob_created{cronjob="codebook-db-backup",namespace="codebook"}';
    expect(a.name).toBe("CodebookDbBackupStale");
    expect(a.expr).toBe(`(time() - ${series} > 86400) or ((time() - ${created} > 86400) unless on(cronjob, namespace) ${series})`);
    expect(a.severity).toBe("critical");
    expect(a.runbookUrl).toBe(`${RB}/CodebookDbBackupStale.md`);
    const weekly = backupStale({ cronJob: "pinecone-export", namespace: "codebook", rpo: Duration.days(8) });
    expect(weekly.name).toBe("PineconeExportBackupStale");
    expect(weekly.expr).toContain("> 691200)");
  });

  it("backupStale refuses an RPO without the margin over the schedule's longest gap", () => {
    // daily schedule (24 h gap) with a 24 h RPO: one slow run would page
    expect(thrown(() => backupStale({ cronJob: "b", namespace: "n", rpo: Duration.hours(24), schedulePeriod: Duration.hours(24) }))).toContain(
      "`rpo` (1d) must be at least the schedule's longest gap (1d) plus `margin` (2h)",
    );
    // twice a day: 12 h + 2 h <= 24 h
    expect(() => backupStale({ cronJob: "b", namespace: "n", rpo: Duration.hours(24), schedulePeriod: Duration.hours(12) })).not.toThrow();
    expect(() => backupStale({ cronJob: "b", namespace: "n", rpo: Duration.days(8), schedulePeriod: Duration.days(7) })).not.toThrow();
    expect(
      thrown(() => backupStale({ cronJob: "b", namespace: "n", rpo: Duration.days(8), schedulePeriod: Duration.days(7), margin: Duration.days(2) })),
    ).toContain("`margin` (2d)");
  });

  it("probe, security-header and target builders read the blackbox and up series of their selector", () => {
    const probe = { namespace: "ara-prod", job: "ara-probes-web-health" };
    expect(endpointDown({ selector: probe }).expr).toBe('probe_success{namespace="ara-prod",job="ara-probes-web-health"} == 0');
    expect(probeFailureRate({ selector: probe }).expr).toBe('1 - avg_over_time(probe_success{namespace="ara-prod",job="ara-probes-web-health"}[5m]) > 0.05');
    expect(probeLatencyHigh({ selector: probe }).expr).toBe(
      'quantile_over_time(0.95, probe_duration_seconds{namespace="ara-prod",job="ara-probes-web-health"}[5m]) > 2',
    );
    expect(securityHeadersMissing({ selector: probe }).expr).toBe('probe_failed_due_to_regex{namespace="ara-prod",job="ara-probes-web-health"} == 1');
    expect(targetDown({ selector: api }).expr).toBe('up{job="codebook-api"} == 0');
    expect(targetAbsent({ selector: api }).expr).toBe('absent(up{job="codebook-api"}) == 1');
    expect(thrown(() => targetAbsent({ selector: { job: { regex: "a|b" } } }))).toContain("must be an exact value");
    expect(thrown(() => endpointDown({ selector: {} }))).toContain("`selector` must name at least one label");
    expect(thrown(() => probeFailureRate({ selector: probe, threshold: 5 }))).toContain("`threshold` must be a ratio");
  });

  it("every builder's output passes validateAlertSpec", () => {
    const all = [
      errorRate({ selector: api }),
      latencyP95({ selector: api }),
      dbConnectionsHigh({ selector: api }),
      dbPoolExhausted({ selector: api }),
      diskSpaceLow({ selector: {} }),
      dependencyDown({ dependency: "Pinecone" }),
      jobQueueHigh({ selector: api }),
      llmErrorRate({ selector: api }),
      tokenQuota({ selector: api }),
      tlsCertificateExpiring(),
      sseConnections({ selector: api }),
      slowQueries({ selector: api }),
      backupStale({ cronJob: "b", namespace: "n" }),
      endpointDown({ selector: api }),
      probeFailureRate({ selector: api }),
      probeLatencyHigh({ selector: api }),
      securityHeadersMissing({ selector: api }),
      targetDown({ selector: api }),
      targetAbsent({ selector: api }),
    ];
    for (const a of all) {
      expect(validateAlertSpec(a)).toEqual([]);
      expect(a.description).toMatch(/\{\{ \$value( \| \w+)? \}\}/);
      expect(a.runbookUrl.startsWith(`${RB}/`)).toBe(true);
    }
  });
});

describe("builder option errors", () => {
  it("names the builder, the alert and the argument", () => {
    const msg = thrown(() => errorRate({ selector: api, threshold: 5 }));
    expect(msg).toContain('alerts.errorRate "HighErrorRate" has invalid arguments:');
    expect(msg).toContain("`threshold` must be a ratio between 0 and 1 exclusive (e.g. 0.05 for 5 %), got 5");
  });

  it("rejects selectors that are empty, mis-named, empty-valued, templated or bad regexes", () => {
    expect(thrown(() => errorRate({ selector: {} }))).toContain("`selector` must name at least one label");
    expect(thrown(() => latencyP95({ selector: { "bad-label": "x" } }))).toContain('`selector` label "bad-label" is not a valid Prometheus label name');
    expect(thrown(() => sseConnections({ selector: { job: "" } }))).toContain("`selector.job` is empty");
    expect(thrown(() => jobQueueHigh({ selector: { job: "{{x}}" } }))).toContain('`selector.job` contains "{{"');
    expect(thrown(() => tlsCertificateExpiring({ selector: { instance: { regex: "(" } } }))).toContain(
      '`selector.instance.regex` is not a valid regular expression: "("',
    );
  });

  it("rejects non-positive thresholds and durations", () => {
    expect(thrown(() => jobQueueHigh({ selector: api, threshold: 0 }))).toContain("`threshold` must be a positive number, got 0");
    expect(thrown(() => latencyP95({ selector: api, threshold: Duration.seconds(0) }))).toContain("`threshold` must be longer than 0s, got 0s");
    expect(thrown(() => tlsCertificateExpiring({ within: Duration.seconds(0) }))).toContain("`within` must be longer than 0s");
    expect(thrown(() => backupStale({ cronJob: "b", namespace: "n", rpo: Duration.seconds(0) }))).toContain("`rpo` must be longer than 0s");
    expect(thrown(() => dbConnectionsHigh({ selector: api, ratio: 1 }))).toContain("`ratio` must be a ratio between 0 and 1");
    expect(thrown(() => diskSpaceLow({ selector: {}, freeRatio: 0 }))).toContain("`freeRatio` must be a ratio between 0 and 1");
  });

  it("rejects bad CronJob and namespace names and an empty dependency", () => {
    expect(thrown(() => backupStale({ cronJob: "Bad_Name", namespace: "codebook" }))).toContain(
      '`cronJob` must be the CronJob\'s name (a DNS label of at most 52 characters), got "Bad_Name"',
    );
    expect(thrown(() => backupStale({ cronJob: "b", namespace: "" }))).toContain("`namespace` must be the CronJob's namespace");
    expect(thrown(() => dependencyDown({ dependency: "--" }))).toContain("`dependency` must contain letters or digits");
  });

  it("validates the assembled spec too (for floor, runbook base, name override)", () => {
    expect(thrown(() => errorRate({ selector: api, for: Duration.seconds(30) }))).toContain("`for` must be at least 1m for critical alerts, got 30s");
    expect(thrown(() => errorRate({ selector: api, runbookBaseUrl: "http://wiki" }))).toContain(
      '`runbookUrl` must be an https:// URL, got "http://wiki/HighErrorRate.md"',
    );
    expect(thrown(() => errorRate({ selector: api, name: "high_errors" }))).toContain("`name` must be PascalCase");
  });
});

describe("validateAlertSpec", () => {
  const problems = (patch: Partial<AlertSpec>) => validateAlertSpec({ ...base, ...patch });

  it("accepts a complete spec", () => {
    expect(validateAlertSpec(base)).toEqual([]);
    expect(problems({ severity: "info", for: Duration.seconds(0) })).toEqual([]);
  });

  it.each<[string, Partial<AlertSpec>, string]>([
    ["name", { name: "highErrorRate" }, 'alert "highErrorRate": `name` must be PascalCase (a capital letter, then letters and digits), e.g. "HighErrorRate"'],
    ["severity", { severity: "page" as never }, 'alert "HighErrorRate": `severity` must be one of critical, warning, info, got "page"'],
    ["http runbook", { runbookUrl: "http://runbooks.example.com/x" }, '`runbookUrl` must be an https:// URL, got "http://runbooks.example.com/x"'],
    ["relative runbook", { runbookUrl: "/runbooks/x" }, '`runbookUrl` must be an https:// URL, got "/runbooks/x"'],
    ["summary", { summary: "  " }, "`summary` must not be empty"],
    ["description", { description: "" }, "`description` must not be empty"],
    ["critical for", { for: Duration.seconds(59) }, "`for` must be at least 1m for critical alerts, got 59s"],
    ["warning for", { severity: "warning", for: Duration.seconds(0) }, "`for` must be at least 1m for warning alerts, got 0s"],
    ["fractional for", { for: Duration.seconds(90.5) }, "`for` must be a whole number of seconds, got 90.5s"],
    ["empty expr", { expr: " " }, "`expr` must not be empty"],
    ["no comparison", { expr: 'up{job!="x",env=~"prod"}' }, "`expr` must compare against a threshold (==, !=, >, <, >=, <=)"],
    ["comparison only in a string", { expr: 'label_replace(up, "a", ">", "b", "c")' }, "`expr` must compare against a threshold"],
    ["bool modifier", { expr: "up == bool 0" }, "`expr` must not use the `bool` modifier"],
    ["unbalanced", { expr: "sum(rate(x[5m]) > 1" }, "`expr` has unbalanced brackets"],
    ["severity label", { labels: { severity: "critical" } }, "`labels.severity` is not allowed; set the `severity` field instead"],
    ["label name", { labels: { "team-name": "x" } }, '`labels` key "team-name" is not a valid Prometheus label name'],
  ])("reports %s", (_case, patch, message) => {
    const p = problems(patch);
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(message);
  });
});

describe("validateAlertGroups", () => {
  const group = (over: Partial<AlertGroup> = {}): AlertGroup => ({ name: "api", rules: [base], ...over });

  it("accepts distinct groups", () => {
    expect(validateAlertGroups([group(), group({ name: "db" })])).toEqual([]);
  });

  it.each<[string, AlertGroup[], string]>([
    ["duplicate alert", [group({ rules: [base, base] })], '`groups[0]` ("api") has duplicate alert name "HighErrorRate"; give each rule a unique `name`'],
    ["duplicate group", [group(), group()], '`groups[1]`: group name "api" is used twice'],
    ["empty group name", [group({ name: "" })], "`groups[0]`: `name` must not be empty"],
    ["no rules", [group({ rules: [] })], '`groups[0]` ("api") has no rules'],
    ["zero interval", [group({ interval: Duration.seconds(0) })], "`groups[0].interval` must be longer than 0s"],
    ["fractional interval", [group({ interval: Duration.seconds(1.5) })], "`groups[0].interval` must be a whole number of seconds"],
    ["rule problem", [group({ rules: [{ ...base, summary: "" }] })], '`groups[0]` alert "HighErrorRate": `summary` must not be empty'],
  ])("reports %s", (_case, groups, message) => {
    const p = validateAlertGroups(groups);
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(message);
  });
});

describe("toPrometheusRuleGroups and renderRuleFile", () => {
  const groups: AlertGroup[] = [
    {
      name: "codebook-api",
      interval: Duration.seconds(30),
      rules: [errorRate({ selector: api, labels: { team: "platform" } }), { ...base, name: "Info", severity: "info", for: Duration.seconds(0) }],
    },
  ];

  it("produces the Prometheus rule shape with common labels under the spec's and severity last", () => {
    const out = toPrometheusRuleGroups(groups, { commonLabels: { namespace: "codebook", team: "common", severity: "x" } });
    expect(out).toEqual([
      {
        name: "codebook-api",
        interval: "30s",
        rules: [
          {
            alert: "HighErrorRate",
            expr: groups[0].rules[0].expr,
            for: "5m",
            labels: { namespace: "codebook", team: "platform", severity: "critical" },
            annotations: {
              summary: groups[0].rules[0].summary,
              description: groups[0].rules[0].description,
              runbook_url: `${RB}/HighErrorRate.md`,
            },
          },
          {
            alert: "Info",
            expr: base.expr,
            labels: { namespace: "codebook", team: "common", severity: "info" },
            annotations: { summary: base.summary, description: base.description, runbook_url: base.runbookUrl },
          },
        ],
      },
    ]);
    expect(Object.keys(out[0].rules[0])).toEqual(["alert", "expr", "for", "labels", "annotations"]);
  });

  it("throws a ValidationError listing every problem", () => {
    const msg = thrown(() => toPrometheusRuleGroups([{ name: "g", rules: [base, { ...base, runbookUrl: "http://x" }] }]));
    expect(msg).toContain('alert rule groups "g" has invalid arguments:');
    expect(msg).toContain('duplicate alert name "HighErrorRate"');
    expect(msg).toContain('`runbookUrl` must be an https:// URL, got "http://x"');
  });

  it("renders a rule file that parses back to the same data, one line per expression", () => {
    const plain = toPrometheusRuleGroups(groups);
    const text = renderRuleFile(plain);
    expect(parse(text)).toEqual({ groups: plain });
    expect(text).toContain(`expr: ${plain[0].rules[0].expr}`);
    expect(text.startsWith("groups:\n")).toBe(true);
  });
});
