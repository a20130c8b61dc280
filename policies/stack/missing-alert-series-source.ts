import { defineStackRule } from "../lib/rule";
import { labelMap, readConfig } from "../lib/config";
import { DEFAULT_SELECTOR_LABELS, findDeadAlerts, MONITORING, snapshot, SOURCE_TYPES, type SourceResource } from "../lib/series-sources";
import { known } from "../lib/values";

const DEFAULTS = {
  selectorLabels: DEFAULT_SELECTOR_LABELS as Record<string, string>,
};

/**
 * The dead-alert check: every selector of every alert must be satisfiable by a series
 * source the stack defines (lib/series-sources.ts says exactly what that means) or by a cluster
 * prerequisite (lib/cluster-prerequisites.ts). `npm run plan` runs the same function.
 */
export const missingAlertSeriesSource = defineStackRule("stack", {
  name: "stack-missing-alert-series-source",
  description:
    "Every selector of every alert must read series that a ServiceMonitor, PodMonitor, Probe or exporter of the stack, or a documented cluster prerequisite, produces and Prometheus selects.",
  enforcementLevel: "mandatory",
  numbers: [],
  origin: "the dead-alert check, added after the numbered catalogue",
  anchors: ["pint promql/series", "prometheus-operator ServiceMonitor job label", "kube-prometheus-stack serviceMonitorSelector"],
  rationale: "An alert whose selector matches no series never fires, so the failure it guards goes unnoticed.",
  standard: "pint promql/series; prometheus-operator ServiceMonitor job label; kube-prometheus-stack serviceMonitorSelector",
  config: {
    selectorLabels: labelMap(
      "Labels the cluster's Prometheus selects ServiceMonitors, PodMonitors, Probes and PrometheusRules by (its `serviceMonitorSelector` etc.); the stack's `prometheusSelectorLabels`.",
      DEFAULTS.selectorLabels,
    ),
  },
  appliesTo: [MONITORING.PrometheusRule],
  validateStack: (args, report) => {
    const { selectorLabels } = readConfig(args, DEFAULTS);
    const resources: SourceResource[] = args.resources
      .filter((r) => SOURCE_TYPES.includes(r.type))
      .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: snapshot(r.props, known) as Record<string, unknown> }));
    for (const dead of findDeadAlerts(resources, { selectorLabels })) report(dead.message, dead.urn);
  },
});
