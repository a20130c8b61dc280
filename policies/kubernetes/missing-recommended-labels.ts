import { defineResourceRule, ofTypes } from "../lib/rule";
import { NAMESPACED_TYPES } from "../lib/kubernetes";
import { readConfig, stringList } from "../lib/config";
import { obj } from "../lib/values";

const DEFAULTS = {
  requiredLabels: ["app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"],
  ownerLabels: ["app-platform/owner", "owner"],
};

/** Recommended labels `app.kubernetes.io/*` and an owner. */
export const missingRecommendedLabels = defineResourceRule("kubernetes", {
  name: "kubernetes-missing-recommended-labels",
  description: "Kubernetes objects should carry the recommended `app.kubernetes.io/*` labels and an owner label.",
  enforcementLevel: "advisory",
  numbers: [18],
  anchors: ["Kubernetes recommended labels", "kube-linter required-label-owner", "kube-score label-values"],
  rationale: "Dashboards, tooling and on-call need to tell which application and team an object belongs to.",
  standard: "Kubernetes recommended labels (`app.kubernetes.io/*`); kube-linter required-label-owner",
  config: {
    requiredLabels: stringList("Labels every object must carry.", DEFAULTS.requiredLabels),
    ownerLabels: stringList("Labels that name the owner; one of them is enough.", DEFAULTS.ownerLabels),
  },
  validateResource: ofTypes(NAMESPACED_TYPES, (props, args, report) => {
    const { requiredLabels, ownerLabels } = readConfig(args, DEFAULTS);
    const labels = obj(obj(props.metadata).labels);
    const kind = args.type.split(":")[2];
    const missing = requiredLabels.filter((l) => typeof labels[l] !== "string" || labels[l] === "");
    if (missing.length > 0) {
      report(
        `${kind} "${args.name}" lacks the labels ${missing.join(", ")}. Fix: add them to \`metadata.labels\` (components/context.ts \`recommendedLabels\` does).`,
      );
    }
    if (!ownerLabels.some((l) => typeof labels[l] === "string" && labels[l] !== "")) {
      report(`${kind} "${args.name}" has no owner label. Fix: add one of ${ownerLabels.join(", ")} to \`metadata.labels\`.`);
    }
  }),
});
