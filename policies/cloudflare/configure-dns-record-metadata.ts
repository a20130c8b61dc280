import { defineResourceRule, ofType } from "../lib/rule";
import { DnsRecord } from "../lib/resource-types";

const PROXIABLE = ["A", "AAAA", "CNAME"];

/** DNS `proxied` set explicitly; records carry an owner comment/tag. */
export const configureDnsRecordMetadata = defineResourceRule("cloudflare", {
  name: "cloudflare-configure-dns-record-metadata",
  description: "DNS records should set `proxied` explicitly and name their owner in a comment or an `owner:` tag.",
  enforcementLevel: "advisory",
  numbers: [55],
  anchors: ["Cloudflare DNS record attributes"],
  rationale: "Whether a record is proxied decides whether traffic passes Cloudflare's edge; an owner lets a stale record be traced before it dangles.",
  standard: "Cloudflare DNS record attributes",
  validateResource: ofType(DnsRecord, (record, _args, report) => {
    const where = `${record.type} record "${record.name}"`;
    if (PROXIABLE.includes(record.type) && typeof record.proxied !== "boolean") {
      report(`${where} leaves \`proxied\` to the default. Fix: set \`proxied: true\` or \`false\` so the choice is reviewed.`);
    }
    const hasComment = typeof record.comment === "string" && record.comment.trim() !== "";
    const hasOwnerTag = (record.tags ?? []).some((t) => t.startsWith("owner:"));
    if (!hasComment && !hasOwnerTag) {
      report(`${where} does not say who owns it. Fix: set \`comment\` (e.g. "codebook, managed by pulumi, owner platform-team") or a tag "owner:<team>".`);
    }
  }),
});
