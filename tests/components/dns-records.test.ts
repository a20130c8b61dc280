import { beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installRecordingMocks, valueOf } from "../helpers/mocks";

const rec = installRecordingMocks({ stack: "staging" });

import { PlatformContext } from "../../components/context";
import { PLAIN_CONFIG_KEYS } from "../../infra/config-keys";
import {
  DEFAULT_ALLOWED_CNAME_TARGETS,
  DnsRecords,
  DnsRecordsArgs,
  checkedContent,
  checkedContents,
  ipProblem,
  isPublicIp,
  qualifyRecordName,
  recordSuffix,
  validateDnsRecordsArgs,
} from "../../components/web/dns-records";

const context: PlatformContext = { environment: "prod", product: "ara", owner: "platform-team" };
const ZONE_ID = "0123456789abcdef0123456789abcdef";
const RECORD = "cloudflare:index/dnsRecord:DnsRecord";

/** ARA's records (seed 004 "A record: @ -> 76.76.19.61", "CNAME record: www -> ...cdn.vercel-dns.com"). */
const araArgs: DnsRecordsArgs = {
  context,
  zoneId: ZONE_ID,
  zoneName: "appstoagents.com",
  records: [
    { name: "@", type: "A", content: "76.76.19.61", proxied: false },
    { name: "www", type: "CNAME", content: "app.appstoagents.com.cdn.vercel-dns.com", proxied: false },
  ],
};

const withRecords = (records: DnsRecordsArgs["records"], extra: Partial<DnsRecordsArgs> = {}): DnsRecordsArgs => ({
  ...araArgs,
  records,
  ...extra,
});

beforeEach(() => rec.reset());

describe("DnsRecords resources", () => {
  it("creates one commented, fully qualified DnsRecord per record", async () => {
    const dns = new DnsRecords("ara-dns", araArgs);
    await rec.settle();

    expect(rec.one("app-platform:dns:DnsRecords", "ara-dns").custom).toBe(false);
    expect(rec.ofType(RECORD).map((r) => r.name)).toEqual(["ara-dns-apex-a", "ara-dns-www-cname"]);
    expect(rec.one(RECORD, "ara-dns-apex-a").inputs).toEqual({
      zoneId: ZONE_ID,
      name: "appstoagents.com",
      type: "A",
      content: "76.76.19.61",
      ttl: 1,
      proxied: false,
      comment: "managed by app-platform; owner=platform-team; product=ara",
    });
    expect(rec.one(RECORD, "ara-dns-www-cname").inputs).toMatchObject({
      name: "www.appstoagents.com",
      type: "CNAME",
      content: "app.appstoagents.com.cdn.vercel-dns.com",
      ttl: 1,
      proxied: false,
    });
    expect(dns.hostnames).toEqual(["appstoagents.com", "www.appstoagents.com"]);
    // The shared mocks answer ids with "" (unknown), so only the shape is checked here.
    expect(dns.recordIds).toHaveLength(2);
    expect(dns.recordIds.every((id) => pulumi.Output.isInstance(id))).toBe(true);
  });

  it("keeps an explicit ttl and proxied flag, normalises CNAME targets and takes an output zone id", async () => {
    new DnsRecords("voyager-dns", {
      context: { ...context, product: "voyager" },
      zoneId: valueOf(ZONE_ID) as any,
      zoneName: "example.com",
      records: [
        { name: "app.example.com", type: "CNAME", content: "CNAME.vercel-dns.com.", proxied: false, ttl: 300 },
        { name: "api.codebook", type: "AAAA", content: "2606:4700::6810:84e5", proxied: true },
      ],
    });
    await rec.settle();
    expect(rec.one(RECORD, "voyager-dns-app-cname").inputs).toMatchObject({
      zoneId: ZONE_ID,
      name: "app.example.com",
      content: "cname.vercel-dns.com",
      ttl: 300,
      proxied: false,
      comment: "managed by app-platform; owner=platform-team; product=voyager",
    });
    expect(rec.one(RECORD, "voyager-dns-api-codebook-aaaa").inputs).toMatchObject({ proxied: true, ttl: 1 });
  });

  it("applies the record transform", async () => {
    new DnsRecords("ara-dns", { ...araArgs, transform: { record: (a, spec) => ({ ...a, tags: [`type:${spec.type}`] }) } });
    await rec.settle();
    expect(rec.one(RECORD, "ara-dns-apex-a").inputs.tags).toEqual(["type:A"]);
  });

  it("validates before creating anything", async () => {
    expect(() => new DnsRecords("x", withRecords([{ name: "@", type: "A", content: "10.0.0.1", proxied: false }]))).toThrow(
      'DnsRecords "x" has invalid arguments',
    );
    await rec.settle();
    expect(rec.ofType(RECORD)).toHaveLength(0);
  });
});

