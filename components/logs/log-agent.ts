/**
 * The platform's log agent: Vector (https://vector.dev), installed once per stack from its official
 * Helm chart (https://helm.vector.dev, chart `vector`, role `Agent`: a DaemonSet) as a
 * `kubernetes.helm.v3.Release`. On every node it tails the container logs of the product namespaces
 * (`kubernetes_logs`), classifies each line as `classifyLogLine` does (log-routes.ts) and writes it to
 * its product's bucket under the class prefix (`LogDestination`, seed 001 §2.5): one `aws_s3` sink per
 * product and class, gzip NDJSON objects under `<prefix>YYYY/MM/DD/`.
 *
 * What it creates, in the `logging` namespace:
 * - per product and bucket, credentials that may only put objects under that product's `logs/`
 *   class prefixes (`bucketPrefixCredentials`: an IAM user on S3, a token on the one R2 bucket),
 *   delivered in an immutable Kubernetes Secret the chart reads with `envFrom`; the Release's values
 *   only name the variables (`${VAR}` interpolation), because Helm keeps a release's values in its
 *   release Secret and Pulumi keeps them in its state, in clear;
 * - the Release (pinned chart and image), a default-deny NetworkPolicy and one that lets the agent
 *   reach DNS, HTTPS (S3, R2, the Kubernetes API) and be scraped from the monitoring namespace;
 * - a Service and a ServiceMonitor on the agent's `prometheus_exporter` (its `internal_metrics`), and
 *   `LogAgentDown` / `TargetMissing` / `LogShippingFailing` alerts with the platform's routing.
 *
 * Pod security: the agent must read `/var/log/pods` on the node (a hostPath, so the namespace cannot be
 * Pod Security "baseline" or "restricted"). Container log files are created by the runtime as
 * `root:root 0640` (containerd's CRI logger, containerd/cri#613, kubernetes/kubernetes#124349;
 * CRI-O's conmon wrote 0600 before 2.1.13, cri-o/cri-o#9013), and Vector keeps its read checkpoints in a hostPath
 * (`/var/lib/vector`) so a restarted pod neither skips nor repeats lines; both need UID 0. The agent
 * runs as UID 0 with every capability dropped (owner access only: no DAC override), no privilege
 * escalation, a read-only root filesystem, RuntimeDefault seccomp, and exactly two hostPaths:
 * `/var/log/pods` read-only and its checkpoint directory. The chart's default mounts of all of
 * `/var/lib`, `/proc` and `/sys` (for `host_metrics`, unused) are replaced. README "Logs".
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type PlatformContext, TYPE_PREFIX, recommendedLabels, throwIfInvalid } from "../context";
import { R2_BUCKET_ITEM_WRITE_PERMISSION_GROUP, s3BackupWriterPolicy } from "../data/backup-job";
import { bucketPrefixCredentials } from "../data/prefix-credentials";
import type { BackupBucketRef } from "../data/backup-bucket";
import { AlertRules, type AlertRoutingArgs } from "../monitoring/alert-rules";
import { type AlertGroup, type SeriesSelector, logShippingFailing, targetAbsent, targetDown } from "../monitoring/alerts";
import { dnsEgressRule } from "../workloads/pod-spec";
import { afterNamespaceOptions } from "../product-scope";
import { type LogClass, type LogDestination, type LogTarget } from "./log-classes";
import { CLASS_RULES, classRouteCondition, componentId, credentialEnvName, destinationBuckets, renderClassifyVrl } from "./log-routes";

const COMPONENT = "LogAgent";

/** The Helm chart, pinned (vectordotdev/helm-charts `charts/vector/Chart.yaml`, version 0.57.0, June 2026). */
export const VECTOR_CHART = { repo: "https://helm.vector.dev", chart: "vector", version: "0.57.0" } as const;

/** Vector's image, pinned to the chart's `appVersion` tag (the distroless libc build). */
export const VECTOR_IMAGE = { repository: "docker.io/timberio/vector", tag: "0.56.0-distroless-libc" } as const;

/** The namespace of the platform's log agents. */
export const LOGGING_NAMESPACE = "logging";

/** Port of the agent's `prometheus_exporter` sink, and its name (the chart names container ports after the component id, kebab-cased). */
export const AGENT_METRICS = { port: 9090, portName: "prom-exporter", sinkId: "prom_exporter" } as const;

