/**
 * The dead-alert check, shared by the policy pack (`stack-missing-alert-series-source`) and
 * `npm run plan`: every selector of every alert a stack registers must be satisfiable by a series
 * source that the same stack defines, or by a cluster prerequisite (lib/cluster-prerequisites.ts).
 *
 * Series sources, as the Prometheus Operator turns them into scrape targets:
 * - a `ServiceMonitor` that Prometheus selects (its labels include the selector labels, as
 *   kube-prometheus-stack's `serviceMonitorSelector` requires) scrapes each Service of the stack
 *   that its `selector` matches in its namespaces. Target labels: `job` = the Service's name, or
 *   the value of the Service's label named by `jobLabel` when it has one; `namespace`, `service`,
 *   `endpoint` (the port name); `pod`, `container`, `instance` (any value). Its metrics: the
 *   families of the exporter behind the Service (recognised by the workload's image, or declared
 *   with the annotation `app-platform/exporter`), otherwise an application's: any name outside
 *   the prefixes reserved to exporters (`RESERVED_PREFIXES`), with any labels.
 * - a `PodMonitor`: likewise for the pods of the stack's workloads; `job` = `<namespace>/<name>`,
 *   or the pod label named by `jobLabel`.
 * - a `Probe` that Prometheus selects (`probeSelector`): `job` = `spec.jobName`, else the
 *   operator's default `probe/<namespace>/<name>` (prometheus-operator
 *   `generateProbeConfig`); `instance` = each static target; the static config's labels, and
 *   `namespace` = the Probe's namespace unless those labels set it; the blackbox `probe_*`
 *   families.
 * - a recording rule of a selected `PrometheusRule`: its record name, any labels.
 * - every scrape target also has `up` and `scrape_*` with only its target labels.
 * A `PrometheusRule` that Prometheus does not select (`ruleSelector`) is never evaluated: each
 * of its alerts is dead.
 *
 * "Satisfiable": a selector is satisfiable by a source when
 * 1. its metric name (the identifier, or its `__name__` matchers) is in the source's metric set;
 * 2. every matcher on a target label the source decides (`job`, `namespace`, `service`,
 *    `instance`, the Probe's static labels, ...) accepts one of the source's values for it —
 *    equality, negative equality, regex and negative regex alike, all matchers of one label on
 *    the same value;
 * 3. every matcher on another label either names a label the metric family carries (any value
 *    may then exist), or accepts the empty string, which is what Prometheus compares a missing
 *    label with (`dependency!="x"` holds on a series without `dependency`);
 * 4. for kube-state-metrics series about an object (`kube_cronjob_*{cronjob=...}`), the named
 *    object is one the stack defines.
 * A value the engine does not know yet (preview) is treated as any value: the check never
 * reports what it cannot prove.
 */
import {
  CLUSTER_PREREQUISITES,
  EXPORTERS,
  PROBE_FAMILIES,
  RESERVED_PREFIXES,
  SCRAPE_METRICS,
  type LabelValues,
  type MetricFamily,
  type ObjectLabel,
} from "./cluster-prerequisites";
import { K8S, mapSelectorMatches, selectorMatches, workloadOf } from "./kubernetes";
import { promRulesOf } from "./prometheus";
import { matchesValue, parsePromql, selectors, type Matcher, type Node } from "./promql";
import { list, obj, UNKNOWN } from "./values";

/** Type tokens of the Prometheus Operator kinds that produce series. */
export const MONITORING = {
  ServiceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  PodMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  Probe: "kubernetes:monitoring.coreos.com/v1:Probe",
  PrometheusRule: K8S.PrometheusRule,
} as const;

/** Annotation that declares which exporter a ServiceMonitor scrapes (program convention), e.g. `postgres_exporter`. */
export const EXPORTER_ANNOTATION = "app-platform/exporter";

/** kube-prometheus-stack's default selector of ServiceMonitors, PodMonitors, Probes and PrometheusRules. */
export const DEFAULT_SELECTOR_LABELS: Readonly<Record<string, string>> = { release: "kube-prometheus-stack" };

