/**
 * How `pulumi preview` and `pulumi up` load the program: the Node.js language host
 * passes `PULUMI_NODEJS_TYPESCRIPT=true` and `PULUMI_NODEJS_TSCONFIG_PATH` from Pulumi.yaml's
 * `runtime.options`; Pulumi's runner (`@pulumi/pulumi/cmd/run`) registers ts-node with that
 * tsconfig. tsconfig.pulumi.json transpiles with swc and skips the type check, which
 * `npm run typecheck` does before every preview and deploy instead.
 *
 * The runner is started three times here, concurrently: the real program (staging) with the host's
 * environment, and a small failing program twice (as the host runs it, and with the user's
 * `PULUMI_NODEJS_TRANSPILE_ONLY=false`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { languageHostEnv, readProject, resolveProgram, runProgram, type RunResult } from "../tools/engine/harness";
import { runOfflineStack } from "../tools/engine/offline-stack";

const ROOT = path.resolve(__dirname, "..");
const RUNTIME_TSCONFIG = path.join(ROOT, "tsconfig.pulumi.json");
const OBSERVER = path.join(__dirname, "fixtures/runtime/ts-node-observer.js");

/** What tests/fixtures/runtime/ts-node-observer.js reports about ts-node in the runner. */
interface TsNodeReport {
  readonly registered: boolean;
  readonly transpileOnly?: boolean;
  readonly swc?: boolean;
  readonly typeCheck?: boolean;
  readonly configFilePath?: string;
  readonly module?: number;
  readonly target?: number;
  readonly sourceMap?: boolean;
}

/** The user's own switches, cleared so each run sees only what the language host passes. */
const NO_USER_SWITCHES = {
  PULUMI_NODEJS_TRANSPILE_ONLY: undefined,
  TS_NODE_TYPE_CHECK: undefined,
  TS_NODE_TRANSPILE_ONLY: undefined,
  TS_NODE_COMPILER_OPTIONS: undefined,
  PULUMI_DEBUG_PROMISE_LEAKS: undefined,
} as const;

function readTsconfig(file: string): { extends?: string; compilerOptions?: Record<string, unknown>; "ts-node"?: Record<string, unknown> } {
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
  return config;
}