describe("content looked up at run time (Vercel's recommendation)", () => {
  const fqdns = new Set(["appstoagents.com", "www.appstoagents.com"]);
  const check = (type: "A" | "CNAME", value: string, trustedSource?: string) => {
    const out = checkedContent(
      "ara-dns",
      "`records[1]` (X y)",
      { type, content: pulumi.output(value), trustedSource },
      fqdns,
      DEFAULT_ALLOWED_CNAME_TARGETS,
    ) as any;
    // A failed apply rejects each promise an Output carries: await the value, observe the rest.
    for (const p of [out.isKnown, out.isSecret, out.allResources?.()]) p?.catch?.(() => undefined);
    return out.promise();
  };

  it("publishes a good value, normalised", async () => {
    expect(await check("A", "76.76.21.21")).toBe("76.76.21.21");
    expect(await check("CNAME", "CNAME.vercel-dns-0.com.")).toBe("cname.vercel-dns-0.com");
    // What GET /v6/domains/{domain}/config ranks first today: a per-project host, trailing dot included.
    expect(await check("CNAME", "7e8e70c7b54787ba.vercel-dns-016.com.")).toBe("7e8e70c7b54787ba.vercel-dns-016.com");
  });

  it("fails the record when the value breaks cloudflare-disallow-unknown-cname-targets or cloudflare-disallow-private-dns-addresses", async () => {
    await expect(check("A", "10.0.0.1")).rejects.toThrow("`records[1]` (X y): `content` 10.0.0.1 is a private (RFC 1918) address");
    await expect(check("CNAME", "old-app.herokuapp.com")).rejects.toThrow("CNAME target `old-app.herokuapp.com` is not in `allowedCnameTargets`");
  });

  it("accepts every shard of Vercel's per-project family (<hex>.vercel-dns-<digits>.com): today's -017 and a future -123", async () => {
    expect(await check("CNAME", "5f1c0a7e9b2d4c68.vercel-dns-017.com.")).toBe("5f1c0a7e9b2d4c68.vercel-dns-017.com");
    expect(await check("CNAME", "5f1c0a7e9b2d4c68.vercel-dns-123.com.")).toBe("5f1c0a7e9b2d4c68.vercel-dns-123.com");
    // The family is the whole host, not a substring of it.
    await expect(check("CNAME", "5f1c0a7e9b2d4c68.vercel-dns-017.com.attacker.net")).rejects.toThrow("is not in `allowedCnameTargets`");
    await expect(check("CNAME", "takeover.vercel-dns-017.com")).rejects.toThrow("is not in `allowedCnameTargets`");
    await expect(check("CNAME", "5f1c0a7e9b2d4c68.vercel-dns-x.com")).rejects.toThrow("is not in `allowedCnameTargets`");
  });

  it("trusts Vercel's own answer for our project outside the allow-list, still only a hostname", async () => {
    const source = "vercel.getDomainConfig for project careersy-wingman";
    expect(await check("CNAME", "5f1c0a7e9b2d4c68.vercel-dns-new.net.", source)).toBe("5f1c0a7e9b2d4c68.vercel-dns-new.net");
    await expect(check("CNAME", "https://x.vercel-dns-017.com", source)).rejects.toThrow("is not a hostname");
    // The same value without the trusted source (hand-written, or any other lookup) stays allow-listed.
    await expect(check("CNAME", "5f1c0a7e9b2d4c68.vercel-dns-new.net.")).rejects.toThrow("is not in `allowedCnameTargets`");
  });

  it("refuses `trustedSource` on a hand-written target", () => {
    expect(() =>
      validateDnsRecordsArgs("d", withRecords([{ name: "app", type: "CNAME", content: "x.example.net", proxied: false, trustedSource: "me" }])),
    ).toThrow("`trustedSource` is set on a literal `content`; hand-written targets stay on `allowedCnameTargets`");
  });

  it("writes one A record per address of a list (Vercel's two apex addresses), the first under the record's usual name", async () => {
    new DnsRecords("ara-dns", withRecords([{ name: "@", type: "A", content: pulumi.output(["216.198.79.1", "64.29.17.1"]), proxied: false }]));
    await rec.settle();
    expect(
      rec
        .ofType(RECORD)
        .map((r) => `${r.name} ${r.inputs.name} ${r.inputs.type} ${r.inputs.content}`)
        .sort(),
    ).toEqual(["ara-dns-apex-a appstoagents.com A 216.198.79.1", "ara-dns-apex-a-2 appstoagents.com A 64.29.17.1"]);
  });

  it("writes one A record per address of a literal list, each checked", async () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([{ name: "@", type: "A", content: ["76.76.21.21", "10.0.0.1"], proxied: false }]))).toThrow(
      "`content` 10.0.0.1 is a private (RFC 1918) address",
    );
    expect(() => validateDnsRecordsArgs("d", withRecords([{ name: "@", type: "A", content: [], proxied: false }]))).toThrow("`content` is an empty list");
    new DnsRecords("ara-dns", withRecords([{ name: "@", type: "A", content: ["76.76.21.21", "76.76.21.22"], proxied: false }]));
    await rec.settle();
    expect(rec.ofType(RECORD).map((r) => `${r.name} ${r.inputs.content}`)).toEqual(["ara-dns-apex-a 76.76.21.21", "ara-dns-apex-a-2 76.76.21.22"]);
  });

  it("fails an A record whose looked-up list is empty or holds a private address", async () => {
    const out = checkedContents("ara-dns", "`records[0]` (A @)", { type: "A", content: pulumi.output(["216.198.79.1", "10.0.0.1"]) }, fqdns, []) as any;
    for (const p of [out.isKnown, out.isSecret, out.allResources?.()]) p?.catch?.(() => undefined);
    await expect(out.promise()).rejects.toThrow("`content` 10.0.0.1 is a private (RFC 1918) address");
    const none = checkedContents("ara-dns", "`records[0]` (A @)", { type: "A", content: pulumi.output([] as string[]) }, fqdns, []) as any;
    for (const p of [none.isKnown, none.isSecret, none.allResources?.()]) p?.catch?.(() => undefined);
    await expect(none.promise()).rejects.toThrow("`content` resolved to no value");
  });

  it("registers a `pending` record only once its target exists (staging before prod created the project)", async () => {
    new DnsRecords(
      "ara-dns",
      withRecords([
        { name: "app", type: "CNAME", content: pulumi.output("cname.vercel-dns-0.com"), proxied: false, pending: pulumi.output(true) },
        { name: "www", type: "CNAME", content: pulumi.output("cname.vercel-dns-0.com"), proxied: false, pending: pulumi.output(false) },
      ]),
    );
    await rec.settle();
    expect(rec.ofType(RECORD).map((r) => r.inputs.name)).toEqual(["www.appstoagents.com"]);
  });

  it("creates records whose content is an output", async () => {
    new DnsRecords("ara-dns", withRecords([{ name: "@", type: "A", content: pulumi.output("76.76.21.21"), proxied: false }]));
    await rec.settle();
    expect(rec.one(RECORD, "ara-dns-apex-a").inputs.content).toBe("76.76.21.21");
  });
});

