/**
 * The plan's policy step: the CrossGuard pack (`policies/index.ts`) run through its own analyzer
 * server over gRPC, as the engine runs it during `pulumi preview --policy-pack policies`.
 *
 * The process and the gRPC calls are the policy helper's client (tools/engine/pack/engine.ts,
 * `PolicyPackProcess`: it spawns `@pulumi/pulumi/cmd/run-policy-pack` in the pack folder, then
 * Handshake, ConfigureStack, GetAnalyzerInfo, Configure). This module only decides what the
 * engine would send:
 * - `Analyze` once per registered resource, as it is registered (components, providers and the
 *   stack included, as the engine's step generator does), with the resource's inputs in wire form — secrets and
 *   unknowns still marked, the pack's deserializer unwraps them — its protect flag, parent and
 *   provider (type, name, URN and the provider's own inputs);
 * - `AnalyzeStack` once with every resource, its dependencies and property dependencies (for a
 *   create during preview the engine's "outputs" are the inputs plus unknowns, which is what the
 *   recorder holds);
 * - the stack name in the pack's environment (`PULUMI_STACK`), so prod-only rules see prod.
 * The pack is started while the program runs, so its start-up overlaps the program's; it is set
 * up once per stack and shared by the head and base plans of `--diff`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import { reconcileConfig } from "../engine/pack/config";
import { PolicyPackProcess, PropertyStructs, type AnalyzerInfo } from "../engine/pack/engine";
import type { TestResource, Violation } from "../engine/pack/types";
import type { RegisteredResource } from "../engine/harness";

/** The pack of this repository. */
export const DEFAULT_PACK_DIR = path.resolve(__dirname, "../../policies");

/** One policy violation as the plan reports it. */
export interface PlanViolation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  /** The resource it is about; absent for a stack-wide finding without a resource. */
  readonly urn?: string;
  /**
   * Set by the plan (never by the pack) when an entry of the exceptions file accepts this advisory
   * violation: the entry's index, reason and expiry (tools/plan/exceptions.ts).
   */
  readonly accepted?: { readonly entry: number; readonly reason: string; readonly expires: string };
}

/** What the policy step found, in the machine-readable form the plan writes. */
export interface PolicyResults {
  /** `name@version` of the pack, as its analyzer reported it. */
  readonly pack: string;
  /** Every policy of the pack with the level it ran at. */
  readonly policies: ReadonlyArray<{ readonly name: string; readonly level: EnforcementLevel }>;
  /** Sorted: mandatory first, then by policy, resource and message. */
  readonly violations: readonly PlanViolation[];
}

export interface PolicyStepOptions {
  readonly stack: string;
  readonly project: string;
  /** @default this repository's `policies/` */
  readonly packDir?: string;
  /** A `--policy-pack-config` file's contents. */
  readonly config?: PolicyPackConfig;
  /** Called as resources are analysed. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Parallel `Analyze` calls in flight. @default 8 */
  readonly concurrency?: number;
  /**
   * Start the pack type-checked, exactly as the engine's runner does (`--typecheck-pack`). By
   * default the plan has the same runner transpile it with swc (`StartOptions.typeCheck`): the
   * same pack and protocol without ~5 s of start-up, behind the `npm run typecheck` gate.
   * @default false
   */
  readonly typeCheckPack?: boolean;
}

const LEVEL_ORDER: Record<string, number> = { mandatory: 0, remediate: 1, advisory: 2, disabled: 3 };

/** Code-unit order: the same on every machine and locale (plan files must be byte-identical). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts violations the way every report shows them. */
export function sortViolations(violations: readonly PlanViolation[]): PlanViolation[] {
  return [...violations].sort(
    (a, b) =>
      (LEVEL_ORDER[a.level] ?? 9) - (LEVEL_ORDER[b.level] ?? 9) || cmp(a.policy, b.policy) || cmp(a.urn ?? "", b.urn ?? "") || cmp(a.message, b.message),
  );
}

/** Reads a `--policy-pack-config` JSON file; the error names the file. */
export function readPolicyConfig(file: string): PolicyPackConfig {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfig;
  } catch (err) {
    throw new Error(`cannot read policy pack config ${file}: ${(err as Error).message}`);
  }
}

/** The provider URN of a provider reference (`<urn>::<id>`). */
export function providerUrn(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  // The id follows the last `::` (a URN has four `::`-separated parts before it).
  const parts = ref.split("::");
  return parts.length > 4 ? parts.slice(0, 4).join("::") : ref;
}

