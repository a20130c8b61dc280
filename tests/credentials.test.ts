/**
 * The credentials table: docs/credentials.md and docs/aws-deployer-policy.json are
 * generated from what the staging and prod plans register and look up, and stay in sync; a
 * resource type or lookup the table does not cover fails here, naming it.
 */
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../tools/engine/harness";
import {
  awsDeployerPolicy,
  bucketPattern,
  credentialUsage,
  renderAwsDeployerPolicy,
  renderCredentialsMarkdown,
  requireCovered,
  uncovered,
  KMS_AFTER_CREATE,
} from "../tools/credentials";
import { AWS_POLICY_DOC, CREDENTIALS_DOC } from "../scripts/credentials-docs";
import { COMMITTED_STACKS } from "../tools/engine/stack-run";
import { committedStackRun } from "./helpers/stack-runs";

async function usage() {
  return credentialUsage(await Promise.all(COMMITTED_STACKS.map((s) => committedStackRun(s))));
}

describe("the credentials table", () => {
  it("covers every resource type and lookup the stacks use", async () => {
    const u = await usage();
    expect(u.types.length).toBeGreaterThan(20);
    expect(u.invokes).toContain("cloudflare:index/getZone:getZone");
    expect(uncovered(u)).toEqual([]);
  });

  it("docs/credentials.md and docs/aws-deployer-policy.json are generated from the plans (npm run credentials-docs)", async () => {
    const u = await usage();
    expect(fs.readFileSync(CREDENTIALS_DOC, "utf8")).toBe(renderCredentialsMarkdown(u));
    expect(fs.readFileSync(AWS_POLICY_DOC, "utf8")).toBe(renderAwsDeployerPolicy(u));
  });

  it("the Cloudflare token needs zone read for the zone lookup and API Tokens edit for the backup jobs' tokens", async () => {
    const doc = renderCredentialsMarkdown(await usage());
    const cloudflare = doc.slice(doc.indexOf("## Cloudflare"), doc.indexOf("## Vercel"));
    for (const p of ["Zone → Zone → Read", "User → API Tokens → Edit", "Zone → DNS → Edit", "Account → Workers R2 Storage → Edit"]) {
      expect(cloudflare).toContain(`- ${p}`);
    }
    expect(cloudflare).toMatch(/lookup `cloudflare:index\/getZone:getZone` \| Zone → Zone → Read/);
    expect(cloudflare).toMatch(/resource `cloudflare:index\/apiToken:ApiToken` \| User → API Tokens → Edit/);
  });

  it("the AWS deployer policy grants the actions of the AWS types, on the backup buckets by name pattern", async () => {
    const u = await usage();
    const policy = awsDeployerPolicy(u) as { Statement: { Sid: string; Action: string[]; Resource: string | string[] }[] };
    const s3 = policy.Statement.find((s) => s.Sid === "BackupBuckets")!;
    expect(s3.Action).toContain("s3:CreateBucket");
    expect(s3.Action).toContain("s3:PutBucketObjectLockConfiguration");
    expect(s3.Action).not.toContain("s3:*");
    expect(s3.Resource).toContain("arn:aws:s3:::codebook-prod-backups-*");
    expect(s3.Resource).toContain("arn:aws:s3:::codebook-staging-backups-*");
    // Backup buckets and the log buckets (productLogs), both built by BackupBucket.
    expect(s3.Resource).toContain("arn:aws:s3:::codebook-prod-audit-logs-*");
    expect((s3.Resource as string[]).every((r) => /^arn:aws:s3:::[a-z-]+-(staging|prod)-(backups|audit-logs|logs-[a-z]+)-\*$/.test(r))).toBe(true);
    const iam = policy.Statement.find((s) => s.Sid === "BackupJobUsers")!;
    expect(iam.Resource).toEqual([
      "arn:aws:iam::*:user/app-platform/backup/*",
      "arn:aws:iam::*:user/app-platform/logs/*",
      "arn:aws:iam::*:user/app-platform/restore-verification/*",
    ]);
    expect(JSON.stringify(policy)).not.toMatch(/"Action":\s*"\*"|"[a-z0-9]+:\*"/);
    expect(bucketPattern("codebook-prod-backups-123456789012")).toBe("codebook-prod-backups-*");
  });
});

describe("the Vercel plan the stacks need (issue 19 item 15)", () => {
  it("docs/credentials.md and README 'Before the first pulumi up' say the Firewall rate limits and several function regions need Pro or Enterprise", async () => {
    const doc = renderCredentialsMarkdown(await usage());
    expect(doc).toMatch(/resource `vercel:index\/firewallConfig:FirewallConfig` \| [^|]+ \| [^|]*Pro or Enterprise plan/);
    expect(doc).toMatch(/resource `vercel:index\/project:Project` \| [^|]+ \| [^|]*function region needs a Pro or Enterprise plan/);
    const readme = fs.readFileSync(`${__dirname}/../README.md`, "utf8");
    const before = readme.slice(readme.indexOf("## Before the first `pulumi up`"));
    const section = before.slice(0, before.indexOf("\n## ", 5));
    expect(section).toMatch(/Vercel plan:[\s\S]*function regions[\s\S]*Firewall[\s\S]*Pro or Enterprise/);
  });
});

