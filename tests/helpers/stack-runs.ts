/**
 * The committed stacks as run once per test session by `tests/global-setup.ts` (Pulumi's own
 * runner against the recording monitor). Falls back to running the stack when the file is run
 * outside that setup.
 */
import * as fs from "node:fs";
import { inject } from "vitest";
import type { RunResult } from "../../tools/engine/harness";
import { runCommittedStack } from "../../tools/engine/stack-run";

let cache: Record<string, RunResult> | undefined;

export async function committedStackRun(stack: string): Promise<RunResult> {
  if (!cache) {
    const file = inject("committedStackRuns");
    cache = file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, RunResult>) : {};
  }
  cache[stack] ??= await runCommittedStack(stack);
  return cache[stack];
}
