import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { K8S } from "../lib/kubernetes";
import { isSecretName } from "../lib/secrets";
import { VARIABLE_CARRIERS, vercelVariablesOf } from "../lib/vercel";

/**
 * Every @pulumi/random 4.21 resource whose result is NOT a Pulumi secret: the SDK marks outputs
 * secret with `additionalSecretOutputs` only on RandomPassword (`result`, `bcryptHash`) and
 * RandomBytes (`base64`, `hex`); every other resource's result is stored in plain text.
 */
export const PLAIN_RANDOM_TYPES: readonly string[] = [
  "random:index/randomString:RandomString",
  "random:index/randomId:RandomId",
  "random:index/randomInteger:RandomInteger",
  "random:index/randomPet:RandomPet",
  "random:index/randomShuffle:RandomShuffle",
  "random:index/randomUuid:RandomUuid",
  "random:index/randomUuid4:RandomUuid4",
  "random:index/randomUuid7:RandomUuid7",
];

/** Why `property` of `sink` holds a secret, or undefined. */
function secretSink(sink: PolicyResource, property: string): string | undefined {
  if (sink.type === K8S.Secret && (property === "data" || property === "stringData")) return `Secret "${sink.name}" ${property}`;
  const field = VARIABLE_CARRIERS[sink.type];
  if (field !== undefined && (field === "" ? property === "value" || property === "valueWo" : property === field)) {
    const secret = vercelVariablesOf(sink.type, sink.props, sink.name).filter((v) => v.sensitive || isSecretName(v.key));
    if (secret.length > 0) return secret.length === 1 ? secret[0].label : `the secret variables of "${sink.name}" (${secret.map((v) => v.key).join(", ")})`;
  }
  if (isSecretName(property)) return `${sink.type.split(":").pop()} "${sink.name}" ${property}`;
  return undefined;
}

/** No random result that is not a secret (RandomString, RandomId, ...) feeds a secret. */
export const disallowRandomStringSecrets = defineStackRule("random", {
  name: "random-disallow-random-string-secrets",
  description:
    "A @pulumi/random resource whose result is not a secret (RandomString, RandomId, RandomInteger, RandomPet, RandomShuffle, RandomUuid) must never feed a secret; secrets come from RandomPassword or RandomBytes.",
  enforcementLevel: "mandatory",
  numbers: [36, 75],
  anchors: ["pulumi-random RandomString result not secret", "pulumi-random additionalSecretOutputs"],
  rationale: "The result of these resources is stored unencrypted in the state, so a secret made from one is readable by anyone who reads the state.",
  standard: "pulumi-random documentation and SDK: only RandomPassword and RandomBytes mark their results secret",
  appliesTo: PLAIN_RANDOM_TYPES,
  validateStack: (args, report) => {
    for (const sink of args.resources) {
      for (const [property, sources] of Object.entries(sink.propertyDependencies)) {
        const plain = sources.filter((s) => PLAIN_RANDOM_TYPES.includes(s.type));
        if (plain.length === 0) continue;
        const what = secretSink(sink, property);
        if (!what) continue;
        for (const s of plain) {
          const kind = s.type.split(":").pop();
          report(
            `${kind} "${s.name}" feeds ${what}; its result is not a secret, so the value sits in plain text in the state. Fix: generate it with \`random.RandomPassword\` (or \`random.RandomBytes\` for raw bytes) instead.`,
            sink.urn,
          );
        }
      }
    }
  },
});
