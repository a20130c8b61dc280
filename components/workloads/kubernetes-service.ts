/**
 * A long-running HTTP backend on Kubernetes, hardened by default: a Deployment with typed probes,
 * the Pod Security "restricted" profile, a dedicated ServiceAccount, config in a ConfigMap and
 * secrets only in a Secret (pods roll when either changes), a ClusterIP Service, a PDB and spread
 * for HA, default-deny NetworkPolicies, and optionally an HPA, a ServiceMonitor and a TLS Ingress.
 *
 * Only stable API versions are used: apps/v1, v1, policy/v1, autoscaling/v2, networking.k8s.io/v1
 * (plus the Prometheus Operator's monitoring.coreos.com/v1).
 */
import { digestValues, envDigest } from "../secrets/env-digest";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ConfigKeyFacts, ConfigKeyProblem } from "../config-key";
import {
  Environment,
  PRE_STOP_HOOKS,
  PlatformContext,
  PreStopHook,
  TYPE_PREFIX,
  Transform,
  isDnsLabel,
  isProd,
  recommendedLabels,
  throwIfInvalid,
  transform,
} from "../context";
import { type CommonPodSpec, commonPodSpec, dnsEgressRule, preStopHookOf, preStopLifecycle, secretEnv } from "./pod-spec";
import { RELEASE_JOB_ANNOTATIONS, jobLogsHint, releaseJobTimeouts } from "./release-jobs";
import { Probe, isPort } from "./probe";
import { Duration } from "../values";

/** Type token of this component. */
export const KUBERNETES_SERVICE_TYPE = `${TYPE_PREFIX}:kubernetes:Service`;

/** Name of the container port (and of the Service port) that carries HTTP. */
export const HTTP_PORT_NAME = "http";
/** The name of the application container in every workload's pods (cAdvisor's and kube-state-metrics' `container` label). */
export const APP_CONTAINER_NAME = "app";

/** Pod template annotation holding the (secret) sha256 of the Secret's data. */
export const SECRET_CHECKSUM_ANNOTATION = "app-platform/secret-checksum";
/** Pod template annotation holding the sha256 of the ConfigMap's data. */
export const CONFIG_CHECKSUM_ANNOTATION = "app-platform/config-checksum";

/**
 * Env names that look like secrets and therefore belong in `secretEnv`. The brief's list plus
 * `CREDENTIAL` and a trailing `_KEY` (seed 002's `SUPABASE_SERVICE_ROLE_KEY`, seed 004's `ENCRYPTION_KEY`).
 */
export const SECRET_LOOKING_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY|DATABASE_URL|DSN|CREDENTIAL|_KEY$/i;

/** Values that are secrets whatever their name: PEM keys, known token prefixes, URLs with a password. */
export const SECRET_LOOKING_VALUE: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bAKIA[0-9A-Z]{16}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/,
  /\b[sr]k_(live|test)_[A-Za-z0-9]{10,}/,
  /\bsk-[A-Za-z0-9_-]{20,}/,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/,
  /:\/\/[^/\s:@]+:[^/\s@]+@/,
];

/**
 * The fewest replicas a prod workload runs: one pod is a single point of failure. The policy
 * `kubernetes-configure-replicas` gates the same floor on every Deployment.
 */
export const MIN_PROD_REPLICAS = 2;

/**
 * The one rule for replica counts: why `replicas` pods are too few in `environment`, or undefined.
 * Used by `KubernetesService`'s validation and, through `replicasConfigCheck`, by every config key
 * that sets a replica count.
 */
export function prodReplicasProblem(environment: Environment, replicas: number): string | undefined {
  return environment === "prod" && replicas < MIN_PROD_REPLICAS
    ? `prod needs at least ${MIN_PROD_REPLICAS} replicas for availability (policy \`kubernetes-configure-replicas\`)`
    : undefined;
}

/** The `check` of a config key that sets a replica count (`configKey({ ..., check: replicasConfigCheck })`). */
export function replicasConfigCheck(replicas: number, facts: ConfigKeyFacts): ConfigKeyProblem | undefined {
  const problem = prodReplicasProblem(facts.environment, replicas);
  return problem ? { problem, fix: String(MIN_PROD_REPLICAS) } : undefined;
}

/** The container image; the tag is pinned (never `latest`) and a digest may pin it further. */
export interface ImageRef {
  /** The repository without tag or digest. @example "ghcr.io/acme/codebook-backend" */
  readonly repository: string;
  /** A pinned tag, never `latest` or empty. Required unless `digest` is given. @example "1.4.2" */
  readonly tag?: string;
  /** An immutable digest. @example "sha256:0123…" (64 hex characters) */
  readonly digest?: string;
}

/** Kubernetes resource quantities of the container. */
export interface ServiceResources {
  /** What the scheduler reserves; cpu and memory are required. */
  readonly requests: {
    /** CPU request. @example "500m" */
    readonly cpu: string;
    /** Memory request. @example "512Mi" */
    readonly memory: string;
    /** Ephemeral storage request. @example "256Mi" */
    readonly ephemeralStorage?: string;
  };
  /** Hard limits; memory is required. */
  readonly limits: {
    /** Memory limit (the container is OOM-killed above it). @example "1Gi" */
    readonly memory: string;
    /** CPU limit (throttling). @example "1000m" */
    readonly cpu?: string;
    /** Ephemeral storage limit. @example "1Gi" */
    readonly ephemeralStorage?: string;
  };
}

/** Horizontal Pod Autoscaler settings (autoscaling/v2, CPU utilisation). */
export interface ServiceAutoscaling {
  /** Fewest replicas; at least 2 in prod. */
  readonly minReplicas: number;
  /** Most replicas; at least `minReplicas`. */
  readonly maxReplicas: number;
  /** Average CPU utilisation (percent of the request) to aim for, 1-100. @example 70 */
  readonly targetCpuUtilization: number;
}

/** A public HTTPS entry point (networking.k8s.io/v1 Ingress with a cert-manager certificate). */
export interface ServiceIngress {
  /** The public host name. @example "api.codebook.example.com" */
  readonly host: string;
  /** The IngressClass. @default "nginx" */
  readonly className?: string;
  /** The Secret cert-manager writes the certificate into. @default `${name}-tls` */
  readonly tlsSecretName?: string;
  /** The cert-manager ClusterIssuer. @default "letsencrypt-prod" */
  readonly clusterIssuer?: string;
}

/** The pod's user, group and filesystem group (all non-root). */
export interface ServiceSecurityContext {
  /** UID the container runs as; never 0. @default 10001 */
  readonly runAsUser?: number;
  /** GID the container runs as; never 0. @default 10001 */
  readonly runAsGroup?: number;
  /** Group that owns mounted volumes; never 0. @default 10001 */
  readonly fsGroup?: number;
}

