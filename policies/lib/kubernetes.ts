/**
 * Kubernetes shapes shared by the rules: type tokens, where the pod spec of each workload kind
 * lives, the containers of a pod spec, label selectors and namespaces.
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { ofTypes, type Report, type RuleResourceValidation } from "./rule";
import { list, obj } from "./values";

/** Pulumi type tokens of the Kubernetes kinds the rules look at. */
export const K8S = {
  Deployment: "kubernetes:apps/v1:Deployment",
  StatefulSet: "kubernetes:apps/v1:StatefulSet",
  DaemonSet: "kubernetes:apps/v1:DaemonSet",
  ReplicaSet: "kubernetes:apps/v1:ReplicaSet",
  Job: "kubernetes:batch/v1:Job",
  CronJob: "kubernetes:batch/v1:CronJob",
  Pod: "kubernetes:core/v1:Pod",
  Service: "kubernetes:core/v1:Service",
  ConfigMap: "kubernetes:core/v1:ConfigMap",
  Secret: "kubernetes:core/v1:Secret",
  Namespace: "kubernetes:core/v1:Namespace",
  ServiceAccount: "kubernetes:core/v1:ServiceAccount",
  PodDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  NetworkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  Ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  HorizontalPodAutoscaler: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  PrometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
} as const;

/** Kinds that run pods (the pod-spec rules apply to all of them). */
export const WORKLOAD_TYPES: readonly string[] = [K8S.Deployment, K8S.StatefulSet, K8S.DaemonSet, K8S.ReplicaSet, K8S.Job, K8S.CronJob, K8S.Pod];

/** Namespaced kinds checked by the namespace rule. */
export const NAMESPACED_TYPES: readonly string[] = [
  ...WORKLOAD_TYPES,
  K8S.Service,
  K8S.ConfigMap,
  K8S.Secret,
  K8S.ServiceAccount,
  K8S.PodDisruptionBudget,
  K8S.NetworkPolicy,
  K8S.Ingress,
  K8S.HorizontalPodAutoscaler,
  K8S.PrometheusRule,
];

/** Label that marks a backup CronJob (program convention). */
export const BACKUP_LABEL = "app-platform/backup";
/** Annotation carrying a backup job's RPO in seconds (program convention). */
export const RPO_ANNOTATION = "app-platform/rpo-seconds";

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Props = Record<string, any>;

/** A workload reduced to what the pod-spec rules need. */
export interface Workload {
  /** `Deployment`, `CronJob`, `Pod`, ... */
  readonly kind: string;
  /** `metadata.name`, or the Pulumi resource name when the name is generated. */
  readonly name: string;
  readonly metadata: Props;
  /** The pod spec (`spec`, `spec.template.spec` or `spec.jobTemplate.spec.template.spec`). */
  readonly podSpec: Props;
  /** Where the pod spec is, for messages: `spec.template.spec`. */
  readonly podSpecPath: string;
  /** The labels the pods get (template labels; the Pod's own labels). */
  readonly podLabels: Record<string, string>;
  /** The annotations the pods get. */
  readonly podAnnotations: Record<string, string>;
}

/** The workload view of a resource, or undefined when `type` runs no pods. */
export function workloadOf(type: string, props: Props, resourceName: string): Workload | undefined {
  if (!WORKLOAD_TYPES.includes(type)) return undefined;
  const kind = type.split(":")[2];
  const metadata = obj(props.metadata);
  const name = typeof metadata.name === "string" ? metadata.name : resourceName;
  if (type === K8S.Pod) {
    return {
      kind,
      name,
      metadata,
      podSpec: obj(props.spec),
      podSpecPath: "spec",
      podLabels: obj(metadata.labels),
      podAnnotations: obj(metadata.annotations),
    };
  }
  if (type === K8S.CronJob) {
    const template = obj(obj(obj(obj(props.spec).jobTemplate).spec).template);
    return {
      kind,
      name,
      metadata,
      podSpec: obj(template.spec),
      podSpecPath: "spec.jobTemplate.spec.template.spec",
      podLabels: obj(obj(template.metadata).labels),
      podAnnotations: obj(obj(template.metadata).annotations),
    };
  }
  const template = obj(obj(props.spec).template);
  return {
    kind,
    name,
    metadata,
    podSpec: obj(template.spec),
    podSpecPath: "spec.template.spec",
    podLabels: obj(obj(template.metadata).labels),
    podAnnotations: obj(obj(template.metadata).annotations),
  };
}

/** One container of a pod spec with where it is. */
export interface ContainerRef {
  readonly container: Props;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  readonly field: "containers" | "initContainers" | "ephemeralContainers";
  /** e.g. `spec.template.spec.containers[0]`. */
  readonly path: string;
  /** e.g. `container "api"`. */
  readonly label: string;
}

