/**
 * What each credential of the stacks must be allowed to do, generated from what the program
 * registers and looks up. The plan (tools/engine/offline-stack.ts) records every resource type
 * and every invoke; each has an entry here with the provider's own permission names (Cloudflare
 * token permission groups, AWS IAM actions, Vercel team roles); Kubernetes RBAC rules are derived
 * from the type token itself. A type or lookup without an entry is "uncovered" and fails the test
 * that keeps docs/credentials.md and docs/aws-deployer-policy.json in sync
 * (`npm run credentials-docs` regenerates them).
 *
 * Sources: Cloudflare "API token permissions" and "API token templates" (developers.cloudflare.com
 * /fundamentals/api/reference/); AWS Service Authorization Reference (S3, KMS, IAM) and the AWS
 * provider's API calls per resource (create, read on refresh, update, delete); Vercel "Access Roles".
 */
import type { RunResult } from "./engine/harness";

export type CredentialProvider = "aws" | "cloudflare" | "vercel" | "kubernetes" | "none";

/** What one resource type or lookup needs from its provider's credential. */
export interface Grant {
  readonly provider: CredentialProvider;
  /** The provider's permission names: Cloudflare permission groups, IAM actions, a Vercel role. */
  readonly permissions: readonly string[];
  /** What the permissions must cover, e.g. "the stack's zone". */
  readonly scope: string;
}

/** The credential each provider's grants belong to (stack config key or ambient source). */
export const CREDENTIALS: Readonly<Record<Exclude<CredentialProvider, "none">, string>> = {
  cloudflare: "`cloudflareApiToken` (a Cloudflare user API token)",
  vercel: "`vercelApiToken` (a Vercel access token)",
  aws: "the deployer's AWS credentials (`AWS_PROFILE`, environment, or the CI roles below)",
  kubernetes: "`kubeconfig` (or the ambient kubeconfig) and its context's user",
};

/** Cloudflare permission groups: dashboard path, and the API's permission group name. */
const CF = {
  dnsEdit: "Zone → DNS → Edit (`DNS Write`)",
  zoneRead: "Zone → Zone → Read (`Zone Read`)",
  r2Edit: "Account → Workers R2 Storage → Edit (`Workers R2 Storage Write`)",
  tokensEdit: "User → API Tokens → Edit (`API Tokens Write`)",
};

/** AWS IAM actions the AWS provider calls for each resource (create, refresh, update, delete). */
const S3_BUCKET_READ = [
  "s3:ListBucket",
  "s3:GetBucketLocation",
  "s3:GetBucketTagging",
  "s3:GetBucketAcl",
  "s3:GetBucketCORS",
  "s3:GetBucketWebsite",
  "s3:GetBucketVersioning",
  "s3:GetAccelerateConfiguration",
  "s3:GetBucketRequestPayment",
  "s3:GetBucketLogging",
  "s3:GetLifecycleConfiguration",
  "s3:GetReplicationConfiguration",
  "s3:GetEncryptionConfiguration",
  "s3:GetBucketObjectLockConfiguration",
  "s3:GetBucketPolicy",
  "s3:GetBucketOwnershipControls",
  "s3:GetBucketPublicAccessBlock",
];
const KMS_KEY_MANAGE = [
  "kms:DescribeKey",
  "kms:GetKeyPolicy",
  "kms:PutKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:ListResourceTags",
  "kms:UntagResource",
  "kms:UpdateKeyDescription",
  "kms:ScheduleKeyDeletion",
];

