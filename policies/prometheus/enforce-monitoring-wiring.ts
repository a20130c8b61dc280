import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { readConfig, stringList } from "../lib/config";
import { K8S, selectorMatches } from "../lib/kubernetes";
import { promRulesOf } from "../lib/prometheus";
import { boolComparisons, parsePromql } from "../lib/promql";
import { MONITORING, probeHasTargets, servicePortNames, snapshot } from "../lib/series-sources";
import { k8sName, namespaceKey, ofTypes } from "../lib/stack";
import { known, list, obj, UNKNOWN } from "../lib/values";

const DEFAULTS = {
  boolAllowList: [] as string[],
};

/** Plain values of a resource's inputs, `UNKNOWN` where the engine does not know them yet. */
function plain(r: PolicyResource): Record<string, unknown> {
  return obj(snapshot(r.props, known));
}

/** The Services of the stack a ServiceMonitor selects (its namespaces: own, `matchNames` or `any`; its label selector), or undefined when computed. */
function selectedServices(sm: PolicyResource, services: readonly PolicyResource[]): PolicyResource[] | undefined {
  const spec = obj(plain(sm).spec);
  if (spec.selector === UNKNOWN || spec.namespaceSelector === UNKNOWN) return undefined;
  const ns = obj(spec.namespaceSelector);
  const names = list<string>(ns.matchNames);
  const own = namespaceKey(sm);
  return services.filter((svc) => {
    const key = namespaceKey(svc);
    const inNs = ns.any === true || key === "?" || (names.length > 0 ? names.includes(key) : own === "?" || key === own);
    if (!inNs) return false;
    const labels = obj(plain(svc).metadata).labels;
    return labels === UNKNOWN || selectorMatches(spec.selector ?? {}, obj(labels) as Record<string, string>);
  });
}

/**
 * Monitoring wiring (rule 73, part of the dead-alert check): a ServiceMonitor endpoint names a
 * port of every Service it selects; a Probe has targets; alert expressions do not compare with
 * `bool` unless allow-listed. lib/series-sources.ts treats the same broken wiring as "not
 * scraped", so alerts reading those series are reported dead too.
 */
export const enforceMonitoringWiring = defineStackRule("prometheus", {
  name: "prometheus-enforce-monitoring-wiring",
  description:
    "ServiceMonitor endpoints must name a port of each Service they select, Probes must have targets, and alert expressions must not compare with `bool` unless the alert is allow-listed.",
  enforcementLevel: "mandatory",
  numbers: [73],
  anchors: ["prometheus-operator ServiceMonitor endpoint port", "prometheus-operator Probe targets", "pint promql/comparison (bool)"],
  rationale:
    "A ServiceMonitor endpoint naming a port the Service lacks and a Probe without targets scrape nothing, so every alert on them is dead; a `bool` comparison returns a series whatever the value, so the alert fires all the time.",
  standard: "prometheus-operator API (ServiceMonitor `endpoints[].port`, Probe `targets`); pint promql/comparison",
  config: {
    boolAllowList: stringList(
      "Alert names allowed to use a `bool` comparison (one that returns 0/1 on purpose, e.g. to feed `absent()` or a ratio).",
      DEFAULTS.boolAllowList,
    ),
  },
  appliesTo: [MONITORING.ServiceMonitor, MONITORING.Probe, MONITORING.PrometheusRule],
  validateStack: (args, report) => {
    const { boolAllowList } = readConfig(args, DEFAULTS);
    const services = ofTypes(args.resources, K8S.Service);

    for (const sm of ofTypes(args.resources, MONITORING.ServiceMonitor)) {
      const selected = selectedServices(sm, services);
      if (selected === undefined) continue; // computed during preview
      if (selected.length === 0) {
        report.advisory(
          `ServiceMonitor "${k8sName(sm)}" selects no Service of this stack, so it scrapes nothing here. Fix: make its \`selector\` match the Service's labels (and \`namespaceSelector\` its namespace), or remove it.`,
          sm.urn,
        );
        continue;
      }
      list(obj(plain(sm).spec).endpoints).forEach((raw, i) => {
        const e = obj(raw);
        if (typeof e.port !== "string") return; // `targetPort` (deprecated) or computed
        for (const svc of selected) {
          const ports = servicePortNames(plain(svc).spec);
          if (ports === undefined || ports.includes(e.port)) continue;
          report(
            `ServiceMonitor "${k8sName(sm)}" endpoints[${i}] scrapes port "${e.port}", but Service "${k8sName(svc)}" it selects has ${ports.length > 0 ? `only port${ports.length > 1 ? "s" : ""} ${ports.map((p) => `"${p}"`).join(", ")}` : "no named port"}, so nothing is scraped. Fix: set \`port\` to the name of the Service's metrics port (one source: pass the port name to both).`,
            sm.urn,
          );
        }
      });
    }

    for (const probe of ofTypes(args.resources, MONITORING.Probe)) {
      if (probeHasTargets(plain(probe).spec) !== false) continue;
      report(
        `Probe "${k8sName(probe)}" has no targets (\`spec.targets.staticConfig.static\` is empty and there is no \`spec.targets.ingress\`), so it probes nothing and its alerts never fire. Fix: list the URLs to probe in \`targets.staticConfig.static\`, or select Ingresses with \`targets.ingress\`.`,
        probe.urn,
      );
    }

    for (const pr of ofTypes(args.resources, MONITORING.PrometheusRule)) {
      const rules = known(() => promRulesOf(pr.props));
      for (const rule of rules === UNKNOWN ? [] : rules) {
        if (!rule.alert || typeof rule.expr !== "string" || boolAllowList.includes(rule.name)) continue;
        let found: string[];
        try {
          found = boolComparisons(parsePromql(rule.expr));
        } catch {
          continue; // reported by prometheus-enforce-alert-expressions
        }
        if (found.length === 0) continue;
        report(
          `Alert "${rule.name}" (PrometheusRule "${k8sName(pr)}" ${rule.path}) compares with \`${found[0]}\`, which returns 0 or 1 for every series instead of filtering, so the alert is always firing. Fix: drop \`bool\` (\`x > 0.05\`), or add the alert to this rule's \`boolAllowList\` if the 0/1 result is wanted.`,
          pr.urn,
        );
      }
    }
  },
});
