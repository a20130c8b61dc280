/**
 * Voyager (seed 003): a Next.js app on Vercel — production on `main`, staging the preview of
 * `develop` — with Neon Postgres backed up daily.
 */
import { dbConnectionsHigh, slowQueries } from "../components/monitoring/alerts";
import { Duration, Retention } from "../components/values";
import type { ProductDefinition, ProvidedSecret } from "./types";

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

export const voyager: ProductDefinition = {
  id: "voyager",
  displayName: "Voyager",
  providedSecrets,
  build({ environment, config, host }) {
    const appHost = host("voyager");
    const runbookBaseUrl = config.runbookBaseUrl;
    const stripe = config.voyagerStripeEnabled;
    return {
      id: "voyager",
      displayName: "Voyager",
      seed: "seed 003",
      providedSecrets,
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
          // seed 003 "Custom Domain": a CNAME to Vercel (the target Vercel recommends for the host).
          domains: [{ host: appHost }],
          // seed 003 "Authentication Not Working": the OAuth redirect URIs live on the staging host,
          // and Google/LinkedIn (and outside testers) cannot pass a Vercel login.
          previewProtection: config.vercelPublicPreviews.includes("voyager") ? "none" : "vercel-authentication",
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
      // postgres_exporter of the Neon database, in the product's namespace.
      database: { secret: "DATABASE_URL" },
      // seed 003 "Database Monitoring": connection pool exhaustion (> 80 %), slow queries (> 500 ms).
      alerts: (sources) => {
        const db = sources.database();
        return [
          {
            name: "voyager-database",
            rules: [
              dbConnectionsHigh({ selector: db, ratio: 0.8, runbookBaseUrl }),
              slowQueries({ selector: db, threshold: Duration.seconds(0.5), runbookBaseUrl }),
            ],
          },
        ];
      },
    };
  },
};