/** The writable scratch volume mounted at `/tmp` (the root filesystem is read-only). */
export interface ServiceTmpVolume {
  /** Back it by memory (counts against the memory limit) instead of node disk. @default false */
  readonly memory?: boolean;
  /** Largest size before the pod is evicted. @default "128Mi" */
  readonly sizeLimit?: string;
}

/** RollingUpdate parameters. */
export interface ServiceRollout {
  /** Pods that may be unavailable during a rollout. @default 0 */
  readonly maxUnavailable?: number | string;
  /** Extra pods that may be created during a rollout. @default 1 */
  readonly maxSurge?: number | string;
}

export interface KubernetesServiceArgs {
  /** Environment, product and owner; prod turns on the HA checks and the PDB. */
  readonly context: PlatformContext;
  /** The namespace to deploy into (created by the caller, never `default`). */
  readonly namespace: pulumi.Input<string>;
  /** The `app.kubernetes.io/component` label. @default "api" */
  readonly component?: string;
  /** The container image, tag pinned. */
  readonly image: ImageRef;
  /** The container port, named `http`. @example 8000 */
  readonly port: number;
  /** The ClusterIP Service port that forwards to `http`. @default 80 */
  readonly servicePort?: number;
  /** Path of the Prometheus metrics endpoint on the `http` port; when set a ServiceMonitor scrapes it. @example "/metrics" */
  readonly metricsPath?: string;
  /** Extra labels on the ServiceMonitor, for the Prometheus `serviceMonitorSelector`. @default {} */
  readonly serviceMonitorLabels?: Record<string, string>;
  /** Restarts the container when it fails; must differ from `readiness` in prod. */
  readonly liveness: Probe;
  /** Takes the pod out of the Service endpoints when it fails. */
  readonly readiness: Probe;
  /** Holds off liveness and readiness until the app has started. */
  readonly startup?: Probe;
  /** Requests (cpu and memory required) and limits (memory required). */
  readonly resources: ServiceResources;
  /** Replica count; at least 2 in prod. Ignored by the Deployment when `autoscaling` is set. */
  readonly replicas: number;
  /** Autoscale on CPU instead of a fixed replica count. */
  readonly autoscaling?: ServiceAutoscaling;
  /** Plain configuration, delivered through the ConfigMap `${name}-config`; no secrets here. @default {} */
  readonly env?: Record<string, string>;
  /** Secret configuration, delivered through the Secret `${name}-secrets` by `secretKeyRef`. @default {} */
  readonly secretEnv?: Record<string, pulumi.Input<string>>;
  /**
   * Key of the secret checksum (`envDigest`, components/secrets/env-digest.ts): with it the
   * annotation is an HMAC-SHA256 that says nothing about the values without the key (pass the
   * product's `SecretSet.digestKey`, which no app receives). @default none (a sha256, kept secret)
   */
  readonly checksumKey?: pulumi.Input<string>;
  /** Time between SIGTERM and SIGKILL. @default Duration.seconds(30) */
  readonly terminationGracePeriod?: Duration;
  /** Sleep in `preStop` so endpoints drain before SIGTERM; 0 disables it. @default Duration.seconds(5) */
  readonly preStopSleep?: Duration;
  /**
   * How the preStop sleep runs: `sleep` (native action, Kubernetes ≥ 1.30, fine on distroless
   * images) or `exec` (the image's `sleep` binary, for older clusters).
   * @default the stack's `preStopHook` (context.kubernetes), else "sleep"
   */
  readonly preStopHook?: PreStopHook;
  /** The non-root identity of the pod. @default { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 } */
  readonly securityContext?: ServiceSecurityContext;
  /** The scratch volume at `/tmp`. @default { memory: false, sizeLimit: "128Mi" } */
  readonly tmp?: ServiceTmpVolume;
  /** RollingUpdate parameters. @default { maxUnavailable: 0, maxSurge: 1 } */
  readonly rollout?: ServiceRollout;
  /** Namespace of the ingress controller allowed to reach `http`. @default "ingress-nginx" */
  readonly ingressControllerNamespace?: string;
  /** Namespace of Prometheus, allowed to reach `http`. @default "monitoring" */
  readonly prometheusNamespace?: string;
  /** TCP ports the pods may reach anywhere besides 443 and DNS. @default [] @example [5432] */
  readonly extraEgressPorts?: number[];
  /** A public HTTPS entry point. */
  readonly ingress?: ServiceIngress;
  /**
   * Pin each client to one pod, for long-lived streams (SSE): the Service's `sessionAffinity:
   * ClientIP`, and on the ingress (ingress-nginx) a cookie affinity, a one-hour read timeout and no
   * response buffering, so the proxy neither cuts nor holds back a stream. @default false
   */
  readonly sessionAffinity?: boolean;
  /**
   * A command run to completion in the workload's own image before its Deployment rolls out (seed
   * 001 §3.3 "Run migrations before deploying new code"): a `batch/v1` Job named per release, with
   * the Deployment's image, ConfigMap, Secret (`secretKeyRef`), ServiceAccount, pod and container
   * security context, resources and `/tmp`, and a NetworkPolicy with the Deployment's egress. The
   * Deployment `dependsOn` the Job, so a failed Job stops the rollout (see release-jobs.ts for how
   * the provider waits). @default none
   */
  readonly migration?: ServiceMigration;
  /** Adjust a child's args before it is created. */
  readonly transform?: {
    readonly serviceAccount?: Transform<k8s.core.v1.ServiceAccountArgs>;
    readonly configMap?: Transform<k8s.core.v1.ConfigMapArgs>;
    readonly secret?: Transform<k8s.core.v1.SecretArgs>;
    readonly deployment?: Transform<k8s.apps.v1.DeploymentArgs>;
    readonly migrationJob?: Transform<k8s.batch.v1.JobArgs>;
    readonly service?: Transform<k8s.core.v1.ServiceArgs>;
    readonly podDisruptionBudget?: Transform<k8s.policy.v1.PodDisruptionBudgetArgs>;
    readonly autoscaler?: Transform<k8s.autoscaling.v2.HorizontalPodAutoscalerArgs>;
    readonly networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
    readonly serviceMonitor?: Transform<k8s.apiextensions.CustomResourceArgs>;
    readonly ingress?: Transform<k8s.networking.v1.IngressArgs>;
  };
}

/** A workload's migration, run as a Job before its Deployment rolls out (`KubernetesServiceArgs.migration`). */
export interface ServiceMigration {
  /** The command and its arguments, in the workload's image. @example ["npx", "prisma", "migrate", "deploy"] */
  readonly command: readonly string[];
  /** The Job's name, one per release: `releaseJobName(<workload>, "migrate", imageReference(image))`. */
  readonly jobName: string;
  /** Resources the Job waits for (the pre-deploy backup's Job). @default [] */
  readonly dependsOn?: readonly pulumi.Resource[];
  /**
   * Kill the migration after this long (`activeDeadlineSeconds`); `pulumi up` waits 5 minutes more.
   * @default MIGRATION_ACTIVE_DEADLINE (15 minutes)
   */
  readonly activeDeadline?: Duration;
}

