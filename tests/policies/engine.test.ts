/**
 * Path 2: the real pack entry (`policies/index.ts`) run as the Pulumi engine runs it, over gRPC,
 * and compared with path 1 (in-process) on the same resources.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rules } from "../../policies/rules";
import { analyzeResource, analyzeStack } from "../../tools/engine/pack/in-process";
import { PolicyPackProcess, type AnalyzerInfo } from "../../tools/engine/pack/engine";
import type { AnalysisResult, RunOptions } from "../../tools/engine/pack/types";
import { compliantStack, insecureFixtures } from "./scenarios";
import { deployment, vercelVariable } from "./fixtures";
import { secretValue, UNKNOWN_OBJECT, UNKNOWN_STRING } from "../../tools/engine/pack/types";
import type { Fixture } from "./helpers";
import { monitoredStack } from "../fixtures/dead-alert-program/monitored";

const byPolicyThenMessage = (a: { policyName: string; message: string }, b: { policyName: string; message: string }) =>
  a.policyName.localeCompare(b.policyName) || a.message.localeCompare(b.message);

function sorted(r: AnalysisResult) {
  return {
    violations: [...r.violations].sort(byPolicyThenMessage),
    notApplicable: [...r.notApplicable].sort((a, b) => a.policyName.localeCompare(b.policyName)),
  };
}

/** Runs every resource and the stack through both paths with the same options. */
async function bothPaths(pack: PolicyPackProcess, resources: readonly Fixture[], options: RunOptions) {
  await pack.configureStack(options.stackTags);
  await pack.configure(info, options.config);
  const viaEngine: AnalysisResult[] = [];
  const inProcess: AnalysisResult[] = [];
  for (const r of resources) {
    viaEngine.push(await pack.analyze(r));
    inProcess.push(await analyzeResource([...rules], r, options));
  }
  viaEngine.push(await pack.analyzeStack(resources));
  inProcess.push(await analyzeStack([...rules], resources, options));
  return { viaEngine: viaEngine.map(sorted), inProcess: inProcess.map(sorted) };
}

let pack: PolicyPackProcess;
let info: AnalyzerInfo;

beforeAll(async () => {
  pack = await PolicyPackProcess.start();
  info = await pack.setUp({});
}, 120_000);

afterAll(async () => {
  await pack?.stop();
});

