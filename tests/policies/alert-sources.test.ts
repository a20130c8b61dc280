/**
 * The dead-alert check (policies/lib/series-sources.ts) and its stack rule
 * `stack-missing-alert-series-source`: the monitored fixture passes, each kind of dead alert
 * fails with the alert, the selector and the sources that exist; then what "satisfiable" means,
 * case by case, through `checkExpression` (the function dashboards' panel queries will use).
 */
import { describe, expect, it } from "vitest";
import { missingAlertSeriesSource } from "../../policies/stack/missing-alert-series-source";
import { checkExpression, findDeadAlerts, seriesSources, type SourceResource } from "../../policies/lib/series-sources";
import { CLUSTER_PREREQUISITES } from "../../policies/lib/cluster-prerequisites";
import { UNKNOWN } from "../../policies/lib/values";
import { UNKNOWN_STRING } from "../../tools/engine/pack/types";
import { DEAD_KINDS, EXPECTED, monitoredStack, type MonitoredObject } from "../fixtures/dead-alert-program/monitored";
import { expectClean, expectNotApplicable, expectViolation, violations, type Fixture } from "./helpers";

const rule = missingAlertSeriesSource;
const fixtures = (objects: MonitoredObject[]): Fixture[] => objects.map((o) => structuredClone(o) as Fixture);
const asSources = (objects: MonitoredObject[]): SourceResource[] => objects.map((o) => ({ ...o, urn: `urn:${o.name}` }));
const byName = (objects: MonitoredObject[], type: string, name: string) => objects.find((o) => o.type.endsWith(type) && o.name === name)!;

describe("stack-missing-alert-series-source (stack)", () => {
  it("passes a stack whose every alert reads a source it defines or a cluster prerequisite", () => expectClean(rule, fixtures(monitoredStack())));

  it.each(DEAD_KINDS)("fails the %s fixture, naming the alert, the selector and the sources that exist", async (kind) => {
    const expected = EXPECTED[kind];
    const selector = expected.selector.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const v = await expectViolation(
      rule,
      fixtures(monitoredStack(kind)),
      new RegExp(`Alert "${expected.alert}" \\(shop/shop-alerts spec\\.groups\\[0\\]\\.rules\\[\\d\\]\\) can never fire: selector \`${selector}\``),
    );
    expect(v.message).toMatch(expected.says);
    expect(v.message).toContain("Sources that exist:");
    expect(v.message).toContain("cluster prerequisites: kube-state-metrics");
    expect(v.urn).toContain("shop-alerts");
    // Only the alerts the change breaks are reported.
    const all = await violations(rule, fixtures(monitoredStack(kind)));
    expect([...new Set(all.map((x) => /Alert "(\w+)"/.exec(x.message)![1]))].sort()).toEqual([...expected.dead].sort());
  });

  it("reports every alert of a PrometheusRule that Prometheus does not load", async () => {
    const objects = monitoredStack();
    byName(objects, "PrometheusRule", "shop-alerts").props.metadata.labels = {};
    const found = await violations(rule, fixtures(objects));
    expect(found).toHaveLength(8);
    expect(found[0].message).toMatch(/Prometheus does not load this PrometheusRule: its labels lack release=kube-prometheus-stack \(the ruleSelector\)/);
  });

  it("takes Prometheus' selector labels from its config", async () => {
    const config = { [rule.name]: { selectorLabels: { prometheus: "main" } } };
    const found = await violations(rule, fixtures(monitoredStack()), { config });
    expect(found.length).toBe(8); // nothing carries prometheus=main, so no rule is loaded
    const relabelled = monitoredStack().map((o) =>
      o.props.metadata.labels?.release ? { ...o, props: { ...o.props, metadata: { ...o.props.metadata, labels: { prometheus: "main" } } } } : o,
    );
    await expectClean(rule, fixtures(relabelled), { config });
  });

  it("never reports what preview cannot know: unknown labels and names count as any value", async () => {
    const objects = monitoredStack("unselected-service-monitor");
    byName(objects, "ServiceMonitor", "shop-api").props.metadata.labels = UNKNOWN_STRING;
    await expectClean(rule, fixtures(objects));
    const wrong = monitoredStack("wrong-job");
    byName(wrong, "Service", "shop-api").props.metadata.name = UNKNOWN_STRING;
    await expectClean(rule, fixtures(wrong));
  });

  it("does not apply to a stack without PrometheusRules", () =>
    expectNotApplicable(rule, fixtures(monitoredStack().filter((o) => !o.type.endsWith("PrometheusRule")))));
});

