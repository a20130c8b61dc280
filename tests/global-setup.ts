/**
 * Runs each committed stack once per test session through Pulumi's own Node.js runner (the
 * costly part: ~5 s a stack) and hands the recorded results to every test file that reads them,
 * instead of each file running the stacks again.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { COMMITTED_STACKS, runCommittedStack } from "../tools/engine/stack-run";

declare module "vitest" {
  export interface ProvidedContext {
    /** File holding `{ [stack]: RunResult }` of the committed stacks. */
    committedStackRuns: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-platform-runs-"));
  const file = path.join(dir, "runs.json");
  const runs = await Promise.all(COMMITTED_STACKS.map((s) => runCommittedStack(s)));
  fs.writeFileSync(file, JSON.stringify(Object.fromEntries(COMMITTED_STACKS.map((s, i) => [s, runs[i]]))));
  project.provide("committedStackRuns", file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