/** Every resource type the stacks may register, by type token. */
export const RESOURCE_GRANTS: Readonly<Record<string, Grant>> = {
  "cloudflare:index/dnsRecord:DnsRecord": { provider: "cloudflare", permissions: [CF.dnsEdit], scope: "the stack's zone (`domain`)" },
  "cloudflare:index/r2Bucket:R2Bucket": { provider: "cloudflare", permissions: [CF.r2Edit], scope: "the account `cloudflareAccountId`" },
  "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle": { provider: "cloudflare", permissions: [CF.r2Edit], scope: "the account `cloudflareAccountId`" },
  "cloudflare:index/r2BucketLock:R2BucketLock": { provider: "cloudflare", permissions: [CF.r2Edit], scope: "the account `cloudflareAccountId`" },
  "cloudflare:index/apiToken:ApiToken": {
    provider: "cloudflare",
    permissions: [CF.tokensEdit],
    scope: "the token's own user (one child token per R2 backup job, bucket-scoped)",
  },
  "vercel:index/project:Project": {
    provider: "vercel",
    permissions: ["team role Member or Owner"],
    // Vercel: Hobby functions run in one region; seed 004 puts ARA's in iad1 and sfo1.
    scope: "the team `vercelTeam` (prod: more than one function region needs a Pro or Enterprise plan)",
  },
  "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable": {
    provider: "vercel",
    permissions: ["team role Member or Owner"],
    scope: "the team `vercelTeam` (the Developer role cannot change Production variables)",
  },
  "vercel:index/deployment:Deployment": {
    provider: "vercel",
    permissions: ["team role Member or Owner"],
    scope: "the team `vercelTeam` (redeploys after a variable changes; Developers cannot deploy to Production)",
  },
  "vercel:index/projectDomain:ProjectDomain": { provider: "vercel", permissions: ["team role Member or Owner"], scope: "the team `vercelTeam`" },
  "vercel:index/firewallConfig:FirewallConfig": {
    provider: "vercel",
    permissions: ["team role Member or Owner (Vercel WAF custom rules)"],
    scope: "the team `vercelTeam` on a Pro or Enterprise plan (prod: the rate limits of seeds 003 and 004)",
  },
  "vercel:index/projectRoute:ProjectRoute": {
    provider: "vercel",
    permissions: ["team role Member or Owner (project routing rules)"],
    scope: "the team `vercelTeam` (prod: the security headers of seeds 003 and 004)",
  },
  "vercel:index/projectProtectionBypass:ProjectProtectionBypass": {
    provider: "vercel",
    permissions: ["team role Member or Owner (Deployment Protection settings)"],
    scope: "the team `vercelTeam` (staging: the health probes' automation bypass)",
  },
  "vercel:index/logDrain:LogDrain": {
    provider: "vercel",
    permissions: ["team role Member or Owner (Log Drains)"],
    scope: "the team `vercelTeam` on a Pro or Enterprise plan (configurable Log Drains; the Vercel apps' logs)",
  },
  "aws:kms/key:Key": { provider: "aws", permissions: ["kms:CreateKey", "kms:TagResource", ...KMS_KEY_MANAGE], scope: "backup bucket keys" },
  "aws:kms/alias:Alias": {
    provider: "aws",
    permissions: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"],
    scope: "backup bucket key aliases and their keys",
  },
  "aws:s3/bucket:Bucket": {
    provider: "aws",
    // Creating with object lock enabled also puts versioning and the lock configuration.
    permissions: [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutBucketObjectLockConfiguration",
      // AWS provider 6.23+ reads and writes bucket tags through S3 Control's tagging API on every
      // create and refresh (hashicorp/terraform-provider-aws#45251): without these, denied calls.
      "s3:TagResource",
      "s3:UntagResource",
      "s3:ListTagsForResource",
      ...S3_BUCKET_READ,
    ],
    scope: "backup buckets",
  },
  "aws:s3/bucketVersioning:BucketVersioning": { provider: "aws", permissions: ["s3:PutBucketVersioning", "s3:GetBucketVersioning"], scope: "backup buckets" },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    provider: "aws",
    permissions: ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"],
    scope: "backup buckets",
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    provider: "aws",
    permissions: ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
    scope: "backup buckets",
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
    provider: "aws",
    permissions: ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
    scope: "backup buckets",
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    provider: "aws",
    permissions: ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
    scope: "backup buckets",
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    provider: "aws",
    permissions: ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
    scope: "backup buckets",
  },
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": {
    provider: "aws",
    permissions: ["s3:PutBucketObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"],
    scope: "backup buckets",
  },
  "aws:iam/user:User": {
    provider: "aws",
    permissions: ["iam:CreateUser", "iam:GetUser", "iam:DeleteUser", "iam:TagUser", "iam:UntagUser", "iam:ListGroupsForUser"],
    scope:
      "backup writer, restore-check reader and log writer users (their IAM paths, `/app-platform/backup/`, `/app-platform/restore-verification/` and `/app-platform/logs/`)",
  },
  "aws:iam/userPolicy:UserPolicy": {
    provider: "aws",
    permissions: ["iam:PutUserPolicy", "iam:GetUserPolicy", "iam:DeleteUserPolicy", "iam:ListUserPolicies"],
    scope:
      "backup writer, restore-check reader and log writer users (their IAM paths, `/app-platform/backup/`, `/app-platform/restore-verification/` and `/app-platform/logs/`)",
  },
  "aws:iam/accessKey:AccessKey": {
    provider: "aws",
    permissions: ["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:DeleteAccessKey"],
    scope:
      "backup writer, restore-check reader and log writer users (their IAM paths, `/app-platform/backup/`, `/app-platform/restore-verification/` and `/app-platform/logs/`)",
  },
  // A Helm release: the provider runs Helm, which keeps the release in a Secret of its namespace
  // and creates what the chart renders. The Vector agent chart 0.57.0 (role Agent, components/logs/
  // log-agent.ts) renders a ServiceAccount, a ConfigMap, a DaemonSet (awaited: its pods) and a
  // ClusterRole with its binding; RBAC lets a user create a ClusterRole only with the rules it
  // grants (list/watch namespaces, nodes, pods), so the deployer holds those cluster-wide too.
  "kubernetes:helm.sh/v3:Release": {
    provider: "kubernetes",
    permissions: [
      '"" (core) secrets: get, list, watch, create, update, patch, delete',
      '"" (core) serviceaccounts: get, list, watch, create, update, patch, delete',
      '"" (core) configmaps: get, list, watch, create, update, patch, delete',
      "apps daemonsets: get, list, watch, create, update, patch, delete",
      "rbac.authorization.k8s.io clusterroles: get, list, watch, create, update, patch, delete",
      "rbac.authorization.k8s.io clusterrolebindings: get, list, watch, create, update, patch, delete",
      '"" (core) pods: get, list, watch',
      '"" (core) namespaces: get, list, watch',
      '"" (core) nodes: get, list, watch',
      '"" (core) events: get, list, watch',
    ],
    scope:
      "the `logging` namespace (release Secret, ServiceAccount, ConfigMap, DaemonSet); cluster (ClusterRole, ClusterRoleBinding, and the rules the ClusterRole grants)",
  },
  // Local providers: no credential.
  "random:index/randomPassword:RandomPassword": { provider: "none", permissions: [], scope: "generated locally" },
  "time:index/rotating:Rotating": { provider: "none", permissions: [], scope: "computed locally" },
};