/**
 * A resource as the check reads it: plain values, with `UNKNOWN` where the engine does not know a
 * value yet. The pack and the plan each build this view from what they receive.
 */
export interface SourceResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
}

/** Something that produces series in the stack's Prometheus. */
export interface SeriesSource {
  /** `ServiceMonitor codebook-prod/codebook-api-service-monitor → Service codebook-api`. */
  readonly description: string;
  readonly kind: "ServiceMonitor" | "PodMonitor" | "Probe" | "recording rule" | "cluster prerequisite";
  readonly urn?: string;
  /** Target labels and their values; labels not listed here come only from the metric families. */
  readonly targetLabels: Readonly<Record<string, LabelValues>>;
  /** The metric families, most specific first. */
  readonly families: readonly MetricFamily[];
  /**
   * Names beyond `families`, with any labels: `true` for an application (any name outside
   * `RESERVED_PREFIXES`), `"all"` for a Service whose pods the stack does not run (an exporter or
   * app elsewhere: what it serves is unknown), `false` for none.
   */
  readonly openMetrics: boolean | "all";
  readonly objects?: readonly ObjectLabel[];
  /** Why Prometheus does not scrape it (not selected), if it does not. */
  readonly notScraped?: string;
}

export interface SourceOptions {
  /** Labels Prometheus' serviceMonitor/podMonitor/probe/rule selectors match. @default DEFAULT_SELECTOR_LABELS */
  readonly selectorLabels?: Readonly<Record<string, string>>;
}

type Labels = Record<string, string>;

const isUnknown = (v: unknown): boolean => v === UNKNOWN;

function stringOr(v: unknown): string | typeof UNKNOWN | undefined {
  if (isUnknown(v)) return UNKNOWN;
  return typeof v === "string" ? v : undefined;
}

/** Known string labels of a map (unknown values dropped). */
function labelsOf(v: unknown): Labels | typeof UNKNOWN {
  if (isUnknown(v)) return UNKNOWN;
  const out: Labels = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === "string") out[k] = x;
  return out;
}

interface Meta {
  /** `metadata.name`, the Pulumi name when unset (auto-named), `UNKNOWN` when computed. */
  readonly name: string | typeof UNKNOWN;
  readonly namespace: string | typeof UNKNOWN;
  readonly labels: Labels | typeof UNKNOWN;
  readonly annotations: Labels;
}

/** A name for messages: `?` for a value not known yet. */
const shown = (v: string | typeof UNKNOWN): string => (v === UNKNOWN ? "?" : v);

function meta(r: SourceResource): Meta {
  const m = obj(r.props.metadata);
  const name = stringOr(m.name);
  const ns = stringOr(m.namespace);
  const ann = labelsOf(m.annotations);
  return {
    name: name === undefined ? r.name : name,
    namespace: ns === undefined ? "default" : ns,
    labels: labelsOf(m.labels),
    annotations: ann === UNKNOWN ? {} : ann,
  };
}

/** Why Prometheus would not select an object with `labels`, or undefined when it would (or cannot tell). */
function notSelected(kind: string, labels: Labels | typeof UNKNOWN, selector: Readonly<Labels>, field: string): string | undefined {
  if (labels === UNKNOWN) return undefined;
  const missing = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
  if (missing.length === 0) return undefined;
  return `Prometheus does not select this ${kind}: its labels lack ${missing.map(([k, v]) => `${k}=${v}`).join(", ")} (the ${field})`;
}

const values = (v: string | typeof UNKNOWN): LabelValues => (v === UNKNOWN ? "any" : [v]);

/** Labels a list of relabelings writes: their values are whatever the relabeling computes. */
function relabelTargets(...configs: unknown[]): string[] {
  return configs.flatMap((c) =>
    list(c)
      .map((r) => obj(r).targetLabel)
      .filter((t): t is string => typeof t === "string"),
  );
}

