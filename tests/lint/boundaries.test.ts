/**
 * The import-boundary gate (`.dependency-cruiser.cjs`, run by `npm run lint`): dependency-cruiser
 * itself, with the project's own configuration, on small planted trees (each rule must be able to
 * fail) and on the real tree (which must pass).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const CONFIG = path.join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = path.join(ROOT, "node_modules/.bin/depcruise");
const LAYERS = ["infra", "stacks", "components", "policies", "tools", "tests", "scripts"];

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/** dependency-cruiser's violations for the layers under `cwd`, with the project's configuration. */
function cruise(cwd: string): Violation[] {
  const present = LAYERS.filter((d) => fs.existsSync(path.join(cwd, d)));
  let out: string;
  try {
    out = execFileSync(DEPCRUISE, ["--config", CONFIG, "--output-type", "json", ...present], { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  } catch (e) {
    // Non-zero exit when there are violations; the report is still on stdout.
    out = (e as { stdout?: string }).stdout ?? "";
    if (out === "") throw e;
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A throwaway tree of TypeScript files (path → source) with the project's tsconfig shape. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boundaries-"));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** A clean miniature of the layers: every import points down. */
const CLEAN = {
  "infra/index.ts": 'import { product } from "../stacks/demo";\nexport const out = product;\n',
  "stacks/demo.ts": 'import { component } from "../components/thing";\nexport const product = component;\n',
  "components/thing.ts": 'import { grammar } from "../policies/lib/cron";\nexport const component = grammar;\n',
  "policies/lib/cron.ts": "export const grammar = 1;\n",
  "policies/rule.ts": 'import { grammar } from "./lib/cron";\nexport const rule = grammar;\n',
  "tests/thing.test.ts": 'import { out } from "../infra/index";\nexport const t = out;\n',
};

const names = (v: Violation[]) => v.map((x) => `${x.rule.name}: ${x.from} → ${x.to}`).sort();

describe("import boundaries (.dependency-cruiser.cjs)", () => {
  it("passes a tree whose imports all point down", () => {
    expect(cruise(tree(CLEAN))).toEqual([]);
  });

  it("fails on an arrow running back up: a component importing a product", () => {
    const dir = tree({ ...CLEAN, "components/thing.ts": 'import { product } from "../stacks/demo";\nexport const component = product;\n' });
    expect(names(cruise(dir))).toContain("components-not-up: components/thing.ts → stacks/demo.ts");
  });

  it("fails on a type-only back-arrow too: a product importing the program's types", () => {
    const dir = tree({
      ...CLEAN,
      "infra/types.ts": "export interface Settings { a: number }\n",
      "stacks/demo.ts": 'import type { Settings } from "../infra/types";\nexport const product: Settings = { a: 1 };\n',
    });
    expect(names(cruise(dir))).toContain("stacks-not-up: stacks/demo.ts → infra/types.ts");
  });

  it("fails when the program, a component or the pack reaches into tools/tests, or a component into the pack's rules", () => {
    const dir = tree({
      ...CLEAN,
      "tools/engine.ts": "export const engine = 1;\n",
      "infra/index.ts": 'import { engine } from "../tools/engine";\nexport const out = engine;\n',
      "components/other.ts": 'import { rule } from "../policies/rule";\nexport const other = rule;\n',
      "policies/lib/cron.ts": 'import { t } from "../../tests/thing.test";\nexport const grammar = t;\n',
    });
    const found = names(cruise(dir));
    expect(found).toContain("infra-not-outside: infra/index.ts → tools/engine.ts");
    expect(found).toContain("components-only-policies-lib: components/other.ts → policies/rule.ts");
    expect(found).toContain("policies-not-up: policies/lib/cron.ts → tests/thing.test.ts");
  });

  it("fails on a cycle, even inside one layer", () => {
    const dir = tree({
      ...CLEAN,
      "components/a.ts": 'import { b } from "./b";\nexport const a = () => b;\n',
      "components/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n',
    });
    const cycles = cruise(dir).filter((v) => v.rule.name === "no-circular");
    expect(cycles.length).toBeGreaterThan(0);
    for (const v of cycles) expect([v.from, v.to].sort()).toEqual(["components/a.ts", "components/b.ts"]);
  });

  it("finds nothing in the real tree", () => {
    expect(names(cruise(ROOT))).toEqual([]);
  }, 60_000);
});