/** Port of Vector's API, which serves `/health` to the kubelet's probes. */
export const AGENT_API_PORT = 8686;

/** Where Vector keeps its checkpoints inside the pod (the chart mounts its data volume here). */
export const AGENT_DATA_DIR = "/vector-data-dir";

/** The node directory Vector keeps its checkpoints in (chart `persistence.hostPath.path`). */
export const AGENT_HOST_DATA_DIR = "/var/lib/vector";

/** The node directory the kubelet writes container logs to (`/var/log/pods/<ns>_<pod>_<uid>/<container>/N.log`), read by `kubernetes_logs`. */
export const POD_LOG_DIR = "/var/log/pods";

/** Container resources of one agent pod (12 sinks' batches and buffers fit in the limit, see `sinkBuffers`). */
export const AGENT_RESOURCES = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } } as const;

/**
 * Per sink: batches of at most 5 MB (uncompressed) or 5 minutes, a memory buffer of 2,000 events
 * that blocks when full (the source then pauses reading the files, which stay on the node).
 */
export const SINK_LIMITS = { batchMaxBytes: 5_000_000, batchTimeoutSecs: 300, bufferMaxEvents: 2_000 } as const;

/**
 * The chart's pod selector labels (`vector.selectorLabels` in `templates/_helpers.tpl`): the chart
 * name, the release name and the role. Produced once here for the Service and the NetworkPolicies.
 */
export function chartPodLabels(release: string, role: "Agent" | "Stateless-Aggregator"): Record<string, string> {
  return { "app.kubernetes.io/name": VECTOR_CHART.chart, "app.kubernetes.io/instance": release, "app.kubernetes.io/component": role };
}

/** One product whose container logs the agent ships. */
export interface AgentRoute {
  /** The product id (the destination's `product`). */
  readonly product: string;
  /** The product's Kubernetes namespace (`namespaceName`). */
  readonly namespace: string;
  readonly destination: LogDestination;
}

/** The `aws_s3` sink of one target (Vector `sinks.aws_s3`: https://vector.dev/docs/reference/configuration/sinks/aws_s3/). */
export function s3Sink(input: string, target: LogTarget, env: { readonly accessKeyId: string; readonly secretAccessKey: string }): Record<string, unknown> {
  const b = target.bucket;
  return {
    type: "aws_s3",
    inputs: [input],
    bucket: b.bucketName,
    region: b.region,
    // R2: the account's S3 endpoint with region `auto`; S3: the region's default endpoint.
    ...(b.kind === "r2" ? { endpoint: b.endpoint } : {}),
    key_prefix: `${target.prefix}%Y/%m/%d/`,
    filename_append_uuid: true,
    filename_extension: "ndjson.gz",
    compression: "gzip",
    encoding: { codec: "json" },
    framing: { method: "newline_delimited" },
    auth: { access_key_id: `\${${env.accessKeyId}}`, secret_access_key: `\${${env.secretAccessKey}}` },
    batch: { max_bytes: SINK_LIMITS.batchMaxBytes, timeout_secs: SINK_LIMITS.batchTimeoutSecs },
    buffer: { type: "memory", max_events: SINK_LIMITS.bufferMaxEvents, when_full: "block" },
    // The health check is a HeadBucket (s3:ListBucket), which a put-only writer may not do.
    healthcheck: { enabled: false },
  };
}

/** Ids of the agent's pipeline components. */
export const AGENT_IDS = {
  source: "kubernetes_logs",
  classify: "classify",
  byNamespace: "by_namespace",
  metricsSource: "internal_metrics",
} as const;

/** Route transform id of one product's classes, and the sink id of one class. */
export const productRouteId = (product: string) => componentId(product, "by_class");
export const sinkId = (product: string, c: LogClass) => componentId(product, c);

/**
 * Vector's configuration (`customConfig`) for `routes`: the `kubernetes_logs` source limited to the
 * product namespaces, the classify transform, a route per namespace, a route per class, one sink per
 * product and class; `internal_metrics` to the `prometheus_exporter`. Pure: bucket fields may be
 * Pulumi inputs.
 */
