/**
 * The configuration of the Vercel log-drain aggregator (Vector, chart role `Stateless-Aggregator`),
 * rendered and route-tested here (tests/components/vercel-drain-routes.test.ts); installed with its
 * Ingress, DNS record, drain secret and one `vercel.LogDrain` per app by vercel-drains.ts
 * (README "Logs", "Vercel apps' logs").
 *
 * What it renders, from the Log Drains reference (https://vercel.com/docs/log-drains/log-drains-reference):
 * Vercel POSTs a JSON array of log records (`deliveryFormat: "json"`), each with `projectId`,
 * `message` (the app's printed line), `level`, `source`, …, and signs the raw body: header
 * `x-vercel-signature` = hex HMAC-SHA1 of the body with the drain's `secret`. The `http_server`
 * source keeps the raw body (`decoding.codec: bytes`) and the header; the verify transform drops a
 * request whose signature does not match (`abort` with `drop_on_abort`), then splits the array into
 * one event per record; the records are classified by their `message` with the same table as the
 * agent (log-routes.ts, the app contract of seed 001 §2.1/§2.2), routed by `projectId` to the
 * product, then by class to the product's `aws_s3` sinks.
 *
 * The drain secret reaches the configuration only as `${VERCEL_DRAIN_SECRET}` (Vector's environment
 * interpolation, from a Kubernetes Secret): it must be letters and digits only, since it lands in a
 * VRL string literal.
 */
import { type LogDestination } from "./log-classes";
import { CLASS_RULES, classRouteCondition, componentId, credentialEnvName, destinationBuckets, renderClassifyVrl } from "./log-routes";
import { AGENT_METRICS, s3Sink } from "./log-agent";

/** The environment variable that carries the drain secret into the aggregator. */
export const DRAIN_SECRET_ENV = "VERCEL_DRAIN_SECRET";

/** The header Vercel signs each request with. */
export const DRAIN_SIGNATURE_HEADER = "x-vercel-signature";

/** The path the drains POST to, and the aggregator's listening port. */
export const DRAIN_ENDPOINT = { path: "/vercel", port: 8080 } as const;

/** One product's Vercel projects and where their logs go. */
export interface DrainRoute {
  readonly product: string;
  /** Vercel project ids (`prj_…`) of the product's apps. */
  readonly projectIds: readonly string[];
  readonly destination: LogDestination;
}

/** Ids of the aggregator's pipeline components. */
export const AGGREGATOR_IDS = { source: "vercel", verify: "verify", classify: "classify", byProject: "by_project", metricsSource: "internal_metrics" } as const;

/** The VRL that checks the signature of the raw body and splits the JSON array into events. */
export function renderVerifyVrl(): string {
  return [
    `signature = string(.${JSON.stringify(DRAIN_SIGNATURE_HEADER)}) ?? ""`,
    "body = string!(.message)",
    `expected = encode_base16(hmac(body, "\${${DRAIN_SECRET_ENV}}", algorithm: "SHA1"))`,
    "if signature != expected {",
    '  abort "x-vercel-signature does not match the body"',
    "}",
    ". = parse_json!(body)",
    "",
  ].join("\n");
}

/** The `route` condition that selects one product's projects (`false` while it has none: staging before prod created them). */
export function projectRouteCondition(projectIds: readonly string[]): string {
  if (projectIds.length === 0) return "false";
  // Vercel's ids are `prj_` and letters and digits; `-` is allowed too (the offline plan's looked-up
  // `prj_<name>`): nothing that could end the string literal.
  for (const id of projectIds) if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`Vercel project id "${id}" is not letters, digits, "_" and "-"`);
  return projectIds.map((id) => `.projectId == ${JSON.stringify(id)}`).join(" || ");
}

/** The aggregator's Vector configuration (`customConfig`) for `routes`. */
export function renderAggregatorConfig(routes: readonly DrainRoute[]): Record<string, unknown> {
  const transforms: Record<string, unknown> = {
    [AGGREGATOR_IDS.verify]: { type: "remap", inputs: [AGGREGATOR_IDS.source], drop_on_abort: true, drop_on_error: true, source: renderVerifyVrl() },
    [AGGREGATOR_IDS.classify]: { type: "remap", inputs: [AGGREGATOR_IDS.verify], source: renderClassifyVrl(CLASS_RULES, ".message") },
    [AGGREGATOR_IDS.byProject]: {
      type: "route",
      inputs: [AGGREGATOR_IDS.classify],
      route: Object.fromEntries(routes.map((r) => [componentId(r.product), projectRouteCondition(r.projectIds)])),
    },
  };
  const sinks: Record<string, unknown> = {};
  for (const r of routes) {
    const byClass = componentId(r.product, "by_class");
    transforms[byClass] = {
      type: "route",
      inputs: [`${AGGREGATOR_IDS.byProject}.${componentId(r.product)}`],
      route: Object.fromEntries(CLASS_RULES.map((rule) => [rule.class, classRouteCondition(rule.class)])),
    };
    const buckets = destinationBuckets(r.destination);
    for (const rule of CLASS_RULES) {
      const i = buckets.findIndex((g) => g.classes.includes(rule.class));
      sinks[componentId(r.product, rule.class)] = s3Sink(`${byClass}.${rule.class}`, r.destination.targets[rule.class], {
        accessKeyId: credentialEnvName(r.product, i, "AWS_ACCESS_KEY_ID"),
        secretAccessKey: credentialEnvName(r.product, i, "AWS_SECRET_ACCESS_KEY"),
      });
    }
  }
  sinks[AGENT_METRICS.sinkId] = { type: "prometheus_exporter", inputs: [AGGREGATOR_IDS.metricsSource], address: `0.0.0.0:${AGENT_METRICS.port}` };
  return {
    data_dir: "/vector-data-dir",
    api: { enabled: true, address: "0.0.0.0:8686", playground: false },
    sources: {
      [AGGREGATOR_IDS.source]: {
        type: "http_server",
        address: `0.0.0.0:${DRAIN_ENDPOINT.port}`,
        path: DRAIN_ENDPOINT.path,
        strict_path: true,
        method: "POST",
        // The raw body, byte for byte: the signature is over it.
        decoding: { codec: "bytes" },
        framing: { method: "bytes" },
        headers: [DRAIN_SIGNATURE_HEADER],
      },
      [AGGREGATOR_IDS.metricsSource]: { type: "internal_metrics" },
    },
    transforms,
    sinks,
  };
}
