/**
 * The Vercel apps' logs: one `vercel.LogDrain` per app into the platform's Vector, installed here a
 * second time in the chart's `Stateless-Aggregator` role (a Deployment), behind a public HTTPS
 * Ingress, writing each record to its product's `LogDestination` exactly as the agent does
 * (`renderAggregatorConfig`, vercel-drain-routes.ts: signature check, `projectId` → product, class
 * by the record's `message`). README "Logs", "Vercel apps' logs".
 *
 * What it creates, in its own namespace (`vercel-logs`, Pod Security `restricted`):
 * - per product and bucket, its own put-only credentials (`logWriterCredentials`, the agent's code,
 *   role `vercel-log-writer`), and the drain secret (a `random.RandomPassword`, letters and digits:
 *   it lands in a VRL string literal), in one immutable Secret the chart reads with `envFrom`; the
 *   Release's values only name the variables (`${VAR}`);
 * - the Release (the agent's chart and image pins), a Service on its drain and metrics ports, a
 *   default-deny NetworkPolicy and one that admits the ingress controller's namespace on the drain
 *   port and the monitoring namespace on the metrics port, and lets it reach DNS and HTTPS;
 * - an Ingress on `host` (TLS from the cluster issuer) and its DNS A record to the ingress address;
 *   Vercel verifies a drain's endpoint when the drain is created (`x-vercel-verify: <the team's
 *   code>`, `vercel.getEndpointVerification`): Vector cannot set response headers, so ingress-nginx
 *   adds it (`custom-headers` annotation naming a ConfigMap of headers; the controller must list
 *   the header in `global-allowed-response-headers`, README "Cluster prerequisites"). The check is an
 *   unsigned POST to the endpoint (dacbd/vercel-log-drain's `ingest_verify_step`): `http_server`
 *   answers it 200 and the verify transform drops its body;
 * - per Vercel app, a `vercel.LogDrain` (JSON, the app's project only, this stack's environment:
 *   prod `production`, staging `preview`), created after the endpoint exists;
 * - a ServiceMonitor and the agent's alerts (`VercelLogDrainDown`, `TargetMissing`, `LogShippingFailing`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vercel from "@pulumiverse/vercel";
import { type PlatformContext, TYPE_PREFIX, isProd, throwIfInvalid } from "../context";
import type { AlertRoutingArgs } from "../monitoring/alert-rules";
import type { SeriesSelector } from "../monitoring/alerts";
import { DnsRecords, isHostname } from "../web/dns-records";
import { dnsEgressRule } from "../workloads/pod-spec";
import type { LogDestination } from "./log-classes";
import {
  AGENT_API_PORT,
  AGENT_METRICS,
  VECTOR_IMAGE,
  type VectorInstall,
  chartPodLabels,
  logWriterCredentials,
  vectorLabels,
  vectorMonitoring,
  vectorNamespace,
  vectorNetworkPolicies,
  vectorRelease,
} from "./log-agent";
import { DRAIN_ENDPOINT, DRAIN_SECRET_ENV, type DrainRoute, renderAggregatorConfig } from "./vercel-drain-routes";

const COMPONENT = "VercelLogDrains";

/** The namespace of the drains' aggregator. */
export const VERCEL_LOGS_NAMESPACE = "vercel-logs";

/** The response header Vercel's endpoint verification reads (provider `vercel_log_drain`: "must return a 200 status code and an `x-vercel-verify` header"). */
export const VERIFY_HEADER = "x-vercel-verify";

/** The Vercel log sources each drain forwards (provider 5.4.1 `sources`: static, edge, external, build, lambda, firewall, redirect). */
export const DRAIN_SOURCES = ["lambda", "edge", "build", "static", "external", "firewall"] as const;

/** Container resources of one aggregator pod. */
export const AGGREGATOR_RESOURCES = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } } as const;

/** Aggregator replicas (a Deployment; Vercel retries a failed delivery, two pods keep one up through a rollout or a node drain). */
export const AGGREGATOR_REPLICAS = 2;

/** The unprivileged user the aggregator runs as (the distroless images' `nonroot`, 65532). */
export const AGGREGATOR_UID = 65532;

