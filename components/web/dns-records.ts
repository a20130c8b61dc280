/**
 * DNS records of one product in an existing Cloudflare zone. The caller looks the zone up
 * (`cloudflare.getZoneOutput`); this component never creates or deletes zones.
 *
 * Safety rules (`cloudflare-disallow-unknown-cname-targets`, `cloudflare-disallow-private-dns-addresses` and `cloudflare-configure-dns-record-metadata`): A/AAAA records point only at public addresses, CNAMEs only
 * at allow-listed hosts (dangling-record takeover), `proxied` is always explicit and every record
 * carries an owner comment. Record names are sent to Cloudflare fully qualified: provider v6
 * (Terraform provider v5) stores the API's FQDN, so a relative name or `@` diffs forever
 * (cloudflare/terraform-provider-cloudflare#5620, #7289).
 */
import * as net from "node:net";
import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { PlatformContext, TYPE_PREFIX, Transform, throwIfInvalid, transform } from "../context";
import { VERCEL_CNAME_TARGETS, hostPatternProblem, matchesHostPattern as matchesAllowListEntry } from "../../policies/lib/vercel-dns";

const COMPONENT = "DnsRecords";

/** The record types this component manages. */
export type DnsRecordType = "A" | "AAAA" | "CNAME";

export interface DnsRecordSpec {
  /**
   * Record name relative to the zone (`"@"` for the apex, `"www"`, `"api.codebook"`) or a fully
   * qualified name inside the zone (`"www.example.com"`).
   */
  readonly name: string;
  /** Record type. A CNAME cannot sit at the zone apex: use an A record (for Vercel, its recommended IPv4). */
  readonly type: DnsRecordType;
  /**
   * An IP address (A/AAAA) or a hostname (CNAME). A literal is checked before any resource is
   * registered; a value only known later (e.g. Vercel's per-domain recommendation from
   * `vercel.getDomainConfigOutput`) is checked against the same rules when it resolves, and the
   * record fails instead of being created with it.
   *
   * A/AAAA only: a list of addresses makes one record per address (the same name and type), e.g.
   * every IPv4 Vercel recommends for the apex. The first keeps the record's usual resource name
   * (`<name>-apex-a`); the others are `-2`, `-3`, … and, for a list only known later, are registered
   * once it resolves (a first preview of a project that does not exist yet shows only the first).
   */
  readonly content: pulumi.Input<string> | pulumi.Input<readonly string[]>;
  /**
   * Where a CNAME target only known later comes from, when that source is trusted to name a host
   * the owner controls: e.g. `"vercel.getDomainConfig for project careersy-wingman"`, Vercel's own
   * answer for a project of ours. Such a target is checked to be a hostname but not against
   * `allowedCnameTargets` (Vercel's shards move on; the allow-list is for hand-written targets).
   * Not allowed with a literal `content`: hand-written targets stay allow-listed.
   * @default untrusted: the target must be on `allowedCnameTargets`
   */
  readonly trustedSource?: string;
  /** Whether Cloudflare proxies the traffic; required so the choice is explicit (`cloudflare-configure-dns-record-metadata`). */
  readonly proxied: boolean;
  /**
   * Time to live in seconds; 1 means automatic and is the only value Cloudflare allows when
   * `proxied` is true. Otherwise 60–86400.
   * @default 1
   */
  readonly ttl?: number;
  /**
   * The record's target does not exist yet when this resolves `true` (staging before prod created
   * a Vercel project): the record is then not registered in this run, and the next run adds it.
   * Must be known at preview (a lookup's answer), as the record is registered once it resolves.
   * @default the record is always registered
   */
  readonly pending?: pulumi.Input<boolean>;
}

