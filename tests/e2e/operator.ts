/**
 * What the Prometheus Operator would make of a stack's monitoring objects, as plain Prometheus
 * configuration the real programs can load on 127.0.0.1:
 *
 * - which `ServiceMonitor`s, `PodMonitor`s, `Probe`s and `PrometheusRule`s a `Prometheus` selects
 *   (its `*Selector` label selectors; kube-prometheus-stack's defaults select
 *   `release: kube-prometheus-stack` only, prometheus-community/helm-charts#430);
 * - the scrape configuration the operator generates for each selected object: the same job names
 *   (`serviceMonitor/<ns>/<name>/<i>`, `podMonitor/...`, `probe/<ns>/<name>`) and the same
 *   relabelings (pkg/prometheus/promcfg.go), so scraped series carry `job` (the Service name, or
 *   its `jobLabel` label), `namespace`, `service`, `pod`, `container`, `endpoint` and `instance`
 *   exactly as in the cluster.
 *
 * Kubernetes service discovery is the one thing that cannot run here. It is replaced by
 * `file_sd_configs` files holding, for every Service (or pod) the test stands in for, a target
 * with the `__meta_kubernetes_*` labels Kubernetes SD would attach; the operator's relabelings then
 * do the selecting and labelling inside the real Prometheus. Rewriting a file makes a target
 * appear or disappear, as an Endpoints change would.
 *
 * Probes: the prober URL becomes the real blackbox_exporter on loopback, and each target URL can
 * be redirected to a loopback stand-in (`__param_target` only: the `instance` label keeps the
 * public URL the alerts select). Both rewrites are explicit relabelings marked "e2e stand-in".
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { plain, type RegisteredResource } from "../../tools/engine/harness";

// ---------------------------------------------------------------------------------------------
// Kubernetes objects and label selectors
// ---------------------------------------------------------------------------------------------

/** A Kubernetes object as a stack registers it (plain values, secrets unwrapped). */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: any;
  readonly stringData?: Readonly<Record<string, string>>;
  readonly data?: Readonly<Record<string, string>>;
}

/** The Kubernetes objects among a stack's registered resources (`kubernetes:<group>/<version>:<Kind>`). */
export function k8sObjects(resources: readonly RegisteredResource[]): K8sObject[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:") && r.custom)
    .map((r) => plain<K8sObject>(r.inputs))
    .filter((o) => typeof o?.kind === "string" && typeof o.metadata?.name === "string");
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  readonly values?: readonly string[];
}

/** A Kubernetes label selector. `{}` selects everything; `undefined` (nil) selects nothing. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** Whether `labels` satisfy `selector` (Kubernetes semantics; a nil selector matches nothing). */
export function matchesSelector(labels: Readonly<Record<string, string>> | undefined, selector: LabelSelector | undefined | null): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const ok =
      e.operator === "In"
        ? has && (e.values ?? []).includes(l[e.key])
        : e.operator === "NotIn"
          ? !has || !(e.values ?? []).includes(l[e.key])
          : e.operator === "Exists"
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

/** The selectors of a `Prometheus` (and its `Alertmanager`) resource, as the operator reads them. */
export interface PrometheusSelection {
  readonly serviceMonitorSelector?: LabelSelector;
  readonly podMonitorSelector?: LabelSelector;
  readonly probeSelector?: LabelSelector;
  readonly ruleSelector?: LabelSelector;
  /** The Alertmanager's `alertmanagerConfigSelector`. */
  readonly alertmanagerConfigSelector?: LabelSelector;
  /** Namespace selectors are `{}` (every namespace) in kube-prometheus-stack; only that is modelled. */
}

/** kube-prometheus-stack's defaults (`*SelectorNilUsesHelmValues: true`): `release: <helm release>`. */
export function kubePrometheusStackSelection(release = "kube-prometheus-stack"): PrometheusSelection {
  const s = { matchLabels: { release } };
  return { serviceMonitorSelector: s, podMonitorSelector: s, probeSelector: s, ruleSelector: s, alertmanagerConfigSelector: s };
}

const ns = (o: K8sObject): string => o.metadata.namespace ?? "default";
const ref = (o: K8sObject): string => `${o.kind} ${ns(o)}/${o.metadata.name}`;

