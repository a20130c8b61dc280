/**
 * Chat API (seed 002): a streaming (SSE) API on Kubernetes (seed: Render web service) backed by
 * Supabase, which keeps its own backups.
 */
import { z } from "zod";
import { configKey, imageAt, isLoopbackUrl, anthropicModel, dnsName, httpsUrl, imageTag, positiveInt, serviceUrl } from "../components/config-key";
import { replicasConfigCheck } from "../components/workloads/kubernetes-service";
import { errorRate, latencyP95, sseConnections } from "../components/monitoring/alerts";
import { Probe } from "../components/workloads/probe";
import { Duration } from "../components/values";
import { logLevelFor } from "./logging";
import { defineProduct, type ProvidedSecret } from "../components/product-spec";

const providedSecrets: readonly ProvidedSecret[] = [
  { name: "SUPABASE_SERVICE_ROLE_KEY", description: "Supabase service role key (seed 002)." },
  { name: "ANTHROPIC_API_KEY", description: "Anthropic API key (seed 002)." },
  { name: "OPENAI_API_KEY", description: "OpenAI API key for embeddings (seed 002)." },
  { name: "HELICONE_API_KEY", description: "Helicone API key for LLM observability (seed 002, optional).", optional: true },
  { name: "SENTRY_DSN", description: "Sentry DSN for error tracking (seed 002, optional).", optional: true },
  // seed 002 `INTERNAL_API_KEY` "Service-to-service auth": the other side is mapper-api,
  // calendar-api and workout-ingestor-api (the downstream URLs below), which this platform does not
  // run, so the program cannot deliver a generated value to them: a person sets the one value both
  // sides hold. Rotation procedure: README "Secrets" → "Chat API's INTERNAL_API_KEY".
  {
    name: "INTERNAL_API_KEY",
    description:
      'Service-to-service auth key the Chat API shares with mapper-api, calendar-api and workout-ingestor-api (seed 002, required); rotate it as README "Secrets" describes.',
  },
];

/** The TCP port a base URL is reached on: its own, else the scheme's. */
export function urlPort(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === "http:" ? 80 : 443;
}

/**
 * The Chat API's downstream services (seed 002 env table): config key → the variable it sets and
 * the seed's development default, which reaches nothing inside a pod.
 */
export const CHAT_API_DOWNSTREAM_URLS = [
  { key: "chatApiMapperApiUrl", variable: "MAPPER_API_URL", seedDefault: "http://localhost:8001" },
  { key: "chatApiCalendarApiUrl", variable: "CALENDAR_API_URL", seedDefault: "http://localhost:8002" },
  { key: "chatApiWorkoutIngestorApiUrl", variable: "WORKOUT_INGESTOR_API_URL", seedDefault: "http://localhost:8003" },
] as const;

type DownstreamConfig = { readonly [K in (typeof CHAT_API_DOWNSTREAM_URLS)[number]["key"]]: string };

/**
 * The downstream URLs of the stack config (seed 002 `MAPPER_API_URL`, `CALENDAR_API_URL`,
 * `WORKOUT_INGESTOR_API_URL`) as env, and the ports other than 443 they need in the egress policy.
 */
