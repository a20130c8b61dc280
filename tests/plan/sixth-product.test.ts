/**
 * "Add a sixth product in one file": a copy of the program gets `stacks/demo.ts` (the fixture in
 * tests/fixtures/sixth-product/) and one line in the catalog, nothing else. Then the generated
 * Pulumi.yaml and README reference declare its keys, start-up validation runs its key schemas and
 * its cross-check (errors naming the key and the fix), and the real program, run by the plan CLI
 * (`npm run plan`) through Pulumi's Node.js runner, registers its resources.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRODUCT_IDS } from "../../stacks";
import { ROOT, runCli, tempDir, type CliResult } from "./helpers";

const FIXTURE = path.join(ROOT, "tests/fixtures/sixth-product/demo.ts");
const TS_NODE_BIN = require.resolve("ts-node/dist/bin.js");

/** What the program is made of: copied as they are, then the product and its catalog line added. */
const PROGRAM = [
  "infra",
  "stacks",
  "components",
  "policies",
  "scripts/config-docs.ts",
  "tsconfig.json",
  "tsconfig.pulumi.json",
  "Pulumi.yaml",
  "README.md",
  "package.json",
];

let dir: string;
let plan: CliResult;

function edit(file: string, from: string, to: string): void {
  const p = path.join(dir, file);
  const text = fs.readFileSync(p, "utf8");
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}; update this test's edit`);
  fs.writeFileSync(p, text.replace(from, to));
}

beforeAll(async () => {
  dir = tempDir("sixth-product");
  for (const entry of PROGRAM) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");

  // The one file ...
  // (the fixture imports components/ from its own folder, so the type check covers it; in stacks/
  // the same imports are one level up).
  fs.writeFileSync(path.join(dir, "stacks/demo.ts"), fs.readFileSync(FIXTURE, "utf8").replaceAll('from "../../../components/', 'from "../components/'));
  // ... and the one catalog line (the import and the entry).
  edit("stacks/index.ts", 'import { voyager } from "./voyager";', 'import { voyager } from "./voyager";\nimport { demo } from "./demo";');
  edit("stacks/index.ts", "[askDahlia, codebook, chatApi, voyager, ara] as const", "[askDahlia, codebook, chatApi, voyager, ara, demo] as const");

  // A stack that enables it and sets its one required key; a second that forgets the key.
  const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
  if (!staging.includes("    - ara\n")) throw new Error("Pulumi.staging.yaml's products list changed; update this test");
  const withDemo = staging.replace("    - ara\n", "    - ara\n    - demo\n");
  fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), withDemo.replace("config:\n", "config:\n  app-platform:demoImageTag: 0.1.0\n"));
  fs.writeFileSync(path.join(dir, "Pulumi.forgot.yaml"), withDemo);

  // `npm run config-docs` in the copy regenerates Pulumi.yaml and the README reference.
  execFileSync(process.execPath, [TS_NODE_BIN, "--swc", "scripts/config-docs.ts"], { cwd: dir, stdio: "pipe" });

  plan = await runCli(["--project", dir, "--stack", "staging", "--no-policy", "--json"]);
}, 180_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("a sixth product, added in one file and one catalog line", () => {
  it("is not in the repository's own catalog (the fixture stays a fixture)", () => {
    expect(PRODUCT_IDS as readonly string[]).not.toContain("demo");
  });

  it("has its keys declared in the generated Pulumi.yaml and README config reference", () => {
    const project = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    expect(project).toMatch(/\n {2}demoImageTag:\n {4}type: string\n {4}description: Pinned image tag of the demo API\.\n/);
    expect(project).toMatch(/\n {2}demoGreeting:\n {4}type: string\n[^]*?default: hello/);
    expect(project).toMatch(/\n {6}- demo\n/); // the `products` key's allowed values come from the catalog
    const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    expect(readme).toContain("| `demoImageTag` | string |");
    expect(readme).toContain('| `demoGreeting` | string | `"hello"` |');
    // The repository's own files do not mention it.
    expect(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).not.toContain("demoImageTag");
  });

  it("registers its resources when a stack lists it", () => {
    expect(plan.code, plan.stderr).toBe(0);
    const doc = JSON.parse(plan.stdout) as { stacks: { plan: { resources: { type: string; name: string; inputs: Record<string, any> }[] } }[] };
    const resources = doc.stacks[0].plan.resources;
    const byName = (type: string, name: string) => resources.find((r) => r.type === type && r.name === name);

    expect(byName("app-platform:product:ApplicationStack", "demo")).toBeDefined();
    expect(byName("kubernetes:core/v1:Namespace", "demo-namespace")).toBeDefined();
    const deployment = byName("kubernetes:apps/v1:Deployment", "demo-api-deployment");
    expect(deployment?.inputs.spec.template.spec.containers[0].image).toBe("ghcr.io/example-org/demo:0.1.0");
    expect(JSON.stringify(byName("kubernetes:core/v1:ConfigMap", "demo-api-config")?.inputs.data)).toContain('"GREETING":"hello"');
    expect(byName("random:index/randomPassword:RandomPassword", "demo-secrets-demo-token")).toBeDefined();
    const rules = JSON.stringify(byName("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "demo-alerts-rules")?.inputs.spec);
    expect(rules).toContain('"name":"demo"');
    expect(byName("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "demo-api-service-monitor")).toBeDefined();
  });

  it("is a required key: a stack without it stops before the program runs, naming the key", async () => {
    // Pulumi.yaml declares it without a default, so the engine itself refuses (as `pulumi up` does).
    const r = await runCli(["--project", dir, "--stack", "forgot", "--no-policy"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("missing configuration value(s) 'app-platform:demoImageTag'");
  }, 120_000);

  it("validates its keys' schemas at start-up: a bad value is named with the expected form and the fix", async () => {
    const r = await runCli(["--project", dir, "--stack", "staging", "--no-policy", "--config", "demoImageTag=latest"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("`app-platform:demoImageTag`");
    expect(r.stderr).toContain("a pinned image tag (not `latest`)");
    expect(r.stderr).toContain('pulumi config set --stack staging demoImageTag "0.1.0"`');
  }, 120_000);

  it("runs its own cross-check: the problem and the fix name its key", async () => {
    const r = await runCli(["--project", dir, "--stack", "staging", "--no-policy", "--config", "demoGreeting=forbidden"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("`app-platform:demoGreeting` must not be `forbidden`. Fix: `pulumi config set --stack staging demoGreeting hello`");
  }, 120_000);
});