/** The exporter behind pods, from an annotation or the container images. */
function exporterFor(annotation: string | undefined, images: readonly string[]) {
  if (annotation) return EXPORTERS.find((e) => e.name === annotation);
  return EXPORTERS.find((e) => images.some((img) => e.image.test(img)));
}

interface PodSet {
  readonly namespace: string | typeof UNKNOWN;
  readonly labels: Labels;
  readonly images: string[];
}

function podSets(resources: readonly SourceResource[]): PodSet[] {
  const out: PodSet[] = [];
  for (const r of resources) {
    if (r.type === K8S.CronJob || r.type === K8S.Job) continue; // batch pods are not scraped through Services here
    const w = workloadOf(r.type, r.props as Record<string, unknown>, r.name);
    if (!w) continue;
    const images = list(w.podSpec.containers)
      .map((c) => obj(c).image)
      .filter((i): i is string => typeof i === "string");
    const podLabels = labelsOf(w.podLabels);
    out.push({ namespace: meta(r).namespace, labels: podLabels === UNKNOWN ? {} : podLabels, images });
  }
  return out;
}

function sameNs(a: string | typeof UNKNOWN, b: string | typeof UNKNOWN): boolean {
  return a === UNKNOWN || b === UNKNOWN || a === b;
}

function inNamespaces(ns: string | typeof UNKNOWN, selector: unknown, own: string | typeof UNKNOWN): boolean {
  const s = obj(selector);
  if (s.any === true || isUnknown(selector)) return true;
  const names = list<string>(s.matchNames);
  if (names.length > 0) return ns === UNKNOWN || names.includes(ns);
  return sameNs(ns, own);
}

function serviceMonitorSources(sm: SourceResource, resources: readonly SourceResource[], pods: PodSet[], selector: Readonly<Labels>): SeriesSource[] {
  const m = meta(sm);
  const spec = obj(sm.props.spec);
  const where = `ServiceMonitor ${shown(m.namespace)}/${shown(m.name)}`;
  const notScraped = notSelected("ServiceMonitor", m.labels, selector, "serviceMonitorSelector");
  const jobLabel = stringOr(spec.jobLabel);
  const out: SeriesSource[] = [];
  const services = resources.filter((r) => r.type === K8S.Service);
  for (const svc of services) {
    const s = meta(svc);
    if (!inNamespaces(s.namespace, spec.namespaceSelector, m.namespace)) continue;
    if (!isUnknown(spec.selector) && s.labels !== UNKNOWN && !selectorMatches(spec.selector, s.labels)) continue;
    const svcSelector = obj(svc.props.spec).selector;
    const behind = pods.filter((p) => sameNs(p.namespace, s.namespace) && mapSelectorMatches(svcSelector, p.labels));
    const exporter = exporterFor(
      m.annotations[EXPORTER_ANNOTATION],
      behind.flatMap((p) => p.images),
    );
    const svcLabels = s.labels;
    let job: LabelValues = values(s.name);
    if (jobLabel === UNKNOWN || (jobLabel && svcLabels === UNKNOWN)) job = "any";
    else if (typeof jobLabel === "string" && jobLabel !== "" && svcLabels !== UNKNOWN && svcLabels[jobLabel]) job = [svcLabels[jobLabel]];
    const portNames = servicePortNames(svc.props.spec);
    for (const ep of list(spec.endpoints)) {
      const e = obj(ep);
      const port = stringOr(e.port) ?? stringOr(e.targetPort);
      const named = stringOr(e.port);
      const noPort =
        typeof named === "string" && portNames !== undefined && !portNames.includes(named)
          ? `Service ${shown(s.name)} has no port named "${named}", so this endpoint has no targets`
          : undefined;
      const labels: Record<string, LabelValues> = {
        job,
        namespace: values(s.namespace),
        service: values(s.name),
        endpoint: port === undefined ? "any" : values(port),
        instance: "any",
        pod: "any",
        container: "any",
      };
      for (const l of list<string>(spec.targetLabels)) labels[l] = s.labels !== UNKNOWN && s.labels[l] ? [s.labels[l]] : "any";
      for (const l of list<string>(spec.podTargetLabels)) labels[l] = "any";
      if (e.honorLabels === true) for (const l of Object.keys(labels)) if (l !== "job") labels[l] = "any";
      for (const l of relabelTargets(e.relabelings, e.metricRelabelings)) labels[l] = "any";
      out.push({
        description: `${where} → Service ${shown(s.name)}${exporter ? ` (${exporter.name})` : ""}, job ${describeValues(job)}, namespace ${describeValues(labels.namespace)}`,
        kind: "ServiceMonitor",
        urn: sm.urn,
        targetLabels: labels,
        families: [...SCRAPE_METRICS, ...(exporter?.families ?? [])],
        openMetrics: exporter ? false : behind.length === 0 ? "all" : true,
        ...(notScraped || noPort ? { notScraped: notScraped ?? noPort } : {}),
      });
    }
  }
  if (out.length === 0) {
    out.push({
      description: `${where} (selects no Service of this stack)`,
      kind: "ServiceMonitor",
      urn: sm.urn,
      targetLabels: {},
      families: [],
      openMetrics: false,
      notScraped: notScraped ?? "it selects no Service of this stack, so it has no targets",
    });
  }
  return out;
}