export function renderAgentConfig(routes: readonly AgentRoute[]): Record<string, unknown> {
  const sinks: Record<string, unknown> = {};
  const transforms: Record<string, unknown> = {
    [AGENT_IDS.classify]: { type: "remap", inputs: [AGENT_IDS.source], source: renderClassifyVrl(CLASS_RULES) },
    [AGENT_IDS.byNamespace]: {
      type: "route",
      inputs: [AGENT_IDS.classify],
      route: Object.fromEntries(routes.map((r) => [componentId(r.product), `.kubernetes.pod_namespace == ${JSON.stringify(r.namespace)}`])),
    },
  };
  for (const r of routes) {
    transforms[productRouteId(r.product)] = {
      type: "route",
      inputs: [`${AGENT_IDS.byNamespace}.${componentId(r.product)}`],
      route: Object.fromEntries(CLASS_RULES.map((rule) => [rule.class, classRouteCondition(rule.class)])),
    };
    const buckets = destinationBuckets(r.destination);
    for (const rule of CLASS_RULES) {
      const i = buckets.findIndex((g) => g.classes.includes(rule.class));
      sinks[sinkId(r.product, rule.class)] = s3Sink(`${productRouteId(r.product)}.${rule.class}`, r.destination.targets[rule.class], {
        accessKeyId: credentialEnvName(r.product, i, "AWS_ACCESS_KEY_ID"),
        secretAccessKey: credentialEnvName(r.product, i, "AWS_SECRET_ACCESS_KEY"),
      });
    }
  }
  sinks[AGENT_METRICS.sinkId] = { type: "prometheus_exporter", inputs: [AGENT_IDS.metricsSource], address: `0.0.0.0:${AGENT_METRICS.port}` };
  return {
    data_dir: AGENT_DATA_DIR,
    api: { enabled: true, address: `0.0.0.0:${AGENT_API_PORT}`, playground: false },
    sources: {
      [AGENT_IDS.source]: {
        type: "kubernetes_logs",
        // Only the product namespaces' pods are watched and tailed (a set-based label selector on
        // the namespace name label every namespace carries); the namespace route still decides the product.
        extra_namespace_label_selector: `kubernetes.io/metadata.name in (${routes.map((r) => r.namespace).join(",")})`,
      },
      [AGENT_IDS.metricsSource]: { type: "internal_metrics" },
    },
    transforms,
    sinks,
  };
}

/** The agent container's security context (see the module comment for why UID 0). */
export const AGENT_SECURITY_CONTEXT = {
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsUser: 0,
  runAsGroup: 0,
  runAsNonRoot: false,
  capabilities: { drop: ["ALL"] },
} as const;

/** The Release's values (chart `values.yaml` of 0.57.0), without the configuration. */
export function agentChartValues(args: {
  readonly release: string;
  readonly credentialsSecret: pulumi.Input<string>;
  readonly config: Record<string, unknown>;
}) {
  const health = { httpGet: { path: "/health", port: AGENT_API_PORT } };
  return {
    role: "Agent",
    fullnameOverride: args.release,
    image: { repository: VECTOR_IMAGE.repository, tag: VECTOR_IMAGE.tag, pullPolicy: "IfNotPresent" },
    // list/watch on namespaces, nodes and pods, which `kubernetes_logs` needs for its metadata.
    rbac: { create: true },
    serviceAccount: { create: true, automountToken: true },
    podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
    securityContext: AGENT_SECURITY_CONTEXT,
    envFrom: [{ secretRef: { name: args.credentialsSecret } }],
    resources: AGENT_RESOURCES,
    livenessProbe: health,
    readinessProbe: health,
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
    // This stack makes its own metrics Service and ServiceMonitor (the plan's series check reads them).
    service: { enabled: false },
    serviceHeadless: { enabled: false },
    podMonitor: { enabled: false },
    persistence: { hostPath: { enabled: true, path: AGENT_HOST_DATA_DIR } },
    defaultVolumes: [{ name: "var-log-pods", hostPath: { path: POD_LOG_DIR, type: "Directory" } }],
    defaultVolumeMounts: [{ name: "var-log-pods", mountPath: POD_LOG_DIR, readOnly: true }],
    customConfig: args.config,
  };
}

