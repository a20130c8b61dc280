/**
 * Every plain (non-secret) config key the program reads, in one table. `Pulumi.yaml` declares
 * exactly these keys plus the secret keys of `secretConfigKeys()` (a test keeps them in sync), and
 * the README's config reference is generated from the same data.
 *
 * Pulumi.yaml can only declare `string`, `integer`, `boolean` and `array` config types, so config is
 * flat: one key per knob, named in camelCase.
 */
import { z } from "zod";
import { PRE_STOP_HOOKS } from "../components/context";
import { RESTORE_TABLE } from "../components/values";
import { VERCEL_CNAME_TARGETS } from "../policies/lib/vercel-dns";

export const PRODUCT_IDS = ["ask-dahlia", "codebook", "chat-api", "voyager", "ara"] as const;
export type ProductId = (typeof PRODUCT_IDS)[number];

export type ConfigKeyType = "string" | "integer" | "boolean" | "array";

export interface PlainConfigKey<K extends string = string, S extends z.ZodType = z.ZodType> {
  /** Key within the `app-platform` namespace. */
  readonly key: K;
  readonly type: ConfigKeyType;
  /** One sentence for Pulumi.yaml and the README. */
  readonly description: string;
  /** Default applied when the stack does not set the key; absent means required. */
  readonly default?: string | number | boolean | readonly string[];
  /** The expected form, shown in error messages. */
  readonly form: string;
  /** Validates the value after type conversion; its output type is the key's type in `StackConfig`. */
  readonly schema: S;
  /** An example value for error messages' `pulumi config set` hint. */
  readonly example: string;
}

const dnsName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name");
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a DNS label (a-z, 0-9, -)");
const httpsUrl = z.string().regex(/^https:\/\/[^\s/]+(\/[^\s]*)?$/, "must be an https:// URL");
/** An image tag that is pinned: not empty, not `latest`. */
const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a Docker image tag")
  .refine((t) => t !== "latest", "must be pinned; `latest` is not allowed");
const imageRepository = z
  .string()
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, "must be an image repository without a tag");
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
const positiveInt = (max: number) => z.number().int().min(1).max(max);
/** An OpenAI model id (`gpt-4o`, `gpt-3.5-turbo`, `o3-mini`, fine-tunes `ft:...`). */
const openaiModel = z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,127}$/, "must be an OpenAI model id such as gpt-4o");
/** An Anthropic model id (`claude-3-5-sonnet-20240620`, `claude-sonnet-4-20250514`). */
const anthropicModel = z.string().regex(/^claude-[a-z0-9][a-z0-9.-]{0,127}$/, "must be an Anthropic model id such as claude-sonnet-4-20250514");
/**
 * A downstream service's base URL, or empty (unset). Loopback and unset URLs are refused on prod by
 * `parseStackConfig` (seed 002's `localhost` defaults are for development only).
 */
const serviceUrl = z.string().regex(/^$|^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, "must be an http:// or https:// base URL, or empty");
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

/** Declares a key, keeping its name and schema types so `StackConfig` can be derived from the table. */
function key<const K extends string, S extends z.ZodType>(k: PlainConfigKey<K, S>): PlainConfigKey<K, S> {
  return k;
}