export interface DnsRecordsArgs {
  /** Environment, product and owner; the owner and product go into each record's comment. */
  readonly context: PlatformContext;
  /** Id of the existing zone, e.g. `cloudflare.getZoneOutput({ filter: { name } }).zoneId`. */
  readonly zoneId: pulumi.Input<string>;
  /** The zone's domain (`example.com`), used to qualify names and to validate them. */
  readonly zoneName: string;
  /** The records to manage. */
  readonly records: ReadonlyArray<DnsRecordSpec>;
  /**
   * Hosts a CNAME may point at: exact hostnames, `*.suffix` for any host under `suffix`, or an
   * anchored pattern `/^…$/` for a family of hosts (policies/lib/vercel-dns.ts `matchesHostPattern`).
   * A CNAME may also point at another record of this set. `cloudflare-disallow-unknown-cname-targets`.
   * @default DEFAULT_ALLOWED_CNAME_TARGETS (Vercel's targets)
   */
  readonly allowedCnameTargets?: ReadonlyArray<string>;
  /** Adjust a child's arguments without forking the component. */
  readonly transform?: {
    /** Each `cloudflare.DnsRecord`, with the spec it comes from. */
    readonly record?: Transform<cloudflare.DnsRecordArgs, [spec: DnsRecordSpec]>;
  };
}

/**
 * Default CNAME allow-list: Vercel's targets (policies/lib/vercel-dns.ts, the same list `cloudflare-disallow-unknown-cname-targets`
 * starts from): seed 003 `cname.vercel-dns.com`, seed 004 `*.cdn.vercel-dns.com`, Vercel's docs
 * `cname.vercel-dns-0.com`, and the family of per-project hosts `vercel.getDomainConfig` recommends
 * (`<hex>.vercel-dns-<digits>.com`, any shard: `-016`, today's `-017`, the next one).
 */
export const DEFAULT_ALLOWED_CNAME_TARGETS: readonly string[] = VERCEL_CNAME_TARGETS;

/** Cloudflare's "automatic" TTL, the default and the only value allowed on proxied records. */
export const AUTOMATIC_TTL = 1;

/** Cloudflare accepts TTLs from 60 s (non-Enterprise) to one day. */
export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 86_400;

/** Cloudflare's comment limit on free zones (paid plans allow more). */
export const MAX_COMMENT_LENGTH = 100;

// ---------------------------------------------------------------------------------------------
// IP classification (pure; the policy pack reuses it)

const IPV4_NON_PUBLIC: ReadonlyArray<[string, number, string]> = [
  ["0.0.0.0", 8, 'unspecified/"this network"'],
  ["10.0.0.0", 8, "private (RFC 1918)"],
  ["100.64.0.0", 10, "carrier-grade NAT (RFC 6598)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private (RFC 1918)"],
  ["192.0.0.0", 24, "IETF protocol assignment"],
  ["192.0.2.0", 24, "documentation (TEST-NET-1)"],
  ["192.168.0.0", 16, "private (RFC 1918)"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation (TEST-NET-2)"],
  ["203.0.113.0", 24, "documentation (TEST-NET-3)"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved/broadcast"],
];

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inIpv4Cidr(ip: number, base: string, bits: number): boolean {
  const size = 2 ** (32 - bits);
  const start = ipv4ToInt(base);
  return ip >= start && ip < start + size;
}

/** Expands an IPv6 address (without zone id) to eight 16-bit groups. */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const tail: number[] = [];
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const n = ipv4ToInt(v4[1]);
    tail.push(Math.floor(n / 65536), n % 65536);
    text = text.slice(0, -v4[1].length) + "0:0"; // placeholder, replaced below
  }
  const [head, rest] = text.split("::");
  const headParts = head ? head.split(":") : [];
  const restParts = rest !== undefined && rest !== "" ? rest.split(":") : [];
  const missing = 8 - headParts.length - restParts.length;
  const parts = rest === undefined ? headParts : [...headParts, ...Array(missing).fill("0"), ...restParts];
  const groups = parts.map((p) => parseInt(p, 16));
  if (tail.length) groups.splice(6, 2, ...tail);
  return groups;
}

/**
 * Why `ip` is not a public unicast address (e.g. `"loopback"`, `"private (RFC 1918)"`), or
 * `undefined` when it is public. Anything that is not a plain IPv4/IPv6 literal is `"not an IP address"`.
 */
