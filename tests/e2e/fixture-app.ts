/**
 * A stand-in for a product's pod or public host: serves the metrics contract the alert builders
 * read (components/monitoring/alerts/ `METRICS`) on `/metrics`, a health endpoint on every path ending in
 * `health`, a Statuspage `status.json` (what dependency probes read) and otherwise a page, each with
 * the seed's security headers (seed 004 "Security Headers"), over HTTP (what the ServiceMonitor
 * scrapes) and optionally HTTPS with a given certificate (what a blackbox Probe checks). It can be
 * told to fail:
 *
 * - `errorRatio`: the share of the requests counted since the last scrape that answered 5xx;
 * - `healthy = false`: health endpoints and pages answer 503, `status.json` reports a major outage;
 * - `down()`: stops listening (connection refused), `up()` listens again on the same ports.
 *
 * Every scrape counts 100 more requests, so rates exist from the second scrape on.
 */
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer, Server as HttpsServer } from "node:https";
import { METRICS } from "../../components/monitoring/alerts";

export interface FixtureState {
  /** Share of requests answered with status 500 (0..1). @default 0 */
  errorRatio: number;
  /** Whether health endpoints answer 200. @default true */
  healthy: boolean;
  /** Open SSE connections reported. @default 3 */
  sseConnections: number;
  /** Pending jobs reported. @default 0 */
  jobQueueDepth: number;
}

export interface FixtureApp {
  /** `127.0.0.1:<port>` of the HTTP listener. */
  readonly address: string;
  /** `127.0.0.1:<port>` of the HTTPS listener, when a certificate was given. */
  readonly tlsAddress?: string;
  readonly state: FixtureState;
  /** Scrapes of /metrics served so far. */
  scrapes(): number;
  /** Stops listening; in-flight connections are cut. */
  down(): Promise<void>;
  /** Listens again on the same ports. */
  up(): Promise<void>;
  /** Serves another certificate on the HTTPS listener from the next connection on. */
  setCertificate(tls: { readonly cert: string; readonly key: string }): void;
  close(): Promise<void>;
}

const REQUESTS_PER_SCRAPE = 100;
/** seed 004 "Security Headers" (vercel.json), sent on every page as the deployed apps do. */
const SECURITY_HEADERS = {
  "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "content-security-policy": "default-src 'self'",
};
/** Buckets of the duration histogram (Prometheus client defaults). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface FixtureOptions {
  /** PEM certificate chain and key for the HTTPS listener. */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly state?: Partial<FixtureState>;
  /**
   * The response headers the host sends, as the deployed app's route sets them (the values the
   * stack's headers probe checks). @default seed 004's security headers
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** A host that redirects (Vercel's apex/www → app redirect): every page answers this status. @default none */
  readonly redirectStatus?: number;
  /**
   * Components of a Statuspage `components.json` this host serves (Statuspage API v2 shape:
   * `{ page, components: [{ id, name, status, ... }] }`, https://developer.statuspage.io/), all
   * `operational` while healthy, `major_outage` otherwise. @default []
   */
  readonly statusComponents?: readonly string[];
}

