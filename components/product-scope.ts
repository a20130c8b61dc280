/**
 * What every capability of one product shares while `ApplicationStack` builds it: the platform's
 * settings, the product's context and namespace, its secrets, and the parent its children hang
 * under. The capability modules (`workloads/`, `web/`, `data/`, `monitoring/`) each take this scope
 * and their slice of the `ProductSpec`.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { KubernetesPlatformSettings, PlatformContext } from "./context";
import { previousKey, type SecretSet } from "./secrets/secret-set";
import type { SecretRefs } from "./product-spec";

/** Cluster and account facts every product shares, from validated stack config. */
export interface PlatformSettings {
  /** Cloudflare zone id of the stack's domain (looked up, never created). */
  readonly zoneId: pulumi.Input<string>;
  /** The zone's name, e.g. `example.com`. */
  readonly zoneName: string;
  /** Public IPv4 address of the ingress controller. */
  readonly ingressAddress: string;
  readonly ingressClassName: string;
  readonly ingressControllerNamespace: string;
  readonly monitoringNamespace: string;
  readonly clusterIssuer: string;
  /** AWS region of S3 buckets. */
  readonly awsRegion: string;
  /**
   * Unique last part of S3 bucket names (S3 names are global): the stack's `s3BucketSuffix`, or
   * the AWS account id. @default none
   */
  readonly s3BucketSuffix?: pulumi.Input<string>;
  /** Cloudflare account of R2 buckets. */
  readonly cloudflareAccountId: string;
  /** Image of the backup job, pinned. */
  readonly backupImage: { readonly repository: string; readonly tag: string };
  /** Base URL of the runbooks alerts link to. */
  readonly runbookBaseUrl: string;
  /** Alert receivers (secrets). */
  readonly alertRouting: { readonly pagerKey: pulumi.Input<string>; readonly chatWebhookUrl: pulumi.Input<string> };
  /**
   * Cluster-wide pod settings (pull secrets, preStop hook); they travel in every component's
   * `context` and reach pod specs through `components/workloads/pod-spec.ts`.
   * @default {}
   */
  readonly kubernetes?: KubernetesPlatformSettings;
  /**
   * On-demand rotations by product, then by generated key: how many (stack config
   * `secretRotationOnDemand`). @default {}
   */
  readonly secretRotationOnDemand?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * The clock that picks the secrets' rotation period; tests pin it.
   * @default () => new Date()
   */
  readonly clock?: () => Date;
  /**
   * Labels the cluster's Prometheus (and Alertmanager) select monitoring objects by; stamped on
   * every PrometheusRule, ServiceMonitor, Probe and AlertmanagerConfig (`prometheusSelectorLabels`).
   */
  readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
  /** Label of the product dashboard's ConfigMap for the Grafana sidecar (`grafanaDashboardLabel`). @default { key: "grafana_dashboard", value: "1" } */
  readonly grafanaDashboardLabel?: { readonly key: string; readonly value: string };
  /** The blackbox_exporter every Probe goes through, and the module of health probes. */
  readonly blackbox: { readonly address: string; readonly module: string };
  /** How each product database gets its postgres_exporter. */
  readonly postgresExporter:
    | { readonly mode: "deploy"; readonly image: { readonly repository: string; readonly tag: string } }
    | { readonly mode: "external"; readonly jobs: Readonly<Record<string, string>> };
  /** Hosts a CNAME may point at (policy `cloudflare-disallow-unknown-cname-targets`). @default DnsRecords' default (Vercel's targets) */
  readonly allowedCnameTargets?: readonly string[];
  /** Vercel's Firewall: the path prefix the rate limits count and the plan's longest window. */
  readonly vercelFirewall?: { readonly pathPrefix: string; readonly maxWindowSeconds: number };
}

/** One product's shared state while it is built; made once by `ApplicationStack`. */
export interface ProductScope {
  /** The product's component name: every child's name starts with it. */
  readonly name: string;
  /** The `ApplicationStack`: the parent of every child. */
  readonly parent: pulumi.Resource;
  readonly context: PlatformContext;
  readonly platform: PlatformSettings;
  /** The namespace resource's name (children that take it as an output wait for it). */
  readonly namespace: pulumi.Output<string>;
  /** The namespace's name as plain text, `<product>-<environment>`. */
  readonly namespaceName: string;
  /**
   * Options for a component that takes the namespace as plain text: a component's `dependsOn`
   * does not reach its children (the SDK sends each child's own dependencies only), so the
   * transformation, which runs for every child too, makes each wait for the namespace, and a
   * first `up` cannot create them before it exists.
   */
  readonly afterNamespace: pulumi.ComponentResourceOptions;
  readonly secrets: SecretSet;
}

/** The options `ProductScope.afterNamespace` stands for, for `namespace` under `parent`. */
export function afterNamespaceOptions(parent: pulumi.Resource, namespace: k8s.core.v1.Namespace): pulumi.ComponentResourceOptions {
  const transformation: pulumi.ResourceTransformation = (a) => ({
    props: a.props,
    opts: pulumi.mergeOptions(a.opts, { dependsOn: [namespace] }),
  });
  return { parent, dependsOn: [namespace], transformations: [transformation] };
}

/**
 * Resolves env → secret refs to values; optional secrets that are unset are left out. A secret
 * that keeps its previous value also yields `<ENV>_PREVIOUS`, so every sink of the current value
 * gets the previous one too.
 */
export function secretValues(secrets: SecretSet, refs: SecretRefs): Record<string, pulumi.Input<string>> {
  const out: Record<string, pulumi.Input<string>> = {};
  for (const [env, secret] of Object.entries(refs)) {
    const v = secrets.values[secret];
    if (v !== undefined) out[env] = v;
    const previous = secrets.previousValues[secret];
    if (previous !== undefined) out[previousKey(env)] = previous;
  }
  return out;
}
