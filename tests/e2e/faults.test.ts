/**
 * End to end with the real programs: the prod stack's monitoring objects, loaded the way the
 * Prometheus Operator would load them into a real Prometheus and Alertmanager
 * (./environment.ts), with faults injected into the stand-ins; each case asserts that the right
 * alert reaches the right receiver (PagerDuty for critical, Slack for warning, as the stack's
 * AlertmanagerConfig routes) with its labels and the `runbook_url` of the stack's rule.
 *
 * TIMING IS SHORTENED in this run's own copies: every rule's `for` is 1s and rules are evaluated
 * every second, targets are scraped every 2 seconds (blackbox module timeouts shortened to fit);
 * Alertmanager's group_wait/group_interval are 1s/2s. The thresholds, expressions, labels and
 * routing are the stack's. The real `for` durations are
 * covered by `promtool test rules` (tests/promtool/).
 *
 * Every wait is a bounded poll of the loopback receiver (or of Prometheus), never a fixed sleep.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, requireOk } from "../../tools/engine/stack-run";
import { committedStackRun } from "../helpers/stack-runs";
import { E2eEnvironment, startE2eEnvironment } from "./environment";
import { K8sObject, k8sObjects, kubePrometheusStackSelection, PrometheusSelection } from "./operator";
import { httpGet, waitFor } from "./processes";
import { Delivery, pagerdutyFiring } from "./webhook";

const STACK = "prod";
/** Longest a fault may take to reach a receiver (scrape 1s + rate + for 1s + eval + group_wait 1s, with slack for a busy machine). */
const DELIVERY_TIMEOUT_MS = 45_000;

/**
 * The cluster's Prometheus and Alertmanager, as the stack declares them: kube-prometheus-stack's
 * selectors (`release: kube-prometheus-stack`), or the labels the stack's `prometheusSelectorLabels`
 * says the cluster's `Prometheus` resource selects. Selection is modelled, not assumed: objects
 * without the labels are not loaded.
 */
const SELECTION: PrometheusSelection = clusterSelection(STACK);