export function ipProblem(ip: string): string | undefined {
  if (ip.includes("%")) return "scoped (zone id) address";
  const family = net.isIP(ip);
  if (family === 4) {
    const n = ipv4ToInt(ip);
    return IPV4_NON_PUBLIC.find(([base, bits]) => inIpv4Cidr(n, base, bits))?.[2];
  }
  if (family === 6) {
    const g = ipv6Groups(ip);
    if (g.every((x) => x === 0)) return "unspecified";
    if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "loopback";
    // IPv4-mapped (::ffff:a.b.c.d): judge the embedded IPv4 address.
    if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
      const v4 = `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
      return ipProblem(v4);
    }
    if ((g[0] & 0xffc0) === 0xfe80) return "link-local";
    if ((g[0] & 0xfe00) === 0xfc00) return "unique local (private)";
    if ((g[0] & 0xff00) === 0xff00) return "multicast";
    if (g[0] === 0x2001 && g[1] === 0x0db8) return "documentation";
    if ((g[0] & 0xfff0) === 0x3ff0) return "documentation";
    // Only global unicast (2000::/3) is routable on the internet.
    if ((g[0] & 0xe000) !== 0x2000) return "not global unicast";
    return undefined;
  }
  return "not an IP address";
}

/** Whether `ip` is a public (internet-routable unicast) IPv4 or IPv6 address. `cloudflare-disallow-private-dns-addresses`. */
export function isPublicIp(ip: string): boolean {
  return ipProblem(ip) === undefined;
}

// ---------------------------------------------------------------------------------------------
// Names

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const RECORD_LABEL = /^(\*|_?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$/;

/** Whether `host` is a lower-case DNS hostname with at least two labels (no trailing dot). */
export function isHostname(host: string): boolean {
  if (host.length > 253) return false;
  const labels = host.split(".");
  return labels.length >= 2 && labels.every((l) => HOST_LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]);
}

/** The record's fully qualified name inside `zoneName`; `"@"` and the zone itself are the apex. */
export function qualifyRecordName(name: string, zoneName: string): string {
  const n = name.replace(/\.$/, "");
  if (n === "@" || n === zoneName) return zoneName;
  if (n.endsWith(`.${zoneName}`)) return n;
  return `${n}.${zoneName}`;
}

/** The name relative to the zone: `"@"` for the apex, `"api.codebook"` for `api.codebook.example.com`. */
export function relativeRecordName(name: string, zoneName: string): string {
  const fqdn = qualifyRecordName(name, zoneName);
  return fqdn === zoneName ? "@" : fqdn.slice(0, -(zoneName.length + 1));
}

/** Stable child-name suffix from name and type: `apex-a`, `www-cname`, `api-codebook-a`, `wildcard-a`. */
export function recordSuffix(spec: Pick<DnsRecordSpec, "name" | "type">, zoneName: string): string {
  const rel = relativeRecordName(spec.name, zoneName);
  const base = rel === "@" ? "apex" : rel.replace(/\*/g, "wildcard").replace(/_/g, "").replace(/\./g, "-");
  return `${base}-${spec.type.toLowerCase()}`;
}

/** Whether `host` matches an allow-list entry (exact host, `*.suffix` for hosts under `suffix`, or an anchored `/^…$/` pattern). */
export function matchesHostPattern(host: string, pattern: string): boolean {
  return matchesAllowListEntry(host, pattern);
}

/** The comment written on each record: who owns it and which product it serves (`cloudflare-configure-dns-record-metadata`). */
export function ownerComment(ctx: PlatformContext): string {
  return `managed by app-platform; owner=${ctx.owner}; product=${ctx.product}`;
}

/**
 * What is wrong with a record's content: an A/AAAA not a public address of its family
 * (`cloudflare-disallow-private-dns-addresses`), a CNAME target not a hostname or not on the
 * allow-list nor a record of the set (`cloudflare-disallow-unknown-cname-targets`).
 */
export function contentProblems(
  at: string,
  type: DnsRecordType,
  content: string,
  fqdns: ReadonlySet<string>,
  allowed: ReadonlyArray<string>,
  trustedSource?: string,
): string[] {
  const problems: string[] = [];
  if (type === "A" || type === "AAAA") {
    const family = net.isIP(content);
    const want = type === "A" ? 4 : 6;
    const problem = ipProblem(content);
    if (family !== want || content.includes("%")) {
      problems.push(`${at}: \`content\` "${content}" is not an IPv${want} address; an ${type} record needs one`);
    } else if (problem) {
      problems.push(
        `${at}: \`content\` ${content} is a ${problem} address; DNS must point only at public addresses (cloudflare-disallow-private-dns-addresses)`,
      );
    }
  }
  if (type === "CNAME") {
    const target = content.toLowerCase().replace(/\.$/, "");
    if (!isHostname(target)) {
      problems.push(`${at}: \`content\` "${content}" is not a hostname; a CNAME points at a hostname such as \`cname.vercel-dns.com\``);
    } else if (trustedSource === undefined && !fqdns.has(target) && !allowed.some((p) => matchesHostPattern(target, p))) {
      problems.push(
        `${at}: CNAME target \`${target}\` is not in \`allowedCnameTargets\` (${allowed.join(", ")}); point it at an allowed host or add the host to \`allowedCnameTargets\` (cloudflare-disallow-unknown-cname-targets, dangling-record takeover)`,
      );
    }
  }
  return problems;
}