describe("the AWS deployer policy allows what the stacks create (as IAM would evaluate its resources)", () => {
  /** IAM's ARN matching: `*` any run of characters, `?` one. */
  const arnMatches = (pattern: string, arn: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    ).test(arn);
  const allows = (policy: any, action: string, arn: string) =>
    policy.Statement.some((s: any) => !s.Condition && s.Action.includes(action) && [s.Resource].flat().some((r: string) => arnMatches(r, arn)));

  it("every IAM user either stack registers can be created, with its path", async () => {
    const runs = await Promise.all(COMMITTED_STACKS.map((s) => committedStackRun(s)));
    const policy = awsDeployerPolicy(credentialUsage(runs));
    const users = runs.flatMap((r) => r.resources.filter((x) => x.type === "aws:iam/user:User"));
    expect(users.length).toBeGreaterThan(3);
    for (const u of users) {
      const arn = `arn:aws:iam::123456789012:user${u.inputs.path ?? "/"}${u.inputs.name}`;
      for (const a of ["iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey"]) expect(allows(policy, a, arn), `${a} on ${arn}`).toBe(true);
    }
    // The check can fail: the old policy (backup writers' path only) refuses the restore readers.
    const old = { Statement: [{ Action: ["iam:CreateUser"], Resource: "arn:aws:iam::*:user/app-platform/backup/*" }] };
    expect(users.some((u) => !allows(old, "iam:CreateUser", `arn:aws:iam::123456789012:user${u.inputs.path}${u.inputs.name}`))).toBe(true);
  });

  it("what the provider calls right after CreateKey is not tag-conditioned (tags take up to 5 minutes to count); what weakens a key is", async () => {
    const policy = awsDeployerPolicy(await usage()) as any;
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    for (const a of KMS_AFTER_CREATE) expect(allows(policy, a, key), a).toBe(true);
    for (const a of ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKeyRotation"]) {
      expect(allows(policy, a, key), `${a} without the tag condition`).toBe(false);
      const s = policy.Statement.find((x: any) => x.Action.includes(a));
      expect(s.Condition).toEqual({ StringEquals: { "aws:ResourceTag/app-platform/backup": "true" } });
    }
  });

  it("the S3 tagging calls of AWS provider 6.23+ (S3 Control TagResource, UntagResource, ListTagsForResource) are allowed on every backup bucket", async () => {
    // hashicorp/terraform-provider-aws#45251: aws_s3_bucket reads its tags with S3 Control's
    // ListTagsForResource on create and refresh, and writes them with TagResource/UntagResource;
    // their IAM resource type is the bucket (arn:aws:s3:::<bucket>).
    const runs = await Promise.all(COMMITTED_STACKS.map((s) => committedStackRun(s)));
    const policy = awsDeployerPolicy(credentialUsage(runs));
    const buckets = runs.flatMap((r) => r.resources.filter((x) => x.type === "aws:s3/bucket:Bucket").map((x) => String(x.inputs.bucket)));
    expect(buckets.length).toBeGreaterThan(3);
    for (const b of buckets) {
      for (const a of ["s3:TagResource", "s3:UntagResource", "s3:ListTagsForResource"])
        expect(allows(policy, a, `arn:aws:s3:::${b}`), `${a} on ${b}`).toBe(true);
    }
  });
});

/**
 * The informers pulumi-kubernetes' awaiters subscribe to, per kind, recorded by hand from the
 * provider's source (pulumi/pulumi-kubernetes@94977969, provider/pkg/await): each
 * `factory.Subscribe(<group/version>.WithResource("<resource>"))` of deployment.go, service.go and
 * ingress.go, plus core/v1 Events, which await.go observes for every kind (watchers.go
 * `NewEventAggregator`). informers/factory.go waits for each informer's cache to sync with no
 * timeout: a forbidden list/watch hangs the update rather than failing it. "group/resource", core
 * group empty.
 */
const PROVIDER_SUBSCRIPTIONS: Record<string, string[]> = {
  Deployment: ["apps/deployments", "apps/replicasets", "/pods", "/persistentvolumeclaims", "/events"],
  Service: ["/services", "/endpoints", "/events"],
  Ingress: ["networking.k8s.io/ingresses", "/endpoints", "/services", "/events"],
  Secret: ["/secrets", "/events"],
};

