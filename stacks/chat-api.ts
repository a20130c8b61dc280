/**
 * Chat API (seed 002): a streaming (SSE) API on Kubernetes (seed: Render web service) backed by
 * Supabase, which keeps its own backups.
 */
import { errorRate, latencyP95, sseConnections } from "../components/monitoring/alerts";
import { Probe } from "../components/workloads/probe";
import { Duration } from "../components/values";
import { CHAT_API_DOWNSTREAM_URLS, type StackConfig } from "../infra/config";
import { logLevelFor } from "./logging";
import type { ProductDefinition, ProvidedSecret } from "./types";

const providedSecrets: readonly ProvidedSecret[] = [
  { name: "SUPABASE_SERVICE_ROLE_KEY", description: "Supabase service role key (seed 002)." },
  { name: "ANTHROPIC_API_KEY", description: "Anthropic API key (seed 002)." },
  { name: "OPENAI_API_KEY", description: "OpenAI API key for embeddings (seed 002)." },
  { name: "HELICONE_API_KEY", description: "Helicone API key for LLM observability (seed 002, optional).", optional: true },
  { name: "SENTRY_DSN", description: "Sentry DSN for error tracking (seed 002, optional).", optional: true },
];

/** The TCP port a base URL is reached on: its own, else the scheme's. */
export function urlPort(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === "http:" ? 80 : 443;
}

/**
 * The downstream URLs of the stack config (seed 002 `MAPPER_API_URL`, `CALENDAR_API_URL`,
 * `WORKOUT_INGESTOR_API_URL`) as env, and the ports other than 443 they need in the egress policy.
 */
function downstreamServices(config: StackConfig): { env: Record<string, string>; egressPorts: number[] } {
  const env: Record<string, string> = {};
  const ports = new Set<number>();
  for (const u of CHAT_API_DOWNSTREAM_URLS) {
    const value = config[u.key];
    if (value === "") continue;
    env[u.variable] = value;
    if (urlPort(value) !== 443) ports.add(urlPort(value));
  }
  return { env, egressPorts: [...ports].sort((a, b) => a - b) };
}

/** seed 002 names no port; the FastAPI server (uvicorn) listens on 8000. */
const PORT = 8000;

export const chatApi: ProductDefinition = {
  id: "chat-api",
  displayName: "Chat API",
  providedSecrets,
  build({ environment, config, host }) {
    const apiHost = host("chat-api");
    const runbookBaseUrl = config.runbookBaseUrl;
    const downstream = downstreamServices(config);
    return {
      id: "chat-api",
      displayName: "Chat API",
      seed: "seed 002",
      providedSecrets,
      generatedSecrets: [{ name: "INTERNAL_API_KEY", description: "Service-to-service auth key (seed 002, required)." }],
      workloads: [
        {
          name: "api",
          image: { repository: `${config.imageRegistry}/chat-api`, tag: config.chatApiImageTag },
          port: PORT,
          // seed 002 "Health Checks": GET /health is the liveness probe, GET /health/ready the readiness probe.
          liveness: Probe.httpGet("/health", { port: PORT, initialDelay: Duration.seconds(10), period: Duration.seconds(10) }),
          readiness: Probe.httpGet("/health/ready", { port: PORT, initialDelay: Duration.seconds(5), period: Duration.seconds(5) }),
          // seed 002 gives no sizes; a single Render instance serves ~200 SSE connections.
          resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
          replicas: config.replicasChatApi,
          // seed 002 env table, with its defaults.
          env: {
            ENVIRONMENT: environment === "prod" ? "production" : "staging",
            SUPABASE_URL: config.chatApiSupabaseUrl,
            CLERK_DOMAIN: config.chatApiClerkDomain,
            ALLOWED_ORIGINS: config.chatApiAllowedOrigins.join(","),
            HELICONE_ENABLED: "false",
            RATE_LIMIT_FREE: "50",
            RATE_LIMIT_PAID: "500",
            // seed 002 "Model Upgrade Procedures": DEFAULT_MODEL changes on staging first, then prod.
            DEFAULT_MODEL: config.chatApiDefaultModel,
            // seed 002: the downstream services; prod must set them (infra/config.ts), an unset URL
            // leaves the variable out (the app's own development default then applies).
            ...downstream.env,
            FUNCTION_TIMEOUT_SECONDS: "30.0",
            // seed 001 §2.1, the platform's log levels: INFO in production, DEBUG elsewhere.
            LOG_LEVEL: logLevelFor(environment),
          },
          secretEnv: {
            SUPABASE_SERVICE_ROLE_KEY: "SUPABASE_SERVICE_ROLE_KEY",
            ANTHROPIC_API_KEY: "ANTHROPIC_API_KEY",
            OPENAI_API_KEY: "OPENAI_API_KEY",
            INTERNAL_API_KEY: "INTERNAL_API_KEY",
            HELICONE_API_KEY: "HELICONE_API_KEY",
            SENTRY_DSN: "SENTRY_DSN",
          },
          metricsPath: "/metrics",
          // The NetworkPolicy opens 443; a downstream URL on another port needs it opened too.
          ...(downstream.egressPorts.length > 0 ? { extraEgressPorts: downstream.egressPorts } : {}),
          // seed 002 "Graceful Shutdown": SIGTERM, 30 s before SIGKILL; the app drains SSE for up to 5 s.
          terminationGracePeriod: Duration.seconds(30),
          preStopSleep: Duration.seconds(5),
          publicHost: apiHost,
          healthPath: "/health", // seed 002 "Health Checks": Render's load balancer checks GET /health
          // seed 002 "Scaling Options": several instances need sticky sessions for SSE.
          sessionAffinity: true,
        },
      ],
      webApps: [],
      dataBuckets: [],
      // seed 002 "Alerts to configure": error rate > 5 %, P95 latency > 10 s; "SSE Connection
      // Monitoring": warning at 150, critical at 200 connections. The series are the API's
      // ServiceMonitor's (job = its Service's name, handed out by the workload).
      alerts: (sources) => {
        const api = sources.workload("api");
        return [
          {
            name: "chat-api",
            rules: [
              errorRate({ selector: api, runbookBaseUrl }),
              latencyP95({ selector: api, threshold: Duration.seconds(10), runbookBaseUrl }),
              sseConnections({ selector: api, severity: "critical", runbookBaseUrl }),
              sseConnections({ selector: api, severity: "warning", runbookBaseUrl }),
            ],
          },
        ];
      },
    };
  },
};