/**
 * The record's content as sent to Cloudflare (CNAME targets lower-cased, without the trailing dot).
 * Literals were checked before any resource was registered; a value only known later (Vercel's
 * recommendation) is checked here when it resolves, and a bad one fails the record with the same
 * message instead of being published.
 */
export function checkedContent(
  name: string,
  at: string,
  spec: Pick<DnsRecordSpec, "type" | "content" | "trustedSource">,
  fqdns: ReadonlySet<string>,
  allowed: ReadonlyArray<string>,
): pulumi.Output<string> {
  return checkedContents(name, at, spec, fqdns, allowed).apply((list) => list[0]);
}

/** The spec's content as written: its literal values, or `undefined` when (part of) it is only known later. */
export function literalContents(content: DnsRecordSpec["content"]): readonly string[] | undefined {
  if (typeof content === "string") return [content];
  if (Array.isArray(content) && content.every((c) => typeof c === "string")) return content as readonly string[];
  return undefined;
}

/**
 * Every value of the spec's content (one per record: a list of addresses makes several), checked
 * as `checkedContent` describes once it resolves; a value only known later that resolves to no
 * value at all fails the record too.
 */
export function checkedContents(
  name: string,
  at: string,
  spec: Pick<DnsRecordSpec, "type" | "content" | "trustedSource">,
  fqdns: ReadonlySet<string>,
  allowed: ReadonlyArray<string>,
): pulumi.Output<readonly string[]> {
  const literal = literalContents(spec.content) !== undefined;
  return pulumi.output(spec.content as pulumi.Input<string | string[]>).apply((c) => {
    const list: string[] = typeof c === "string" ? [c] : [...c];
    if (!literal) {
      const problems =
        list.length === 0
          ? [`${at}: \`content\` resolved to no value; the ${spec.type} record needs at least one`]
          : list.flatMap((v) => contentProblems(at, spec.type, v, fqdns, allowed, spec.trustedSource));
      throwIfInvalid(COMPONENT, name, problems);
    }
    return list.map((v) => (spec.type === "CNAME" ? v.toLowerCase().replace(/\.$/, "") : v));
  });
}

