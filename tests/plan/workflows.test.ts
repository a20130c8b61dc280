/**
 * Every workflow in .github/workflows parses against GitHub's own workflow schema
 * (@actions/workflow-parser, the parser of GitHub's Actions language services), and the
 * workflows do what the plan issue asks: forks get the offline plan with no secrets and a
 * comment edited in place, same-repo PRs a real preview with the policy pack, main deploys
 * staging then prod behind an environment, and drift is checked on a schedule.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { WorkflowTemplate } from "@actions/workflow-parser";
import { CI_ROLES, isReadOnlyAction } from "../../tools/credentials";

type Parser = typeof import("@actions/workflow-parser");
let parser: Parser;

beforeAll(async () => {
  // Loaded through vitest's transform (server.deps.inline in vitest.config.mts): the package
  // imports its schema JSON without the import attribute Node's own loader requires.
  parser = await import("@actions/workflow-parser");
});

const DIR = path.resolve(__dirname, "../../.github/workflows");
const files = fs
  .readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

async function load(name: string, content = fs.readFileSync(path.join(DIR, name), "utf8")) {
  const parsed = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  const template: WorkflowTemplate | undefined = parsed.value ? await parser.convertWorkflowTemplate(parsed.context, parsed.value) : undefined;
  return { errors: [...errors, ...(template?.errors ?? []).map((e) => e.Message)], template, content };
}

function jobIds(t: WorkflowTemplate | undefined): string[] {
  return (t?.jobs ?? []).map((j) => j.id.value);
}

describe("workflow files", () => {
  it("exist", () => {
    expect(files).toEqual(["deploy.yml", "drift.yml", "plan-comment.yml", "plan.yml", "preview.yml", "release.yml"]);
  });

  it.each(files)("%s is valid against GitHub's workflow schema", async (file) => {
    const { errors, template } = await load(file);
    expect(errors).toEqual([]);
    expect(template?.jobs.length).toBeGreaterThan(0);
  });

  it("the validator rejects an invalid workflow (so the check above can fail)", async () => {
    const bad = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n        unknown-key: 1\n";
    const { errors } = await load("bad.yml", bad);
    expect(errors.join("\n")).toMatch(/unknown-key/);
    const noJobs = await load("empty.yml", "on: push\n");
    expect(noJobs.errors.length).toBeGreaterThan(0);
  });
});

describe("one AWS role per purpose (GitHub OIDC subjects differ; a PR branch's code must not get a deploy role)", () => {
  /** Each job's `role-to-assume` values (configure-aws-credentials steps). */
  function rolesByJob(content: string): Record<string, string[]> {
    const doc = parseYaml(content) as { jobs: Record<string, { steps?: { uses?: string; with?: Record<string, string> }[] }> };
    return Object.fromEntries(
      Object.entries(doc.jobs).map(([id, job]) => [
        id,
        (job.steps ?? []).filter((st) => st.uses?.startsWith("aws-actions/configure-aws-credentials")).map((st) => st.with?.["role-to-assume"] ?? ""),
      ]),
    );
  }

  it("every job that assumes an AWS role uses its purpose's role variable, and every CI role is used by its jobs", async () => {
    const seen = new Set<string>();
    for (const f of files) {
      const { content, errors } = await load(f);
      expect(errors, f).toEqual([]);
      for (const [job, roles] of Object.entries(rolesByJob(content))) {
        if (roles.length === 0) continue;
        const role = CI_ROLES.find((r) => r.jobs[f]?.includes(job));
        expect(role, `${f} ${job} assumes an AWS role but no CI_ROLES entry names it`).toBeDefined();
        expect(roles, `${f} ${job}`).toEqual(roles.map(() => `\${{ vars.${role!.variable} }}`));
        seen.add(`${f}:${job}`);
        // The subject the trust policy requires matches how the job runs.
        const environment = (parseYaml(content) as { jobs: Record<string, { environment?: string | { name: string } }> }).jobs[job].environment;
        const env = typeof environment === "object" ? environment.name : environment;
        if (role!.subject.includes(":environment:")) expect(env, `${f} ${job} runs in its environment`).toBe(role!.subject.split(":environment:")[1]);
        else expect(env, `${f} ${job} has no environment (its sub would be environment:…)`).toBeUndefined();
      }
    }
    expect([...seen].sort()).toEqual(CI_ROLES.flatMap((r) => Object.entries(r.jobs).flatMap(([f, jobs]) => jobs.map((j) => `${f}:${j}`))).sort());
    expect(new Set(CI_ROLES.map((r) => r.variable)).size).toBe(CI_ROLES.length);
  });

  it("the preview role (pull_request subject) and the drift role get the read-only policy: no action that creates, changes or deletes", () => {
    const preview = CI_ROLES.find((r) => r.purpose === "preview")!;
    expect(preview.subject).toBe("repo:<org>/<repo>:pull_request");
    expect(preview.policy).toBe("aws-readonly-policy.json");
    expect(CI_ROLES.find((r) => r.purpose === "drift")!.policy).toBe("aws-readonly-policy.json");
    const policy = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../docs/aws-readonly-policy.json"), "utf8")) as { Statement: { Action: string[] }[] };
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions).toContain("s3:GetBucketPolicy");
    expect(actions).toContain("iam:GetUser");
    expect(actions.filter((a) => !isReadOnlyAction(a))).toEqual([]);
    // The check can fail: the deployer policy has writes.
    const deployer = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../docs/aws-deployer-policy.json"), "utf8")) as {
      Statement: { Action: string[] }[];
    };
    expect(deployer.Statement.flatMap((s) => s.Action).filter((a) => !isReadOnlyAction(a))).toContain("s3:DeleteBucket");
    // The deploy roles are bound to their environments: prod's role only to jobs of environment prod.
    expect(CI_ROLES.find((r) => r.purpose === "deploy-prod")!.subject).toBe("repo:<org>/<repo>:environment:prod");
  });
});

