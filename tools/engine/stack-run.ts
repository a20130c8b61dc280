/**
 * Runs one of the committed stacks (`Pulumi.<stack>.yaml`) offline, the way `pulumi preview`
 * would, through the project's one offline runner (tools/engine/offline-stack.ts): every secret key
 * Pulumi.yaml declares is set, encrypted, to a placeholder that names it (`placeholderSecret`),
 * and the provider lookups answer deterministically from the stack config.
 *
 * Tests and tools (tools/export-rules.ts) share this so they all see the same registrations.
 */
import * as path from "node:path";
import type { RunResult } from "./harness";
import { runOfflineStack } from "./offline-stack";

export { placeholderSecret, PLACEHOLDER_ZONE_ID } from "./offline-stack";

/** The project root: the directory holding Pulumi.yaml and the stack files. */
export const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** The committed stacks (one `Pulumi.<stack>.yaml` each). */
export const COMMITTED_STACKS = ["staging", "prod"] as const;
export type CommittedStack = (typeof COMMITTED_STACKS)[number];

export interface CommittedStackRunOptions {
  /** Kill the program after this long (generous: a 2-core machine under load takes minutes). @default 300_000 */
  readonly timeoutMs?: number;
}

/**
 * Runs `Pulumi.<stack>.yaml` as a preview through Pulumi's own Node.js runner against the
 * recording monitor and returns what it registered. Never throws for a program failure: check
 * `result.ok` (or use `requireOk`).
 */
export async function runCommittedStack(stack: string, options: CommittedStackRunOptions = {}): Promise<RunResult> {
  const run = await runOfflineStack({ projectDir: PROJECT_ROOT, stack, timeoutMs: options.timeoutMs ?? 300_000 });
  return run.result;
}

/** Returns `result` when the run succeeded; otherwise throws with its error logs and stderr. */
export function requireOk(result: RunResult): RunResult {
  if (result.ok) return result;
  const errors = result.logs.filter((l) => l.severity === "error").map((l) => l.message);
  throw new Error(
    `stack ${result.stack} failed (exit ${result.exitCode}${result.timedOut ? ", timed out" : ""}):\n` + `${errors.join("\n")}\n${result.stderr}`.trim(),
  );
}
