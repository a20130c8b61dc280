/**
 * The Jobs a release of a migrating workload runs before its Deployment rolls (seed 001 §3.3
 * "Run migrations before deploying new code", "Backup production database before migration"):
 * the pre-deploy backup (data/pre-deploy-backup.ts), then the migration (kubernetes-service.ts).
 * What both share lives here: their names, one per release, and how `pulumi up` waits for them.
 *
 * Semantics of the provider (pulumi-kubernetes 4.x: its `batch/v1` Job API docs, and its force-new
 * properties, under which a Job is replaced when `.metadata.name`, `.spec.selector` or
 * `.spec.template` changes; tools/plan/replacements.ts holds the same table):
 * - create/update waits until the Job is `Complete`, and fails at once when it is `Failed`
 *   (`Job has reached the specified backoff limit -- [BackoffLimitExceeded]`, or
 *   `[DeadlineExceeded]`), naming the Job; resources that `dependsOn` it are not updated;
 * - the provider's error does not carry our text: the way to the logs is on the Job as the
 *   `app-platform/logs` annotation (`kubectl logs job/<name> -n <namespace>`) and in the README
 *   "Release a new image";
 * - `pulumi.com/replaceUnready: "true"`: a Job that failed is replaced (run again) by the next
 *   `up` instead of being waited for again, so a release retried after a transient failure runs;
 * - no `ttlSecondsAfterFinished`: Kubernetes would delete the finished Job, a `pulumi refresh`
 *   would drop it from the state, and the next `up` would create it again, re-running the
 *   migration for a release already migrated. The Job (and its pod's logs) stays until the next
 *   release replaces it.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { Duration } from "../values";

/** The steps of a release, in the order they run. */
export type ReleaseStep = "pre-deploy" | "migrate";

/** Kubernetes' limit on a Job's name: its pods carry it as the `batch.kubernetes.io/job-name` label value. */
export const MAX_JOB_NAME = 63;
/** Hex characters of the image hash in a release Job's name. */
export const RELEASE_HASH_LENGTH = 10;

/**
 * The name of a release's Job: `<workload>-<step>-<hash>`, where `hash` is the first 10 hex
 * characters of the sha256 of `image`, the workload's image reference (`imageReference`:
 * `repository:tag[@digest]`, the exact pin the Deployment runs). The same pin gives the same name (nothing to do on a second `up`); a new tag or
 * digest a new name (a new Job). The workload part is shortened so the whole stays a DNS label of
 * at most 63 characters. The one source of these names: the Jobs, their NetworkPolicy and the
 * logs annotation all take it from here.
 */
export function releaseJobName(workload: string, step: ReleaseStep, image: string): string {
  const hash = createHash("sha256").update(image).digest("hex").slice(0, RELEASE_HASH_LENGTH);
  const suffix = `-${step}-${hash}`;
  const base = workload.slice(0, MAX_JOB_NAME - suffix.length).replace(/-+$/, "");
  return `${base}${suffix}`;
}

/** Annotations of every release Job (see the module comment). */
export const RELEASE_JOB_ANNOTATIONS = { "pulumi.com/replaceUnready": "true" } as const;

/** The annotation that tells an operator where a release Job's logs are. */
export const JOB_LOGS_ANNOTATION = "app-platform/logs";

/** `{ "app-platform/logs": "kubectl logs job/<name> -n <namespace>" }`. */
export function jobLogsHint(jobName: string, namespace: pulumi.Input<string>): Record<string, pulumi.Output<string>> {
  return { [JOB_LOGS_ANNOTATION]: pulumi.interpolate`kubectl logs job/${jobName} -n ${namespace}` };
}

/** How long `pulumi up` waits for a release Job: its deadline plus 5 minutes to pull and schedule (the provider's default is 10 minutes). */
export function releaseJobTimeouts(activeDeadline: Duration): pulumi.CustomTimeouts {
  const minutes = `${Math.ceil(activeDeadline.toSeconds() / 60) + 5}m`;
  return { create: minutes, update: minutes };
}
