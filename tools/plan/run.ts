/**
 * One plan of one stack: the program through Pulumi's runner (offline-stack.ts) and, started at
 * the same time, the policy pack through its analyzer server (policy.ts), which analyses each
 * resource as the program registers it; then `AnalyzeStack`, the secret-flow check and the plan
 * document. Never throws for a program or config failure: the result says
 * what failed, in the program's own words.
 */
import * as path from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { readProject, type LogEntry, type RunResult } from "../engine/harness";
import { planDocument, type PlanDocument } from "./json";
import { runOfflineStack, PlanConfigError, type OfflineStackRun } from "../engine/offline-stack";
import { PolicyStep, type PolicyAnalysis, type PolicyPool, type PolicyResults } from "./policy";
import { findSecretLeaks, Redactor } from "./secret-flow";
import { findRunDeadAlerts, packConfigWithSelectors, selectorLabelsFor, type SelectorLabels } from "./alert-sources";

export interface PlanStackOptions {
  readonly projectDir: string;
  readonly stack: string;
  readonly configOverrides?: Readonly<Record<string, string>>;
  /**
   * `false` skips the policy step. With a `pool`, the pack process comes from (and stays in) the
   * pool, so plans of the same stack share it; otherwise the plan starts and stops its own.
   */
  readonly policy: false | { readonly packDir?: string; readonly config?: PolicyPackConfig; readonly pool?: PolicyPool; readonly typeCheckPack?: boolean };
  readonly timeoutMs?: number;
  /** Reports phases: `program`, `policy n/total`, `done`. */
  readonly onPhase?: (phase: string, detail?: string) => void;
}

export interface PlanSuccess {
  readonly ok: true;
  readonly stack: string;
  readonly doc: PlanDocument;
  /** Program warnings and infos the engine would print under "Diagnostics". */
  readonly diagnostics: readonly LogEntry[];
  /** 1 for mandatory violations, secret-flow findings or dead alerts, else 0. */
  readonly exitCode: 0 | 1;
  /** `policyMs`: the policy step's time after the program ended (its `Analyze` calls overlap the program). */
  readonly timings: { readonly programMs: number; readonly policyMs: number; readonly totalMs: number };
}

export interface PlanFailure {
  readonly ok: false;
  readonly stack: string;
  /** The program's or the config's own message, without a stack dump. */
  readonly error: string;
  readonly exitCode: 2;
}

export type StackPlan = PlanSuccess | PlanFailure;

/** Exit code of a finished plan document: 1 on mandatory violations, secret-flow findings or dead alerts. */
export function exitCodeOf(doc: PlanDocument): 0 | 1 {
  return doc.summary.violations.mandatory > 0 || doc.summary.secretFlow > 0 || doc.summary.deadAlerts > 0 ? 1 : 0;
}

/**
 * The program's error message from a failed run, without stack frames: the runner's own
 * "failed with an unhandled exception" preamble and every `    at …` line are dropped; the first
 * frame inside the project (not node_modules) is kept as one `(at file:line)` hint.
 */
export function programErrorMessage(result: RunResult, projectDir: string): string {
  if (result.timedOut) return `the program did not finish within the time limit (killed); is something keeping the event loop alive?`;
  const errors = result.logs
    .filter((l) => l.severity === "error")
    .map((l) => l.message.trim())
    .filter(Boolean);
  const text = errors.length > 0 ? errors.join("\n") : result.stderr.trim() || `the program exited with code ${result.exitCode}`;
  const lines: string[] = [];
  let hint: string | undefined;
  const root = path.resolve(projectDir);
  for (const line of text.split("\n")) {
    const frame = /^\s+at (?:.*?\()?(?:file:\/\/)?([^()]+?):(\d+):(\d+)\)?$/.exec(line);
    if (frame || /^\s+at /.test(line)) {
      if (!hint && frame && frame[1].startsWith(root) && !frame[1].includes("node_modules")) {
        hint = `(at ${path.relative(root, frame[1])}:${frame[2]})`;
      }
      continue;
    }
    const preamble = /^Running program '.*' failed with an unhandled exception:$/.exec(line.trim());
    if (preamble) continue;
    if (/^error: Running program .* failed with an unhandled exception:/.test(line.trim())) continue;
    lines.push(line);
  }
  const unanswered = result.invokes.filter((i) => !i.answered).map((i) => i.token);
  const message = [...new Set(lines.map((l) => l.trimEnd()))].join("\n").trim();
  const extra =
    unanswered.length > 0
      ? `\nthe offline plan has no answer for ${[...new Set(unanswered)].join(", ")}; add one to invokeAnswers() in tools/engine/offline-stack.ts`
      : "";
  return `${message}${hint ? `\n${hint}` : ""}${extra}`.trim();
}

