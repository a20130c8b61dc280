/**
 * Voyager (seed 003): a Next.js app on Vercel — production on `main`, staging the preview of
 * `develop` — with Neon Postgres backed up daily.
 */
import { z } from "zod";
import { configKey } from "../components/config-key";
import { databaseStorageHigh, dbConnectionsHigh, slowQueries } from "../components/monitoring/alerts";
import { Duration, Retention, RESTORE_TABLE } from "../components/values";
import { defineProduct, type ProvidedSecret } from "../components/product-spec";

const providedSecrets: readonly ProvidedSecret[] = [
  { name: "DATABASE_URL", description: "Neon Postgres connection string (seed 003)." },
  { name: "GOOGLE_CLIENT_SECRET", description: "Google OAuth client secret (seed 003)." },
  { name: "LINKEDIN_CLIENT_SECRET", description: "LinkedIn OAuth client secret (seed 003)." },
  { name: "ANTHROPIC_API_KEY", description: "Anthropic API key, the primary model (seed 003)." },
  { name: "OPENAI_API_KEY", description: "OpenAI API key, the fallback model (seed 003)." },
  { name: "STRIPE_SECRET_KEY", description: "Stripe secret key (seed 003, optional; `sk_live_` only on prod).", optional: true },
  { name: "STRIPE_WEBHOOK_SECRET", description: "Stripe webhook signing secret (seed 003, optional).", optional: true },
  // seed 003 "Add Rate Limiting": `Redis.fromEnv()` reads these two.
  { name: "UPSTASH_REDIS_REST_URL", description: "Upstash Redis REST URL of the rate limiter (seed 003 `Redis.fromEnv()`)." },
  { name: "UPSTASH_REDIS_REST_TOKEN", description: "Upstash Redis REST token of the rate limiter (seed 003 `Redis.fromEnv()`)." },
];

