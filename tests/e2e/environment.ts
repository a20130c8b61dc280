/**
 * The end-to-end monitoring environment of one stack, on 127.0.0.1 only:
 *
 * - a real PostgreSQL (tests/drill/postgres.ts) and a real postgres_exporter against it;
 * - a real blackbox_exporter;
 * - a fixture app (./fixture-app.ts) standing in for the pods behind every Service the stack's
 *   selected ServiceMonitors scrape, except postgres_exporter Deployments, which the real exporter
 *   stands in for; and one per public host a selected Probe checks, serving HTTPS with a
 *   certificate from a test CA made with openssl;
 * - a real Prometheus loaded with the stack's selected PrometheusRules and the scrape
 *   configuration the operator would derive from its ServiceMonitors, PodMonitors and Probes
 *   (./operator.ts);
 * - a real Alertmanager routing as the stack's AlertmanagerConfigs say (./alertmanager-config.ts),
 *   its PagerDuty and Slack receivers pointed at loopback webhook receivers (./webhook.ts).
 *
 * Timing: the run shortens what would make it take minutes, in its own copies only. Every rule's
 * `for` becomes `E2E_FOR` and groups are evaluated every `E2E_INTERVAL`; targets are scraped every
 * `E2E_SCRAPE_INTERVAL`; blackbox module timeouts shrink to fit that; Alertmanager's
 * `group_wait`/`group_interval` become 1s/2s. Thresholds, selectors,
 * labels, annotations and the routing tree are the stack's own; `promtool test rules`
 * (tests/promtool/) covers the real `for` durations.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { BLACKBOX_CONFIG_KEY } from "../../components/monitoring/blackbox-modules";
import { ensurePostgresTools, PostgresServer, startPostgres } from "../drill/postgres";
import { renderAlertmanagerConfig, RenderedAlertmanagerConfig, SecretReader, stackSecretReader } from "./alertmanager-config";
import { e2eBinaries } from "./binaries";
import { FixtureApp, startFixtureApp } from "./fixture-app";
import {
  deriveScrapeConfig,
  DerivedScrape,
  K8sObject,
  matchesSelector,
  PrometheusSelection,
  selectObjects,
  selectRules,
  StandInPod,
  StandIns,
  writeTargetFiles,
} from "./operator";
import { freePort, httpGet, ServerProcess, startServer, waitFor, waitReady } from "./processes";
import { createTestCa, TestCa } from "./tls";
import { startWebhookReceiver, WebhookReceiver } from "./webhook";

/** Rule-evaluation interval of the e2e run. */
export const E2E_INTERVAL = "1s";
/** Scrape interval (and timeout) of the e2e run: room for postgres_exporter's queries on a busy machine. */
export const E2E_SCRAPE_INTERVAL = "2s";
/** `for` of every alert in the e2e run's copies of the rules. */
export const E2E_FOR = "1s";
/** Days a healthy stand-in certificate is valid; the TLS alert threshold is 30 days (seeds). */
export const HEALTHY_CERT_DAYS = 365;

/** A Deployment whose containers run postgres_exporter (any image whose name says so). */
function isPostgresExporter(d: K8sObject): boolean {
  return ((d.spec?.template?.spec?.containers ?? []) as { image?: string }[]).some((c) => /postgres[-_]exporter/.test(c.image ?? ""));
}

/** The Deployment behind a Service (its pod template matches the Service's selector). */
function workloadOf(objects: readonly K8sObject[], svc: K8sObject): K8sObject | undefined {
  const selector = svc.spec?.selector;
  if (!selector) return undefined;
  return objects.find(
    (o) =>
      o.kind === "Deployment" &&
      o.metadata.namespace === svc.metadata.namespace &&
      matchesSelector(o.spec?.template?.metadata?.labels, { matchLabels: selector }),
  );
}

function containerFor(workload: K8sObject | undefined, portName: string, svc: K8sObject): string {
  const containers = (workload?.spec?.template?.spec?.containers ?? []) as { name: string; ports?: { name?: string }[] }[];
  const target = ((svc.spec?.ports ?? []) as { name?: string; targetPort?: unknown }[]).find((p) => p.name === portName)?.targetPort;
  return (containers.find((c) => (c.ports ?? []).some((p) => p.name === target)) ?? containers[0])?.name ?? svc.metadata.name;
}

