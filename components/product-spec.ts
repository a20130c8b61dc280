/**
 * The platform's contract with a product: what one product needs, written as typed data for the
 * components and parameterised by environment. A product file (`stacks/<product>.ts`) exports a
 * `ProductDefinition`: its config keys and their cross-checks, its provided secrets, and `build`,
 * which returns a `ProductSpec`; `ApplicationStack` turns that spec into resources.
 */
import type { Environment } from "./context";
import type { ConfigKeyFacts, ConfigValues, PlainConfigKey } from "./config-key";
import type { KubernetesServiceArgs } from "./workloads/kubernetes-service";
import type { ArchiveStorageClass } from "./data/backup-bucket";
import type { ServiceExportName } from "./data/backup-job";
import type { AlertDefinitions } from "./monitoring/series-sources";
import type { DumpSchemas } from "./data/postgres-providers";
import { Duration, Retention } from "./values";
import type { DatabaseMonitoring } from "./monitoring/postgres-exporter";

/**
 * The platform settings a product may read (stack config keys of the platform). Everything else a
 * product reads comes from its own `configKeys`.
 */
export interface PlatformConfigView {
  /** The Cloudflare zone every host lives in (`domain`). */
  readonly domain: string;
  /** Container registry and path prefix of the products' images (`imageRegistry`). */
  readonly imageRegistry: string;
  /** GitHub organisation of the products' repositories (`gitOrganization`). */
  readonly gitOrganization: string;
  /** Base URL of the runbooks every alert links to (`runbookBaseUrl`, resolved). */
  readonly runbookBaseUrl: string;
  /** Products whose Vercel previews are public (`vercelPublicPreviews`). */
  readonly vercelPublicPreviews: readonly string[];
}

/** What a product's `build` receives: the environment, the platform's settings and its own validated config. */
export interface ProductEnvironment<C = unknown> {
  readonly environment: Environment;
  readonly config: PlatformConfigView & C;
  /**
   * The public host for a label: `<label>.<domain>` in prod, `<label>-staging.<domain>` in staging
   * (one level below the zone, so Cloudflare's universal certificate still covers it).
   */
  host(label: string): string;
}

/** A secret the product needs from encrypted stack config (`pulumi config set --secret`). */
export interface ProvidedSecret {
  /** Environment variable name, e.g. `OPENAI_API_KEY`; also the secret's name in the product. */
  readonly name: string;
  /** One sentence: what it is and where it comes from. */
  readonly description: string;
  /** When true the product works without it and its sinks are omitted. @default false */
  readonly optional?: boolean;
}

/** A secret the platform generates (`RandomPassword`) and rotates. */
export interface GeneratedSecret {
  readonly name: string;
  readonly description: string;
  /** Characters. @default 48 */
  readonly length?: number;
  /**
   * It encrypts stored data: never rotated automatically (asking for `rotate` is an error), never
   * replaced by a keeper change, protected in prod. @default false
   */
  readonly dataKey?: boolean;
  /** Replace it every rotation period (quarterly). @default true, false for a `dataKey` */
  readonly rotate?: boolean;
  /**
   * Deliver last period's value beside the current one as `<ENV>_PREVIOUS` to every sink of the
   * current one, for one rotation period: for a signing secret shared by several apps, which must
   * accept either value and sign with the current one. @default false
   */
  readonly keepPrevious?: boolean;
}

/** Maps environment variable name → secret name (a `ProvidedSecret` or `GeneratedSecret`). */
export type SecretRefs = Readonly<Record<string, string>>;

/**
 * A long-running backend on Kubernetes: the product's slice of `KubernetesServiceArgs` (image,
 * probes, resources, replicas, lifecycle, egress, session affinity), with secrets named rather
 * than given, and a public host instead of an ingress.
 */
export type WorkloadSpec = Pick<
  KubernetesServiceArgs,
  | "image"
  | "port"
  | "liveness"
  | "readiness"
  | "startup"
  | "resources"
  | "replicas"
  | "autoscaling"
  | "metricsPath"
  | "terminationGracePeriod"
  | "preStopSleep"
  | "sessionAffinity"
