/**
 * The operator model of ./operator.ts on hand-made objects: selection by label selectors (nil
 * selects nothing, `{}` everything), the ServiceMonitor relabelings (job from the Service name or
 * its `jobLabel`), Probe jobs and stand-in rewrites, PodMonitor jobs. The real Prometheus runs
 * these configurations in ./faults.test.ts; here each rule is pinned and shown to bite.
 */
import { describe, expect, it } from "vitest";
import { deriveScrapeConfig, K8sObject, matchesSelector, StandIns } from "./operator";

const svc = (name: string, labels: Record<string, string>): K8sObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "shop", labels },
  spec: { selector: labels, ports: [{ name: "http", port: 80 }] },
});
const sm = (name: string, labels: Record<string, string>, spec: object): K8sObject => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "ServiceMonitor",
  metadata: { name, namespace: "shop", labels },
  spec,
});
const standIns: StandIns = {
  service: (ns, name) => [{ address: `127.0.0.1:${name.length + 10000}`, pod: `${name}-0`, container: "app" }],
  pods: (ns, labels) => [{ address: "127.0.0.1:9999", pod: `${labels.app}-0`, container: "app" }],
  prober: () => "127.0.0.1:9115",
  probeTarget: (t) => (t.startsWith("https://shop.example.com") ? "https://127.0.0.1:8443/health" : undefined),
};
const SELECT = { matchLabels: { release: "prom" } };
const selection = { serviceMonitorSelector: SELECT, podMonitorSelector: SELECT, probeSelector: SELECT, ruleSelector: SELECT };

describe("matchesSelector", () => {
  it("follows Kubernetes semantics", () => {
    expect(matchesSelector({ a: "1" }, undefined)).toBe(false); // nil selects nothing
    expect(matchesSelector({ a: "1" }, {})).toBe(true);
    expect(matchesSelector({ a: "1", b: "2" }, { matchLabels: { a: "1" } })).toBe(true);
    expect(matchesSelector({ a: "2" }, { matchLabels: { a: "1" } })).toBe(false);
    expect(matchesSelector({ a: "1" }, { matchExpressions: [{ key: "a", operator: "In", values: ["1", "3"] }] })).toBe(true);
    expect(matchesSelector({ a: "1" }, { matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] })).toBe(false);
    expect(matchesSelector({}, { matchExpressions: [{ key: "a", operator: "Exists" }] })).toBe(false);
    expect(matchesSelector({}, { matchExpressions: [{ key: "a", operator: "DoesNotExist" }] })).toBe(true);
  });
});

