/**
 * The series the cluster provides without the stack: the one list of cluster prerequisites that
 * the dead-alert check (lib/series-sources.ts) trusts, with the job label, metric names and labels
 * each provides, and the series families of the exporters the stack may run itself. The README's
 * monitoring section is generated from this file (`npx ts-node policies/scripts/rules-table.ts`).
 *
 * Job labels are kube-prometheus-stack's defaults (its ServiceMonitors for kube-state-metrics,
 * node_exporter and the kubelet; Prometheus and Alertmanager with the release named
 * `kube-prometheus-stack`). Label lists name the labels a series may carry besides the target
 * labels; a family marked `"any"` is not described label by label, so any label is accepted.
 */

/** The values a label can take: a closed list, or anything (unknown, or set by the metric itself). */
export type LabelValues = readonly string[] | "any";

/** A family of metrics: one name, or every name with a prefix, and the labels its series carry. */
export interface MetricFamily {
  /** An exact metric name. */
  readonly name?: string;
  /** Every metric whose name starts with this prefix (when `name` is unset). */
  readonly prefix?: string;
  /** Labels of the series beyond the target labels (`job`, `instance`, ...). */
  readonly labels: readonly string[] | "any";
}

/**
 * Series about Kubernetes objects: a label names the object. When a selector names one, the
 * stack must define that object (a freshness alert on a CronJob that does not exist is dead).
 */
export interface ObjectLabel {
  /** Metric-name prefix the rule applies to, e.g. `kube_cronjob_`. */
  readonly prefix: string;
  /** Kubernetes kind, e.g. `CronJob`. */
  readonly kind: string;
  /** Pulumi type token of that kind. */
  readonly type: string;
  /** The label holding the object's name, e.g. `cronjob`. */
  readonly nameLabel: string;
  /** The label holding its namespace. */
  readonly namespaceLabel: string;
}

/** Something the cluster runs that Prometheus scrapes, and what it provides. */
export interface ClusterPrerequisite {
  /** e.g. `kube-state-metrics`. */
  readonly name: string;
  /** Where it comes from, for the README. */
  readonly provider: string;
  /** Target labels of its series (`job` first). */
  readonly targetLabels: Readonly<Record<string, LabelValues>>;
  readonly families: readonly MetricFamily[];
  readonly objects?: readonly ObjectLabel[];
}

/** Labels every scrape target of a ServiceMonitor or the kubelet gets whose values the stack does not decide. */
const SCRAPED = { instance: "any", namespace: "any", service: "any", endpoint: "any", pod: "any", container: "any" } as const;

/** The metrics Prometheus adds for every target it scrapes (`up == 0` when the target does not answer). */
export const SCRAPE_METRICS: readonly MetricFamily[] = [
  { name: "up", labels: [] },
  { name: "scrape_duration_seconds", labels: [] },
  { name: "scrape_samples_scraped", labels: [] },
  { name: "scrape_samples_post_metric_relabeling", labels: [] },
  { name: "scrape_series_added", labels: [] },
];

/** The cluster prerequisites (README "Monitoring": cluster prerequisites). */
export const CLUSTER_PREREQUISITES: readonly ClusterPrerequisite[] = [
  {
    name: "kube-state-metrics",
    provider: "kube-prometheus-stack (subchart kube-state-metrics, scraped with honorLabels)",
    targetLabels: { job: ["kube-state-metrics"], ...SCRAPED },
    families: [
      { prefix: "kube_cronjob_", labels: ["namespace", "cronjob", "schedule", "concurrency_policy", "timezone"] },
      { prefix: "kube_job_", labels: ["namespace", "job_name", "condition", "reason", "owner_kind", "owner_name", "owner_is_controller"] },
      { prefix: "kube_deployment_", labels: ["namespace", "deployment", "condition", "status", "reason"] },
      { prefix: "kube_", labels: "any" },
    ],
    objects: [
      { prefix: "kube_cronjob_", kind: "CronJob", type: "kubernetes:batch/v1:CronJob", nameLabel: "cronjob", namespaceLabel: "namespace" },
      { prefix: "kube_deployment_", kind: "Deployment", type: "kubernetes:apps/v1:Deployment", nameLabel: "deployment", namespaceLabel: "namespace" },
    ],
  },
  {
    name: "node_exporter",
    provider: "kube-prometheus-stack (subchart prometheus-node-exporter, pods labelled jobLabel: node-exporter)",
    targetLabels: { job: ["node-exporter"], ...SCRAPED },
    families: [
      { prefix: "node_filesystem_", labels: ["device", "fstype", "mountpoint", "device_error"] },
      { prefix: "node_cpu_", labels: ["cpu", "mode"] },
      { prefix: "node_memory_", labels: [] },
      { prefix: "node_load", labels: [] },
      { prefix: "node_network_", labels: ["device"] },
      { prefix: "node_disk_", labels: ["device"] },
      { prefix: "node_", labels: "any" },
    ],
  },
  {
    name: "kubelet",
    provider: "kube-prometheus-stack (kubelet ServiceMonitor: /metrics and cAdvisor /metrics/cadvisor, honorLabels)",
    targetLabels: { job: ["kubelet"], metrics_path: ["/metrics", "/metrics/cadvisor", "/metrics/probes"], node: "any", ...SCRAPED },
    families: [
      { prefix: "kubelet_volume_stats_", labels: ["namespace", "persistentvolumeclaim"] },
      { prefix: "kubelet_", labels: "any" },
      { prefix: "container_", labels: "any" },
    ],
  },
  {
    name: "Prometheus",
    provider: "kube-prometheus-stack (release kube-prometheus-stack)",
    targetLabels: { job: ["kube-prometheus-stack-prometheus"], ...SCRAPED },
    families: [{ prefix: "prometheus_", labels: "any" }],
  },
  {
    name: "Alertmanager",
    provider: "kube-prometheus-stack (release kube-prometheus-stack)",
    targetLabels: { job: ["kube-prometheus-stack-alertmanager"], ...SCRAPED },
    families: [{ prefix: "alertmanager_", labels: "any" }],
  },
  {
    name: "rule evaluation",
    provider: "Prometheus itself: the state of every alert, with the alert's labels",
    targetLabels: {},
    families: [
      { name: "ALERTS", labels: "any" },
      { name: "ALERTS_FOR_STATE", labels: "any" },
    ],
  },
];

