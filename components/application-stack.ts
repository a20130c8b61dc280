/**
 * One product ("application stack") in one environment, built from a typed `ProductSpec`. A recipe:
 * each capability takes the product's scope and its slice of the spec, in this order (children
 * register in it, so plans read the same way):
 *
 * 1. foundation: the namespace, the registry pull Secret, the product's secrets;
 * 2. workloads (`workloads/product-workloads.ts`);
 * 3. web: Vercel apps, then DNS for every public host (`web/product-web.ts`);
 * 4. data: data buckets, the backup bucket, backup jobs and the restore check, the log buckets
 *    (one `LogDestination`), and the database's scheduled maintenance (`data/product-data.ts`);
 * 5. monitoring: exporter, probes, alert groups (the data's among them), dashboard (`monitoring/product-monitoring.ts`).
 *
 * Providers come from the resource options.
 */
import * as pulumi from "@pulumi/pulumi";
import { TYPE_PREFIX, namespaceName } from "./context";
import { databasePortOf } from "./product-spec";
import { type ApplicationStackArgs, validateApplicationStackArgs } from "./product-validation";
import { type ProductScope, afterNamespaceOptions } from "./product-scope";
import { productSecrets } from "./secrets/product-secrets";
import { productNamespace, productWorkloads, withRegistrySecret } from "./workloads/product-workloads";
import { productDns, productWebApps } from "./web/product-web";
import {
  databaseMaintenanceAlertGroups,
  productBackupBucket,
  productBackups,
  productDataBuckets,
  productDatabaseMaintenance,
  productLogs,
} from "./data/product-data";
import type { LogDestination } from "./logs/log-classes";
import { productMonitoring } from "./monitoring/product-monitoring";
import type { ProductDashboard } from "./monitoring/dashboard";
import type { BlackboxModuleInput } from "./monitoring/blackbox-modules";
import type { ScrapeJob } from "./monitoring/series-sources";

export class ApplicationStack extends pulumi.ComponentResource {
  /** The product's Grafana dashboard (a ConfigMap in the monitoring namespace). */
  public readonly dashboard: ProductDashboard;
  /** The product's Kubernetes namespace. */
  readonly namespace: pulumi.Output<string>;
  /** Every public host of the product. */
  readonly hosts: readonly string[];
  /** Name of the backup bucket, when the product has backups. */
  readonly backupBucketName?: pulumi.Output<string>;
  /** Whether the product runs Kubernetes workloads (whose container logs the log agent ships). */
  readonly hasWorkloads: boolean;
  /**
   * Where the product's logs go, per class (`LOG_CLASSES`): buckets whose lock and lifecycle keep
   * each class as long as seed 001 §2.5 says. The log agent and the Vercel log drains write here.
   */
  readonly logDestination: LogDestination;
  /** Vercel project ids by app name. */
  readonly vercelProjectIds: Readonly<Record<string, pulumi.Output<string>>>;
  /** Each Vercel app: its name, project id and whether its project does not exist yet (staging before prod; the log drains read it). */
  readonly vercelApps: readonly { readonly name: string; readonly projectId: pulumi.Output<string>; readonly pending: pulumi.Output<boolean> }[];
  /**
   * Every blackbox_exporter module this product's Probes name, by module name (for
   * `BlackboxModulesConfig`). Staging's modules of protected Vercel apps carry the bypass secret.
   */
  readonly blackboxModules: Readonly<Record<string, BlackboxModuleInput>>;
  /** Every scrape job this product defines (ServiceMonitors, exporter, Probes), each with a target-down and a target-missing alert. */
  readonly scrapeJobs: readonly ScrapeJob[];
  /**
   * Staging, per Vercel app whose previews stay protected: the project's automation-bypass secret
   * (a Pulumi secret). The app's health and security-headers probes name modules of their own
   * that send it as `x-vercel-protection-bypass`. Not exported.
   */
  readonly vercelProtectionBypass: Readonly<Record<string, pulumi.Output<string>>>;
  /** Vercel projects this stack looked up that do not exist yet (staging before prod), sorted. */
  readonly pendingVercelProjects: pulumi.Output<string[]>;

