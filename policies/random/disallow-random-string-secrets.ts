import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { K8S } from "../lib/kubernetes";
import { isSecretName } from "../lib/secrets";
import { VERCEL } from "../lib/vercel";
import { known, list, obj } from "../lib/values";

export const RANDOM_STRING = "random:index/randomString:RandomString";

/** Why `property` of `sink` holds a secret, or undefined. */
function secretSink(sink: PolicyResource, property: string): string | undefined {
  if (sink.type === K8S.Secret && (property === "data" || property === "stringData")) return `Secret "${sink.name}" ${property}`;
  if (sink.type === VERCEL.Variable && property === "value") {
    const key = known(() => sink.props.key);
    if (known(() => sink.props.sensitive) === true || (typeof key === "string" && isSecretName(key))) return `Vercel variable "${String(key)}"`;
  }
  if (sink.type === VERCEL.Variables && property === "variables") {
    const secret = known(() => list(sink.props.variables).some((v) => obj(v).sensitive === true || isSecretName(String(obj(v).key))));
    if (secret === true) return `the sensitive variables of "${sink.name}"`;
  }
  if (isSecretName(property)) return `${sink.type.split(":").pop()} "${sink.name}" ${property}`;
  return undefined;
}

/** `RandomString` never feeds a secret. */
export const disallowRandomStringSecrets = defineStackRule("random", {
  name: "random-disallow-random-string-secrets",
  description: "A RandomString must never feed a secret, because its result is stored unencrypted; secrets come from RandomPassword.",
  enforcementLevel: "mandatory",
  numbers: [36],
  anchors: ["pulumi-random RandomString result not secret"],
  rationale: "A RandomString's result is stored unencrypted in the state, so a secret made from it is readable by anyone who reads the state.",
  standard: "pulumi-random documentation: RandomString result is not a secret, RandomPassword's is",
  appliesTo: [RANDOM_STRING],
  validateStack: (args, report) => {
    for (const sink of args.resources) {
      for (const [property, sources] of Object.entries(sink.propertyDependencies)) {
        const strings = sources.filter((s) => s.type === RANDOM_STRING);
        if (strings.length === 0) continue;
        const what = secretSink(sink, property);
        if (!what) continue;
        for (const s of strings) {
          report(
            `RandomString "${s.name}" feeds ${what}; its \`result\` is not a secret, so the value sits in plain text in the state. Fix: generate it with \`random.RandomPassword\` (same arguments) instead.`,
            sink.urn,
          );
        }
      }
    }
  },
});
