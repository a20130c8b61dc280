import { defineStackRule } from "../lib/rule";
import { K8S, mapSelectorMatches, selectorMatches } from "../lib/kubernetes";
import { k8sName, ofTypes, sameNamespace, workloadsOf } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

/** RollingUpdate strategy; selector matches template labels; Services select pods. */
export const configureRolloutAndSelectors = defineStackRule("kubernetes", {
  name: "kubernetes-configure-rollout-and-selectors",
  description: "Deployments should roll out with RollingUpdate and select their own template labels, and every Service should select some pods.",
  enforcementLevel: "advisory",
  numbers: [26],
  anchors: [
    "kube-linter no-rolling-update-strategy",
    "kube-linter mismatching-selector",
    "kube-linter dangling-service",
    "kube-score deployment-strategy",
    "kube-score service-targets-pod",
  ],
  rationale: "A Recreate rollout takes the application down on every deploy, and a selector that misses its pods silently routes no traffic.",
  standard: "kube-linter no-rolling-update-strategy, mismatching-selector, dangling-service; kube-score",
  appliesTo: [K8S.Deployment, K8S.Service],
  validateStack: (args, report) => {
    const workloads = workloadsOf(args.resources);
    for (const d of workloads.filter((w) => w.kind === "Deployment")) {
      const spec = known(() => ({ ...obj(d.resource.props.spec) }));
      if (spec === UNKNOWN) continue;
      const strategy = obj(spec.strategy).type;
      if (strategy !== undefined && strategy !== "RollingUpdate") {
        report(
          `Deployment "${d.name}" uses the ${strategy} strategy, which stops every pod before starting new ones. Fix: use \`strategy.type: RollingUpdate\`.`,
          d.resource.urn,
        );
      }
      if (!selectorMatches(spec.selector, d.podLabels)) {
        report(
          `Deployment "${d.name}" has a \`spec.selector\` that does not match its template labels. Fix: make \`spec.selector.matchLabels\` a subset of \`spec.template.metadata.labels\`.`,
          d.resource.urn,
        );
      }
    }
    for (const svc of ofTypes(args.resources, K8S.Service)) {
      const spec = known(() => ({ ...obj(svc.props.spec) }));
      if (spec === UNKNOWN || spec.type === "ExternalName") continue;
      const selector = known(() => ({ ...obj(spec.selector) }));
      if (selector === UNKNOWN || Object.keys(selector).length === 0) continue;
      const selects = workloads.some((w) => sameNamespace(svc, w.resource) && mapSelectorMatches(selector, w.podLabels));
      if (!selects) {
        report(
          `Service "${k8sName(svc)}" selects no pods of this stack (selector ${JSON.stringify(selector)}). Fix: make \`spec.selector\` equal to the target workload's pod labels.`,
          svc.urn,
        );
      }
    }
  },
});
