/**
 * The context every component receives explicitly (no ambient globals): which environment it
 * runs in, who owns it and how things are named and labelled. Providers are not part of the
 * context: they reach children through Pulumi's own `providers` resource option, set once on
 * the application stack by `infra/`.
 */

import type * as pulumi from "@pulumi/pulumi";

/** The two stacks of this project. */
export const ENVIRONMENTS = ["staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Prefix of every component type token: `app-platform:<module>:<Name>`. */
export const TYPE_PREFIX = "app-platform";

/** How a container waits in `preStop` before it gets SIGTERM (see `components/workloads/pod-spec.ts`). */
export const PRE_STOP_HOOKS = ["sleep", "exec"] as const;
export type PreStopHook = (typeof PRE_STOP_HOOKS)[number];

/** Cluster-wide Kubernetes settings that every pod spec of the stack follows (from stack config). */
export interface KubernetesPlatformSettings {
  /**
   * Names of `kubernetes.io/dockerconfigjson` Secrets, in each product namespace, with the
   * credentials of a private registry; listed as `imagePullSecrets` on every pod spec.
   * @default []
   */
  readonly imagePullSecrets?: readonly pulumi.Input<string>[];
  /**
   * A Docker config (`{"auths": {...}}`, a Pulumi secret) from the secret config key
   * `imagePullDockerConfigJson`. When set, each product's `ApplicationStack` creates a
   * `kubernetes.io/dockerconfigjson` Secret with it in its namespace (`REGISTRY_SECRET_NAME`) and
   * adds that Secret, as an output, to `imagePullSecrets`: every pod waits for it.
   * @default undefined (no Secret is created)
   */
  readonly registryCredentials?: pulumi.Input<string>;
  /**
   * `sleep`: the native `lifecycle.preStop.sleep` action (Kubernetes 1.30 or later; works on
   * distroless images). `exec`: run `sleep` inside the container, for older clusters (the image
   * needs a `sleep` binary).
   * @default "sleep"
   */
  readonly preStopHook?: PreStopHook;
}

export interface PlatformContext {
  /** The environment (stack) the resources belong to. Prod turns on protection, PDBs, HA. */
  readonly environment: Environment;
  /**
   * The product this resource belongs to, as a DNS-label-safe id (e.g. `codebook`).
   * Used for namespaces, labels and `app.kubernetes.io/part-of`.
   */
  readonly product: string;
  /** The owning team, written into labels, DNS comments and tags. @example "platform-team" */
  readonly owner: string;
  /**
   * Cluster-wide pod settings (pull secrets, preStop hook); read them through
   * `components/workloads/pod-spec.ts`, never directly.
   * @default {}
   */
  readonly kubernetes?: KubernetesPlatformSettings;
}

/** True for the production stack. */
export function isProd(ctx: Pick<PlatformContext, "environment">): boolean {
  return ctx.environment === "prod";
}

/**
 * Resource options for data-bearing resources (buckets, lock and key material): protected and
 * retained on delete in prod, so neither `pulumi destroy` nor a refactor can lose a backup.
 */
export function dataProtection(ctx: Pick<PlatformContext, "environment">): {
  protect: boolean;
  retainOnDelete: boolean;
} {
  const prod = isProd(ctx);
  return { protect: prod, retainOnDelete: prod };
}

/** The namespace a product lives in: `<product>-<environment>`, so one cluster can host both stacks. */
export function namespaceName(product: string, environment: Environment): string {
  return `${product}-${environment}`;
}

/** Kubernetes recommended labels (`app.kubernetes.io/*`) plus the owner, for one component. */
export function recommendedLabels(ctx: PlatformContext, name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": `${name}-${ctx.environment}`,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": ctx.product,
    "app.kubernetes.io/managed-by": "pulumi",
    "app-platform/owner": ctx.owner,
    "app-platform/environment": ctx.environment,
  };
}

/** Cloud resource tags (AWS) carrying the same facts as the Kubernetes labels. */
export function resourceTags(ctx: PlatformContext, extra: Record<string, string> = {}): Record<string, string> {
  return {
    product: ctx.product,
    environment: ctx.environment,
    owner: ctx.owner,
    "managed-by": "pulumi",
    ...extra,
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `value` is a valid RFC 1123 DNS label of at most `max` characters. */
export function isDnsLabel(value: string, max = 63): boolean {
  return value.length <= max && DNS_LABEL.test(value);
}

/**
 * Thrown by the synchronous argument checks of components and by config validation.
 * Its message names the argument in backticks, the expected form and how to fix it.
 */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValidationError";
  }
}

/**
 * A function that adjusts a child's args before it is created (SST-style `transform`): every
 * component's `transform` option holds one per child, and the component applies it with
 * `transform()`.
 */
export type Transform<T, Extra extends unknown[] = []> = (args: T, ...extra: Extra) => T;

/** `args` adjusted by the caller's `t` (given `extra`, e.g. the list item), or `args` itself when there is none. */
export function transform<T, Extra extends unknown[] = []>(t: Transform<T, Extra> | undefined, args: T, ...extra: Extra): T {
  return t ? t(args, ...extra) : args;
}

/** Throws one `ValidationError` listing every problem, or returns when there are none. */
export function throwIfInvalid(component: string, name: string, problems: string[]): void {
  if (problems.length === 0) return;
  const list = problems.map((p) => `  - ${p}`).join("\n");
  throw new ValidationError(`${component} "${name}" has invalid arguments:\n${list}`);
}
