/**
 * Construction Codebook (seed 001): the backend API on Kubernetes, Postgres backups and the log
 * archive in S3, and the full alert list of seed 001 §1.4.
 */
import { z } from "zod";
import { configKey, imageAt, httpsUrl, imageTag, positiveInt } from "../components/config-key";
import { replicasConfigCheck } from "../components/workloads/kubernetes-service";
import {
  dbPoolExhausted,
  diskSpaceLow,
  errorRate,
  jobQueueHigh,
  latencyP95,
  llmErrorRate,
  llmSpendOverBudget,
  slowQueries,
  tokenQuota,
} from "../components/monitoring/alerts";
import { Probe } from "../components/workloads/probe";
import { Duration, Retention, RESTORE_TABLE } from "../components/values";
import { logLevelFor } from "./logging";
import { defineProduct, type ProductConfigProblem, type ProvidedSecret } from "../components/product-spec";
import { SUPABASE_INTERNAL_SCHEMAS } from "../components/data/postgres-providers";

const providedSecrets: readonly ProvidedSecret[] = [
  { name: "SUPABASE_URL", description: "Supabase project URL; seed 001 §3.1 delivers it through a secretKeyRef." },
  { name: "DATABASE_URL", description: "Postgres connection string of the Codebook database (Supabase), used by the backup job." },
  { name: "PINECONE_API_KEY", description: "Pinecone API key of the codebooks index (seed 001 §4.2)." },
  { name: "OPENAI_API_KEY", description: "LLM provider key of the Codebook backend (seed 001 §6.1)." },
];