/** The aggregator container's security context: Pod Security `restricted`. */
export const AGGREGATOR_SECURITY_CONTEXT = {
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: AGGREGATOR_UID,
  runAsGroup: AGGREGATOR_UID,
  capabilities: { drop: ["ALL"] },
} as const;

/** The Vercel environments a stack's drains forward: prod the production deployments, staging the previews (vercel-app.ts: staging owns the previews). */
export function drainEnvironments(ctx: PlatformContext): string[] {
  return isProd(ctx) ? ["production"] : ["preview"];
}

/** The drain endpoint's URL on `host` (the path the aggregator's `http_server` listens on). */
export function drainEndpointUrl(host: string): string {
  return `https://${host}${DRAIN_ENDPOINT.path}`;
}

/** One Vercel app whose logs are drained. */
export interface DrainedApp {
  /** The app's name in its product (resource names). */
  readonly name: string;
  /** The app's Vercel project id (created on prod, looked up on staging). */
  readonly projectId: pulumi.Input<string>;
  /** True when the project does not exist yet (staging before prod): no drain this run. @default false */
  readonly pending?: pulumi.Input<boolean>;
}

/** One product's Vercel apps and where their logs go. */
export interface DrainedProduct {
  readonly product: string;
  readonly apps: readonly DrainedApp[];
  readonly destination: LogDestination;
}

export interface VercelLogDrainsArgs {
  /** Environment and owner (product `platform`). */
  readonly context: PlatformContext;
  /** The products whose Vercel apps are drained, each with its destination. */
  readonly products: readonly DrainedProduct[];
  /** The endpoint's host, fully qualified, inside `zoneName` (the Ingress host, the drains' URL and the DNS record: this one value). */
  readonly host: string;
  readonly zoneId: pulumi.Input<string>;
  readonly zoneName: string;
  /** Public IPv4 of the ingress controller (the host's A record). */
  readonly ingressAddress: string;
  readonly ingressClassName: string;
  /** Namespace of the ingress controller: the only one admitted on the drain port. */
  readonly ingressControllerNamespace: string;
  /** cert-manager ClusterIssuer of the host's certificate. */
  readonly clusterIssuer: string;
  /** Namespace of the cluster's Prometheus (scrapes the aggregator). */
  readonly monitoringNamespace: string;
  readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
  readonly runbookBaseUrl: string;
  /** Alert receivers. @default none (the cluster's default route) */
  readonly alertRouting?: AlertRoutingArgs;
  /** @default VERCEL_LOGS_NAMESPACE */
  readonly namespace?: string;
  /** The Helm release name (and the chart's full name). @default "vector-vercel" */
  readonly release?: string;
}

export function validateVercelLogDrainsArgs(name: string, args: VercelLogDrainsArgs): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const p of args.products) {
    if (p.destination.product !== p.product) problems.push(`product "${p.product}" has the destination of "${p.destination.product}"`);
    if (seen.has(p.product)) problems.push(`product "${p.product}" is listed twice`);
    seen.add(p.product);
    if (p.apps.length === 0) problems.push(`product "${p.product}" has no Vercel app to drain; leave it out`);
  }
  if (args.products.length === 0) problems.push("`products` is empty: there is no Vercel app to drain; do not create the component");
  if (!isHostname(args.host)) {
    problems.push(
      `\`host\` "${args.host}" is not a host name (labels of letters, digits and hyphens, at most 63 characters each); set \`logDrainHostLabel\` to a shorter DNS label (staging appends "-staging")`,
    );
  } else if (args.host !== args.zoneName && !args.host.endsWith(`.${args.zoneName}`)) {
    problems.push(`\`host\` "${args.host}" is outside the zone ${args.zoneName}; the endpoint needs a DNS record in it`);
  }
  throwIfInvalid(COMPONENT, name, problems);
}

/** The aggregator's scrape job (its Service's name) and namespace. */
export function aggregatorSelector(namespace: string, release: string): SeriesSelector {
  return { namespace, job: `${release}-metrics` };
}