/** The IAM policy of one product's log writer on one S3 bucket: put objects under its class prefixes only. */
export function s3LogWriterPolicy(bucketArn: string, prefixes: readonly string[], kmsKeyArn: string, region: string): string {
  return s3BackupWriterPolicy(bucketArn, prefixes, kmsKeyArn, region);
}

export interface LogAgentArgs {
  /** Environment and owner (product `platform`). */
  readonly context: PlatformContext;
  /** The products whose container logs are shipped, each with its namespace and destination. */
  readonly routes: readonly AgentRoute[];
  /** Namespace of the cluster's Prometheus (scrapes the agent). */
  readonly monitoringNamespace: string;
  /** Labels the cluster's Prometheus selects ServiceMonitors and PrometheusRules by. */
  readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
  readonly runbookBaseUrl: string;
  /** Alert receivers. @default none (the cluster's default route) */
  readonly alertRouting?: AlertRoutingArgs;
  /** @default LOGGING_NAMESPACE */
  readonly namespace?: string;
  /** The Helm release name (and the chart's full name). @default "vector-agent" */
  readonly release?: string;
}

/** The agent's scrape job (its metrics Service's name) and namespace. */
export function agentSelector(namespace: string, release: string): SeriesSelector {
  return { namespace, job: `${release}-metrics` };
}

/**
 * The alerts of a Vector deployment (the agent, the Vercel drains' aggregator): its targets down
 * (`downAlert`) or missing, and a sink failing to write.
 */
export function logAgentAlertGroups(selector: SeriesSelector, runbookBaseUrl: string, downAlert = "LogAgentDown"): AlertGroup[] {
  const job = String(selector.job);
  return [
    {
      name: `${job}-target`,
      rules: [
        targetDown({ selector, name: downAlert, runbookBaseUrl, labels: { scrape_job: job } }),
        targetAbsent({ selector, runbookBaseUrl, labels: { scrape_job: job } }),
        logShippingFailing({ selector, runbookBaseUrl }),
      ],
    },
  ];
}

export function validateLogAgentArgs(name: string, args: LogAgentArgs): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of args.routes) {
    if (r.destination.product !== r.product) problems.push(`route "${r.product}" has the destination of "${r.destination.product}"`);
    if (seen.has(r.namespace)) problems.push(`namespace "${r.namespace}" is routed twice`);
    seen.add(r.namespace);
  }
  if (args.routes.length === 0) problems.push("`routes` is empty: the agent would ship nothing; pass at least one product with its destination");
  throwIfInvalid(COMPONENT, name, problems);
}