/** The stack's `blackbox.yaml` from its module Secret (`stringData`, else base64 `data`), if it has one. */
function shippedBlackboxConfig(objects: readonly K8sObject[]): { object: K8sObject; text: string } | undefined {
  for (const o of objects) {
    if (o.kind !== "Secret") continue;
    const text =
      o.stringData?.[BLACKBOX_CONFIG_KEY] ??
      (o.data?.[BLACKBOX_CONFIG_KEY] !== undefined ? Buffer.from(o.data[BLACKBOX_CONFIG_KEY], "base64").toString("utf8") : undefined);
    if (typeof text === "string") return { object: o, text };
  }
  return undefined;
}

/**
 * The blackbox_exporter configuration for `probes`: the stack's `blackbox.yaml` Secret when it
 * has one (every module a Probe names must be there), else `{ prober: http }` per module name.
 * Every http module gets `tls_config.ca_file: caFile`.
 */
export function blackboxConfigFor(objects: readonly K8sObject[], probes: readonly K8sObject[], caFile: string): { modules: Record<string, any> } {
  const shipped = shippedBlackboxConfig(objects);
  const modules: Record<string, any> = shipped ? (parse(shipped.text) as { modules: Record<string, any> }).modules : {};
  for (const p of probes) {
    const m = String(p.spec?.module);
    if (modules[m]) continue;
    if (shipped)
      throw new Error(
        `Probe ${p.metadata.namespace}/${p.metadata.name} names module "${m}", which Secret ${shipped.object.metadata.namespace}/${shipped.object.metadata.name} does not define`,
      );
    modules[m] = { prober: "http", timeout: "2s", http: { preferred_ip_protocol: "ip4", valid_status_codes: [] } };
  }
  if (Object.keys(modules).length === 0) modules.http_2xx = { prober: "http", http: { preferred_ip_protocol: "ip4" } };
  for (const m of Object.values(modules)) {
    if (m.prober === "http") m.http = { ...(m.http ?? {}), tls_config: { ...(m.http?.tls_config ?? {}), ca_file: caFile } };
    // The e2e scrape timeout is 2s (blackbox keeps 0.5s of it); a longer module timeout would outlive the scrape.
    m.timeout = "1500ms";
  }
  return { modules };
}

export interface E2eEnvironmentOptions {
  /** The stack's Kubernetes objects (./operator.ts `k8sObjects`). */
  readonly objects: readonly K8sObject[];
  /** The cluster's Prometheus/Alertmanager selectors. */
  readonly selection: PrometheusSelection;
  /** Log and work directory root. @default a temp directory, removed by `stop()` */
  readonly workDir?: string;
}

