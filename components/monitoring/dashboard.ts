/**
 * One Grafana dashboard per product, built with `@grafana/grafana-foundation-sdk` and shipped as a
 * ConfigMap the Grafana sidecar of kube-prometheus-stack loads (label `grafana_dashboard: "1"` by
 * default; the sidecar watches its own release namespace unless `searchNamespace` is widened, so
 * the ConfigMap goes to the monitoring namespace).
 *
 * Panels read the same selectors the alerts read (the product's `AlertSources`), and each alert's
 * threshold is taken from the alert spec itself (the number its expression compares against), so
 * a panel and its alert cannot drift apart.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { DashboardBuilder, ThresholdsConfigBuilder, ThresholdsMode, type Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode } from "@grafana/grafana-foundation-sdk/common";
import { PanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { RATE_WINDOW, TLS_CERTIFICATE_DASHBOARD_WARNING, renderSelector, type AlertSpec, type SeriesSelector } from "./alerts";

/** What a product's dashboard plots. */
export interface DashboardArgs {
  /** Product id, used in the title, uid and ConfigMap name. @example "codebook" */
  readonly product: string;
  /** Environment (stack), in the title and uid. @example "prod" */
  readonly environment: string;
  /** Request series per workload (the selectors the alerts read). @default {} */
  readonly workloads?: Readonly<Record<string, SeriesSelector>>;
  /** Blackbox health-probe series per endpoint. @default {} */
  readonly probes?: Readonly<Record<string, SeriesSelector>>;
  /** postgres_exporter series of the product's database. @default none */
  readonly database?: SeriesSelector;
  /**
   * The pods of each workload, for its resource panels (CPU, memory, network, restarts from cAdvisor
   * and kube-state-metrics): the namespace, the Deployment whose pods they are and the app container.
   * @default {}
   */
  readonly pods?: Readonly<Record<string, WorkloadPods>>;
  /** Backup CronJobs, as kube-state-metrics labels them. @default [] */
  readonly backups?: ReadonlyArray<{ readonly cronJob: string; readonly namespace: string }>;
  /** Restore-check CronJobs, whose runs' durations are plotted. @default [] */
  readonly restoreChecks?: ReadonlyArray<{ readonly cronJob: string; readonly namespace: string }>;
  /** The product's alerts; each alert's threshold is drawn on the panel plotting its series. @default [] */
  readonly alerts?: ReadonlyArray<AlertSpec>;
}

/** A workload's pods as cAdvisor and kube-state-metrics label them. */
export interface WorkloadPods {
  readonly namespace: string;
  /** The Deployment's name; its pods are `<deployment>-<replicaset hash>-<suffix>`. */
  readonly deployment: string;
  /** The application container's name. */
  readonly container: string;
}

/** One panel before rendering: its query and the alerts whose threshold it draws. */
export interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly expr: string;
  readonly legend: string;
  /** Thresholds drawn as lines, from the alerts. */
  readonly thresholds: ReadonlyArray<{ readonly alert: string; readonly value: number }>;
  /** Warning lines no alert fires on (seed thresholds kept for the eye). @default [] */
  readonly warnings?: ReadonlyArray<{ readonly label: string; readonly value: number }>;
  /** The alerts fire below their thresholds (time left), not above. @default false */
  readonly below?: boolean;
}

/**
 * The number an alert expression compares against: the first `>`, `>=`, `<` or `<=` followed by a
 * number (the builders put the comparison last, or first inside each `or` branch).
 */
export function alertThreshold(expr: string): number | undefined {
  const m = /(?<![=!~])(>=|<=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)/.exec(expr);
  return m ? Number(m[2]) : undefined;
}