export async function startFixtureApp(options: FixtureOptions = {}): Promise<FixtureApp> {
  const state: FixtureState = { errorRatio: 0, healthy: true, sseConnections: 3, jobQueueDepth: 0, ...options.state };
  const headers = options.headers ?? SECURITY_HEADERS;
  const counts = { ok: 0, error: 0, scrapes: 0 };

  const metrics = (): string => {
    counts.scrapes++;
    const errors = Math.round(REQUESTS_PER_SCRAPE * state.errorRatio);
    counts.error += errors;
    counts.ok += REQUESTS_PER_SCRAPE - errors;
    const total = counts.ok + counts.error;
    const lines = [
      `# TYPE ${METRICS.httpRequests} counter`,
      `${METRICS.httpRequests}{method="GET",status="200"} ${counts.ok}`,
      `${METRICS.httpRequests}{method="GET",status="500"} ${counts.error}`,
      `# TYPE ${METRICS.httpDurationBucket.replace(/_bucket$/, "")} histogram`,
      // every request takes ~40 ms
      ...BUCKETS.map((le) => `${METRICS.httpDurationBucket}{le="${le}"} ${le >= 0.05 ? total : 0}`),
      `${METRICS.httpDurationBucket}{le="+Inf"} ${total}`,
      `${METRICS.httpDurationBucket.replace(/_bucket$/, "_sum")} ${(total * 0.04).toFixed(3)}`,
      `${METRICS.httpDurationBucket.replace(/_bucket$/, "_count")} ${total}`,
      `# TYPE ${METRICS.jobQueueDepth} gauge`,
      `${METRICS.jobQueueDepth} ${state.jobQueueDepth}`,
      `# TYPE ${METRICS.sseConnections} gauge`,
      `${METRICS.sseConnections} ${state.sseConnections}`,
      `# TYPE ${METRICS.llmRequests} counter`,
      `${METRICS.llmRequests}{provider="openai"} ${counts.scrapes * 10}`,
      `# TYPE ${METRICS.llmRequestErrors} counter`,
      `${METRICS.llmRequestErrors}{provider="openai"} 0`,
      `# TYPE ${METRICS.llmTokensUsed} gauge`,
      `${METRICS.llmTokensUsed}{client_id="fixture"} 1000`,
      `# TYPE ${METRICS.llmTokenQuota} gauge`,
      `${METRICS.llmTokenQuota}{client_id="fixture"} 100000`,
    ];
    return lines.join("\n") + "\n";
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(metrics());
    } else if (/components\.json$/.test(path)) {
      const status = state.healthy ? "operational" : "major_outage";
      const components = (options.statusComponents ?? []).map((name, i) => ({
        id: `c${i}`,
        name,
        status,
        position: i + 1,
        group: false,
        only_show_if_degraded: false,
      }));
      res
        .writeHead(200, { "content-type": "application/json", ...headers })
        .end(JSON.stringify({ page: { id: "fixture", name: "Fixture status" }, components }));
    } else if (/status\.json$/.test(path)) {
      const indicator = state.healthy ? "none" : "major";
      res.writeHead(200, { "content-type": "application/json", ...headers }).end(JSON.stringify({ status: { indicator, description: indicator } }));
    } else if (options.redirectStatus !== undefined && state.healthy) {
      res.writeHead(options.redirectStatus, { location: "https://app.example.com/", ...headers }).end();
    } else {
      res.writeHead(state.healthy ? 200 : 503, { "content-type": "text/plain", ...headers }).end(state.healthy ? "ok\n" : "unhealthy\n");
    }
  };

  const servers: Server[] = [createHttpServer(handler)];
  if (options.tls) servers.push(createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler));
  const ports: number[] = [];
  const listen = (s: Server, port = 0) =>
    new Promise<number>((resolve, reject) => {
      s.once("error", reject).listen(port, "127.0.0.1", () => resolve((s.address() as { port: number }).port));
    });
  const close = (s: Server) =>
    new Promise<void>((resolve) => {
      if (!s.listening) return resolve();
      s.close(() => resolve());
      s.closeAllConnections();
    });
  for (const s of servers) ports.push(await listen(s));

  return {
    address: `127.0.0.1:${ports[0]}`,
    tlsAddress: options.tls ? `127.0.0.1:${ports[1]}` : undefined,
    state,
    scrapes: () => counts.scrapes,
    down: async () => {
      await Promise.all(servers.map(close));
    },
    up: async () => {
      for (const [i, s] of servers.entries()) if (!s.listening) await listen(s, ports[i]);
    },
    setCertificate: (tls) => {
      if (!options.tls) throw new Error("this fixture app has no HTTPS listener");
      (servers[1] as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key });
      // keep-alive connections would go on with the old certificate
      servers[1].closeIdleConnections();
    },
    close: async () => {
      await Promise.all(servers.map(close));
    },
  };
}