/** Objects of `kind` that `selector` selects, and the ones it leaves out. */
export function selectObjects(
  objects: readonly K8sObject[],
  kind: string,
  selector: LabelSelector | undefined,
): { selected: K8sObject[]; ignored: K8sObject[] } {
  const all = objects.filter((o) => o.kind === kind && o.apiVersion.startsWith("monitoring.coreos.com/"));
  return {
    selected: all.filter((o) => matchesSelector(o.metadata.labels, selector)),
    ignored: all.filter((o) => !matchesSelector(o.metadata.labels, selector)),
  };
}

// ---------------------------------------------------------------------------------------------
// Stand-ins for what runs in the cluster
// ---------------------------------------------------------------------------------------------

/** A pod the test stands in for: where it listens on loopback, and its names. */
export interface StandInPod {
  /** `host:port` on 127.0.0.1. */
  readonly address: string;
  readonly pod: string;
  readonly container: string;
}

/** Where the test's stand-ins listen. */
export interface StandIns {
  /** The pods behind `Service` `namespace/name` for its port named `port` (none: the Service has no ready endpoints). */
  service(namespace: string, name: string, port: string): readonly StandInPod[];
  /** The pods a PodMonitor selects in `namespace` with `labels`, for the container port named `port`. */
  pods?(namespace: string, labels: Readonly<Record<string, string>>, port: string): readonly StandInPod[];
  /** The real blackbox_exporter standing in for a Probe's `prober.url`. */
  prober(url: string): string;
  /** A loopback URL to probe instead of a Probe target (`undefined`: probe the target itself). */
  probeTarget?(target: string): string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Scrape configuration
// ---------------------------------------------------------------------------------------------

export type RelabelConfig = Record<string, unknown>;

export interface ScrapeConfig {
  job_name: string;
  [key: string]: unknown;
}

/** One `file_sd_configs` group. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

export interface DerivedScrape {
  /** `scrape_configs` of prometheus.yml, in the operator's order (ServiceMonitors, PodMonitors, Probes). */
  readonly scrapeConfigs: ScrapeConfig[];
  /** file_sd file name (inside `targetDir`) → its target groups. */
  readonly targetFiles: Record<string, TargetGroup[]>;
  /** `Kind ns/name` of the objects scraped, and of the objects the selectors leave out. */
  readonly scraped: string[];
  readonly notSelected: string[];
}

/** Prometheus' label-name sanitising of Kubernetes label keys (`app.kubernetes.io/name` → `app_kubernetes_io_name`). */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, "_");
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Operator relabel configs (CRD camelCase) → Prometheus snake_case. */
function convertRelabelings(list: readonly Record<string, unknown>[] | undefined): RelabelConfig[] {
  const keys: Record<string, string> = { sourceLabels: "source_labels", targetLabel: "target_label" };
  return (list ?? []).map((r) => {
    const out: RelabelConfig = {};
    for (const [k, v] of Object.entries(r)) out[keys[k] ?? k] = k === "action" && typeof v === "string" ? v.toLowerCase() : v;
    return out;
  });
}

/** The operator's selector relabelings: one `keep` per matchLabel / matchExpression on `prefix` meta labels. */
function selectorRelabelings(selector: LabelSelector | undefined, prefix: string): RelabelConfig[] {
  const out: RelabelConfig[] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    out.push({
      action: "keep",
      source_labels: [`${prefix}label_${sanitizeLabelName(k)}`, `${prefix}labelpresent_${sanitizeLabelName(k)}`],
      regex: `(${v});true`,
    });
  }
  for (const e of selector?.matchExpressions ?? []) {
    const l = sanitizeLabelName(e.key);
    const values = (e.values ?? []).join("|");
    if (e.operator === "In") out.push({ action: "keep", source_labels: [`${prefix}label_${l}`, `${prefix}labelpresent_${l}`], regex: `(${values});true` });
    if (e.operator === "NotIn") out.push({ action: "drop", source_labels: [`${prefix}label_${l}`, `${prefix}labelpresent_${l}`], regex: `(${values});true` });
    if (e.operator === "Exists") out.push({ action: "keep", source_labels: [`${prefix}labelpresent_${l}`], regex: "true" });
    if (e.operator === "DoesNotExist") out.push({ action: "drop", source_labels: [`${prefix}labelpresent_${l}`], regex: "true" });
  }
  return out;
}

