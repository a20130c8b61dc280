/**
 * Regenerates docs/credentials.md (every credential's permissions, per resource type and lookup)
 * docs/aws-deployer-policy.json (a least-privilege policy for whoever runs `pulumi up`) and
 * docs/aws-readonly-policy.json (its reads, for the preview and drift roles) from
 * what the committed stacks register and look up, run offline like `npm run plan`.
 *
 *   npm run credentials-docs             # rewrite both files
 *   npm run credentials-docs -- --check  # exit 1 if either is out of date
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { credentialUsage, renderAwsDeployerPolicy, renderAwsReadOnlyPolicy, renderCredentialsMarkdown } from "../tools/credentials";
import { COMMITTED_STACKS, PROJECT_ROOT, requireOk, runCommittedStack } from "../tools/engine/stack-run";

export const CREDENTIALS_DOC = path.join(PROJECT_ROOT, "docs", "credentials.md");
export const AWS_POLICY_DOC = path.join(PROJECT_ROOT, "docs", "aws-deployer-policy.json");
export const AWS_READONLY_POLICY_DOC = path.join(PROJECT_ROOT, "docs", "aws-readonly-policy.json");

async function main(): Promise<void> {
  const runs = [];
  // One after the other, with time to spare: this is a maintenance command, not a test.
  for (const s of COMMITTED_STACKS) runs.push(requireOk(await runCommittedStack(s, { timeoutMs: 600_000 })));
  const usage = credentialUsage(runs);
  const files: [string, string][] = [
    [CREDENTIALS_DOC, renderCredentialsMarkdown(usage)],
    [AWS_POLICY_DOC, renderAwsDeployerPolicy(usage)],
    [AWS_READONLY_POLICY_DOC, renderAwsReadOnlyPolicy(usage)],
  ];
  const check = process.argv.includes("--check");
  let stale = false;
  for (const [file, text] of files) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (current === text) continue;
    if (check) {
      stale = true;
      console.error(`${path.relative(PROJECT_ROOT, file)} is out of date; run \`npm run credentials-docs\``);
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      console.log(`updated ${path.relative(PROJECT_ROOT, file)}`);
    }
  }
  if (stale) process.exit(1);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