/** docs/credentials.md's Kubernetes "Permissions:" bullets as RBAC rules: `<group> <resource>: <verbs>`. */
function rbacRulesOf(doc: string): { group: string; resource: string; verbs: string[] }[] {
  const k8s = doc.slice(doc.indexOf("## Kubernetes"));
  const list = k8s.slice(k8s.indexOf("Permissions:"), k8s.indexOf("| needed by"));
  return [...list.matchAll(/^- (\S+)(?: \(core\))? ([a-z]+): ([a-z, ]+)$/gm)].map((m) => ({
    group: m[1] === '""' ? "" : m[1],
    resource: m[2],
    verbs: m[3].split(", "),
  }));
}

describe("the Kubernetes user may list and watch what pulumi-kubernetes' await logic subscribes to", () => {
  it("a role built from docs/credentials.md lets every await of the stacks' kinds sync its informers (PVCs for Deployments, Events for all)", async () => {
    const u = await usage();
    const rules = rbacRulesOf(renderCredentialsMarkdown(u));
    expect(rules.length).toBeGreaterThan(10);
    const can = (gr: string, verb: string) => {
      const [group, resource] = gr.split("/");
      return rules.some((r) => r.group === group && r.resource === resource && r.verbs.includes(verb));
    };
    const kinds = u.types.filter((t) => t.startsWith("kubernetes:")).map((t) => t.split(":").pop()!);
    for (const kind of ["Deployment", "Service", "Ingress", "Secret"]) expect(kinds).toContain(kind);
    const missing = kinds.flatMap((kind) =>
      (PROVIDER_SUBSCRIPTIONS[kind] ?? []).flatMap((gr) => ["get", "list", "watch"].filter((v) => !can(gr, v)).map((v) => `${kind}: ${v} ${gr}`)),
    );
    expect(missing).toEqual([]);
    // The rules are in the doc's per-type table too, on the Deployment row.
    const doc = fs.readFileSync(CREDENTIALS_DOC, "utf8");
    expect(doc).toMatch(/resource `kubernetes:apps\/v1:Deployment` \| [^|]*"" \(core\) persistentvolumeclaims: get, list, watch/);
    expect(doc).toMatch(/resource `kubernetes:core\/v1:Secret` \| .* \| the products' namespaces, `monitoringNamespace` and `logging` \(the log agent\) \|/);
  });

  it("the check can fail: the rules of the previous doc (no PVCs, no Events) leave the Deployment await hanging", () => {
    const old = rbacRulesOf(
      [
        "## Kubernetes",
        "Permissions:",
        "",
        "- apps deployments: get, list, watch, create, update, patch, delete",
        "- apps replicasets: get, list, watch",
        '- "" (core) pods: get, list, watch',
        "",
        "| needed by |",
      ].join("\n"),
    );
    expect(old.map((r) => `${r.group}/${r.resource}`)).toEqual(["apps/deployments", "apps/replicasets", "/pods"]);
    const missing = PROVIDER_SUBSCRIPTIONS.Deployment.filter((gr) => !old.some((r) => `${r.group}/${r.resource}` === gr));
    expect(missing).toEqual(["/persistentvolumeclaims", "/events"]);
  });
});

describe("the gate fails when it should", () => {
  const fake = (types: string[], invokes: string[]): Pick<RunResult, "resources" | "invokes"> =>
    ({
      resources: types.map((type) => ({ type, custom: true, inputs: {} })),
      invokes: invokes.map((token) => ({ kind: "invoke", token, args: {}, answered: true })),
    }) as unknown as Pick<RunResult, "resources" | "invokes">;

  it("a resource type or lookup without an entry is reported and stops the generation", () => {
    const u = credentialUsage([
      fake(["cloudflare:index/r2ManagedDomain:R2ManagedDomain", "cloudflare:index/dnsRecord:DnsRecord"], ["vercel:index/getEdgeConfig:getEdgeConfig"]),
    ]);
    expect(uncovered(u)).toEqual(["resource cloudflare:index/r2ManagedDomain:R2ManagedDomain", "lookup vercel:index/getEdgeConfig:getEdgeConfig"]);
    expect(() => requireCovered(u)).toThrow(/resource cloudflare:index\/r2ManagedDomain:R2ManagedDomain[\s\S]*RESOURCE_GRANTS or INVOKE_GRANTS/);
    expect(() => renderCredentialsMarkdown(u)).toThrow(/does not cover/);
  });

  it("Kubernetes types are covered by their own token (RBAC group and plural), providers are not resources", () => {
    const u = credentialUsage([
      fake(["kubernetes:monitoring.coreos.com/v1:Probe", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pulumi:providers:aws"], []),
    ]);
    expect(uncovered(u)).toEqual([]);
    const doc = renderCredentialsMarkdown(u);
    expect(doc).toContain("- monitoring.coreos.com probes: get, list, watch, create, update, patch, delete");
    expect(doc).toContain("- networking.k8s.io networkpolicies:");
    expect(doc).not.toContain("pulumi:providers");
  });
});