/** The `__meta_kubernetes_<kind>_label_*` / `labelpresent_*` labels Kubernetes SD attaches. */
function metaLabels(prefix: string, labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    out[`${prefix}label_${sanitizeLabelName(k)}`] = v;
    out[`${prefix}labelpresent_${sanitizeLabelName(k)}`] = "true";
  }
  return out;
}

/** Namespaces a monitor looks in: its own unless `namespaceSelector` says `any` or names some. */
function monitorNamespaces(o: K8sObject, all: readonly string[]): string[] {
  const sel = o.spec?.namespaceSelector;
  if (sel?.any) return [...all];
  if (Array.isArray(sel?.matchNames) && sel.matchNames.length > 0) return sel.matchNames;
  return [ns(o)];
}

const fileNameOf = (job: string): string => `${job.replace(/[^A-Za-z0-9_.-]+/g, "_")}.json`;

export interface DeriveOptions {
  /** Directory the file_sd files will be written to (they are referenced by absolute path). */
  readonly targetDir: string;
  /** Scrape interval when an endpoint names none (the operator uses the Prometheus' `scrapeInterval`). @default "30s" */
  readonly defaultInterval?: string;
  /** Use this interval for every job instead (the e2e run shortens it). */
  readonly intervalOverride?: string;
}

/**
 * The scrape configuration the operator would generate for the monitoring objects `selection`
 * selects among `objects`, with Kubernetes SD replaced by file_sd targets from `standIns`.
 * Throws on a monitor feature this converter does not model, rather than scraping something else.
 */
