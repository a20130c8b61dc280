/**
 * Loopback receivers standing in for PagerDuty (Events API v2) and Slack (incoming webhook): the
 * real Alertmanager sends its real PagerDuty and Slack payloads here, and the tests read back which
 * alerts reached which receiver.
 *
 * - PagerDuty: `POST /pagerduty/v2/enqueue` (Alertmanager's `global.pagerduty_url`). The alerts of
 *   an event are in `payload.custom_details.firing`, Alertmanager's default text listing each
 *   alert's labels and annotations; `parsePagerdutyAlerts` reads them back.
 * - Slack: `POST /slack/<anything>` (the receivers Secret's webhook URL). The stack's own title and
 *   text templates render the alert name, description and runbook URL.
 */
import { createServer, Server } from "node:http";
import { waitFor } from "./processes";

export interface Delivery {
  readonly kind: "pagerduty" | "slack";
  readonly path: string;
  readonly body: any;
  readonly at: number;
}

/** One alert as the PagerDuty default details text lists it. */
export interface ListedAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export interface WebhookReceiver {
  readonly url: string;
  /** Alertmanager's `pagerduty_url`. */
  readonly pagerdutyUrl: string;
  /** A Slack incoming-webhook URL on loopback. */
  readonly slackUrl: string;
  deliveries(): readonly Delivery[];
  /** Waits until a delivery satisfies `match` (bounded by `timeoutMs`), and returns it. */
  waitFor(what: string, match: (d: Delivery) => boolean, timeoutMs: number): Promise<Delivery>;
  close(): Promise<void>;
}

/** Parses Alertmanager's default `__text_alert_list` (`Labels:\n - k = v\nAnnotations:\n - k = v\nSource: ...`). */
export function parsePagerdutyAlerts(text: string | undefined): ListedAlert[] {
  const out: ListedAlert[] = [];
  if (!text) return out;
  for (const block of text.split(/^Labels:\n/m).slice(1)) {
    const [labelPart, rest = ""] = block.split(/^Annotations:\n/m);
    const annotationPart = rest.split(/^Source:/m)[0];
    const pairs = (part: string): Record<string, string> => Object.fromEntries([...part.matchAll(/^ - ([^=\n]+?) = (.*)$/gm)].map((m) => [m[1], m[2]]));
    out.push({ labels: pairs(labelPart), annotations: pairs(annotationPart) });
  }
  return out;
}

/** The firing alerts of a PagerDuty delivery. */
export function pagerdutyFiring(d: Delivery): ListedAlert[] {
  return d.kind === "pagerduty" && d.body?.event_action === "trigger" ? parsePagerdutyAlerts(d.body?.payload?.custom_details?.firing) : [];
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const kind = path.startsWith("/pagerduty/") ? "pagerduty" : path.startsWith("/slack/") ? "slack" : undefined;
      if (req.method !== "POST" || !kind) {
        res.writeHead(404).end();
        return;
      }
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end();
        return;
      }
      received.push({ kind, path, body, at: Date.now() });
      if (kind === "pagerduty") res.writeHead(202, { "content-type": "application/json" }).end('{"status":"success","message":"Event processed"}');
      else res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    pagerdutyUrl: `${url}/pagerduty/v2/enqueue`,
    slackUrl: `${url}/slack/services/T000/B000/e2e`,
    deliveries: () => received,
    waitFor: (what, match, timeoutMs) =>
      waitFor(what, () => received.find(match), {
        timeoutMs,
        describe: () => `deliveries so far:\n${received.map((d) => `${d.kind} ${JSON.stringify(d.body).slice(0, 600)}`).join("\n") || "(none)"}`,
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