/**
 * How long a migration may run: 15 minutes. Seed 001 §3.3 "Avoid long-running migrations (lock
 * tables)": a migration that takes longer is holding locks the running version waits on.
 */
export const MIGRATION_ACTIVE_DEADLINE = Duration.minutes(15);
/**
 * Retries of a failed migration: none. A migration that failed half-way is not run again blindly
 * (Prisma refuses anyway, P3009, until the failed migration is resolved); `pulumi.com/replaceUnready`
 * runs it again on the next `up`, once someone has looked.
 */
export const MIGRATION_BACKOFF_LIMIT = 0;
/** The name of the migration Job's container. */
export const MIGRATION_CONTAINER_NAME = "migrate";

/** Defaults, written once; the caller's args are spread over them. */
const DEFAULTS = {
  component: "api",
  servicePort: 80,
  serviceMonitorLabels: {} as Record<string, string>,
  env: {} as Record<string, string>,
  secretEnv: {} as Record<string, pulumi.Input<string>>,
  terminationGracePeriod: Duration.seconds(30), // seed 002: Render sends SIGTERM and waits 30 s before SIGKILL
  preStopSleep: Duration.seconds(5),
  securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
  tmp: { memory: false, sizeLimit: "128Mi" },
  rollout: { maxUnavailable: 0 as number | string, maxSurge: 1 as number | string },
  ingressControllerNamespace: "ingress-nginx",
  prometheusNamespace: "monitoring",
  extraEgressPorts: [] as number[],
  ingress: { className: "nginx", clusterIssuer: "letsencrypt-prod" },
} as const;

type Resolved = Omit<
  Required<KubernetesServiceArgs>,
  "startup" | "autoscaling" | "metricsPath" | "ingress" | "transform" | "securityContext" | "tmp" | "rollout" | "preStopHook" | "checksumKey" | "migration"
> & {
  readonly migration?: ServiceMigration;
  readonly checksumKey?: pulumi.Input<string>;
  readonly preStopHook: PreStopHook;
  readonly startup?: Probe;
  readonly autoscaling?: ServiceAutoscaling;
  readonly metricsPath?: string;
  readonly ingress?: Required<ServiceIngress>;
  readonly transform: NonNullable<KubernetesServiceArgs["transform"]>;
  readonly securityContext: Required<ServiceSecurityContext>;
  readonly tmp: Required<ServiceTmpVolume>;
  readonly rollout: Required<ServiceRollout>;
};

/** Applies the defaults (nested objects merged one level deep). */
export function resolveKubernetesServiceArgs(name: string, args: KubernetesServiceArgs): Resolved {
  return {
    ...DEFAULTS,
    ...definedOnly(args),
    securityContext: { ...DEFAULTS.securityContext, ...definedOnly(args.securityContext ?? {}) },
    tmp: { ...DEFAULTS.tmp, ...definedOnly(args.tmp ?? {}) },
    rollout: { ...DEFAULTS.rollout, ...definedOnly(args.rollout ?? {}) },
    ingress: args.ingress ? { ...DEFAULTS.ingress, tlsSecretName: `${name}-tls`, ...definedOnly(args.ingress) } : undefined,
    preStopHook: args.preStopHook ?? preStopHookOf(args.context),
    transform: args.transform ?? {},
  } as Resolved;
}

/**
 * A hardened HTTP backend on Kubernetes. Children (logical name = Kubernetes name unless noted):
 * ServiceAccount `${name}-service-account` (k8s `${name}`), ConfigMap `${name}-config`, Secret
 * `${name}-secrets`, Deployment `${name}-deployment` (k8s `${name}`), Service `${name}-service`
 * (k8s `${name}`), PodDisruptionBudget `${name}-pdb`, HorizontalPodAutoscaler `${name}-hpa`,
 * NetworkPolicies `${name}-default-deny` and `${name}-allow`, ServiceMonitor `${name}-service-monitor`
 * and Ingress `${name}-ingress`.
 */
export class KubernetesService extends pulumi.ComponentResource {
  /** The Deployment. */
  readonly deployment: k8s.apps.v1.Deployment;
  /** The ClusterIP Service in front of it. */
  readonly service: k8s.core.v1.Service;
  /** The Service's name. */
  readonly serviceName: pulumi.Output<string>;
  /** `http://<service>.<namespace>.svc.cluster.local:<servicePort>`. */
  readonly internalUrl: pulumi.Output<string>;
  /** Name of the Secret holding `secretEnv`; undefined when there are no secrets. */
  readonly secretName: pulumi.Output<string> | undefined;
  /** Name of the workload's dedicated ServiceAccount. */
  readonly serviceAccountName: pulumi.Output<string>;
  /** The labels the Deployment, Service, PDB and NetworkPolicies select on. */
  readonly selectorLabels: Record<string, string>;
  /**
   * The `job` label of the scraped series when `metricsPath` is set, else undefined. The
   * Prometheus Operator labels a ServiceMonitor's series with the Service's name (no `jobLabel`
   * is set), and the Service is named `name`. Alert builders take the job from here.
   */
  readonly jobLabel: string | undefined;
  /** The Deployment's name (its pods are `<name>-<hash>-<id>`), known when the component is built. */
  readonly deploymentName: string;
  /** The migration Job the Deployment waits for, when `migration` is set. */
  readonly migrationJob: k8s.batch.v1.Job | undefined;

  private readonly args: Resolved;
  private readonly labels: Record<string, string>;

  constructor(name: string, args: KubernetesServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KUBERNETES_SERVICE_TYPE, name, {}, opts);
    validateKubernetesServiceArgs(name, args);
    this.args = resolveKubernetesServiceArgs(name, args);
    this.labels = recommendedLabels(this.args.context, name, this.args.component);
    this.selectorLabels = selectorLabelsOf(this.labels);
    this.jobLabel = this.args.metricsPath === undefined ? undefined : name;
    this.deploymentName = name;

    const serviceAccount = this.createServiceAccount(name);
    const configMap = this.createConfigMap(name);
    const secret = this.createSecret(name);
    this.migrationJob = this.createMigration(name, serviceAccount, configMap, secret);
    this.deployment = this.createDeployment(name, serviceAccount, configMap, secret, this.migrationJob);
    this.service = this.createService(name);
    this.createPodDisruptionBudget(name);
    this.createAutoscaler(name);
    this.createNetworkPolicies(name);
    this.createServiceMonitor(name);
    this.createIngress(name);

    this.serviceName = this.service.metadata.name;
    this.internalUrl = pulumi.interpolate`http://${this.service.metadata.name}.${this.service.metadata.namespace}.svc.cluster.local:${this.args.servicePort}`;
    this.secretName = secret?.metadata.name;
    this.serviceAccountName = serviceAccount.metadata.name;