describe("what satisfiable means", () => {
  const stack = asSources(monitoredStack());
  const sources = seriesSources(stack);
  const check = (expr: string, resources = stack, src = sources) => checkExpression(expr, src, resources).map((p) => p.selector);

  it("derives each source's job as the operator does", () => {
    const jobs = sources.filter((s) => s.kind !== "cluster prerequisite").map((s) => s.targetLabels.job);
    expect(jobs).toEqual([["shop-api"], ["shop-postgres-exporter"], ["probe/shop/shop-health"], ["shop-dependencies"]]);
    expect(sources.find((s) => s.description.includes("shop-postgres-exporter"))!.description).toContain("(postgres_exporter)");
  });

  it("job matchers: equality, negative, regex and negative regex against the source's job", () => {
    expect(check('up{job="shop-api"}')).toEqual([]);
    expect(check('up{job="shop"}')).toEqual(['up{job="shop"}']);
    expect(check('http_requests_total{job=~"shop-a.*"}')).toEqual([]);
    expect(check('http_requests_total{job=~"shop"}')).toEqual(['http_requests_total{job=~"shop"}']); // regexes are anchored
    expect(check('http_requests_total{job!="shop-api"}')).toEqual(['http_requests_total{job!="shop-api"}']); // the only app target is excluded
    expect(check('http_requests_total{job!~"shop-.*"}')).toEqual(['http_requests_total{job!~"shop-.*"}']);
    expect(check('up{job!="shop-api"}')).toEqual([]); // other targets have `up` too
    expect(check('http_requests_total{job="shop-api",job!="shop-api"}')).toEqual(['http_requests_total{job="shop-api",job!="shop-api"}']);
  });

  it("metric names: applications serve any name but the exporters' prefixes; exporters and probes serve their own", () => {
    expect(check('orders_placed_total{job="shop-api"}')).toEqual([]);
    expect(check('pg_up{job="shop-api"}')).toEqual(['pg_up{job="shop-api"}']);
    expect(check('pg_up{job="shop-postgres-exporter"}')).toEqual([]);
    expect(check('orders_placed_total{job="shop-postgres-exporter"}')).toEqual(['orders_placed_total{job="shop-postgres-exporter"}']);
    expect(check('probe_http_duration_seconds{job="shop-dependencies",phase="tls"}')).toEqual([]);
    expect(check('{__name__=~"probe_.*",job="shop-dependencies"}')).toEqual([]);
    expect(check('{__name__="pg_up",job="shop-api"}')).toEqual(['{__name__="pg_up",job="shop-api"}']);
    expect(check("kube_pod_info")).toEqual([]);
    expect(check("some_metric_nobody_serves")).toEqual([]); // no job: any application may serve it
  });

  it("other labels: the source's target labels are closed, labels its series do not carry match only as empty", () => {
    expect(check('up{job="shop-api",namespace="shop",service="shop-api",endpoint="http"}')).toEqual([]);
    expect(check('up{job="shop-api",namespace="other"}')).toEqual(['up{job="shop-api",namespace="other"}']);
    expect(check('probe_success{instance="https://shop.example.com/health"}')).toEqual([]);
    expect(check('probe_success{instance="https://elsewhere.example.com/"}')).toEqual(['probe_success{instance="https://elsewhere.example.com/"}']);
    expect(check('probe_success{dependency="supabase",job="shop-dependencies",namespace="shop"}')).toEqual([]);
    expect(check('probe_success{dependency="pinecone"}')).toEqual(['probe_success{dependency="pinecone"}']);
    expect(check('probe_success{job="probe/shop/shop-health",dependency=""}')).toEqual([]); // a missing label equals ""
    expect(check('probe_success{job="probe/shop/shop-health",dependency!="supabase"}')).toEqual([]);
    expect(check('node_filesystem_avail_bytes{mountpoint="/",fstype!="tmpfs"}')).toEqual([]);
    expect(check('node_memory_MemAvailable_bytes{mountpoint="/"}')).toEqual(['node_memory_MemAvailable_bytes{mountpoint="/"}']);
    expect(check('http_requests_total{job="shop-api",status=~"5..",route="/cart"}')).toEqual([]); // application series carry any label
  });

  it("kube-state-metrics series about an object need that object in the stack", () => {
    expect(check('kube_cronjob_status_last_successful_time{cronjob="shop-backup",namespace="shop"}')).toEqual([]);
    expect(check('kube_cronjob_status_last_successful_time{cronjob="shop-backups"}')).toEqual([
      'kube_cronjob_status_last_successful_time{cronjob="shop-backups"}',
    ]);
    expect(check('kube_cronjob_status_last_successful_time{cronjob="shop-backup",namespace="other"}')).toHaveLength(1);
    const [problem] = checkExpression('kube_cronjob_created{cronjob="nope"}', sources, stack);
    expect(problem.near[0].why).toMatch(/the stack defines no CronJob matching cronjob="nope" \(its CronJobs: shop\/shop-backup\)/);
  });

  it("jobLabel: the job is the Service's label of that name when it has one", () => {
    const objects = monitoredStack();
    byName(objects, "ServiceMonitor", "shop-api").props.spec.jobLabel = "app.kubernetes.io/name";
    byName(objects, "Service", "shop-api").props.metadata.labels["app.kubernetes.io/name"] = "shop";
    const src = seriesSources(asSources(objects));
    expect(src[0].targetLabels.job).toEqual(["shop"]);
    expect(check('up{job="shop"}', asSources(objects), src)).toEqual([]);
    expect(check('up{job="shop-api"}', asSources(objects), src)).toEqual(['up{job="shop-api"}']);
  });

  it("a ServiceMonitor whose selector matches no Service, or in another namespace, produces nothing", () => {
    const objects = monitoredStack();
    byName(objects, "ServiceMonitor", "shop-api").props.spec.selector = { matchLabels: { "app.kubernetes.io/name": "other" } };
    expect(check('up{job="shop-api"}', asSources(objects), seriesSources(asSources(objects)))).toEqual(['up{job="shop-api"}']);
    const moved = monitoredStack();
    byName(moved, "ServiceMonitor", "shop-api").props.metadata.namespace = "monitoring";
    expect(check('up{job="shop-api"}', asSources(moved), seriesSources(asSources(moved)))).toEqual(['up{job="shop-api"}']);
    byName(moved, "ServiceMonitor", "shop-api").props.spec.namespaceSelector = { matchNames: ["shop"] };
    expect(check('up{job="shop-api"}', asSources(moved), seriesSources(asSources(moved)))).toEqual([]);
  });

  it("a Service whose pods run elsewhere (an existing exporter) may serve any metric", () => {
    const objects = monitoredStack("missing-exporter");
    objects.push(...monitoredStack().filter((o) => o.name === "shop-postgres-exporter" && !o.type.endsWith("Deployment")));
    expect(check('pg_up{job="shop-postgres-exporter"}', asSources(objects), seriesSources(asSources(objects)))).toEqual([]);
    expect(check('pg_up{job="shop-api"}', asSources(objects), seriesSources(asSources(objects)))).toEqual(['pg_up{job="shop-api"}']);
  });

  it("an exporter is recognised by its image, or declared by annotation", () => {
    const objects = monitoredStack("missing-exporter");
    byName(objects, "ServiceMonitor", "shop-api").props.metadata.annotations = { "app-platform/exporter": "postgres_exporter" };
    expect(check('pg_up{job="shop-api"}', asSources(objects), seriesSources(asSources(objects)))).toEqual([]);
  });

  it("unknown values from preview are any value", () => {
    const objects = asSources(monitoredStack()).map((o) =>
      o.name === "shop-health" ? { ...o, props: { ...o.props, spec: { ...(o.props.spec as object), targets: { staticConfig: { static: UNKNOWN } } } } } : o,
    );
    expect(check('probe_success{instance="https://anything.example.com/"}', objects, seriesSources(objects))).toEqual([]);
  });

  it("lists the cluster prerequisites once, each with its job", () => {
    expect(CLUSTER_PREREQUISITES.map((p) => p.name)).toEqual([
      "kube-state-metrics",
      "node_exporter",
      "kubelet",
      "Prometheus",
      "Alertmanager",
      "rule evaluation",
    ]);
    const dead = findDeadAlerts(asSources(monitoredStack("missing-probe")));
    expect(dead).toHaveLength(1);
    expect(dead[0].message).toContain('cluster prerequisites: kube-state-metrics (job "kube-state-metrics"), node_exporter (job "node-exporter")');
  });
});