> & {
  /** Short role name, unique in the product, e.g. `worker`, `api`; the `app.kubernetes.io/component` label. */
  readonly name: string;
  /** Non-secret environment (delivered through a ConfigMap). */
  readonly env: Readonly<Record<string, string>>;
  /** Secret environment (delivered through a Kubernetes Secret), by secret name. */
  readonly secretEnv: SecretRefs;
  /** Public host served through the cluster's ingress with TLS; gets an A record. */
  readonly publicHost?: string;
  /** Path of the health endpoint the blackbox probe GETs on `publicHost` (uptime and TLS expiry). Required with `publicHost`. @example "/health" */
  readonly healthPath?: string;
  /**
   * Extra egress TCP ports beyond DNS and 443. The database's port is not listed here: a workload
   * whose `secretEnv` holds `database.secret` gets `database.port` opened. @default []
   */
  readonly extraEgressPorts?: readonly number[];
  /**
   * Flags that follow whether a secret has a value: variable → secret name; the variable is
   * `"true"` when the secret is set and `"false"` when an optional secret is left unset (seed 002:
   * `HELICONE_ENABLED` follows `HELICONE_API_KEY`). @default {}
   */
  readonly presenceEnv?: Readonly<Record<string, string>>;
  /**
   * Variables besides `SENTRY_RELEASE` that receive the workload's release (`imageRelease`: the
   * image's tag, or its digest when no tag is given), e.g. seed 002's `RENDER_GIT_COMMIT` (`sentry_sdk.init(release=…)`).
   * @default []
   */
  readonly releaseEnv?: readonly string[];
  /**
   * The command that migrates the product's database to what this image expects, from the
   * product's guide (seed 001 §3.3: `npx prisma migrate deploy`). When set, every release of the
   * workload runs, before its Deployment rolls out: a `pg_dump` of `backups.databaseSecret` into
   * the backup bucket's `pre-deploy/` prefix (the product needs `backups` with a rule for that
   * prefix), then this command in the new image with the workload's environment and secrets. Each
   * is a Job named per image tag (components/workloads/release-jobs.ts); a failure stops the
   * rollout. @default none: no Jobs
   */
  readonly migrationCommand?: readonly string[];
};

/** A host of a Vercel app; the zone apex gets an A record, others a CNAME, both from Vercel's recommendation. */
export interface WebAppDomain {
  /** FQDN. */
  readonly host: string;
  /** Redirect (308) to this other host of the app, e.g. `www` → the canonical host. */
  readonly redirectTo?: string;
}

/** A web front end on Vercel. */
export interface WebAppSpec {
  readonly name: string;
  /** Vercel project name. */
  readonly projectName: string;
  /** Vercel preset; `"other"` serves `outputDirectory` as built (a static export). */
  readonly framework: "nextjs" | "astro" | "other";
  /** `owner/repo` on GitHub. */
  readonly repository: string;
  readonly rootDirectory?: string;
  /** Staging is the preview of this branch (seed 003: `develop`); unset: every preview. */
  readonly previewBranch?: string;
  readonly buildCommand?: string;
  readonly outputDirectory?: string;
  readonly installCommand?: string;
  /** Non-secret variables: production in prod, every preview branch in staging. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Non-secret variables whose staging value belongs to `previewBranch` alone (its public URL,
   * `NEXTAUTH_URL`, OAuth callback hosts): production in prod, only that branch in staging.
   * @default {}
   */
  readonly stagingBranchEnv?: Readonly<Record<string, string>>;
  /** Secret-looking names that are public by design (a browser Sentry DSN). @default [] */
  readonly publicEnvKeys?: readonly string[];
  /** Secret variables: production in prod, every preview branch in staging (staging's values). */
  readonly secretEnv: SecretRefs;
  /** Hosts served by this app. */
  readonly domains: readonly WebAppDomain[];
  /** Who may open previews (see `components/web/vercel-app.ts`). @default "vercel-authentication" */
  readonly previewProtection?: "vercel-authentication" | "none";
  /** Default function regions of the project. @default Vercel's default */
  readonly functionRegions?: readonly string[];
  /** Vercel Firewall rate limit per IP, from the seed; path and plan window come from config. */
  readonly rateLimit?: { readonly limit: number; readonly windowSeconds: number; readonly source: string };
  /** Path of the health endpoint the blackbox probe GETs on every domain (uptime, TLS expiry, latency). @example "/api/health" */
  readonly healthPath: string;
  /**
   * Response headers the app's guide asks for, header → value (seed 004 "Security Headers"; seed
   * 003 "Content Security Policy"). The stack that owns the project sets them on every path with a
   * `vercel.ProjectRoute` response-header transform, and the app's headers probe checks exactly
   * these values (`SecurityHeadersMissing`). One list, produced here, feeds both.
   * @default none: nothing set, and the app is not probed for headers
   */
  readonly responseHeaders?: Readonly<Record<string, string>>;
}