describe("deriveScrapeConfig", () => {
  const objects = [
    svc("web", { app: "web", team: "storefront" }),
    svc("other", { app: "other" }),
    sm("web", { release: "prom" }, { selector: { matchLabels: { app: "web" } }, endpoints: [{ port: "http", path: "/metrics" }] }),
    sm("web-team", { release: "prom" }, { selector: { matchLabels: { app: "web" } }, jobLabel: "team", endpoints: [{ port: "http" }] }),
    sm("unselected", { release: "other" }, { selector: { matchLabels: { app: "other" } }, endpoints: [{ port: "http" }] }),
  ];
  const d = deriveScrapeConfig(objects, selection, standIns, { targetDir: "/t" });

  it("scrapes only selected ServiceMonitors, one job per endpoint, named as the operator names them", () => {
    expect(d.scraped).toEqual(["ServiceMonitor shop/web", "ServiceMonitor shop/web-team"]);
    expect(d.notSelected).toEqual(["ServiceMonitor shop/unselected"]);
    expect(d.scrapeConfigs.map((c) => c.job_name)).toEqual(["serviceMonitor/shop/web/0", "serviceMonitor/shop/web-team/0"]);
  });

  it("targets only the Services its selector matches, with Kubernetes SD's meta labels", () => {
    const groups = d.targetFiles["serviceMonitor_shop_web_0.json"];
    expect(groups).toHaveLength(1);
    expect(groups[0].targets).toEqual(["127.0.0.1:10003"]);
    expect(groups[0].labels).toMatchObject({
      __meta_kubernetes_namespace: "shop",
      __meta_kubernetes_service_name: "web",
      __meta_kubernetes_service_label_app: "web",
      __meta_kubernetes_service_labelpresent_app: "true",
      __meta_kubernetes_endpoint_port_name: "http",
      __meta_kubernetes_pod_name: "web-0",
    });
  });

  it("keeps by the selector, sets job from the Service name, then from jobLabel when set", () => {
    const [plain, team] = d.scrapeConfigs as any[];
    expect(plain.relabel_configs).toContainEqual({
      action: "keep",
      source_labels: ["__meta_kubernetes_service_label_app", "__meta_kubernetes_service_labelpresent_app"],
      regex: "(web);true",
    });
    expect(plain.relabel_configs).toContainEqual({ source_labels: ["__meta_kubernetes_service_name"], target_label: "job", replacement: "${1}" });
    expect(plain.relabel_configs.filter((r: any) => r.target_label === "job")).toHaveLength(1);
    const jobs = team.relabel_configs.filter((r: any) => r.target_label === "job");
    expect(jobs.at(-1)).toEqual({ source_labels: ["__meta_kubernetes_service_label_team"], target_label: "job", regex: "(.+)", replacement: "${1}" });
    for (const label of ["namespace", "service", "pod", "container", "endpoint"]) {
      expect(
        plain.relabel_configs.some((r: any) => r.target_label === label),
        label,
      ).toBe(true);
    }
  });

  it("probes through the exporter with the module, keeps the public URL as instance, and rewrites only __param_target", () => {
    const probe: K8sObject = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Probe",
      metadata: { name: "health", namespace: "shop", labels: { release: "prom" } },
      spec: {
        jobName: "shop-health",
        module: "http_2xx",
        prober: { url: "blackbox.monitoring.svc:9115" },
        targets: { staticConfig: { static: ["https://shop.example.com/health"], labels: { tier: "web" } } },
      },
    };
    const p = deriveScrapeConfig([probe], selection, standIns, { targetDir: "/t" }).scrapeConfigs[0] as any;
    expect(p.job_name).toBe("probe/shop/health");
    expect(p.params).toEqual({ module: ["http_2xx"] });
    expect(p.static_configs).toEqual([{ targets: ["https://shop.example.com/health"], labels: { namespace: "shop", tier: "web" } }]);
    const targets = p.relabel_configs.map((r: any) => r.target_label);
    expect(targets).toEqual(["__tmp_prometheus_job_name", "job", "__param_target", "instance", "__address__", "__param_target"]);
    expect(p.relabel_configs[1]).toEqual({ target_label: "job", replacement: "shop-health" });
    expect(p.relabel_configs[4]).toEqual({ target_label: "__address__", replacement: "127.0.0.1:9115" });
    expect(p.relabel_configs[5]).toEqual({
      source_labels: ["__param_target"],
      regex: "https://shop\\.example\\.com/health",
      target_label: "__param_target",
      replacement: "https://127.0.0.1:8443/health",
    });
    const unselected = deriveScrapeConfig([{ ...probe, metadata: { ...probe.metadata, labels: {} } }], selection, standIns, { targetDir: "/t" });
    expect(unselected.scrapeConfigs).toEqual([]);
    expect(unselected.notSelected).toEqual(["Probe shop/health"]);
  });

  it("names PodMonitor jobs <namespace>/<name> unless jobLabel, and refuses what it does not model", () => {
    const deploy: K8sObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "worker", namespace: "shop" },
      spec: { template: { metadata: { labels: { app: "worker" } } } },
    };
    const pm: K8sObject = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "worker", namespace: "shop", labels: { release: "prom" } },
      spec: { selector: { matchLabels: { app: "worker" } }, podMetricsEndpoints: [{ port: "metrics" }] },
    };
    const d2 = deriveScrapeConfig([deploy, pm], selection, standIns, { targetDir: "/t" });
    const c = d2.scrapeConfigs[0] as any;
    expect(c.job_name).toBe("podMonitor/shop/worker/0");
    expect(c.relabel_configs).toContainEqual({ target_label: "job", replacement: "shop/worker" });
    expect(d2.targetFiles["podMonitor_shop_worker_0.json"][0].labels.__meta_kubernetes_pod_label_app).toBe("worker");
    expect(() => deriveScrapeConfig([sm("x", { release: "prom" }, { endpoints: [{ targetPort: 8080 }] })], selection, standIns, { targetDir: "/t" })).toThrow(
      /only named `port` endpoints/,
    );
  });
});
