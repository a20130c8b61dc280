/**
 * The platform's plain (non-secret) config keys, and the whole table: the platform's keys followed
 * by every product's own (`configKeys` of each product in `stacks/`). `Pulumi.yaml` declares
 * exactly these keys plus the secret keys of `allSecretKeys()` (a test keeps them in sync), and the
 * README's config reference is generated from the same table (`npm run config-docs`).
 */
import { z } from "zod";
import { configKey, dnsLabel, dnsName, httpsUrl, imageRepository, pinnedImage, type ConfigValues, type PlainConfigKey } from "../components/config-key";
import { PRE_STOP_HOOKS } from "../components/context";
import type { ProductDefinition } from "../components/product-spec";
import { VERCEL_CNAME_TARGETS, hostPatternProblem } from "../policies/lib/vercel-dns";
import { PRODUCTS, PRODUCT_IDS, productConfigKeys, type ProductConfigValues } from "../stacks";

export type { ConfigKeyType, PlainConfigKey } from "../components/config-key";

/** `key=value` with a Kubernetes label key (optional DNS prefix) and label value. */
const LABEL_PAIR =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?=([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** `host:port` (a DNS name or IPv4 address, a port 1-65535), no scheme. */
const HOST_PORT =
  /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$/;
/** A blackbox_exporter module name. */
const MODULE_NAME = /^[A-Za-z0-9_-]{1,63}$/;
/** `product=job`: a product id and a Prometheus label value. */
const PRODUCT_JOB = /^[a-z][-a-z]*=[A-Za-z0-9_.:-]+$/;
const ipv4 = z.ipv4();

/** Name of this repository on the git host; the runbooks are published from its `docs/runbooks`. */
export const PLATFORM_REPOSITORY = "app-platform";

/**
 * Where the runbooks in `docs/runbooks/<AlertName>.md` are published: the GitHub blob view of
 * this repository's main branch under `gitOrganization`. `runbookBaseUrl` defaults to it.
 */
export function defaultRunbookBaseUrl(gitOrganization: string): string {
  return `https://github.com/${gitOrganization}/${PLATFORM_REPOSITORY}/blob/main/docs/runbooks`;
}

/** The keys of the platform itself: the stack, the cluster, the accounts and the monitoring wiring. */
export const PLATFORM_CONFIG_KEYS = [
  configKey({
    key: "environment",
    type: "string",
    description: "Which environment this stack is: `staging` or `prod`. Prod turns on protection, PDBs and HA.",
    form: "`staging` or `prod`",
    schema: z.enum(["staging", "prod"]),
    example: "staging",
  }),
  configKey({
    key: "domain",
    type: "string",
    description: "The Cloudflare zone every product host lives in (looked up by name, never created).",
    form: "a lower-case DNS name such as `example.com`",
    schema: dnsName,
    example: "example.com",
  }),
  configKey({
    key: "owner",
    type: "string",
    description: "The owning team, written into labels, tags and DNS record comments.",
    default: "platform-team",
    form: "a DNS label such as `platform-team`",
    schema: dnsLabel,
    example: "platform-team",
  }),
  configKey({
    key: "products",
    type: "array",
    description: "The products this stack provisions.",
    default: [...PRODUCT_IDS],
    form: `a non-empty list drawn from ${PRODUCT_IDS.map((p) => `\`${p}\``).join(", ")}, without duplicates`,
    schema: z
      .array(z.enum(PRODUCT_IDS))
      .min(1)
      .refine((a) => new Set(a).size === a.length, "must not repeat a product"),
    example: '["codebook","ara"]',
  }),
  configKey({
    key: "kubernetesContext",
    type: "string",
    description: "The kubeconfig context of the target cluster; empty uses the kubeconfig's current context.",
    default: "",
    form: "a context name from the kubeconfig, or empty",
    schema: z.string(),
    example: "prod-cluster",
  }),
  configKey({
    key: "imagePullSecrets",
    type: "array",
    description:
      "Names of `kubernetes.io/dockerconfigjson` Secrets with private-registry credentials, listed as `imagePullSecrets` on every pod the stack makes; each must exist in every product namespace (`<product>-<environment>`).",
    default: [],
    form: "a list of Kubernetes Secret names (lower-case DNS subdomains), without duplicates",
    schema: z
      .array(
        z
          .string()
          .max(253)
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "must be a Kubernetes Secret name (lower-case DNS subdomain)"),
      )
      .refine((a) => new Set(a).size === a.length, "must not repeat a name"),
    example: '["ghcr-pull"]',
  }),
  configKey({
    key: "preStopHook",
    type: "string",
    description:
      "How containers wait before SIGTERM so endpoints drain: `sleep` is the native lifecycle sleep action (Kubernetes 1.30 or later; works on distroless images); `exec` runs the image's `sleep` binary, for older clusters.",
    default: "sleep",
    form: "`sleep` (Kubernetes ≥ 1.30) or `exec`",
    schema: z.enum(PRE_STOP_HOOKS),
    example: "sleep",
  }),
  configKey({
    key: "ingressAddress",
    type: "string",
    description: "Public IPv4 address of the cluster's ingress controller; API hosts get an A record to it.",
    form: "a public IPv4 address such as `203.0.113.10`",
    schema: ipv4,
    example: "203.0.113.10",
  }),
  configKey({
    key: "ingressClassName",
    type: "string",
    description: "IngressClass of the cluster's ingress controller.",
    default: "nginx",
    form: "a DNS label",
    schema: dnsLabel,
    example: "nginx",
  }),
  configKey({
    key: "ingressControllerNamespace",
    type: "string",
    description: "Namespace of the ingress controller, allowed through each workload's NetworkPolicy.",
    default: "ingress-nginx",
    form: "a DNS label",
    schema: dnsLabel,
    example: "ingress-nginx",
  }),
  configKey({
    key: "logDrainHostLabel",
    type: "string",
    description:
      "First label of the Vercel log drains' endpoint host in the stack's domain: prod `<label>.<domain>`, staging `<label>-staging.<domain>` (the Ingress host, the drains' URL and its DNS record; README \"Logs\").",
    default: "logs",
    form: "a DNS label such as `logs`",
    schema: dnsLabel,
    example: "logs",
  }),
  configKey({
    key: "monitoringNamespace",
    type: "string",
    description: "Namespace of Prometheus (Prometheus Operator), allowed to scrape each workload.",
    default: "monitoring",
    form: "a DNS label",
    schema: dnsLabel,
    example: "monitoring",
  }),
  configKey({
    key: "clusterIssuer",
    type: "string",
    description: "cert-manager ClusterIssuer that issues the TLS certificates of public API hosts.",
    default: "letsencrypt-prod",
    form: "a DNS label",
    schema: dnsLabel,
    example: "letsencrypt-prod",
  }),
  configKey({
    key: "awsRegion",
    type: "string",
    description: "AWS region of the S3 backup buckets and their KMS keys.",
    default: "us-east-1",
    form: "an AWS region such as `us-east-1`",
    schema: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as us-east-1"),
    example: "us-east-1",
  }),
  configKey({
    key: "s3BucketSuffix",
    type: "string",
    description:
      "Unique last part of every S3 bucket name (`<product>-<env>-backups-<suffix>`; S3 names are global). Empty uses the AWS account id (`aws.getCallerIdentity`).",
    default: "",
    form: "empty, or lower-case letters, digits and hyphens (no dots), starting and ending with a letter or digit, short enough that every bucket name stays within 63 characters",
    schema: z
      .string()
      .regex(
        /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/,
        "must be empty or lower-case letters, digits and hyphens, no dots, starting and ending with a letter or digit",
      ),
    example: "acme-7f3k",
  }),
  configKey({
    key: "cloudflareAccountId",
    type: "string",
    description: "Cloudflare account that owns the R2 buckets.",
    form: "a 32-character hex Cloudflare account id",
    schema: z.string().regex(/^[0-9a-f]{32}$/, "must be a 32-character lower-case hex id"),
    example: "0123456789abcdef0123456789abcdef",
  }),
  configKey({
    key: "vercelTeam",
    type: "string",
    description: "Vercel team id or slug that owns the projects; empty for a personal account.",
    default: "",
    form: "a Vercel team id (`team_...`) or slug, or empty",
    schema: z.string().regex(/^$|^[A-Za-z0-9_-]+$/, "must be a team id or slug"),
    example: "team_abc123",
  }),
  configKey({
    key: "gitOrganization",
    type: "string",
    description: "GitHub organisation that holds the products' repositories (Vercel git integration).",
    form: "a GitHub organisation name",
    schema: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, "must be a GitHub organisation name"),
    example: "example-org",
  }),
  configKey({
    key: "imageRegistry",
    type: "string",
    description: "Container registry and path prefix of the products' images.",
    form: "an image repository prefix such as `ghcr.io/example-org`",
    schema: imageRepository,
    example: "ghcr.io/example-org",
  }),
  configKey({
    key: "backupImage",
    type: "string",
    description:
      "Pinned image (repository:tag) of the Postgres backup, restore-verification and maintenance jobs, built from components/data/scripts/pg-backup.Dockerfile (pg_dump, server binaries, pgvector, curl, openssl).",
    form: "`repository:tag` with a pinned tag, built from components/data/scripts/pg-backup.Dockerfile",
    schema: pinnedImage,
    example: "ghcr.io/example-org/pg-backup:17.6-1",
  }),
  configKey({
    key: "runbookBaseUrl",
    type: "string",
    description:
      "Base https URL of the runbooks every alert links to (`<base>/<AlertName>.md`); empty means the repository's own `docs/runbooks` on GitHub, `https://github.com/<gitOrganization>/app-platform/blob/main/docs/runbooks`.",
    default: "",
    form: "an https:// URL (the folder holding `<AlertName>.md`), or empty for the repository's docs/runbooks",
    schema: z.union([z.literal(""), httpsUrl]),
    example: "https://github.com/example-org/app-platform/blob/main/docs/runbooks",
  }),
  configKey({
    key: "secretRotationOnDemand",
    type: "array",
    description:
      'On-demand rotations of generated secrets (after a compromise, seed 002): one entry `<product>/<KEY>@<tag>` per rotation (the tag, e.g. the date or incident id, keeps entries distinct). Adding an entry rotates that key on the next `up` with the same overlap as the scheduled rotation; keep entries afterwards (README "Secrets").',
    default: [],
    form: "a list of `<product>/<KEY>@<tag>` entries, e.g. `ask-dahlia/WORKER_API_SECRET@2026-12-06`, without duplicates",
    schema: z
      .array(z.string().regex(/^[a-z][a-z0-9-]*\/[A-Z][A-Z0-9_]*@[A-Za-z0-9._:-]{1,64}$/, "must look like `<product>/<KEY>@<tag>`"))
      .refine((a) => new Set(a).size === a.length, "must not repeat an entry"),
    example: '["ask-dahlia/WORKER_API_SECRET@2026-12-06"]',
  }),
  configKey({
    key: "vercelPublicPreviews",
    type: "array",
    description:
      "Products whose Vercel preview deployments (the staging hosts) are public instead of behind Vercel Authentication; Voyager's Google/LinkedIn OAuth callbacks need it (seed 003). Set it alike on both stacks.",
    default: ["voyager"],
    form: `a list drawn from ${PRODUCT_IDS.map((p) => `\`${p}\``).join(", ")}, without duplicates`,
    schema: z.array(z.enum(PRODUCT_IDS)).refine((a) => new Set(a).size === a.length, "must not repeat a product"),
    example: '["voyager"]',
  }),
  configKey({
    key: "vercelFirewallPathPrefix",
    type: "string",
    description:
      "Path prefix the Vercel Firewall rate limits count (seeds 003 and 004 limit every request their middleware sees; `/` counts static assets too).",
    default: "/api/",
    form: "a path starting with `/`, such as `/api/`",
    schema: z.string().regex(/^\/\S*$/, "must be a path starting with /"),
    example: "/api/",
  }),
  configKey({
    key: "vercelFirewallMaxWindowSeconds",
    type: "integer",
    description:
      "Longest rate-limit window the Vercel plan allows: 600 below Enterprise, 3600 on it. Longer seed windows (ARA's hour) are shortened to it with the limit scaled down.",
    default: 600,
    form: "a whole number of seconds from 10 to 3600",
    schema: z.number().int().min(10).max(3600),
    example: "600",
  }),
  configKey({
    key: "dnsAllowedCnameTargets",
    type: "array",
    description:
      "Hosts a hand-written DNS CNAME may point at (`*.zone` for any host below zone, `/^…$/` for a family of hosts; cloudflare-disallow-unknown-cname-targets). Vercel's own answer for our project is trusted; keep the `allowedCnameTargets` of that policy the same.",
    default: [...VERCEL_CNAME_TARGETS],
    form: "a non-empty list of host names, `*.zone` patterns or anchored `/^…$/` patterns",
    schema: z
      .array(z.string().refine((p) => hostPatternProblem(p) === undefined, "must be a lower-case host name, *.zone or an anchored pattern /^…$/"))
      .min(1),
    example: '["cname.vercel-dns.com","*.vercel-dns.com"]',
  }),
  configKey({
    key: "grafanaDashboardLabel",
    type: "string",
    description:
      "Label (`key=value`) on each product's dashboard ConfigMap that the Grafana sidecar loads dashboards by (kube-prometheus-stack: `grafana.sidecar.dashboards.label`/`labelValue`); the ConfigMaps go to `monitoringNamespace`, which the sidecar watches by default.",
    default: "grafana_dashboard=1",
    form: "`key=value` with a Kubernetes label key and value",
    schema: z
      .string()
      .regex(LABEL_PAIR, "must be `key=value` with a Kubernetes label key and value")
      .transform((s) => ({ key: s.slice(0, s.indexOf("=")), value: s.slice(s.indexOf("=") + 1) })),
    example: "grafana_dashboard=1",
  }),
  // ---- monitoring wiring -----------------------------------------------------------------------
  configKey({
    key: "prometheusSelectorLabels",
    type: "array",
    description:
      "Labels stamped on every PrometheusRule, ServiceMonitor, Probe and AlertmanagerConfig so the cluster's Prometheus selects them (read them off its `Prometheus` resource, see the README's \"Monitoring\").",
    default: ["release=kube-prometheus-stack"],
    form: "a non-empty list of `key=value` Kubernetes labels such as `release=kube-prometheus-stack`, each key once",
    schema: z
      .array(z.string().regex(LABEL_PAIR, "each entry must be `key=value` with a Kubernetes label key and value"))
      .min(1, "must name at least one label: the operator's selectors match on labels")
      .refine((a) => new Set(a.map((e) => e.split("=")[0])).size === a.length, "must not repeat a label key")
      .transform((a) => Object.fromEntries(a.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])) as Readonly<Record<string, string>>),
    example: '["release=kube-prometheus-stack"]',
  }),
  configKey({
    key: "blackboxExporterAddress",
    type: "string",
    description: "`host:port` of the cluster's blackbox_exporter, the prober every `Probe` scrapes (Probe `spec.prober.url`, scheme http, path /probe).",
    default: "prometheus-blackbox-exporter.monitoring.svc:9115",
    form: "`host:port` without a scheme, such as `prometheus-blackbox-exporter.monitoring.svc:9115`",
    schema: z.string().regex(HOST_PORT, "must be host:port without a scheme or path"),
    example: "prometheus-blackbox-exporter.monitoring.svc:9115",
  }),
  configKey({
    key: "blackboxModule",
    type: "string",
    description:
      "blackbox_exporter module the health and TLS probes use (an HTTP GET that expects 2xx); the rendered module Secret (`blackbox-modules-<environment>`) defines it; protected Vercel previews on staging get their own `<product>_<app>_<module>_vercel_bypass` variant.",
    default: "http_2xx",
    // The per-app variant `<product>_<app>_<module>_vercel_bypass` (ask_dahlia_ui_…, 13 + 1 + 14
    // characters around it) must stay a module name (at most 63): 32 leaves room for every product.
    form: "a module name of at most 32 characters (letters, digits, `_`, `-`)",
    schema: z.string().regex(MODULE_NAME, "must be a blackbox module name (letters, digits, _ and -)").max(32, "must be at most 32 characters"),
    example: "http_2xx",
  }),
  configKey({
    key: "postgresExporter",
    type: "string",
    description:
      "`deploy`: a postgres_exporter (Deployment, Service, ServiceMonitor) per product database in its namespace; `external`: an exporter already runs, its job per product in `postgresExporterJobs`.",
    default: "deploy",
    form: "`deploy` or `external`",
    schema: z.enum(["deploy", "external"]),
    example: "deploy",
  }),
  configKey({
    key: "postgresExporterJobs",
    type: "array",
    description:
      "With `postgresExporter: external`: the `job` label of the existing exporter's series per product, as `product=job` (every product with a database needs one).",
    default: [],
    form: "a list of `product=job` entries such as `codebook=codebook-postgres`",
    schema: z
      .array(z.string().regex(PRODUCT_JOB, "each entry must be `product=job` (a product id and a Prometheus label value)"))
      .refine((a) => a.every((e) => (PRODUCT_IDS as readonly string[]).includes(e.split("=")[0])), `each product must be one of ${PRODUCT_IDS.join(", ")}`)
      .refine((a) => new Set(a.map((e) => e.split("=")[0])).size === a.length, "must not repeat a product")
      .transform((a) => Object.fromEntries(a.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])) as Readonly<Record<string, string>>),
    example: '["codebook=codebook-postgres"]',
  }),
  configKey({
    key: "postgresExporterImage",
    type: "string",
    description: "Pinned image (repository:tag) of the postgres_exporter deployed per product database (`postgresExporter: deploy`).",
    default: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
    form: "`repository:tag` with a pinned tag",
    schema: pinnedImage,
    example: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
  }),
] as const satisfies readonly PlainConfigKey[];

/** Every plain key of a stack with these products: the platform's, then each product's own. */
export function plainConfigKeys(products: readonly ProductDefinition[] = PRODUCTS): readonly PlainConfigKey[] {
  return [...PLATFORM_CONFIG_KEYS, ...productConfigKeys(products)];
}

/** Every plain key the project can read (all products): what `Pulumi.yaml` declares. */
export const PLAIN_CONFIG_KEYS: readonly PlainConfigKey[] = plainConfigKeys();

/** The validated plain config values, one field per key, typed by the key's schema. */
export type PlainConfigValues = ConfigValues<typeof PLATFORM_CONFIG_KEYS> & ProductConfigValues;

/** The Pulumi config namespace of this project (the project name). */
export const CONFIG_NAMESPACE = "app-platform";