/** The plain config keys only voyager reads (Pulumi.yaml and the README reference are generated from them). */
const configKeys = [
  configKey({
    key: "voyagerGoogleClientId",
    type: "string",
    description: "Google OAuth client id of Voyager (seed 003 `GOOGLE_CLIENT_ID`; not a secret).",
    form: "a Google OAuth client id",
    schema: z.string().min(1),
    example: "1234-abc.apps.googleusercontent.com",
  }),
  configKey({
    key: "voyagerLinkedinClientId",
    type: "string",
    description: "LinkedIn OAuth client id of Voyager (seed 003 `LINKEDIN_CLIENT_ID`; not a secret).",
    form: "a LinkedIn client id",
    schema: z.string().min(1),
    example: "86abcdefgh",
  }),
  configKey({
    key: "voyagerStripeEnabled",
    type: "boolean",
    description: "Whether Voyager's optional Stripe integration is configured (seed 003); needs the Stripe secrets.",
    default: false,
    form: "`true` or `false`",
    schema: z.boolean(),
    example: "false",
  }),
  configKey({
    key: "voyagerStripePriceId",
    type: "string",
    description: "Stripe price id of Voyager's subscription (seed 003 `STRIPE_PRICE_ID`), when Stripe is enabled.",
    default: "",
    form: "a Stripe price id `price_...`, or empty",
    schema: z.string().regex(/^$|^price_[A-Za-z0-9]+$/, "must be a Stripe price id such as price_123"),
    example: "price_123",
  }),
  configKey({
    key: "voyagerSentryDsn",
    type: "string",
    description: "Sentry DSN of Voyager's browser SDK (seed 003 `NEXT_PUBLIC_SENTRY_DSN`; public by design, bundled into the browser); empty leaves it unset.",
    default: "",
    form: "a Sentry DSN `https://<key>@<host>/<project>`, or empty",
    schema: z.string().regex(/^$|^https:\/\/[A-Za-z0-9]+@[^\s/]+\/[0-9]+$/, "must be a Sentry DSN such as https://abc@o1.ingest.sentry.io/1"),
    example: "https://abc123@o1.ingest.sentry.io/42",
  }),
  configKey({
    key: "voyagerDatabaseStorageLimitGib",
    type: "integer",
    description:
      "Storage Voyager's Neon database may use, in GiB; `DatabaseStorageHigh` warns above 80 % of it (seed 003 \"Storage >80% capacity\"). Default 10: the Launch plan's allowance before Neon's usage-based plans of August 2025 (neon.com/docs/introduction/plans), which have no cap: set the size you budget for.",
    default: 10,
    form: "a whole number of GiB from 1 to 100000",
    schema: z.number().int().min(1).max(100_000),
    example: "10",
  }),
  configKey({
    key: "voyagerCommunityDomains",
    type: "array",
    description:
      "Communities' own custom domains Voyager serves (seed 003 \"Custom Domain Not Working\": a community lists its domain in `branding.domains`, the domain is added to the Vercel project and CNAMEd to Vercel). Each gets a `vercel.ProjectDomain`, Vercel's DNS answer (a record when the domain is in the stack's zone; otherwise the CNAME to set, logged), and the uptime and TLS probes of the app's hosts.",
    default: [],
    form: "a list of lower-case host names such as `community.acme.com`, each once",
    schema: z.array(z.string().regex(/^(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/, "must be a lower-case host name such as community.acme.com")),
    example: '["community.acme.com"]',
  }),
  configKey({
    key: "voyagerContentSecurityPolicy",
    type: "string",
    description:
      "Content-Security-Policy Voyager's responses carry (seed 003 \"Security Checklist\": Content Security Policy, no value given). The default restricts only what cannot break the app (framing, plugins, `<base>`); tighten it once the app's sources are known. Set on every path by the project's route and probed exactly as set.",
    default: "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
    form: "a Content-Security-Policy value on one line, `directive value; …`",
    schema: z
      .string()
      .min(1)
      .regex(/^[^\r\n]+$/, "must be one line")
      .regex(/^\s*[a-z-]+(\s[^;]*)?(;\s*[a-z-]+(\s[^;]*)?)*;?\s*$/, "must be CSP directives such as `default-src 'self'; frame-ancestors 'none'`"),
    example: "default-src 'self'; frame-ancestors 'none'",
  }),
  configKey({
    key: "voyagerRestoreCheckTables",
    type: "array",
    description:
      "Tables the scheduled restore verification of Voyager requires, each present with rows after restoring the newest backup (seed 003 names no tables, only Prisma models); empty: any table with rows.",
    form: 'a list of `table`, `schema.table` or quoted `schema."Table"` names',
    default: [],
    schema: z.array(z.string().regex(RESTORE_TABLE, "must be a table name: `table`, `schema.table` or a quoted identifier")),
    example: '["public.\"User\""]',
  }),
] as const;

export const voyager = defineProduct({
  id: "voyager",
  displayName: "Voyager",
  seed: "seed 003",
  providedSecrets,
  configKeys,
  checks(config) {
    const seen = new Set<string>();
    const repeated = config.voyagerCommunityDomains.filter((d) => (seen.has(d) ? true : (seen.add(d), false)));
    if (repeated.length > 0) {
      return [
        {
          key: "voyagerCommunityDomains",
          problem: `lists ${repeated.join(", ")} more than once; each domain is one Vercel project domain`,
          fix: JSON.stringify([...seen]),
        },
      ];
    }
    if (!config.voyagerStripeEnabled || config.voyagerStripePriceId !== "") return [];
    return [
      {
        key: "voyagerStripePriceId",
        problem: "is empty but `voyagerStripeEnabled` is true; expected a Stripe price id",
        fix: "price_...",
        alternative: "set voyagerStripeEnabled false",
      },
    ];
  },
  build({ config, host }) {
    const appHost = host("voyager");
    const runbookBaseUrl = config.runbookBaseUrl;
    const stripe = config.voyagerStripeEnabled;
    return {
      generatedSecrets: [{ name: "NEXTAUTH_SECRET", description: "NextAuth signing secret, rotated periodically (seed 003)." }],
      workloads: [],
      webApps: [
        {
          name: "web",
          projectName: "careersy-wingman", // seed 003 deployment URLs
          framework: "nextjs",
          repository: `${config.gitOrganization}/voyager`,
          previewBranch: "develop", // seed 003: staging is branch `develop`
          // seed 003 "Preview Deployments": every feature branch gets a preview with staging's
          // variables and secrets. Only `develop` has a stable host, so only it gets the URL
          // NextAuth builds the Google/LinkedIn callbacks from (`<NEXTAUTH_URL>/api/auth/callback/*`);
          // other previews leave it unset and NextAuth falls back to Vercel's VERCEL_URL.
          env: {
            GOOGLE_CLIENT_ID: config.voyagerGoogleClientId,
            LINKEDIN_CLIENT_ID: config.voyagerLinkedinClientId,
            ...(stripe ? { STRIPE_PRICE_ID: config.voyagerStripePriceId } : {}),
            // seed 003 "Error Tracking": the browser SDK's DSN (optional).
            ...(config.voyagerSentryDsn ? { NEXT_PUBLIC_SENTRY_DSN: config.voyagerSentryDsn } : {}),
          },
          stagingBranchEnv: { NEXTAUTH_URL: `https://${appHost}` },
          publicEnvKeys: ["NEXT_PUBLIC_SENTRY_DSN"],
          secretEnv: {
            DATABASE_URL: "DATABASE_URL",
            NEXTAUTH_SECRET: "NEXTAUTH_SECRET",
            GOOGLE_CLIENT_SECRET: "GOOGLE_CLIENT_SECRET",
            LINKEDIN_CLIENT_SECRET: "LINKEDIN_CLIENT_SECRET",
            ANTHROPIC_API_KEY: "ANTHROPIC_API_KEY",
            OPENAI_API_KEY: "OPENAI_API_KEY",
            ...(stripe ? { STRIPE_SECRET_KEY: "STRIPE_SECRET_KEY", STRIPE_WEBHOOK_SECRET: "STRIPE_WEBHOOK_SECRET" } : {}),
            UPSTASH_REDIS_REST_URL: "UPSTASH_REDIS_REST_URL",
            UPSTASH_REDIS_REST_TOKEN: "UPSTASH_REDIS_REST_TOKEN",
          },
          // seed 003 names no health endpoint: the app's home page.
          healthPath: "/",
          // seed 003 "Custom Domain": a CNAME to Vercel (the target Vercel recommends for the host),
          // and the communities' own domains (seed 003 `branding.domains`), served by the same app.
          domains: [{ host: appHost }, ...config.voyagerCommunityDomains.filter((d) => d !== appHost).map((host) => ({ host }))],
          // seed 003 "Authentication Not Working": the OAuth redirect URIs live on the staging host,
          // and Google/LinkedIn (and outside testers) cannot pass a Vercel login.
          previewProtection: config.vercelPublicPreviews.includes("voyager") ? "none" : "vercel-authentication",
          // seed 003 "Security Checklist": a Content Security Policy (its value from config).
          responseHeaders: { "Content-Security-Policy": config.voyagerContentSecurityPolicy },
          // seed 003 "Add Rate Limiting": `Ratelimit.slidingWindow(10, '10 s')` per IP, also at the edge.
          rateLimit: { limit: 10, windowSeconds: 10, source: "seed 003" },
        },
      ],
      backups: {
        kind: "s3",
        // seed 003 "Backup Strategy": daily backups retained for 7 days.
        retention: [{ prefix: "daily/", retention: Retention.days(7) }],
        databaseSecret: "DATABASE_URL",
        // Twice a day: 12 h of margin under the 24 h RPO (README "Backup freshness").
        jobs: [{ name: "daily", prefix: "daily/", schedule: "30 1,13 * * *", rpo: Duration.hours(24) }],
        // seed 003 asks for backups but names no test cadence; weekly, as seeds 000 and 004.
        restoreVerification: {
          job: "daily",
          schedule: "30 5 * * 1",
          expectedTables: config.voyagerRestoreCheckTables,
          restoreSchemas: ["public"],
        },
      },
      dataBuckets: [],
      // postgres_exporter of the Neon database, in the product's namespace. `always-on`, chosen on
      // purpose: its scrapes keep the Neon compute from ever suspending (Neon suspends after 5 idle
      // minutes), which Voyager pays for around the clock. `scale-to-zero-friendly` (one replica,
      // scraped every 10 min) is not chosen yet: prod's mandatory `kubernetes-configure-replicas`
      // refuses a single-replica Deployment, and the alerts below (instant gauges with `for`, a 5 m
      // rate) go stale or empty at a 10 min scrape interval (README "Database monitoring and scale to zero").
      database: { secret: "DATABASE_URL", monitoring: "always-on" },
      // seed 003 "Database Monitoring": connection pool exhaustion (> 80 %), slow queries (> 500 ms),
      // storage above 80 % of capacity.
      alerts: (sources) => {
        const db = sources.database();
        return [
          {
            name: "voyager-database",
            rules: [
              dbConnectionsHigh({ selector: db, ratio: 0.8, runbookBaseUrl }),
              slowQueries({ selector: db, threshold: Duration.seconds(0.5), runbookBaseUrl }),
              databaseStorageHigh({ selector: db, limitBytes: config.voyagerDatabaseStorageLimitGib * 2 ** 30, ratio: 0.8, runbookBaseUrl }),
            ],
          },
        ];
      },
    };
  },
});
