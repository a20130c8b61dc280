/**
 * The plan's policy step streams: each registration goes to the pack's `Analyze` as it arrives
 * (as the engine calls analyzers on each registration), not after the program. A scripted pack
 * stands in for the analyzer here so the order of calls can be asserted exactly; the real pack
 * through its analyzer server is exercised by the plan tests (fixture.test.ts, program.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { RegisteredResource } from "../../tools/engine/harness";
import { PolicyAnalysis, PolicyStep, type PackProcess, type ReadyPack } from "../../tools/plan/policy";
import type { AnalysisResult, TestResource } from "../../tools/engine/pack/types";
import { registeredResource } from "../helpers/registered";

const INFO = {
  name: "fake-pack",
  version: "1.0.0",
  policies: [{ name: "no-public-bucket", description: "", enforcementLevel: "mandatory" as const, tags: [] }],
};

function resource(name: string, extra: Partial<RegisteredResource> = {}): RegisteredResource {
  return registeredResource({ urn: `urn:pulumi:s::p::aws:s3/bucket:Bucket::${name}`, type: "aws:s3/bucket:Bucket", name, ...extra });
}

/** A pack whose `Analyze` answers only when the test says so, recording every call. */
class ScriptedPack {
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly pending: Array<() => void> = [];
  failOn?: string;