/** The plain config keys only codebook reads (Pulumi.yaml and the README reference are generated from them). */
const configKeys = [
  configKey({
    key: "codebookApiImageTag",
    type: "string",
    description:
      'Pinned image tag or `sha256:` digest of the Construction Codebook backend API; set by the Release image workflow (README "Release a new image").',
    form: "a pinned image tag (not `latest`) or a `sha256:` digest",
    schema: imageTag,
    example: "1.2.3",
  }),
  configKey({
    key: "replicasCodebookApi",
    type: "integer",
    description: "Replicas of the Codebook backend API (seed 001 §3.1: 3).",
    default: 3,
    form: "a whole number from 1 to 50",
    schema: positiveInt(50),
    check: replicasConfigCheck,
    example: "3",
  }),
  configKey({
    key: "codebookApiMaxReplicas",
    type: "integer",
    description:
      "Most replicas the Codebook API's HorizontalPodAutoscaler may run (seed 001 §6.2 \"auto-scaling\"); its floor is `replicasCodebookApi` (seed 001 §3.1: 3), so the PDB and prod's replica rule hold at the floor.",
    default: 6,
    form: "a whole number from 1 to 50, at least `replicasCodebookApi`",
    schema: positiveInt(50),
    example: "6",
  }),
  configKey({
    key: "codebookApiTargetCpuUtilization",
    type: "integer",
    description:
      'Average CPU utilisation, in percent of the API\'s 500m request (seed 001 §3.1), the Codebook API\'s HorizontalPodAutoscaler aims for (seed 001 §6.2 "right-size", "auto-scaling"; the guide names no figure).',
    default: 70,
    form: "a whole number of percent from 10 to 100",
    schema: z.number().int().min(10).max(100),
    example: "70",
  }),
  configKey({
    key: "codebookBackupArchiveAfterDays",
    type: "integer",
    description:
      'Days after which Codebook backups and log buckets kept longer move to S3 Glacier Instant Retrieval (seed 001 §6.2 "Archive old data to cheaper storage (S3 Glacier)"); Instant Retrieval reads like Standard, so restores and the restore check are unchanged. 0: no archive.',
    default: 30,
    form: "a whole number of days from 0 to 89 (below the 90-day weekly retention; 0 turns it off)",
    schema: z.number().int().min(0).max(89),
    example: "30",
  }),
  configKey({
    key: "codebookRestoreCheckTables",
    type: "array",
    description:
      "Tables the scheduled restore verification of Codebook requires, each present with rows after restoring the newest backup (seed 001 §6 names `codebook_items` and `llm_usage`); empty: any table with rows.",
    form: 'a list of `table`, `schema.table` or quoted `schema."Table"` names',
    default: ["codebook_items", "llm_usage"],
    schema: z.array(z.string().regex(RESTORE_TABLE, "must be a table name: `table`, `schema.table` or a quoted identifier")),
    example: '["codebook_items", "llm_usage"]',
  }),
  configKey({
    key: "codebookLlmMonthlyBudgetUsd",
    type: "integer",
    description:
      'Monthly LLM budget of Codebook in US dollars; `LlmMonthlySpendOverBudget` warns when the month\'s spend (`llm_monthly_spend_usd`) exceeds it (seed 001 §6.1 "Total monthly spend exceeds budget"; the guide names no figure). 0: no spend alert.',
    default: 0,
    form: "a whole number of US dollars from 0 to 1000000 (0 turns the alert off)",
    schema: z.number().int().min(0).max(1_000_000),
    example: "1500",
  }),
  configKey({
    key: "supabaseStatusUrl",
    type: "string",
    description:
      'Supabase status page probed for Supabase (seed 001 §1.4 "Any external service down"): its Statuspage API v2 `components.json` (the page lists one component per service/region; `supabaseStatusComponent` names ours). Probed from prod only.',
    default: "https://status.supabase.com/api/v2/components.json",
    form: "an https:// URL of a Statuspage `components.json`",
    schema: httpsUrl,
    example: "https://status.supabase.com/api/v2/components.json",
  }),
  configKey({
    key: "supabaseStatusComponent",
    type: "string",
    description:
      "The component of Supabase's status page (https://status.supabase.com) Codebook's project depends on (its region), exactly as the page names it; `SupabaseDown` (warning, prod only) fires while it is not `operational`. Required in prod (no default: it depends on where the project runs).",
    default: "",
    form: 'the component\'s exact `name` in https://status.supabase.com/api/v2/components.json, e.g. "AWS us-east-1"',
    schema: z.string().max(200),
    example: "AWS us-east-1",
  }),
  configKey({
    key: "pineconeStatusUrl",
    type: "string",
    description:
      "Pinecone status page probed for Pinecone (seed 001 §1.4): its Statuspage API v2 `components.json` (the page lists one component per service/region; `pineconeStatusComponent` names ours). Probed from prod only.",
    default: "https://status.pinecone.io/api/v2/components.json",
    form: "an https:// URL of a Statuspage `components.json`",
    schema: httpsUrl,
    example: "https://status.pinecone.io/api/v2/components.json",
  }),
  configKey({
    key: "pineconeStatusComponent",
    type: "string",
    description:
      "The component of Pinecone's status page (https://status.pinecone.io; serverless indexes are one component per region, `<Cloud> <region>`) Codebook's index lives in, exactly as the page names it; `PineconeDown` (warning, prod only) fires while it is not `operational`. Required in prod (no default: it depends on where the project runs).",
    default: "",
    form: 'the component\'s exact `name` in https://status.pinecone.io/api/v2/components.json, e.g. "AWS us-east-1"',
    schema: z.string().max(200),
    example: "AWS us-east-1",
  }),
  configKey({
    key: "openaiStatusUrl",
    type: "string",
    description:
      'OpenAI status page probed for the LLM provider OpenAI (seed 001 §1.4 "LLM", §6.1): its Statuspage API v2 `components.json` (the page lists one component per service/region; `openaiStatusComponent` names ours). Probed from prod only.',
    default: "https://status.openai.com/api/v2/components.json",
    form: "an https:// URL of a Statuspage `components.json`",
    schema: httpsUrl,
    example: "https://status.openai.com/api/v2/components.json",
  }),
  configKey({
    key: "openaiStatusComponent",
    type: "string",
    description:
      "The component of OpenAI's status page (https://status.openai.com) Codebook calls (its API, not ChatGPT), exactly as the page names it; `LLMDown` (warning, prod only) fires while it is not `operational`. Required in prod (no default: it depends on where the project runs).",
    default: "",
    form: 'the component\'s exact `name` in https://status.openai.com/api/v2/components.json, e.g. "APIs"',
    schema: z.string().max(200),
    example: "APIs",
  }),
] as const;

