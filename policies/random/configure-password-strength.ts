import { defineResourceRule, ofType } from "../lib/rule";
import { RandomPassword } from "../lib/resource-types";
import { integer, readConfig } from "../lib/config";

const DEFAULTS = { minLength: 32 };

/** `RandomPassword.length` ≥ 32 and not all character classes disabled. */
export const configurePasswordStrength = defineResourceRule("random", {
  name: "random-configure-password-strength",
  description: "Generated passwords must be at least the minimum length and use at least one character class.",
  enforcementLevel: "mandatory",
  numbers: [35],
  anchors: ["NIST SP 800-63B", "OWASP ASVS 2.9"],
  rationale: "Short generated passwords, or ones drawn from a single character class, are easier to guess.",
  standard: "NIST SP 800-63B; OWASP ASVS 2.9",
  config: { minLength: integer("Shortest allowed RandomPassword length.", DEFAULTS.minLength, 1) },
  validateResource: ofType(RandomPassword, (password, args, report) => {
    const { minLength } = readConfig(args, DEFAULTS);
    if (typeof password.length !== "number" || password.length < minLength) {
      report(
        `RandomPassword "${args.name}" is ${password.length} characters long. Fix: set \`length: ${minLength}\` or more (seed 004's ENCRYPTION_KEY needs exactly 32).`,
      );
    }
    const numeric = password.numeric ?? password.number;
    if (password.lower === false && password.upper === false && numeric === false && password.special === false) {
      report(`RandomPassword "${args.name}" disables every character class. Fix: keep at least \`lower\`, \`upper\` and \`numeric\` on.`);
    }
  }),
});
