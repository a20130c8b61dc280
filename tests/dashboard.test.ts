/**
 * Product dashboards on both committed stacks: one ConfigMap per product in the monitoring
 * namespace, labelled for the Grafana sidecar, holding a dashboard whose panel queries read only
 * series the stack's alerts read (same metric names, same selectors), with each alert's threshold
 * drawn on its panel. Each panel query also passes the dead-alert check's `checkExpression`
 * against the stack's series sources (the same check the alerts pass).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { plain, type RegisteredResource } from "../tools/engine/harness";
import { exportRuleFiles } from "../tools/export-rules";
import { alertThreshold, buildDashboard, dashboardPanels } from "../components/monitoring/dashboard";
import { errorRate, latencyP95 } from "../components/monitoring/alerts";
import { Duration } from "../components/values";
import { committedStackRun } from "./helpers/stack-runs";
import { DEFAULT_SELECTOR_LABELS, checkExpression, seriesSources, type SeriesSource, type SourceResource } from "../policies/lib/series-sources";
import { sourceResources } from "../tools/plan/alert-sources";

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const SERIES = /([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g;

/** `metric{sorted matchers without status}` of every selector in `expr`. */
function series(expr: string): { metric: string; selector: string }[] {
  return [...expr.matchAll(SERIES)].map((m) => ({
    metric: m[1],
    selector: m[2]
      .split(/,(?=[a-zA-Z_]+=)/)
      .filter((x) => !x.startsWith("status="))
      .sort()
      .join(","),
  }));
}

/**
 * Panel queries that drift from the alerts: a panel on a metric some alert reads must use a
 * selector some alert reads (the same job, namespace, probe), so it shows what the alerts judge.
 * Panels on series no alert reads (the cAdvisor and kube-state-metrics resource panels, the
 * database size) are held by the dead-series check instead (`checkExpression`, below).
 */
export function unsourcedQueries(queries: readonly string[], alertExprs: readonly string[]): string[] {
  const read = alertExprs.flatMap(series);
  const metrics = new Set(read.map((s) => s.metric));
  const selectors = new Set(read.map((s) => s.selector));
  const problems: string[] = [];
  for (const q of queries) {
    const found = series(q);
    if (found.length === 0) problems.push(`${q}: reads no selected series`);
    for (const s of found) {
      // kube-state-metrics and cAdvisor series are selected by object, not by an alert's job
      if (/^(kube_|container_)/.test(s.metric)) continue;
      if (metrics.has(s.metric) && !selectors.has(s.selector)) problems.push(`${q}: selector {${s.selector}} is read by no alert`);
    }
  }
  return problems;
}

interface Dash {
  panels: { title: string; targets: { expr: string }[]; fieldConfig: { defaults: { thresholds: { steps: { value: number | null; color?: string }[] } } } }[];
}
const runs: Record<string, { dashboards: { cm: Record<string, any>; json: Dash }[]; exprs: string[]; resources: SourceResource[]; sources: SeriesSource[] }> =
  {};

beforeAll(async () => {
  for (const stack of ["staging", "prod"]) {
    const run = await committedStackRun(stack);
    expect(run.ok, run.stderr).toBe(true);
    const cms = run.resources.filter((r: RegisteredResource) => r.type === CONFIGMAP).map((r) => plain<Record<string, any>>(r.inputs));
    const dashboards = cms
      .filter((c) => c.metadata?.labels?.grafana_dashboard === "1")
      .map((cm) => ({ cm, json: JSON.parse(Object.values(cm.data as Record<string, string>)[0]) as Dash }));
    const exprs = exportRuleFiles(run.resources).flatMap((f) => f.groups.flatMap((g) => g.rules.map((r) => r.expr)));
    const resources = sourceResources(run.resources);
    // The committed stacks keep the default `prometheusSelectorLabels` (release=kube-prometheus-stack).
    const sources = seriesSources(resources, { selectorLabels: DEFAULT_SELECTOR_LABELS });
    runs[stack] = { dashboards, exprs, resources, sources };
  }
}, 120_000);