    this.registerOutputs({
      deployment: this.deployment,
      service: this.service,
      serviceName: this.serviceName,
      internalUrl: this.internalUrl,
      secretName: this.secretName,
      serviceAccountName: this.serviceAccountName,
      selectorLabels: this.selectorLabels,
    });
  }

  private metadata(k8sName: string, extraLabels: Record<string, string> = {}) {
    return { name: k8sName, namespace: this.args.namespace, labels: { ...this.labels, ...extraLabels } };
  }

  private get podSelector() {
    return { matchLabels: this.selectorLabels };
  }

  private createServiceAccount(name: string): k8s.core.v1.ServiceAccount {
    const args: k8s.core.v1.ServiceAccountArgs = {
      metadata: this.metadata(name),
      automountServiceAccountToken: false,
    };
    return new k8s.core.v1.ServiceAccount(`${name}-service-account`, transform(this.args.transform.serviceAccount, args), {
      parent: this,
    });
  }

  private createConfigMap(name: string): k8s.core.v1.ConfigMap | undefined {
    if (Object.keys(this.args.env).length === 0) return undefined;
    const args: k8s.core.v1.ConfigMapArgs = {
      metadata: this.metadata(`${name}-config`),
      data: sortedRecord(this.args.env),
    };
    return new k8s.core.v1.ConfigMap(`${name}-config`, transform(this.args.transform.configMap, args), { parent: this });
  }

  private createSecret(name: string): k8s.core.v1.Secret | undefined {
    const entries = Object.entries(this.args.secretEnv);
    if (entries.length === 0) return undefined;
    const args: k8s.core.v1.SecretArgs = {
      metadata: this.metadata(`${name}-secrets`),
      type: "Opaque",
      stringData: Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, pulumi.secret(v)])),
    };
    return new k8s.core.v1.Secret(`${name}-secrets`, transform(this.args.transform.secret, args), { parent: this });
  }

  /**
   * What the app container and the migration container share: the image (same pin), the
   * ConfigMap by `envFrom`, each secret by `secretKeyRef`, resources, the restricted security
   * context and `/tmp`.
   */
  private appContainerBase(
    configMap: k8s.core.v1.ConfigMap | undefined,
    secret: k8s.core.v1.Secret | undefined,
  ): Pick<k8s.types.input.core.v1.Container, "image" | "imagePullPolicy" | "envFrom" | "env" | "resources" | "securityContext" | "volumeMounts"> {
    const a = this.args;
    const secretNames = Object.keys(a.secretEnv).sort((x, y) => x.localeCompare(y));
    return {
      image: imageReference(a.image),
      imagePullPolicy: "IfNotPresent",
      envFrom: configMap ? [{ configMapRef: { name: configMap.metadata.name } }] : undefined,
      env: secret ? secretNames.map((key) => secretEnv(secret.metadata.name, key)) : undefined,
      resources: resourceRequirements(a.resources),
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: a.securityContext.runAsUser,
        runAsGroup: a.securityContext.runAsGroup,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
      volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    };
  }

  /** The pod-spec fields the Deployment's pods and the migration's pod share: identity, security context, `/tmp`. */
  private podBase(serviceAccount: k8s.core.v1.ServiceAccount): CommonPodSpec & Pick<k8s.types.input.core.v1.PodSpec, "volumes"> {
    const a = this.args;
    return {
      ...commonPodSpec(a.context, {
        serviceAccountName: serviceAccount.metadata.name,
        runAsUser: a.securityContext.runAsUser,
        runAsGroup: a.securityContext.runAsGroup,
        fsGroup: a.securityContext.fsGroup,
      }),
      volumes: [
        {
          name: "tmp",
          emptyDir: { medium: a.tmp.memory ? "Memory" : undefined, sizeLimit: a.tmp.sizeLimit },
        },
      ],
    };
  }

  /** The egress every pod of the workload gets: DNS, then 443 and `extraEgressPorts` to any destination. */
  private egressRules(): k8s.types.input.networking.v1.NetworkPolicyEgressRule[] {
    return [
      dnsEgressRule(),
      {
        // No `to`: any destination, on these ports only.
        ports: [443, ...this.args.extraEgressPorts].map((port) => ({ protocol: "TCP", port })),
      },
    ];
  }

  /**
   * The migration Job (`migration`) and its NetworkPolicy: the workload's image, environment,
   * identity and egress, its own pod labels (so neither the Service nor the PDB selects it), no
   * ingress, no retries, a deadline; named per release (the Deployment `dependsOn` it).
   */
  private createMigration(
    name: string,
    serviceAccount: k8s.core.v1.ServiceAccount,
    configMap: k8s.core.v1.ConfigMap | undefined,
    secret: k8s.core.v1.Secret | undefined,
  ): k8s.batch.v1.Job | undefined {
    const a = this.args;
    const m = a.migration;
    if (!m) return undefined;
    const labels = recommendedLabels(a.context, `${name}-migrate`, `${a.component}-migration`);
    const selector = selectorLabelsOf(labels);
    const policyArgs: k8s.networking.v1.NetworkPolicyArgs = {
      metadata: { name: `${name}-migrate`, namespace: a.namespace, labels },
      spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress", "Egress"], ingress: [], egress: this.egressRules() },
    };
    const policy = new k8s.networking.v1.NetworkPolicy(`${name}-migrate-network-policy`, transform(a.transform.networkPolicy, policyArgs), { parent: this });
    const base = this.appContainerBase(configMap, secret);
    const activeDeadline = m.activeDeadline ?? MIGRATION_ACTIVE_DEADLINE;
    const args: k8s.batch.v1.JobArgs = {
      metadata: {
        name: m.jobName,
        namespace: a.namespace,
        labels,
        annotations: { ...RELEASE_JOB_ANNOTATIONS, ...jobLogsHint(m.jobName, a.namespace) },
      },
      spec: {
        activeDeadlineSeconds: activeDeadline.toSeconds(),
        backoffLimit: MIGRATION_BACKOFF_LIMIT,
        template: {
          metadata: { labels },
          spec: {
            ...this.podBase(serviceAccount),
            restartPolicy: "Never",
            containers: [
              {
                name: MIGRATION_CONTAINER_NAME,
                ...base,
                command: [...m.command],
                // The root filesystem is read-only: tools that write under $HOME (npx's cache and
                // logs, Prisma's engine checks) write to the pod's /tmp instead.
                env: [...((base.env as k8s.types.input.core.v1.EnvVar[] | undefined) ?? []), { name: "HOME", value: "/tmp" }],
              },
            ],
          },
        },
      },
    };
    return new k8s.batch.v1.Job(`${name}-migration`, transform(a.transform.migrationJob, args), {
      parent: this,
      // Its egress policy first, so the migration can reach the database when it starts.
      dependsOn: [...(m.dependsOn ?? []), policy],
      customTimeouts: releaseJobTimeouts(activeDeadline),
    });
  }

  private createDeployment(
    name: string,
    serviceAccount: k8s.core.v1.ServiceAccount,
    configMap: k8s.core.v1.ConfigMap | undefined,
    secret: k8s.core.v1.Secret | undefined,
    migration: k8s.batch.v1.Job | undefined,
  ): k8s.apps.v1.Deployment {
    const a = this.args;
    const annotations: Record<string, pulumi.Input<string>> = {};
    if (configMap) annotations[CONFIG_CHECKSUM_ANNOTATION] = configChecksum(a.env);
    if (secret) annotations[SECRET_CHECKSUM_ANNOTATION] = secretChecksum(a.secretEnv, a.checksumKey);

    const preStop = a.preStopSleep.toSeconds();
    const { image, imagePullPolicy, envFrom, env, resources, securityContext, volumeMounts } = this.appContainerBase(configMap, secret);
    const container: k8s.types.input.core.v1.Container = {
      name: APP_CONTAINER_NAME,
      image,
      imagePullPolicy,
      ports: [{ name: HTTP_PORT_NAME, containerPort: a.port, protocol: "TCP" }],
      envFrom,
      env,
      resources,
      livenessProbe: a.liveness.toKubernetes(),
      readinessProbe: a.readiness.toKubernetes(),
      startupProbe: a.startup?.toKubernetes(),
      lifecycle: preStopLifecycle(preStop, a.preStopHook),
      securityContext,
      volumeMounts,
    };

    const args: k8s.apps.v1.DeploymentArgs = {
      metadata: this.metadata(name),
      spec: {
        // With an HPA the autoscaler owns the replica count; setting it here would reset it on every update.
        replicas: a.autoscaling ? undefined : a.replicas,
        selector: this.podSelector,
        // Kept explicitly (Kubernetes' default, which a cluster or a transform could otherwise change):
        // the old ReplicaSets `kubectl rollout undo` returns to during an incident (README "Roll back").
        revisionHistoryLimit: REVISION_HISTORY_LIMIT,
        strategy: {
          type: "RollingUpdate",
          rollingUpdate: { maxUnavailable: a.rollout.maxUnavailable, maxSurge: a.rollout.maxSurge },
        },
        template: {
          metadata: {
            labels: this.labels,
            annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
          },
          spec: {
            ...this.podBase(serviceAccount),
            terminationGracePeriodSeconds: a.terminationGracePeriod.toSeconds(),
            topologySpreadConstraints: maxReplicasOf(a) > 1 ? this.topologySpread() : undefined,
            containers: [container],
          },
        },
      },
    };
    // seed 001 §3.3 "Run migrations before deploying new code": the rollout waits for the migration.
    return new k8s.apps.v1.Deployment(`${name}-deployment`, transform(a.transform.deployment, args), {
      parent: this,
      dependsOn: migration ? [migration] : undefined,
    });
  }

  /** One replica per node where possible (hard), spread over zones (soft). */
  private topologySpread(): k8s.types.input.core.v1.TopologySpreadConstraint[] {
    const common = {
      maxSkew: 1,
      labelSelector: this.podSelector,
      // Count only the pods of one ReplicaSet, so a rollout is not blocked by the old pods.
      matchLabelKeys: ["pod-template-hash"],
      // Nodes this pod cannot run on (tainted control plane) must not count as empty domains.
      nodeTaintsPolicy: "Honor",
    };
    return [
      { ...common, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" },
      { ...common, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
    ];
  }

  private createService(name: string): k8s.core.v1.Service {
    const args: k8s.core.v1.ServiceArgs = {
      metadata: this.metadata(name),
      spec: {
        type: "ClusterIP",
        selector: this.selectorLabels,
        ports: [{ name: HTTP_PORT_NAME, port: this.args.servicePort, targetPort: HTTP_PORT_NAME, protocol: "TCP" }],
        ...(this.args.sessionAffinity ? { sessionAffinity: "ClientIP" } : {}),
      },
    };
    return new k8s.core.v1.Service(`${name}-service`, transform(this.args.transform.service, args), { parent: this });
  }

  private createPodDisruptionBudget(name: string): k8s.policy.v1.PodDisruptionBudget | undefined {
    if (!needsPodDisruptionBudget(this.args)) return undefined;
    const args: k8s.policy.v1.PodDisruptionBudgetArgs = {
      metadata: this.metadata(`${name}-pdb`),
      spec: {
        // Must allow disruption, or node drains block forever (`kubernetes-disallow-blocking-pod-disruption-budget`).
        maxUnavailable: 1,
        selector: this.podSelector,
        // A pod that is not Ready anyway may be evicted, so a crash-looping pod cannot block a drain.
        unhealthyPodEvictionPolicy: "AlwaysAllow",
      },
    };
    return new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, transform(this.args.transform.podDisruptionBudget, args), {
      parent: this,
    });
  }

  private createAutoscaler(name: string): k8s.autoscaling.v2.HorizontalPodAutoscaler | undefined {
    const hpa = this.args.autoscaling;
    if (!hpa) return undefined;
    const args: k8s.autoscaling.v2.HorizontalPodAutoscalerArgs = {
      metadata: this.metadata(`${name}-hpa`),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: this.deployment.metadata.name },
        minReplicas: hpa.minReplicas,
        maxReplicas: hpa.maxReplicas,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: hpa.targetCpuUtilization } },
          },
        ],
      },
    };
    return new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, transform(this.args.transform.autoscaler, args), {
      parent: this,
    });
  }

  private createNetworkPolicies(name: string): k8s.networking.v1.NetworkPolicy[] {
    const a = this.args;
    const fromNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
    const denyArgs: k8s.networking.v1.NetworkPolicyArgs = {
      metadata: this.metadata(`${name}-default-deny`),
      spec: { podSelector: this.podSelector, policyTypes: ["Ingress", "Egress"] },
    };
    const allowArgs: k8s.networking.v1.NetworkPolicyArgs = {
      metadata: this.metadata(`${name}-allow`),
      spec: {
        podSelector: this.podSelector,
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          {
            from: [fromNamespace(a.ingressControllerNamespace), fromNamespace(a.prometheusNamespace)],
            ports: [{ protocol: "TCP", port: HTTP_PORT_NAME }],
          },
        ],
        egress: this.egressRules(),
      },
    };
    const t = a.transform.networkPolicy;
    return [
      new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, transform(t, denyArgs), { parent: this }),
      new k8s.networking.v1.NetworkPolicy(`${name}-allow`, transform(t, allowArgs), { parent: this }),
    ];
  }

  private createServiceMonitor(name: string): k8s.apiextensions.CustomResource | undefined {
    const path = this.args.metricsPath;
    if (path === undefined) return undefined;
    const args: k8s.apiextensions.CustomResourceArgs = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: this.metadata(`${name}-service-monitor`, this.args.serviceMonitorLabels),
      spec: {
        selector: this.podSelector,
        endpoints: [{ port: HTTP_PORT_NAME, path, scheme: "http" }],
      },
    };
    return new k8s.apiextensions.CustomResource(`${name}-service-monitor`, transform(this.args.transform.serviceMonitor, args), {
      parent: this,
    });
  }

  private createIngress(name: string): k8s.networking.v1.Ingress | undefined {
    const ing = this.args.ingress;
    if (!ing) return undefined;
    const args: k8s.networking.v1.IngressArgs = {
      metadata: {
        ...this.metadata(`${name}-ingress`),
        annotations: {
          "cert-manager.io/cluster-issuer": ing.clusterIssuer,
          ...(this.args.sessionAffinity ? STREAMING_INGRESS_ANNOTATIONS : {}),
        },
      },
      spec: {
        ingressClassName: ing.className,
        tls: [{ hosts: [ing.host], secretName: ing.tlsSecretName }],
        rules: [
          {
            host: ing.host,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: this.service.metadata.name, port: { name: HTTP_PORT_NAME } } },
                },
              ],
            },
          },
        ],
      },
    };
    return new k8s.networking.v1.Ingress(`${name}-ingress`, transform(this.args.transform.ingress, args), { parent: this });
  }
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for tests and for the lead's wiring)
// ---------------------------------------------------------------------------------------------

