/**
 * The plan's policy step: the CrossGuard pack (`policies/index.ts`) run through its own analyzer
 * server over gRPC, as the engine runs it during `pulumi preview --policy-pack policies`.
 *
 * The process and the gRPC calls are the policy helper's client (policies/testing/engine.ts,
 * `PolicyPackProcess`: it spawns `@pulumi/pulumi/cmd/run-policy-pack` in the pack folder, then
 * Handshake, ConfigureStack, GetAnalyzerInfo, Configure). This module only decides what the
 * engine would send:
 * - `Analyze` once per registered resource (components, providers and the stack included, as
 *   the engine's step generator does), with the resource's inputs in wire form — secrets and
 *   unknowns still marked, the pack's deserializer unwraps them — its protect flag, parent and
 *   provider (type, name, URN and the provider's own inputs);
 * - `AnalyzeStack` once with every resource, its dependencies and property dependencies (for a
 *   create during preview the engine's "outputs" are the inputs plus unknowns, which is what the
 *   recorder holds);
 * - the stack name in the pack's environment (`PULUMI_STACK`), so prod-only rules see prod.
 * The pack is started while the program runs, so its start-up overlaps the program's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import { reconcileConfig } from "../../policies/testing/config";
import { PolicyPackProcess, type AnalyzerInfo } from "../../policies/testing/engine";
import type { TestResource, Violation } from "../../policies/testing/types";
import type { RegisteredResource } from "../harness";

/** The pack of this repository. */
export const DEFAULT_PACK_DIR = path.resolve(__dirname, "../../policies");

/** One policy violation as the plan reports it. */
export interface PlanViolation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  /** The resource it is about; absent for a stack-wide finding without a resource. */
  readonly urn?: string;
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
      (LEVEL_ORDER[a.level] ?? 9) - (LEVEL_ORDER[b.level] ?? 9) ||
      cmp(a.policy, b.policy) ||
      cmp(a.urn ?? "", b.urn ?? "") ||
      cmp(a.message, b.message),
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

/** The resources as the engine describes them to an analyzer. */
export function analyzerResources(resources: readonly RegisteredResource[]): TestResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return resources.map((r) => {
    const providerRes = r.provider ? byUrn.get(providerUrn(r.provider)!) : undefined;
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
  });
}

/** A started pack, ready to analyse one stack's resources (again and again: head and base share one). Always `close()` it. */
export class PolicyStep {
  /** Analyses run one at a time: each one re-runs the engine's set-up calls first. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly pack: PolicyPackProcess,
    private readonly options: PolicyStepOptions,
  ) {}

  /** Spawns the pack process (start it early: it overlaps the program run). */
  static async start(options: PolicyStepOptions): Promise<PolicyStep> {
    const packDir = options.packDir ?? DEFAULT_PACK_DIR;
    if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
      throw new Error(`no policy pack in ${packDir} (PulumiPolicy.yaml missing); pass --policy-pack <dir> or --no-policy`);
    }
    const pack = await PolicyPackProcess.start({ packDir, stack: options.stack, project: options.project });
    return new PolicyStep(pack, options);
  }

  /** Handshake … Configure, `Analyze` for every resource, then `AnalyzeStack`. */
  analyze(
    resources: readonly RegisteredResource[],
    onProgress: (done: number, total: number) => void = this.options.onProgress ?? (() => undefined),
  ): Promise<PolicyResults> {
    const run = this.queue.then(() => this.analyzeNow(resources, onProgress));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async analyzeNow(resources: readonly RegisteredResource[], onProgress: (done: number, total: number) => void): Promise<PolicyResults> {
    const info: AnalyzerInfo = await this.pack.setUp({ config: this.options.config, stackTags: stackTags(this.options.project) });
    const described = analyzerResources(resources);
    const found: PlanViolation[] = [];
    const add = (v: Violation, urn?: string): void => {
      found.push({ policy: v.policyName, level: v.enforcementLevel, message: v.message, ...(v.urn || urn ? { urn: v.urn || urn } : {}) });
    };
    let next = 0;
    let done = 0;
    const total = described.length;
    const worker = async (): Promise<void> => {
      while (next < described.length) {
        const r = described[next++];
        const result = await this.pack.analyze(r);
        for (const v of result.violations) add(v, r.urn);
        onProgress(++done, total);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency ?? 8) }, worker));
    const stack = await this.pack.analyzeStack(described);
    for (const v of stack.violations) add(v);
    // The levels the engine configured: declared levels overlaid by the policy pack config.
    const reconciled = reconcileConfig(info.policies as unknown as Parameters<typeof reconcileConfig>[0], this.options.config);
    return {
      pack: `${info.name}@${info.version}`,
      policies: Object.entries(reconciled)
        .map(([name, c]) => ({ name, level: c.enforcementLevel }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      violations: sortViolations(dedupe(found)),
    };
  }

  async close(): Promise<void> {
    await this.pack.stop();
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

  /** The pack for a stack, started on first use. */
  get(stack: string, project: string): Promise<PolicyStep> {
    const key = JSON.stringify([stack, project]);
    let step = this.steps.get(key);
    if (!step) {
      step = PolicyStep.start({ ...this.options, stack, project });
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