/** The alerts among `alerts` whose expression starts with the panel's query `lhs` (its left-hand side). */
function thresholdsFor(alerts: ReadonlyArray<AlertSpec>, lhs: string): PanelSpec["thresholds"] {
  const out: { alert: string; value: number }[] = [];
  for (const a of alerts) {
    const expr = a.expr.replace(/^\(/, "");
    if (!expr.startsWith(lhs)) continue;
    const rest = expr.slice(lhs.length);
    const value = alertThreshold(rest);
    if (value !== undefined && /^\s*(>=|<=|>|<)/.test(rest)) out.push({ alert: a.name, value });
  }
  return out;
}

/** The panels of a product's dashboard, in display order. */
export function dashboardPanels(args: DashboardArgs): PanelSpec[] {
  const alerts = args.alerts ?? [];
  const panels: PanelSpec[] = [];
  for (const [w, sel] of Object.entries(args.workloads ?? {})) {
    const all = `sum(rate(http_requests_total${renderSelector(sel)}[${RATE_WINDOW}]))`;
    const errors = `sum(rate(http_requests_total${renderSelector(sel, { status: { regex: "5.." } })}[${RATE_WINDOW}]))`;
    panels.push({ title: `${w}: request rate`, unit: "reqps", expr: all, legend: w, thresholds: [] });
    const ratio = `${errors} / ${all}`;
    panels.push({ title: `${w}: error rate (5xx)`, unit: "percentunit", expr: ratio, legend: w, thresholds: thresholdsFor(alerts, ratio) });
    // seed 001 §1.2 "Request by endpoint", "Error rate": the app labels requests `endpoint` (seed
    // 001 §1.4's example); Prometheus renames it `exported_endpoint`, since the operator's target
    // label `endpoint` (the port name) wins without honorLabels.
    const byEndpoint = `sum by (exported_endpoint) (rate(http_requests_total${renderSelector(sel, { status: { regex: "5.." } })}[${RATE_WINDOW}]))`;
    panels.push({ title: `${w}: 5xx by endpoint`, unit: "reqps", expr: byEndpoint, legend: "{{exported_endpoint}}", thresholds: [] });
    // seed 001 §1.2 "Request latency (p50, p95, p99)".
    for (const q of [0.5, 0.95, 0.99]) {
      const expr = `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket${renderSelector(sel)}[${RATE_WINDOW}])))`;
      panels.push({ title: `${w}: p${Math.round(q * 100)} latency`, unit: "s", expr, legend: w, thresholds: thresholdsFor(alerts, expr) });
    }
    // Token usage and spend where the app exports them (an alert reads them: seed 001 §6.1).
    for (const [metric, title, unit, by] of [
      ["llm_client_tokens_used", "LLM tokens used this month", "short", "client_id"],
      ["llm_monthly_spend_usd", "LLM spend this month", "currencyUSD", "provider"],
    ] as const) {
      const series = `${metric}${renderSelector(sel)}`;
      if (!alerts.some((a) => a.expr.includes(series))) continue;
      panels.push({ title: `${w}: ${title}`, unit, expr: `sum by (${by}) (max by (${by}, model) (${series}))`, legend: `{{${by}}}`, thresholds: [] });
    }
  }
  // seed 001 §1.2 "System Metrics": CPU, memory, network I/O; restarts (seed 000 "worker health").
  for (const [w, p] of Object.entries(args.pods ?? {})) {
    const pods = { namespace: p.namespace, pod: { regex: `${p.deployment}-[a-z0-9]+-[a-z0-9]+` } };
    const container = renderSelector({ ...pods, container: p.container });
    panels.push({
      title: `${w}: CPU (cores)`,
      unit: "short",
      expr: `sum by (pod) (rate(container_cpu_usage_seconds_total${container}[${RATE_WINDOW}]))`,
      legend: "{{pod}}",
      thresholds: [],
    });
    panels.push({
      title: `${w}: memory (working set)`,
      unit: "bytes",
      expr: `sum by (pod) (container_memory_working_set_bytes${container})`,
      legend: "{{pod}}",
      thresholds: [],
    });
    // Network counters are per pod (the sandbox), not per container.
    const net = renderSelector(pods);
    panels.push({
      title: `${w}: network received`,
      unit: "Bps",
      expr: `sum by (pod) (rate(container_network_receive_bytes_total${net}[${RATE_WINDOW}]))`,
      legend: "{{pod}}",
      thresholds: [],
    });
    panels.push({
      title: `${w}: network sent`,
      unit: "Bps",
      expr: `sum by (pod) (rate(container_network_transmit_bytes_total${net}[${RATE_WINDOW}]))`,
      legend: "{{pod}}",
      thresholds: [],
    });
    panels.push({
      title: `${w}: container restarts (1 h)`,
      unit: "short",
      expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total${container}[1h]))`,
      legend: "{{pod}}",
      thresholds: [],
    });
  }
  for (const [endpoint, sel] of Object.entries(args.probes ?? {})) {
    const up = `avg_over_time(probe_success${renderSelector(sel)}[${RATE_WINDOW}])`;
    panels.push({ title: `${endpoint}: probe uptime`, unit: "percentunit", expr: up, legend: endpoint, thresholds: [] });
    const lat = `quantile_over_time(0.95, probe_duration_seconds${renderSelector(sel)}[${RATE_WINDOW}])`;
    panels.push({ title: `${endpoint}: probe latency (p95)`, unit: "s", expr: lat, legend: endpoint, thresholds: thresholdsFor(alerts, lat) });
    // Certificate time left: the alert's line (renewal failing) and seed 001 §1.4's 30 days, drawn only.
    const left = `probe_ssl_earliest_cert_expiry${renderSelector(sel)} - time()`;
    panels.push({
      title: `${endpoint}: TLS certificate time left`,
      unit: "s",
      expr: left,
      legend: endpoint,
      thresholds: thresholdsFor(alerts, left),
      warnings: [{ label: "seed 001 §1.4 SSL certificate expiring within 30 days", value: TLS_CERTIFICATE_DASHBOARD_WARNING.toSeconds() }],
      below: true,
    });
  }
  if (args.database) {
    const s = renderSelector(args.database);
    const used = `sum by (instance) (pg_stat_activity_count${s})`;
    const candidates = [
      `${used} / max by (instance) (pg_settings_max_connections${s})`,
      `${used} / max by (instance) (pg_settings_max_connections${s} - pg_settings_superuser_reserved_connections${s})`,
    ];
    const expr = candidates.find((c) => thresholdsFor(alerts, c).length > 0) ?? candidates[0];
    panels.push({
      title: "DB connections (share of max_connections)",
      unit: "percentunit",
      expr,
      legend: "{{instance}}",
      thresholds: thresholdsFor(alerts, expr),
    });
  }
  if (args.database) {
    // seed 003 "Storage usage"; with a storage alert, as its share of the limit (and its line).
    const size = `sum by (instance) (pg_database_size_bytes${renderSelector(args.database)})`;
    const share = alerts.map((a) => new RegExp(`^${escapeRegex(size)} / [0-9]+`).exec(a.expr)?.[0]).find((x) => x !== undefined);
    panels.push(
      share
        ? { title: "DB storage (share of the limit)", unit: "percentunit", expr: share, legend: "{{instance}}", thresholds: thresholdsFor(alerts, share) }
        : { title: "DB storage", unit: "bytes", expr: size, legend: "{{instance}}", thresholds: [] },
    );
  }
  for (const b of args.backups ?? []) {
    const age = `time() - kube_cronjob_status_last_successful_time${renderSelector({ cronjob: b.cronJob, namespace: b.namespace })}`;
    panels.push({ title: `${b.cronJob}: backup age`, unit: "s", expr: age, legend: b.cronJob, thresholds: thresholdsFor(alerts, age) });
  }
  // seed 001 §4.4 "Document time to restore": each run's duration (finished runs).
  for (const r of args.restoreChecks ?? []) {
    const ns = renderSelector({ namespace: r.namespace });
    const owned = `kube_job_owner${renderSelector({ namespace: r.namespace, owner_kind: "CronJob", owner_name: r.cronJob })}`;
    const expr = `(kube_job_status_completion_time${ns} - kube_job_status_start_time${ns}) * on(namespace, job_name) ${owned}`;
    panels.push({ title: `${r.cronJob}: restore duration`, unit: "s", expr, legend: "{{job_name}}", thresholds: [] });
  }
  return panels;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The dashboard JSON (Grafana's dashboard model) of a product. */
export function buildDashboard(args: DashboardArgs): Dashboard {
  const d = new DashboardBuilder(`${args.product} (${args.environment})`)
    .uid(`app-platform-${args.product}-${args.environment}`.slice(0, 40))
    .tags(["app-platform", args.product, args.environment])
    .refresh("1m")
    .time({ from: "now-6h", to: "now" });
  for (const p of dashboardPanels(args)) {
    const warnings = p.warnings ?? [];
    // Above: green, then orange from each warning line, red from each alert's. Below (time left): red
    // under the alert's line, orange up to each warning line, green above it.
    const lines = [...p.thresholds.map((t) => ({ value: t.value, alert: true })), ...warnings.map((w) => ({ value: w.value, alert: false }))].sort(
      (a, b) => a.value - b.value,
    );
    const steps = p.below
      ? [{ value: null as unknown as number, color: "red" }, ...lines.map((l) => ({ value: l.value, color: l.alert ? "orange" : "green" }))]
      : [{ value: null as unknown as number, color: "green" }, ...lines.map((l) => ({ value: l.value, color: l.alert ? "red" : "orange" }))];
    const description = [
      ...p.thresholds.map((t) => `${t.alert} fires ${p.below ? "below" : "above"} ${t.value}`),
      ...warnings.map((w) => `warning line (no alert) at ${w.value}: ${w.label}`),
    ].join("; ");
    d.withPanel(
      new PanelBuilder()
        .title(p.title)
        .description(description)
        .unit(p.unit)
        .withTarget(new DataqueryBuilder().expr(p.expr).legendFormat(p.legend))
        .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps))
        .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(lines.length > 0 ? GraphThresholdsStyleMode.Line : GraphThresholdsStyleMode.Off)),
    );
  }
  return d.build();
}

/** Arguments of `ProductDashboard`. */
export interface ProductDashboardArgs extends DashboardArgs {
  /** Namespace the Grafana sidecar watches (kube-prometheus-stack: its release namespace). @example "monitoring" */
  readonly namespace: pulumi.Input<string>;
  /** The label the sidecar selects dashboards by. @default { key: "grafana_dashboard", value: "1" } */
  readonly sidecarLabel?: { readonly key: string; readonly value: string };
  /** Labels every object carries. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The product dashboard as a ConfigMap for the Grafana sidecar. */
export class ProductDashboard extends pulumi.ComponentResource {
  /** The ConfigMap's name. */
  public readonly configMapName: pulumi.Output<string>;
  /** The dashboard JSON it holds. */
  public readonly dashboard: Dashboard;

  constructor(name: string, args: ProductDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("app-platform:monitoring:ProductDashboard", name, {}, opts);
    this.dashboard = buildDashboard(args);
    const label = args.sidecarLabel ?? { key: "grafana_dashboard", value: "1" };
    const cm = new k8s.core.v1.ConfigMap(
      `${name}-dashboard`,
      {
        metadata: {
          name: `${args.product}-${args.environment}-dashboard`,
          namespace: args.namespace,
          labels: { ...(args.labels ?? {}), [label.key]: label.value },
        },
        data: { [`${args.product}-${args.environment}.json`]: JSON.stringify(this.dashboard) },
      },
      { parent: this },
    );
    this.configMapName = cm.metadata.name;
    this.registerOutputs({ configMapName: this.configMapName });
  }
}