/** The product database that a postgres_exporter watches. */
export interface DatabaseSpec {
  /** The secret holding the database URL, the exporter's DSN. */
  readonly secret: string;
  /**
   * The database's TCP port, the one source of every egress rule to the database: the workloads
   * whose `secretEnv` holds `secret`, the backup dump jobs, the maintenance jobs and the exporter
   * (the URL is a secret, so it cannot be parsed at plan time). Supabase's transaction pooler
   * listens on 6543, its session pooler and direct connection on 5432. @default 5432
   */
  readonly port?: number;
  /**
   * Whether the deployed postgres_exporter keeps the database awake, chosen per product (see
   * `DatabaseMonitoring` in `monitoring/postgres-exporter.ts`): `always-on` queries it on every
   * scrape, so a Neon compute never scales to zero; `scale-to-zero-friendly` runs one replica scraped
   * every 10 minutes, above Neon's 5-minute suspend window. With `postgresExporter: external` the
   * exporter is not ours and this is not used. @default "always-on"
   */
  readonly monitoring?: DatabaseMonitoring;
}

/** PostgreSQL's port, the default of `database.port`. */
export const DEFAULT_DATABASE_PORT = 5432;

/** The TCP port every egress rule to the product's database opens (`database.port`). */
export function databasePortOf(spec: Pick<ProductSpec, "database">): number {
  return spec.database?.port ?? DEFAULT_DATABASE_PORT;
}

/** An external service probed through its status page (seed 001 §1.4 "Any external service down"). */
export interface DependencySpec {
  /** Display name; names the alert (`<Name>Down`). @example "Supabase" */
  readonly name: string;
  /** The Statuspage API v2 `components.json` of the vendor's status page, from config. @example "https://status.pinecone.io/api/v2/components.json" */
  readonly statusUrl: string;
  /**
   * The component of that page the product depends on, exactly as the page names it (its region
   * or service, not the whole page), from config. @example "AWS us-east-1"
   */
  readonly component: string;
}

