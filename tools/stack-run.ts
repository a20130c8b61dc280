/**
 * Runs one of the committed stacks (`Pulumi.<stack>.yaml`) through the offline harness the way
 * `pulumi preview` would, with everything the real CLI would get from elsewhere filled in
 * deterministically:
 * - every secret key the project declares (`allSecretKeys()` in infra/secrets.ts) is set, as an
 *   encrypted value, to a placeholder that names its key (`placeholderSecret(key)`), so its path
 *   through the program can be traced and it can never be mistaken for a real credential;
 * - the provider lookups the program makes (`STACK_INVOKES`) answer with fixed ids.
 *
 * Tests and tools (tools/export-rules.ts) share this so they all see the same registrations.
 */
import * as path from "node:path";
import { allSecretKeys } from "../infra/secrets";
import { runStack, type InvokeTable, type RunResult } from "./harness";

/** The project root: the directory holding Pulumi.yaml and the stack files. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The committed stacks (one `Pulumi.<stack>.yaml` each). */
export const COMMITTED_STACKS = ["staging", "prod"] as const;
export type CommittedStack = (typeof COMMITTED_STACKS)[number];

/** Fixed zone id the Cloudflare zone lookup answers with (32 hex digits, like a real one). */
export const PLACEHOLDER_ZONE_ID = "0123456789abcdef0123456789abcdef";

/** Deterministic answers for the provider lookups (invokes) the program makes. */
export const STACK_INVOKES: InvokeTable = {
  "cloudflare:index/getZone:getZone": (args) => ({ zoneId: PLACEHOLDER_ZONE_ID, name: args.filter?.name }),
  "vercel:index/getProject:getProject": (args) => ({ id: `prj_${args.name}`, name: args.name }),
};

/**
 * The placeholder a secret key is set to: unique per key and easy to search for (`SENTINEL-`),
 * the same form as tests/helpers/program.ts `sentinel()`.
 */
export function placeholderSecret(key: string): string {
  return `SENTINEL-${key}-0f1e2d3c4b5a`;
}

/** Every declared secret key (required and optional) set to its placeholder, by key. */
export function placeholderSecrets(): Record<string, string> {
  return Object.fromEntries(allSecretKeys().map((s) => [s.key, placeholderSecret(s.key)]));
}

export interface CommittedStackRunOptions {
  /** Kill the program after this long. @default 90_000 */
  readonly timeoutMs?: number;
  /** Skip ts-node's type check of the program (tests type-check separately). @default true */
  readonly transpileOnly?: boolean;
}

/**
 * Runs `Pulumi.<stack>.yaml` as a preview through Pulumi's own Node.js runner against the
 * recording monitor and returns what it registered. Never throws for a program failure: check
 * `result.ok` (or use `requireOk`).
 */
export function runCommittedStack(stack: string, options: CommittedStackRunOptions = {}): Promise<RunResult> {
  return runStack({
    projectDir: PROJECT_ROOT,
    stack,
    secretOverrides: placeholderSecrets(),
    invokes: STACK_INVOKES,
    transpileOnly: options.transpileOnly ?? true,
    timeoutMs: options.timeoutMs ?? 90_000,
  });
}

/** Returns `result` when the run succeeded; otherwise throws with its error logs and stderr. */
export function requireOk(result: RunResult): RunResult {
  if (result.ok) return result;
  const errors = result.logs.filter((l) => l.severity === "error").map((l) => l.message);
  throw new Error(
    `stack ${result.stack} failed (exit ${result.exitCode}${result.timedOut ? ", timed out" : ""}):\n` +
      `${errors.join("\n")}\n${result.stderr}`.trim(),
  );
}