  async analyze(r: TestResource): Promise<AnalysisResult> {
    this.calls.push(`Analyze ${r.name}${r.provider ? ` provider=${r.provider.name}` : ""}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((resolve) => this.pending.push(resolve));
    this.inFlight--;
    if (r.name === this.failOn) throw new Error(`Analyze failed for ${r.name}`);
    const violations = r.name.startsWith("public")
      ? [{ policyName: "no-public-bucket", enforcementLevel: "mandatory" as const, message: `${r.name} is public`, urn: "" }]
      : [];
    return { violations, notApplicable: [] } as unknown as AnalysisResult;
  }

  async analyzeStack(resources: readonly TestResource[]): Promise<AnalysisResult> {
    this.calls.push(`AnalyzeStack ${resources.length}`);
    return { violations: [], notApplicable: [] } as unknown as AnalysisResult;
  }

  /** Answers every `Analyze` waiting so far. */
  answerAll(): void {
    for (const resolve of this.pending.splice(0)) resolve();
  }
}

function readyOf(pack: ScriptedPack, concurrency = 8): () => Promise<ReadyPack> {
  return () => Promise.resolve({ pack, info: INFO, concurrency } as unknown as ReadyPack);
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("streamed policy analysis", () => {
  it("sends Analyze as each resource is added, before the program ends, and AnalyzeStack last", async () => {
    const pack = new ScriptedPack();
    const analysis = new PolicyAnalysis(readyOf(pack));
    const provider = registeredResource({ urn: "urn:pulumi:s::p::pulumi:providers:aws::main", type: "pulumi:providers:aws", name: "main", custom: true });
    analysis.add(provider);
    analysis.add(resource("public-logs", { provider: `${provider.urn}::id-1` }));
    await tick();
    // The program is still running (no finish yet) and both are already with the pack.
    expect(pack.calls).toEqual(["Analyze main", "Analyze public-logs provider=main"]);
    analysis.add(resource("backups"));
    await tick();
    pack.answerAll();
    const all = [provider, resource("public-logs", { provider: `${provider.urn}::id-1` }), resource("backups")];
    const finishing = analysis.finish(all);
    await tick();
    pack.answerAll();
    const results = await finishing;
    expect(pack.calls).toEqual(["Analyze main", "Analyze public-logs provider=main", "Analyze backups", "AnalyzeStack 3"]);
    expect(results.pack).toBe("fake-pack@1.0.0");
    expect(results.violations).toEqual([
      { policy: "no-public-bucket", level: "mandatory", message: "public-logs is public", urn: "urn:pulumi:s::p::aws:s3/bucket:Bucket::public-logs" },
    ]);
  });

  it("analyses at finish whatever was never streamed, once each", async () => {
    const pack = new ScriptedPack();
    const analysis = new PolicyAnalysis(readyOf(pack));
    analysis.add(resource("a"));
    const finishing = analysis.finish([resource("a"), resource("b")]);
    for (let i = 0; i < 5; i++) {
      await tick();
      pack.answerAll();
    }
    await finishing;
    expect(pack.calls.sort()).toEqual(["Analyze a", "Analyze b", "AnalyzeStack 2"]);
  });

  it("keeps at most `concurrency` Analyze calls in flight", async () => {
    const pack = new ScriptedPack();
    const analysis = new PolicyAnalysis(readyOf(pack, 2));
    const all = ["a", "b", "c", "d", "e"].map((n) => resource(n));
    for (const r of all) analysis.add(r);
    const finishing = analysis.finish(all);
    for (let i = 0; i < 10; i++) {
      await tick();
      pack.answerAll();
    }
    await finishing;
    expect(pack.maxInFlight).toBe(2);
    expect(pack.calls.filter((c) => c.startsWith("Analyze ")).length).toBe(5);
  });

  it("reports an Analyze failure at finish, without AnalyzeStack", async () => {
    const pack = new ScriptedPack();
    pack.failOn = "b";
    const analysis = new PolicyAnalysis(readyOf(pack));
    const all = [resource("a"), resource("b")];
    for (const r of all) analysis.add(r);
    const finishing = analysis.finish(all);
    await tick();
    pack.answerAll();
    await expect(finishing).rejects.toThrow("Analyze failed for b");
    expect(pack.calls).not.toContain("AnalyzeStack 2");
  });

  it("abandon drops what was added but not yet sent (a failed program does not wait for its analysis)", async () => {
    const pack = new ScriptedPack();
    const analysis = new PolicyAnalysis(readyOf(pack, 1));
    for (const name of ["a", "b", "c"]) analysis.add(resource(name));
    await tick();
    expect(pack.calls).toEqual(["Analyze a"]);
    analysis.abandon();
    analysis.add(resource("late"));
    pack.answerAll();
    for (let i = 0; i < 5; i++) await tick();
    expect(pack.calls).toEqual(["Analyze a"]);
  });

  it("a pack that failed to start fails finish with its own message; an abandoned analysis lets it go", async () => {
    const failed = () => Promise.reject(new Error("no policy pack in /nowhere (PulumiPolicy.yaml missing)"));
    const analysis = new PolicyAnalysis(failed);
    analysis.add(resource("a"));
    await expect(analysis.finish([resource("a")])).rejects.toThrow("PulumiPolicy.yaml missing");
    const other = new PolicyAnalysis(failed);
    other.add(resource("a"));
    other.abandon();
    for (let i = 0; i < 3; i++) await tick(); // and no unhandled rejection
  });
});

/** A pack process double for a shared `PolicyStep`: logs set-ups and calls; answers at once. */
class LoggingPack {
  readonly log: string[] = [];
  failSetUp = false;
  async setUp(): Promise<typeof INFO> {
    this.log.push("setUp");
    await tick();
    if (this.failSetUp) {
      this.failSetUp = false;
      throw new Error("Configure failed");
    }
    return INFO;
  }
  async analyze(r: TestResource): Promise<AnalysisResult> {
    this.log.push(`Analyze ${r.name}`);
    await tick();
    return { violations: [], notApplicable: [] } as unknown as AnalysisResult;
  }
  async analyzeStack(resources: readonly TestResource[]): Promise<AnalysisResult> {
    this.log.push(`AnalyzeStack ${resources.map((r) => r.name).join(",")}`);
    return { violations: [], notApplicable: [] } as unknown as AnalysisResult;
  }
  async stop(): Promise<void> {}
}

describe("one pack shared by several analyses (the head and base plans of --diff)", () => {
  const stepOver = (pack: LoggingPack) => Promise.resolve(PolicyStep.over(pack as unknown as PackProcess, { stack: "prod", project: "app-platform" }));

  it("sets the pack up once, then streams both at the same time", async () => {
    const pack = new LoggingPack();
    const step = stepOver(pack);
    const head = PolicyStep.analysis(step);
    const base = PolicyStep.analysis(step);
    head.add(resource("h1"));
    base.add(resource("b1"));
    await tick();
    await tick();
    // Both sent before either program ended: base does not wait for head's AnalyzeStack.
    expect(pack.log).toEqual(["setUp", "Analyze h1", "Analyze b1"]);
    const [h, b] = await Promise.all([head.finish([resource("h1")]), base.finish([resource("b1")])]);
    expect(pack.log.filter((l) => l === "setUp")).toHaveLength(1);
    expect(pack.log.slice(3).sort()).toEqual(["AnalyzeStack b1", "AnalyzeStack h1"]);
    expect([h.pack, b.pack]).toEqual(["fake-pack@1.0.0", "fake-pack@1.0.0"]);
  });

  it("an analysis that never got a resource never touches the pack", async () => {
    const pack = new LoggingPack();
    const step = stepOver(pack);
    PolicyStep.analysis(step).abandon();
    await tick();
    expect(pack.log).toEqual([]);
    await PolicyStep.analysis(step).finish([resource("n1")]);
    expect(pack.log).toEqual(["setUp", "Analyze n1", "AnalyzeStack n1"]);
  });

  it("a failed set-up fails the analyses waiting for it; the next one sets up again", async () => {
    const pack = new LoggingPack();
    pack.failSetUp = true;
    const step = stepOver(pack);
    const first = PolicyStep.analysis(step);
    const second = PolicyStep.analysis(step);
    first.add(resource("f1"));
    second.add(resource("s1"));
    await expect(first.finish([resource("f1")])).rejects.toThrow("Configure failed");
    await expect(second.finish([resource("s1")])).rejects.toThrow("Configure failed");
    await PolicyStep.analysis(step).finish([resource("t1")]);
    expect(pack.log).toEqual(["setUp", "setUp", "Analyze t1", "AnalyzeStack t1"]);
  });
});