/** The Release's values (chart `values.yaml` of 0.57.0), role `Stateless-Aggregator`. */
export function aggregatorChartValues(args: {
  readonly release: string;
  readonly envSecret: pulumi.Input<string>;
  readonly config: pulumi.Input<Record<string, unknown>>;
}) {
  const health = { httpGet: { path: "/health", port: AGENT_API_PORT } };
  return {
    role: "Stateless-Aggregator",
    fullnameOverride: args.release,
    replicas: AGGREGATOR_REPLICAS,
    image: { repository: VECTOR_IMAGE.repository, tag: VECTOR_IMAGE.tag, pullPolicy: "IfNotPresent" },
    // The aggregator reads nothing from the Kubernetes API.
    rbac: { create: false },
    serviceAccount: { create: true, automountToken: false },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: AGGREGATOR_UID,
      runAsGroup: AGGREGATOR_UID,
      fsGroup: AGGREGATOR_UID,
      seccompProfile: { type: "RuntimeDefault" },
    },
    securityContext: AGGREGATOR_SECURITY_CONTEXT,
    envFrom: [{ secretRef: { name: args.envSecret } }],
    resources: AGGREGATOR_RESOURCES,
    livenessProbe: health,
    readinessProbe: health,
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    // This stack makes its own Service (the Ingress's backend and the ServiceMonitor's target).
    service: { enabled: false },
    serviceHeadless: { enabled: false },
    podMonitor: { enabled: false },
    // No hostPath: the chart's data volume is an emptyDir in this role.
    persistence: { enabled: false, hostPath: { enabled: false } },
    customConfig: args.config,
  };
}