describe("what the workflows do", () => {
  it("plan.yml: every PR, forks included, read-only, no secrets, plans both stacks against the base and uploads the comment", async () => {
    const { template, content } = await load("plan.yml");
    expect(Object.keys(template!.events)).toEqual(["pull_request"]);
    expect(content).not.toMatch(/secrets\./);
    expect(content).toMatch(/permissions:\n {2}contents: read\n/);
    expect(content).toMatch(/npm ci/);
    expect(content).toMatch(/npm test/);
    expect(content).toMatch(/npm run plan -- --stack staging --stack prod --diff "\$BASE_SHA" --markdown plan\/comment\.md/);
    expect(content).toMatch(/fetch-depth: 0/);
    expect(content).toMatch(/actions\/upload-artifact@v4/);
  });

  it("plan-comment.yml: posts from the base repo, edits its own comment in place, skips when unchanged, checks the PR head", async () => {
    const { template, content } = await load("plan-comment.yml");
    expect(Object.keys(template!.events)).toEqual(["workflow_run"]);
    expect(content).toMatch(/workflows: \[Plan\]/);
    expect(content).toMatch(/pull-requests: write/);
    expect(content).not.toMatch(/actions\/checkout/); // never runs the PR's code
    expect(content).toMatch(/updateComment/);
    expect(content).toMatch(/<!-- app-platform-plan -->/);
    expect(content).toMatch(/mine\.body === body/);
    expect(content).toMatch(/!changed/);
    expect(content).toMatch(/pull\.head\.sha !== process\.env\.RUN_HEAD_SHA/);
  });

  it("preview.yml: same-repo PRs only, pulumi/actions preview with the policy pack and a PR comment", async () => {
    const { template, content } = await load("preview.yml");
    expect(Object.keys(template!.events)).toEqual(["pull_request"]);
    expect(content).toMatch(/github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
    expect(content).toMatch(/uses: pulumi\/actions@v6/);
    expect(content).toMatch(/command: preview/);
    expect(content).toMatch(/policyPacks: policies/);
    expect(content).toMatch(/comment-on-pr: true/);
  });

  it("deploy.yml: push to main, up on staging, then prod behind the prod environment, then staging again if it skipped projects", async () => {
    const { template, content } = await load("deploy.yml");
    expect(Object.keys(template!.events)).toContain("push");
    expect(jobIds(template)).toEqual(["staging", "prod", "staging-after-prod"]);
    const prod = template!.jobs.find((j) => j.id.value === "prod")!;
    expect(prod.needs?.map((n) => n.value)).toEqual(["staging"]);
    expect(content).toMatch(/environment: prod/);
    expect(content.match(/command: up/g)).toHaveLength(3);
    expect(content.match(/policyPacks: policies/g)).toHaveLength(3);
  });

  it("every job that runs the program (preview, up, the plan) type-checks first: the runner no longer does (tsconfig.pulumi.json)", () => {
    const runsProgram = (step: Record<string, any>) =>
      (String(step.uses ?? "").startsWith("pulumi/actions@") && ["preview", "up"].includes(step.with?.command)) ||
      /\bpulumi (preview|up)\b|npm run plan\b/.test(String(step.run ?? ""));
    const typeChecks = (step: Record<string, any>) => /^npm (run typecheck|test)\b/.test(String(step.run ?? ""));
    const checked: string[] = [];
    for (const file of files) {
      const doc = parseYaml(fs.readFileSync(path.join(DIR, file), "utf8")) as { jobs: Record<string, { steps?: Record<string, any>[] }> };
      for (const [id, job] of Object.entries(doc.jobs)) {
        const steps = job.steps ?? [];
        const first = steps.findIndex(runsProgram);
        if (first < 0) continue;
        checked.push(`${file}:${id}`);
        expect(steps.slice(0, first).some(typeChecks), `${file} job ${id} runs the program before any type check`).toBe(true);
      }
    }
    // The jobs that run the program; the check above must have seen each.
    expect(checked.sort()).toEqual(["deploy.yml:prod", "deploy.yml:staging", "deploy.yml:staging-after-prod", "plan.yml:plan", "preview.yml:preview"]);
  });

  it("drift.yml: scheduled refresh in preview-only mode that expects no changes, on both stacks", async () => {
    const { template, content } = await load("drift.yml");
    expect(Object.keys(template!.events).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(content).toMatch(/pulumi refresh --stack "\$STACK" --preview-only --expect-no-changes/);
    expect(content).toMatch(/stack: \[staging, prod\]/);
  });
});
