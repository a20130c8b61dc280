/**
 * ARA (seed 004): an Astro app on Vercel (production and preview targets), a private R2 bucket for
 * reports, daily database backups and Clerk user exports to R2 kept 30 days, and the zone apex.
 */
import { z } from "zod";
import { configKey } from "../components/config-key";
import { dbConnectionsHigh, probeFailureRate, probeLatencyHigh } from "../components/monitoring/alerts";
import { Duration, Retention, RESTORE_TABLE } from "../components/values";
import { defineProduct, type ProvidedSecret, type WebAppDomain } from "../components/product-spec";

/**
 * seed 004 "Security Headers" (its vercel.json), verbatim: set on every path by the project's route
 * (components/web/vercel-app.ts) and probed exactly as set (`SecurityHeadersMissing`).
 */
export const ARA_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "X-XSS-Protection": "1; mode=block",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline' *.clerk.accounts.dev; style-src 'self' 'unsafe-inline'",
};

const providedSecrets: readonly ProvidedSecret[] = [
  { name: "DATABASE_URL", description: "Postgres (pgvector) connection string of ARA (seed 004)." },
  { name: "CLERK_SECRET_KEY", description: "Clerk secret key (seed 004; `sk_live_` on prod only)." },
  { name: "CLERK_JWT_KEY", description: "Clerk JWT verification key, a PEM public key (seed 004)." },
  { name: "OPENAI_API_KEY", description: "OpenAI API key (seed 004)." },
  { name: "CLOUDFLARE_R2_ACCESS_KEY_ID", description: "R2 access key id the app reads and writes reports with (seed 004)." },
  { name: "CLOUDFLARE_R2_SECRET_ACCESS_KEY", description: "R2 secret access key of the reports bucket (seed 004)." },
  { name: "UPSTASH_REDIS_URL", description: "Upstash Redis URL with credentials, for rate limiting (seed 004; its `redis-cli` steps)." },
  // seed 004 "Rate Limiting Configuration": `Redis.fromEnv()` reads these two.
  { name: "UPSTASH_REDIS_REST_URL", description: "Upstash Redis REST URL of the rate limiter (seed 004 `Redis.fromEnv()`)." },
  { name: "UPSTASH_REDIS_REST_TOKEN", description: "Upstash Redis REST token of the rate limiter (seed 004 `Redis.fromEnv()`)." },
  // seed 004 "Production Environment Values", Monitoring.
  { name: "SENTRY_DSN", description: "Sentry DSN for server-side error tracking (seed 004, optional).", optional: true },
  { name: "POSTHOG_API_KEY", description: "PostHog project API key for product analytics (seed 004, optional).", optional: true },
];

/** seed 004 "Performance Optimization": functions run in `iad1` and `sfo1`. */
export const ARA_FUNCTION_REGIONS = ["iad1", "sfo1"] as const;

/** The plain config keys only ara reads (Pulumi.yaml and the README reference are generated from them). */
const configKeys = [
  configKey({
    key: "araClerkPublishableKey",
    type: "string",
    description: "Clerk publishable key of ARA (seed 004 `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`; public by design).",
    form: "a Clerk publishable key `pk_test_...` or `pk_live_...`",
    schema: z.string().regex(/^pk_(test|live)_[A-Za-z0-9$=._-]+$/, "must be a Clerk publishable key pk_..."),
    example: "pk_test_abc",
  }),
  configKey({
    key: "araVercelAnalyticsId",
    type: "string",
    description: "Vercel Analytics id of ARA (seed 004 `VERCEL_ANALYTICS_ID`); empty leaves it unset.",
    default: "",
    form: "the analytics id from the Vercel dashboard, or empty",
    schema: z.string().regex(/^[A-Za-z0-9_-]*$/, "must be letters, digits, `_` or `-`"),
    example: "abc123",
  }),
  configKey({
    key: "araRestoreCheckTables",
    type: "array",
    description:
      "Tables the scheduled restore verification of ARA requires, each present with rows after restoring the newest backup (seed 004 ANALYZEs `audit_sessions`, `chat_messages`, `audit_answers`); empty: any table with rows.",
    form: 'a list of `table`, `schema.table` or quoted `schema."Table"` names',
    default: ["audit_sessions", "chat_messages", "audit_answers"],
    schema: z.array(z.string().regex(RESTORE_TABLE, "must be a table name: `table`, `schema.table` or a quoted identifier")),
    example: '["audit_sessions"]',
  }),
] as const;