/** Plans one stack. */
export async function planStack(options: PlanStackOptions): Promise<StackPlan> {
  const started = Date.now();
  const phase = options.onPhase ?? (() => undefined);
  let policyStart: Promise<PolicyStep | Error> | undefined;
  let analysis: PolicyAnalysis | undefined;
  // While the program runs: how many resources it registered, and how many the pack has analysed.
  let registered = 0;
  let analysed = 0;
  let programRunning = true;
  const showProgram = (): void => {
    if (programRunning) phase("running program", `${registered} registered${options.policy ? `, ${analysed} analysed` : ""}`);
  };
  // Prometheus' selector labels, for the dead-alert step and the pack's rule alike (alert-sources.ts).
  let selectors: SelectorLabels;
  try {
    selectors = selectorLabelsFor(options.projectDir, options.stack, options.configOverrides, options.policy ? options.policy.config : undefined);
  } catch (err) {
    return { ok: false, stack: options.stack, error: (err as Error).message, exitCode: 2 };
  }
  if (options.policy) {
    const policy = options.policy;
    const config = packConfigWithSelectors(policy.config, selectors);
    // Started before the program so the two start-ups overlap.
    policyStart = Promise.resolve()
      .then(() => readProject(options.projectDir).name)
      .then((project) =>
        policy.pool
          ? policy.pool.get(options.stack, project, config)
          : PolicyStep.start({ stack: options.stack, project, packDir: policy.packDir, config, typeCheckPack: policy.typeCheckPack }),
      )
      .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    // Fed as the program registers, as the engine calls its analyzers on each registration.
    analysis = PolicyStep.analysis(
      policyStart.then((s) => (s instanceof Error ? Promise.reject(s) : s)),
      (done) => {
        analysed = done;
        showProgram();
      },
    );
  }
  const ownsPack = options.policy !== false && !options.policy.pool;
  const closePolicy = async (): Promise<void> => {
    if (!ownsPack || !policyStart) return;
    const p = await policyStart;
    if (!(p instanceof Error)) await p.close();
  };
  const fail = async (error: string): Promise<PlanFailure> => {
    programRunning = false;
    analysis?.abandon();
    await closePolicy();
    return { ok: false, stack: options.stack, error, exitCode: 2 };
  };

  phase("running program");
  let run: OfflineStackRun;
  try {
    run = await runOfflineStack({
      projectDir: options.projectDir,
      stack: options.stack,
      configOverrides: options.configOverrides,
      timeoutMs: options.timeoutMs,
      onResource: (r) => {
        registered++;
        analysis?.add(r);
        showProgram();
      },
    });
  } catch (err) {
    if (err instanceof PlanConfigError) return fail(err.message);
    await fail("");
    throw err;
  }
  programRunning = false;
  const programMs = Date.now() - started;
  if (!run.result.ok) return fail(programErrorMessage(run.result, options.projectDir));

  let policy: PolicyResults | null = null;
  const policyStarted = Date.now();
  if (policyStart && analysis) {
    const step = await policyStart;
    if (step instanceof Error) return fail(`the policy pack failed to start: ${step.message}`);
    try {
      const total = run.result.resources.length;
      phase("policy pack", `0/${total}`);
      policy = await analysis.finish(run.result.resources, (done: number) => phase("policy pack", `${done}/${total}`));
    } catch (err) {
      return { ok: false, stack: options.stack, error: `the policy pack failed: ${(err as Error).message}`, exitCode: 2 };
    } finally {
      await closePolicy();
    }
  }
  const policyMs = Date.now() - policyStarted;

  phase("checking secret flow");
  const secretFlow = findSecretLeaks(run.result, run.placeholders);
  const redactor = new Redactor(run.placeholders);
  phase("checking alert sources");
  const deadAlerts = findRunDeadAlerts(run.result.resources, selectors.labels);
  const doc = planDocument({ run: run.result, placeholderKeys: run.placeholderKeys, policy, secretFlow, deadAlerts, redactor });
  const diagnostics = run.result.logs
    .filter((l) => l.severity === "warning" || l.severity === "info")
    .map((l) => ({ ...l, message: redactor.redact(l.message) }));
  phase("done");
  return {
    ok: true,
    stack: options.stack,
    doc,
    diagnostics,
    exitCode: exitCodeOf(doc),
    timings: { programMs, policyMs, totalMs: Date.now() - started },
  };
}
