import { defineResourceRule } from "../lib/rule";
import { onVercelVariables } from "../lib/vercel";

/** Vercel targets always explicit. */
export const configureExplicitTargets = defineResourceRule("vercel", {
  name: "vercel-configure-explicit-targets",
  description: "Vercel variables must name their targets explicitly.",
  enforcementLevel: "mandatory",
  numbers: [59, 75],
  anchors: ["Vercel environment variable targets"],
  rationale: "Implicit targets can expose a variable to environments it was not meant for.",
  standard: "Vercel documentation: environment variable targets",
  validateResource: onVercelVariables((v, _args, report) => {
    if ((v.targets ?? []).length === 0 && (v.customEnvironmentIds ?? []).length === 0) {
      report(`${v.label} has no \`targets\`, so where it applies depends on provider defaults. Fix: set \`targets\` (e.g. ["production", "preview"]).`);
    }
  }),
});