/** One registered resource as the engine describes it to an analyzer; `lookup` finds its provider (registered before it). */
export function analyzerResource(r: RegisteredResource, lookup: (urn: string) => RegisteredResource | undefined): TestResource {
  const providerRes = r.provider ? lookup(providerUrn(r.provider)!) : undefined;
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, urns] of Object.entries(r.propertyDependencies)) if (urns.length > 0) propertyDependencies[k] = [...urns];
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.inputs as Record<string, unknown>,
    protect: r.protect,
    parent: r.parent,
    dependencies: [...new Set(r.dependencies)],
    propertyDependencies,
    provider: providerRes
      ? { type: providerRes.type, name: providerRes.name, urn: providerRes.urn, props: providerRes.inputs as Record<string, unknown> }
      : undefined,
  };
}

/** What a step needs of the pack process. */
export type PackProcess = Pick<PolicyPackProcess, "setUp" | "analyze" | "analyzeStack" | "stop">;

/** The pack, set up for its stack: what an analysis sends its calls to, and how. */
export interface ReadyPack {
  readonly pack: Pick<PolicyPackProcess, "analyze" | "analyzeStack">;
  readonly info: AnalyzerInfo;
  /** The policy pack config the set-up sent (the results list the levels it gave). */
  readonly config?: PolicyPackConfig;
  /** `Analyze` calls one analysis keeps in flight. */
  readonly concurrency: number;
}

/**
 * A started pack for one stack, set up once (the engine's Handshake, ConfigureStack,
 * GetAnalyzerInfo, Configure) and then shared by every analysis of that stack: the head and base
 * plans of `--diff` are two previews of the same stack under the same policy config, so they
 * analyse through it at the same time, as one engine run would. Always `close()` it.
 */
export class PolicyStep {
  private setUpOnce: Promise<AnalyzerInfo> | undefined;

  private constructor(
    private readonly pack: PackProcess,
    private readonly options: PolicyStepOptions,
  ) {}

  /** A step over a pack that is already running (a started `PolicyPackProcess`, or a test double). */
  static over(pack: PackProcess, options: PolicyStepOptions): PolicyStep {
    return new PolicyStep(pack, options);
  }

  /** Spawns the pack process (start it early: it overlaps the program run). */
  static async start(options: PolicyStepOptions): Promise<PolicyStep> {
    const packDir = options.packDir ?? DEFAULT_PACK_DIR;
    if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
      throw new Error(`no policy pack in ${packDir} (PulumiPolicy.yaml missing); pass --policy-pack <dir> or --no-policy`);
    }
    const pack = await PolicyPackProcess.start({
      packDir,
      stack: options.stack,
      project: options.project,
      typeCheck: options.typeCheckPack === true,
    });
    return new PolicyStep(pack, options);
  }

  /**
   * Starts an analysis to be fed resource by resource (`PolicyAnalysis.add`) while the program
   * runs, as the engine calls its analyzers on each registration. `step` may still be starting.
   */
  static analysis(step: Promise<PolicyStep>, onProgress?: (done: number, total: number) => void): PolicyAnalysis {
    return new PolicyAnalysis(() => step.then((s) => s.ready()), onProgress);
  }

  /** Set-up, `Analyze` for every resource, then `AnalyzeStack`. */
  analyze(
    resources: readonly RegisteredResource[],
    onProgress: (done: number, total: number) => void = this.options.onProgress ?? (() => undefined),
  ): Promise<PolicyResults> {
    return PolicyStep.analysis(Promise.resolve(this), onProgress).finish(resources);
  }

  /** The pack, set up for this stack; a failed set-up fails the analyses waiting for it and is tried again by the next. */
  private ready(): Promise<ReadyPack> {
    if (!this.setUpOnce) {
      const setUp = this.pack.setUp({ config: this.options.config, stackTags: stackTags(this.options.project) });
      this.setUpOnce = setUp;
      setUp.catch(() => {
        if (this.setUpOnce === setUp) this.setUpOnce = undefined;
      });
    }
    const { config, concurrency } = this.options;
    return this.setUpOnce.then((info) => ({ pack: this.pack, info, config, concurrency: Math.max(1, concurrency ?? 8) }));
  }

  async close(): Promise<void> {
    await this.pack.stop();
  }
}

/**
 * One stack's policy analysis, fed as the program registers resources: `Analyze` for each one
 * as it arrives (up to `concurrency` in flight), so the pack works while the program runs
 * instead of after it; `finish` adds `AnalyzeStack` once the program is done, `abandon` drops
 * what was not sent when the program failed.
 */
export class PolicyAnalysis {
  /** Every resource added, and how the engine describes it to the pack (for Analyze, then AnalyzeStack). */
  private readonly byUrn = new Map<string, { readonly registered: RegisteredResource; readonly described: TestResource }>();
  /** Each resource's inputs in gRPC form, built for its `Analyze` and sent again in `AnalyzeStack` (recorded inputs never change). */
  private readonly structs = new PropertyStructs();
  private readonly tasks: Promise<void>[] = [];
  private readonly found: PlanViolation[] = [];
  private readonly waiting: Array<() => void> = [];
  private inFlight = 0;
  private done = 0;
  private failure: Error | undefined;
  private ended = false;
  private abandoned = false;
  private readied: Promise<ReadyPack> | undefined;