/** Backups: one bucket with per-prefix retention and the jobs that fill it. */
export interface BackupSpec {
  readonly kind: "s3" | "r2";
  readonly retention: ReadonlyArray<{ readonly prefix: string; readonly retention: Retention }>;
  /** The secret holding the `DATABASE_URL` to dump. */
  readonly databaseSecret: string;
  /**
   * The schemas the dump jobs dump (only `include`, or all but `exclude`); must contain the
   * restore verification's `restoreSchemas`. Supabase: `{ exclude: SUPABASE_INTERNAL_SCHEMAS }`.
   * @default every schema
   */
  readonly dumpSchemas?: DumpSchemas;
  readonly jobs: ReadonlyArray<{
    readonly name: string;
    readonly prefix: string;
    /** Cron, UTC. */
    readonly schedule: string;
    /** How old the newest successful backup may get before it is an incident. */
    readonly rpo: Duration;
    /**
     * Instead of dumping `databaseSecret`: the product's own export (its image and command) with
     * its secret environment, e.g. seed 001 §4.2's weekly Pinecone export; or a hosted service's
     * export by the platform's own script in the backup image (`service`, for a product with no
     * image on Kubernetes), e.g. seed 004's Clerk users (`{ service: "clerk-users", secretEnv: {
     * CLERK_SECRET_KEY: "CLERK_SECRET_KEY" } }`).
     */
    readonly export?:
      | {
          readonly image: { readonly repository: string; readonly tag: string };
          readonly command: readonly string[];
          readonly secretEnv: SecretRefs;
        }
      | {
          /** The platform's export (`SERVICE_EXPORTS` in components/data/backup-job.ts). */
          readonly service: ServiceExportName;
          /** The variables the export reads, each from one of the product's secrets. */
          readonly secretEnv: SecretRefs;
        };
  }>;
  /** Scheduled restore verification of one dump job. @default none */
  readonly restoreVerification?: RestoreVerificationSpec;
  /**
   * S3 only: move backups older than `after` to a colder class (seed 001 §6.2 "Archive old data to
   * cheaper storage (S3 Glacier)"), on every prefix kept longer than `after`. `GLACIER_IR` stays
   * readable at once, so the restore check and a restore read archived objects as any other; with
   * `GLACIER`/`DEEP_ARCHIVE` (a restore request first) `after` must exceed the verified job's RPO,
   * so the newest backup, the one a restore uses, is never archived. @default none
   */
  readonly archive?: { readonly after: Retention; readonly storageClass: ArchiveStorageClass };
}

/**
 * Scheduled restore verification of one backup job's prefix: the newest dump restored into a
 * throwaway PostgreSQL and checked (seed 001 §4.4 monthly; seeds 000 and 004 weekly).
 */
export interface RestoreVerificationSpec {
  /** The backup job (a `pg_dump` job, not an export) whose prefix is verified. */
  readonly job: string;
  /** Cron, UTC; after that job's run. */
  readonly schedule: string;
  /** Tables that must be present with rows (`table`, `schema.table`); empty: any table with rows. */
  readonly expectedTables: readonly string[];
  /** Schemas to restore (e.g. `["public"]`); empty: the whole dump. */
  readonly restoreSchemas: readonly string[];
  /**
   * The product's recovery time objective, where its guide states one (seed 001 §4.3: 4 h). The
   * check then runs for up to the whole RTO (its Job deadline) and `RestoreTooSlow` warns when a run
   * takes more than half of it. @default none: no restore-time alert
   */
  readonly rto?: Duration;
}

/** Database maintenance in the maintenance window (seed 001 §7.1: first Saturday, 02:00-06:00 UTC). */
export interface DatabaseMaintenanceSpec {
  /** The secret holding the `DATABASE_URL` to maintain. */
  readonly databaseSecret: string;
  /** Monthly `VACUUM (ANALYZE)` (seeds 000, 001 §7.1, 004). */
  readonly vacuum: boolean;
  /** Quarterly `REINDEX INDEX CONCURRENTLY` of the pgvector indexes (seed 000). */
  readonly reindexVectorIndexes: boolean;
}

/** A private data bucket the product itself uses (not a backup). */
export interface DataBucketSpec {
  readonly name: string;
  readonly kind: "r2";
  /** The env var (on the product's apps) that receives the bucket name. */
  readonly nameEnv?: string;
}

