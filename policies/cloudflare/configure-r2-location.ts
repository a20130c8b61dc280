import { defineResourceRule, ofType } from "../lib/rule";
import { R2Bucket } from "../lib/resource-types";
import { readConfig, stringList } from "../lib/config";

const DEFAULTS = {
  // A choice, not a seed number: North America and Europe, where the products' users are.
  allowedLocations: ["enam", "wnam", "weur", "eeur"],
  allowedJurisdictions: ["default", "eu"],
};

/** R2 location/jurisdiction from an allow-list. */
export const configureR2Location = defineResourceRule("cloudflare", {
  name: "cloudflare-configure-r2-location",
  description: "R2 buckets should use a location hint and jurisdiction from the allow-list.",
  enforcementLevel: "advisory",
  numbers: [52],
  anchors: ["Cloudflare R2 data location"],
  rationale: "Where data is stored is a legal and latency decision; an unplanned location or jurisdiction can break data residency commitments.",
  standard: "Cloudflare R2 documentation: data location",
  config: {
    allowedLocations: stringList("Allowed `location` hints (unset means automatic, which is allowed).", DEFAULTS.allowedLocations),
    allowedJurisdictions: stringList("Allowed `jurisdiction`s (unset means `default`).", DEFAULTS.allowedJurisdictions),
  },
  validateResource: ofType(R2Bucket, (bucket, args, report) => {
    const { allowedLocations, allowedJurisdictions } = readConfig(args, DEFAULTS);
    const name = bucket.name ?? args.name;
    const location = bucket.location?.toLowerCase();
    if (location !== undefined && location !== "auto" && !allowedLocations.map((l) => l.toLowerCase()).includes(location)) {
      report(
        `R2 bucket "${name}" is placed in "${bucket.location}". Fix: use one of ${allowedLocations.join(", ")} (or leave it unset), or add it to this rule's \`allowedLocations\`.`,
      );
    }
    const jurisdiction = bucket.jurisdiction ?? "default";
    if (!allowedJurisdictions.includes(jurisdiction)) {
      report(
        `R2 bucket "${name}" is in jurisdiction "${jurisdiction}". Fix: use one of ${allowedJurisdictions.join(", ")}, or add it to this rule's \`allowedJurisdictions\`.`,
      );
    }
  }),
});