function podMonitorSources(pm: SourceResource, pods: PodSet[], selector: Readonly<Labels>): SeriesSource[] {
  const m = meta(pm);
  const spec = obj(pm.props.spec);
  const where = `PodMonitor ${shown(m.namespace)}/${shown(m.name)}`;
  const notScraped = notSelected("PodMonitor", m.labels, selector, "podMonitorSelector");
  const jobLabel = stringOr(spec.jobLabel);
  const matched = pods.filter(
    (p) => inNamespaces(p.namespace, spec.namespaceSelector, m.namespace) && (isUnknown(spec.selector) || selectorMatches(spec.selector, p.labels)),
  );
  const out: SeriesSource[] = [];
  for (const p of matched) {
    const exporter = exporterFor(m.annotations[EXPORTER_ANNOTATION], p.images);
    let job: LabelValues = m.namespace === UNKNOWN || m.name === UNKNOWN ? "any" : [`${m.namespace}/${m.name}`];
    if (jobLabel === UNKNOWN) job = "any";
    else if (typeof jobLabel === "string" && jobLabel !== "" && p.labels[jobLabel]) job = [p.labels[jobLabel]];
    const labels: Record<string, LabelValues> = { job, namespace: values(p.namespace), pod: "any", container: "any", instance: "any", endpoint: "any" };
    for (const e of list(spec.podMetricsEndpoints)) for (const l of relabelTargets(obj(e).relabelings, obj(e).metricRelabelings)) labels[l] = "any";
    out.push({
      description: `${where}${exporter ? ` (${exporter.name})` : ""}, job ${describeValues(job)}, namespace ${describeValues(labels.namespace)}`,
      kind: "PodMonitor",
      urn: pm.urn,
      targetLabels: labels,
      families: [...SCRAPE_METRICS, ...(exporter?.families ?? [])],
      openMetrics: !exporter,
      ...(notScraped ? { notScraped } : {}),
    });
  }
  if (out.length === 0) {
    out.push({
      description: `${where} (selects no pods of this stack)`,
      kind: "PodMonitor",
      urn: pm.urn,
      targetLabels: {},
      families: [],
      openMetrics: false,
      notScraped: notScraped ?? "it selects no pods of this stack, so it has no targets",
    });
  }
  return out;
}

