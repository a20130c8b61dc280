/**
 * Representative alert groups for all five products, built with every builder of
 * components/monitoring/alerts/, with the seeds' numbers. The promtool tests render them to a rule file
 * (`rules.yaml`) that the suites in tests/promtool/suites/ load; the suites name these alerts,
 * selectors and thresholds, so change both together.
 */
import {
  AlertGroup,
  backupStale,
  databaseStorageHigh,
  dbConnectionsHigh,
  dbPoolExhausted,
  dependencyDown,
  diskSpaceLow,
  errorRate,
  jobQueueHigh,
  latencyP95,
  llmErrorRate,
  llmSpendOverBudget,
  maintenanceJobFailed,
  PrometheusRuleGroup,
  renderRuleFile,
  restoreTooSlow,
  slowQueries,
  sseConnections,
  tlsCertificateExpiring,
  tokenQuota,
  toPrometheusRuleGroups,
} from "../../components/monitoring/alerts";
import { Duration } from "../../components/values";
import { LOGGING_NAMESPACE, agentSelector, logAgentAlertGroups } from "../../components/logs/log-agent";
import { VERCEL_LOGS_NAMESPACE, aggregatorSelector } from "../../components/logs/vercel-drains";

const runbookBaseUrl = "https://runbooks.example.com/app-platform";

/** One product's namespace (stamped on every alert as the `namespace` label, as AlertRules does) and groups. */
export interface ProductAlerts {
  readonly namespace: string;
  readonly groups: AlertGroup[];
}

