/**
 * .github/workflows/release.yml (issue 20 "Image releases from app repos"): parses against GitHub's
 * workflow schema (@actions/workflow-parser, as in workflows.test.ts), is started by
 * workflow_dispatch with the product/workload/image/stack inputs and by repository_dispatch
 * `release-image`, holds write permissions only on the job that opens the PR, pins every action by
 * commit SHA, passes the inputs through the environment (no script injection), runs the validation
 * script and never deploys itself (deploy.yml does, on merge).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { WorkflowTemplate } from "@actions/workflow-parser";

type Parser = typeof import("@actions/workflow-parser");
let parser: Parser;

beforeAll(async () => {
  // Loaded through vitest's transform (server.deps.inline in vitest.config.mts), as in workflows.test.ts.
  parser = await import("@actions/workflow-parser");
});

const FILE = path.resolve(__dirname, "../../.github/workflows/release.yml");
const PKG = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as { scripts: Record<string, string> };

async function load(content: string) {
  const parsed = parser.parseWorkflow({ name: "release.yml", content }, new parser.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  const template: WorkflowTemplate | undefined = parsed.value ? await parser.convertWorkflowTemplate(parsed.context, parsed.value) : undefined;
  return { errors: [...errors, ...(template?.errors ?? []).map((e) => e.Message)], template };
}

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Doc {
  on: {
    workflow_dispatch: { inputs: Record<string, { required?: boolean; type: string; options?: string[]; default?: string }> };
    repository_dispatch: { types: string[] };
  };
  permissions: Record<string, string>;
  jobs: Record<string, { permissions?: Record<string, string>; steps: Step[] }>;
}

describe("release.yml", () => {
  it("exists and is valid against GitHub's workflow schema", async () => {
    expect(fs.existsSync(FILE)).toBe(true);
    const { errors, template } = await load(fs.readFileSync(FILE, "utf8"));
    expect(errors).toEqual([]);
    expect(Object.keys(template!.events).sort()).toEqual(["repository_dispatch", "workflow_dispatch"]);
  });

  it("takes product, workload, image and stack (staging by default) by hand, and `release-image` dispatches", () => {
    const doc = parseYaml(fs.readFileSync(FILE, "utf8")) as Doc;
    const inputs = doc.on.workflow_dispatch.inputs;
    expect(Object.keys(inputs)).toEqual(["product", "workload", "image", "stack"]);
    for (const k of ["product", "workload", "image"]) expect(inputs[k].required).toBe(true);
    expect(inputs.stack).toMatchObject({ type: "choice", options: ["staging", "prod"], default: "staging" });
    expect(doc.on.repository_dispatch.types).toEqual(["release-image"]);
  });

  it("least privilege: nothing at the top, contents and pull-requests write only on the PR job, no cloud credentials", () => {
    const text = fs.readFileSync(FILE, "utf8");
    const doc = parseYaml(text) as Doc;
    expect(doc.permissions).toEqual({});
    expect(Object.keys(doc.jobs)).toEqual(["release"]);
    expect(doc.jobs.release.permissions).toEqual({ contents: "write", "pull-requests": "write" });
    expect(text).not.toMatch(/id-token|PULUMI_ACCESS_TOKEN|AWS_ROLE|pulumi\/actions|command: up/);
  });

  it("pins every action by commit SHA and passes the inputs only through env", () => {
    const doc = parseYaml(fs.readFileSync(FILE, "utf8")) as Doc;
    const steps = doc.jobs.release.steps;
    const uses = steps.filter((s) => s.uses).map((s) => s.uses!);
    expect(uses.length).toBeGreaterThanOrEqual(3);
    for (const u of uses) expect(u, u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    expect(uses.some((u) => u.startsWith("peter-evans/create-pull-request@"))).toBe(true);
    for (const s of steps.filter((x) => x.run)) expect(s.run, "no ${{ }} inside a run script").not.toMatch(/\$\{\{/);
    const validate = steps.find((s) => /npm run release-image/.test(s.run ?? ""))!;
    expect(validate.env).toMatchObject({
      PRODUCT: "${{ github.event.inputs.product || github.event.client_payload.product }}",
      IMAGE: "${{ github.event.inputs.image || github.event.client_payload.image }}",
    });
    expect(PKG.scripts["release-image"]).toBe("ts-node --swc scripts/release-image.ts");
  });

  it("opens or updates one PR per stack and workload, with only the stack files", () => {
    const doc = parseYaml(fs.readFileSync(FILE, "utf8")) as Doc;
    const pr = doc.jobs.release.steps.find((s) => s.uses?.startsWith("peter-evans/create-pull-request@"))!;
    expect(pr.with).toMatchObject({ branch: "${{ steps.release.outputs.branch }}", "add-paths": "Pulumi.*.yaml" });
    expect(pr.with!.token).toMatch(/secrets\.RELEASE_PR_TOKEN/);
  });
});