/** Vector as a DaemonSet shipping each product namespace's container logs to its buckets. */
export class LogAgent extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly release: k8s.helm.v3.Release;
  /** The rendered Vector configuration (bucket names may still be outputs). */
  readonly config: Record<string, unknown>;
  readonly selector: SeriesSelector;

  constructor(name: string, args: LogAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:logs:${COMPONENT}`, name, {}, opts);
    validateLogAgentArgs(name, args);
    const ns = args.namespace ?? LOGGING_NAMESPACE;
    const release = args.release ?? "vector-agent";
    this.namespace = ns;
    const ctx = args.context;
    const install: VectorInstall = { parent: this, name, context: ctx, release, namespace: ns };
    const labels = vectorLabels(install);

    // hostPath (/var/log/pods) is outside Pod Security baseline; the agent's own context is least
    // privilege (AGENT_SECURITY_CONTEXT), checked by tests/components/log-agent.test.ts.
    const inNs = vectorNamespace(install, "privileged");

    // Credentials: per product and bucket, put-only under that product's class prefixes there.
    const env = logWriterCredentials(this, ctx, args.routes, "log-writer");
    // Immutable and auto-named: new credentials make a new Secret, whose new name changes the
    // Release's values, so the DaemonSet rolls onto them (then the old Secret is deleted).
    const secret = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: { namespace: ns, labels: labels("log-agent-credentials") },
        immutable: true,
        type: "Opaque",
        stringData: pulumi.secret(env),
      },
      inNs,
    );

    this.config = renderAgentConfig(args.routes);
    const podLabels = chartPodLabels(release, "Agent");
    // Roll back a failed upgrade, and wait until the DaemonSet's pods are ready.
    this.release = vectorRelease(install, agentChartValues({ release, credentialsSecret: secret.metadata.name, config: this.config }), inNs);

    // Traffic: nothing in or out but what the agent needs.
    vectorNetworkPolicies(
      install,
      podLabels,
      {
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.monitoringNamespace } } }],
            ports: [{ protocol: "TCP", port: AGENT_METRICS.port }],
          },
        ],
        egress: [
          dnsEgressRule(),
          // S3 and R2 over HTTPS; the Kubernetes API (kubernetes_logs' metadata) on 443, or on the
          // API server's own 6443 where the cluster's service forwards there (kubeadm).
          { ports: [443, 6443].map((port) => ({ protocol: "TCP", port })) },
        ],
      },
      inNs,
    );

    // Metrics: a Service on the exporter port and a ServiceMonitor the cluster's Prometheus selects.
    this.selector = agentSelector(ns, release);
    const service = new k8s.core.v1.Service(
      `${name}-metrics`,
      {
        metadata: { name: String(this.selector.job), namespace: ns, labels: labels("metrics") },
        spec: {
          selector: podLabels,
          clusterIP: "None",
          ports: [{ name: AGENT_METRICS.portName, port: AGENT_METRICS.port, targetPort: AGENT_METRICS.port, protocol: "TCP" }],
        },
      },
      inNs,
    );
    vectorMonitoring(
      install,
      {
        service,
        selector: this.selector,
        prometheusSelectorLabels: args.prometheusSelectorLabels,
        runbookBaseUrl: args.runbookBaseUrl,
        alertRouting: args.alertRouting,
      },
      inNs,
    );
    this.registerOutputs({ namespace: ns });
  }
}

/** What both Vector installs (the agent, the Vercel drains' aggregator) build alike, one way. */
export interface VectorInstall {
  /** Parent of everything made. */
  readonly parent: pulumi.Resource;
  /** Logical name prefix of the resources. */
  readonly name: string;
  readonly context: PlatformContext;
  /** The Helm release's name. */
  readonly release: string;
  readonly namespace: string;
}

/** Recommended labels of an install's objects, by component. */
export function vectorLabels(v: VectorInstall): (component: string) => Record<string, string> {
  return (component: string) => recommendedLabels(v.context, v.release, component);
}

/**
 * The install's namespace at a Pod Security level, and the options every object in it takes (it
 * waits for the namespace; children of components, `AlertRules`, included).
 */
export function vectorNamespace(v: VectorInstall, podSecurity: "privileged" | "restricted"): pulumi.CustomResourceOptions {
  const namespace = new k8s.core.v1.Namespace(
    `${v.name}-namespace`,
    {
      metadata: {
        name: v.namespace,
        labels: {
          ...recommendedLabels(v.context, v.namespace, "namespace"),
          "pod-security.kubernetes.io/enforce": podSecurity,
          "pod-security.kubernetes.io/enforce-version": "latest",
        },
      },
    },
    { parent: v.parent },
  );
  return afterNamespaceOptions(v.parent, namespace);
}

/**
 * Vector from its pinned chart: a failed upgrade rolls back, and Pulumi waits until the chart's
 * workload is ready.
 */
export function vectorRelease(v: VectorInstall, values: pulumi.Input<Record<string, unknown>>, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    `${v.name}-release`,
    {
      name: v.release,
      namespace: v.namespace,
      chart: VECTOR_CHART.chart,
      version: VECTOR_CHART.version,
      repositoryOpts: { repo: VECTOR_CHART.repo },
      atomic: true,
      cleanupOnFail: true,
      skipAwait: false,
      timeout: 600,
      maxHistory: 10,
      values,
    },
    opts,
  );
}

/** A default-deny NetworkPolicy for the install's pods, and one allowing exactly `ingress` and `egress`. */
export function vectorNetworkPolicies(
  v: VectorInstall,
  podLabels: Record<string, string>,
  rules: {
    readonly ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[];
    readonly egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[];
  },
  opts: pulumi.CustomResourceOptions,
): void {
  const labels = vectorLabels(v);
  new k8s.networking.v1.NetworkPolicy(
    `${v.name}-default-deny`,
    {
      metadata: { name: `${v.release}-default-deny`, namespace: v.namespace, labels: labels("network-policy") },
      spec: { podSelector: { matchLabels: podLabels }, policyTypes: ["Ingress", "Egress"] },
    },
    opts,
  );
  new k8s.networking.v1.NetworkPolicy(
    `${v.name}-allow`,
    {
      metadata: { name: `${v.release}-allow`, namespace: v.namespace, labels: labels("network-policy") },
      spec: { podSelector: { matchLabels: podLabels }, policyTypes: ["Ingress", "Egress"], ingress: rules.ingress, egress: rules.egress },
    },
    opts,
  );
}

/**
 * The ServiceMonitor the cluster's Prometheus selects for the install's metrics Service, and the
 * install's alerts (`logAgentAlertGroups` on its series, `downAlert` naming the down alert).
 */
export function vectorMonitoring(
  v: VectorInstall,
  a: {
    readonly service: k8s.core.v1.Service;
    readonly selector: SeriesSelector;
    readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
    readonly runbookBaseUrl: string;
    readonly alertRouting?: AlertRoutingArgs;
    readonly downAlert?: string;
  },
  opts: pulumi.CustomResourceOptions,
): void {
  const labels = vectorLabels(v);
  new k8s.apiextensions.CustomResource(
    `${v.name}-service-monitor`,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: `${v.release}-metrics`, namespace: v.namespace, labels: { ...labels("service-monitor"), ...a.prometheusSelectorLabels } },
      spec: {
        selector: { matchLabels: a.service.metadata.labels },
        endpoints: [{ port: AGENT_METRICS.portName, path: "/metrics", scheme: "http" }],
      },
    },
    opts,
  );
  new AlertRules(
    `${v.name}-alerts`,
    {
      context: v.context,
      namespace: v.namespace,
      groups: logAgentAlertGroups(a.selector, a.runbookBaseUrl, ...(a.downAlert ? [a.downAlert] : [])),
      routing: a.alertRouting,
      ruleSelectorLabels: a.prometheusSelectorLabels,
      alertmanagerConfigSelectorLabels: a.prometheusSelectorLabels,
    },
    opts,
  );
}

/**
 * Per product and bucket of `routes`, credentials that may only put objects under that product's
 * class prefixes there (`bucketPrefixCredentials`: an IAM user `<product>-<role>[-n]-<env>` on S3,
 * a token on the one R2 bucket), by the environment variable names the sinks read
 * (`credentialEnvName`). Shared by every Vector deployment that writes logs (the agent, the Vercel
 * drains' aggregator); each passes its own `role`, so each has its own credentials.
 */
export function logWriterCredentials(
  parent: pulumi.Resource,
  ctx: PlatformContext,
  routes: readonly { readonly product: string; readonly destination: LogDestination }[],
  role: string,
): Record<string, pulumi.Output<string>> {
  const env: Record<string, pulumi.Output<string>> = {};
  for (const r of routes) {
    destinationBuckets(r.destination).forEach((group, i) => {
      const prefixes = group.classes.map((c) => r.destination.targets[c].prefix);
      const creds = bucketPrefixCredentials(parent, `${r.product}-${role}${i === 0 ? "" : `-${i + 1}`}`, {
        bucket: group.bucket as BackupBucketRef,
        context: { ...ctx, product: r.product },
        prefix: commonPrefix(prefixes),
        role: role.replace(/-/g, " "),
        s3: {
          iamPath: "/app-platform/logs/",
          tags: { "app-platform/role": role },
          policy: (arn, key, region) => s3LogWriterPolicy(arn, prefixes, key, region),
        },
        r2PermissionGroupId: R2_BUCKET_ITEM_WRITE_PERMISSION_GROUP,
      });
      env[credentialEnvName(r.product, i, "AWS_ACCESS_KEY_ID")] = creds.accessKeyId;
      env[credentialEnvName(r.product, i, "AWS_SECRET_ACCESS_KEY")] = creds.secretAccessKey;
    });
  }
  return env;
}

/** The longest common `/`-ending prefix of `prefixes` (`logs/` for the four classes). */
export function commonPrefix(prefixes: readonly string[]): string {
  if (prefixes.length === 0) return "";
  let p = prefixes[0];
  for (const x of prefixes) while (!x.startsWith(p)) p = p.slice(0, p.slice(0, -1).lastIndexOf("/") + 1);
  return p;
}