describe("isPublicIp / ipProblem", () => {
  it.each([["76.76.19.61"], ["1.1.1.1"], ["2606:4700::6810:84e5"], ["2001:4860:4860::8888"]])("%s is public", (ip) => {
    expect(isPublicIp(ip)).toBe(true);
  });

  it.each([
    ["10.1.2.3", "private (RFC 1918)"],
    ["172.16.0.1", "private (RFC 1918)"],
    ["172.31.255.255", "private (RFC 1918)"],
    ["192.168.1.1", "private (RFC 1918)"],
    ["127.0.0.1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "carrier-grade NAT (RFC 6598)"],
    ["0.0.0.0", 'unspecified/"this network"'],
    ["192.0.2.10", "documentation (TEST-NET-1)"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved/broadcast"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "scoped (zone id) address"],
    ["fd00::1", "unique local (private)"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["::ffff:10.0.0.1", "private (RFC 1918)"],
    ["::ffff:127.0.0.1", "loopback"],
    ["not-an-ip", "not an IP address"],
  ])("%s is %s", (ip, why) => {
    expect(isPublicIp(ip)).toBe(false);
    expect(ipProblem(ip)).toBe(why);
  });

  it("edges of private ranges are public", () => {
    expect(isPublicIp("172.15.255.255")).toBe(true);
    expect(isPublicIp("172.32.0.0")).toBe(true);
    expect(isPublicIp("100.128.0.0")).toBe(true);
    expect(isPublicIp("::ffff:76.76.19.61")).toBe(true);
  });
});

describe("names", () => {
  it("qualifies relative and absolute names and derives stable suffixes", () => {
    expect(qualifyRecordName("@", "example.com")).toBe("example.com");
    expect(qualifyRecordName("www", "example.com")).toBe("www.example.com");
    expect(qualifyRecordName("api.codebook", "example.com")).toBe("api.codebook.example.com");
    expect(qualifyRecordName("www.example.com.", "example.com")).toBe("www.example.com");
    expect(recordSuffix({ name: "example.com", type: "A" }, "example.com")).toBe("apex-a");
    expect(recordSuffix({ name: "*.preview", type: "CNAME" }, "example.com")).toBe("wildcard-preview-cname");
    expect(DEFAULT_ALLOWED_CNAME_TARGETS).toEqual([
      "cname.vercel-dns.com",
      "*.vercel-dns.com",
      "cname.vercel-dns-0.com",
      "/^[0-9a-f]+\\.vercel-dns-[0-9]+\\.com$/",
    ]);
    // The stack's config key defaults to the same list (one allow-list, `cloudflare-disallow-unknown-cname-targets`).
    expect(PLAIN_CONFIG_KEYS.find((k) => k.key === "dnsAllowedCnameTargets")!.default).toEqual(DEFAULT_ALLOWED_CNAME_TARGETS);
  });
});

describe("validateDnsRecordsArgs", () => {
  const a = (content: string, name = "app") => ({ name, type: "A" as const, content, proxied: false });
  const cname = (content: string, name = "app") => ({ name, type: "CNAME" as const, content, proxied: false });

  it("accepts the ARA records", () => {
    expect(() => validateDnsRecordsArgs("ara-dns", araArgs)).not.toThrow();
  });

  it("rejects a private A record", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([a("192.168.1.10")]))).toThrow(
      "`records[0]` (A app): `content` 192.168.1.10 is a private (RFC 1918) address; DNS must point only at public addresses (cloudflare-disallow-private-dns-addresses)",
    );
  });

  it("rejects a loopback address", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([a("127.0.0.1")]))).toThrow("`content` 127.0.0.1 is a loopback address");
    expect(() => validateDnsRecordsArgs("d", withRecords([{ name: "app", type: "AAAA", content: "::1", proxied: false }]))).toThrow(
      "`content` ::1 is a loopback address",
    );
  });

  it("rejects link-local, CGNAT and unspecified addresses", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([a("169.254.169.254")]))).toThrow("is a link-local address");
    expect(() => validateDnsRecordsArgs("d", withRecords([a("100.64.1.1")]))).toThrow("is a carrier-grade NAT (RFC 6598) address");
    expect(() => validateDnsRecordsArgs("d", withRecords([a("0.0.0.0")]))).toThrow('is a unspecified/"this network" address');
  });

  it("rejects content of the wrong family", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([a("2606:4700::1")]))).toThrow(
      '`content` "2606:4700::1" is not an IPv4 address; an A record needs one',
    );
    expect(() => validateDnsRecordsArgs("d", withRecords([a("example.com")]))).toThrow('"example.com" is not an IPv4 address');
  });

  it("rejects a CNAME to an unknown host", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([cname("myapp.herokuapp.com")]))).toThrow(
      "`records[0]` (CNAME app): CNAME target `myapp.herokuapp.com` is not in `allowedCnameTargets` (cname.vercel-dns.com, *.vercel-dns.com, cname.vercel-dns-0.com, /^[0-9a-f]+\\.vercel-dns-[0-9]+\\.com$/)",
    );
    // the suffix rule matches whole labels only
    expect(() => validateDnsRecordsArgs("d", withRecords([cname("evilvercel-dns.com")]))).toThrow("CNAME target `evilvercel-dns.com`");
  });

  it("accepts extra allowed targets and CNAMEs to records of the same set", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([cname("api.example.net")], { allowedCnameTargets: ["api.example.net"] }))).not.toThrow();
    expect(() => validateDnsRecordsArgs("d", withRecords([a("76.76.19.61", "@"), cname("appstoagents.com", "www")]))).not.toThrow();
  });

  it("rejects a CNAME target that is not a hostname", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([cname("https://cname.vercel-dns.com")]))).toThrow(
      '`content` "https://cname.vercel-dns.com" is not a hostname',
    );
  });

  it("rejects a CNAME at the apex", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([cname("cname.vercel-dns.com", "@")]))).toThrow(
      "`records[0]` (CNAME @): a CNAME cannot sit at the zone apex; use an A record instead (for Vercel: its recommended IPv4, e.g. 76.76.21.21)",
    );
    expect(() => validateDnsRecordsArgs("d", withRecords([cname("cname.vercel-dns.com", "appstoagents.com")]))).toThrow("a CNAME cannot sit at the zone apex");
  });

  it("rejects duplicates, also when written relative and qualified", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([a("76.76.19.61", "www"), a("76.76.19.62", "www.appstoagents.com")]))).toThrow(
      "`records[1]` (A www.appstoagents.com): duplicates `records[0]` (A www.appstoagents.com); keep one record per name and type",
    );
  });

  it("rejects a CNAME beside other records at the same name", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([a("76.76.19.61", "www"), cname("cname.vercel-dns.com", "www")]))).toThrow(
      "www.appstoagents.com has a CNAME and other records; a CNAME must be the only record at its name",
    );
  });

  it("rejects resource-name suffix collisions", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([a("76.76.19.61", "a-b"), a("76.76.19.61", "a.b")]))).toThrow(
      "`records[1]` (A a.b): its resource name suffix `a-b-a` collides with `records[0]`",
    );
  });

  it("rejects a ttl on a proxied record and out-of-range ttls", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([{ ...a("76.76.19.61"), proxied: true, ttl: 300 }]))).toThrow(
      "`ttl` is 300 but proxied records only take `ttl: 1` (automatic)",
    );
    expect(() => validateDnsRecordsArgs("d", withRecords([{ ...a("76.76.19.61"), ttl: 30 }]))).toThrow(
      "`ttl` is 30; use 1 (automatic) or a whole number of seconds from 60 to 86400",
    );
  });

  it("rejects a missing proxied flag", () => {
    const rec0 = { name: "app", type: "A", content: "76.76.19.61" } as any;
    expect(() => validateDnsRecordsArgs("d", withRecords([rec0]))).toThrow("`proxied` must be set explicitly to true or false");
  });

  it("rejects bad names, names outside the zone, bad zones and bad zone ids", () => {
    expect(() => validateDnsRecordsArgs("d", withRecords([a("76.76.19.61", "Www")]))).toThrow("`name` is not a valid record name");
    expect(() => validateDnsRecordsArgs("d", withRecords([a("76.76.19.61", "a..b")]))).toThrow("`name` is not a valid record name");
    expect(() => validateDnsRecordsArgs("d", withRecords([a("76.76.19.61", "www.other.com.")]))).toThrow("`name` is outside the zone `appstoagents.com`");
    expect(() => validateDnsRecordsArgs("d", { ...araArgs, zoneName: "Example" })).toThrow('`zoneName` "Example" is not a lower-case domain name');
    expect(() => validateDnsRecordsArgs("d", { ...araArgs, zoneId: "appstoagents.com" })).toThrow('`zoneId` "appstoagents.com" is not a Cloudflare zone id');
    expect(() => validateDnsRecordsArgs("d", withRecords([]))).toThrow("`records` is empty");
  });

  it("rejects an owner comment longer than Cloudflare allows", () => {
    expect(() => validateDnsRecordsArgs("d", { ...araArgs, context: { ...context, owner: "x".repeat(80) } })).toThrow("is longer than 100 characters");
  });
});
