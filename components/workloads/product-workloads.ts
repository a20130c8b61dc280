/**
 * A product's Kubernetes foundation and workloads: its namespace (Pod Security "restricted"), the
 * namespace's pull Secret when the stack has registry credentials, and one `KubernetesService` per
 * `WorkloadSpec`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { type PlatformContext, namespaceName, recommendedLabels, throwIfInvalid } from "../context";
import { type DatabaseSpec, type WorkloadSpec, databasePortOf } from "../product-spec";
import { type ProductScope, secretValues } from "../product-scope";
import { type ImageRef, KubernetesService, type ServiceMigration, imageReference, imageRelease } from "./kubernetes-service";
import { releaseJobName } from "./release-jobs";
import { PRE_DEPLOY_PREFIX, PreDeployBackup } from "../data/pre-deploy-backup";
import type { BackupBucketRef } from "../data/backup-bucket";
import type { BackupImage } from "../data/job-kernel";
import type { DumpSchemas } from "../data/postgres-providers";
import type { SecretSet } from "../secrets/secret-set";

/** The variable every workload reads its release from (Sentry's SDKs read it by default). */
export const SENTRY_RELEASE = "SENTRY_RELEASE";

/** `SENTRY_RELEASE` and each of `names`, all the image's release (`imageRelease`). */
export function releaseVariables(image: ImageRef, names: readonly string[] = []): Record<string, string> {
  const release = imageRelease(image);
  return Object.fromEntries([SENTRY_RELEASE, ...names].map((n) => [n, release]));
}

/** Each flag → `"true"` when its secret has a value in `secrets`, else `"false"` (an optional secret left unset). */
export function presenceFlags(secrets: Pick<SecretSet, "values">, flags: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(flags).map(([variable, secret]) => [variable, secrets.values[secret] !== undefined ? "true" : "false"]));
}

/**
 * The name of each product namespace's pull Secret when the stack sets `imagePullDockerConfigJson`
 * (`KubernetesPlatformSettings.registryCredentials`).
 */
export const REGISTRY_SECRET_NAME = "app-platform-registry";

/** The product's namespace, `<product>-<environment>`, which admits only "restricted" pods. */
export function productNamespace(name: string, ctx: PlatformContext, parent: pulumi.Resource): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    `${name}-namespace`,
    {
      metadata: {
        name: namespaceName(ctx.product, ctx.environment),
        labels: {
          ...recommendedLabels(ctx, ctx.product, "namespace"),
          // Pod Security Admission: the cluster itself refuses anything below "restricted".
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
        },
      },
    },
    { parent },
  );
}

/**
 * With registry credentials: the namespace's `kubernetes.io/dockerconfigjson` Secret, and the
 * context every pod template of the product then names it in (through its output, so each
 * pod-making object waits for it). Without: the context unchanged but for the credentials.
 */
export function withRegistrySecret(name: string, ctx: PlatformContext, namespace: pulumi.Output<string>, parent: pulumi.Resource): PlatformContext {
  const { registryCredentials, ...kubernetes } = ctx.kubernetes ?? {};
  if (registryCredentials === undefined) return { ...ctx, kubernetes };
  const secret = new k8s.core.v1.Secret(
    `${name}-registry`,
    {
      metadata: { name: REGISTRY_SECRET_NAME, namespace, labels: recommendedLabels(ctx, ctx.product, "registry-credentials") },
      type: "kubernetes.io/dockerconfigjson",
      stringData: { ".dockerconfigjson": pulumi.secret(registryCredentials) },
    },
    { parent },
  );
  const names = kubernetes.imagePullSecrets ?? [];
  return { ...ctx, kubernetes: { ...kubernetes, imagePullSecrets: [...names.filter((n) => n !== REGISTRY_SECRET_NAME), secret.metadata.name] } };
}

