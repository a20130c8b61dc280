/**
 * The program's behaviour, pinned: the prod and staging plans (every resource's URN, type, parent,
 * provider, inputs, aliases and protection, and the stack outputs) must equal the plans recorded
 * in tests/fixtures/recorded-plans/. A refactor that moves code between files must not change a
 * byte of them; a change that means to change the plan re-records them in the same commit:
 *
 *   RECORD_PLANS=1 npx vitest run tests/plan/recorded.test.ts
 *
 * The clock is pinned (tests/helpers/fixed-clock.cjs), since the secrets' rotation period follows
 * the date. Policy results are not part of the record: their messages are the pack's own text.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanDocument } from "../../tools/plan/json";
import { ROOT, runCli, tempDir, type CliResult } from "./helpers";

const RECORDED = path.join(ROOT, "tests/fixtures/recorded-plans");
const STACKS = ["prod", "staging"] as const;
const CLOCK = "2026-12-06T00:00:00Z";
const out = tempDir("recorded-plans");
let run: CliResult;

/** What the record keeps of a plan: resources and outputs, nothing about the run. */
function recordOf(doc: PlanDocument): { stack: string; outputs: unknown; resources: unknown } {
  return { stack: doc.stack, outputs: doc.outputs, resources: doc.resources };
}

beforeAll(async () => {
  run = await runCli(["--stack", "prod", "--stack", "staging", "--no-policy", "-q", "--out", out], {
    env: {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(ROOT, "tests/helpers/fixed-clock.cjs")}`.trim(),
      FIXED_CLOCK: CLOCK,
    },
  });
  if (process.env.RECORD_PLANS === "1" && run.code === 0) {
    for (const stack of STACKS) {
      const doc = JSON.parse(fs.readFileSync(path.join(out, `${stack}.json`), "utf8")) as PlanDocument;
      fs.writeFileSync(path.join(RECORDED, `${stack}.json`), JSON.stringify(recordOf(doc), null, 1) + "\n");
    }
  }
}, 180_000);

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe("the recorded plans", () => {
  it("plans both stacks", () => {
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
  });

  for (const stack of STACKS) {
    it(`${stack}: every resource and output equals the record`, () => {
      const doc = JSON.parse(fs.readFileSync(path.join(out, `${stack}.json`), "utf8")) as PlanDocument;
      const recorded = JSON.parse(fs.readFileSync(path.join(RECORDED, `${stack}.json`), "utf8"));
      const now = recordOf(doc);
      // URNs first, so a rename reads as one line rather than a wall of inputs.
      expect((now.resources as { urn: string }[]).map((r) => r.urn)).toEqual(recorded.resources.map((r: { urn: string }) => r.urn));
      expect(JSON.parse(JSON.stringify(now))).toEqual(recorded);
    });
  }

  it("the record is the pinned clock's: its rotation keepers name the quarter of the pinned date", () => {
    const text = fs.readFileSync(path.join(RECORDED, "prod.json"), "utf8");
    expect(text).toContain('"2026-10-01"');
    expect(text).toContain('"2027-01-01T00:00:00Z"');
  });
});
