/**
 * The pod-spec fields every pod the stack makes shares, built in one place from the
 * `PlatformContext`: the dedicated ServiceAccount without a mounted token, the registry pull
 * secrets from stack config (`imagePullSecrets`), and the non-root, seccomp-confined pod security
 * context (Pod Security "restricted"). Every component that writes a pod template (Deployments,
 * CronJobs, exporters, jobs) spreads `commonPodSpec(...)` into it, so a cluster-wide setting
 * reaches every pod without being passed through each component's arguments.
 *
 * Also the container `preStop` hook, which follows the cluster's `preStopHook` setting.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext, PreStopHook } from "../context";

/** Who the pod runs as. */
export interface PodIdentity {
  /** The pod's dedicated ServiceAccount (its token is never mounted). */
  readonly serviceAccountName: pulumi.Input<string>;
  /** UID of the pod's processes; never 0. */
  readonly runAsUser: number;
  /** GID of the pod's processes. @default runAsUser */
  readonly runAsGroup?: number;
  /** Group that owns mounted volumes. @default runAsGroup */
  readonly fsGroup?: number;
}

/** The fields `commonPodSpec` sets; spread them first, then the pod's own fields. */
export type CommonPodSpec = Pick<
  k8s.types.input.core.v1.PodSpec,
  "serviceAccountName" | "automountServiceAccountToken" | "imagePullSecrets" | "securityContext"
>;

/** The pull secrets of the stack as `imagePullSecrets` entries; undefined when there are none. */
export function imagePullSecretsOf(context: Pick<PlatformContext, "kubernetes">): { name: pulumi.Input<string> }[] | undefined {
  const names = context.kubernetes?.imagePullSecrets ?? [];
  return names.length > 0 ? names.map((name) => ({ name })) : undefined;
}

/**
 * The pod-spec fields shared by every pod of the stack. Use it in every pod template:
 * `spec: { ...commonPodSpec(context, { serviceAccountName, runAsUser: 10001 }), containers: [...] }`.
 */
export function commonPodSpec(context: Pick<PlatformContext, "kubernetes">, identity: PodIdentity): CommonPodSpec {
  const runAsGroup = identity.runAsGroup ?? identity.runAsUser;
  return {
    serviceAccountName: identity.serviceAccountName,
    automountServiceAccountToken: false,
    imagePullSecrets: imagePullSecretsOf(context),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: identity.runAsUser,
      runAsGroup,
      fsGroup: identity.fsGroup ?? runAsGroup,
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
}

/** The preStop hook style of the stack. */
export function preStopHookOf(context: Pick<PlatformContext, "kubernetes">): PreStopHook {
  return context.kubernetes?.preStopHook ?? "sleep";
}

/**
 * A container `lifecycle` that waits `seconds` before SIGTERM, so endpoints drain first; undefined
 * for 0. `sleep` is the native action (Kubernetes ≥ 1.30, no binary needed, so distroless images
 * work); `exec` runs the image's own `sleep` for older clusters.
 */
export function preStopLifecycle(seconds: number, hook: PreStopHook): k8s.types.input.core.v1.Lifecycle | undefined {
  if (seconds <= 0) return undefined;
  return hook === "sleep" ? { preStop: { sleep: { seconds } } } : { preStop: { exec: { command: ["sleep", String(seconds)] } } };
}

/**
 * The NetworkPolicy egress rule every pod of the stack needs for name resolution: port 53, UDP
 * and TCP, to any destination — kube-dns in kube-system, NodeLocal DNSCache on the node's
 * link-local address, or a resolver elsewhere (a `to: kube-system` rule breaks the latter two).
 */
export function dnsEgressRule(): k8s.types.input.networking.v1.NetworkPolicyEgressRule {
  return {
    ports: [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ],
  };
}

/** A NetworkPolicy egress rule to one TCP port, any destination. */
export function tcpEgress(port: pulumi.Input<number | string>): k8s.types.input.networking.v1.NetworkPolicyEgressRule {
  return { ports: [{ protocol: "TCP", port }] };
}

/** A container env var read from the key of the same name in a Secret. */
export function secretEnv(secretName: pulumi.Input<string>, key: string): k8s.types.input.core.v1.EnvVar {
  return { name: key, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/**
 * The container security context of the stack's jobs (backup, restore check, maintenance): Pod
 * Security "restricted" — not privileged, no escalation, read-only root filesystem (scratch space
 * is a `/tmp` emptyDir), non-root `runAsUser`, every capability dropped.
 */
export function restrictedContainerSecurityContext(runAsUser: number): k8s.types.input.core.v1.SecurityContext {
  return {
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser,
    capabilities: { drop: ["ALL"] },
  };
}