describe.each(["staging", "prod"])("dashboards of the %s stack", (stack) => {
  it("one ConfigMap per product in the monitoring namespace, labelled for the Grafana sidecar", () => {
    const d = runs[stack].dashboards;
    expect(d.map((x) => x.cm.metadata.name).sort()).toEqual(["ara", "ask-dahlia", "chat-api", "codebook", "voyager"].map((p) => `${p}-${stack}-dashboard`));
    for (const x of d) expect(x.cm.metadata.namespace).toBe("monitoring");
  });

  it("the seeds' panels are there: CPU, memory, network, restarts per workload; 5xx by endpoint; p50/p95/p99; DB size; backup age; restore duration; tokens where exported", () => {
    const titles = (p: string) => runs[stack].dashboards.find((x) => x.cm.metadata.name === `${p}-${stack}-dashboard`)!.json.panels.map((x) => x.title);
    expect(titles("codebook")).toEqual(
      expect.arrayContaining([
        "api: CPU (cores)",
        "api: memory (working set)",
        "api: network received",
        "api: network sent",
        "api: container restarts (1 h)",
        "api: 5xx by endpoint",
        "api: p50 latency",
        "api: p95 latency",
        "api: p99 latency",
        "api: LLM tokens used this month",
        "DB storage",
        "codebook-backup-daily: backup age",
        "codebook-restore-verify-daily: restore duration",
      ]),
    );
    expect(titles("voyager")).toContain("DB storage (share of the limit)");
    expect(titles("ask-dahlia")).toEqual(expect.arrayContaining(["worker: CPU (cores)", "worker: container restarts (1 h)"]));
    // Vercel-only products have no pods to plot.
    expect(titles("ara").filter((t) => /CPU|memory/.test(t))).toEqual([]);
  });

  it("resource panels select the workload's own pods and app container", () => {
    const codebook = runs[stack].dashboards.find((x) => x.cm.metadata.name === `codebook-${stack}-dashboard`)!.json;
    const expr = codebook.panels.find((p) => p.title === "api: CPU (cores)")!.targets[0].expr;
    expect(expr).toBe(
      `sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="codebook-${stack}",pod=~"codebook-api-[a-z0-9]+-[a-z0-9]+",container="app"}[5m]))`,
    );
  });

  it("every panel query reads an alert's series with that alert's selector", () => {
    const queries = runs[stack].dashboards.flatMap((x) => x.json.panels.flatMap((p) => p.targets.map((t) => t.expr)));
    expect(queries.length).toBeGreaterThan(20);
    expect(unsourcedQueries(queries, runs[stack].exprs)).toEqual([]);
  });

  it("every panel query passes the dead-alert check's series-source check (checkExpression)", () => {
    const { dashboards, sources, resources } = runs[stack];
    const problems = dashboards.flatMap((x) =>
      x.json.panels.flatMap((p) =>
        p.targets.flatMap((t) => checkExpression(t.expr, sources, resources).map((pr) => `${x.cm.metadata.name} "${p.title}": ${pr.selector}`)),
      ),
    );
    expect(problems).toEqual([]);
    // The same check fails a panel reading a job the stack does not scrape.
    const ns = `codebook-${stack}`;
    expect(checkExpression(`sum(rate(http_requests_total{namespace="${ns}",job="codebook-nope"}[5m]))`, sources, resources).length).toBe(1);
  });

  it("draws the alerts' thresholds on their panels (Codebook: 5% and 2% errors, p95 5s, backup RPO 1d)", () => {
    const codebook = runs[stack].dashboards.find((x) => x.cm.metadata.name === `codebook-${stack}-dashboard`)!.json;
    const steps = (title: string) =>
      codebook.panels
        .find((p) => p.title === title)!
        .fieldConfig.defaults.thresholds.steps.map((s) => s.value)
        .filter((v) => v !== null);
    expect(steps("api: error rate (5xx)").sort()).toEqual([0.02, 0.05]);
    expect(steps("api: p95 latency")).toEqual([5]);
    expect(steps("codebook-backup-daily: backup age")).toEqual([86400]);
    expect(steps("DB connections (share of max_connections)")).toEqual([1]);
  });

  it("each public endpoint has a TLS time-left panel: red under the alert's 10 days (renewal failing), orange up to seed 001's 30 days, no alert at 30", () => {
    const codebook = runs[stack].dashboards.find((x) => x.cm.metadata.name === `codebook-${stack}-dashboard`)!.json;
    const tls = codebook.panels.filter((p) => p.title.endsWith(": TLS certificate time left"));
    expect(tls.length).toBeGreaterThan(0);
    for (const p of tls) {
      expect(p.targets[0].expr).toMatch(/^probe_ssl_earliest_cert_expiry\{.*\} - time\(\)$/);
      expect(p.fieldConfig.defaults.thresholds.steps).toEqual([
        { value: null, color: "red" },
        { value: 864000, color: "orange" },
        { value: 2592000, color: "green" },
      ]);
    }
    // The 30-day line is the dashboard's only: no alert of the stack compares against it.
    expect(runs[stack].exprs.filter((e) => e.includes("probe_ssl_earliest_cert_expiry") && e.includes("2592000"))).toEqual([]);
  });
});

describe("dashboard pieces fail where they must", () => {
  it("a panel query reading an alert's metric with another selector is reported; a metric no alert reads is left to the dead-series check", () => {
    const alerts = ['up{job="a",namespace="n"} == 0'];
    expect(unsourcedQueries(['up{job="a",namespace="n"}'], alerts)).toEqual([]);
    expect(unsourcedQueries(['http_requests_total{job="a",namespace="n"}'], alerts)).toEqual([]);
    expect(unsourcedQueries(['up{job="b",namespace="n"}'], alerts).join("\n")).toContain('selector {job="b",namespace="n"}');
    expect(unsourcedQueries(["vector(1)"], alerts).join("\n")).toContain("reads no selected series");
  });

  it("thresholds come from the alert specs: changing an alert moves its panel's line", () => {
    const sel = { namespace: "n", job: "api" };
    const args = (t: number) => ({
      product: "p",
      environment: "staging",
      workloads: { api: sel },
      alerts: [errorRate({ selector: sel, threshold: t }), latencyP95({ selector: sel, threshold: Duration.seconds(3) })],
    });
    const panel = (t: number, title: string) => dashboardPanels(args(t)).find((p) => p.title === title)!;
    expect(panel(0.05, "api: error rate (5xx)").thresholds.map((x) => x.value)).toEqual([0.05]);
    expect(panel(0.1, "api: error rate (5xx)").thresholds.map((x) => x.value)).toEqual([0.1]);
    expect(panel(0.1, "api: p95 latency").thresholds.map((x) => x.value)).toEqual([3]);
    expect(panel(0.1, "api: request rate").thresholds).toEqual([]);
    expect(alertThreshold('up{job="a"} == 0')).toBeUndefined();
    const json = buildDashboard(args(0.05)) as unknown as Dash;
    // request rate, error rate, 5xx by endpoint, p50, p95, p99
    expect(json.panels.length).toBe(6);
  });
});