  constructor(name: string, args: ApplicationStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:product:ApplicationStack`, name, {}, opts);
    validateApplicationStackArgs(name, args);
    const { spec, platform, environment } = args;

    // 1. Foundation: the namespace, its pull Secret, the product's secrets.
    const baseContext = { environment, product: spec.id, owner: args.owner ?? "platform-team", kubernetes: platform.kubernetes ?? {} };
    const namespace = productNamespace(name, baseContext, this);
    this.namespace = namespace.metadata.name;
    const context = withRegistrySecret(name, baseContext, this.namespace, this);
    const scope: ProductScope = {
      name,
      parent: this,
      context,
      platform,
      namespace: this.namespace,
      namespaceName: namespaceName(spec.id, environment),
      afterNamespace: afterNamespaceOptions(this, namespace),
      secrets: productSecrets(name, context, spec, args.providedSecrets, platform.clock, this, platform.secretRotationOnDemand?.[spec.id]),
    };

    // 2. Workloads; the backup bucket first, since a migrating workload's pre-deploy backup writes to it.
    const backupBucket = spec.backups ? productBackupBucket(scope, spec.backups) : undefined;
    const workloads = productWorkloads(
      scope,
      spec.workloads,
      spec.database,
      spec.backups && backupBucket
        ? {
            bucket: backupBucket,
            databaseUrl: scope.secrets.get(spec.backups.databaseSecret),
            dumpSchemas: spec.backups.dumpSchemas,
            image: platform.backupImage,
            databasePort: databasePortOf(spec),
          }
        : undefined,
    );

    // 3. Web: Vercel redeploys after the workloads rolled out (their pods accept the new and the previous value).
    const apps = productWebApps(scope, spec.webApps, workloads);
    this.vercelProjectIds = Object.fromEntries(spec.webApps.map((a, i) => [a.name, apps[i].projectId]));
    this.vercelApps = spec.webApps.map((a, i) => ({ name: a.name, projectId: apps[i].projectId, pending: apps[i].projectPending }));
    this.vercelProtectionBypass = Object.fromEntries(
      apps.flatMap((app, i) => (app.protectionBypassSecret ? [[spec.webApps[i].name, app.protectionBypassSecret]] : [])),
    );
    this.pendingVercelProjects = pulumi
      .all(apps.map((app, i) => app.projectPending.apply((pending) => (pending ? [spec.webApps[i].projectName] : []))))
      .apply((lists) => lists.flat().sort());
    const dns = productDns(scope, spec, apps);
    this.hosts = dns ? [...dns.hostnames] : [];

    // 4. Data.
    productDataBuckets(scope, spec.dataBuckets);
    const backups = spec.backups && backupBucket ? productBackups(scope, spec.backups, databasePortOf(spec), backupBucket) : undefined;
    this.backupBucketName = backups?.bucket.bucketName;
    this.hasWorkloads = spec.workloads.length > 0;
    // 4a. The buckets that keep the product's logs (container logs and Vercel apps' logs), per class.
    this.logDestination = productLogs(scope, spec.backups).destination;

    // 4b. Maintenance of the product's database, with a warning when a run fails.
    const maintenance = spec.databaseMaintenance ? productDatabaseMaintenance(scope, spec.databaseMaintenance, databasePortOf(spec)) : undefined;

    // 5. Monitoring: every source first, then the alerts and the dashboard that read them.
    const monitoring = productMonitoring(scope, spec, {
      workloads,
      backupAlertGroups: [...(backups?.alertGroups ?? []), ...(maintenance ? databaseMaintenanceAlertGroups(scope, maintenance) : [])],
      vercelProtectionBypass: this.vercelProtectionBypass,
      // What each app's route set, the one list its headers probe checks.
      vercelResponseHeaders: Object.fromEntries(spec.webApps.map((a, i) => [a.name, apps[i].responseHeaders])),
    });
    this.blackboxModules = monitoring.blackboxModules;
    this.scrapeJobs = monitoring.scrapeJobs;
    this.dashboard = monitoring.dashboard;

    this.registerOutputs({
      namespace: this.namespace,
      hosts: this.hosts,
      backupBucketName: this.backupBucketName,
      vercelProjectIds: this.vercelProjectIds,
      scrapeJobs: this.scrapeJobs,
      pendingVercelProjects: this.pendingVercelProjects,
    });
  }
}