function probeSource(probe: SourceResource, selector: Readonly<Labels>): SeriesSource {
  const m = meta(probe);
  const spec = obj(probe.props.spec);
  const ns = m.namespace;
  const jobName = stringOr(spec.jobName);
  // prometheus-operator generateProbeConfig: job_name `probe/<namespace>/<name>`, `jobName` relabels `job`.
  const job: LabelValues = jobName === UNKNOWN ? "any" : jobName ? [jobName] : ns === UNKNOWN || m.name === UNKNOWN ? "any" : [`probe/${ns}/${m.name}`];
  const targets = obj(spec.targets);
  const labels: Record<string, LabelValues> = { job };
  if (targets.staticConfig !== undefined) {
    const sc = obj(targets.staticConfig);
    const statics = isUnknown(sc.static) ? "any" : list(sc.static).map((t) => (typeof t === "string" ? t : undefined));
    labels.instance = statics === "any" || statics.includes(undefined) ? "any" : (statics as string[]);
    const extra = labelsOf(sc.labels);
    if (extra === UNKNOWN) labels.namespace = "any";
    else {
      for (const [k, v] of Object.entries(extra)) labels[k] = [v];
      if (!("namespace" in extra)) labels.namespace = values(ns);
    }
    for (const l of relabelTargets(sc.relabelingConfigs)) labels[l] = "any";
  } else {
    // Ingress targets: one per host and path of the selected Ingresses.
    Object.assign(labels, { instance: "any", namespace: "any", ingress: "any" });
    for (const l of relabelTargets(obj(targets.ingress).relabelingConfigs)) labels[l] = "any";
  }
  for (const l of relabelTargets(spec.metricRelabelings)) labels[l] = "any";
  const notScraped = notSelected("Probe", m.labels, selector, "probeSelector") ?? (probeHasTargets(spec) === false ? "it has no targets" : undefined);
  const instances = labels.instance === "any" ? "any target" : (labels.instance as readonly string[]).join(", ");
  return {
    description: `Probe ${shown(ns)}/${shown(m.name)}, job ${describeValues(job)}, instance ${instances}`,
    kind: "Probe",
    urn: probe.urn,
    targetLabels: labels,
    families: [...SCRAPE_METRICS, ...PROBE_FAMILIES],
    openMetrics: false,
    ...(notScraped ? { notScraped } : {}),
  };
}

/** Every series source of the stack and of the cluster prerequisites. */
export function seriesSources(resources: readonly SourceResource[], options: SourceOptions = {}): SeriesSource[] {
  const selector = options.selectorLabels ?? DEFAULT_SELECTOR_LABELS;
  const pods = podSets(resources);
  const out: SeriesSource[] = [];
  for (const r of resources) {
    if (r.type === MONITORING.ServiceMonitor) out.push(...serviceMonitorSources(r, resources, pods, selector));
    else if (r.type === MONITORING.PodMonitor) out.push(...podMonitorSources(r, pods, selector));
    else if (r.type === MONITORING.Probe) out.push(probeSource(r, selector));
    else if (r.type === MONITORING.PrometheusRule) {
      const m = meta(r);
      const notScraped = notSelected("PrometheusRule", m.labels, selector, "ruleSelector");
      for (const rule of promRulesOf(r.props as Record<string, unknown>)) {
        if (rule.alert) continue;
        out.push({
          description: `recording rule ${rule.name} (PrometheusRule ${shown(m.name)})`,
          kind: "recording rule",
          urn: r.urn,
          targetLabels: {},
          families: [{ name: rule.name, labels: "any" }],
          openMetrics: false,
          ...(notScraped ? { notScraped: notScraped.replace("does not select", "does not load") } : {}),
        });
      }
    }
  }
  for (const p of CLUSTER_PREREQUISITES) {
    out.push({
      description: `${p.name} (cluster prerequisite, job ${describeValues(p.targetLabels.job ?? "any")})`,
      kind: "cluster prerequisite",
      targetLabels: p.targetLabels,
      families: p.targetLabels.job ? [...SCRAPE_METRICS, ...p.families] : p.families,
      openMetrics: false,
      ...(p.objects ? { objects: p.objects } : {}),
    });
  }
  return out;
}

function describeValues(v: LabelValues): string {
  return v === "any" ? "(any)" : v.map((x) => `"${x}"`).join(" or ");
}

function describeMatcher(m: Matcher): string {
  return `${m.label}${m.op}${JSON.stringify(m.value)}`;
}

