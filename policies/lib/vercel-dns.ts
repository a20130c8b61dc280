/**
 * Where Vercel tells a custom domain's CNAME to point, and how an allow-list entry matches a host:
 * the one list and the one matcher the program's DNS component (`DEFAULT_ALLOWED_CNAME_TARGETS`,
 * stack config `dnsAllowedCnameTargets`) and `cloudflare-disallow-unknown-cname-targets`
 * (`allowedCnameTargets`) share. Dependency-free, so the pack can load it without a provider SDK.
 *
 * - `cname.vercel-dns.com` (seed 003) and `*.vercel-dns.com` (seed 004's `…cdn.vercel-dns.com`);
 * - `cname.vercel-dns-0.com`, the generic target of Vercel's docs;
 * - the family of per-project hosts `GET /v6/domains/{domain}/config` (`vercel.getDomainConfig`,
 *   `recommendedCNAME`, rank 1) answers: `<16 hex>.vercel-dns-<shard>.com.`. The shard moves on
 *   (`-016` in 2025, `-017` now: terraform-provider-vercel's own fixture
 *   `client/domain_config_test.go` answers `example.vercel-dns-017.com`, and public DNS shows
 *   `7c2ca1c8d2024712.vercel-dns-017.com` beside the apex `216.198.79.1` / `64.29.17.1`), so the
 *   list names the family with a pattern, not a shard with `*.`.
 */

/**
 * The per-project targets Vercel recommends, any shard: `<hex>.vercel-dns-<digits>.com`. An
 * allow-list entry written `/…/` is an anchored regular expression over the whole host.
 */
export const VERCEL_PROJECT_CNAME_FAMILY = "/^[0-9a-f]+\\.vercel-dns-[0-9]+\\.com$/";

export const VERCEL_CNAME_TARGETS: readonly string[] = Object.freeze([
  "cname.vercel-dns.com",
  "*.vercel-dns.com",
  "cname.vercel-dns-0.com",
  VERCEL_PROJECT_CNAME_FAMILY,
]);

/** The host as DNS compares it: trimmed, lower case, without the trailing dot. */
export function normaliseHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * What is wrong with an allow-list entry, or `undefined`. Three forms: an exact host
 * (`cname.vercel-dns.com`), `*.zone` (any host below `zone`), or `/^…$/`, a regular expression
 * anchored at both ends that the whole host must match (a family such as Vercel's shards).
 */
export function hostPatternProblem(pattern: string): string | undefined {
  if (pattern.startsWith("/")) {
    if (!/^\/\^.+\$\/$/.test(pattern)) return `"${pattern}" is a pattern but not anchored: write it as /^…$/`;
    try {
      new RegExp(pattern.slice(1, -1));
    } catch {
      return `"${pattern}" is not a valid regular expression`;
    }
    return undefined;
  }
  if (!/^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(pattern)) {
    return `"${pattern}" is not a lower-case host name, \`*.zone\` or an anchored pattern /^…$/`;
  }
  return undefined;
}

/** Whether `host` matches an allow-list entry: exact, `*.zone` for any host below `zone`, or an anchored `/^…$/` pattern. */
export function matchesHostPattern(host: string, pattern: string): boolean {
  const h = normaliseHost(host);
  const p = pattern.trim();
  if (p.startsWith("/") && p.endsWith("/") && p.length > 2) {
    if (hostPatternProblem(p) !== undefined) return false;
    return new RegExp(p.slice(1, -1)).test(h);
  }
  const q = normaliseHost(p);
  if (q.startsWith("*.")) return h.endsWith(q.slice(1)) && h.length > q.length - 1;
  return h === q;
}