export const PRODUCT_ALERTS: ProductAlerts[] = [
  {
    // seed 001 §1.4: the full critical and warning list; §4.3 RPO 24 h
    namespace: "codebook",
    groups: [
      {
        name: "codebook-api",
        rules: [
          errorRate({ selector: { job: "codebook-api" }, runbookBaseUrl }),
          errorRate({ selector: { job: "codebook-api" }, severity: "warning", runbookBaseUrl }),
          latencyP95({ selector: { job: "codebook-api" }, threshold: Duration.seconds(5), runbookBaseUrl }),
          dbPoolExhausted({ selector: { job: "codebook-postgres" }, runbookBaseUrl }),
          diskSpaceLow({ selector: { job: "node-exporter", mountpoint: "/" }, runbookBaseUrl }),
          diskSpaceLow({ selector: { namespace: "codebook", persistentvolumeclaim: "codebook-data" }, source: "pvc", runbookBaseUrl }),
          dependencyDown({ dependency: "Supabase", runbookBaseUrl }),
          dependencyDown({ dependency: "Pinecone", runbookBaseUrl }),
          dependencyDown({ dependency: "LLM", runbookBaseUrl }),
          jobQueueHigh({ selector: { job: "codebook-api" }, runbookBaseUrl }),
          llmErrorRate({ selector: { job: "codebook-api" }, runbookBaseUrl }),
          tokenQuota({ selector: { job: "codebook-api" }, runbookBaseUrl }),
          tlsCertificateExpiring({ selector: { instance: "https://codebook.example.com" }, runbookBaseUrl }),
          backupStale({ cronJob: "codebook-db-backup", namespace: "codebook", rpo: Duration.hours(24), runbookBaseUrl }),
          // §6.1 "Total monthly spend exceeds budget" (a $1,500 budget); §5.1 slow queries > 1 s; §4.3 RTO 4 h.
          llmSpendOverBudget({ selector: { job: "codebook-api" }, monthlyBudgetUsd: 1500, runbookBaseUrl }),
          slowQueries({ selector: { job: "codebook-postgres" }, threshold: Duration.seconds(1), runbookBaseUrl }),
          restoreTooSlow({ cronJob: "codebook-restore-verify-daily", namespace: "codebook", rto: Duration.hours(4), runbookBaseUrl }),
        ],
      },
    ],
  },
  {
    // seed 002: error rate > 5 %, p95 > 10 s, SSE warning 150 / critical 200
    namespace: "chat",
    groups: [
      {
        name: "chat-api",
        rules: [
          errorRate({ selector: { job: "chat-api" }, threshold: 0.05, runbookBaseUrl }),
          latencyP95({ selector: { job: "chat-api" }, threshold: Duration.seconds(10), runbookBaseUrl }),
          sseConnections({ selector: { job: "chat-api" }, severity: "warning", runbookBaseUrl }),
          sseConnections({ selector: { job: "chat-api" }, severity: "critical", runbookBaseUrl }),
        ],
      },
    ],
  },
  {
    // seed 004 "Monitoring Thresholds": error > 5 % 5m, p95 > 2 s 5m ("investigate"), DB connections > 80 % 2m
    namespace: "ara",
    groups: [
      {
        name: "ara",
        interval: Duration.seconds(30),
        rules: [
          errorRate({ selector: { job: "ara-web" }, threshold: 0.05, for: Duration.minutes(5), runbookBaseUrl }),
          latencyP95({ selector: { job: "ara-web" }, threshold: Duration.seconds(2), for: Duration.minutes(5), severity: "warning", runbookBaseUrl }),
          dbConnectionsHigh({ selector: { job: "ara-postgres" }, ratio: 0.8, for: Duration.minutes(2), runbookBaseUrl }),
          backupStale({ cronJob: "ara-db-backup", namespace: "ara", runbookBaseUrl }),
          // seed 004 "Monthly: Database maintenance (VACUUM, ANALYZE)"
          maintenanceJobFailed({ cronJob: "ara-db-maintenance-vacuum", namespace: "ara", runbookBaseUrl }),
        ],
      },
    ],
  },
  {
    // seed 003 "Database Monitoring (Neon)": pool exhaustion > 80 %, slow queries > 500 ms
    namespace: "voyager",
    groups: [
      {
        name: "voyager-db",
        rules: [
          dbConnectionsHigh({ selector: { job: "voyager-postgres" }, runbookBaseUrl }),
          slowQueries({ selector: { job: "voyager-postgres" }, threshold: Duration.seconds(0.5), runbookBaseUrl }),
          // "Storage >80% capacity", of a 10 GiB limit
          databaseStorageHigh({ selector: { job: "voyager-postgres" }, limitBytes: 10 * 2 ** 30, runbookBaseUrl }),
        ],
      },
    ],
  },
  {
    // seed 000 / SPEC: worker health, error and latency alerts (seed 001's numbers as the defaults)
    namespace: "ask-dahlia",
    groups: [
      {
        name: "ask-dahlia-worker",
        rules: [
          // The product's own worker (not a vendor's status page): critical, over the builder's warning default.
          dependencyDown({
            dependency: "worker-api",
            source: "up",
            selector: { job: "ask-dahlia-worker" },
            severity: "critical",
            name: "WorkerApiDown",
            runbookBaseUrl,
          }),
          errorRate({ selector: { job: "ask-dahlia-worker" }, runbookBaseUrl }),
          latencyP95({ selector: { job: "ask-dahlia-worker" }, runbookBaseUrl }),
        ],
      },
    ],
  },
  {
    // The platform's log agent (components/logs/log-agent.ts): the stacks' own groups, in `logging`.
    namespace: LOGGING_NAMESPACE,
    groups: logAgentAlertGroups(agentSelector(LOGGING_NAMESPACE, "vector-agent"), runbookBaseUrl),
  },
  {
    // The Vercel drains' aggregator (components/logs/vercel-drains.ts): the stacks' own groups, in `vercel-logs`.
    namespace: VERCEL_LOGS_NAMESPACE,
    groups: logAgentAlertGroups(aggregatorSelector(VERCEL_LOGS_NAMESPACE, "vector-vercel"), runbookBaseUrl, "VercelLogDrainDown"),
  },
];

/** The plain rule groups of every product, each alert labelled with its product's namespace. */
export function productRuleGroups(): PrometheusRuleGroup[] {
  return PRODUCT_ALERTS.flatMap((p) => toPrometheusRuleGroups(p.groups, { commonLabels: { namespace: p.namespace } }));
}

/** The rule file the suites load. */
export function renderProductRuleFile(): string {
  return renderRuleFile(productRuleGroups());
}