type Selector = Extract<Node, { kind: "selector" }>;

/** The families of `source` that may hold a series named by the selector's name and `__name__` matchers. */
function familiesFor(sel: Selector, source: SeriesSource): MetricFamily[] | "open" | undefined {
  const nameMatchers = sel.matchers.filter((m) => m.label === "__name__");
  const ok = (name: string) => nameMatchers.every((m) => matchesValue(m, name));
  // `{__name__="x"}` names the metric as plainly as `x` does.
  const name = sel.name ?? nameMatchers.find((m) => m.op === "=")?.value;
  if (name !== undefined) {
    if (!ok(name)) return undefined;
    const family = source.families.find((f) => f.name === name) ?? source.families.find((f) => f.prefix !== undefined && name.startsWith(f.prefix));
    if (family) return [family];
    if (source.openMetrics === "all" || (source.openMetrics && !RESERVED_PREFIXES.some((p) => name.startsWith(p)))) return "open";
    return undefined;
  }
  // No literal name: any family whose names the `__name__` matchers may accept.
  const families = source.families.filter((f) => (f.name !== undefined ? ok(f.name) : true));
  if (source.openMetrics) return "open";
  return families.length > 0 ? families : undefined;
}

/** Why `sel` cannot select series of `source`, or undefined when it can. */
export function unsatisfiedBy(sel: Selector, source: SeriesSource, resources: readonly SourceResource[]): string | undefined {
  const families = familiesFor(sel, source);
  if (!families) return `it provides no metric ${sel.name !== undefined ? `"${sel.name}"` : "matching the `__name__` matchers"}`;
  const byLabel = new Map<string, Matcher[]>();
  for (const m of sel.matchers) if (m.label !== "__name__") byLabel.set(m.label, [...(byLabel.get(m.label) ?? []), m]);
  const reasons: string[] = [];
  const candidates = families === "open" ? ["open" as const] : families;
  for (const family of candidates) {
    let why: string | undefined;
    for (const [label, ms] of byLabel) {
      const target = source.targetLabels[label];
      if (target !== undefined) {
        if (target === "any" || target.some((v) => ms.every((m) => matchesValue(m, v)))) continue;
        why = `${ms.map(describeMatcher).join(", ")} does not match its ${label} ${describeValues(target)}`;
        break;
      }
      if (family === "open" || family.labels === "any" || family.labels.includes(label)) continue;
      if (ms.every((m) => matchesValue(m, ""))) continue;
      why = `its series${family.name ? ` "${family.name}"` : family.prefix ? ` "${family.prefix}*"` : ""} carry no label "${label}" (${ms.map(describeMatcher).join(", ")} needs one)`;
      break;
    }
    if (!why && family !== "open") why = missingObject(sel, source, byLabel, resources);
    if (!why) return undefined;
    reasons.push(why);
  }
  return reasons[0];
}

/** For kube-state-metrics object series: the object the selector names must be one the stack defines. */
function missingObject(sel: Selector, source: SeriesSource, byLabel: Map<string, Matcher[]>, resources: readonly SourceResource[]): string | undefined {
  const name = sel.name ?? sel.matchers.find((m) => m.label === "__name__" && m.op === "=")?.value;
  const rule = source.objects?.find((o) => name?.startsWith(o.prefix));
  if (!rule) return undefined;
  const nameMatchers = byLabel.get(rule.nameLabel);
  if (!nameMatchers || nameMatchers.every((m) => matchesValue(m, "") || m.op === "!=" || m.op === "!~")) return undefined;
  const nsMatchers = byLabel.get(rule.namespaceLabel) ?? [];
  const objects = resources.filter((r) => r.type === rule.type).map(meta);
  const found = objects.some(
    (o) =>
      (o.name === UNKNOWN || nameMatchers.every((m) => matchesValue(m, o.name as string))) &&
      (o.namespace === UNKNOWN || nsMatchers.every((m) => matchesValue(m, o.namespace as string))),
  );
  if (found) return undefined;
  const existing = objects.map((o) => `${shown(o.namespace)}/${shown(o.name)}`).sort();
  return `the stack defines no ${rule.kind} matching ${[...nameMatchers, ...nsMatchers].map(describeMatcher).join(", ")} (its ${rule.kind}s: ${existing.join(", ") || "none"})`;
}