/** Every problem with the arguments, checked synchronously; throws one `ValidationError`. */
export function validateDnsRecordsArgs(name: string, args: DnsRecordsArgs): void {
  const problems: string[] = [];
  const zone = args.zoneName;
  const zoneOk = isHostname(zone);
  if (!zoneOk) {
    problems.push(`\`zoneName\` "${zone}" is not a lower-case domain name; pass the zone's domain, e.g. \`example.com\``);
  }
  if (typeof args.zoneId === "string" && !/^[0-9a-f]{32}$/.test(args.zoneId)) {
    problems.push(
      `\`zoneId\` "${args.zoneId}" is not a Cloudflare zone id (32 hex characters); look it up with \`cloudflare.getZoneOutput({ filter: { name } }).zoneId\``,
    );
  }
  if (args.records.length === 0) problems.push("`records` is empty; declare at least one record or drop the component");
  const comment = ownerComment(args.context);
  if (comment.length > MAX_COMMENT_LENGTH) {
    problems.push(
      `the owner comment "${comment}" is longer than ${MAX_COMMENT_LENGTH} characters (Cloudflare's limit); shorten \`context.owner\` or \`context.product\``,
    );
  }

  const allowed = args.allowedCnameTargets ?? DEFAULT_ALLOWED_CNAME_TARGETS;
  for (const p of allowed) {
    const problem = hostPatternProblem(p);
    if (problem) problems.push(`\`allowedCnameTargets\`: ${problem}`);
  }
  const fqdns = zoneOk ? new Set(args.records.map((r) => qualifyRecordName(r.name, zone))) : new Set<string>();
  const seen = new Map<string, number>();
  const typesByName = new Map<string, Set<DnsRecordType>>();
  const suffixes = new Map<string, number>();

  args.records.forEach((r, i) => {
    const at = `\`records[${i}]\` (${r.type} ${r.name})`;
    const raw = r.name.replace(/\.$/, "");
    const rel = zoneOk ? relativeRecordName(r.name, zone) : raw;
    if (r.name.endsWith(".") && zoneOk && raw !== zone && !raw.endsWith(`.${zone}`)) {
      problems.push(`${at}: \`name\` is outside the zone \`${zone}\`; use a name relative to the zone or a FQDN ending in \`.${zone}\``);
    } else if (rel !== "@" && !rel.split(".").every((l, j) => (j === 0 ? RECORD_LABEL.test(l) : RECORD_LABEL.test(l) && l !== "*"))) {
      problems.push(
        `${at}: \`name\` is not a valid record name; use lower-case DNS labels (\`www\`, \`api.codebook\`), \`@\` for the apex or \`*\` as the first label`,
      );
    }
    if (!["A", "AAAA", "CNAME"].includes(r.type)) {
      problems.push(`${at}: \`type\` must be "A", "AAAA" or "CNAME"`);
    }
    if (typeof r.proxied !== "boolean") {
      problems.push(`${at}: \`proxied\` must be set explicitly to true or false (cloudflare-configure-dns-record-metadata)`);
    }
    const ttl = r.ttl ?? AUTOMATIC_TTL;
    if (r.proxied === true && ttl !== AUTOMATIC_TTL) {
      problems.push(`${at}: \`ttl\` is ${ttl} but proxied records only take \`ttl: 1\` (automatic); drop \`ttl\` or set \`proxied: false\``);
    } else if (ttl !== AUTOMATIC_TTL && !(Number.isInteger(ttl) && ttl >= MIN_TTL_SECONDS && ttl <= MAX_TTL_SECONDS)) {
      problems.push(`${at}: \`ttl\` is ${ttl}; use 1 (automatic) or a whole number of seconds from ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS}`);
    }

    if (rel === "@" && r.type === "CNAME") {
      problems.push(`${at}: a CNAME cannot sit at the zone apex; use an A record instead (for Vercel: its recommended IPv4, e.g. 76.76.21.21)`);
    }
    const literal = literalContents(r.content);
    if (literal !== undefined) {
      if (literal.length === 0) problems.push(`${at}: \`content\` is an empty list; give at least one address`);
      if (literal.length > 1 && r.type === "CNAME") problems.push(`${at}: a CNAME has exactly one target; give \`content\` as one host name`);
      for (const c of literal) problems.push(...contentProblems(at, r.type, c, fqdns, allowed));
      if (new Set(literal).size !== literal.length) problems.push(`${at}: \`content\` lists an address twice; list each once`);
      if (r.trustedSource !== undefined) {
        problems.push(
          `${at}: \`trustedSource\` is set on a literal \`content\`; hand-written targets stay on \`allowedCnameTargets\` — drop \`trustedSource\` (it is for a provider's answer, e.g. vercel.getDomainConfig)`,
        );
      }
    }

    if (zoneOk) {
      const fqdn = qualifyRecordName(r.name, zone);
      const key = `${r.type} ${fqdn}`;
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push(`${at}: duplicates \`records[${first}]\` (${key}); keep one record per name and type`);
      } else {
        seen.set(key, i);
      }
      const types = typesByName.get(fqdn) ?? new Set<DnsRecordType>();
      types.add(r.type);
      typesByName.set(fqdn, types);
      const suffix = recordSuffix(r, zone);
      const other = suffixes.get(suffix);
      if (other === undefined) {
        suffixes.set(suffix, i);
      } else if (first === undefined) {
        problems.push(`${at}: its resource name suffix \`${suffix}\` collides with \`records[${other}]\`; rename one of them`);
      }
    }
  });

  for (const [fqdn, types] of typesByName) {
    if (types.has("CNAME") && types.size > 1) {
      problems.push(`\`records\`: ${fqdn} has a CNAME and other records; a CNAME must be the only record at its name`);
    }
  }

  throwIfInvalid(COMPONENT, name, problems);
}