/** The two labels every selector uses: `app.kubernetes.io/name` and `app.kubernetes.io/instance`. */
export function selectorLabelsOf(labels: Record<string, string>): Record<string, string> {
  return {
    "app.kubernetes.io/name": labels["app.kubernetes.io/name"],
    "app.kubernetes.io/instance": labels["app.kubernetes.io/instance"],
  };
}

/**
 * ReplicaSets each Deployment keeps for `kubectl rollout undo` (seed 001 §3.4 "keep blue running for
 * quick rollback"): the previous versions stay one command away while the release workflow's PR
 * with the previous tag makes the rollback permanent.
 */
export const REVISION_HISTORY_LIMIT = 10;

/** `repository:tag`, `repository@digest` or `repository:tag@digest`. */
export function imageReference(image: ImageRef): string {
  return `${image.repository}${image.tag ? `:${image.tag}` : ""}${image.digest ? `@${image.digest}` : ""}`;
}

/**
 * The release an image stands for, for error tracking (`SENTRY_RELEASE`): its tag, or its digest
 * when only a digest pins it. Derived from the same `ImageRef` as `imageReference`, so the release
 * a workload reports is always the image it runs.
 */
export function imageRelease(image: ImageRef): string {
  return image.tag ?? image.digest ?? "";
}