function downstreamServices(config: DownstreamConfig): { env: Record<string, string>; egressPorts: number[] } {
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

/** The plain config keys only chat-api reads (Pulumi.yaml and the README reference are generated from them). */
const configKeys = [
  configKey({
    key: "chatApiImageTag",
    type: "string",
    description: 'Pinned image tag or `sha256:` digest of the Chat API; set by the Release image workflow (README "Release a new image").',
    form: "a pinned image tag (not `latest`) or a `sha256:` digest",
    schema: imageTag,
    example: "2.0.1",
  }),
  configKey({
    key: "replicasChatApi",
    type: "integer",
    description: "Replicas of the Chat API (prod needs at least 2; SSE clients are pinned by session affinity).",
    default: 2,
    form: "a whole number from 1 to 50",
    schema: positiveInt(50),
    check: replicasConfigCheck,
    example: "2",
  }),
  configKey({
    key: "chatApiSupabaseUrl",
    type: "string",
    description: "Supabase project URL of the Chat API (seed 002 `SUPABASE_URL`).",
    form: "an https:// URL",
    schema: httpsUrl,
    example: "https://abcd.supabase.co",
  }),
  configKey({
    key: "chatApiClerkDomain",
    type: "string",
    description: "Clerk domain the Chat API validates JWTs against (seed 002 `CLERK_DOMAIN`).",
    form: "a DNS name",
    schema: dnsName,
    example: "clerk.example.com",
  }),
  configKey({
    key: "chatApiAllowedOrigins",
    type: "array",
    description: "Browser origins allowed to call the Chat API (seed 002 `ALLOWED_ORIGINS`, required).",
    form: "a non-empty list of https:// origins without paths",
    schema: z.array(z.string().regex(/^https:\/\/[^\s/]+$/, "must be an https:// origin without a path")).min(1),
    example: '["https://app.example.com"]',
  }),
  configKey({
    key: "chatApiDefaultModel",
    type: "string",
    description:
      'Claude model of the Chat API (seed 002 `DEFAULT_MODEL`, default `claude-sonnet-4-20250514`); set per stack so an upgrade goes to staging first (seed 002 "Model Upgrade Procedures").',
    default: "claude-sonnet-4-20250514",
    form: "an Anthropic model id such as `claude-sonnet-4-20250514`",
    schema: anthropicModel,
    example: "claude-sonnet-4-20250514",
  }),
  // seed 002 env table: the downstream services' base URLs default to http://localhost:8001-8003,
  // development values; a pod has nothing listening there.
  configKey({
    key: "chatApiMapperApiUrl",
    type: "string",
    description: "Base URL of mapper-api that the Chat API calls (seed 002 `MAPPER_API_URL`); required on prod, never loopback.",
    default: "",
    form: "an http:// or https:// base URL such as `https://mapper-api.example.com`",
    schema: serviceUrl,
    example: "https://mapper-api.example.com",
  }),
  configKey({
    key: "chatApiCalendarApiUrl",
    type: "string",
    description: "Base URL of calendar-api that the Chat API calls (seed 002 `CALENDAR_API_URL`); required on prod, never loopback.",
    default: "",
    form: "an http:// or https:// base URL such as `https://calendar-api.example.com`",
    schema: serviceUrl,
    example: "https://calendar-api.example.com",
  }),
  configKey({
    key: "chatApiWorkoutIngestorApiUrl",
    type: "string",
    description: "Base URL of workout-ingestor-api that the Chat API calls (seed 002 `WORKOUT_INGESTOR_API_URL`); required on prod, never loopback.",
    default: "",
    form: "an http:// or https:// base URL such as `https://workout-ingestor-api.example.com`",
    schema: serviceUrl,
    example: "https://workout-ingestor-api.example.com",
  }),
] as const;

export const chatApi = defineProduct({
  id: "chat-api",
  displayName: "Chat API",
  seed: "seed 002",
  providedSecrets,
  configKeys,
  checks(config, { environment }) {
    if (environment !== "prod") return [];
    // seed 002: the downstream URLs default to localhost, where nothing listens in a prod pod.
    return CHAT_API_DOWNSTREAM_URLS.flatMap((u) => {
      const value = config[u.key];
      const example = configKeys.find((k) => k.key === u.key)!.example;
      if (value === "") {
        return [
          {
            key: u.key,
            problem: `is not set; prod needs the real base URL of ${u.variable} (seed 002's default ${u.seedDefault} reaches nothing in a pod)`,
            fix: example,
          },
        ];
      }
      if (isLoopbackUrl(value)) {
        return [
          {
            key: u.key,
            problem: `is ${JSON.stringify(value)}, a loopback address; in a prod pod nothing listens there. Expected the service's real base URL for ${u.variable}`,
            fix: example,
          },
        ];
      }
      return [];
    });
  },
  build({ environment, config, host }) {
    const apiHost = host("chat-api");
    const runbookBaseUrl = config.runbookBaseUrl;
    const downstream = downstreamServices(config);
    return {
      // INTERNAL_API_KEY is provided (above): its counterparts run outside this platform.
      generatedSecrets: [],
      workloads: [
        {
          name: "api",
          image: imageAt(`${config.imageRegistry}/chat-api`, config.chatApiImageTag),
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
            RATE_LIMIT_FREE: "50",
            RATE_LIMIT_PAID: "500",
            // seed 002 "Model Upgrade Procedures": DEFAULT_MODEL changes on staging first, then prod.
            DEFAULT_MODEL: config.chatApiDefaultModel,
            // seed 002: the downstream services; prod must set them (`checks` above), an unset URL
            // leaves the variable out (the app's own development default then applies).
            ...downstream.env,
            FUNCTION_TIMEOUT_SECONDS: "30.0",
            // seed 001 §2.1, the platform's log levels: INFO in production, DEBUG elsewhere.
            LOG_LEVEL: logLevelFor(environment),
          },
          // seed 002 `HELICONE_ENABLED` (default `false`): on exactly when the Helicone key is set.
          presenceEnv: { HELICONE_ENABLED: "HELICONE_API_KEY" },
          // seed 002 "Sentry": `release=settings.render_git_commit`, i.e. `RENDER_GIT_COMMIT`; every
          // workload also gets `SENTRY_RELEASE`, both the image's digest or tag.
          releaseEnv: ["RENDER_GIT_COMMIT"],
          secretEnv: {
            SUPABASE_SERVICE_ROLE_KEY: "SUPABASE_SERVICE_ROLE_KEY",
            ANTHROPIC_API_KEY: "ANTHROPIC_API_KEY",
            OPENAI_API_KEY: "OPENAI_API_KEY",
            INTERNAL_API_KEY: "INTERNAL_API_KEY",
            HELICONE_API_KEY: "HELICONE_API_KEY",
            SENTRY_DSN: "SENTRY_DSN",
          },
          metricsPath: "/metrics",
          // No `migrationCommand`: seed 002's checklist says "Database migrations applied (if any)"
          // but names no command, and the API holds no database URL (Supabase through its REST API).
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
});