export const ara = defineProduct({
  id: "ara",
  displayName: "ARA",
  seed: "seed 004",
  providedSecrets,
  configKeys,
  build({ environment, config, host }) {
    // seed 004 "Domain & SSL Setup": the app lives on `app.` (what NEXT_PUBLIC_APP_URL names); prod
    // also owns the zone apex and `www`, which redirect to it. Staging is one preview host.
    const appHost = environment === "prod" ? host("app") : host("ara");
    const domains: WebAppDomain[] =
      environment === "prod"
        ? [{ host: appHost }, { host: config.domain, redirectTo: appHost }, { host: `www.${config.domain}`, redirectTo: appHost }]
        : [{ host: appHost }];
    const reportsBucket = `ara-${environment}-reports`; // seed 004: `ara-prod-reports`
    const runbookBaseUrl = config.runbookBaseUrl;
    return {
      generatedSecrets: [
        // seed 004: ENCRYPTION_KEY is a 32-character key.
        // It encrypts stored data: replacing it would make that data unreadable, so it never rotates
        // automatically (a data key; rotate it by hand after re-encrypting).
        { name: "ENCRYPTION_KEY", description: "32-character data encryption key (seed 004).", length: 32, dataKey: true },
        { name: "JWT_SECRET", description: "Secret for internal JWTs (seed 004)." },
      ],
      workloads: [],
      webApps: [
        {
          name: "web",
          projectName: "appstoagents-ara", // seed 004 Terraform `vercel_project`
          framework: "astro",
          repository: `${config.gitOrganization}/ara`,
          // seed 004: every non-main branch is a preview; staging is the preview of `develop`
          // (the platform's convention, from seed 003), so it has one stable host.
          previewBranch: "develop",
          // seed 004 "Build Settings".
          buildCommand: "npm run build",
          outputDirectory: "dist",
          installCommand: "npm ci",
          // No NODE_ENV: Vercel sets it, and `production` at build time makes npm skip devDependencies.
          env: {
            NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: config.araClerkPublishableKey,
            CLOUDFLARE_R2_BUCKET_NAME: reportsBucket,
            ...(config.araVercelAnalyticsId ? { VERCEL_ANALYTICS_ID: config.araVercelAnalyticsId } : {}),
          },
          // seed 004: previews of every branch share staging's variables; the public URL is the
          // staging branch's own (other previews read theirs from VERCEL_URL).
          stagingBranchEnv: { NEXT_PUBLIC_APP_URL: `https://${appHost}` },
          secretEnv: {
            DATABASE_URL: "DATABASE_URL",
            CLERK_SECRET_KEY: "CLERK_SECRET_KEY",
            CLERK_JWT_KEY: "CLERK_JWT_KEY",
            OPENAI_API_KEY: "OPENAI_API_KEY",
            CLOUDFLARE_R2_ACCESS_KEY_ID: "CLOUDFLARE_R2_ACCESS_KEY_ID",
            CLOUDFLARE_R2_SECRET_ACCESS_KEY: "CLOUDFLARE_R2_SECRET_ACCESS_KEY",
            ENCRYPTION_KEY: "ENCRYPTION_KEY",
            JWT_SECRET: "JWT_SECRET",
            UPSTASH_REDIS_URL: "UPSTASH_REDIS_URL",
            UPSTASH_REDIS_REST_URL: "UPSTASH_REDIS_REST_URL",
            UPSTASH_REDIS_REST_TOKEN: "UPSTASH_REDIS_REST_TOKEN",
            SENTRY_DSN: "SENTRY_DSN",
            POSTHOG_API_KEY: "POSTHOG_API_KEY",
          },
          domains,
          healthPath: "/api/health", // seed 004 "Health Check Endpoints": src/pages/api/health.ts
          // Clerk's sign-in works behind a Vercel login for the team; probes use the bypass.
          previewProtection: config.vercelPublicPreviews.includes("ara") ? "none" : "vercel-authentication",
          functionRegions: [...ARA_FUNCTION_REGIONS],
          responseHeaders: ARA_RESPONSE_HEADERS,
          // seed 004 "Rate Limiting Configuration": `Ratelimit.slidingWindow(100, '1 h')` per IP.
          rateLimit: { limit: 100, windowSeconds: 3600, source: "seed 004" },
        },
      ],
      backups: {
        kind: "r2",
        // seed 004 "Database Backup": daily, uploaded to R2, kept 30 days ("Clean up old backups
        // (keep 30 days)"); its "Application Backup" (`clerk-cli export users`) kept alike.
        retention: [
          { prefix: "daily/", retention: Retention.days(30) },
          { prefix: "clerk-users/", retention: Retention.days(30) },
        ],
        databaseSecret: "DATABASE_URL",
        jobs: [
          // Twice a day: 12 h of margin under the 24 h RPO (README "Backup freshness").
          { name: "daily", prefix: "daily/", schedule: "0 2,14 * * *", rpo: Duration.hours(24) },
          // seed 004 "Application Backup": `clerk-cli export users > clerk-users-backup.json`. ARA
          // has no image on Kubernetes (a Vercel app): the platform's Clerk export pages through
          // Clerk's Backend API with ARA's CLERK_SECRET_KEY in the backup image (README "Clerk user
          // export"). Daily like the dump, twice a day for the same margin, half an hour after it.
          {
            name: "clerk-users",
            prefix: "clerk-users/",
            schedule: "30 2,14 * * *",
            rpo: Duration.hours(24),
            export: { service: "clerk-users", secretEnv: { CLERK_SECRET_KEY: "CLERK_SECRET_KEY" } },
          },
        ],
        // seed 004 "Regular Maintenance Tasks, Weekly: Backup verification": Mondays.
        restoreVerification: {
          job: "daily",
          schedule: "30 5 * * 1",
          expectedTables: config.araRestoreCheckTables,
          restoreSchemas: ["public"],
        },
      },
      // seed 004 "Monthly: Database maintenance (VACUUM, ANALYZE)".
      databaseMaintenance: { databaseSecret: "DATABASE_URL", vacuum: true, reindexVectorIndexes: false },
      dataBuckets: [{ name: reportsBucket, kind: "r2", nameEnv: "CLOUDFLARE_R2_BUCKET_NAME" }],
      // postgres_exporter of ARA's database.
      database: { secret: "DATABASE_URL" },
      // seed 004 "Monitoring Thresholds": error_rate > 5 % for 5 m, p95 > 2 s for 5 m,
      // db_connections > 80 % for 2 m. ARA runs on Vercel, which Prometheus cannot scrape (its
      // telemetry goes to Vercel/OpenTelemetry, seed 004 "Custom Monitoring Setup"), so error rate
      // and latency are measured from outside by the /api/health probe: the share of failed
      // probes and the probes' p95 duration (README "What each alert reads").
      alerts: (sources) => {
        const web = sources.health("web");
        return [
          {
            name: "ara",
            rules: [
              probeFailureRate({ selector: web, threshold: 0.05, for: Duration.minutes(5), runbookBaseUrl }),
              probeLatencyHigh({ selector: web, threshold: Duration.seconds(2), for: Duration.minutes(5), runbookBaseUrl }),
              dbConnectionsHigh({ selector: sources.database(), ratio: 0.8, for: Duration.minutes(2), runbookBaseUrl }),
            ],
          },
        ];
      },
    };
  },
});
