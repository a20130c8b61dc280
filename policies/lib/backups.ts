/**
 * Which buckets and CronJobs hold backups. The backup rules (protection, object lock, lifecycle,
 * bucket lock, r2.dev and custom domains, RPO schedule, deadlines, freshness alert) must apply to
 * a backup whether or not our components made it, so a resource counts as a backup on any of
 * these signals:
 *  1. the program's marker: tag (S3) or label (CronJob) `app-platform/backup = "true"`;
 *  2. a name that contains `backup` in any case (`shop-backup`, `orders-backups-prod`,
 *     `BackupStore`): the resource's own name or its Pulumi name;
 *  3. for buckets: being the target of a backup job's credentials — a backup CronJob reads a
 *     Secret whose keys come from an IAM access key or a Cloudflare API token, and that key's
 *     user policy (S3) or token policy (R2) names the bucket. The walk follows Pulumi's
 *     dependencies (which input came from which resource) and, for hand-written resources with
 *     literal names, the names themselves (secret references, user names, `arn:aws:s3:::<bucket>`,
 *     R2 resource keys `com.cloudflare.edge.r2.bucket.<account>_<jurisdiction>_<bucket>`);
 *  4. the rule's `backupBuckets` config (names that carry none of the above).
 * A marker set to `"false"` on the resource itself says "not a backup" and overrides its name
 * (e.g. a restore check named `…-backup-verify`); it does not override signal 3, because a bucket
 * a backup job writes to holds backups whatever its tags say.
 */
import type { PolicyResource } from "@pulumi/policy";
import { S3 } from "./aws";
import { R2, r2Name, targetBucket, targetBucketName } from "./cloudflare";
import { BACKUP_LABEL, K8S } from "./kubernetes";
import { ofTypes, sameNamespace } from "./stack";
import { forEachString, known, list, obj, UNKNOWN } from "./values";

/** The tag (S3) and label (CronJob) the program writes on backups. */
export const BACKUP_MARKER = BACKUP_LABEL;

/** Whether a name says backup: contains `backup`, any case. */
export function nameSaysBackup(...names: unknown[]): boolean {
  return names.some((n) => typeof n === "string" && /backup/i.test(n));
}

/** The marker's verdict: true, false (explicitly not a backup), or undefined (not set). */
export function markerOf(tagsOrLabels: unknown): boolean | undefined {
  const v = obj(tagsOrLabels)[BACKUP_MARKER];
  return v === "true" ? true : v === "false" ? false : undefined;
}

/** A CronJob that makes backups: marker `"true"`, or (without a `"false"` marker) a name that says backup. */
export function isBackupCronJob(metadata: unknown, resourceName: string): boolean {
  const m = obj(metadata);
  const marker = markerOf(m.labels);
  return marker ?? nameSaysBackup(m.name, resourceName);
}

/** Kinds a backup job's credentials pass through, from its Secret to the bucket's policy. */
const CREDENTIAL_TYPES: ReadonlySet<string> = new Set([
  K8S.Secret,
  "aws:iam/accessKey:AccessKey",
  "aws:iam/user:User",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/policy:Policy",
  "aws:iam/policyAttachment:PolicyAttachment",
  "aws:iam/role:Role",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "cloudflare:index/apiToken:ApiToken",
  "cloudflare:index/accountToken:AccountToken",
]);

/** CronJob → Secret → key/token → user → policy → bucket: the longest credential path. */
const MAX_HOPS = 6;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Every known string leaf of a resource's props, joined (to look for literal names). */
function text(r: PolicyResource): string {
  const parts: string[] = [];
  forEachString(r.props, (s) => parts.push(s));
  return parts.join("\n");
}

/** `read()`, or undefined when it touches a value unknown during preview. */
function maybe(read: () => unknown): unknown {
  const v = known(read);
  return v === UNKNOWN ? undefined : v;
}

/** The Secret names a pod spec reads: env `secretKeyRef`, `envFrom.secretRef`, secret and projected volumes. */
function secretNamesOf(podSpec: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  const add = (read: () => unknown) => {
    const v = maybe(read);
    if (typeof v === "string") names.add(v);
  };
  const items = (read: () => unknown) => list(maybe(read)).map((x) => obj(x));
  for (const field of ["initContainers", "containers"]) {
    for (const c of items(() => podSpec[field])) {
      for (const e of items(() => c.env)) add(() => obj(obj(e.valueFrom).secretKeyRef).name);
      for (const e of items(() => c.envFrom)) add(() => obj(e.secretRef).name);
    }
  }
  for (const v of items(() => podSpec.volumes)) {
    add(() => obj(v.secret).secretName);
    for (const s of items(() => obj(v.projected).sources)) add(() => obj(s.secret).name);
  }
  return names;
}

/** The CronJobs of the stack that make backups. */
export function backupCronJobsOf(resources: readonly PolicyResource[]): PolicyResource[] {
  return ofTypes(resources, K8S.CronJob).filter((j) =>
    isBackupCronJob({ name: maybe(() => obj(j.props.metadata).name), labels: maybe(() => ({ ...obj(obj(j.props.metadata).labels) })) }, j.name),
  );
}

/**
 * The URNs of the buckets (S3 and R2) that a backup CronJob's credentials can write to (signal 3).
 */
