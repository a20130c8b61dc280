import { defineResourceRule, ofType } from "../lib/rule";
import { R2BucketCors } from "../lib/resource-types";

/** R2 CORS: no `*` origin. */
export const disallowR2CorsWildcard = defineResourceRule("cloudflare", {
  name: "cloudflare-disallow-r2-cors-wildcard",
  description: "R2 CORS rules must list their allowed origins instead of `*`.",
  enforcementLevel: "mandatory",
  numbers: [51],
  anchors: ["OWASP CORS misconfiguration"],
  rationale: "A `*` origin lets any website read the bucket's responses from a visitor's browser.",
  standard: "OWASP: CORS misconfiguration",
  validateResource: ofType(R2BucketCors, (cors, args, report) => {
    (cors.rules ?? []).forEach((rule, i) => {
      const wildcard = (rule.allowed?.origins ?? []).filter((o) => o.trim() === "*" || /^https?:\/\/\*$/.test(o.trim()));
      if (wildcard.length > 0) {
        report(
          `R2BucketCors "${args.name}" (bucket "${cors.bucketName}") rule ${rule.id ? `"${rule.id}"` : `#${i}`} allows any origin. Fix: list the product's origins, e.g. ["https://app.example.com"].`,
        );
      }
    });
  }),
});