function clusterSelection(stack: string): PrometheusSelection {
  const file = join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  const config = (parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
  const declared = config["app-platform:prometheusSelectorLabels"];
  if (declared === undefined) return kubePrometheusStackSelection();
  if (!Array.isArray(declared)) throw new Error(`${file}: app-platform:prometheusSelectorLabels is not a list`);
  const matchLabels = Object.fromEntries(declared.map((e: string) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  const s = { matchLabels };
  return { serviceMonitorSelector: s, podMonitorSelector: s, probeSelector: s, ruleSelector: s, alertmanagerConfigSelector: s };
}

/** A ServiceMonitor (and its Service) without the selector labels, added to the stack's objects: it must not be scraped. */
const UNSELECTED: K8sObject[] = [
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "unselected-api", namespace: "e2e-unselected", labels: { app: "unselected-api" } },
    spec: { selector: { app: "unselected-api" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
  },
  {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: "unselected-api", namespace: "e2e-unselected", labels: { app: "unselected-api" } },
    spec: { selector: { matchLabels: { app: "unselected-api" } }, endpoints: [{ port: "http", path: "/metrics" }] },
  },
];

let env: E2eEnvironment | undefined;
let objects: K8sObject[];
const started = Date.now();

beforeAll(async () => {
  objects = [...k8sObjects(requireOk(await committedStackRun(STACK)).resources), ...UNSELECTED];
  env = await startE2eEnvironment({ objects, selection: SELECTION });
  await env.waitForFirstScrapes(30_000);
}, 180_000);

afterAll(async () => {
  await env?.stop();
  if (process.env.E2E_TIMING) process.stdout.write(`e2e: whole suite ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}, 60_000);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface RuleRef {
  readonly alert: string;
  readonly namespace: string;
  readonly severity: string;
  readonly runbookUrl: string;
  readonly expr: string;
}

/** The stack's rules (their e2e copies), flattened with their namespace label. */
function rules(): RuleRef[] {
  return Object.values(env!.ruleFiles).flatMap((f) =>
    f.groups.flatMap((g: any) =>
      (g.rules ?? [])
        .filter((r: any) => r.alert)
        .map((r: any) => ({
          alert: r.alert,
          namespace: r.labels?.namespace,
          severity: r.labels?.severity,
          runbookUrl: r.annotations?.runbook_url,
          expr: r.expr,
        })),
    ),
  );
}

/** The stack's rule named `alert` in `namespace`; fails the test (naming what exists) when there is none. */
function rule(alert: string, namespace: string): RuleRef {
  const r = rules().find((x) => x.alert === alert && x.namespace === namespace);
  if (!r)
    throw new Error(
      `the ${STACK} stack has no alert ${alert} in ${namespace}; it has: ${rules()
        .filter((x) => x.namespace === namespace)
        .map((x) => x.alert)
        .join(", ")}`,
    );
  return r;
}

/** Rules in `namespace` whose expression matches `pattern`. */
function rulesMatching(namespace: string | undefined, pattern: RegExp): RuleRef[] {
  return rules().filter((r) => (namespace === undefined || r.namespace === namespace) && pattern.test(r.expr));
}

/** The receiver a delivery was sent by (Alertmanager puts it in the PagerDuty `client_url` and the Slack `title_link`). */
function receiverOf(d: Delivery): string | undefined {
  const link: string | undefined = d.kind === "pagerduty" ? d.body?.client_url : d.body?.attachments?.[0]?.title_link;
  const m = /[?&]receiver=([^&]+)/.exec(link ?? "");
  return m ? decodeURIComponent(m[1]) : undefined;
}

/** The stack's receiver `pager`/`chat` of the AlertmanagerConfig in `namespace`, as rendered. */
function receiverName(namespace: string, receiver: "pager" | "chat"): string {
  const key = Object.keys(env!.alertmanager.receivers).find((k) => k.startsWith(`${namespace}/`));
  if (!key) throw new Error(`no AlertmanagerConfig of namespace ${namespace} was rendered`);
  return `${key}/${receiver}`;
}

function slackHas(d: Delivery, alert: string): boolean {
  return d.kind === "slack" && d.body?.attachments?.[0]?.title === `[FIRING] ${alert}`;
}

/**
 * Waits (bounded) until rule `r` fires and reaches `receiver` ("pager" = PagerDuty, "chat" =
 * Slack), then checks the alert's labels (alertname, severity, namespace, and `labels`), its runbook
 * URL, and that it never went to the other receiver.
 */
async function expectDelivered(r: RuleRef, receiver: "pager" | "chat", labels: Record<string, string> = {}): Promise<void> {
  const { alert, namespace } = r;
  const name = receiverName(namespace, receiver);
  const expectedLabels = { alertname: alert, namespace, severity: receiver === "pager" ? "critical" : "warning", ...labels };
  expect(r.severity, `${alert} severity in the stack`).toBe(expectedLabels.severity);

  if (receiver === "pager") {
    const d = await env!.webhook.waitFor(
      `${alert} (${namespace}) at PagerDuty receiver ${name}`,
      (x) =>
        x.kind === "pagerduty" && receiverOf(x) === name && pagerdutyFiring(x).some((a) => a.labels.alertname === alert && matchesLabels(a.labels, labels)),
      DELIVERY_TIMEOUT_MS,
    );
    const a = pagerdutyFiring(d).find((x) => x.labels.alertname === alert && matchesLabels(x.labels, labels))!;
    expect(a.labels).toMatchObject(expectedLabels);
    expect(a.annotations.runbook_url).toBe(r.runbookUrl);
    expect(d.body.routing_key).toBeTruthy();
    expect(d.body.payload.severity).toBe("critical");
  } else {
    const d = await env!.webhook.waitFor(
      `${alert} (${namespace}) at Slack receiver ${name}`,
      (x) => slackHas(x, alert) && receiverOf(x) === name,
      DELIVERY_TIMEOUT_MS,
    );
    expect(d.body.attachments[0].text).toContain(`Runbook: ${r.runbookUrl}\n`);
    // The Slack text carries no labels; Alertmanager's API shows the alert it sent, with them.
    const held = (await env!.alertmanagerAlerts()).filter(
      (x) => x.labels.alertname === alert && x.labels.namespace === namespace && matchesLabels(x.labels, labels),
    );
    expect(held.length, `${alert} held by Alertmanager`).toBeGreaterThan(0);
    for (const h of held) {
      expect(h.labels).toMatchObject(expectedLabels);
      expect(h.annotations.runbook_url).toBe(r.runbookUrl);
      expect(h.receivers.map((x) => x.name)).toEqual([name]);
    }
  }
  const other = receiver === "pager" ? "slack" : "pagerduty";
  const wrong = env!.webhook
    .deliveries()
    .filter(
      (x) =>
        x.kind === other &&
        (other === "slack" ? slackHas(x, alert) : pagerdutyFiring(x).some((a) => a.labels.alertname === alert)) &&
        receiverOf(x)?.startsWith(`${namespace}/`),
    );
  expect(wrong, `${alert} must not reach ${other}`).toEqual([]);
}

function matchesLabels(actual: Record<string, string>, expected: Record<string, string>): boolean {
  return Object.entries(expected).every(([k, v]) => actual[k] === v);
}

/** Waits until the PromQL `expr` returns at least one series (bounded). */
async function waitForSeries(expr: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(`series for ${expr}`, async () => ((await env!.query(expr)).length > 0 ? true : undefined), { timeoutMs });
}

/** Waits (bounded) until every rule group has been evaluated after `time` (ms since the epoch). */
async function waitForEvaluations(time: number): Promise<void> {
  await waitFor(
    `every rule group evaluated after ${new Date(time).toISOString()}`,
    async () => {
      const groups = JSON.parse((await httpGet(`${env!.prometheusUrl}/api/v1/rules`)).body).data.groups as { lastEvaluation: string }[];
      return groups.length > 0 && groups.every((g) => Date.parse(g.lastEvaluation) > time) ? true : undefined;
    },
    { timeoutMs: 20_000 },
  );
}

/** Alerts Prometheus has firing right now. */
async function firing(): Promise<{ labels: Record<string, string>; state: string }[]> {
  const r = JSON.parse((await httpGet(`${env!.prometheusUrl}/api/v1/alerts`)).body);
  return r.data.alerts.filter((a: any) => a.state === "firing");
}

// ---------------------------------------------------------------------------------------------
// What Prometheus scrapes
// ---------------------------------------------------------------------------------------------

describe(`${STACK}: what the operator-derived configuration scrapes`, () => {
  it("scrapes every ServiceMonitor the Prometheus selects, with the labels the operator gives", async () => {
    expect(
      env!.derived.scraped.filter((s) => s.startsWith("ServiceMonitor ")).length,
      `selected: ${env!.derived.scraped}\nnot selected: ${env!.derived.notSelected}`,
    ).toBeGreaterThan(0);
    const up = await env!.query('up{job="codebook-api"}');
    expect(up).toHaveLength(1);
    const app = env!.services.get("codebook-prod/codebook-api")!;
    expect(up[0].metric).toEqual({
      __name__: "up",
      job: "codebook-api", // the Service name
      namespace: "codebook-prod",
      service: "codebook-api",
      pod: "codebook-api-e2e-0",
      container: up[0].metric.container, // the Deployment's container name
      endpoint: "http",
      instance: app.address,
    });
    expect(up[0].value[1]).toBe("1");
  });

  it("does not scrape a ServiceMonitor the Prometheus would not select", async () => {
    expect(env!.derived.notSelected).toContain("ServiceMonitor e2e-unselected/unselected-api");
    const app = env!.services.get("e2e-unselected/unselected-api")!;
    const targets = JSON.parse((await httpGet(`${env!.prometheusUrl}/api/v1/targets`)).body).data.activeTargets as { scrapeUrl: string }[];
    expect(targets.some((t) => t.scrapeUrl.includes(app.address))).toBe(false);
    expect(app.scrapes()).toBe(0);
    expect(await env!.query('up{namespace="e2e-unselected"}')).toEqual([]);
  });

  it("nothing fires while every stand-in is healthy, except alerts that need a cluster prerequisite", async () => {
    // Alerts raised before the first scrapes (absent `up`) resolve at the next evaluations.
    await waitForEvaluations(Date.now() + 2_000);
    const names = (await firing()).map((a) => `${a.labels.alertname}{namespace=${a.labels.namespace}}`);
    // kube-state-metrics and node_exporter are cluster prerequisites the e2e run does not stand in for.
    const allowed = /BackupStale|Absent|KubeStateMetrics|NodeExporter/;
    expect(names.filter((n) => !allowed.test(n))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

describe(`${STACK}: faults reach the right receiver`, { timeout: 120_000 }, () => {
  it("5xx below both thresholds (1 %) raises nothing, once the rules have evaluated it", async () => {
    const app = env!.services.get("codebook-prod/codebook-api")!;
    const warning = rule("HighErrorRateWarning", "codebook-prod");
    // The warning's expression without its comparison: the ratio the rule sees.
    const ratio = warning.expr.replace(/\s*>\s*[0-9.]+\s*$/, "");
    expect(ratio).not.toBe(warning.expr);
    app.state.errorRatio = 0.01;
    try {
      const seen = await waitFor(
        "a non-zero 5xx ratio",
        async () => {
          const r = await env!.query(`(${ratio}) > 0`);
          return r.length > 0 ? Number(r[0].value[1]) : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(seen).toBeLessThan(0.02);
      // Evaluations after the ratio was visible (each second): a breach would be pending or firing by then.
      await waitForEvaluations(Date.now() + 2_000);
      const alerts = JSON.parse((await httpGet(`${env!.prometheusUrl}/api/v1/alerts`)).body).data.alerts as { labels: Record<string, string> }[];
      expect(alerts.filter((a) => /^HighErrorRate/.test(a.labels.alertname) && a.labels.namespace === "codebook-prod")).toEqual([]);
    } finally {
      app.state.errorRatio = 0;
    }
  });

  it("the app answers 5xx above the threshold: HighErrorRate pages, HighErrorRateWarning goes to chat", async () => {
    const app = env!.services.get("codebook-prod/codebook-api")!;
    app.state.errorRatio = 0.5;
    try {
      await expectDelivered(rule("HighErrorRate", "codebook-prod"), "pager");
      await expectDelivered(rule("HighErrorRateWarning", "codebook-prod"), "chat");
    } finally {
      app.state.errorRatio = 0;
    }
  });

  it("a scrape target stops answering (up == 0): the worker-down alert pages", async () => {
    const app = env!.services.get("ask-dahlia-prod/ask-dahlia-worker")!;
    const down = rulesMatching("ask-dahlia-prod", /^\s*up\{[^}]*job="ask-dahlia-worker"[^}]*\}\s*==\s*0\s*$/);
    expect(
      down.map((r) => r.alert),
      "an up == 0 alert for ask-dahlia-worker",
    ).not.toEqual([]);
    await app.down();
    try {
      await expectDelivered(down[0], "pager", { job: "ask-dahlia-worker" });
    } finally {
      await app.up();
    }
  });

  it("a scrape target disappears (its endpoints vanish): the absent-target alert pages", async () => {
    const absent = rulesMatching("codebook-prod", /absent\(up\{[^}]*job="codebook-api"[^}]*\}\)/);
    expect(
      absent.map((r) => r.alert),
      'an absent(up{job="codebook-api"}) alert',
    ).not.toEqual([]);
    env!.setServiceEndpoints("codebook-prod", "codebook-api", false);
    try {
      await expectDelivered(absent[0], "pager", { job: "codebook-api" });
    } finally {
      env!.setServiceEndpoints("codebook-prod", "codebook-api", true);
    }
  });

  it("a health endpoint goes down: its probe alert fires", async () => {
    const probed = [...env!.hosts.keys()];
    expect(probed, "hosts the stack's Probes check").not.toEqual([]);
    const healthAlerts = rulesMatching(undefined, /probe_success\{[^}]*\}\s*==\s*0/);
    // The probe of codebook's API health endpoint.
    const target = probeTargets().find((t) => /codebook-api\..*\/health$/.test(t));
    expect(target, `a Probe of codebook-api's /health; probed: ${probeTargets().join(", ")}`).toBeDefined();
    const host = new URL(target!).hostname;
    const job = probeJobOf(target!);
    const alert = healthAlerts.find((r) => r.expr.includes(`job="${job}"`) || r.expr.includes(`instance="${target}"`));
    expect(alert, `an alert on probe_success of ${target} (job ${job})`).toBeDefined();
    env!.hosts.get(host)!.state.healthy = false;
    try {
      await expectDelivered(alert!, "pager", { instance: target! });
    } finally {
      env!.hosts.get(host)!.state.healthy = true;
    }
  });

  it("a TLS certificate close to expiry (7 days, made with openssl): TlsCertificateExpiringSoon goes to chat", async () => {
    const target = probeTargets().find((t) => /^https:\/\/codebook-api\./.test(t));
    expect(target, `an https Probe target of codebook-api; probed: ${probeTargets().join(", ")}`).toBeDefined();
    const host = new URL(target!).hostname;
    const app = env!.hosts.get(host)!;
    const cert = env!.ca.issue(host, 7);
    app.setCertificate(cert);
    await waitForSeries(`probe_ssl_earliest_cert_expiry{instance="${target}"} < ${Math.ceil(cert.notAfter.getTime() / 1000) + 1}`);
    const tls = rulesMatching("codebook-prod", /probe_ssl_earliest_cert_expiry/).filter(
      (r) => r.expr.includes(`job="${probeJobOf(target!)}"`) || r.expr.includes(`instance="${target}"`),
    );
    expect(
      tls.map((r) => r.alert),
      `a certificate-expiry alert on ${target}`,
    ).toEqual(["TlsCertificateExpiringSoon"]);
    await expectDelivered(tls[0], "chat", { instance: target! });
  });

  it("PostgreSQL connections above 80 %: DatabaseConnectionsHigh goes to chat", async () => {
    const high = rule("DatabaseConnectionsHigh", "voyager-prod");
    const job = /job="([^"]+)"/.exec(high.expr)![1];
    await waitForSeries(`pg_settings_max_connections{job="${job}"}`);
    const max = Number((await env!.query(`pg_settings_max_connections{job="${job}"}`))[0].value[1]);
    // The exporter holds one connection; open enough to pass 80 % of max_connections.
    const holders = openConnections(Math.floor(max * 0.8) + 1);
    // The alert aggregates `by (instance)`: the exporter's target.
    const instance = (await env!.query(`up{job="${job}"}`))[0].metric.instance;
    try {
      await expectDelivered(high, "chat", { instance });
    } finally {
      holders.close();
    }
  });

  it("DatabaseStorageHigh reads series the real postgres_exporter produces: with the stack's 10 GiB limit it is silent, scaled to the test database it returns the exporter's instance", async () => {
    const storage = rule("DatabaseStorageHigh", "voyager-prod");
    // The stack's expression: sum by (instance) (pg_database_size_bytes{...}) / <limit bytes> > 0.8
    const m = /^(sum by \(instance\) \(pg_database_size_bytes\{[^}]*\}\)) \/ (\d+) > (0\.\d+)$/.exec(storage.expr);
    expect(m, storage.expr).not.toBeNull();
    const [, size, limit, ratio] = m!;
    expect(Number(limit)).toBe(10 * 2 ** 30); // voyagerDatabaseStorageLimitGib's default
    await waitForSeries(size);
    // The e2e database is a few MiB: the stack's own expression does not fire ...
    expect(await env!.query(storage.expr)).toEqual([]);
    // ... and the same expression with a limit just above 80 % of what the exporter measured would.
    const measured = Number((await env!.query(size))[0].value[1]);
    expect(measured).toBeGreaterThan(1_000_000);
    const scaled = await env!.query(`${size} / ${Math.floor(measured / Number(ratio)) - 1} > ${ratio}`);
    const job = /job="([^"]+)"/.exec(storage.expr)![1];
    const instance = (await env!.query(`up{job="${job}"}`))[0].metric.instance;
    expect(scaled.map((r) => r.metric.instance)).toEqual([instance]);
  });

  it("PostgreSQL stops: the database-down alert pages", async () => {
    const down = rulesMatching(undefined, /pg_up\{[^}]*\}\s*==\s*0/);
    expect(
      down.map((r) => `${r.alert}{${r.namespace}}`),
      "a pg_up == 0 alert",
    ).not.toEqual([]);
    const dataDir = env!.pg.psql("postgres", "SHOW data_directory;").trim();
    const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    const stop = spawnSync(
      asPostgres[0] ?? `${env!.pg.tools.binDir}/pg_ctl`,
      [...asPostgres.slice(1), ...(asPostgres.length ? [`${env!.pg.tools.binDir}/pg_ctl`] : []), "-D", dataDir, "-m", "fast", "-w", "stop"],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(stop.status, stop.stderr).toBe(0);
    // Each product's rule reads its own exporter job; here one postgres_exporter serves all four
    // jobs, and under load some of its scrapes of a stopped database outlast the scrape timeout
    // (then ScrapeTargetDown pages instead, up == 0). The claim: pg_up == 0 pages, for whichever product's
    // scrape answers first.
    await Promise.any(
      down.map((r) => {
        const job = /job="([^"]+)"/.exec(r.expr)?.[1];
        return expectDelivered(r, "pager", job ? { job } : {});
      }),
    ).catch((e: AggregateError) => {
      throw e.errors?.[0] ?? e;
    });
  });
});

