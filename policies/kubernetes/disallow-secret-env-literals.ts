import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";
import { detectSecretValue, isSecretName } from "../lib/secrets";
import { list, obj } from "../lib/values";

/** No secret-looking env literal; no duplicate env names. */
export const disallowSecretEnvLiterals = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-secret-env-literals",
  description:
    "Container env vars must not carry secrets as literal values (secretlint's recommended preset, credential URLs, secret-looking names whole or by parts), and no env name may repeat.",
  enforcementLevel: "mandatory",
  numbers: [17, 74],
  anchors: [
    "CIS 5.4.1",
    "kube-linter env-var-secret",
    "kube-linter duplicate-env-var",
    "Polaris sensitiveContainerEnvVar",
    "kube-score environment-variable-key-duplication",
    "secretlint preset-recommend",
  ],
  rationale:
    "A literal secret in a manifest is stored in the Pulumi state, the API server and every `kubectl get` output; duplicate names make the value that wins unclear.",
  standard: "CIS Kubernetes Benchmark 5.4.1; kube-linter env-var-secret, duplicate-env-var; Polaris; kube-score",
  validateResource: onWorkloads(async (workload, _args, report) => {
    for (const c of containersOf(workload)) {
      const seen = new Set<string>();
      for (const [i, e] of list(c.container.env).entries()) {
        const env = obj(e);
        const name = String(env.name);
        const where = `${describeWorkload(workload)}: ${c.label} env "${name}" (${c.path}.env[${i}])`;
        if (seen.has(name)) report(`${where} is defined twice; the last one silently wins. Fix: keep one definition.`);
        seen.add(name);
        if (typeof env.value !== "string" || env.value === "") continue;
        const reason = await detectSecretValue(env.value);
        if (reason) {
          report(`${where} ${reason} as a literal. Fix: move it into a Kubernetes Secret and use \`valueFrom.secretKeyRef\`.`);
        } else if (isSecretName(name)) {
          report(`${where} looks like a secret but is a literal \`value\`. Fix: move it into a Kubernetes Secret and use \`valueFrom.secretKeyRef\`.`);
        }
      }
    }
  }),
});