/** Every lookup (invoke) the stacks may make, by token. */
export const INVOKE_GRANTS: Readonly<Record<string, Grant>> = {
  "cloudflare:index/getZone:getZone": { provider: "cloudflare", permissions: [CF.zoneRead], scope: "the stack's zone (`domain`)" },
  "vercel:index/getProject:getProject": { provider: "vercel", permissions: ["team role Member or Owner"], scope: "the team `vercelTeam`" },
  "vercel:index/getDomainConfig:getDomainConfig": {
    provider: "vercel",
    permissions: ["team role Member or Owner (reads a project domain's recommended DNS values)"],
    scope: "the team `vercelTeam`",
  },
  "vercel:index/getEndpointVerification:getEndpointVerification": {
    provider: "vercel",
    permissions: ["team role Member or Owner (reads the team's drain endpoint verification code)"],
    scope: "the team `vercelTeam`",
  },
  // STS answers GetCallerIdentity for any valid credential; no IAM permission applies.
  "aws:index/getCallerIdentity:getCallerIdentity": { provider: "aws", permissions: [], scope: "none needed (always allowed)" },
  "aws:index/getRegion:getRegion": { provider: "aws", permissions: [], scope: "none needed (answered locally)" },
  "aws:index/getPartition:getPartition": { provider: "aws", permissions: [], scope: "none needed (answered locally)" },
};