  /**
   * @param ready the pack, set up for the stack; asked for on the first `add` or `finish`, so an
   *   analysis that never gets a resource never touches the pack.
   */
  constructor(
    private readonly ready: () => Promise<ReadyPack>,
    private onProgress: (done: number, total: number) => void = () => undefined,
  ) {}

  /** The set-up pack, asked for once. */
  private get pack(): Promise<ReadyPack> {
    if (!this.readied) {
      this.readied = this.ready();
      // A pack that failed to start is reported by `finish`, not as an unhandled rejection.
      this.readied.catch(() => undefined);
    }
    return this.readied;
  }

  /** Sends one registered resource to `Analyze`. Never throws: a failure is reported by `finish`. */
  add(r: RegisteredResource): void {
    if (this.ended || this.byUrn.has(r.urn)) return;
    const described = analyzerResource(r, (urn) => this.byUrn.get(urn)?.registered);
    this.byUrn.set(r.urn, { registered: r, described });
    const task = this.pack
      .then(({ pack, concurrency }) => this.limited(concurrency, async () => (this.abandoned ? undefined : pack.analyze(described, this.structs))))
      .then((result) => {
        if (!result) return;
        for (const v of result.violations) this.record(v, described.urn);
        this.onProgress(++this.done, this.byUrn.size);
      })
      .catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      });
    this.tasks.push(task);
  }

  /**
   * Analyses what was not added yet, waits for every `Analyze`, then sends `AnalyzeStack` with
   * `resources` (all of the stack's, in registration order) and returns the results.
   */
  async finish(resources: readonly RegisteredResource[], onProgress?: (done: number, total: number) => void): Promise<PolicyResults> {
    if (onProgress) this.onProgress = onProgress;
    for (const r of resources) this.add(r);
    this.ended = true;
    const { pack, info, config } = await this.pack;
    await Promise.all(this.tasks);
    if (this.failure) throw this.failure;
    const stack = await pack.analyzeStack(
      resources.map((r) => this.byUrn.get(r.urn)!.described),
      this.structs,
    );
    for (const v of stack.violations) this.record(v);
    // The levels the engine configured: declared levels overlaid by the policy pack config.
    const reconciled = reconcileConfig(info.policies as unknown as Parameters<typeof reconcileConfig>[0], config);
    return {
      pack: `${info.name}@${info.version}`,
      policies: Object.entries(reconciled)
        .map(([name, c]) => ({ name, level: c.enforcementLevel }))
        .sort((a, b) => cmp(a.name, b.name)),
      violations: sortViolations(dedupe(this.found)),
    };
  }

  /** Ends an analysis whose program failed: what was added but not sent is dropped; calls in flight end on their own. */
  abandon(): void {
    this.ended = true;
    this.abandoned = true;
  }

  private record(v: Violation, urn?: string): void {
    this.found.push({ policy: v.policyName, level: v.enforcementLevel, message: v.message, ...(v.urn || urn ? { urn: v.urn || urn } : {}) });
  }

  /** Runs `fn` with at most `limit` calls in flight. */
  private async limited<T>(limit: number, fn: () => Promise<T>): Promise<T> {
    while (this.inFlight >= limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    try {
      return await fn();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * One pack process per stack and project, shared by the plans of one command: the head and the
 * base of `--diff` analyse through the same process instead of each paying the pack's start-up
 * (the engine's runner type-checks the pack with ts-node: seconds of CPU).
 */
export class PolicyPool {
  private readonly steps = new Map<string, Promise<PolicyStep>>();

  constructor(private readonly options: Omit<PolicyStepOptions, "stack" | "project" | "onProgress">) {}

  /** The pack for a stack, started on first use; `config` replaces the pool's policy config for this stack. */
  get(stack: string, project: string, config: PolicyPackConfig | undefined = this.options.config): Promise<PolicyStep> {
    const key = JSON.stringify([stack, project]);
    let step = this.steps.get(key);
    if (!step) {
      step = PolicyStep.start({ ...this.options, config, stack, project });
      this.steps.set(key, step);
    }
    return step;
  }

  /** Stops every pack started (those that failed to start are skipped). */
  async close(): Promise<void> {
    const started = await Promise.allSettled(this.steps.values());
    this.steps.clear();
    await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.close() : undefined)));
  }
}

/** The tags every stack of a project carries (`pulumi:project`, `pulumi:runtime`), as the engine sends them. */
function stackTags(project: string): Record<string, string> {
  return { "pulumi:project": project, "pulumi:runtime": "nodejs" };
}

function dedupe(violations: readonly PlanViolation[]): PlanViolation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = JSON.stringify([v.policy, v.level, v.urn ?? "", v.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
