/**
 * The real project, run the way `pulumi preview` runs it: Pulumi's own Node.js runner loads
 * `Pulumi.yaml`'s `main` with each committed stack file's config and talks gRPC to a recording
 * monitor on 127.0.0.1. Proves the program loads unchanged and registers every product.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RunResult, isSecret, plain, secret } from "../tools/engine/harness";
import { committedStackRun } from "./helpers/stack-runs";

const results: Record<string, RunResult> = {};

/** Paths where a sentinel appears in a wire value without a secret marker above it. */
function plainSentinels(v: unknown, path = ""): string[] {
  if (isSecret(v)) return [];
  if (typeof v === "string") return v.includes("SENTINEL-") ? [path] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => plainSentinels(x, `${path}[${i}]`));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => plainSentinels(x, path ? `${path}.${k}` : k));
  return [];
}

beforeAll(async () => {
  // Every secret key set to a unique sentinel, marked secret; lookups answered from stack config.
  const [staging, prod] = await Promise.all(["staging", "prod"].map((stack) => committedStackRun(stack)));
  results.staging = staging;
  results.prod = prod;
}, 120_000);

it("the secret check finds a plain sentinel and accepts one under a secret marker", () => {
  expect(plainSentinels({ a: "x-SENTINEL-1", b: secret("SENTINEL-2"), c: [{ d: "SENTINEL-3" }] })).toEqual(["a", "c[0].d"]);
});

it("staging keeps develop's override as the resource that held it on develop before (an alias), so Vercel never sees it twice", () => {
  const r = results.staging;
  const overrides = r.resources.filter((x) => x.type === "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable" && x.name.endsWith("-develop"));
  expect(overrides.map((x) => x.name).sort()).toEqual([
    "ara-web-env-next-public-app-url-develop",
    "ask-dahlia-ui-env-next-public-app-url-develop",
    "voyager-web-env-nextauth-url-develop",
  ]);
  for (const x of overrides) expect(x.aliases, x.name).toContainEqual({ spec: expect.objectContaining({ name: x.name.replace(/-develop$/, "") }) });
});

describe.each(["staging", "prod"])("%s through Pulumi's runner", (stack) => {
  it("runs to completion without errors", () => {
    const r = results[stack];
    expect(
      r.logs.filter((l) => l.severity === "error"),
      r.stderr,
    ).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.ok).toBe(true);
  });

  it("registers every product with its workloads, apps, DNS, backups and alerts", () => {
    const r = results[stack];
    const types = (t: string) => r.resources.filter((x) => x.type === t);
    expect(
      types("app-platform:product:ApplicationStack")
        .map((x) => x.name)
        .sort(),
    ).toEqual(["ara", "ask-dahlia", "chat-api", "codebook", "voyager"]);
    expect(
      types("kubernetes:apps/v1:Deployment")
        .map((x) => x.name)
        .sort(),
    ).toEqual([
      "ara-postgres-deployment", // postgres_exporter of each product database
      "ask-dahlia-postgres-deployment",
      "ask-dahlia-worker-deployment",
      "chat-api-api-deployment",
      "codebook-api-deployment",
      "codebook-postgres-deployment",
      "voyager-postgres-deployment",
    ]);
    // Monitoring sources: a ServiceMonitor per scraped workload and exporter, Probes for every
    // public endpoint (and ARA's redirecting hosts), one module Secret (no module ConfigMap:
    // staging's modules carry the Vercel bypass, both stacks use a Secret). No headers probes (only
    // prod's routes set headers) and no dependency probes (prod alone watches the vendors).
    // Plus the platform's log agent's and its Vercel drains' aggregator's (components/logs/).
    expect(types("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")).toHaveLength(9);
    // prod adds the headers probes of the apps whose route sets headers and Codebook's 3 dependency probes
    expect(types("kubernetes:monitoring.coreos.com/v1:Probe")).toHaveLength(stack === "prod" ? 12 : 6);
    expect(types("kubernetes:core/v1:Secret").filter((x) => x.name.startsWith("blackbox-modules-"))).toHaveLength(1);
    expect(types("kubernetes:core/v1:ConfigMap").filter((x) => x.name.startsWith("blackbox-modules-"))).toHaveLength(0);
    // Backups: ask-dahlia 2, codebook 3 (incl. Pinecone export), voyager 1, ara 2 (incl. the Clerk
    // user export); a restore check per dumped database (4); maintenance: VACUUM for ask-dahlia,
    // codebook, ara and ask-dahlia's REINDEX (4).
    expect(types("kubernetes:batch/v1:CronJob")).toHaveLength(16);
    // One per product, the log agent's and the drains' aggregator's.
    expect(types("kubernetes:monitoring.coreos.com/v1:PrometheusRule")).toHaveLength(7);
    // S3: 3 backup buckets; the log buckets (productLogs): every product's audit bucket (5) and one
    // per other class for the 3 S3 products (9). R2: ARA's backups and reports, and the log buckets
    // of ARA and the Chat API.
    expect(types("aws:s3/bucket:Bucket")).toHaveLength(3 + 5 + 9);
    expect(types("cloudflare:index/r2Bucket:R2Bucket")).toHaveLength(2 + 2);
    expect(types("vercel:index/project:Project")).toHaveLength(stack === "prod" ? 3 : 0);
    expect(types("cloudflare:index/dnsRecord:DnsRecord").length).toBeGreaterThanOrEqual(6);
    // Every resource is a child of a product (or a provider), under the stack.
    const stackUrn = r.resources.find((x) => x.type === "pulumi:pulumi:Stack")!.urn;
    for (const x of r.resources.filter((x) => x.type === "app-platform:product:ApplicationStack")) {
      expect(x.parent).toBe(stackUrn);
    }
  });

  it("protects data-bearing resources in prod only", () => {
    const r = results[stack];
    const data = r.resources.filter((x) => ["aws:s3/bucket:Bucket", "aws:kms/key:Key", "cloudflare:index/r2Bucket:R2Bucket"].includes(x.type));
    // S3 buckets and their keys (3 backup + 14 log buckets), R2 buckets (2 + 2 log buckets).
    expect(data.length).toBe(17 + 17 + 4);
    for (const x of data) {
      expect(x.protect, x.urn).toBe(stack === "prod");
      expect(x.retainOnDelete ?? false, x.urn).toBe(stack === "prod");
    }
  });

  it("keeps every secret a secret on the wire", () => {
    const r = results[stack];
    let sinks = 0;
    for (const res of r.resources) {
      if (JSON.stringify(plain(res.inputs)).includes("SENTINEL-")) sinks++;
      expect(plainSentinels(res.inputs), `${res.urn} holds a secret value without a secret marker`).toEqual([]);
    }
    expect(sinks).toBeGreaterThan(10);
  });

  it("exports non-secret product outputs", () => {
    const out = plain(results[stack].stackOutputs) as any;
    expect(Object.keys(out.products).sort()).toEqual(["ara", "ask-dahlia", "chat-api", "codebook", "voyager"]);
    expect(out.products.codebook.namespace).toBe(`codebook-${stack}`);
    expect(JSON.stringify(out)).not.toContain("SENTINEL");
  });
});
