import { defineResourceRule } from "../lib/rule";
import { onVercelVariables } from "../lib/vercel";

/**
 * Secret and restricted live-mode keys (Stripe `sk_live_`/`rk_live_`, Clerk `sk_live_`).
 * Publishable keys (`pk_live_`) are public by design and may reach any target.
 */
const LIVE_KEY = /\b(sk|rk)_live_/;

/** Live-mode keys (`sk_live_`…) target production only. */
export const enforceLiveKeysProductionOnly = defineResourceRule("vercel", {
  name: "vercel-enforce-live-keys-production-only",
  description: "Vercel variables holding live-mode payment keys must target production only.",
  enforcementLevel: "mandatory",
  numbers: [58, 75],
  anchors: ["Stripe live and test mode keys"],
  rationale: "A live payment key on preview deployments lets unreviewed code move real money.",
  standard: "Stripe documentation: live and test mode keys",
  validateResource: onVercelVariables((v, _args, report) => {
    const targets = v.targets ?? [];
    const onlyProduction = targets.length > 0 && targets.every((t) => t === "production") && !v.gitBranch && (v.customEnvironmentIds ?? []).length === 0;
    // Targets first: a production-only variable passes whatever its value (unknown at preview
    // for generated secrets, and reading an unknown makes the engine skip the rule).
    if (onlyProduction) return;
    if (v.value === undefined || !LIVE_KEY.test(v.value)) return;
    {
      report(
        `${v.label} holds a live-mode key but targets ${[...targets, ...(v.customEnvironmentIds ?? []), ...(v.gitBranch ? [`branch ${v.gitBranch}`] : [])].join(", ") || "no explicit target"}; previews would charge real cards. Fix: set \`targets: ["production"]\` and give preview a test-mode key (sk_test_...).`,
      );
    }
  }),
});