/** `NetworkPolicy` → `networkpolicies`, `Ingress` → `ingresses`, `Probe` → `probes`. */
function plural(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith("y")) return `${k.slice(0, -1)}ies`;
  if (k.endsWith("s")) return `${k}es`;
  return `${k}s`;
}

/** A read the Kubernetes provider makes while it waits for an object: RBAC API group and resource. */
export interface KubernetesRead {
  /** RBAC API group: `""` for the core group. */
  readonly group: string;
  /** RBAC resource (plural). */
  readonly resource: string;
}

/** Where the await reads come from: pulumi-kubernetes' provider/pkg/await at this commit. */
export const KUBERNETES_AWAIT_SOURCE = "pulumi/pulumi-kubernetes@94977969 provider/pkg/await";

/**
 * What pulumi-kubernetes' await logic lists and watches, per kind, besides the object itself
 * (each awaiter's `factory.Subscribe(<group/version>.WithResource(...))` calls):
 * - deployment.go: replicasets, pods and persistentvolumeclaims (every Deployment, with or without
 *   volumes). informers/factory.go's `Subscribe` then calls `cache.WaitForCacheSync` on the
 *   provider's context with no timeout, so a Deployment create or update without list/watch on
 *   any of the three hangs until the whole `pulumi up` is cancelled;
 * - statefulset.go, daemonset.go, job.go, pod.go: pods;
 * - service.go: endpoints; ingress.go: endpoints and services.
 * Kinds without an entry (ConfigMap, Secret, ServiceAccount on Kubernetes ≥ 1.24, Namespace,
 * CronJob, HorizontalPodAutoscaler, custom resources) only read the object itself.
 */
export const KUBERNETES_AWAIT_READS: Readonly<Record<string, readonly KubernetesRead[]>> = {
  Deployment: [
    { group: "apps", resource: "replicasets" },
    { group: "", resource: "pods" },
    { group: "", resource: "persistentvolumeclaims" },
  ],
  StatefulSet: [{ group: "", resource: "pods" }],
  DaemonSet: [{ group: "", resource: "pods" }],
  Job: [{ group: "", resource: "pods" }],
  Pod: [],
  Service: [{ group: "", resource: "endpoints" }],
  Ingress: [
    { group: "", resource: "endpoints" },
    { group: "", resource: "services" },
  ],
};

/**
 * Every namespaced kind: await.go's create, update and delete awaiters observe the object's
 * Events (watchers.go `NewEventAggregator`, core/v1 Event) and log its warnings.
 */
export const KUBERNETES_EVENT_READ: KubernetesRead = { group: "", resource: "events" };

const rbacGroup = (group: string) => (group === "" || group === "core" ? '"" (core)' : group);
const readRule = (r: KubernetesRead) => `${rbacGroup(r.group)} ${r.resource}: get, list, watch`;

