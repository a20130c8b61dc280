/**
 * Staging looks its Vercel projects up by name; before prod has created one (a fresh account, a new
 * web app) the lookup finds nothing. Then staging skips that app — no variable or domain with an
 * empty project id — with a warning, and reports it as pending. Any other lookup
 * failure still fails the run.
 */
import { beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installRecordingMocks, valueOf } from "../helpers/mocks";

const GET_PROJECT = "vercel:index/getProject:getProject";
/** Projects that exist in the mocked account; the lookup of any other fails like Vercel's 404. */
const existing = new Set<string>();
/** An invoke failure as the engine returns it: a gRPC status whose `details` is the message. */
const grpcError = (message: string) => Object.assign(new Error(message), { details: message });
let otherFailure: string | undefined;
const rec = installRecordingMocks({
  stack: "staging",
  invokes: {
    [GET_PROJECT]: (args) => {
      if (otherFailure) throw grpcError(otherFailure);
      if (!existing.has(args.name)) {
        throw grpcError(`Could not read project  ${args.name}, unexpected error: not_found - Project not found`);
      }
      return { id: `prj_${args.name}`, name: args.name };
    },
  },
});

import { PlatformContext } from "../../components/context";
import { VercelApp, VercelAppArgs, isVercelProjectNotFound } from "../../components/web/vercel-app";

const staging: PlatformContext = { environment: "staging", product: "voyager", owner: "platform-team" };
const voyager = (): VercelAppArgs => ({
  context: staging,
  project: { name: "careersy-wingman", framework: "nextjs" },
  previewBranch: "develop",
  env: { NEXTAUTH_URL: "https://wingman-staging.example.com" },
  secretEnv: { NEXTAUTH_SECRET: pulumi.secret("nextauth-value") },
  domains: [{ domain: "wingman-staging.example.com" }],
});

const warnings: string[] = [];
const warn = pulumi.log.warn;
(pulumi.log as { warn: typeof pulumi.log.warn }).warn = (msg: string, res?: pulumi.Resource) => {
  warnings.push(msg);
  return warn(msg, res);
};

beforeEach(() => {
  rec.reset();
  existing.clear();
  otherFailure = undefined;
  warnings.length = 0;
});

describe("VercelApp on staging before prod created the project", () => {
  it("registers no variable or domain, warns, and reports the project pending", async () => {
    const app = new VercelApp("voyager-web", voyager());
    await rec.settle();
    expect(rec.resources.filter((r) => r.type.startsWith("vercel:")).map((r) => r.type)).toEqual([]);
    expect(await valueOf(app.projectPending)).toBe(true);
    expect(await valueOf(app.projectId)).toBe("");
    expect(warnings).toEqual([
      'Vercel project "careersy-wingman" does not exist yet; the prod stack creates it. This staging run sets none of its variables or domains; the next run after prod adds them (deploy.yml runs staging again).',
    ]);
  });

  it("once the project exists, the same args register the variables and domain on it", async () => {
    existing.add("careersy-wingman");
    const app = new VercelApp("voyager-web", voyager());
    await rec.settle();
    expect(await valueOf(app.projectPending)).toBe(false);
    const children = rec.resources.filter((r) => r.type.startsWith("vercel:"));
    expect(children.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "vercel:index/projectDomain:ProjectDomain voyager-web-domain-wingman-staging-example-com",
      "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable voyager-web-env-nextauth-secret",
      "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable voyager-web-env-nextauth-url",
      // Previews stay behind a Vercel login here, so the probes get their bypass too.
      "vercel:index/projectProtectionBypass:ProjectProtectionBypass voyager-web-probe-bypass",
    ]);
    for (const c of children) expect(c.inputs.projectId).toBe("prj_careersy-wingman");
    expect(warnings).toEqual([]);
  });

  it("any other lookup failure (token, team) still fails: the project id rejects", async () => {
    otherFailure = "Could not read project  careersy-wingman, unexpected error: forbidden - Not authorized";
    const errors: unknown[] = [];
    const onRejection = (e: unknown) => errors.push(e);
    process.on("unhandledRejection", onRejection);
    try {
      const app = new VercelApp("voyager-web", voyager());
      const outcome = await new Promise<string>((resolve) => {
        (app.projectPending as any).promise().then(
          () => resolve("resolved"),
          (e: Error) => resolve(`rejected: ${e.message}`),
        );
      });
      await rec.settle();
      expect(outcome).toMatch(/rejected: .*forbidden - Not authorized/);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
    expect(warnings).toEqual([]);
  });

  it("recognises Vercel's not-found error and nothing else", () => {
    expect(
      isVercelProjectNotFound(
        new Error("Invoke of vercel:index/getProject:getProject failed: Could not read project team_1 ara, unexpected error: not_found - Project not found"),
      ),
    ).toBe(true);
    expect(isVercelProjectNotFound(new Error("unexpected error: forbidden - Not authorized"))).toBe(false);
    expect(isVercelProjectNotFound(new Error("error doing http request: dial tcp: i/o timeout"))).toBe(false);
  });
});