/** Where a migrating workload's pre-deploy backup dumps from and writes to (the product's backups). */
export interface PreDeployBackupTarget {
  /** The product's backup bucket (with a `pre-deploy/` retention rule). */
  readonly bucket: BackupBucketRef;
  /** The database URL the scheduled dumps dump (`backups.databaseSecret`). */
  readonly databaseUrl: pulumi.Input<string>;
  readonly dumpSchemas?: DumpSchemas;
  /** The scheduled dumps' image. */
  readonly image: BackupImage;
  /** `database.port`, the dump's egress. */
  readonly databasePort: number;
}

/**
 * The release Jobs of a workload with a `migrationCommand`: the pre-deploy backup into `backup`'s
 * bucket, then the migration, both named per image (`releaseJobName` of the one image reference
 * the Deployment runs). Undefined without a command.
 */
function releaseMigration(scope: ProductScope, base: string, spec: WorkloadSpec, backup: PreDeployBackupTarget | undefined): ServiceMigration | undefined {
  if (!spec.migrationCommand) return undefined;
  if (!backup) {
    throwIfInvalid("ProductWorkloads", base, [
      `\`migrationCommand\` needs a backup before each migration (seed 001 §3.3 "Backup production database before migration"), but the product has no \`backups\`; add \`backups\` with a "${PRE_DEPLOY_PREFIX}" retention rule, or remove \`migrationCommand\``,
    ]);
  }
  const image = imageReference(spec.image);
  const preDeploy = new PreDeployBackup(
    `${base}-pre-deploy`,
    {
      context: scope.context,
      namespace: scope.namespace,
      bucket: backup!.bucket,
      jobName: releaseJobName(base, "pre-deploy", image),
      databaseUrl: backup!.databaseUrl,
      dumpSchemas: backup!.dumpSchemas,
      image: backup!.image,
      databasePort: backup!.databasePort,
    },
    { parent: scope.parent },
  );
  return { command: spec.migrationCommand, jobName: releaseJobName(base, "migrate", image), dependsOn: [preDeploy.job] };
}

/** One `KubernetesService` per workload: the spec's own slice, plus the platform's ingress, monitoring and secrets. */
export function productWorkloads(
  scope: ProductScope,
  workloads: readonly WorkloadSpec[],
  database?: DatabaseSpec,
  preDeployBackup?: PreDeployBackupTarget,
): KubernetesService[] {
  const { platform } = scope;
  // A workload that holds the database URL reaches the database, on `database.port` (the one source).
  const egressPorts = (secretEnv: WorkloadSpec["secretEnv"], extra: readonly number[] | undefined): number[] | undefined => {
    const ports = [...(extra ?? []), ...(database && Object.values(secretEnv).includes(database.secret) ? [databasePortOf({ database })] : [])];
    return ports.length > 0 ? [...new Set(ports)] : undefined;
  };
  return workloads.map((spec) => {
    const {
      name,
      env,
      secretEnv,
      publicHost,
      healthPath: _probedByMonitoring,
      extraEgressPorts,
      presenceEnv,
      releaseEnv,
      migrationCommand: _runAsJob,
      ...service
    } = spec;
    return new KubernetesService(
      `${scope.name}-${name}`,
      {
        ...service,
        migration: releaseMigration(scope, `${scope.name}-${name}`, spec, preDeployBackup),
        context: scope.context,
        namespace: scope.namespace,
        component: name,
        serviceMonitorLabels: { ...platform.prometheusSelectorLabels },
        env: { ...env, ...releaseVariables(service.image, releaseEnv), ...presenceFlags(scope.secrets, presenceEnv) },
        secretEnv: secretValues(scope.secrets, secretEnv),
        // The pods roll on the same keyed digest the product's Vercel apps redeploy on.
        checksumKey: scope.secrets.digestKey,
        ingressControllerNamespace: platform.ingressControllerNamespace,
        prometheusNamespace: platform.monitoringNamespace,
        extraEgressPorts: egressPorts(secretEnv, extraEgressPorts),
        ingress: publicHost ? { host: publicHost, className: platform.ingressClassName, clusterIssuer: platform.clusterIssuer } : undefined,
      },
      { parent: scope.parent },
    );
  });
}