/** The RBAC rules a Kubernetes type token needs: `kubernetes:apps/v1:Deployment` → apps deployments, and what its await reads. */
export function kubernetesGrant(type: string): Grant | undefined {
  const m = /^kubernetes:([^:]+)\/([^:/]+):(\w+)$/.exec(type);
  if (!m) return undefined;
  const kind = m[3];
  const namespaced = kind !== "Namespace";
  const reads = [...(KUBERNETES_AWAIT_READS[kind] ?? []), ...(namespaced ? [KUBERNETES_EVENT_READ] : [])];
  return {
    provider: "kubernetes",
    permissions: [`${rbacGroup(m[1])} ${plural(kind)}: get, list, watch, create, update, patch, delete`, ...reads.map(readRule)],
    // Dashboards, the blackbox module Secret and the alert routing live in the monitoring namespace;
    // the log agent and its alert routing in `logging`.
    scope: namespaced ? "the products' namespaces, `monitoringNamespace` and `logging` (the log agent)" : "cluster",
  };
}

/** The grant of a resource type, from the table or derived (Kubernetes). */
export function resourceGrant(type: string): Grant | undefined {
  return RESOURCE_GRANTS[type] ?? kubernetesGrant(type);
}

/** What the stacks register and look up: custom resource types (no providers) and invoke tokens. */
export interface CredentialUsage {
  readonly types: readonly string[];
  readonly invokes: readonly string[];
  /** S3 bucket names the stacks create (for the deployer policy's resources). */
  readonly s3Buckets: readonly string[];
  /** IAM paths of the users the stacks create (for the deployer policy's resources). */
  readonly iamUserPaths: readonly string[];
}

/** Collects the usage of one or more stack runs. */
export function credentialUsage(runs: readonly Pick<RunResult, "resources" | "invokes">[]): CredentialUsage {
  const types = new Set<string>();
  const invokes = new Set<string>();
  const buckets = new Set<string>();
  const userPaths = new Set<string>();
  for (const run of runs) {
    for (const r of run.resources) {
      if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
      types.add(r.type);
      if (r.type === "aws:s3/bucket:Bucket" && typeof r.inputs.bucket === "string") buckets.add(r.inputs.bucket);
      if (r.type === "aws:iam/user:User") userPaths.add(typeof r.inputs.path === "string" ? r.inputs.path : "/");
    }
    for (const i of run.invokes) if (i.token !== "pulumi:pulumi:getResource") invokes.add(i.token);
  }
  return { types: [...types].sort(), invokes: [...invokes].sort(), s3Buckets: [...buckets].sort(), iamUserPaths: [...userPaths].sort() };
}

/** Types and lookups the tables do not cover, as `resource <token>` / `lookup <token>`. */
export function uncovered(usage: CredentialUsage): string[] {
  return [
    ...usage.types.filter((t) => !resourceGrant(t)).map((t) => `resource ${t}`),
    ...usage.invokes.filter((t) => !INVOKE_GRANTS[t]).map((t) => `lookup ${t}`),
  ];
}

/** Throws listing every uncovered type or lookup, with where to add it. */
export function requireCovered(usage: CredentialUsage): void {
  const missing = uncovered(usage);
  if (missing.length > 0) {
    throw new Error(
      `The credentials table does not cover what the stacks use:\n${missing.map((m) => `  - ${m}`).join("\n")}\n` +
        "Add each to RESOURCE_GRANTS or INVOKE_GRANTS in tools/credentials.ts with the provider's permission names, then run `npm run credentials-docs`.",
    );
  }
}

/**
 * KMS calls the provider makes on a key right after creating it (read back, enable rotation):
 * not tag-conditioned, see `awsDeployerPolicy`.
 */
export const KMS_AFTER_CREATE: readonly string[] = [
  "kms:DescribeKey",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:EnableKeyRotation",
  "kms:ListResourceTags",
];

/** The account-independent ARN pattern of a bucket: its unique last part (account id or suffix) → `*`. */
export function bucketPattern(name: string): string {
  return name.replace(/-[a-z0-9]+$/, "-*");
}

