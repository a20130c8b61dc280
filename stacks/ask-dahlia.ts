/**
 * Ask Dahlia (seed 000): the Express worker API on Kubernetes (seed: Render web service) and the
 * Next.js UI on Vercel (seed: Netlify static export), sharing one generated HMAC secret.
 */
import { z } from "zod";
import { configKey, imageAt, anthropicModel, imageTag, openaiModel, positiveInt } from "../components/config-key";
import { replicasConfigCheck } from "../components/workloads/kubernetes-service";
import { errorRate, latencyP95, llmSpendOverBudget } from "../components/monitoring/alerts";
import { Probe } from "../components/workloads/probe";
import { Duration, Retention, RESTORE_TABLE } from "../components/values";
import { logLevelFor } from "./logging";
import { defineProduct, type ProvidedSecret } from "../components/product-spec";

const providedSecrets: readonly ProvidedSecret[] = [
  { name: "DATABASE_URL", description: "Postgres (pgvector) connection string of Ask Dahlia (seed 000)." },
  { name: "OPENAI_API_KEY", description: "OpenAI API key of the worker (seed 000)." },
  { name: "ANTHROPIC_API_KEY", description: "Anthropic API key of the worker (seed 000)." },
  { name: "COHERE_API_KEY", description: "Cohere API key for embeddings and reranking (seed 000)." },
  { name: "ELEVENLABS_API_KEY", description: "ElevenLabs API key for voice (seed 000)." },
];

/** The worker's port: seed 000 names none; the image listens on 8080. */
const WORKER_PORT = 8080;

