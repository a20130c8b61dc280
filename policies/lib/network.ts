/**
 * Network openness, computed: which addresses a set of CIDR ranges (with exceptions) admits, and
 * whether that set reaches every public address. Parsing, address families and the registry of
 * special-purpose ranges come from `ipaddr.js` (its `SpecialRanges` follow the IANA IPv4 and IPv6
 * special-purpose address registries); this module only does set arithmetic on address
 * intervals, so `0.0.0.0/1` + `128.0.0.0/1`, or `0.0.0.0/0` except `10.0.0.0/8`, count as open
 * exactly like `0.0.0.0/0`.
 *
 * "Public" is every address outside the special-purpose ranges: for IPv4 the whole space minus
 * them, for IPv6 the global unicast block `2000::/3` (RFC 4291 §2.4, the only block IANA
 * allocates from) minus them. A set that covers all public addresses of either family is open to
 * the Internet, whatever private ranges it leaves out.
 */
import * as ipaddr from "ipaddr.js";

export type Family = "ipv4" | "ipv6";

/** A closed interval of addresses, as integers. */
type Interval = readonly [bigint, bigint];

const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function toInteger(address: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return address.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
}

function intervalOf(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): { family: Family; interval: Interval } {
  const family = address.kind();
  const hostBits = BigInt(BITS[family] - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const start = toInteger(address) & ~hostMask;
  return { family, interval: [start, start | hostMask] };
}

/** The family and address interval of a CIDR (`10.0.0.0/8`, `2001:db8::/32`), or undefined when it is not one. */
export function parseCidr(text: string): { family: Family; interval: Interval } | undefined {
  try {
    const [address, prefix] = ipaddr.parseCIDR(text.trim());
    return intervalOf(address, prefix);
  } catch {
    return undefined;
  }
}

/** Sorted, merged intervals. */
function normalize(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1n) {
      if (e > last[1]) last[1] = e;
    } else out.push([s, e]);
  }
  return out;
}

/** `a` minus `b` (both normalized). */
function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  let rest: Interval[] = [...a];
  for (const [bs, be] of b) {
    const next: Interval[] = [];
    for (const [s, e] of rest) {
      if (be < s || bs > e) {
        next.push([s, e]);
        continue;
      }
      if (bs > s) next.push([s, bs - 1n]);
      if (be < e) next.push([be + 1n, e]);
    }
    rest = next;
  }
  return rest;
}

/** Whether `inner` (normalized) lies within `outer` (normalized). */
function within(inner: readonly Interval[], outer: readonly Interval[]): boolean {
  return subtract(inner, outer).length === 0;
}

/** ipaddr.js keeps its registry of special-purpose ranges on each class's prototype (untyped). */
type RangeEntry = [ipaddr.IPv4 | ipaddr.IPv6, number];

function specialIntervals(family: Family): Interval[] {
  const proto: unknown = family === "ipv4" ? ipaddr.IPv4.prototype : ipaddr.IPv6.prototype;
  const ranges = (proto as { SpecialRanges: Record<string, RangeEntry | RangeEntry[]> }).SpecialRanges;
  const out: Interval[] = [];
  for (const entry of Object.values(ranges)) {
    // One range is `[address, prefix]`; several are `[[address, prefix], ...]`.
    const list = (Array.isArray(entry[0]) ? entry : [entry]) as RangeEntry[];
    for (const [address, prefix] of list) out.push(intervalOf(address, prefix).interval);
  }
  return normalize(out);
}

let publicSpace: Record<Family, Interval[]> | undefined;

/** Every public address of each family (see the module comment). */
function publicIntervals(family: Family): Interval[] {
  publicSpace ??= {
    ipv4: subtract([[0n, (1n << 32n) - 1n]], specialIntervals("ipv4")),
    ipv6: subtract([parseCidr("2000::/3")!.interval], specialIntervals("ipv6")),
  };
  return publicSpace[family];
}

/** A block of addresses: a CIDR with the CIDRs carved out of it (a NetworkPolicy `ipBlock`). */
export interface AddressBlock {
  readonly cidr: string;
  readonly except?: readonly string[];
}

/** What a set of blocks admits. */
export interface Openness {
  /** The families whose every public address the set admits. */
  readonly openFamilies: readonly Family[];
  /** Entries that are not CIDRs (reported by the caller; they admit nothing here). */
  readonly invalid: readonly string[];
}

/** Computes which families a union of blocks opens to every public address. */
export function openness(blocks: readonly (AddressBlock | string)[]): Openness {
  const admitted: Record<Family, Interval[]> = { ipv4: [], ipv6: [] };
  const invalid: string[] = [];
  for (const b of blocks) {
    const block = typeof b === "string" ? { cidr: b } : b;
    const parsed = parseCidr(block.cidr);
    if (!parsed) {
      invalid.push(block.cidr);
      continue;
    }
    const carved: Interval[] = [];
    for (const e of block.except ?? []) {
      const x = parseCidr(e);
      if (x && x.family === parsed.family) carved.push(x.interval);
      else if (!x) invalid.push(e);
    }
    admitted[parsed.family].push(...subtract([parsed.interval], normalize(carved)));
  }
  const openFamilies = (["ipv4", "ipv6"] as const).filter((f) => within(publicIntervals(f), normalize(admitted[f])));
  return { openFamilies, invalid };
}

/** `every public IPv4 and IPv6 address`, for messages. */
export function describeOpen(openFamilies: readonly Family[]): string {
  const names = openFamilies.map((f) => (f === "ipv4" ? "IPv4" : "IPv6"));
  return `every public ${names.join(" and ")} address`;
}
