/**
 * S3 bucket names are global: every S3 bucket the stacks make ends in a unique part,
 * `s3BucketSuffix` or the AWS account id, and a suffix that would break S3's naming rules for any
 * enabled product fails config validation naming the key, before anything is registered.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, RawConfig, parseStackConfig } from "../infra/config";
import { allSecretKeys } from "../infra/secrets";
import { checkS3BucketNames } from "../infra/program";
import { readProject, readStackConfig } from "../tools/engine/harness/project";
import { PLACEHOLDER_AWS_ACCOUNT } from "../tools/engine/offline-stack";
import { committedStackRun } from "./helpers/stack-runs";

const ROOT = path.resolve(__dirname, "..");
const project = readProject(ROOT);
const SECRET_KEYS = new Set(allSecretKeys().map((s) => s.key));

function problemsOf(stack: "staging" | "prod", changes: Record<string, string>): string[] {
  const raw: RawConfig = { ...readStackConfig(project, stack).values };
  for (const [k, v] of Object.entries(changes)) (raw as Record<string, string>)[`app-platform:${k}`] = v;
  try {
    checkS3BucketNames(parseStackConfig(raw, stack, SECRET_KEYS));
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
}

describe("s3BucketSuffix", () => {
  it("the committed stacks (suffix unset: the 12-digit account id) and a short suffix pass", () => {
    expect(problemsOf("staging", {})).toEqual([]);
    expect(problemsOf("prod", {})).toEqual([]);
    expect(problemsOf("staging", { s3BucketSuffix: "acme-7f3k" })).toEqual([]);
  });

  it("a suffix that makes a bucket name longer than 63 characters names the key, the bucket and the fix", () => {
    const suffix = "a".repeat(37); // ask-dahlia-staging-backups- is 27 characters
    const problems = problemsOf("staging", { s3BucketSuffix: suffix });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toContain("`app-platform:s3BucketSuffix`");
    expect(problems[0]).toContain(`"ask-dahlia-staging-backups-${suffix}" of ask-dahlia invalid: it has 64 characters; use 3-63`);
    expect(problems[0]).toContain("Fix: `pulumi config set --stack staging s3BucketSuffix");
    // Only the products with S3 backups are checked (ARA backs up to R2).
    expect(problems.join("\n")).not.toContain("ara-");
  });

  it.each(["staging", "prod"] as const)("%s: every S3 bucket carries the account id from aws.getCallerIdentity", async (stack) => {
    const run = await committedStackRun(stack);
    const names = run.resources.filter((r) => r.type === "aws:s3/bucket:Bucket").map((r) => r.inputs.bucket as string);
    expect(names.length).toBeGreaterThan(0);
    // Backups, and the log buckets (productLogs): `-audit-logs`, `-logs-<class>`.
    for (const n of names) expect(n).toMatch(new RegExp(`^[a-z-]+-${stack}-(backups|audit-logs|logs-[a-z]+)-${PLACEHOLDER_AWS_ACCOUNT}$`));
    expect(run.invokes.some((i) => i.token === "aws:index/getCallerIdentity:getCallerIdentity" && i.answered)).toBe(true);
    // R2 names are per account and stay as they are.
    const r2 = run.resources.filter((r) => r.type === "cloudflare:index/r2Bucket:R2Bucket").map((r) => r.inputs.name as string);
    expect(r2).toContain(`ara-${stack}-backups`);
  });
});
