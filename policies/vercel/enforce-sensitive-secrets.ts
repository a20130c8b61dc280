import { defineResourceRule } from "../lib/rule";
import { detectSecretValue, isSecretName } from "../lib/secrets";
import { onVercelVariables } from "../lib/vercel";

const SECRET_TARGETS = ["production", "preview"];

/** A secret-looking key is `sensitive`, and its targets are production/preview only. */
export const enforceSensitiveSecrets = defineResourceRule("vercel", {
  name: "vercel-enforce-sensitive-secrets",
  description: "Vercel variables that look secret must be `sensitive` and target only production and preview.",
  enforcementLevel: "mandatory",
  numbers: [56, 75],
  anchors: ["Vercel sensitive environment variables"],
  rationale: "A variable that is not `sensitive` can be read back from the dashboard and API, and a development target widens who can read it.",
  standard: "Vercel documentation: sensitive environment variables",
  validateResource: onVercelVariables(async (v, _args, report) => {
    // The name decides first; the value (unknown at preview for generated secrets) only when it must.
    const secretName = isSecretName(v.key);
    const value = secretName ? undefined : v.value;
    const valueReason = value !== undefined ? await detectSecretValue(value) : undefined;
    if (!secretName && !valueReason) return;
    const why = valueReason ? `its value ${valueReason}` : "its name looks secret";
    if (!v.canBeSensitive) {
      report(
        `${v.label} ${why}, but a Deployment's \`environment\` cannot be sensitive and is readable with the deployment. Fix: remove it from \`environment\` and declare it as a sensitive \`vercel.ProjectEnvironmentVariable\` (targets production, preview).`,
      );
      return;
    }
    if (!v.sensitive) {
      report(
        `${v.label} is not sensitive but ${why}; anyone on the team can read it in the dashboard. Fix: set \`sensitive: true\` (and keep the value a Pulumi secret).`,
      );
    }
    const extra = (v.targets ?? []).filter((t) => !SECRET_TARGETS.includes(t));
    if (extra.length > 0) {
      report(`${v.label} targets ${extra.join(", ")} but ${why}. Fix: target only production and preview; give development its own non-production value.`);
    }
  }),
});