export function backupCredentialTargets(resources: readonly PolicyResource[]): Set<string> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const edges = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    if (a === b || !byUrn.has(a) || !byUrn.has(b)) return;
    (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
    (edges.get(b) ?? edges.set(b, new Set()).get(b)!).add(a);
  };
  // Pulumi's own record of which resource an input came from.
  for (const r of resources) {
    for (const d of r.dependencies ?? []) link(r.urn, d.urn);
    for (const deps of Object.values(r.propertyDependencies ?? {})) for (const d of deps) link(r.urn, d.urn);
  }
  // Literal names, for resources written by hand without outputs between them.
  const secrets = ofTypes(resources, K8S.Secret);
  for (const job of ofTypes(resources, K8S.CronJob)) {
    const names = secretNamesOf(obj(maybe(() => obj(obj(obj(obj(job.props.spec).jobTemplate).spec).template).spec)));
    for (const s of secrets) {
      const name = known(() => obj(s.props.metadata).name);
      if (typeof name === "string" && names.has(name) && sameNamespace(job, s)) link(job.urn, s.urn);
    }
  }
  const credentials = resources.filter((r) => CREDENTIAL_TYPES.has(r.type));
  const texts = new Map(credentials.map((r) => [r.urn, text(r)]));
  for (const user of ofTypes(resources, "aws:iam/user:User", "aws:iam/role:Role")) {
    const name = known(() => user.props.name);
    if (typeof name !== "string" || name === "") continue;
    for (const c of credentials) {
      const ref = known(() => c.props.user ?? c.props.role);
      if (ref === name) link(c.urn, user.urn);
    }
  }
  for (const bucket of ofTypes(resources, ...S3.Bucket)) {
    const name = known(() => bucket.props.bucket);
    if (typeof name !== "string" || name === "") continue;
    const arn = new RegExp(`arn:aws:s3:::${escapeRegExp(name)}(?![a-z0-9.-])`);
    for (const c of credentials) if (arn.test(texts.get(c.urn) ?? "")) link(c.urn, bucket.urn);
  }
  for (const bucket of ofTypes(resources, R2.Bucket)) {
    const name = known(() => bucket.props.name);
    if (typeof name !== "string" || name === "") continue;
    const key = new RegExp(`r2\\.bucket\\.[^\\s"]*_${escapeRegExp(name)}(?![a-z0-9-])`);
    for (const c of credentials) if (key.test(texts.get(c.urn) ?? "")) link(c.urn, bucket.urn);
  }
  // Walk from each backup CronJob through credential kinds only; a bucket reached is a target.
  const bucketTypes = new Set<string>([...S3.Bucket, R2.Bucket]);
  const targets = new Set<string>();
  for (const job of backupCronJobsOf(resources)) {
    const seen = new Set([job.urn]);
    let frontier = [job.urn];
    for (let hop = 0; hop < MAX_HOPS && frontier.length > 0; hop++) {
      const next: string[] = [];
      for (const urn of frontier) {
        for (const n of edges.get(urn) ?? []) {
          if (seen.has(n)) continue;
          seen.add(n);
          const type = byUrn.get(n)!.type;
          if (bucketTypes.has(type)) targets.add(n);
          else if (CREDENTIAL_TYPES.has(type)) next.push(n);
        }
      }
      frontier = next;
    }
  }
  return targets;
}

/** Names a bucket goes by: its own name when known and its Pulumi name. */
function bucketNames(bucket: PolicyResource): string[] {
  const own = known(() => (bucket.type === R2.Bucket ? bucket.props.name : bucket.props.bucket));
  return [typeof own === "string" ? own : "", bucket.name].filter((n) => n !== "");
}

/**
 * Whether a bucket (S3 or R2) holds backups, on any of the module's signals. `targets` is
 * `backupCredentialTargets(resources)` (stack rules compute it once).
 */
export function isBackupBucketResource(bucket: PolicyResource, backupBuckets: readonly string[], targets: ReadonlySet<string>): boolean {
  if (targets.has(bucket.urn)) return true;
  const names = bucketNames(bucket);
  if (names.some((n) => backupBuckets.includes(n))) return true;
  return markerOf(maybe(() => ({ ...obj(bucket.props.tags) }))) ?? nameSaysBackup(...names);
}

/** Whether a bucket known only by name (a companion's target outside the stack) holds backups. */
export function isBackupBucketName(name: string, backupBuckets: readonly string[]): boolean {
  return backupBuckets.includes(name) || nameSaysBackup(name);
}

/**
 * The name of the R2 backup bucket that `companion` (a domain, lock or lifecycle) configures, or
 * undefined when its bucket holds no backups or is unknown.
 */
export function r2BackupTargetOf(
  companion: PolicyResource,
  resources: readonly PolicyResource[],
  backupBuckets: readonly string[],
  targets: ReadonlySet<string>,
): string | undefined {
  const bucket = targetBucket(companion, resources);
  if (bucket) return isBackupBucketResource(bucket, backupBuckets, targets) ? r2Name(bucket) : undefined;
  const name = targetBucketName(companion, resources);
  return name !== undefined && isBackupBucketName(name, backupBuckets) ? name : undefined;
}
