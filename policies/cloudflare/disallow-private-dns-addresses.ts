import { BlockList, isIP } from "node:net";
import { defineResourceRule, ofType } from "../lib/rule";
import { DnsRecord } from "../lib/resource-types";

/** Addresses that must never be published: private, loopback, link-local, CGNAT, unspecified. */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv6");
}

/** Why `address` must not be published, or undefined for a public address. */
export function nonPublicReason(address: string): string | undefined {
  const version = isIP(address);
  if (version === 0) return "is not an IP address";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return nonPublicReason(mapped[1]);
  return NON_PUBLIC.check(address, version === 4 ? "ipv4" : "ipv6") ? "is a private, loopback or link-local address" : undefined;
}

/** DNS A/AAAA never private or loopback addresses. */
export const disallowPrivateDnsAddresses = defineResourceRule("cloudflare", {
  name: "cloudflare-disallow-private-dns-addresses",
  description: "A and AAAA records must publish public addresses only, never private, loopback or link-local ones.",
  enforcementLevel: "mandatory",
  numbers: [54],
  anchors: ["RFC 1918", "RFC 6890", "OWASP DNS rebinding"],
  rationale: "Publishing private or loopback addresses leaks internal topology and enables DNS rebinding attacks through visitors' browsers.",
  standard: "RFC 1918, RFC 6890 (special-purpose addresses); OWASP: DNS rebinding",
  validateResource: ofType(DnsRecord, (record, args, report) => {
    if (record.type !== "A" && record.type !== "AAAA") return args.notApplicable("Policy only applies to A and AAAA records");
    const address = String(record.content ?? "");
    const reason = nonPublicReason(address);
    if (reason) {
      report(
        `${record.type} record "${record.name}" publishes "${address}", which ${reason}. Fix: publish the service's public address (e.g. Vercel's 76.76.19.61) or remove the record.`,
      );
    }
  }),
});