/** Whether a PDB is created: always in prod, and whenever more than one replica runs. */
export function needsPodDisruptionBudget(args: Pick<Resolved, "context" | "replicas" | "autoscaling">): boolean {
  const min = args.autoscaling ? args.autoscaling.minReplicas : args.replicas;
  return isProd(args.context) || min > 1;
}

function maxReplicasOf(args: Pick<Resolved, "replicas" | "autoscaling">): number {
  return args.autoscaling ? args.autoscaling.maxReplicas : args.replicas;
}

/** sha256 (hex) of the ConfigMap data, sorted by key (`digestValues`; the values are not secret). */
export function configChecksum(env: Record<string, string>): string {
  return digestValues(env);
}

/**
 * The digest of the Secret data (`envDigest`, the one mechanism Vercel apps redeploy on too):
 * HMAC-SHA256 with `key`, sha256 without; computed in an apply and kept secret.
 */
export function secretChecksum(secretEnv: Record<string, pulumi.Input<string>>, key?: pulumi.Input<string>): pulumi.Output<string> {
  return envDigest(secretEnv, key);
}

function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** ingress-nginx annotations of a `sessionAffinity` service: sticky clients, streams neither cut at 60 s nor buffered. */
const STREAMING_INGRESS_ANNOTATIONS = {
  "nginx.ingress.kubernetes.io/affinity": "cookie",
  "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
  "nginx.ingress.kubernetes.io/proxy-buffering": "off",
} as const;

function resourceRequirements(r: ServiceResources): k8s.types.input.core.v1.ResourceRequirements {
  const pick = (q: { cpu?: string; memory?: string; ephemeralStorage?: string }) => {
    const out: Record<string, string> = {};
    if (q.cpu !== undefined) out.cpu = q.cpu;
    if (q.memory !== undefined) out.memory = q.memory;
    if (q.ephemeralStorage !== undefined) out["ephemeral-storage"] = q.ephemeralStorage;
    return out;
  };
  return { requests: pick(r.requests), limits: pick(r.limits) };
}

const QUANTITY = /^\+?(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?\d+)?$/;
const SUFFIX: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The numeric value of a Kubernetes quantity (`500m` → 0.5, `1Gi` → 1073741824), or undefined. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q !== "string") return undefined;
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const [, num, suffix = ""] = m;
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  return Number(num) * factor;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const INT_OR_PERCENT = /^\d+%$/;

/**
 * Checks the args synchronously, before any resource exists, and throws one `ValidationError`
 * listing every problem. Pure: tests call it directly.
 */
export function validateKubernetesServiceArgs(name: string, args: KubernetesServiceArgs): void {
  throwIfInvalid("KubernetesService", name, kubernetesServiceProblems(name, args));
}