/** Every container of the pod spec (`c[*]`: containers and initContainers, plus ephemeral ones). */
export function containersOf(workload: Workload): ContainerRef[] {
  const result: ContainerRef[] = [];
  for (const field of ["initContainers", "containers", "ephemeralContainers"] as const) {
    list(workload.podSpec[field]).forEach((c, i) => {
      const container = obj(c);
      const name = typeof container.name === "string" ? container.name : `#${i}`;
      const noun = field === "containers" ? "container" : field === "initContainers" ? "init container" : "ephemeral container";
      result.push({ container, field, path: `${workload.podSpecPath}.${field}[${i}]`, label: `${noun} "${name}"` });
    });
  }
  return result;
}

/** `Deployment "api"`, for messages. */
export function describeWorkload(w: Workload): string {
  return `${w.kind} "${w.name}"`;
}

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: string[] }[];
}

/**
 * Whether a `LabelSelector` selects pods with `labels`. An empty selector selects everything
 * (NetworkPolicy `podSelector: {}`, policy/v1 PDB `selector: {}`); a missing one selects nothing.
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (selector === undefined || selector === null) return false;
  const s = obj(selector);
  for (const [k, v] of Object.entries(obj(s.matchLabels))) {
    if (labels[k] !== v) return false;
  }
  for (const e of list(s.matchExpressions)) {
    const expr = obj(e);
    const key = String(expr.key);
    const values = list<string>(expr.values);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expr.operator) {
      case "In":
        if (!has || !values.includes(labels[key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether a Service's `spec.selector` map selects pods with `labels` (empty selects none). */
export function mapSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const entries = Object.entries(obj(selector));
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/**
 * A rule over every workload kind: the callback gets the workload view of the resource; other
 * types are not applicable.
 */
export function onWorkloads(validate: (workload: Workload, args: ResourceValidationArgs, report: Report) => Promise<void> | void): RuleResourceValidation {
  return ofTypes(WORKLOAD_TYPES, (props, args, report) => {
    const workload = workloadOf(args.type, props, args.name);
    if (!workload) return args.notApplicable("not a workload");
    return validate(workload, args, report);
  });
}

/**
 * Kinds whose pods run until stopped and serve (Deployment, StatefulSet, DaemonSet, ReplicaSet
 * and a bare Pod): health probes mean something for them. Jobs and CronJobs run to completion.
 */
export const LONG_RUNNING_TYPES: readonly string[] = [K8S.Deployment, K8S.StatefulSet, K8S.DaemonSet, K8S.ReplicaSet, K8S.Pod];

/**
 * Kinds that keep a declared number of identical replicas (`spec.replicas`), so a replica floor
 * and a PodDisruptionBudget mean something for them. A DaemonSet runs one pod per node and a
 * node drain skips DaemonSet pods, so neither applies to it.
 */
export const REPLICATED_TYPES: readonly string[] = [K8S.Deployment, K8S.StatefulSet, K8S.ReplicaSet];

/** An IntOrString read as Kubernetes reads it: a count, or a percentage (`"150%"`). */
export type IntOrPercent = { readonly count: number } | { readonly percent: number };

/** Parses an IntOrString (`2`, `"2"`, `"50%"`); undefined when absent or malformed. */
export function intOrPercent(value: unknown): IntOrPercent | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return { count: value };
  if (typeof value !== "string") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  if (!m) return undefined;
  return m[2] ? { percent: Number(m[1]) } : { count: Number(m[1]) };
}

/**
 * The number an IntOrString stands for among `total` pods, as the disruption controller computes
 * it (`intstr.GetScaledValueFromIntOrPercent(..., roundUp=true)`: percentages round up).
 */
export function scaledCount(value: IntOrPercent, total: number): number {
  return "count" in value ? value.count : Math.ceil((value.percent * total) / 100);
}

/**
 * The setting of a PodDisruptionBudget spec that lets no pod be evicted whatever the number of
 * replicas (`maxUnavailable` 0 or 0 %, `minAvailable` 100 % or more), or undefined. A positive
 * `maxUnavailable` percentage rounds up to at least one pod, so it never blocks.
 */
export function pdbBlockingSetting(spec: Props): string | undefined {
  // The API accepts only one of the two; judge each that is set, so neither hides the other.
  const maxUnavailable = intOrPercent(spec.maxUnavailable);
  if (maxUnavailable && scaledCount(maxUnavailable, 1) <= 0) return `\`maxUnavailable: ${spec.maxUnavailable}\``;
  const minAvailable = intOrPercent(spec.minAvailable);
  if (minAvailable && "percent" in minAvailable && minAvailable.percent >= 100) return `\`minAvailable: ${spec.minAvailable}\``;
  return undefined;
}

/** How many of `replicas` pods a PodDisruptionBudget's `minAvailable` keeps, or undefined without one. */
export function pdbRequiredAvailable(spec: Props, replicas: number): number | undefined {
  const minAvailable = intOrPercent(spec.minAvailable);
  return minAvailable ? scaledCount(minAvailable, replicas) : undefined;
}
