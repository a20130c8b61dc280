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
  /** Backup CronJobs, as kube-state-metrics labels them. @default [] */
  readonly backups?: ReadonlyArray<{ readonly cronJob: string; readonly namespace: string }>;
  /** The product's alerts; each alert's threshold is drawn on the panel plotting its series. @default [] */
  readonly alerts?: ReadonlyArray<AlertSpec>;
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
    const p95 = `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket${renderSelector(sel)}[${RATE_WINDOW}])))`;
    panels.push({ title: `${w}: p95 latency`, unit: "s", expr: p95, legend: w, thresholds: thresholdsFor(alerts, p95) });
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
  for (const b of args.backups ?? []) {
    const age = `time() - kube_cronjob_status_last_successful_time${renderSelector({ cronjob: b.cronJob, namespace: b.namespace })}`;
    panels.push({ title: `${b.cronJob}: backup age`, unit: "s", expr: age, legend: b.cronJob, thresholds: thresholdsFor(alerts, age) });
  }
  return panels;
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