export interface E2eEnvironment {
  readonly dir: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly webhook: WebhookReceiver;
  readonly pg: PostgresServer;
  readonly ca: TestCa;
  readonly derived: DerivedScrape;
  readonly alertmanager: RenderedAlertmanagerConfig;
  /** The e2e copies of the selected rules: file name → `{ groups }`. */
  readonly ruleFiles: Record<string, { groups: any[] }>;
  /** Fixture app per `namespace/service`. */
  readonly services: ReadonlyMap<string, FixtureApp>;
  /** Fixture app per probed host name. */
  readonly hosts: ReadonlyMap<string, FixtureApp>;
  /** `namespace/service` of Services whose pods are the real postgres_exporter. */
  readonly exporterServices: readonly string[];
  readonly processes: Readonly<Record<"prometheus" | "alertmanager" | "blackbox" | "postgresExporter", ServerProcess>>;
  /** Rewrites the file_sd files without the targets of Service `namespace/name` (its endpoints vanish), or with them again. */
  setServiceEndpoints(namespace: string, name: string, present: boolean): void;
  /** Prometheus' instant query; returns the result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Alerts Alertmanager holds (API v2), with their receivers. */
  alertmanagerAlerts(): Promise<
    { labels: Record<string, string>; annotations: Record<string, string>; receivers: { name: string }[]; status: { state: string } }[]
  >;
  /** Waits (bounded) until every scrape target of the derived configuration has been scraped once. */
  waitForFirstScrapes(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Rule groups as the e2e run loads them: `for` shortened, group intervals dropped (global `E2E_INTERVAL`). */
export function e2eRuleGroups(groups: readonly any[]): any[] {
  return groups.map(({ interval: _interval, ...g }) => ({
    ...g,
    rules: (g.rules ?? []).map((r: any) => ("alert" in r && r.for !== undefined ? { ...r, for: E2E_FOR } : r)),
  }));
}

/** Alertmanager routes with the e2e run's short group timers (every level that sets them). */
export function e2eAlertmanagerTimers(config: Record<string, any>): Record<string, any> {
  const walk = (route: any): any => ({
    ...route,
    ...(route.group_wait !== undefined || route === config.route ? { group_wait: "1s" } : {}),
    ...(route.group_interval !== undefined || route === config.route ? { group_interval: "2s" } : {}),
    ...(route.routes ? { routes: route.routes.map(walk) } : {}),
  });
  return { ...config, route: walk(config.route) };
}

export async function startE2eEnvironment(options: E2eEnvironmentOptions): Promise<E2eEnvironment> {
  const bin = e2eBinaries();
  const dir = options.workDir ?? mkdtempSync(join(tmpdir(), "app-platform-e2e-"));
  for (const d of ["rules", "targets", "prometheus-data", "alertmanager-data", "tls"]) mkdirSync(join(dir, d), { recursive: true });
  const objects = options.objects;
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        // keep stopping the rest
      }
    }
    cleanups.length = 0;
  };

  try {
    // PostgreSQL and its exporter --------------------------------------------------------------
    const pg = await startPostgres(ensurePostgresTools());
    cleanups.push(() => pg.stop());
    const exporterPort = await freePort();
    const postgresExporter = startServer(
      "postgres_exporter",
      bin.postgresExporter,
      [`--web.listen-address=127.0.0.1:${exporterPort}`, "--log.level=warn"],
      join(dir, "postgres-exporter.log"),
      // The DSN only through the environment, as the stack's Deployment passes it (never argv).
      { DATA_SOURCE_NAME: `${pg.url("postgres")}?sslmode=disable` },
    );
    cleanups.push(() => postgresExporter.stop());
    await waitReady(postgresExporter, `http://127.0.0.1:${exporterPort}/metrics`);

    // Webhook receivers and the stand-in apps ---------------------------------------------------
    const webhook = await startWebhookReceiver();
    cleanups.push(() => webhook.close());
    const ca = createTestCa(bin.openssl, join(dir, "tls"));

    const services = new Map<string, FixtureApp>();
    const exporterServices: string[] = [];
    const pods = new Map<string, StandInPod[]>();
    for (const svc of objects.filter((o) => o.kind === "Service" && o.apiVersion === "v1")) {
      const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
      const workload = workloadOf(objects, svc);
      let address: string;
      if (workload && isPostgresExporter(workload)) {
        address = `127.0.0.1:${exporterPort}`;
        exporterServices.push(key);
      } else {
        const app = await startFixtureApp();
        cleanups.push(() => app.close());
        services.set(key, app);
        address = app.address;
      }
      for (const port of (svc.spec?.ports ?? []) as { name?: string }[]) {
        if (!port.name) continue;
        const pod = `${workload?.metadata.name ?? svc.metadata.name}-e2e-0`;
        pods.set(`${key}/${port.name}`, [{ address, pod, container: containerFor(workload, port.name, svc) }]);
      }
    }
    const hosts = new Map<string, FixtureApp>();
    const probes = selectObjects(objects, "Probe", options.selection.probeSelector).selected;
    const probeTargets = probes.flatMap((p) => (p.spec?.targets?.staticConfig?.static ?? []) as string[]);
    // What each host must answer, read off the stack's own modules: the exact headers its route
    // sets, a redirect status, the Statuspage components it is asked about.
    const moduleDefs = blackboxConfigFor(objects, probes, "").modules;
    const hostNeeds = new Map<string, { headers?: Record<string, string>; redirectStatus?: number; statusComponents: string[] }>();
    for (const p of probes) {
      const m = moduleDefs[p.spec?.module as string]?.http ?? {};
      for (const target of (p.spec?.targets?.staticConfig?.static ?? []) as string[]) {
        const host = new URL(/^[a-z]+:\/\//.test(target) ? target : `http://${target}`).hostname;
        const need = hostNeeds.get(host) ?? { statusComponents: [] };
        for (const h of (m.fail_if_header_not_matches ?? []) as { header: string; regexp: string }[]) {
          need.headers = { ...(need.headers ?? {}), [h.header.toLowerCase()]: h.regexp.replace(/^\^|\$$/g, "").replace(/\\(.)/g, "$1") };
        }
        if (m.follow_redirects === false && (m.valid_status_codes ?? []).some((c: number) => c >= 300 && c < 400)) {
          need.redirectStatus = m.valid_status_codes.find((c: number) => c >= 300 && c < 400);
        }
        for (const re of (m.fail_if_body_not_matches_regexp ?? []) as string[]) {
          const lit = /^"name"\\s\*:\\s\*(.+?)\[\^\{\}\]\*/.exec(re)?.[1];
          if (lit) need.statusComponents.push(JSON.parse(lit.replace(/\\(.)/g, "$1")) as string);
        }
        hostNeeds.set(host, need);
      }
    }
    for (const target of probeTargets) {
      const url = new URL(/^[a-z]+:\/\//.test(target) ? target : `http://${target}`);
      if (hosts.has(url.hostname)) continue;
      const need = hostNeeds.get(url.hostname);
      const app = await startFixtureApp({
        tls: ca.issue(url.hostname, HEALTHY_CERT_DAYS),
        ...(need?.headers ? { headers: need.headers } : {}),
        ...(need?.redirectStatus ? { redirectStatus: need.redirectStatus } : {}),
        statusComponents: need?.statusComponents ?? [],
      });
      cleanups.push(() => app.close());
      hosts.set(url.hostname, app);
    }
    const blackboxPort = await freePort();
    const absent = new Set<string>();

    const standIns: StandIns = {
      service: (namespace, name, port) => (absent.has(`${namespace}/${name}`) ? [] : (pods.get(`${namespace}/${name}/${port}`) ?? [])),
      prober: () => `127.0.0.1:${blackboxPort}`,
      probeTarget: (target) => {
        const url = new URL(/^[a-z]+:\/\//.test(target) ? target : `http://${target}`);
        const app = hosts.get(url.hostname)!;
        const address = url.protocol === "https:" ? app.tlsAddress : app.address;
        return /^[a-z]+:\/\//.test(target) ? `${url.protocol}//${address}${url.pathname}${url.search}` : address;
      },
    };
    const deriveOptions = { targetDir: join(dir, "targets"), intervalOverride: E2E_SCRAPE_INTERVAL };
    const derived = deriveScrapeConfig(objects, options.selection, standIns, deriveOptions);
    for (const c of derived.scrapeConfigs) delete c.scrape_timeout;
    writeTargetFiles(derived, join(dir, "targets"));

    // blackbox_exporter: the stack's own modules (its `blackbox.yaml` Secret) when it has them,
    // else a plain `http` module per name the Probes use; each trusts the test CA (in place of the
    // system trust store) -------------------------------------------------------------------------
    const blackboxConfig = blackboxConfigFor(objects, probes, ca.certFile);
    writeFileSync(join(dir, "blackbox.yml"), stringify(blackboxConfig));
    const blackbox = startServer(
      "blackbox_exporter",
      bin.blackbox,
      [`--config.file=${join(dir, "blackbox.yml")}`, `--web.listen-address=127.0.0.1:${blackboxPort}`, "--log.level=warn"],
      join(dir, "blackbox.log"),
    );
    cleanups.push(() => blackbox.stop());

    // Alertmanager --------------------------------------------------------------------------------
    const stackSecret = stackSecretReader(objects);
    // The Slack webhook URLs of the receivers Secrets point at the loopback receiver; every other
    // Secret value (the PagerDuty routing key) is the stack's own.
    const secret: SecretReader = (namespace, name, key) => (/webhook-url|api-url|slack/i.test(key) ? webhook.slackUrl : stackSecret(namespace, name, key));
    const alertmanager = renderAlertmanagerConfig(objects, {
      selector: options.selection.alertmanagerConfigSelector,
      secret,
      global: { pagerduty_url: webhook.pagerdutyUrl },
    });
    writeFileSync(join(dir, "alertmanager.rendered.yml"), alertmanager.yaml);
    writeFileSync(join(dir, "alertmanager.yml"), stringify(e2eAlertmanagerTimers(alertmanager.config), { lineWidth: 0 }));
    const amPort = await freePort();
    const am = startServer(
      "alertmanager",
      bin.alertmanager,
      [
        `--config.file=${join(dir, "alertmanager.yml")}`,
        `--storage.path=${join(dir, "alertmanager-data")}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        "--cluster.listen-address=", // no gossip port
        "--log.level=warn",
      ],
      join(dir, "alertmanager.log"),
    );
    cleanups.push(() => am.stop());

    // Prometheus ----------------------------------------------------------------------------------
    const ruleFiles: Record<string, { groups: any[] }> = {};
    for (const r of selectRules(objects, options.selection).selected) {
      const file = `${r.metadata.namespace}-${r.metadata.name}.yaml`;
      ruleFiles[file] = { groups: e2eRuleGroups(r.spec?.groups ?? []) };
      writeFileSync(
        join(dir, "rules", file),
        `# e2e copy: \`for\` shortened to ${E2E_FOR}, evaluated every ${E2E_INTERVAL}\n${stringify(ruleFiles[file], { lineWidth: 0 })}`,
      );
    }
    const promPort = await freePort();
    const prometheusConfig = {
      global: { scrape_interval: E2E_SCRAPE_INTERVAL, scrape_timeout: E2E_SCRAPE_INTERVAL, evaluation_interval: E2E_INTERVAL },
      rule_files: [join(dir, "rules", "*.yaml")],
      alerting: { alertmanagers: [{ api_version: "v2", static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      scrape_configs: derived.scrapeConfigs,
    };
    writeFileSync(join(dir, "prometheus.yml"), stringify(prometheusConfig, { lineWidth: 0 }));
    const prometheus = startServer(
      "prometheus",
      bin.prometheus,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "prometheus-data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--storage.tsdb.retention.time=1h",
        "--log.level=warn",
      ],
      join(dir, "prometheus.log"),
    );
    cleanups.push(() => prometheus.stop());

    await Promise.all([
      waitReady(blackbox, `http://127.0.0.1:${blackboxPort}/-/healthy`),
      waitReady(am, `http://127.0.0.1:${amPort}/-/ready`),
      waitReady(prometheus, `http://127.0.0.1:${promPort}/-/ready`),
    ]);

    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
    const env: E2eEnvironment = {
      dir,
      prometheusUrl,
      alertmanagerUrl,
      webhook,
      pg,
      ca,
      derived,
      alertmanager,
      ruleFiles,
      services,
      hosts,
      exporterServices,
      processes: { prometheus, alertmanager: am, blackbox, postgresExporter },
      setServiceEndpoints(namespace, name, present) {
        if (present) absent.delete(`${namespace}/${name}`);
        else absent.add(`${namespace}/${name}`);
        const again = deriveScrapeConfig(objects, options.selection, standIns, deriveOptions);
        // Only the ServiceMonitor/PodMonitor files change (probes use static targets).
        writeTargetFiles(again, join(dir, "targets"));
      },
      async query(expr) {
        const r = await httpGet(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
        const body = JSON.parse(r.body);
        if (body.status !== "success") throw new Error(`query ${expr} failed: ${r.body}`);
        return body.data.result;
      },
      async alertmanagerAlerts() {
        const r = await httpGet(`${alertmanagerUrl}/api/v2/alerts`);
        return JSON.parse(r.body);
      },
      async waitForFirstScrapes(timeoutMs) {
        await waitFor(
          "every derived scrape target to be scraped once",
          async () => {
            const r = JSON.parse((await httpGet(`${prometheusUrl}/api/v1/targets?state=active`)).body);
            const targets = r.data.activeTargets as { lastScrape: string; health: string }[];
            const expected =
              Object.values(derived.targetFiles).reduce((n, g) => n + g.length, 0) +
              derived.scrapeConfigs.reduce((n, c: any) => n + ((c.static_configs?.[0]?.targets?.length as number) ?? 0), 0);
            return targets.length >= expected && targets.every((t) => t.health !== "unknown") ? true : undefined;
          },
          { timeoutMs, describe: async () => (await httpGet(`${prometheusUrl}/api/v1/targets`)).body.slice(0, 3000) },
        );
      },
      async stop() {
        await stopAll();
        if (!options.workDir) rmSync(dir, { recursive: true, force: true });
      },
    };
    return env;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