/** The plain config keys only ask-dahlia reads (Pulumi.yaml and the README reference are generated from them). */
const configKeys = [
  configKey({
    key: "askDahliaWorkerImageTag",
    type: "string",
    description: 'Pinned image tag or `sha256:` digest of the Ask Dahlia worker API; set by the Release image workflow (README "Release a new image").',
    form: "a pinned image tag (not `latest`) or a `sha256:` digest",
    schema: imageTag,
    example: "1.4.2",
  }),
  configKey({
    key: "replicasAskDahliaWorker",
    type: "integer",
    description: "Replicas of the Ask Dahlia worker API (prod needs at least 2).",
    default: 2,
    form: "a whole number from 1 to 50",
    schema: positiveInt(50),
    check: replicasConfigCheck,
    example: "2",
  }),
  configKey({
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
  configKey({
    key: "askDahliaOpenaiModel",
    type: "string",
    description: "OpenAI model of the Ask Dahlia worker (`OPENAI_MODEL`; seed 000: `gpt-4o`).",
    default: "gpt-4o",
    form: "an OpenAI model id such as `gpt-4o`",
    schema: openaiModel,
    example: "gpt-4o",
  }),
  configKey({
    key: "askDahliaOpenaiFallbackModel",
    type: "string",
    description: "OpenAI fallback model of the Ask Dahlia worker (`OPENAI_FALLBACK_MODEL`; seed 000: `gpt-3.5-turbo`).",
    default: "gpt-3.5-turbo",
    form: "an OpenAI model id other than `askDahliaOpenaiModel`",
    schema: openaiModel,
    example: "gpt-3.5-turbo",
  }),
  configKey({
    key: "askDahliaAnthropicModel",
    type: "string",
    description: "Anthropic model of the Ask Dahlia worker (`ANTHROPIC_MODEL`; seed 000: `claude-3-5-sonnet-20240620`).",
    default: "claude-3-5-sonnet-20240620",
    form: "an Anthropic model id such as `claude-3-5-sonnet-20240620`",
    schema: anthropicModel,
    example: "claude-3-5-sonnet-20240620",
  }),
  configKey({
    key: "askDahliaAnthropicFallbackModel",
    type: "string",
    description: "Anthropic fallback model of the Ask Dahlia worker (`ANTHROPIC_FALLBACK_MODEL`; seed 000: `claude-3-haiku-20240307`).",
    default: "claude-3-haiku-20240307",
    form: "an Anthropic model id other than `askDahliaAnthropicModel`",
    schema: anthropicModel,
    example: "claude-3-haiku-20240307",
  }),
  configKey({
    key: "askDahliaLlmMonthlyBudgetUsd",
    type: "integer",
    description:
      'Monthly LLM budget of the Ask Dahlia worker in US dollars; `LlmMonthlySpendOverBudget` warns when the month\'s spend (`llm_monthly_spend_usd`) exceeds it (seed 000 "Monitor token usage", "Set usage alerts"; the guide names no figure). 0: no spend alert.',
    default: 0,
    form: "a whole number of US dollars from 0 to 1000000 (0 turns the alert off)",
    schema: z.number().int().min(0).max(1_000_000),
    example: "1000",
  }),
  configKey({
    key: "askDahliaRestoreCheckTables",
    type: "array",
    description:
      "Tables the scheduled restore verification of Ask Dahlia requires, each present with rows after restoring the newest backup (seed 000 names none); empty: any table with rows.",
    form: 'a list of `table`, `schema.table` or quoted `schema."Table"` names',
    default: [],
    schema: z.array(z.string().regex(RESTORE_TABLE, "must be a table name: `table`, `schema.table` or a quoted identifier")),
    example: '["documents"]',
  }),
] as const;

export const askDahlia = defineProduct({
  id: "ask-dahlia",
  displayName: "Ask Dahlia",
  seed: "seed 000",
  providedSecrets,
  configKeys,
  checks(config) {
    // seed 000: a fallback model is the one to use when the default fails; the same model is no fallback.
    const pairs = [
      ["askDahliaOpenaiModel", "askDahliaOpenaiFallbackModel"],
      ["askDahliaAnthropicModel", "askDahliaAnthropicFallbackModel"],
    ] as const;
    return pairs
      .filter(([model, fallback]) => config[model] === config[fallback])
      .map(([model, fallback]) => ({
        key: fallback,
        problem: `is ${JSON.stringify(config[fallback])}, the same as \`${model}\`; a fallback must be another model (seed 000)`,
        fix: "<another model>",
      }));
  },
  build({ environment, config, host }) {
    const workerHost = host("dahlia-api");
    const uiHost = host("dahlia");
    const runbookBaseUrl = config.runbookBaseUrl;
    return {
      generatedSecrets: [
        // seed 000: "Shared secret for HMAC authentication", the same on UI and worker.
        // Shared by the UI (signs) and the worker (verifies): both get WORKER_API_SECRET_PREVIOUS
        // for a quarter after each rotation, so requests signed on either side of it still verify.
        { name: "WORKER_API_SECRET", description: "HMAC secret the UI signs worker requests with.", keepPrevious: true },
        { name: "JWT_SECRET", description: "Secret the UI signs session JWTs with (seed 000)." },
      ],
      workloads: [
        {
          name: "worker",
          image: imageAt(`${config.imageRegistry}/ask-dahlia-worker`, config.askDahliaWorkerImageTag),
          port: WORKER_PORT,
          // seed 000 gives the endpoint (`GET /health`) but no timings; the platform's (seed 001 §1.1) apply.
          liveness: Probe.httpGet("/health", { port: WORKER_PORT, initialDelay: Duration.seconds(30), period: Duration.seconds(10) }),
          readiness: Probe.httpGet("/health", { port: WORKER_PORT, initialDelay: Duration.seconds(5), period: Duration.seconds(5) }),
          // seed 000: Standard instance 512 MB, Plus instance 1 GB for heavy usage.
          resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
          replicas: config.replicasAskDahliaWorker,
          // seed 000 "Horizontal Scaling: deploy multiple worker instances".
          autoscaling: { minReplicas: config.replicasAskDahliaWorker, maxReplicas: 6, targetCpuUtilization: 70 },
          env: {
            NODE_ENV: "production",
            PORT: String(WORKER_PORT),
            SEC_USER_AGENT: config.askDahliaSecUserAgent,
            // seed 000 "Provider Integration Management": default and fallback model per provider,
            // "configure in environment variables" (variable names are the platform's; the seed gives none).
            OPENAI_MODEL: config.askDahliaOpenaiModel,
            OPENAI_FALLBACK_MODEL: config.askDahliaOpenaiFallbackModel,
            ANTHROPIC_MODEL: config.askDahliaAnthropicModel,
            ANTHROPIC_FALLBACK_MODEL: config.askDahliaAnthropicFallbackModel,
            // seed 001 §2.1, the platform's log levels: INFO in production, DEBUG elsewhere.
            LOG_LEVEL: logLevelFor(environment),
          },
          secretEnv: {
            WORKER_API_SECRET: "WORKER_API_SECRET",
            DATABASE_URL: "DATABASE_URL",
            OPENAI_API_KEY: "OPENAI_API_KEY",
            ANTHROPIC_API_KEY: "ANTHROPIC_API_KEY",
            COHERE_API_KEY: "COHERE_API_KEY",
            ELEVENLABS_API_KEY: "ELEVENLABS_API_KEY",
          },
          metricsPath: "/metrics",
          // No `migrationCommand`: seed 000 migrates from the UI's package (`cd ask-dahlia && bun
          // drizzle-kit push:pg`, "Database Setup"), not from the worker (`worker/`, whose image
          // this is); the schema is not the worker's to change.
          publicHost: workerHost,
          healthPath: "/health", // seed 000 "Test the health endpoint: GET /health"
        },
      ],
      webApps: [
        {
          name: "ui",
          projectName: "ask-dahlia",
          // A static export served as built: Vercel's Next.js preset with an output directory fails
          // every build looking for routes-manifest.json in `out` (vercel/vercel#4368).
          framework: "other",
          repository: `${config.gitOrganization}/ask-dahlia`,
          rootDirectory: "ask-dahlia", // seed 000 build: `cd ask-dahlia && bun run build`
          // seed 000 "Build Preparation" / "Deployment Settings": bun, and a static export
          // (`output: 'export'`) written to `out`. The Netlify zip step has no Vercel equivalent.
          installCommand: "bun install",
          buildCommand: "bun run build",
          outputDirectory: "out",
          // seed 000 names no staging branch; the platform uses seed 003's `develop` for every app,
          // so staging has one stable preview host.
          previewBranch: "develop",
          env: { WORKER_API_BASE: `https://${workerHost}` },
          // seed 000 "NEXT_PUBLIC_APP_URL: the URL of your application": the staging branch's own.
          stagingBranchEnv: { NEXT_PUBLIC_APP_URL: `https://${uiHost}` },
          secretEnv: { WORKER_API_SECRET: "WORKER_API_SECRET", DATABASE_URL: "DATABASE_URL", JWT_SECRET: "JWT_SECRET" },
          // seed 000 names no health endpoint for the UI (a static export): its home page.
          healthPath: "/",
          domains: [{ host: uiHost }],
          previewProtection: config.vercelPublicPreviews.includes("ask-dahlia") ? "none" : "vercel-authentication",
        },
      ],
      backups: {
        kind: "s3",
        // seed 000: daily backups, weekly backups for critical data; it names no retention, so the
        // platform's (seed 001 §4.1: 30 d daily, 90 d weekly) applies.
        retention: [
          { prefix: "daily/", retention: Retention.days(30) },
          { prefix: "weekly/", retention: Retention.days(90) },
        ],
        databaseSecret: "DATABASE_URL",
        jobs: [
          // Twice a day: 12 h of margin under the 24 h RPO (README "Backup freshness").
          { name: "daily", prefix: "daily/", schedule: "15 2,14 * * *", rpo: Duration.hours(24) },
          { name: "weekly", prefix: "weekly/", schedule: "45 2 * * 0", rpo: Duration.days(8) },
        ],
        // seed 000 "Maintenance Schedule, Weekly: Verify backup integrity": Mondays, after the
        // daily dump of 02:15.
        restoreVerification: {
          job: "daily",
          schedule: "30 5 * * 1",
          expectedTables: config.askDahliaRestoreCheckTables,
          restoreSchemas: ["public"],
        },
      },
      // seed 000 "Index Optimization": monthly VACUUM ANALYZE, quarterly reindex of vector indices.
      databaseMaintenance: { databaseSecret: "DATABASE_URL", vacuum: true, reindexVectorIndexes: true },
      dataBuckets: [],
      // postgres_exporter of the pgvector database.
      database: { secret: "DATABASE_URL" },
      // seed 000 asks to watch worker health, errors and latency but gives no thresholds; the
      // platform's (seed 001 §1.4: 5 % errors for 5 m, p95 5 s for 5 m) apply. Worker health is
      // its endpoint probe and its target-down alert (added with the sources).
      alerts: (sources) => {
        const worker = sources.workload("worker");
        return [
          {
            name: "ask-dahlia-worker",
            rules: [
              errorRate({ selector: worker, runbookBaseUrl }),
              latencyP95({ selector: worker, threshold: Duration.seconds(5), runbookBaseUrl }),
              // seed 000 "Set usage alerts" (OpenAI and Anthropic), when the stack sets a budget.
              ...(config.askDahliaLlmMonthlyBudgetUsd > 0
                ? [llmSpendOverBudget({ selector: worker, monthlyBudgetUsd: config.askDahliaLlmMonthlyBudgetUsd, runbookBaseUrl })]
                : []),
            ],
          },
        ];
      },
    };
  },
});