/** 1-based line of the first line of `file` containing `needle`. */
function lineOf(file: string, needle: string): number {
  const i = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not found in ${file}`);
  return i + 1;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "runtime-loading-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("Pulumi.yaml and the tsconfigs", () => {
  const project = readProject(ROOT);

  it("the language host passes the runtime tsconfig, which resolves from the program's directory to tsconfig.pulumi.json", () => {
    const env = languageHostEnv(project.runtimeOptions);
    expect(env).toEqual({ PULUMI_NODEJS_TYPESCRIPT: "true", PULUMI_NODEJS_TSCONFIG_PATH: "../tsconfig.pulumi.json" });
    // The runner chdirs to --pwd (infra/, from `main`) and reads the path from there.
    const { pwd } = resolveProgram(ROOT, project.main);
    expect(path.resolve(pwd, env.PULUMI_NODEJS_TSCONFIG_PATH)).toBe(RUNTIME_TSCONFIG);
  });

  it("tsconfig.pulumi.json extends tsconfig.json, restates what the runner would override, and transpiles with swc", () => {
    const runtime = readTsconfig(RUNTIME_TSCONFIG);
    const main = readTsconfig(path.join(ROOT, "tsconfig.json"));
    expect(runtime.extends).toBe("./tsconfig.json");
    expect(runtime["ts-node"]).toEqual({ swc: true });
    // What the runner itself reads from the file (only its own compilerOptions, no `extends`) and
    // lays over its defaults of ES2020 / nodenext: it must say what tsconfig.json says.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsutils = require("@pulumi/pulumi/tsutils") as { loadTypeScriptCompilerOptions(p: string): Record<string, unknown> };
    const seenByRunner = tsutils.loadTypeScriptCompilerOptions(RUNTIME_TSCONFIG);
    for (const key of ["target", "module", "moduleResolution", "sourceMap"]) {
      expect(seenByRunner[key], key).toEqual(main.compilerOptions?.[key]);
    }
    expect(seenByRunner.noCheck).toBeUndefined(); // swc decides; `noCheck` would also blind any type check asked for
  });

  it("tsconfig.json — `npm run typecheck` and the IDE — keeps the full type check, and proves each file transpiles alone", () => {
    const main = readTsconfig(path.join(ROOT, "tsconfig.json"));
    expect(main.compilerOptions?.noCheck).toBeUndefined();
    expect(main.compilerOptions?.strict).toBe(true);
    expect(main["ts-node"]).toBeUndefined();
    // swc and ts-node's transpile-only mode compile one file at a time; tsc checks that is safe.
    expect(main.compilerOptions?.isolatedModules).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.typecheck).toBe("tsc --noEmit -p .");
    expect(pkg.devDependencies["@swc/core"]).toMatch(/^\d+\.\d+\.\d+$/); // pinned
  });

  it.each(["runner-program", "plan-program"])("the %s fixture is loaded with a copy of the same runtime tsconfig", (fixture) => {
    const dir = path.join(__dirname, "fixtures", fixture);
    const fixtureProject = readProject(dir);
    const tsconfig = languageHostEnv(fixtureProject.runtimeOptions).PULUMI_NODEJS_TSCONFIG_PATH;
    expect(tsconfig).toBeDefined();
    const { pwd } = resolveProgram(dir, fixtureProject.main);
    expect(fs.readFileSync(path.resolve(pwd, tsconfig!), "utf8")).toBe(fs.readFileSync(RUNTIME_TSCONFIG, "utf8"));
  });
});

// A program laid out as the real one (Pulumi.yaml, both tsconfigs and node_modules at the root,
// `main: infra/index.ts`) whose component throws. It also has a type error the runner must not see.
const BROKEN_COMPONENT = `import * as pulumi from "@pulumi/pulumi";

/** Arguments of a component that fails on purpose; the type-only lines below vanish in JavaScript. */
export interface BrokenArgs {
  /** How many replicas. */
  readonly replicas: number;
  /** A label. */
  readonly label?: string;
  /** Unused. */
  readonly extra?: Readonly<Record<string, string>>;
}

export type BrokenKind = "web" | "worker";

export class Broken extends pulumi.ComponentResource {
  constructor(name: string, args: BrokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fixture:index:Broken", name, {}, opts);
    const kind: BrokenKind = args.replicas > 1 ? "web" : "worker";
    if (args.replicas > 0) {
      throw new Error(\`Broken \${name} (\${kind}): deliberate failure\`); // THROW
    }
  }
}
`;
const BROKEN_INDEX = `import * as pulumi from "@pulumi/pulumi";
import { Broken } from "../components/broken";
import { skipUnreadPromiseStacks } from "./promise-stacks";

// As infra/index.ts: the runner's source-mapping formatter must be there to wrap, and the
// component's exception below must still be mapped with the wrapper in place.
if (!skipUnreadPromiseStacks()) throw new Error("promise-stacks: nothing to wrap");

export const before = new pulumi.ComponentResource("fixture:index:Fine", "before").urn;
const notANumber: number = "a string"; // TYPE ERROR
export const shown = notANumber;
new Broken("web", { replicas: 2 }); // CALLER
`;

function brokenProject(): string {
  const dir = fs.mkdtempSync(path.join(tmp, "broken-"));
  fs.mkdirSync(path.join(dir, "infra"));
  fs.mkdirSync(path.join(dir, "components"));
  for (const f of ["Pulumi.yaml", "tsconfig.json", "tsconfig.pulumi.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "broken-fixture", private: true }));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(path.join(dir, "components/broken.ts"), BROKEN_COMPONENT);
  fs.writeFileSync(path.join(dir, "infra/index.ts"), BROKEN_INDEX);
  fs.copyFileSync(path.join(ROOT, "infra/promise-stacks.ts"), path.join(dir, "infra/promise-stacks.ts"));
  return dir;
}

describe("loading as the language host does", () => {
  let real: RunResult;
  let report: TsNodeReport;
  let brokenDir: string;
  let broken: RunResult;
  let typeChecked: RunResult;

  beforeAll(async () => {
    const out = path.join(tmp, "ts-node.json");
    const observe = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${OBSERVER}`.trim(), TS_NODE_OBSERVER_OUT: out };
    brokenDir = brokenProject();
    const runBroken = (env: Record<string, string | undefined>) =>
      runProgram({ programDir: brokenDir, stack: "dev", config: {}, timeoutMs: 90_000, env: { ...NO_USER_SWITCHES, ...env } });
    let run;
    [run, broken, typeChecked] = await Promise.all([
      runOfflineStack({ projectDir: ROOT, stack: "staging", env: { ...NO_USER_SWITCHES, ...observe } }),
      runBroken({}),
      runBroken({ PULUMI_NODEJS_TRANSPILE_ONLY: "false" }),
    ]);
    real = run.result;
    report = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")) as TsNodeReport) : { registered: false };
    for (const [label, r] of [
      ["real program", real],
      ["broken", broken],
      ["broken, PULUMI_NODEJS_TRANSPILE_ONLY=false", typeChecked],
    ] as const) {
      console.info(`[runtime-loading] ${label}: ${r.durationMs} ms, exit ${r.exitCode}`);
    }
  }, 180_000);

  describe("the real program (staging)", () => {
    it("ts-node loaded it through tsconfig.pulumi.json with swc and ran no type check", () => {
      expect(report).toMatchObject({
        registered: true,
        transpileOnly: true,
        swc: true,
        typeCheck: false,
        configFilePath: RUNTIME_TSCONFIG,
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        sourceMap: true,
      });
    });

    it("ran to completion and registered every product", () => {
      expect(
        real.logs.filter((l) => l.severity === "error"),
        real.stderr,
      ).toEqual([]);
      expect(real.ok).toBe(true);
      const products = real.resources.filter((r) => r.type === "app-platform:product:ApplicationStack").map((r) => r.name);
      expect(products.sort()).toEqual(["ara", "ask-dahlia", "chat-api", "codebook", "voyager"]);
      expect(real.resources.length).toBeGreaterThan(100);
    });

    it("each registration's source position is the TypeScript file and line that constructed it", () => {
      const program = path.join(ROOT, "infra/program.ts");
      const stacks = real.resources.filter((r) => r.type === "app-platform:product:ApplicationStack");
      for (const r of stacks) {
        expect(r.source?.uri).toBe(`file://${program}`);
        expect(r.source?.line).toBe(lineOf(program, "new ApplicationStack("));
      }
    });
  });

  describe("a program whose component throws", () => {
    it("runs past a type error (no type check) and fails with the component's exception", () => {
      expect(broken.ok).toBe(false);
      expect(broken.resources.map((r) => r.type)).toEqual(expect.arrayContaining(["pulumi:pulumi:Stack", "fixture:index:Fine"]));
      const errors = broken.logs
        .filter((l) => l.severity === "error")
        .map((l) => l.message)
        .join("\n");
      expect(errors).toContain("Broken web (web): deliberate failure");
      expect(errors).not.toMatch(/TS2322|Unable to compile/);
    });

    it("the stack trace points at the TypeScript file and line of the throw, and of its caller", () => {
      const errors = broken.logs
        .filter((l) => l.severity === "error")
        .map((l) => l.message)
        .join("\n");
      const component = path.join(brokenDir, "components/broken.ts");
      const index = path.join(brokenDir, "infra/index.ts");
      expect(errors).toContain(`${component}:${lineOf(component, "// THROW")}:`);
      expect(errors).toContain(`${index}:${lineOf(index, "// CALLER")}:`);
    });

    it("in the JavaScript the throw is on another line, so the check above sees the source map at work", () => {
      const js = ts.transpileModule(BROKEN_COMPONENT, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
      }).outputText;
      const jsLine = js.split("\n").findIndex((l) => l.includes("// THROW")) + 1;
      const tsLine = BROKEN_COMPONENT.split("\n").findIndex((l) => l.includes("// THROW")) + 1;
      expect(jsLine).toBeGreaterThan(0);
      expect(jsLine).not.toBe(tsLine);
    });

    it("`PULUMI_NODEJS_TRANSPILE_ONLY=false` cannot quietly run it untyped: ts-node refuses it beside swc (README)", () => {
      expect(typeChecked.ok).toBe(false);
      const errors = typeChecked.logs
        .filter((l) => l.severity === "error")
        .map((l) => l.message)
        .join("\n");
      expect(errors).toMatch(/Cannot enable 'swc' option with 'transpileOnly: false'/);
      expect(errors).not.toContain("deliberate failure");
      expect(typeChecked.resources.map((r) => r.type)).not.toContain("fixture:index:Fine");
    });
  });
});