/**
 * A least-privilege IAM policy for whoever runs `pulumi up` (the CI role `AWS_ROLE_ARN` or a
 * person): exactly the actions of the AWS types the stacks use, on backup buckets (by name
 * pattern), keys tagged `app-platform/backup` (reads and rotation on any key: see below), their
 * aliases, and the IAM paths of the job users the stacks register.
 */
export function awsDeployerPolicy(usage: CredentialUsage): object {
  const actions = (pred: (a: string) => boolean) =>
    [...new Set(usage.types.flatMap((t) => (resourceGrant(t)?.provider === "aws" ? resourceGrant(t)!.permissions : [])))].filter(pred).sort();
  const buckets = [...new Set(usage.s3Buckets.map(bucketPattern))].sort().map((p) => `arn:aws:s3:::${p}`);
  const statements: object[] = [];
  const s3 = actions((a) => a.startsWith("s3:"));
  if (s3.length) statements.push({ Sid: "BackupBuckets", Effect: "Allow", Action: s3, Resource: buckets });
  const kmsCreate = actions((a) => a === "kms:CreateKey" || a === "kms:TagResource");
  if (kmsCreate.length) {
    statements.push({
      Sid: "CreateTaggedBackupKeys",
      Effect: "Allow",
      Action: kmsCreate,
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestTag/app-platform/backup": "true" } },
    });
  }
  const kmsKey = actions((a) => a.startsWith("kms:") && !["kms:CreateKey", "kms:TagResource", "kms:ListAliases"].includes(a) && !a.includes("Alias"));
  // AWS: a tag change "might take up to five minutes to affect authorization" (KMS ABAC). The
  // provider reads the new key and enables its rotation right after CreateKey, before its tag
  // counts, so those calls cannot be tag-conditioned; they are reads or harmless. Everything that
  // weakens or removes a key stays limited to keys tagged app-platform/backup.
  const right = kmsKey.filter((a) => KMS_AFTER_CREATE.includes(a));
  const tagged = kmsKey.filter((a) => !KMS_AFTER_CREATE.includes(a));
  if (right.length) {
    statements.push({ Sid: "ReadNewBackupKeys", Effect: "Allow", Action: right, Resource: "arn:aws:kms:*:*:key/*" });
  }
  if (tagged.length) {
    statements.push({
      Sid: "ManageBackupKeys",
      Effect: "Allow",
      Action: tagged,
      Resource: "arn:aws:kms:*:*:key/*",
      Condition: { StringEquals: { "aws:ResourceTag/app-platform/backup": "true" } },
    });
  }
  const alias = actions((a) => a.startsWith("kms:") && a.includes("Alias") && a !== "kms:ListAliases");
  if (alias.length) {
    statements.push({
      Sid: "BackupKeyAliases",
      Effect: "Allow",
      Action: alias,
      Resource: [...buckets.map((b) => b.replace("arn:aws:s3:::", "arn:aws:kms:*:*:alias/")), "arn:aws:kms:*:*:key/*"],
    });
  }
  if (actions((a) => a === "kms:ListAliases").length) {
    statements.push({ Sid: "ListAliases", Effect: "Allow", Action: ["kms:ListAliases"], Resource: "*" });
  }
  const iam = actions((a) => a.startsWith("iam:"));
  if (iam.length) {
    // The IAM paths of the users the stacks register (backup writers, restore-check readers).
    const users = usage.iamUserPaths.map((p) => `arn:aws:iam::*:user${p}*`);
    statements.push({ Sid: "BackupJobUsers", Effect: "Allow", Action: iam, Resource: users.length === 1 ? users[0] : users });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** What a CI role is for; each has its own role, trust policy subject and permissions. */
export type CiRolePurpose = "preview" | "deploy-staging" | "deploy-prod" | "drift";

/** One AWS role the GitHub workflows assume through OIDC. */
export interface CiRole {
  readonly purpose: CiRolePurpose;
  /** The repository variable holding its ARN (`vars.<name>` in the workflows). */
  readonly variable: string;
  /** Workflow file and job ids that assume it. */
  readonly jobs: Readonly<Record<string, readonly string[]>>;
  /**
   * The `token.actions.githubusercontent.com:sub` value its trust policy requires (GitHub's
   * OpenID Connect reference, "Example subject claims": a job with an `environment` gets
   * `repo:<org>/<repo>:environment:<name>`, a pull_request job without one
   * `repo:<org>/<repo>:pull_request`, any other job `repo:<org>/<repo>:ref:<git ref>`).
   */
  readonly subject: string;
  /** Which generated policy it gets. */
  readonly policy: "aws-deployer-policy.json" | "aws-readonly-policy.json";
  readonly why: string;
}

/**
 * The CI roles, one per purpose. A preview runs the PR branch's code, so whatever the branch
 * contains runs with the role: it gets only reads. Deploys run behind their GitHub environment
 * (prod: required reviewers), and only a job of that environment can assume its role. Drift
 * only refreshes in preview mode, from main.
 */
export const CI_ROLES: readonly CiRole[] = [
  {
    purpose: "preview",
    variable: "AWS_PREVIEW_ROLE_ARN",
    jobs: { "preview.yml": ["preview"] },
    subject: "repo:<org>/<repo>:pull_request",
    policy: "aws-readonly-policy.json",
    why: "`pulumi preview` of both stacks for same-repository pull requests; read-only, since the PR branch's code runs with it",
  },
  {
    purpose: "deploy-staging",
    variable: "AWS_STAGING_DEPLOY_ROLE_ARN",
    jobs: { "deploy.yml": ["staging", "staging-after-prod"] },
    subject: "repo:<org>/<repo>:environment:staging",
    policy: "aws-deployer-policy.json",
    why: "`pulumi up` of staging from main (jobs with `environment: staging`)",
  },
  {
    purpose: "deploy-prod",
    variable: "AWS_PROD_DEPLOY_ROLE_ARN",
    jobs: { "deploy.yml": ["prod"] },
    subject: "repo:<org>/<repo>:environment:prod",
    policy: "aws-deployer-policy.json",
    why: "`pulumi up` of prod after a reviewer approves the `prod` environment",
  },
  {
    purpose: "drift",
    variable: "AWS_DRIFT_ROLE_ARN",
    jobs: { "drift.yml": ["drift"] },
    subject: "repo:<org>/<repo>:ref:refs/heads/main",
    policy: "aws-readonly-policy.json",
    why: "the daily `pulumi refresh --preview-only` of both stacks, from main; read-only",
  },
];

/** A read-only IAM action: Get*, List*, Describe* (what preview and refresh call). */
export const isReadOnlyAction = (a: string) => /^[a-z0-9]+:(Get|List|Describe)[A-Za-z]*$/.test(a);

/**
 * The read-only policy of the preview and drift roles: the deployer policy's statements with only
 * their read actions, without the create-time tag conditions (a read never creates a key).
 */
export function awsReadOnlyPolicy(usage: CredentialUsage): object {
  const full = awsDeployerPolicy(usage) as { Version: string; Statement: { Sid: string; Action: string[]; Resource: unknown; Condition?: unknown }[] };
  const statements = full.Statement.map((s) => ({ ...s, Action: s.Action.filter(isReadOnlyAction) })).filter((s) => s.Action.length > 0);
  return { Version: full.Version, Statement: statements.map((s) => ({ ...s, Sid: `Read${s.Sid}` })) };
}

/** docs/aws-readonly-policy.json, formatted. */
export function renderAwsReadOnlyPolicy(usage: CredentialUsage): string {
  requireCovered(usage);
  return `${JSON.stringify(awsReadOnlyPolicy(usage), null, 2)}\n`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

/** docs/credentials.md: per credential, the permissions and what needs each. */
export function renderCredentialsMarkdown(usage: CredentialUsage): string {
  requireCovered(usage);
  const lines: string[] = [
    "# Credentials and their permissions",
    "",
    "<!-- Generated by `npm run credentials-docs` from what the staging and prod plans register and look up",
    "     (tools/credentials.ts); a test fails when this file and the program disagree. -->",
    "",
    "Every credential the stacks use, the permissions it needs, and the resource types and lookups",
    "that need them. Give each credential exactly these and nothing more.",
    "",
  ];
  const rows = [
    ...usage.types.map((t) => ({ what: `resource \`${t}\``, grant: resourceGrant(t)! })),
    ...usage.invokes.map((t) => ({ what: `lookup \`${t}\``, grant: INVOKE_GRANTS[t] })),
  ];
  for (const provider of ["cloudflare", "vercel", "aws", "kubernetes"] as const) {
    const own = rows.filter((r) => r.grant.provider === provider);
    if (own.length === 0) continue;
    lines.push(`## ${provider === "aws" ? "AWS" : provider[0].toUpperCase() + provider.slice(1)}: ${CREDENTIALS[provider]}`, "");
    // A read-only rule is dropped where the same resource also has the full rule (Ingress reads services).
    const all = [...new Set(own.flatMap((r) => r.grant.permissions))].sort();
    const perms = all.filter((p) => !(p.endsWith(": get, list, watch") && all.some((q) => q !== p && q.startsWith(`${p}, `))));
    if (provider === "aws") {
      lines.push(
        "Apply [`aws-deployer-policy.json`](aws-deployer-policy.json) (generated with this file) to the deploy roles or the",
        "person running `pulumi up`, and [`aws-readonly-policy.json`](aws-readonly-policy.json) (its read actions only) to the",
        "preview and drift roles.",
        "",
        "The workflows assume one role per purpose through GitHub OIDC (audience `sts.amazonaws.com`); each role's trust",
        "policy requires `token.actions.githubusercontent.com:sub` to equal its subject exactly (`StringEquals`, never a",
        "wildcard), with `<org>/<repo>` this repository:",
        "",
        "| role (repository variable) | assumed by | trust policy `sub` | policy | purpose |",
        "|---|---|---|---|---|",
        ...CI_ROLES.map(
          (r) =>
            `| \`${r.variable}\` | ${Object.entries(r.jobs)
              .map(([f, jobs]) => `${f}: ${jobs.join(", ")}`)
              .join("; ")} | \`${r.subject}\` | ${r.policy} | ${cell(r.why)} |`,
        ),
        "",
      );
    } else {
      lines.push("Permissions:", "", ...perms.map((p) => `- ${p}`), "");
    }
    if (provider === "kubernetes") {
      lines.push(
        "The `get, list, watch` rules on kinds the stacks do not create are what pulumi-kubernetes' await logic",
        "watches while it waits for an object to become ready (" + KUBERNETES_AWAIT_SOURCE + ": deployment.go,",
        "service.go, ingress.go, and watchers.go's Event observer for every kind). The provider waits for each",
        "watch to start with no timeout, so leaving one out (e.g. `persistentvolumeclaims` for a Deployment)",
        "hangs the `pulumi up` instead of failing it.",
        "",
      );
    }
    lines.push("| needed by | permissions | on |", "|---|---|---|");
    for (const r of own) {
      lines.push(`| ${r.what} | ${cell(r.grant.permissions.join(", ") || "none")} | ${cell(r.grant.scope)} |`);
    }
    lines.push("");
  }
  const local = rows.filter((r) => r.grant.provider === "none");
  if (local.length) {
    lines.push("## No credential", "", ...local.map((r) => `- ${r.what}: ${r.grant.scope}`), "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** docs/aws-deployer-policy.json, formatted. */
export function renderAwsDeployerPolicy(usage: CredentialUsage): string {
  requireCovered(usage);
  return `${JSON.stringify(awsDeployerPolicy(usage), null, 2)}\n`;
}