export function deriveScrapeConfig(objects: readonly K8sObject[], selection: PrometheusSelection, standIns: StandIns, options: DeriveOptions): DerivedScrape {
  const scrapeConfigs: ScrapeConfig[] = [];
  const targetFiles: Record<string, TargetGroup[]> = {};
  const scraped: string[] = [];
  const notSelected: string[] = [];
  const namespaces = [...new Set(objects.map(ns))];
  const interval = (i: unknown): string => options.intervalOverride ?? (typeof i === "string" ? i : (options.defaultInterval ?? "30s"));
  const fileSd = (job: string, groups: TargetGroup[]) => {
    const file = fileNameOf(job);
    targetFiles[file] = groups;
    return [{ files: [join(options.targetDir, file)] }];
  };

  // ServiceMonitors ---------------------------------------------------------------------------
  const sms = selectObjects(objects, "ServiceMonitor", selection.serviceMonitorSelector);
  notSelected.push(...sms.ignored.map(ref));
  for (const sm of sms.selected) {
    scraped.push(ref(sm));
    const spec = sm.spec ?? {};
    (spec.endpoints ?? []).forEach((ep: any, i: number) => {
      if (ep.port === undefined) throw new Error(`${ref(sm)} endpoint ${i}: only named \`port\` endpoints are modelled (targetPort is not)`);
      const job = `serviceMonitor/${ns(sm)}/${sm.metadata.name}/${i}`;
      const groups: TargetGroup[] = [];
      const services = objects.filter((o) => o.kind === "Service" && o.apiVersion === "v1" && monitorNamespaces(sm, namespaces).includes(ns(o)));
      for (const svc of services) {
        // Kubernetes SD lists every Service in the namespaces; the keep relabelings select.
        for (const port of (svc.spec?.ports ?? []) as { name?: string }[]) {
          if (!port.name) continue;
          const pods =
            matchesSelector(svc.metadata.labels, spec.selector) && port.name === ep.port ? standIns.service(ns(svc), svc.metadata.name, port.name) : [];
          for (const pod of pods) {
            groups.push({
              targets: [pod.address],
              labels: {
                __meta_kubernetes_namespace: ns(svc),
                __meta_kubernetes_service_name: svc.metadata.name,
                ...metaLabels("__meta_kubernetes_service_", svc.metadata.labels),
                __meta_kubernetes_endpoint_port_name: port.name,
                __meta_kubernetes_endpoint_ready: "true",
                __meta_kubernetes_endpoint_address_target_kind: "Pod",
                __meta_kubernetes_endpoint_address_target_name: pod.pod,
                __meta_kubernetes_pod_name: pod.pod,
                __meta_kubernetes_pod_container_name: pod.container,
                __meta_kubernetes_pod_phase: "Running",
              },
            });
          }
        }
      }
      const relabel: RelabelConfig[] = [
        { source_labels: ["job"], target_label: "__tmp_prometheus_job_name" },
        ...selectorRelabelings(spec.selector, "__meta_kubernetes_service_"),
        { action: "keep", source_labels: ["__meta_kubernetes_endpoint_port_name"], regex: ep.port },
        {
          source_labels: ["__meta_kubernetes_endpoint_address_target_kind", "__meta_kubernetes_endpoint_address_target_name"],
          separator: ";",
          regex: "Node;(.*)",
          replacement: "${1}",
          target_label: "node",
        },
        {
          source_labels: ["__meta_kubernetes_endpoint_address_target_kind", "__meta_kubernetes_endpoint_address_target_name"],
          separator: ";",
          regex: "Pod;(.*)",
          replacement: "${1}",
          target_label: "pod",
        },
        { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
        { source_labels: ["__meta_kubernetes_service_name"], target_label: "service" },
        { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        { source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" },
        { action: "drop", source_labels: ["__meta_kubernetes_pod_phase"], regex: "(Failed|Succeeded)" },
        { source_labels: ["__meta_kubernetes_service_name"], target_label: "job", replacement: "${1}" },
        ...(spec.jobLabel
          ? [
              {
                source_labels: [`__meta_kubernetes_service_label_${sanitizeLabelName(spec.jobLabel)}`],
                target_label: "job",
                regex: "(.+)",
                replacement: "${1}",
              },
            ]
          : []),
        { target_label: "endpoint", replacement: String(ep.port) },
        ...convertRelabelings(ep.relabelings),
      ];
      scrapeConfigs.push({
        job_name: job,
        honor_labels: ep.honorLabels ?? false,
        scrape_interval: interval(ep.interval),
        ...(ep.scrapeTimeout ? { scrape_timeout: ep.scrapeTimeout } : {}),
        metrics_path: ep.path ?? "/metrics",
        scheme: ep.scheme ?? "http",
        ...(ep.params ? { params: ep.params } : {}),
        file_sd_configs: fileSd(job, groups),
        relabel_configs: relabel,
        metric_relabel_configs: convertRelabelings(ep.metricRelabelings),
      });
    });
  }

  // PodMonitors -------------------------------------------------------------------------------
  const pms = selectObjects(objects, "PodMonitor", selection.podMonitorSelector);
  notSelected.push(...pms.ignored.map(ref));
  for (const pm of pms.selected) {
    scraped.push(ref(pm));
    const spec = pm.spec ?? {};
    (spec.podMetricsEndpoints ?? []).forEach((ep: any, i: number) => {
      if (ep.port === undefined) throw new Error(`${ref(pm)} endpoint ${i}: only named \`port\` endpoints are modelled`);
      if (!standIns.pods) throw new Error(`${ref(pm)}: the test gives no stand-in pods for PodMonitors`);
      const job = `podMonitor/${ns(pm)}/${pm.metadata.name}/${i}`;
      const groups: TargetGroup[] = [];
      for (const namespace of monitorNamespaces(pm, namespaces)) {
        const templates = objects.filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind) && ns(o) === namespace);
        for (const workload of templates) {
          const labels = workload.spec?.template?.metadata?.labels ?? {};
          if (!matchesSelector(labels, spec.selector)) continue;
          for (const pod of standIns.pods(namespace, labels, ep.port)) {
            groups.push({
              targets: [pod.address],
              labels: {
                __meta_kubernetes_namespace: namespace,
                ...metaLabels("__meta_kubernetes_pod_", labels),
                __meta_kubernetes_pod_name: pod.pod,
                __meta_kubernetes_pod_container_name: pod.container,
                __meta_kubernetes_pod_container_port_name: ep.port,
                __meta_kubernetes_pod_phase: "Running",
              },
            });
          }
        }
      }
      scrapeConfigs.push({
        job_name: job,
        honor_labels: ep.honorLabels ?? false,
        scrape_interval: interval(ep.interval),
        metrics_path: ep.path ?? "/metrics",
        scheme: ep.scheme ?? "http",
        file_sd_configs: fileSd(job, groups),
        relabel_configs: [
          { source_labels: ["job"], target_label: "__tmp_prometheus_job_name" },
          { action: "drop", source_labels: ["__meta_kubernetes_pod_phase"], regex: "(Failed|Succeeded)" },
          ...selectorRelabelings(spec.selector, "__meta_kubernetes_pod_"),
          { action: "keep", source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: ep.port },
          { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
          { source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" },
          { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
          { target_label: "job", replacement: `${ns(pm)}/${pm.metadata.name}` },
          ...(spec.jobLabel
            ? [{ source_labels: [`__meta_kubernetes_pod_label_${sanitizeLabelName(spec.jobLabel)}`], target_label: "job", regex: "(.+)", replacement: "${1}" }]
            : []),
          { target_label: "endpoint", replacement: String(ep.port) },
          ...convertRelabelings(ep.relabelings),
        ],
        metric_relabel_configs: convertRelabelings(ep.metricRelabelings),
      });
    });
  }

  // Probes ------------------------------------------------------------------------------------
  const probes = selectObjects(objects, "Probe", selection.probeSelector);
  notSelected.push(...probes.ignored.map(ref));
  for (const probe of probes.selected) {
    scraped.push(ref(probe));
    const spec = probe.spec ?? {};
    const staticConfig = spec.targets?.staticConfig;
    if (!staticConfig) throw new Error(`${ref(probe)}: only \`targets.staticConfig\` is modelled (not ingress targets)`);
    if (!spec.prober?.url) throw new Error(`${ref(probe)}: \`prober.url\` is not set`);
    const job = `probe/${ns(probe)}/${probe.metadata.name}`;
    const targets: string[] = staticConfig.static ?? [];
    const standIn: RelabelConfig[] = [];
    for (const t of targets) {
      const local = standIns.probeTarget?.(t);
      if (local) standIn.push({ source_labels: ["__param_target"], regex: escapeRegex(t), target_label: "__param_target", replacement: local });
    }
    scrapeConfigs.push({
      job_name: job,
      honor_timestamps: true,
      scrape_interval: interval(spec.interval),
      ...(spec.scrapeTimeout ? { scrape_timeout: spec.scrapeTimeout } : {}),
      metrics_path: spec.prober.path ?? "/probe",
      scheme: spec.prober.scheme ?? "http",
      params: { module: [spec.module] },
      static_configs: [{ targets, labels: { namespace: ns(probe), ...(staticConfig.labels ?? {}) } }],
      relabel_configs: [
        { source_labels: ["job"], target_label: "__tmp_prometheus_job_name" },
        ...(spec.jobName ? [{ target_label: "job", replacement: spec.jobName }] : []),
        { source_labels: ["__address__"], target_label: "__param_target" },
        { source_labels: ["__param_target"], target_label: "instance" },
        // e2e stand-in: the operator writes `prober.url`; here the real blackbox_exporter on loopback.
        { target_label: "__address__", replacement: standIns.prober(spec.prober.url) },
        ...convertRelabelings(staticConfig.relabelingConfigs),
        // e2e stand-in: probe a loopback server in place of the public URL (the `instance` label keeps the URL).
        ...standIn,
      ],
      metric_relabel_configs: convertRelabelings(spec.metricRelabelings),
    });
  }
  return { scrapeConfigs, targetFiles, scraped, notSelected };
}

/** Writes the file_sd files of `derived` into `dir` (the `targetDir` it was derived with). */
export function writeTargetFiles(derived: Pick<DerivedScrape, "targetFiles">, dir: string): void {
  for (const [file, groups] of Object.entries(derived.targetFiles)) writeFileSync(join(dir, file), JSON.stringify(groups, null, 1));
}

/** The selected PrometheusRules (by `ruleSelector`) and the ones left out. */
export function selectRules(objects: readonly K8sObject[], selection: PrometheusSelection): { selected: K8sObject[]; ignored: K8sObject[] } {
  return selectObjects(objects, "PrometheusRule", selection.ruleSelector);
}