/** Every static target of the selected Probes. */
function probeTargets(): string[] {
  return env!.derived.scrapeConfigs.filter((c) => c.job_name.startsWith("probe/")).flatMap((c: any) => c.static_configs[0].targets as string[]);
}

/** The `job` label a Probe target's series carry (its jobName, else `probe/<ns>/<name>`). */
function probeJobOf(target: string): string {
  const c: any = env!.derived.scrapeConfigs.find((x: any) => x.job_name.startsWith("probe/") && x.static_configs[0].targets.includes(target));
  const named = (c.relabel_configs as any[]).find((r) => r.target_label === "job" && r.replacement);
  return named ? named.replacement : c.job_name;
}

/** Opens `n` idle connections to the e2e PostgreSQL (psql sessions in one process group). */
function openConnections(n: number): { close(): void } {
  const url = env!.pg.url("postgres");
  const group = spawn("sh", ["-c", `for i in $(seq ${n}); do psql -X -q -d "$PGURL" -c "SELECT pg_sleep(120)" >/dev/null 2>&1 & done; wait`], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, PGURL: url },
  });
  return {
    close() {
      try {
        process.kill(-group.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      // A backend in pg_sleep notices its client is gone only when the sleep ends; end them now.
      env!.pg.psql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(120)' AND pid <> pg_backend_pid();");
    },
  };
}
