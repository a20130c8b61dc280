import { defineResourceRule, ofType } from "../lib/rule";
import { DnsRecord } from "../lib/resource-types";
import { readConfig, stringList } from "../lib/config";
import { VERCEL_CNAME_TARGETS, matchesHostPattern } from "../lib/vercel-dns";

const DEFAULTS = {
  // Vercel's targets, the same list the program's `dnsAllowedCnameTargets` defaults to
  // (lib/vercel-dns.ts): seed 003's cname.vercel-dns.com, Vercel's docs' cname.vercel-dns-0.com
  // and the family of per-project hosts `vercel.getDomainConfig` recommends
  // (`<hex>.vercel-dns-<digits>.com`, any shard, as an anchored pattern).
  allowedCnameTargets: [...VERCEL_CNAME_TARGETS],
};

/**
 * Whether `host` matches `pattern`: exact, `*.zone` for any name below `zone`, or an anchored
 * `/^…$/` pattern over the whole host (the program's DNS component uses the same matcher).
 */
export const hostMatches = matchesHostPattern;

/** DNS CNAME targets only from an allow-list (dangling-record takeover). */
export const disallowUnknownCnameTargets = defineResourceRule("cloudflare", {
  name: "cloudflare-disallow-unknown-cname-targets",
  description: "CNAME records may only point at hosts on the allow-list, so a released target cannot be taken over.",
  enforcementLevel: "mandatory",
  numbers: [53],
  anchors: ["OWASP subdomain takeover", "CAPEC-19"],
  rationale: "A CNAME to a host someone else can claim lets an attacker serve content on our domain once the target is released (subdomain takeover).",
  standard: "OWASP: subdomain takeover; CAPEC-19",
  config: {
    allowedCnameTargets: stringList(
      "Allowed CNAME targets: a host, `*.zone` for any name below zone, or `/^…$/` for a family of hosts.",
      DEFAULTS.allowedCnameTargets,
    ),
  },
  validateResource: ofType(DnsRecord, (record, args, report) => {
    if (record.type !== "CNAME") return args.notApplicable("Policy only applies to CNAME records");
    const { allowedCnameTargets } = readConfig(args, DEFAULTS);
    const target = record.content ?? record.data?.target;
    if (typeof target !== "string" || target === "") {
      report(`CNAME "${record.name}" has no target. Fix: set \`content\` to one of ${allowedCnameTargets.join(", ")}.`);
    } else if (!allowedCnameTargets.some((p) => hostMatches(target, p))) {
      report(
        `CNAME "${record.name}" points at "${target}", which is not on the allow-list; if that host is released, whoever claims it serves your domain. Fix: point it at one of ${allowedCnameTargets.join(", ")}, or add the target to this rule's \`allowedCnameTargets\` once you own it.`,
      );
    }
  }),
});