/** Everything one product needs in one environment. */
export interface ProductSpec {
  /** The product's id, a DNS label: its namespace is `<id>-<environment>`. */
  readonly id: string;
  readonly displayName: string;
  /** Which seed guide the numbers come from, e.g. `seed 001`. */
  readonly seed: string;
  /** The secrets this product reads from encrypted config, independent of environment. */
  readonly providedSecrets: readonly ProvidedSecret[];
  readonly generatedSecrets: readonly GeneratedSecret[];
  readonly workloads: readonly WorkloadSpec[];
  readonly webApps: readonly WebAppSpec[];
  readonly backups?: BackupSpec;
  /** Scheduled VACUUM / vector REINDEX of the product's database. @default none */
  readonly databaseMaintenance?: DatabaseMaintenanceSpec;
  readonly dataBuckets: readonly DataBucketSpec[];
  /** The product database, watched by a postgres_exporter (or an external one). */
  readonly database?: DatabaseSpec;
  /**
   * External services probed through their status pages, one component each. Probed from the prod
   * stack only (a vendor's page is the same for every stack; staging probing it would alert twice).
   * @default []
   */
  readonly dependencies?: readonly DependencySpec[];
  /**
   * The product's own alerts, built from the sources the stack creates (its ServiceMonitors,
   * exporter and Probes). Uptime, TLS, security-header, dependency, target and backup alerts
   * are added by ApplicationStack for every source it creates.
   */
  readonly alerts: AlertDefinitions;
}

/** The parts of a `ProductSpec` its definition states once, for every environment. */
type DefinitionFacts = "id" | "displayName" | "seed" | "providedSecrets";

/** A cross-key problem a product's `checks` found: the key to change, why, and the fix. */
export interface ProductConfigProblem {
  /** The key (without namespace) the message is about. */
  readonly key: string;
  /** What is wrong, one sentence, e.g. "is the same as `askDahliaOpenaiModel`; a fallback must be another model (seed 000)". */
  readonly problem: string;
  /** The value (or placeholder) that fixes it, for the `pulumi config set` hint. */
  readonly fix: string;
  /** Another way to fix it, after "or". @default none */
  readonly alternative?: string;
}

/**
 * A product file's export: everything about one product. Adding a product is one file in
 * `stacks/` and one entry in the catalog (`stacks/index.ts`); `infra/` derives the config table,
 * the secret keys, Pulumi.yaml and the README reference from it.
 */
export interface ProductDefinition<Id extends string = string, Keys extends readonly PlainConfigKey[] = readonly PlainConfigKey[]> extends Pick<
  ProductSpec,
  DefinitionFacts
> {
  /** The product id, a DNS label, e.g. `codebook`. */
  readonly id: Id;
  /** The plain config keys only this product reads; each named `<camelCase id>…` or as documented. */
  readonly configKeys: Keys;
  /**
   * Cross-key checks of this product's config, run at start-up once every key is individually valid
   * and only when the stack enables the product. @default none
   */
  checks?(config: ConfigValues<Keys>, facts: ConfigKeyFacts): readonly ProductConfigProblem[];
  /** What the product needs in one environment (the spec without the facts above). */
  build(env: ProductEnvironment<ConfigValues<Keys>>): ProductBuild;
}

/** What a product's `build` returns: its spec, less the facts its definition already states. */
export type ProductBuild = Omit<ProductSpec, DefinitionFacts>;

/**
 * The full spec of `definition` in `env`: its own facts and what `build` returns. `env.config` is
 * the whole validated stack config, which holds every product's keys, so each product's `build`
 * finds its own.
 */
export function buildProduct(definition: ProductDefinition, env: ProductEnvironment<object>): ProductSpec {
  const { id, displayName, seed, providedSecrets } = definition;
  return { id, displayName, seed, providedSecrets, ...definition.build(env as ProductEnvironment<never>) };
}

/** Declares a product, keeping its id and config keys' types (so `build` and `checks` see typed values). */
export function defineProduct<const Id extends string, const Keys extends readonly PlainConfigKey[]>(
  definition: ProductDefinition<Id, Keys>,
): ProductDefinition<Id, Keys> {
  return definition;
}

/** `ask-dahlia` + `OPENAI_API_KEY` → `askDahliaOpenaiApiKey`: the config key of a provided secret. */
export function secretConfigKey(product: string, secretName: string): string {
  const camel = product.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const pascal = secretName
    .toLowerCase()
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
  return `${camel}${pascal}`;
}
