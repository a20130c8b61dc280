import { defineResourceRule, type RuleResourceValidation } from "../lib/rule";
import { readConfig, stringList } from "../lib/config";

/**
 * AlertmanagerConfig (and the operator's other newer CRDs) exist only as
 * `monitoring.coreos.com/v1alpha1` upstream: there is no stable version to move to.
 */
const DEFAULTS = { allowedApiVersions: ["monitoring.coreos.com/v1alpha1"] as string[] };

/** API groups removed from Kubernetes altogether. */
const REMOVED_GROUPS = ["extensions"];

/** `group/version` of a Kubernetes type token (`kubernetes:apps/v1:Deployment` → `apps/v1`). */
export function apiVersionOf(type: string): string | undefined {
  const [pkg, module] = type.split(":");
  return pkg === "kubernetes" && module ? module : undefined;
}

const validate: RuleResourceValidation = (args, report) => {
  const apiVersion = apiVersionOf(args.type);
  if (!apiVersion) return args.notApplicable("Policy only applies to Kubernetes resources");
  const { allowedApiVersions } = readConfig(args, DEFAULTS);
  if (allowedApiVersions.includes(apiVersion)) return;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const kind = args.type.split(":")[2];
  if (REMOVED_GROUPS.includes(group)) {
    report(`${kind} "${args.name}" uses the removed API group "${apiVersion}". Fix: use the GA API (e.g. apps/v1, networking.k8s.io/v1).`);
  } else if (/^v\d+(alpha|beta)\d*$/.test(version ?? "")) {
    report(
      `${kind} "${args.name}" uses the pre-release API "${apiVersion}", which is deprecated or removed. Fix: use the stable version (e.g. batch/v1 CronJob, policy/v1 PodDisruptionBudget, autoscaling/v2 HPA); allow-list it in \`allowedApiVersions\` only for a CRD that has no stable version.`,
    );
  }
};

/** No alpha/beta/removed API versions. */
export const disallowDeprecatedApiVersions = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-deprecated-api-versions",
  description: "Kubernetes objects must use stable API versions, not alpha, beta or removed ones.",
  enforcementLevel: "mandatory",
  numbers: [21],
  anchors: ["kube-score stable-version", "kube-linter no-extensions-v1beta", "Pluto deprecated APIs"],
  rationale: "Alpha, beta and removed API versions change or disappear with a cluster upgrade, and the next deploy then fails.",
  standard: "Kubernetes API deprecation policy; Pluto; kube-score stable-version",
  config: {
    allowedApiVersions: stringList("`group/version`s allowed anyway (custom resources with no stable version).", DEFAULTS.allowedApiVersions),
  },
  validateResource: validate,
});