/** An exporter the stack may run behind a ServiceMonitor, recognised by its image or declared by annotation. */
export interface ExporterKind {
  /** e.g. `postgres_exporter`; also the value of the ServiceMonitor annotation `app-platform/exporter`. */
  readonly name: string;
  /** Matches the container image of the workload behind the Service. */
  readonly image: RegExp;
  readonly families: readonly MetricFamily[];
}

/** Standard families of every Go/Prometheus-client exporter. */
const PROCESS: readonly MetricFamily[] = [
  { prefix: "process_", labels: [] },
  { prefix: "go_", labels: "any" },
  { prefix: "promhttp_", labels: "any" },
];

/** Exporters a stack may run (postgres_exporter per product database). */
export const EXPORTERS: readonly ExporterKind[] = [
  {
    name: "postgres_exporter",
    image: /(^|\/)postgres[-_]exporter(:|@|$)/,
    families: [
      { name: "pg_up", labels: ["server"] },
      { prefix: "pg_stat_activity_", labels: ["server", "datname", "state", "usename", "application_name", "backend_type"] },
      { prefix: "pg_settings_", labels: ["server"] },
      { prefix: "pg_stat_statements_", labels: ["server", "user", "datname", "queryid"] },
      { prefix: "pg_stat_database_", labels: ["server", "datid", "datname"] },
      { prefix: "pg_database_", labels: ["server", "datname"] },
      { prefix: "pg_locks_", labels: ["server", "datname", "mode"] },
      { prefix: "pg_", labels: "any" },
      { prefix: "postgres_exporter_", labels: "any" },
      ...PROCESS,
    ],
  },
  {
    name: "blackbox_exporter",
    image: /(^|\/)blackbox[-_]exporter(:|@|$)/,
    families: [{ prefix: "blackbox_", labels: "any" }, ...PROCESS],
  },
];

/** What a blackbox_exporter probe (Prometheus Operator `Probe`) returns for each target. */
export const PROBE_FAMILIES: readonly MetricFamily[] = [
  { name: "probe_success", labels: [] },
  { name: "probe_duration_seconds", labels: [] },
  { name: "probe_dns_lookup_time_seconds", labels: [] },
  { name: "probe_ip_protocol", labels: [] },
  { name: "probe_ip_addr_hash", labels: [] },
  { name: "probe_http_duration_seconds", labels: ["phase"] },
  { name: "probe_http_version", labels: [] },
  { name: "probe_tls_version_info", labels: ["version"] },
  { name: "probe_tls_cipher_info", labels: ["cipher"] },
  { name: "probe_ssl_last_chain_info", labels: ["fingerprint_sha256", "subject", "issuer", "subjectalternative", "serialnumber"] },
  { name: "probe_ssl_last_chain_expiry_timestamp_seconds", labels: ["fingerprint_sha256", "subject", "issuer", "serial_no"] },
  { prefix: "probe_ssl_", labels: [] },
  { prefix: "probe_http_", labels: [] },
  { prefix: "probe_", labels: "any" },
];

/**
 * Name prefixes an application's own `/metrics` never serves: they belong to the exporters and
 * cluster components above, so `pg_stat_activity_count{job="<the app>"}` is dead.
 */
export const RESERVED_PREFIXES: readonly string[] = ["pg_", "probe_", "kube_", "node_", "kubelet_", "container_", "apiserver_", "blackbox_"];