/** Vector as a Deployment receiving the Vercel apps' log drains and writing them to their products' buckets. */
export class VercelLogDrains extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly release: k8s.helm.v3.Release;
  readonly ingress: k8s.networking.v1.Ingress;
  /** The URL every drain posts to. */
  readonly endpoint: string;
  readonly selector: SeriesSelector;

  constructor(name: string, args: VercelLogDrainsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:logs:${COMPONENT}`, name, {}, opts);
    validateVercelLogDrainsArgs(name, args);
    const ns = args.namespace ?? VERCEL_LOGS_NAMESPACE;
    const release = args.release ?? "vector-vercel";
    this.namespace = ns;
    this.endpoint = drainEndpointUrl(args.host);
    const ctx = args.context;
    const install: VectorInstall = { parent: this, name, context: ctx, release, namespace: ns };
    const labels = vectorLabels(install);
    const inNs = vectorNamespace(install, "restricted");

    // The drain secret: Vercel signs each request with it, the aggregator checks the signature. No
    // scheduled rotation: a new secret replaces every drain (the provider cannot update one) and the
    // requests signed with the old one are dropped meanwhile; rotate on demand (`--replace`, README).
    const drainSecret = new random.RandomPassword(`${name}-drain-secret`, { length: 48, special: false }, { parent: this });
    const env: Record<string, pulumi.Output<string>> = {
      ...logWriterCredentials(this, ctx, args.products, "vercel-log-writer"),
      [DRAIN_SECRET_ENV]: drainSecret.result,
    };
    const secret = new k8s.core.v1.Secret(
      `${name}-env`,
      { metadata: { namespace: ns, labels: labels("vercel-drain-env") }, immutable: true, type: "Opaque", stringData: pulumi.secret(env) },
      inNs,
    );

    // Routes by project id: staging's looked-up projects that do not exist yet have none.
    const routes: pulumi.Output<DrainRoute[]> = pulumi
      .all(args.products.map((p) => pulumi.all(p.apps.map((a) => a.projectId))))
      .apply((ids) => args.products.map((p, i) => ({ product: p.product, destination: p.destination, projectIds: ids[i].filter((id) => id !== "") })));
    const config = routes.apply((r) => renderAggregatorConfig(r));

    const podLabels = chartPodLabels(release, "Stateless-Aggregator");
    this.release = vectorRelease(install, aggregatorChartValues({ release, envSecret: secret.metadata.name, config }), inNs);

    const fromNamespace = (n: string) => [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } }];
    vectorNetworkPolicies(
      install,
      podLabels,
      {
        ingress: [
          { from: fromNamespace(args.ingressControllerNamespace), ports: [{ protocol: "TCP", port: DRAIN_ENDPOINT.port }] },
          { from: fromNamespace(args.monitoringNamespace), ports: [{ protocol: "TCP", port: AGENT_METRICS.port }] },
        ],
        // S3 and R2 over HTTPS.
        egress: [dnsEgressRule(), { ports: [{ protocol: "TCP", port: 443 }] }],
      },
      inNs,
    );

    this.selector = aggregatorSelector(ns, release);
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: String(this.selector.job), namespace: ns, labels: labels("metrics") },
        spec: {
          selector: podLabels,
          ports: [
            { name: "drain", port: DRAIN_ENDPOINT.port, targetPort: DRAIN_ENDPOINT.port, protocol: "TCP" },
            { name: AGENT_METRICS.portName, port: AGENT_METRICS.port, targetPort: AGENT_METRICS.port, protocol: "TCP" },
          ],
        },
      },
      inNs,
    );

    // The verification header, set by ingress-nginx on the endpoint's responses (not a secret:
    // the team's ownership code; not logged).
    const verification = vercel.getEndpointVerificationOutput({}, { parent: this });
    const verifyHeaders = new k8s.core.v1.ConfigMap(
      `${name}-verify-headers`,
      {
        metadata: { name: `${release}-verify-headers`, namespace: ns, labels: labels("ingress-headers") },
        data: { [VERIFY_HEADER]: verification.verificationCode },
      },
      inNs,
    );
    const tlsSecretName = `${release}-tls`;
    this.ingress = new k8s.networking.v1.Ingress(
      `${name}-ingress`,
      {
        metadata: {
          name: release,
          namespace: ns,
          labels: labels("ingress"),
          annotations: {
            "cert-manager.io/cluster-issuer": args.clusterIssuer,
            // ingress-nginx: every response of this Ingress carries the headers of the ConfigMap
            // (`more_set_headers`); the controller refuses any header not in `global-allowed-response-headers`.
            "nginx.ingress.kubernetes.io/custom-headers": pulumi.interpolate`${ns}/${verifyHeaders.metadata.name}`,
          },
        },
        spec: {
          ingressClassName: args.ingressClassName,
          tls: [{ hosts: [args.host], secretName: tlsSecretName }],
          rules: [
            {
              host: args.host,
              http: {
                paths: [{ path: DRAIN_ENDPOINT.path, pathType: "Exact", backend: { service: { name: service.metadata.name, port: { name: "drain" } } } }],
              },
            },
          ],
        },
      },
      inNs,
    );
    // Not proxied: the ingress's own certificate, as for the API hosts.
    const dns = new DnsRecords(
      `${name}-dns`,
      { context: ctx, zoneId: args.zoneId, zoneName: args.zoneName, records: [{ name: args.host, type: "A", content: args.ingressAddress, proxied: false }] },
      { parent: this },
    );

    vectorMonitoring(
      install,
      {
        service,
        selector: this.selector,
        prometheusSelectorLabels: args.prometheusSelectorLabels,
        runbookBaseUrl: args.runbookBaseUrl,
        alertRouting: args.alertRouting,
        downAlert: "VercelLogDrainDown",
      },
      inNs,
    );

    // The drains: created once the endpoint exists and answers the verification.
    for (const p of args.products) {
      for (const app of p.apps) {
        const create = () =>
          new vercel.LogDrain(
            `${name}-${p.product}-${app.name}`,
            {
              name: `app-platform ${p.product}/${app.name} (${ctx.environment})`,
              deliveryFormat: "json",
              endpoint: this.endpoint,
              environments: drainEnvironments(ctx),
              sources: [...DRAIN_SOURCES],
              projectIds: [app.projectId],
              secret: drainSecret.result,
            },
            { parent: this, dependsOn: [this.ingress, verifyHeaders, this.release, dns] },
          );
        // Staging: registered once the lookup answers, as the app's own variables are (vercel-app.ts).
        if (app.pending === undefined) create();
        else pulumi.output(app.pending).apply((pending) => (pending ? undefined : create().urn));
      }
    }
    this.registerOutputs({ namespace: ns, endpoint: this.endpoint });
  }
}
