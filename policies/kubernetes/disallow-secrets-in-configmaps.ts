import { defineResourceRule, ofType } from "../lib/rule";
import { ConfigMap } from "../lib/resource-types";
import { detectSecretValue, isSecretName } from "../lib/secrets";

/** ConfigMaps hold no secret-looking keys or values. */
export const disallowSecretsInConfigmaps = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-secrets-in-configmaps",
  description: "ConfigMaps must not hold secret-looking keys or values.",
  enforcementLevel: "mandatory",
  numbers: [32, 74],
  anchors: ["Polaris sensitiveConfigmapContent", "CIS 5.4.1", "secretlint preset-recommend"],
  rationale: "ConfigMaps are neither encrypted nor access-restricted like Secrets, so a credential in one is readable by anyone who reads configuration.",
  standard: "CIS Kubernetes Benchmark 5.4.1; Polaris sensitiveConfigmapContent",
  validateResource: ofType(ConfigMap, async (configMap, args, report) => {
    const name = configMap.metadata?.name ?? args.name;
    for (const [key, value] of Object.entries(configMap.data ?? {})) {
      const reason = typeof value === "string" ? await detectSecretValue(value) : undefined;
      if (reason) {
        report(`ConfigMap "${name}" key "${key}" ${reason}. Fix: move it into a Kubernetes Secret (and rotate it: it was stored in plain text).`);
      } else if (isSecretName(key)) {
        report(`ConfigMap "${name}" key "${key}" looks like a secret. Fix: move it into a Kubernetes Secret and mount or reference that instead.`);
      }
    }
    for (const key of Object.keys(configMap.binaryData ?? {})) {
      if (isSecretName(key)) {
        report(`ConfigMap "${name}" binary key "${key}" looks like a secret. Fix: move it into a Kubernetes Secret.`);
      }
    }
  }),
});
