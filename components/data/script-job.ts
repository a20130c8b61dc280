/**
 * The Kubernetes scaffolding the platform's script jobs share — `BackupJob`,
 * `RestoreVerification` and `DatabaseMaintenance` — built once here, so that a hardening rule
 * (no service-account token, read-only root, deny-all ingress) cannot drift between them:
 *
 * - a ServiceAccount of its own, whose token is never mounted;
 * - an Opaque Secret holding the job's credentials, read by the container through `secretKeyRef`
 *   (never as a plain env value);
 * - a ConfigMap of the job's scripts, mounted read-only at `/scripts`;
 * - a CronJob spec: UTC schedule, `Forbid` concurrency, one container running as `runAsUser` with
 *   the restricted security context on a read-only root filesystem, `restartPolicy: Never`, no
 *   service links, and a size-limited `/tmp` emptyDir for everything it writes;
 * - a NetworkPolicy spec: no ingress, DNS plus the job's own egress.
 *
 * Plain functions, no component of their own: the resource helpers register their resource under
 * the calling component, and each component keeps its own names, labels, credentials, env and
 * transforms.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackupBucketRef } from "./backup-bucket";
import { jobImageReference, type BackupImage } from "./job-kernel";
import type { PlatformContext } from "../context";
import { commonPodSpec, dnsEgressRule, restrictedContainerSecurityContext } from "../workloads/pod-spec";
import type { Duration } from "../values";

/** Where the scripts ConfigMap is mounted in the container. */
export const SCRIPTS_DIR = "/scripts";

/** The job's one container: what differs between the script jobs. */
export interface ScriptJobContainer {
  /** Container name. */
  readonly name: string;
  readonly image: BackupImage;
  readonly command: pulumi.Input<string>[];
  /** Environment, in order; secrets through `secretEnv` (pod-spec.ts). */
  readonly env: pulumi.Input<k8s.types.input.core.v1.EnvVar>[];
  readonly resources: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
}

/** Arguments of {@link scriptCronJobSpec}. */
export interface ScriptCronJobSpecArgs {
  /** The stack's platform context (pull secrets reach the pod through `commonPodSpec`). */
  readonly context: PlatformContext;
  /** Cron schedule, evaluated in UTC (`timeZone: Etc/UTC`). */
  readonly schedule: pulumi.Input<string>;
  readonly startingDeadlineSeconds: number;
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  /** How long one run may take before Kubernetes stops it. */
  readonly activeDeadlineSeconds: number;
  readonly backoffLimit: number;
  /** Labels of the Job template and its pods. */
  readonly labels: Record<string, string>;
  /** The job's ServiceAccount ({@link jobServiceAccount}). */
  readonly serviceAccountName: pulumi.Input<string>;
  /** UID (and GID) of the container's processes. */
  readonly runAsUser: number;
  readonly container: ScriptJobContainer;
  /** Name of the scripts ConfigMap, mounted read-only at {@link SCRIPTS_DIR}; none when undefined. */
  readonly scriptsConfigMap?: pulumi.Input<string>;
  /** Size limit of the `/tmp` emptyDir (the root filesystem is read-only). */
  readonly tmpSizeLimit: pulumi.Input<string>;
}

/** How a job's runs are bounded and kept: optional component arguments, each with a default. */
export interface ScriptJobRunLimits {
  /** How late a missed run may still start. */
  readonly startingDeadline?: Duration;
  readonly successfulJobsHistoryLimit?: number;
  readonly failedJobsHistoryLimit?: number;
  /** How long one run may take. */
  readonly activeDeadline?: Duration;
  /** Retries of a failed run. */
  readonly backoffLimit?: number;
}

/** The {@link ScriptCronJobSpecArgs} fields of `limits`, each falling back to `defaults`. */
export function runLimits(
  limits: ScriptJobRunLimits,
  defaults: Required<ScriptJobRunLimits>,
): Pick<ScriptCronJobSpecArgs, "startingDeadlineSeconds" | "successfulJobsHistoryLimit" | "failedJobsHistoryLimit" | "activeDeadlineSeconds" | "backoffLimit"> {
  return {
    startingDeadlineSeconds: (limits.startingDeadline ?? defaults.startingDeadline).toSeconds(),
    successfulJobsHistoryLimit: limits.successfulJobsHistoryLimit ?? defaults.successfulJobsHistoryLimit,
    failedJobsHistoryLimit: limits.failedJobsHistoryLimit ?? defaults.failedJobsHistoryLimit,
    activeDeadlineSeconds: (limits.activeDeadline ?? defaults.activeDeadline).toSeconds(),
    backoffLimit: limits.backoffLimit ?? defaults.backoffLimit,
  };
}

