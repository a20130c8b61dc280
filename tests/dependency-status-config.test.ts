/**
 * Issue 19 item 9: prod probes one named component of each Codebook dependency's status page, so
 * each component key must be set there; staging probes none and needs none. Parsed with the real
 * start-up config check from the committed stack files.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../infra/config";
import { allSecretKeys } from "../infra/secrets";
import { readProject, readStackConfig } from "../tools/engine/harness/project";

const project = readProject(path.resolve(__dirname, ".."));

function problemsOf(stack: "prod" | "staging", unset: readonly string[]): string[] {
  const raw: Record<string, string | undefined> = { ...readStackConfig(project, stack).values };
  for (const k of unset) delete raw[`app-platform:${k}`];
  try {
    parseStackConfig(raw, stack, new Set(allSecretKeys().map((s) => s.key)));
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
}

const KEYS = ["supabaseStatusComponent", "pineconeStatusComponent", "openaiStatusComponent"] as const;

describe("dependency status components", () => {
  it.each(KEYS)("prod without %s fails at start-up, naming the key, the page and the fix", (key) => {
    const problems = problemsOf("prod", [key]);
    const p = problems.find((x) => x.includes(`app-platform:${key}`));
    expect(p, problems.join(" | ")).toBeDefined();
    expect(p).toMatch(/api\/v2\/components\.json/);
    expect(p).toMatch(/pulumi config set/);
  });

  it("staging needs none of them (it probes no status page)", () => {
    expect(problemsOf("staging", KEYS)).toEqual([]);
  });
});
