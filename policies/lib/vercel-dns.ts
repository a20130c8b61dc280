/**
 * Where Vercel tells a custom domain's CNAME to point: the one list the program's DNS component
 * (`DEFAULT_ALLOWED_CNAME_TARGETS`, stack config `dnsAllowedCnameTargets`) and `cloudflare-disallow-unknown-cname-targets`
 * (`allowedCnameTargets`) start from. Dependency-free, so the pack can load it without a provider SDK.
 *
 * - `cname.vercel-dns.com` (seed 003) and `*.vercel-dns.com` (seed 004's `…cdn.vercel-dns.com`);
 * - `cname.vercel-dns-0.com`, the generic target of Vercel's docs;
 * - `*.vercel-dns-016.com`: what `GET /v6/domains/{domain}/config` (`vercel.getDomainConfig`,
 *   `recommendedCname`) ranks first today, a per-project host such as
 *   `7e8e70c7b54787ba.vercel-dns-016.com.` (with the apex A record `216.150.1.1`). Without it a real
 *   account's first `pulumi up` fails every Vercel CNAME.
 */
export const VERCEL_CNAME_TARGETS: readonly string[] = Object.freeze([
  "cname.vercel-dns.com",
  "*.vercel-dns.com",
  "cname.vercel-dns-0.com",
  "*.vercel-dns-016.com",
]);