/**
 * Where the job's objects are: what `scripts/pg-backup.sh`, `scripts/pg-restore-verify.sh` and the
 * export tasks read (`S3_ENDPOINT`, `S3_BUCKET`, `S3_REGION`, `BACKUP_PREFIX`, `PRODUCT`).
 */
export function bucketPrefixEnv(bucket: BackupBucketRef, prefix: string, product: string): k8s.types.input.core.v1.EnvVar[] {
  return [
    { name: "S3_ENDPOINT", value: bucket.endpoint },
    { name: "S3_BUCKET", value: bucket.bucketName },
    { name: "S3_REGION", value: bucket.region },
    { name: "BACKUP_PREFIX", value: prefix },
    { name: "PRODUCT", value: product },
  ];
}

/** The job's ServiceAccount: its token is never mounted. */
export function jobServiceAccount(parent: pulumi.Resource, name: string, metadata: k8s.types.input.meta.v1.ObjectMeta): k8s.core.v1.ServiceAccount {
  return new k8s.core.v1.ServiceAccount(name, { metadata, automountServiceAccountToken: false }, { parent });
}

/** The job's credentials as an Opaque Secret; every value should already be a Pulumi secret. */
export function jobSecret(
  parent: pulumi.Resource,
  name: string,
  metadata: k8s.types.input.meta.v1.ObjectMeta,
  stringData: Record<string, pulumi.Input<string>>,
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(name, { metadata, type: "Opaque", stringData }, { parent });
}

/** The job's scripts, by file name. */
export function scriptsConfigMap(
  parent: pulumi.Resource,
  name: string,
  metadata: k8s.types.input.meta.v1.ObjectMeta,
  data: Record<string, string>,
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(name, { metadata, data }, { parent });
}

/** What a script Job's run needs: the CronJob's arguments less its schedule and history. */
export type ScriptJobSpecArgs = Omit<ScriptCronJobSpecArgs, "schedule" | "startingDeadlineSeconds" | "successfulJobsHistoryLimit" | "failedJobsHistoryLimit">;

/**
 * The Job spec of one run of a script job: the CronJob's `jobTemplate.spec`, and the spec of a
 * one-off `batch/v1` Job built from the same template (the pre-deploy backup, data/pre-deploy-backup.ts).
 */
export function scriptJobSpec(a: ScriptJobSpecArgs): k8s.types.input.batch.v1.JobSpec {
  const c = a.container;
  const scripts = a.scriptsConfigMap;
  return {
    activeDeadlineSeconds: a.activeDeadlineSeconds,
    backoffLimit: a.backoffLimit,
    template: {
      metadata: { labels: a.labels },
      spec: {
        ...commonPodSpec(a.context, { serviceAccountName: a.serviceAccountName, runAsUser: a.runAsUser }),
        enableServiceLinks: false,
        restartPolicy: "Never",
        containers: [
          {
            name: c.name,
            image: jobImageReference(c.image),
            imagePullPolicy: "IfNotPresent",
            command: c.command,
            env: c.env,
            resources: c.resources,
            securityContext: restrictedContainerSecurityContext(a.runAsUser),
            // The root filesystem is read-only: everything the job writes lives in /tmp.
            volumeMounts: [...(scripts !== undefined ? [{ name: "scripts", mountPath: SCRIPTS_DIR, readOnly: true }] : []), { name: "tmp", mountPath: "/tmp" }],
          },
        ],
        volumes: [
          ...(scripts !== undefined ? [{ name: "scripts", configMap: { name: scripts, defaultMode: 0o444 } }] : []),
          { name: "tmp", emptyDir: { sizeLimit: a.tmpSizeLimit } },
        ],
      },
    },
  };
}

/** The CronJob spec of a script job (see the module comment for what it fixes); its runs are {@link scriptJobSpec}. */
export function scriptCronJobSpec(a: ScriptCronJobSpecArgs): k8s.types.input.batch.v1.CronJobSpec {
  const { schedule, startingDeadlineSeconds, successfulJobsHistoryLimit, failedJobsHistoryLimit, ...run } = a;
  return {
    schedule,
    timeZone: "Etc/UTC",
    concurrencyPolicy: "Forbid",
    startingDeadlineSeconds,
    successfulJobsHistoryLimit,
    failedJobsHistoryLimit,
    jobTemplate: { metadata: { labels: a.labels }, spec: scriptJobSpec(run) },
  };
}

/** The NetworkPolicy spec of a script job: no ingress; DNS, then `egress`. */
export function scriptJobNetworkPolicySpec(
  podLabels: Record<string, string>,
  egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[],
): k8s.types.input.networking.v1.NetworkPolicySpec {
  return {
    podSelector: { matchLabels: podLabels },
    policyTypes: ["Ingress", "Egress"],
    ingress: [],
    egress: [dnsEgressRule(), ...egress],
  };
}
