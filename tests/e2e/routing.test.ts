/**
 * The Alertmanager configuration rendered from each committed stack's AlertmanagerConfig objects
 * (./alertmanager-config.ts, as the Prometheus Operator generates it) under the real `amtool`:
 * `amtool check-config` accepts it, and `amtool config routes test` sends one alert per severity
 * of every product to the receiver the stack means (critical → pager, warning → chat, info →
 * nowhere). Cases that must fail prove the checks can fail.
 *
 * Also: the scrape configuration derived from the stacks (./operator.ts) passes
 * `promtool check config`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { requireOk } from "../../tools/engine/stack-run";
import { committedStackRun } from "../helpers/stack-runs";
import { renderAlertmanagerConfig, RenderedAlertmanagerConfig, stackSecretReader } from "./alertmanager-config";
import { e2eBinaries } from "./binaries";
import { deriveScrapeConfig, K8sObject, k8sObjects, kubePrometheusStackSelection, selectObjects } from "./operator";

const STACKS = ["staging", "prod"] as const;
const SLACK = "https://hooks.slack.example/services/T000/B000/e2e";

let work: string;
const objects = {} as Record<(typeof STACKS)[number], K8sObject[]>;
const rendered = {} as Record<(typeof STACKS)[number], RenderedAlertmanagerConfig>;
const files = {} as Record<(typeof STACKS)[number], string>;

function amtool(args: string[]): { code: number; output: string } {
  const r = spawnSync(e2eBinaries().amtool, args, { encoding: "utf8", timeout: 30_000 });
  return { code: r.status ?? -1, output: `${r.stdout}\n${r.stderr}` };
}

beforeAll(async () => {
  e2eBinaries();
  work = mkdtempSync(join(tmpdir(), "e2e-routing-"));
  for (const stack of STACKS) {
    objects[stack] = k8sObjects(requireOk(await committedStackRun(stack)).resources);
    const secret = stackSecretReader(objects[stack]);
    rendered[stack] = renderAlertmanagerConfig(objects[stack], {
      selector: kubePrometheusStackSelection().alertmanagerConfigSelector,
      // The stack's Slack URL is a placeholder secret offline; a syntactically real one stands in.
      secret: (ns, name, key) => (key === "chat-webhook-url" ? SLACK : secret(ns, name, key)),
    });
    files[stack] = join(work, `${stack}-alertmanager.yml`);
    writeFileSync(files[stack], rendered[stack].yaml);
  }
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(STACKS)("%s: rendered Alertmanager configuration", (stack) => {
  it("renders every AlertmanagerConfig of the stack (all selected) and passes `amtool check-config`", () => {
    const amcs = selectObjects(objects[stack], "AlertmanagerConfig", {});
    // One per product, the log agent's and the Vercel drains' aggregator's (their namespaces' alerts).
    expect(amcs.selected.length).toBe(7);
    expect(rendered[stack].notSelected).toEqual([]);
    expect(Object.keys(rendered[stack].receivers).sort()).toEqual(amcs.selected.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort());
    const r = amtool(["check-config", files[stack]]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("routes one alert per severity of every product: critical → pager, warning → chat, info → nowhere", () => {
    for (const [key, receivers] of Object.entries(rendered[stack].receivers)) {
      const [namespace] = key.split("/");
      const expected = { critical: `${key}/pager`, warning: `${key}/chat`, info: `${key}/null` };
      expect(receivers.sort()).toEqual(Object.values(expected).sort());
      for (const [severity, receiver] of Object.entries(expected)) {
        const r = amtool([
          "config",
          "routes",
          "test",
          `--config.file=${files[stack]}`,
          `--verify.receivers=${receiver}`,
          `severity=${severity}`,
          `namespace=${namespace}`,
          "alertname=E2eRouteTest",
        ]);
        expect(r.code, `${severity} in ${namespace}: ${r.output}`).toBe(0);
      }
    }
  });

  it("fails a wrong expectation, and an alert of another namespace never reaches a product's receivers", () => {
    const [key] = Object.keys(rendered[stack].receivers);
    const [namespace] = key.split("/");
    const wrong = amtool([
      "config",
      "routes",
      "test",
      `--config.file=${files[stack]}`,
      `--verify.receivers=${key}/chat`,
      "severity=critical",
      `namespace=${namespace}`,
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain(`${key}/pager`);
    const elsewhere = amtool([
      "config",
      "routes",
      "test",
      `--config.file=${files[stack]}`,
      "--verify.receivers=null",
      "severity=critical",
      "namespace=some-other-team",
    ]);
    expect(elsewhere.code, elsewhere.output).toBe(0);
  });

  it("an AlertmanagerConfig the Alertmanager does not select is left out, as the operator does", () => {
    const r = renderAlertmanagerConfig(objects[stack], { selector: { matchLabels: { release: "another-release" } }, secret: () => SLACK });
    expect(Object.keys(r.receivers)).toEqual([]);
    expect(r.notSelected.length).toBe(7);
    expect(r.config.route.routes).toEqual([]);
  });
});

describe("a broken rendered configuration fails amtool", () => {
  it("rejects a route to a receiver that does not exist", () => {
    const config = structuredClone(rendered.prod.config);
    config.route.routes[0].routes[0].receiver = "no-such-receiver";
    const file = join(work, "broken.yml");
    writeFileSync(file, stringify(config));
    const r = amtool(["check-config", file]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/undefined receiver "no-such-receiver"/);
  });
});

describe.each(STACKS)("%s: derived scrape configuration", (stack) => {
  it("passes `promtool check config`, one job per ServiceMonitor endpoint and Probe the stack's Prometheus selects", () => {
    const everything = { ...kubePrometheusStackSelection(), serviceMonitorSelector: {}, probeSelector: {}, podMonitorSelector: {} };
    const derived = deriveScrapeConfig(
      objects[stack],
      everything,
      { service: (ns, name) => [{ address: "127.0.0.1:9", pod: `${name}-0`, container: "app" }], pods: () => [], prober: () => "127.0.0.1:9115" },
      { targetDir: work },
    );
    const sms = selectObjects(objects[stack], "ServiceMonitor", {}).selected;
    const probes = selectObjects(objects[stack], "Probe", {}).selected;
    expect(derived.scrapeConfigs.length).toBe(sms.reduce((n, s) => n + (s.spec?.endpoints?.length ?? 0), 0) + probes.length);
    const file = join(work, `${stack}-prometheus.yml`);
    writeFileSync(file, stringify({ scrape_configs: derived.scrapeConfigs }));
    const r = spawnSync(e2eBinaries().promtool, ["check", "config", "--syntax-only", file], { encoding: "utf8" });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });
});