export const codebook = defineProduct({
  id: "codebook",
  displayName: "Construction Codebook",
  seed: "seed 001",
  providedSecrets,
  configKeys,
  checks(config, facts) {
    const problems: ProductConfigProblem[] = [];
    // Only prod probes the dependencies' status pages: there, each must name its component.
    if (facts.environment === "prod") {
      for (const [key, page] of [
        ["supabaseStatusComponent", config.supabaseStatusUrl],
        ["pineconeStatusComponent", config.pineconeStatusUrl],
        ["openaiStatusComponent", config.openaiStatusUrl],
      ] as const) {
        if (config[key].trim() === "") {
          problems.push({
            key,
            problem: `is not set; prod probes one component of ${page} and needs its exact \`name\` (the region or service Codebook uses; the whole page would alert for every other component)`,
            fix: "AWS us-east-1",
          });
        }
      }
    }
    if (config.codebookApiMaxReplicas >= config.replicasCodebookApi) return problems;
    return [
      ...problems,
      {
        key: "codebookApiMaxReplicas",
        problem: `is ${config.codebookApiMaxReplicas}, below \`replicasCodebookApi\` (${config.replicasCodebookApi}), the autoscaler's floor; expected at least ${config.replicasCodebookApi}`,
        fix: String(Math.max(config.replicasCodebookApi * 2, config.replicasCodebookApi)),
        alternative: "lower replicasCodebookApi",
      },
    ];
  },
  build({ environment, config, host }) {
    const apiHost = host("codebook-api");
    const runbookBaseUrl = config.runbookBaseUrl;
    return {
      generatedSecrets: [],
      workloads: [
        {
          name: "api",
          // seed 001 §3.1 names the image `codebook-backend`.
          image: imageAt(`${config.imageRegistry}/codebook-backend`, config.codebookApiImageTag),
          port: 8000, // seed 001 §1.1 / §3.1 (EXPOSE 8000)
          // seed 001 §1.1: liveness /health initialDelay 30 s period 10 s; readiness initialDelay 5 s period 5 s.
          liveness: Probe.httpGet("/health", { port: 8000, initialDelay: Duration.seconds(30), period: Duration.seconds(10) }),
          readiness: Probe.httpGet("/health", { port: 8000, initialDelay: Duration.seconds(5), period: Duration.seconds(5) }),
          // seed 001 §3.1: requests 512Mi/500m, limits 1Gi/1000m.
          resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1Gi" } },
          replicas: config.replicasCodebookApi, // seed 001 §3.1: 3
          // seed 001 §6.2 "Use auto-scaling during low-traffic periods": CPU-driven, never below the
          // seed's replicas (the PDB and prod's two-replica floor count the minimum).
          autoscaling: {
            minReplicas: config.replicasCodebookApi,
            maxReplicas: config.codebookApiMaxReplicas,
            targetCpuUtilization: config.codebookApiTargetCpuUtilization,
          },
          // seed 001 §2.1: INFO in production, DEBUG elsewhere.
          env: { NODE_ENV: "production", PORT: "8000", LOG_LEVEL: logLevelFor(environment) },
          secretEnv: {
            SUPABASE_URL: "SUPABASE_URL",
            DATABASE_URL: "DATABASE_URL",
            PINECONE_API_KEY: "PINECONE_API_KEY",
            OPENAI_API_KEY: "OPENAI_API_KEY",
          },
          metricsPath: "/metrics", // seed 001 §1.3
          // seed 001 §3.3 "npx prisma migrate deploy  # Production", run "before deploying new code"
          // after "Backup production database before migration": each release's pre-deploy dump,
          // then this command in the new image, then the rollout.
          migrationCommand: ["npx", "prisma", "migrate", "deploy"],
          publicHost: apiHost,
          healthPath: "/health", // seed 001 §1.1
        },
      ],
      webApps: [],
      backups: {
        kind: "s3",
        // seed 001 §4.1: daily kept 30 d, weekly kept 90 d in S3; §4.2 weekly Pinecone export.
        // §2.5's log archive is every product's (`LOG_CLASSES`, buckets of their own: productLogs).
        retention: [
          { prefix: "daily/", retention: Retention.days(30) },
          { prefix: "weekly/", retention: Retention.days(90) },
          { prefix: "pinecone/", retention: Retention.days(90) },
          // seed 001 §4.1 "Backup Schedule: … Before each deployment; Before running risky
          // migrations": the dump before each migrating release. Kept like the guide's manual
          // backups ("Backup before major changes", weekly manual backups "retained 90 days, stored
          // in S3"), not the 30 days of the automatic dailies: a schema change can need undoing
          // after the daily copies from before it have expired.
          { prefix: "pre-deploy/", retention: Retention.days(90) },
        ],
        databaseSecret: "DATABASE_URL",
        // seed 001 §6.2: weekly, Pinecone and the long-lived log buckets (error, audit) move to Glacier Instant
        // Retrieval after 30 days (daily/ expires at 30 d and is never moved).
        ...(config.codebookBackupArchiveAfterDays > 0
          ? { archive: { after: Retention.days(config.codebookBackupArchiveAfterDays), storageClass: "GLACIER_IR" as const } }
          : {}),
        // Supabase's `postgres` role cannot dump Supabase's internal schemas (supabase/supabase#10982):
        // leave out the list the Supabase CLI's own `db dump` leaves out.
        dumpSchemas: { exclude: SUPABASE_INTERNAL_SCHEMAS },
        jobs: [
          // seed 001 §4.3: RPO 24 h. Twice a day, so the RPO keeps 12 h of margin over the
          // schedule: one slow or failed run does not breach it (README "Backup freshness").
          { name: "daily", prefix: "daily/", schedule: "0 3,15 * * *", rpo: Duration.hours(24) },
          // The weekly tier's own promise: one copy a week, a day's grace.
          { name: "weekly", prefix: "weekly/", schedule: "30 3 * * 0", rpo: Duration.days(8) },
          // seed 001 §4.2: "Pinecone doesn't support native backups" — the backend's own export
          // (its backupPineconeIndex script, built to dist/ like the server) writes the index to S3
          // weekly, with the job's prefix-scoped upload credentials.
          {
            name: "pinecone",
            prefix: "pinecone/",
            schedule: "0 4 * * 0",
            rpo: Duration.days(8),
            export: {
              // A job image's `tag` may be a bare digest (BackupImage): the same pin as the api's.
              image: { repository: `${config.imageRegistry}/codebook-backend`, tag: config.codebookApiImageTag },
              command: ["node", "dist/scripts/backup-pinecone.js"],
              secretEnv: { PINECONE_API_KEY: "PINECONE_API_KEY" },
            },
          },
        ],
        // seed 001 §4.4 "Monthly: Perform test restore of database backup, verify data
        // integrity, document time to restore": the 2nd of each month, after the 03:00 dump.
        // Supabase dumps hold platform schemas whose extensions no image has: restore `public`.
        restoreVerification: {
          job: "daily",
          schedule: "0 5 2 * *",
          expectedTables: config.codebookRestoreCheckTables,
          restoreSchemas: ["public"],
          rto: Duration.hours(4), // seed 001 §4.3 "RTO (Recovery Time Objective): 4 hours"
        },
      },
      // seed 001 §7.1: "Run database maintenance (VACUUM, REINDEX)" monthly; its vectors live in
      // Pinecone, so there is no vector index to rebuild.
      databaseMaintenance: { databaseSecret: "DATABASE_URL", vacuum: true, reindexVectorIndexes: false },
      dataBuckets: [],
      // postgres_exporter of the Codebook database (Supabase Postgres). `port` opens every egress
      // rule to it (workloads holding DATABASE_URL, dumps, maintenance, exporter): 5432 is Supabase's
      // direct connection and session pooler; a DATABASE_URL on the transaction pooler needs 6543.
      database: { secret: "DATABASE_URL", port: 5432 },
      // seed 001 §1.4 "Any external service down (Supabase, Pinecone, LLM)"; the LLM is OpenAI
      // (§6.1). Probed through the component we use on each status page, from prod only;
      // ApplicationStack adds `<Name>Down` (warning).
      dependencies: [
        { name: "Supabase", statusUrl: config.supabaseStatusUrl, component: config.supabaseStatusComponent },
        { name: "Pinecone", statusUrl: config.pineconeStatusUrl, component: config.pineconeStatusComponent },
        { name: "LLM", statusUrl: config.openaiStatusUrl, component: config.openaiStatusComponent },
      ],
      // seed 001 §1.4, the whole list: critical pages on-call, warning goes to chat. Endpoint
      // uptime, TLS expiry (< 30 d), dependency and backup alerts come with their sources.
      alerts: (sources) => {
        const api = sources.workload("api");
        const db = sources.database();
        return [
          {
            name: "codebook-api",
            rules: [
              errorRate({ selector: api, severity: "critical", runbookBaseUrl }), // > 5 % for 5 m
              latencyP95({ selector: api, threshold: Duration.seconds(5), runbookBaseUrl }), // p95 > 5 s for 5 m
              dbPoolExhausted({ selector: db, runbookBaseUrl }),
              diskSpaceLow({ selector: { mountpoint: "/" }, runbookBaseUrl }), // < 10 % free (node_exporter, a cluster prerequisite)
              errorRate({ selector: api, severity: "warning", runbookBaseUrl }), // > 2 % for 10 m
              jobQueueHigh({ selector: api, runbookBaseUrl }), // > 100
              llmErrorRate({ selector: api, runbookBaseUrl }), // > 10 % for 10 m
              tokenQuota({ selector: api, runbookBaseUrl }), // 80 % of the monthly quota
              // §6.1 "Total monthly spend exceeds budget", when the stack sets a budget.
              ...(config.codebookLlmMonthlyBudgetUsd > 0
                ? [llmSpendOverBudget({ selector: api, monthlyBudgetUsd: config.codebookLlmMonthlyBudgetUsd, runbookBaseUrl })]
                : []),
              // §5.1 "Enable Supabase slow query log (queries > 1 second)": statements above 1 s on average.
              slowQueries({ selector: db, threshold: Duration.seconds(1), runbookBaseUrl }),
            ],
          },
        ];
      },
    };
  },
});
