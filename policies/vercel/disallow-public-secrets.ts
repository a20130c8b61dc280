import { defineResourceRule } from "../lib/rule";
import { readConfig, stringList } from "../lib/config";
import { detectSecretValue, isSecretName } from "../lib/secrets";
import { onVercelVariables } from "../lib/vercel";

const DEFAULTS = {
  publicPrefixes: ["NEXT_PUBLIC_", "VITE_", "PUBLIC_"],
  allowedPublicKeys: [] as string[],
};

/** Public-prefixed keys never hold secret-looking names or values. */
export const disallowPublicSecrets = defineResourceRule("vercel", {
  name: "vercel-disallow-public-secrets",
  description: "Vercel variables whose prefix ships them to the browser must not hold secret-looking names or values.",
  enforcementLevel: "mandatory",
  numbers: [57, 75],
  anchors: ["Next.js NEXT_PUBLIC_ bundling", "Vite env exposure"],
  rationale: "Variables with a public prefix are inlined into the JavaScript bundle every visitor downloads.",
  standard: "Next.js `NEXT_PUBLIC_` bundling; Vite env exposure",
  config: {
    publicPrefixes: stringList("Prefixes that frameworks inline into client bundles.", DEFAULTS.publicPrefixes),
    allowedPublicKeys: stringList("Public keys that only look secret (e.g. a publishable token).", DEFAULTS.allowedPublicKeys),
  },
  validateResource: onVercelVariables(async (v, args, report) => {
    const { publicPrefixes, allowedPublicKeys } = readConfig(args, DEFAULTS);
    const prefix = publicPrefixes.find((p) => v.key.startsWith(p));
    if (!prefix || allowedPublicKeys.includes(v.key)) return;
    const valueReason = v.value !== undefined ? await detectSecretValue(v.value) : undefined;
    if (valueReason) {
      report(
        `${v.label} is bundled into the browser (prefix ${prefix}) and its value ${valueReason}. Fix: rename it without ${prefix}, read it on the server only, and rotate the leaked value.`,
      );
    } else if (isSecretName(v.key.slice(prefix.length))) {
      report(
        `${v.label} is bundled into the browser (prefix ${prefix}) but its name looks secret. Fix: drop the ${prefix} prefix and use it server-side, or add it to this rule's \`allowedPublicKeys\` if it is public by design.`,
      );
    }
  }),
});