/** What is wrong with one selector: it matches no scraped source. */
export interface SelectorProblem {
  /** The selector as written, e.g. `http_requests_total{job="chat-api"}`. */
  readonly selector: string;
  /** The sources that exist and come closest, each with why it does not produce the series. */
  readonly near: readonly { readonly source: string; readonly why: string }[];
  /** The sources that do exist: the stack's (marked when not scraped), then the cluster prerequisites in one entry. */
  readonly existing: readonly string[];
}

/**
 * Checks one PromQL expression against a stack's sources; an empty list when every selector is
 * satisfiable. Throws when the expression does not parse. Dashboards' panel queries use this too.
 */
export function checkExpression(expr: string | Node, sources: readonly SeriesSource[], resources: readonly SourceResource[] = []): SelectorProblem[] {
  const tree = typeof expr === "string" ? parsePromql(expr) : expr;
  const problems: SelectorProblem[] = [];
  const scraped = sources.filter((s) => !s.notScraped);
  for (const sel of selectors(tree)) {
    if (scraped.some((s) => unsatisfiedBy(sel, s, resources) === undefined)) continue;
    const near: { source: string; why: string }[] = [];
    // Sources that would produce the series but are not scraped come first: that is the fix.
    for (const s of sources.filter((x) => x.notScraped)) {
      if (unsatisfiedBy(sel, s, resources) === undefined) near.push({ source: s.description, why: s.notScraped! });
    }
    for (const s of scraped) {
      if (familiesFor(sel, s) === undefined) continue;
      const why = unsatisfiedBy(sel, s, resources)!;
      // A cluster component that only shares `up` with the selector is no near miss.
      if (s.kind === "cluster prerequisite" && why.startsWith("job")) continue;
      near.push({ source: s.description, why });
    }
    if (problems.some((p) => p.selector === sel.text)) continue;
    const own = sources
      .filter((s) => s.kind !== "cluster prerequisite")
      .map((s) => `${s.description}${s.notScraped ? " [not scraped]" : ""}`)
      .sort();
    const prerequisites = sources.filter((s) => s.kind === "cluster prerequisite").map((s) => s.description.replace(" (cluster prerequisite, ", " ("));
    problems.push({
      selector: sel.text,
      near,
      existing: [...own, ...(prerequisites.length > 0 ? [`cluster prerequisites: ${prerequisites.join(", ")}`] : [])],
    });
  }
  return problems;
}

/** One dead alert: an alert that can never fire because a selector reads series nothing produces. */
export interface DeadAlert {
  readonly alert: string;
  /** `codebook-prod/codebook-alerts-rules spec.groups[0].rules[1]`. */
  readonly where: string;
  /** The PrometheusRule's URN. */
  readonly urn: string;
  /** The selector as written; absent when the whole PrometheusRule is not loaded. */
  readonly selector?: string;
  /** The full explanation, ending with the sources that exist and a fix. */
  readonly message: string;
}

function formatProblem(alert: string, where: string, p: SelectorProblem): string {
  const lines = [`Alert "${alert}" (${where}) can never fire: selector \`${p.selector}\` matches no series source of this stack.`];
  if (p.near.length > 0) {
    lines.push("Closest sources:");
    for (const n of p.near) lines.push(`  - ${n.source}: ${n.why}`);
  }
  lines.push("Sources that exist:");
  for (const e of p.existing) lines.push(`  - ${e}`);
  lines.push(
    "Fix: take the selector from the component that creates the ServiceMonitor/Probe/exporter (its job label), give the source Prometheus' selector labels, or add the missing source.",
  );
  return lines.join("\n");
}