export const PLAIN_CONFIG_KEYS = [
  key({
    key: "environment",
    type: "string",
    description: "Which environment this stack is: `staging` or `prod`. Prod turns on protection, PDBs and HA.",
    form: "`staging` or `prod`",
    schema: z.enum(["staging", "prod"]),
    example: "staging",
  }),
  key({
    key: "domain",
    type: "string",
    description: "The Cloudflare zone every product host lives in (looked up by name, never created).",
    form: "a lower-case DNS name such as `example.com`",
    schema: dnsName,
    example: "example.com",
  }),
  key({
    key: "owner",
    type: "string",
    description: "The owning team, written into labels, tags and DNS record comments.",
    default: "platform-team",
    form: "a DNS label such as `platform-team`",
    schema: dnsLabel,
    example: "platform-team",
  }),
  key({
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
  key({
    key: "kubernetesContext",
    type: "string",
    description: "The kubeconfig context of the target cluster; empty uses the kubeconfig's current context.",
    default: "",
    form: "a context name from the kubeconfig, or empty",
    schema: z.string(),
    example: "prod-cluster",
  }),
  key({
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
  key({
    key: "preStopHook",
    type: "string",
    description:
      "How containers wait before SIGTERM so endpoints drain: `sleep` is the native lifecycle sleep action (Kubernetes 1.30 or later; works on distroless images); `exec` runs the image's `sleep` binary, for older clusters.",
    default: "sleep",
    form: "`sleep` (Kubernetes ≥ 1.30) or `exec`",
    schema: z.enum(PRE_STOP_HOOKS),
    example: "sleep",
  }),
  key({
    key: "ingressAddress",
    type: "string",
    description: "Public IPv4 address of the cluster's ingress controller; API hosts get an A record to it.",
    form: "a public IPv4 address such as `203.0.113.10`",
    schema: ipv4,
    example: "203.0.113.10",
  }),
  key({
    key: "ingressClassName",
    type: "string",
    description: "IngressClass of the cluster's ingress controller.",
    default: "nginx",
    form: "a DNS label",
    schema: dnsLabel,
    example: "nginx",
  }),
  key({
    key: "ingressControllerNamespace",
    type: "string",
    description: "Namespace of the ingress controller, allowed through each workload's NetworkPolicy.",
    default: "ingress-nginx",
    form: "a DNS label",
    schema: dnsLabel,
    example: "ingress-nginx",
  }),
  key({
    key: "monitoringNamespace",
    type: "string",
    description: "Namespace of Prometheus (Prometheus Operator), allowed to scrape each workload.",
    default: "monitoring",
    form: "a DNS label",
    schema: dnsLabel,
    example: "monitoring",
  }),
  key({
    key: "clusterIssuer",
    type: "string",
    description: "cert-manager ClusterIssuer that issues the TLS certificates of public API hosts.",
    default: "letsencrypt-prod",
    form: "a DNS label",
    schema: dnsLabel,
    example: "letsencrypt-prod",
  }),
  key({
    key: "awsRegion",
    type: "string",
    description: "AWS region of the S3 backup buckets and their KMS keys.",
    default: "us-east-1",
    form: "an AWS region such as `us-east-1`",
    schema: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as us-east-1"),
    example: "us-east-1",
  }),
  key({
    key: "s3BucketSuffix",
    type: "string",
    description:
      "Unique last part of every S3 bucket name (`<product>-<env>-backups-<suffix>`; S3 names are global). Empty uses the AWS account id (`aws.getCallerIdentity`).",
    default: "",
    form: "empty, or lower-case letters, digits and hyphens (no dots), starting and ending with a letter or digit, short enough that every bucket name stays within 63 characters",
    schema: z
      .string()
      .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/, "must be empty or lower-case letters, digits and hyphens, no dots, starting and ending with a letter or digit"),
    example: "acme-7f3k",
  }),
  key({
    key: "cloudflareAccountId",
    type: "string",
    description: "Cloudflare account that owns the R2 buckets.",
    form: "a 32-character hex Cloudflare account id",
    schema: z.string().regex(/^[0-9a-f]{32}$/, "must be a 32-character lower-case hex id"),
    example: "0123456789abcdef0123456789abcdef",
  }),
  key({
    key: "vercelTeam",
    type: "string",
    description: "Vercel team id or slug that owns the projects; empty for a personal account.",
    default: "",
    form: "a Vercel team id (`team_...`) or slug, or empty",
    schema: z.string().regex(/^$|^[A-Za-z0-9_-]+$/, "must be a team id or slug"),
    example: "team_abc123",
  }),
  key({
    key: "gitOrganization",
    type: "string",
    description: "GitHub organisation that holds the products' repositories (Vercel git integration).",
    form: "a GitHub organisation name",
    schema: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, "must be a GitHub organisation name"),
    example: "example-org",
  }),
  key({
    key: "imageRegistry",
    type: "string",
    description: "Container registry and path prefix of the products' images.",
    form: "an image repository prefix such as `ghcr.io/example-org`",
    schema: imageRepository,
    example: "ghcr.io/example-org",
  }),
  key({
    key: "askDahliaWorkerImageTag",
    type: "string",
    description: "Pinned image tag of the Ask Dahlia worker API.",
    form: "a pinned image tag (not `latest`)",
    schema: imageTag,
    example: "1.4.2",
  }),
  key({
    key: "codebookApiImageTag",
    type: "string",
    description: "Pinned image tag of the Construction Codebook backend API.",
    form: "a pinned image tag (not `latest`)",
    schema: imageTag,
    example: "1.2.3",
  }),
  key({
    key: "chatApiImageTag",
    type: "string",
    description: "Pinned image tag of the Chat API.",
    form: "a pinned image tag (not `latest`)",
    schema: imageTag,
    example: "2.0.1",
  }),
  key({
    key: "backupImage",
    type: "string",
    description:
      "Pinned image (repository:tag) of the Postgres backup, restore-verification and maintenance jobs, built from components/data/scripts/pg-backup.Dockerfile (pg_dump, server binaries, pgvector, curl, openssl).",
    form: "`repository:tag` with a pinned tag, built from components/data/scripts/pg-backup.Dockerfile",
    schema: z
      .string()
      .regex(/^[^\s:]+(:[0-9]+)?(\/[^\s:]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be repository:tag")
      .refine((s) => !s.endsWith(":latest"), "must be pinned; `latest` is not allowed"),
    example: "ghcr.io/example-org/pg-backup:17.6-1",
  }),
  key({
    key: "runbookBaseUrl",
    type: "string",
    description:
      "Base https URL of the runbooks every alert links to (`<base>/<AlertName>.md`); empty means the repository's own `docs/runbooks` on GitHub, `https://github.com/<gitOrganization>/app-platform/blob/main/docs/runbooks`.",
    default: "",
    form: "an https:// URL (the folder holding `<AlertName>.md`), or empty for the repository's docs/runbooks",
    schema: z.union([z.literal(""), httpsUrl]),
    example: "https://github.com/example-org/app-platform/blob/main/docs/runbooks",
  }),
  key({
    key: "askDahliaSecUserAgent",
    type: "string",
    description: "SEC EDGAR user agent of the Ask Dahlia worker, `Company Name Contact <email>` (seed 000).",
    form: "`Company Name Contact <email@example.com>`",
    schema: z.string().regex(/^.+ <[^@\s]+@[^@\s]+>$/, "must look like `Company Name Contact <email@example.com>`"),
    example: "Example Corp Ops <ops@example.com>",
  }),
  // seed 000 "Provider Integration Management": default and fallback models, "configure in
  // environment variables" (the seed names no variables; the worker gets OPENAI_MODEL,
  // OPENAI_FALLBACK_MODEL, ANTHROPIC_MODEL, ANTHROPIC_FALLBACK_MODEL).
  key({
    key: "askDahliaOpenaiModel",
    type: "string",
    description: "OpenAI model of the Ask Dahlia worker (`OPENAI_MODEL`; seed 000: `gpt-4o`).",
    default: "gpt-4o",
    form: "an OpenAI model id such as `gpt-4o`",
    schema: openaiModel,
    example: "gpt-4o",
  }),
  key({
    key: "askDahliaOpenaiFallbackModel",
    type: "string",
    description: "OpenAI fallback model of the Ask Dahlia worker (`OPENAI_FALLBACK_MODEL`; seed 000: `gpt-3.5-turbo`).",
    default: "gpt-3.5-turbo",
    form: "an OpenAI model id other than `askDahliaOpenaiModel`",
    schema: openaiModel,
    example: "gpt-3.5-turbo",
  }),
  key({
    key: "askDahliaAnthropicModel",
    type: "string",
    description: "Anthropic model of the Ask Dahlia worker (`ANTHROPIC_MODEL`; seed 000: `claude-3-5-sonnet-20240620`).",
    default: "claude-3-5-sonnet-20240620",
    form: "an Anthropic model id such as `claude-3-5-sonnet-20240620`",
    schema: anthropicModel,
    example: "claude-3-5-sonnet-20240620",
  }),
  key({
    key: "askDahliaAnthropicFallbackModel",
    type: "string",
    description: "Anthropic fallback model of the Ask Dahlia worker (`ANTHROPIC_FALLBACK_MODEL`; seed 000: `claude-3-haiku-20240307`).",
    default: "claude-3-haiku-20240307",
    form: "an Anthropic model id other than `askDahliaAnthropicModel`",
    schema: anthropicModel,
    example: "claude-3-haiku-20240307",
  }),
  key({
    key: "chatApiSupabaseUrl",
    type: "string",
    description: "Supabase project URL of the Chat API (seed 002 `SUPABASE_URL`).",
    form: "an https:// URL",
    schema: httpsUrl,
    example: "https://abcd.supabase.co",
  }),
  key({
    key: "chatApiClerkDomain",
    type: "string",
    description: "Clerk domain the Chat API validates JWTs against (seed 002 `CLERK_DOMAIN`).",
    form: "a DNS name",
    schema: dnsName,
    example: "clerk.example.com",
  }),
  key({
    key: "chatApiAllowedOrigins",
    type: "array",
    description: "Browser origins allowed to call the Chat API (seed 002 `ALLOWED_ORIGINS`, required).",
    form: "a non-empty list of https:// origins without paths",
    schema: z.array(z.string().regex(/^https:\/\/[^\s/]+$/, "must be an https:// origin without a path")).min(1),
    example: '["https://app.example.com"]',
  }),
  key({
    key: "askDahliaRestoreCheckTables",
    type: "array",
    description:
      "Tables the scheduled restore verification of Ask Dahlia requires, each present with rows after restoring the newest backup (seed 000 names none); empty: any table with rows.",
    form: "a list of `table`, `schema.table` or quoted `schema.\"Table\"` names",
    default: [],
    schema: z.array(z.string().regex(RESTORE_TABLE, "must be a table name: `table`, `schema.table` or a quoted identifier")),
    example: '["documents"]',
  }),
  key({
    key: "codebookRestoreCheckTables",
    type: "array",
    description:
      "Tables the scheduled restore verification of Codebook requires, each present with rows after restoring the newest backup (seed 001 §6 names `codebook_items` and `llm_usage`); empty: any table with rows.",
    form: "a list of `table`, `schema.table` or quoted `schema.\"Table\"` names",
    default: ["codebook_items", "llm_usage"],
    schema: z.array(z.string().regex(RESTORE_TABLE, "must be a table name: `table`, `schema.table` or a quoted identifier")),
    example: '["codebook_items", "llm_usage"]',
  }),
  key({
    key: "voyagerRestoreCheckTables",
    type: "array",
    description:
      "Tables the scheduled restore verification of Voyager requires, each present with rows after restoring the newest backup (seed 003 names no tables, only Prisma models); empty: any table with rows.",
    form: "a list of `table`, `schema.table` or quoted `schema.\"Table\"` names",
    default: [],
    schema: z.array(z.string().regex(RESTORE_TABLE, "must be a table name: `table`, `schema.table` or a quoted identifier")),
    example: '["public.\"User\""]',
  }),
  key({
    key: "araRestoreCheckTables",
    type: "array",
    description:
      "Tables the scheduled restore verification of ARA requires, each present with rows after restoring the newest backup (seed 004 ANALYZEs `audit_sessions`, `chat_messages`, `audit_answers`); empty: any table with rows.",
    form: "a list of `table`, `schema.table` or quoted `schema.\"Table\"` names",
    default: ["audit_sessions", "chat_messages", "audit_answers"],
    schema: z.array(z.string().regex(RESTORE_TABLE, "must be a table name: `table`, `schema.table` or a quoted identifier")),
    example: '["audit_sessions"]',
  }),
  key({
    key: "chatApiDefaultModel",
    type: "string",
    description:
      "Claude model of the Chat API (seed 002 `DEFAULT_MODEL`, default `claude-sonnet-4-20250514`); set per stack so an upgrade goes to staging first (seed 002 \"Model Upgrade Procedures\").",
    default: "claude-sonnet-4-20250514",
    form: "an Anthropic model id such as `claude-sonnet-4-20250514`",
    schema: anthropicModel,
    example: "claude-sonnet-4-20250514",
  }),
  // seed 002 env table: the downstream services' base URLs default to http://localhost:8001-8003,
  // development values; a pod has nothing listening there.
  key({
    key: "chatApiMapperApiUrl",
    type: "string",
    description: "Base URL of mapper-api that the Chat API calls (seed 002 `MAPPER_API_URL`); required on prod, never loopback.",
    default: "",
    form: "an http:// or https:// base URL such as `https://mapper-api.example.com`",
    schema: serviceUrl,
    example: "https://mapper-api.example.com",
  }),
  key({
    key: "chatApiCalendarApiUrl",
    type: "string",
    description: "Base URL of calendar-api that the Chat API calls (seed 002 `CALENDAR_API_URL`); required on prod, never loopback.",
    default: "",
    form: "an http:// or https:// base URL such as `https://calendar-api.example.com`",
    schema: serviceUrl,
    example: "https://calendar-api.example.com",
  }),
  key({
    key: "chatApiWorkoutIngestorApiUrl",
    type: "string",
    description:
      "Base URL of workout-ingestor-api that the Chat API calls (seed 002 `WORKOUT_INGESTOR_API_URL`); required on prod, never loopback.",
    default: "",
    form: "an http:// or https:// base URL such as `https://workout-ingestor-api.example.com`",
    schema: serviceUrl,
    example: "https://workout-ingestor-api.example.com",
  }),
  key({
    key: "voyagerGoogleClientId",
    type: "string",
    description: "Google OAuth client id of Voyager (seed 003 `GOOGLE_CLIENT_ID`; not a secret).",
    form: "a Google OAuth client id",
    schema: z.string().min(1),
    example: "1234-abc.apps.googleusercontent.com",
  }),
  key({
    key: "voyagerLinkedinClientId",
    type: "string",
    description: "LinkedIn OAuth client id of Voyager (seed 003 `LINKEDIN_CLIENT_ID`; not a secret).",
    form: "a LinkedIn client id",
    schema: z.string().min(1),
    example: "86abcdefgh",
  }),
  key({
    key: "voyagerStripeEnabled",
    type: "boolean",
    description: "Whether Voyager's optional Stripe integration is configured (seed 003); needs the Stripe secrets.",
    default: false,
    form: "`true` or `false`",
    schema: z.boolean(),
    example: "false",
  }),
  key({
    key: "voyagerStripePriceId",
    type: "string",
    description: "Stripe price id of Voyager's subscription (seed 003 `STRIPE_PRICE_ID`), when Stripe is enabled.",
    default: "",
    form: "a Stripe price id `price_...`, or empty",
    schema: z.string().regex(/^$|^price_[A-Za-z0-9]+$/, "must be a Stripe price id such as price_123"),
    example: "price_123",
  }),
  key({
    key: "araClerkPublishableKey",
    type: "string",
    description: "Clerk publishable key of ARA (seed 004 `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`; public by design).",
    form: "a Clerk publishable key `pk_test_...` or `pk_live_...`",
    schema: z.string().regex(/^pk_(test|live)_[A-Za-z0-9$=._-]+$/, "must be a Clerk publishable key pk_..."),
    example: "pk_test_abc",
  }),
  key({
    key: "voyagerSentryDsn",
    type: "string",
    description: "Sentry DSN of Voyager's browser SDK (seed 003 `NEXT_PUBLIC_SENTRY_DSN`; public by design, bundled into the browser); empty leaves it unset.",
    default: "",
    form: "a Sentry DSN `https://<key>@<host>/<project>`, or empty",
    schema: z.string().regex(/^$|^https:\/\/[A-Za-z0-9]+@[^\s/]+\/[0-9]+$/, "must be a Sentry DSN such as https://abc@o1.ingest.sentry.io/1"),
    example: "https://abc123@o1.ingest.sentry.io/42",
  }),
  key({
    key: "araVercelAnalyticsId",
    type: "string",
    description: "Vercel Analytics id of ARA (seed 004 `VERCEL_ANALYTICS_ID`); empty leaves it unset.",
    default: "",
    form: "the analytics id from the Vercel dashboard, or empty",
    schema: z.string().regex(/^[A-Za-z0-9_-]*$/, "must be letters, digits, `_` or `-`"),
    example: "abc123",
  }),
  key({
    key: "vercelPublicPreviews",
    type: "array",
    description:
      "Products whose Vercel preview deployments (the staging hosts) are public instead of behind Vercel Authentication; Voyager's Google/LinkedIn OAuth callbacks need it (seed 003). Set it alike on both stacks.",
    default: ["voyager"],
    form: `a list drawn from ${PRODUCT_IDS.map((p) => `\`${p}\``).join(", ")}, without duplicates`,
    schema: z
      .array(z.enum(PRODUCT_IDS))
      .refine((a) => new Set(a).size === a.length, "must not repeat a product"),
    example: '["voyager"]',
  }),
  key({
    key: "vercelFirewallPathPrefix",
    type: "string",
    description: "Path prefix the Vercel Firewall rate limits count (seeds 003 and 004 limit every request their middleware sees; `/` counts static assets too).",
    default: "/api/",
    form: "a path starting with `/`, such as `/api/`",
    schema: z.string().regex(/^\/\S*$/, "must be a path starting with /"),
    example: "/api/",
  }),
  key({
    key: "vercelFirewallMaxWindowSeconds",
    type: "integer",
    description:
      "Longest rate-limit window the Vercel plan allows: 600 below Enterprise, 3600 on it. Longer seed windows (ARA's hour) are shortened to it with the limit scaled down.",
    default: 600,
    form: "a whole number of seconds from 10 to 3600",
    schema: z.number().int().min(10).max(3600),
    example: "600",
  }),
  key({
    key: "dnsAllowedCnameTargets",
    type: "array",
    description:
      "Hosts a DNS CNAME may point at (`*.zone` for any host below zone; POLICIES.md 53). Vercel's per-project recommendation must be on it; keep policy 53's `allowedCnameTargets` the same.",
    default: [...VERCEL_CNAME_TARGETS],
    form: "a non-empty list of host names or `*.zone` patterns",
    schema: z
      .array(z.string().regex(/^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case host name or *.zone"))
      .min(1),
    example: '["cname.vercel-dns.com","*.vercel-dns.com"]',
  }),
  key({
    key: "replicasAskDahliaWorker",
    type: "integer",
    description: "Replicas of the Ask Dahlia worker API (prod needs at least 2).",
    default: 2,
    form: "a whole number from 1 to 50",
    schema: positiveInt(50),
    example: "2",
  }),
  key({
    key: "replicasCodebookApi",
    type: "integer",
    description: "Replicas of the Codebook backend API (seed 001 §3.1: 3).",
    default: 3,
    form: "a whole number from 1 to 50",
    schema: positiveInt(50),
    example: "3",
  }),
  key({
    key: "replicasChatApi",
    type: "integer",
    description: "Replicas of the Chat API (prod needs at least 2; SSE clients are pinned by session affinity).",
    default: 2,
    form: "a whole number from 1 to 50",
    schema: positiveInt(50),
    example: "2",
  }),
  key({
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
  // ---- monitoring wiring (issue 9) ------------------------------------------------------------
  key({
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
  key({
    key: "blackboxExporterAddress",
    type: "string",
    description:
      "`host:port` of the cluster's blackbox_exporter, the prober every `Probe` scrapes (Probe `spec.prober.url`, scheme http, path /probe).",
    default: "prometheus-blackbox-exporter.monitoring.svc:9115",
    form: "`host:port` without a scheme, such as `prometheus-blackbox-exporter.monitoring.svc:9115`",
    schema: z.string().regex(HOST_PORT, "must be host:port without a scheme or path"),
    example: "prometheus-blackbox-exporter.monitoring.svc:9115",
  }),
  key({
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
  key({
    key: "supabaseStatusUrl",
    type: "string",
    description: "Status API probed for Supabase (seed 001 §1.4 \"Any external service down\"); a Statuspage `status.json`.",
    default: "https://status.supabase.com/api/v2/status.json",
    form: "an https:// URL",
    schema: httpsUrl,
    example: "https://status.supabase.com/api/v2/status.json",
  }),
  key({
    key: "pineconeStatusUrl",
    type: "string",
    description: "Status API probed for Pinecone (seed 001 §1.4); a Statuspage `status.json`.",
    default: "https://status.pinecone.io/api/v2/status.json",
    form: "an https:// URL",
    schema: httpsUrl,
    example: "https://status.pinecone.io/api/v2/status.json",
  }),
  key({
    key: "openaiStatusUrl",
    type: "string",
    description: "Status API probed for the LLM provider OpenAI (seed 001 §1.4 \"LLM\", §6.1); a Statuspage-compatible `status.json`.",
    default: "https://status.openai.com/api/v2/status.json",
    form: "an https:// URL",
    schema: httpsUrl,
    example: "https://status.openai.com/api/v2/status.json",
  }),
  key({
    key: "postgresExporter",
    type: "string",
    description:
      "`deploy`: a postgres_exporter (Deployment, Service, ServiceMonitor) per product database in its namespace; `external`: an exporter already runs, its job per product in `postgresExporterJobs`.",
    default: "deploy",
    form: "`deploy` or `external`",
    schema: z.enum(["deploy", "external"]),
    example: "deploy",
  }),
  key({
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
  key({
    key: "postgresExporterImage",
    type: "string",
    description: "Pinned image (repository:tag) of the postgres_exporter deployed per product database (`postgresExporter: deploy`).",
    default: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
    form: "`repository:tag` with a pinned tag",
    schema: z
      .string()
      .regex(/^[^\s:]+(:[0-9]+)?(\/[^\s:]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be repository:tag")
      .refine((s) => !s.endsWith(":latest"), "must be pinned; `latest` is not allowed"),
    example: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
  }),
] as const satisfies readonly PlainConfigKey[];

/** The validated plain config values, one field per key, typed by the key's schema. */
export type PlainConfigValues = {
  readonly [E in (typeof PLAIN_CONFIG_KEYS)[number] as E["key"]]: z.output<E["schema"]>;
};

/** The Pulumi config namespace of this project (the project name). */
export const CONFIG_NAMESPACE = "app-platform";