/** Every problem with the args (empty when valid). */
export function kubernetesServiceProblems(name: string, args: KubernetesServiceArgs): string[] {
  const p: string[] = [];
  const a = args as Partial<KubernetesServiceArgs>;
  const prod = a.context ? isProd(a.context) : false;

  if (typeof name !== "string" || name.length > 63 || !DNS_1035_LABEL.test(name)) {
    p.push(
      `\`name\` must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, at most 63 characters), got ${JSON.stringify(name)}; e.g. "codebook-backend".`,
    );
  }
  if (!a.context) p.push("`context` is required: pass the stack's PlatformContext.");
  if (a.namespace === undefined || a.namespace === null || a.namespace === "") {
    p.push("`namespace` is required: pass the product's namespace (created by the caller).");
  } else if (typeof a.namespace === "string" && (!isDnsLabel(a.namespace) || a.namespace === "default")) {
    p.push(`\`namespace\` must be a DNS label other than "default", got ${JSON.stringify(a.namespace)}; use the product's namespace, e.g. "codebook".`);
  }
  if (a.component !== undefined && !isDnsLabel(a.component)) {
    p.push(`\`component\` must be a DNS label, got ${JSON.stringify(a.component)}; e.g. "api".`);
  }

  // Image
  const img = a.image;
  if (!img || typeof img.repository !== "string" || img.repository.trim() === "") {
    p.push('`image.repository` is required, e.g. "ghcr.io/acme/codebook-backend".');
  } else {
    const lastSegment = img.repository.slice(img.repository.lastIndexOf("/") + 1);
    if (/\s/.test(img.repository) || img.repository.includes("@") || lastSegment.includes(":")) {
      p.push(
        `\`image.repository\` must be a repository without tag or digest, got ${JSON.stringify(img.repository)}; put the tag in \`image.tag\` and the digest in \`image.digest\`.`,
      );
    }
  }
  if (img) {
    if (img.tag === undefined && img.digest === undefined) {
      p.push('`image.tag` is required (a pinned version such as "1.4.2"), unless `image.digest` pins the image.');
    }
    if (img.tag !== undefined) {
      if (typeof img.tag !== "string" || img.tag.trim() === "") {
        p.push('`image.tag` must not be empty; pin a version such as "1.4.2".');
      } else if (img.tag.toLowerCase() === "latest") {
        p.push('`image.tag` must be pinned, never "latest" (a mutable tag makes rollouts unreproducible); use a version or commit tag such as "1.4.2".');
      } else if (!TAG.test(img.tag)) {
        p.push(`\`image.tag\` ${JSON.stringify(img.tag)} is not a valid tag (letters, digits, "_", "." and "-", at most 128 characters).`);
      }
    }
    if (img.digest !== undefined && (typeof img.digest !== "string" || !DIGEST.test(img.digest))) {
      p.push(`\`image.digest\` must look like "sha256:" followed by 64 lowercase hex characters, got ${JSON.stringify(img.digest)}.`);
    }
  }

  // Ports and paths
  if (!isPort(a.port)) p.push(`\`port\` must be a whole number from 1 to 65535, got ${JSON.stringify(a.port)}; use the port the app listens on, e.g. 8000.`);
  if (a.servicePort !== undefined && !isPort(a.servicePort)) {
    p.push(`\`servicePort\` must be a whole number from 1 to 65535, got ${JSON.stringify(a.servicePort)}; the default is 80.`);
  }
  if (a.metricsPath !== undefined && (typeof a.metricsPath !== "string" || !a.metricsPath.startsWith("/"))) {
    p.push(`\`metricsPath\` must start with "/", got ${JSON.stringify(a.metricsPath)}; e.g. "/metrics".`);
  }

  // Probes
  const probes: Array<["liveness" | "readiness" | "startup", Probe | undefined, boolean]> = [
    ["liveness", a.liveness, true],
    ["readiness", a.readiness, true],
    ["startup", a.startup, false],
  ];
  for (const [field, probe, required] of probes) {
    if (probe === undefined) {
      if (required) p.push(`\`${field}\` is required: build it with Probe.httpGet(path, { port }) or Probe.tcp({ port }).`);
      continue;
    }
    if (!(probe instanceof Probe)) {
      p.push(`\`${field}\` must be a Probe built with Probe.httpGet(...) or Probe.tcp(...).`);
      continue;
    }
    if (isPort(a.port) && probe.port !== a.port) {
      p.push(`\`${field}\` probes port ${probe.port} but the container port is ${a.port}; probe the container port.`);
    }
    if (field !== "readiness" && probe.successThreshold !== 1) {
      p.push(`\`${field}.successThreshold\` must be 1 (Kubernetes rejects other values for ${field} probes), got ${probe.successThreshold}.`);
    }
  }
  if (prod && a.liveness instanceof Probe && a.readiness instanceof Probe && a.liveness.isSameAs(a.readiness)) {
    p.push(
      "`liveness` and `readiness` must not be identical in prod: readiness should check dependencies (e.g. /health/ready) or at least use its own timings, while liveness only checks the process.",
    );
  }

  // Resources
  const r = a.resources;
  const quantity = (field: string, q: unknown, required: boolean) => {
    if (q === undefined || q === null || q === "") {
      if (required)
        p.push(
          `\`resources.${field}\` is required (policy: cpu and memory requests and a memory limit); e.g. ${field.endsWith("cpu") ? '"500m"' : '"512Mi"'}.`,
        );
      return;
    }
    if (parseQuantity(q) === undefined) {
      p.push(`\`resources.${field}\` must be a Kubernetes quantity such as "500m" or "512Mi", got ${JSON.stringify(q)}.`);
    }
  };
  quantity("requests.cpu", r?.requests?.cpu, true);
  quantity("requests.memory", r?.requests?.memory, true);
  quantity("requests.ephemeralStorage", r?.requests?.ephemeralStorage, false);
  quantity("limits.memory", r?.limits?.memory, true);
  quantity("limits.cpu", r?.limits?.cpu, false);
  quantity("limits.ephemeralStorage", r?.limits?.ephemeralStorage, false);
  for (const key of ["cpu", "memory", "ephemeralStorage"] as const) {
    const req = parseQuantity(r?.requests?.[key]);
    const lim = parseQuantity(r?.limits?.[key]);
    if (req !== undefined && lim !== undefined && req > lim) {
      p.push(`\`resources.requests.${key}\` (${r!.requests[key]}) must not exceed \`resources.limits.${key}\` (${r!.limits[key]}).`);
    }
  }

  // Replicas and autoscaling
  if (!Number.isInteger(a.replicas) || (a.replicas as number) < 1) {
    p.push(`\`replicas\` must be a whole number >= 1, got ${JSON.stringify(a.replicas)}.`);
  } else if (prodReplicasProblem(prod ? "prod" : "staging", a.replicas as number)) {
    p.push(
      `\`replicas\` must be at least ${MIN_PROD_REPLICAS} in prod (one pod is a single point of failure), got ${a.replicas}; set replicas: ${MIN_PROD_REPLICAS} or more.`,
    );
  }
  const hpa = a.autoscaling;
  if (hpa) {
    if (!Number.isInteger(hpa.minReplicas) || hpa.minReplicas < 1) {
      p.push(`\`autoscaling.minReplicas\` must be a whole number >= 1, got ${JSON.stringify(hpa.minReplicas)}.`);
    } else if (prodReplicasProblem(prod ? "prod" : "staging", hpa.minReplicas)) {
      p.push(`\`autoscaling.minReplicas\` must be at least ${MIN_PROD_REPLICAS} in prod, got ${hpa.minReplicas}.`);
    }
    if (!Number.isInteger(hpa.maxReplicas) || hpa.maxReplicas < hpa.minReplicas) {
      p.push(`\`autoscaling.maxReplicas\` must be a whole number >= \`autoscaling.minReplicas\` (${hpa.minReplicas}), got ${JSON.stringify(hpa.maxReplicas)}.`);
    }
    if (!Number.isInteger(hpa.targetCpuUtilization) || hpa.targetCpuUtilization < 1 || hpa.targetCpuUtilization > 100) {
      p.push(`\`autoscaling.targetCpuUtilization\` must be a whole percentage from 1 to 100, got ${JSON.stringify(hpa.targetCpuUtilization)}; e.g. 70.`);
    }
  }

  // Environment
  const env = a.env ?? {};
  const secretEnv = a.secretEnv ?? {};
  for (const [key, value] of Object.entries(env)) {
    if (!ENV_NAME.test(key)) {
      p.push(`\`env.${key}\` is not a valid environment variable name (letters, digits and "_", not starting with a digit).`);
    }
    if (SECRET_LOOKING_NAME.test(key)) {
      p.push(`\`env.${key}\` looks like a secret; plain env ends up in a ConfigMap in clear text. Move it to \`secretEnv\`.`);
    } else if (typeof value !== "string") {
      p.push(`\`env.${key}\` must be a string, got ${typeof value}; secrets and Outputs belong in \`secretEnv\`.`);
    } else if (SECRET_LOOKING_VALUE.some((re) => re.test(value))) {
      p.push(`\`env.${key}\` holds a value that looks like a credential (key, token or URL with a password). Move it to \`secretEnv\`.`);
    }
  }
  for (const key of Object.keys(secretEnv)) {
    if (!ENV_NAME.test(key)) {
      p.push(`\`secretEnv.${key}\` is not a valid environment variable name (letters, digits and "_", not starting with a digit).`);
    }
    if (Object.prototype.hasOwnProperty.call(env, key)) {
      p.push(
        `\`${key}\` is set in both \`env\` and \`secretEnv\`; duplicate env names are ambiguous. Keep it only in \`secretEnv\` if it is secret, else only in \`env\`.`,
      );
    }
  }

  // Shutdown
  const grace = a.terminationGracePeriod?.toSeconds();
  const sleep = a.preStopSleep?.toSeconds();
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 1)) {
    p.push(`\`terminationGracePeriod\` must be whole seconds >= 1, got ${grace}s.`);
  }
  if (sleep !== undefined && !Number.isInteger(sleep)) {
    p.push(`\`preStopSleep\` must be whole seconds, got ${sleep}s.`);
  }
  if (a.preStopHook !== undefined && !(PRE_STOP_HOOKS as readonly string[]).includes(a.preStopHook)) {
    p.push(
      `\`preStopHook\` must be one of ${PRE_STOP_HOOKS.map((h) => `"${h}"`).join(", ")}, got ${JSON.stringify(a.preStopHook)}; "sleep" needs Kubernetes 1.30 or later, "exec" a \`sleep\` binary in the image.`,
    );
  }
  const effGrace = grace ?? DEFAULTS.terminationGracePeriod.toSeconds();
  const effSleep = sleep ?? DEFAULTS.preStopSleep.toSeconds();
  if (effSleep >= effGrace) {
    p.push(`\`preStopSleep\` (${effSleep}s) must be shorter than \`terminationGracePeriod\` (${effGrace}s), or the app never gets SIGTERM before SIGKILL.`);
  }

  // Security context and volumes
  for (const field of ["runAsUser", "runAsGroup", "fsGroup"] as const) {
    const id = a.securityContext?.[field];
    if (id !== undefined && (!Number.isInteger(id) || id < 1)) {
      p.push(`\`securityContext.${field}\` must be a whole number >= 1 (never root), got ${JSON.stringify(id)}; the default is 10001.`);
    }
  }
  if (a.tmp?.sizeLimit !== undefined && parseQuantity(a.tmp.sizeLimit) === undefined) {
    p.push(`\`tmp.sizeLimit\` must be a Kubernetes quantity such as "128Mi", got ${JSON.stringify(a.tmp.sizeLimit)}.`);
  }
  const intOrPercent = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0) || (typeof v === "string" && INT_OR_PERCENT.test(v));
  const isZero = (v: unknown) => v === 0 || v === "0%";
  const maxUnavailable = a.rollout?.maxUnavailable ?? DEFAULTS.rollout.maxUnavailable;
  const maxSurge = a.rollout?.maxSurge ?? DEFAULTS.rollout.maxSurge;
  if (!intOrPercent(maxUnavailable))
    p.push(`\`rollout.maxUnavailable\` must be a whole number >= 0 or a percentage like "25%", got ${JSON.stringify(maxUnavailable)}.`);
  if (!intOrPercent(maxSurge)) p.push(`\`rollout.maxSurge\` must be a whole number >= 0 or a percentage like "25%", got ${JSON.stringify(maxSurge)}.`);
  if (isZero(maxUnavailable) && isZero(maxSurge)) {
    p.push("`rollout.maxUnavailable` and `rollout.maxSurge` cannot both be 0: the rollout could never make progress.");
  }

  // Network
  for (const field of ["ingressControllerNamespace", "prometheusNamespace"] as const) {
    const ns = a[field];
    if (ns !== undefined && !isDnsLabel(ns)) p.push(`\`${field}\` must be a namespace name (DNS label), got ${JSON.stringify(ns)}.`);
  }
  for (const port of a.extraEgressPorts ?? []) {
    if (!isPort(port)) p.push(`\`extraEgressPorts\` must hold whole numbers from 1 to 65535, got ${JSON.stringify(port)}; e.g. 5432 for Postgres.`);
  }

  // Migration
  const mig = a.migration;
  if (mig) {
    if (!Array.isArray(mig.command) || mig.command.length === 0 || mig.command.some((c) => typeof c !== "string" || c === "")) {
      p.push('`migration.command` must be a non-empty list of non-empty strings, e.g. ["npx", "prisma", "migrate", "deploy"].');
    }
    if (typeof mig.jobName !== "string" || !isDnsLabel(mig.jobName)) {
      p.push(
        `\`migration.jobName\` must be a DNS label of at most 63 characters (Kubernetes puts it in a label of the Job's pods), got ${JSON.stringify(mig.jobName)}; build it with releaseJobName(…, "migrate", …).`,
      );
    }
    const deadline = mig.activeDeadline?.toSeconds();
    if (deadline !== undefined && (!Number.isInteger(deadline) || deadline < 1)) {
      p.push(`\`migration.activeDeadline\` must be whole seconds >= 1, got ${deadline}s.`);
    }
  }

  // Ingress
  const ing = a.ingress;
  if (ing) {
    if (typeof ing.host !== "string" || ing.host.length > 253 || !HOST.test(ing.host)) {
      p.push(`\`ingress.host\` must be a lowercase fully qualified host name, got ${JSON.stringify(ing.host)}; e.g. "api.codebook.example.com".`);
    }
    if (ing.className !== undefined && !DNS_SUBDOMAIN.test(ing.className)) {
      p.push(`\`ingress.className\` must be an IngressClass name, got ${JSON.stringify(ing.className)}; the default is "nginx".`);
    }
    if (ing.tlsSecretName !== undefined && !DNS_SUBDOMAIN.test(ing.tlsSecretName)) {
      p.push(`\`ingress.tlsSecretName\` must be a Secret name (DNS subdomain), got ${JSON.stringify(ing.tlsSecretName)}.`);
    }
    if (ing.clusterIssuer !== undefined && (typeof ing.clusterIssuer !== "string" || ing.clusterIssuer.trim() === "")) {
      p.push('`ingress.clusterIssuer` must name a cert-manager ClusterIssuer; the default is "letsencrypt-prod".');
    }
  }
  return p;
}