/** Every dead alert of a stack (both the pack's stack rule and `npm run plan` call this). */
export function findDeadAlerts(resources: readonly SourceResource[], options: SourceOptions = {}): DeadAlert[] {
  const selector = options.selectorLabels ?? DEFAULT_SELECTOR_LABELS;
  const sources = seriesSources(resources, options);
  const out: DeadAlert[] = [];
  for (const pr of resources.filter((r) => r.type === MONITORING.PrometheusRule)) {
    const m = meta(pr);
    const name = `${shown(m.namespace)}/${shown(m.name)}`;
    const rules = promRulesOf(pr.props as Record<string, unknown>).filter((r) => r.alert);
    const unloaded = notSelected("PrometheusRule", m.labels, selector, "ruleSelector");
    if (unloaded) {
      for (const rule of rules) {
        out.push({
          alert: rule.name,
          where: `${name} ${rule.path}`,
          urn: pr.urn,
          message: `Alert "${rule.name}" (${name} ${rule.path}) can never fire: ${unloaded.replace("does not select", "does not load")}.\nFix: give the PrometheusRule the selector labels ${Object.entries(
            selector,
          )
            .map(([k, v]) => `${k}=${v}`)
            .join(", ")}.`,
        });
      }
      continue;
    }
    for (const rule of rules) {
      if (typeof rule.expr !== "string") continue;
      let problems: SelectorProblem[];
      try {
        problems = checkExpression(rule.expr, sources, resources);
      } catch {
        continue; // an expression that does not parse is prometheus-enforce-alert-expressions' finding
      }
      for (const p of problems) {
        out.push({
          alert: rule.name,
          where: `${name} ${rule.path}`,
          urn: pr.urn,
          selector: p.selector,
          message: formatProblem(rule.name, `${name} ${rule.path}`, p),
        });
      }
    }
  }
  return out;
}

/** A copy of `value` in which every value the engine does not know yet is `UNKNOWN` (reads through `known`). */
export function snapshot(value: unknown, read: <T>(f: () => T) => T | typeof UNKNOWN): unknown {
  const v = read(() => value);
  if (v === UNKNOWN) return UNKNOWN;
  if (Array.isArray(v))
    return v.map((_, i) =>
      snapshot(
        read(() => v[i]),
        read,
      ),
    );
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v))
      out[k] = snapshot(
        read(() => (v as Record<string, unknown>)[k]),
        read,
      );
    return out;
  }
  return v;
}

/** The types whose inputs the check reads. */
export const SOURCE_TYPES: readonly string[] = [
  MONITORING.ServiceMonitor,
  MONITORING.PodMonitor,
  MONITORING.Probe,
  MONITORING.PrometheusRule,
  K8S.Service,
  K8S.Deployment,
  K8S.StatefulSet,
  K8S.DaemonSet,
  K8S.ReplicaSet,
  K8S.Pod,
  K8S.CronJob,
];

/**
 * The port names of a Service spec (plain values, `UNKNOWN` where computed), or undefined when
 * they are not known yet. A ServiceMonitor endpoint's `port` must be one of them.
 */
export function servicePortNames(spec: unknown): string[] | undefined {
  if (isUnknown(spec)) return undefined;
  const ports = obj(spec).ports;
  if (isUnknown(ports)) return undefined;
  const names = list(ports).map((p) => obj(p).name);
  if (names.some(isUnknown)) return undefined;
  return names.filter((n): n is string => typeof n === "string");
}

/**
 * Whether a Probe spec (plain values) has targets: a non-empty `targets.staticConfig.static` or a
 * `targets.ingress`; undefined when that is not known yet.
 */
export function probeHasTargets(spec: unknown): boolean | undefined {
  if (isUnknown(spec)) return undefined;
  const targets = obj(spec).targets;
  if (isUnknown(targets)) return undefined;
  const t = obj(targets);
  if (t.ingress !== undefined && t.ingress !== null) return true;
  const sc = t.staticConfig;
  if (isUnknown(sc)) return undefined;
  const statics = obj(sc).static;
  if (isUnknown(statics)) return undefined;
  return list(statics).length > 0;
}