/** A product's Cloudflare DNS records in an existing zone, each commented with its owner. */
export class DnsRecords extends pulumi.ComponentResource {
  /** The fully qualified names of the records, in declaration order, without duplicates. */
  readonly hostnames: readonly string[];
  /** Cloudflare record ids, in declaration order (`""` for a record skipped as `pending`). */
  readonly recordIds: readonly pulumi.Output<string>[];

  constructor(name: string, args: DnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:dns:${COMPONENT}`, name, {}, opts);
    validateDnsRecordsArgs(name, args);

    const comment = ownerComment(args.context);
    const fqdns = new Set(args.records.map((r) => qualifyRecordName(r.name, args.zoneName)));
    const allowed = args.allowedCnameTargets ?? DEFAULT_ALLOWED_CNAME_TARGETS;
    const recordIds = args.records.map((spec, i) => {
      if (spec.pending === undefined) return this.createRecords(name, spec, comment, args, i, fqdns, allowed);
      // Registered once the answer is in (known at preview: a lookup), and only when the target exists.
      return pulumi.output(spec.pending).apply((pending) => (pending ? pulumi.output("") : this.createRecords(name, spec, comment, args, i, fqdns, allowed)));
    });

    this.hostnames = Object.freeze([...new Set(args.records.map((r) => qualifyRecordName(r.name, args.zoneName)))]);
    this.recordIds = Object.freeze(recordIds);

    this.registerOutputs({ hostnames: this.hostnames, recordIds: this.recordIds });
  }

  /**
   * The spec's records: the first (its usual name) at once, and one more per further value of a
   * list of addresses (`-2`, `-3`, …), registered once the list is known. Returns the first's id.
   */
  private createRecords(
    name: string,
    spec: DnsRecordSpec,
    comment: string,
    args: DnsRecordsArgs,
    index: number,
    fqdns: ReadonlySet<string>,
    allowed: ReadonlyArray<string>,
  ): pulumi.Output<string> {
    const at = `\`records[${index}]\` (${spec.type} ${spec.name})`;
    const contents = checkedContents(name, at, spec, fqdns, allowed);
    const suffix = recordSuffix(spec, args.zoneName);
    const first = this.createRecord(
      `${name}-${suffix}`,
      spec,
      contents.apply((list) => list[0]),
      comment,
      args,
    );
    const literal = literalContents(spec.content);
    if (literal !== undefined) {
      literal.slice(1).forEach((c, i) =>
        this.createRecord(
          `${name}-${suffix}-${i + 2}`,
          spec,
          contents.apply((list) => list[i + 1] ?? c),
          comment,
          args,
        ),
      );
    } else if (spec.type !== "CNAME") {
      // Known at preview when it comes from a lookup. The first record's id waits for the others,
      // so `recordIds` (a registered output) keeps the run open until they are registered.
      const more = contents.apply((list) =>
        pulumi.all(list.slice(1).map((c, i) => this.createRecord(`${name}-${suffix}-${i + 2}`, spec, c, comment, args).id)),
      );
      return pulumi.all([first.id, more]).apply(([id]) => id);
    }
    return first.id;
  }

  private createRecord(resourceName: string, spec: DnsRecordSpec, content: pulumi.Input<string>, comment: string, args: DnsRecordsArgs): cloudflare.DnsRecord {
    const base: cloudflare.DnsRecordArgs = {
      zoneId: args.zoneId,
      name: qualifyRecordName(spec.name, args.zoneName),
      type: spec.type,
      content,
      ttl: spec.ttl ?? AUTOMATIC_TTL,
      proxied: spec.proxied,
      comment,
    };
    const final = transform(args.transform?.record, base, spec);
    return new cloudflare.DnsRecord(resourceName, final, { parent: this });
  }
}