describe("the pack as the engine runs it", () => {
  it("answers Handshake with UNIMPLEMENTED and serves every rule with its level, schema and anchors", async () => {
    expect(await pack.handshake()).toBe(false);
    expect(info.name).toBe("app-platform");
    expect(info.version).toBe("0.1.0");
    expect(info.policies.map((p) => p.name).sort()).toEqual(rules.map((r) => r.name).sort());
    for (const rule of rules) {
      const served = info.policies.find((p) => p.name === rule.name)!;
      expect(served.enforcementLevel).toBe(rule.enforcementLevel);
      expect(served.description).toBe(rule.description);
      expect(served.tags).toEqual(rule.metadata.anchors);
      expect(Object.keys(served.configSchema?.properties ?? {}).sort()).toEqual(Object.keys(rule.configSchema?.properties ?? {}).sort());
    }
  });

  it("reports the same as the in-process path for the insecure fixtures on prod", async () => {
    const { viaEngine, inProcess } = await bothPaths(pack, insecureFixtures(), { stackTags: { environment: "prod" } });
    expect(viaEngine).toEqual(inProcess);
    expect(viaEngine.flatMap((r) => r.violations).length).toBeGreaterThan(20);
  });

  it("reports the same on staging with config overrides (levels and thresholds)", async () => {
    const options: RunOptions = {
      stackTags: { environment: "staging" },
      config: {
        "kubernetes-disallow-privileged-containers": "advisory",
        "kubernetes-disallow-host-namespaces": { enforcementLevel: "disabled" },
        "random-configure-password-strength": { minLength: 64 },
      },
    };
    const { viaEngine, inProcess } = await bothPaths(pack, insecureFixtures(), options);
    expect(viaEngine).toEqual(inProcess);
    const flat = viaEngine.flatMap((r) => r.violations);
    expect(flat.some((v) => v.policyName === "kubernetes-disallow-host-namespaces")).toBe(false);
    expect(flat.filter((v) => v.policyName === "kubernetes-disallow-privileged-containers").every((v) => v.enforcementLevel === "advisory")).toBe(true);
  });

  it("reports the same for values unknown during preview and secrets on the wire", async () => {
    const preview: Fixture[] = [
      ...compliantStack().map((f) =>
        f.type.startsWith("aws:s3/bucket") && f.type !== "aws:s3/bucket:Bucket" ? { ...f, props: { ...f.props, bucket: UNKNOWN_STRING } } : f,
      ),
      { ...deployment("computed"), props: { ...deployment("computed").props, spec: UNKNOWN_OBJECT } },
      vercelVariable("STRIPE_SECRET_KEY", secretValue("sk_live_" + "d".repeat(24)) as unknown as string, { targets: ["production", "preview"] }),
    ];
    const { viaEngine, inProcess } = await bothPaths(pack, preview, { stackTags: { environment: "prod" } });
    expect(viaEngine).toEqual(inProcess);
    const flat = viaEngine.flatMap((r) => r.violations);
    expect(flat.some((v) => /can't run policy .* during preview/.test(v.message) && v.enforcementLevel === "advisory")).toBe(true);
    expect(flat.some((v) => v.policyName === "vercel-enforce-live-keys-production-only")).toBe(true);
  });

  it("loads the PromQL grammar under the engine's type-checked CommonJS start and reports a dead alert the same way", async () => {
    const stack = monitoredStack("wrong-job").map((o) => structuredClone(o) as Fixture);
    const options = { stackTags: { environment: "prod" }, config: { all: "advisory" as const, "stack-missing-alert-series-source": "mandatory" as const } };
    const { viaEngine, inProcess } = await bothPaths(pack, stack, options);
    expect(viaEngine).toEqual(inProcess);
    const dead = viaEngine.flatMap((r) => r.violations).filter((v) => v.policyName === "stack-missing-alert-series-source");
    expect(dead.map((v) => v.enforcementLevel)).toEqual(["mandatory", "mandatory"]);
    expect(dead[0].message).toMatch(/Alert "HighErrorRate" .* can never fire: selector `http_requests_total\{namespace="shop",job="shop"/);
  });

  it("reports nothing mandatory for the compliant stack, through both paths", async () => {
    const { viaEngine, inProcess } = await bothPaths(pack, compliantStack(), { stackTags: { environment: "prod" } });
    expect(viaEngine).toEqual(inProcess);
    expect(viaEngine.flatMap((r) => r.violations)).toEqual([]);
  });
});

describe("the pack's loader", () => {
  // A pack that runs but does not type-check (tests/fixtures/type-error-pack/index.ts:6).
  const typeErrorPack = path.join(__dirname, "../fixtures/type-error-pack");

  it("type-checks as the engine's runner does: a type error stops the pack, naming the file, line and code", async () => {
    await expect(PolicyPackProcess.start({ packDir: typeErrorPack })).rejects.toThrow(/index\.ts[(:]6[,:][\s\S]*TS2322|TS2322[\s\S]*index\.ts[(:]6/);
  }, 60_000);

  it("typeCheck: false (the plan's default) makes the same runner transpile the pack: it starts and serves its rule", async () => {
    const transpiled = await PolicyPackProcess.start({ packDir: typeErrorPack, typeCheck: false });
    try {
      const served = await transpiled.getAnalyzerInfo();
      expect(served.name).toBe("type-error-fixture");
      expect(served.policies.map((p) => p.name)).toEqual(["always-passes"]);
    } finally {
      await transpiled.stop();
    }
  }, 60_000);
});

describe("process handling", () => {
  it("fails clearly and stops the process when the pack does not start in time", async () => {
    await expect(PolicyPackProcess.start({ startTimeoutMs: 1 })).rejects.toThrow(/did not print its port within 1 ms/);
  });
  it("fails clearly when the folder is not a policy pack", async () => {
    await expect(PolicyPackProcess.start({ packDir: __dirname })).rejects.toThrow(/exited|did not print/);
  }, 60_000);
});
