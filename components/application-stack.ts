/**
 * One product ("application stack") in one environment, built from a typed `ProductSpec`:
 * its namespace, secrets, Kubernetes services, Vercel apps, DNS records, data and backup
 * buckets, backup jobs and alert rules. Providers come from the resource options.
 */
import { ProductDashboard } from "./monitoring/dashboard";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as cloudflare from "@pulumi/cloudflare";
import * as vercel from "@pulumiverse/vercel";
import {
  Environment,
  KubernetesPlatformSettings,
  PlatformContext,
  TYPE_PREFIX,
  dataProtection,
  namespaceName,
  recommendedLabels,
  throwIfInvalid,
} from "./context";
import { SecretSet, previousKey } from "./secrets/secret-set";
import { KubernetesService } from "./workloads/kubernetes-service";
import { VercelApp } from "./web/vercel-app";
import { DnsRecords, DnsRecordSpec } from "./web/dns-records";
import { BackupBucket } from "./data/backup-bucket";
import { BackupJob } from "./data/backup-job";
import { RestoreVerification } from "./data/restore-verification";
import { DatabaseMaintenance } from "./data/database-maintenance";
import { AlertRules } from "./monitoring/alert-rules";
import {
  AlertGroup,
  AlertSpec,
  SeriesSelector,
  backupStale,
  dependencyDown,
  endpointDown,
  securityHeadersMissing,
  targetAbsent,
  databaseDown,
  targetDown,
  tlsCertificateExpiring,
} from "./monitoring/alerts";
import { BlackboxProbes, BlackboxProbeSpec } from "./monitoring/blackbox-probes";
import {
  BlackboxModuleInput,
  SEED_SECURITY_HEADERS,
  STATUSPAGE_MODULE,
  appModuleName,
  healthModule,
  securityHeadersModule,
  securityHeadersModuleName,
  statuspageModule,
  vercelBypassModuleName,
  withVercelProtectionBypass,
} from "./monitoring/blackbox-modules";
import { PostgresExporter } from "./monitoring/postgres-exporter";
import { ScrapeJob, alertSources } from "./monitoring/series-sources";
import { cronIntervals, parseCron } from "./data/backup-job";
import type { ProductSpec, SecretRefs, WebAppSpec } from "../stacks/types";

/**
 * The name of each product namespace's pull Secret when the stack sets `imagePullDockerConfigJson`
 * (`KubernetesPlatformSettings.registryCredentials`).
 */
export const REGISTRY_SECRET_NAME = "app-platform-registry";

/**
 * Where a Vercel host's DNS record points: the zone apex gets an A record to `ipv4`, every other
 * host a CNAME to `cname`. Seed 004 writes `@ → 76.76.19.61` and `www → …cdn.vercel-dns.com`, seed
 * 003 `cname.vercel-dns.com`, Vercel's docs `76.76.21.21` and `cname.vercel-dns-0.com`, and today's
 * answer is per project (`216.150.1.1`, `<hash>.vercel-dns-016.com`), so the program asks Vercel
 * (`vercelDnsTarget`), never a literal.
 */
export interface VercelDnsTarget {
  readonly ipv4: pulumi.Input<string>;
  readonly cname: pulumi.Input<string>;
  /** True while the project does not exist yet (staging before prod): no record this run. */
  readonly pending?: pulumi.Input<boolean>;
}

/** Looks up Vercel's recommendation for one host of one web app. */
export type VercelDnsLookup = (app: WebAppSpec, host: string) => VercelDnsTarget;

/** The Vercel project a host belongs to, as `vercelDnsTarget` needs it. */
export interface VercelDnsProject {
  /** The project's name, for messages. */
  readonly name: string;
  /**
   * The project's id: the created project's (prod; unknown at a first preview, so the lookup waits
   * for the project to exist) or the looked-up one's (staging; `""` while it does not exist).
   */
  readonly id: pulumi.Input<string>;
}

/**
 * Vercel's recommended DNS values for `host` on the project (`vercel.getDomainConfig`:
 * `recommendedIpv4s`, `recommendedCname`, rank 1). The project is referenced by id, never by name:
 * a lookup by name fails while the project does not exist, which is every first deploy (prod
 * creates it in the same run; staging may run before prod, deploy.yml). With an empty id (a
 * pending project) nothing is looked up.
 */
export function vercelDnsTarget(project: VercelDnsProject, host: string, opts: pulumi.InvokeOutputOptions): VercelDnsTarget {
  const config = pulumi
    .output(project.id)
    .apply(
      (id): pulumi.Output<vercel.GetDomainConfigResult | undefined> =>
        id === "" ? pulumi.output(undefined) : vercel.getDomainConfigOutput({ domain: host, projectIdOrName: id }, opts),
    );
  return {
    // No config: a pending project, whose record is not registered (`pending`); nothing to check.
    ipv4: config.apply((c) => {
      if (c === undefined) return "";
      const ips = c.recommendedIpv4s;
      // One A record per name: the first of Vercel's first-ranked addresses.
      if (!ips || ips.length === 0) {
        throw new Error(`Vercel recommends no IPv4 address for ${host} (project ${project.name}); check the domain in the project's settings`);
      }
      return ips[0];
    }),
    cname: config.apply((c) => {
      if (c === undefined) return "";
      if (!c.recommendedCname) {
        throw new Error(`Vercel recommends no CNAME target for ${host} (project ${project.name}); check the domain in the project's settings`);
      }
      return c.recommendedCname;
    }),
  };
}

/** Cluster and account facts every product shares, from validated stack config. */
export interface PlatformSettings {
  /** Cloudflare zone id of the stack's domain (looked up, never created). */
  readonly zoneId: pulumi.Input<string>;
  /** The zone's name, e.g. `example.com`. */
  readonly zoneName: string;
  /** Public IPv4 address of the ingress controller. */
  readonly ingressAddress: string;
  readonly ingressClassName: string;
  readonly ingressControllerNamespace: string;
  readonly monitoringNamespace: string;
  readonly clusterIssuer: string;
  /** AWS region of S3 buckets. */
  readonly awsRegion: string;
  /**
   * Unique last part of S3 bucket names (S3 names are global): the stack's `s3BucketSuffix`, or
   * the AWS account id. @default none
   */
  readonly s3BucketSuffix?: pulumi.Input<string>;
  /** Cloudflare account of R2 buckets. */
  readonly cloudflareAccountId: string;
  /** Image of the backup job, pinned. */
  readonly backupImage: { readonly repository: string; readonly tag: string };
  /** Base URL of the runbooks alerts link to. */
  readonly runbookBaseUrl: string;
  /** Alert receivers (secrets). */
  readonly alertRouting: { readonly pagerKey: pulumi.Input<string>; readonly chatWebhookUrl: pulumi.Input<string> };
  /**
   * Cluster-wide pod settings (pull secrets, preStop hook); they travel in every component's
   * `context` and reach pod specs through `components/workloads/pod-spec.ts`.
   * @default {}
   */
  readonly kubernetes?: KubernetesPlatformSettings;
  /**
   * The clock that picks the secrets' rotation period; tests pin it.
   * @default () => new Date()
   */
  readonly clock?: () => Date;
  /**
   * Labels the cluster's Prometheus (and Alertmanager) select monitoring objects by; stamped on
   * every PrometheusRule, ServiceMonitor, Probe and AlertmanagerConfig (`prometheusSelectorLabels`).
   */
  readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
  /** Label of the product dashboard's ConfigMap for the Grafana sidecar (`grafanaDashboardLabel`). @default { key: "grafana_dashboard", value: "1" } */
  readonly grafanaDashboardLabel?: { readonly key: string; readonly value: string };
  /** The blackbox_exporter every Probe goes through, and the module of health probes. */
  readonly blackbox: { readonly address: string; readonly module: string };
  /** How each product database gets its postgres_exporter. */
  readonly postgresExporter:
    | { readonly mode: "deploy"; readonly image: { readonly repository: string; readonly tag: string } }
    | { readonly mode: "external"; readonly jobs: Readonly<Record<string, string>> };
  /** Hosts a CNAME may point at (POLICIES.md 53). @default DnsRecords' default (Vercel's targets) */
  readonly allowedCnameTargets?: readonly string[];
  /** Vercel's Firewall: the path prefix the rate limits count and the plan's longest window. */
  readonly vercelFirewall?: { readonly pathPrefix: string; readonly maxWindowSeconds: number };
}

export interface ApplicationStackArgs {
  /** The environment this product is built for. */
  readonly environment: Environment;
  /** The owning team. @default "platform-team" */
  readonly owner?: string;
  /** What the product needs, from `stacks/`. */
  readonly spec: ProductSpec;
  /** Values of the product's provided secrets (encrypted config), by secret name. */
  readonly providedSecrets: Readonly<Record<string, pulumi.Input<string>>>;
  /** Shared cluster and account settings. */
  readonly platform: PlatformSettings;
}

/** The backup job's component name, which is also its CronJob's name. */
export function backupJobName(productName: string, job: string): string {
  return `${productName}-backup-${job}`;
}

/** The restore verification's component name, which is also its CronJob's name. */
export function restoreVerificationName(productName: string, job: string): string {
  return `${productName}-restore-verify-${job}`;
}

/** DNS records for a product: API hosts → the ingress, Vercel hosts → Vercel's recommendation (apex A, else CNAME). */
export function productDnsRecords(
  spec: ProductSpec,
  platform: Pick<PlatformSettings, "zoneName" | "ingressAddress">,
  lookup: VercelDnsLookup,
): DnsRecordSpec[] {
  const records: DnsRecordSpec[] = [];
  for (const w of spec.workloads) {
    if (w.publicHost) {
      // Not proxied: Cloudflare's proxy cuts long SSE streams and would hide the ingress's own TLS.
      records.push({ name: w.publicHost, type: "A", content: platform.ingressAddress, proxied: false });
    }
  }
  for (const app of spec.webApps) {
    for (const { host } of app.domains) {
      const target = lookup(app, host);
      const pending = target.pending !== undefined ? { pending: target.pending } : {};
      // Vercel terminates TLS itself and asks that its records are not proxied.
      records.push(
        host === platform.zoneName
          ? { name: host, type: "A", content: target.ipv4, proxied: false, ...pending }
          : { name: host, type: "CNAME", content: target.cname, proxied: false, ...pending },
      );
    }
  }
  return records;
}

/**
 * The freshness alert of one backup job: its RPO, checked against the schedule's longest gap
 * plus the margin (`BACKUP_STALE_MARGIN`), and silent until the first scheduled run has had time
 * to succeed (POLICIES.md 64; issue 9 "Backup freshness").
 */
export function backupFreshnessGroup(
  productName: string,
  product: string,
  namespace: string,
  job: NonNullable<ProductSpec["backups"]>["jobs"][number],
  runbookBaseUrl: string,
): AlertGroup {
  const cron = parseCron(job.schedule);
  const period = "problem" in cron ? undefined : cronIntervals(cron)?.longest;
  return {
    name: `${product}-backup-${job.name}`,
    rules: [
      backupStale({
        cronJob: backupJobName(productName, job.name),
        namespace,
        rpo: job.rpo,
        schedulePeriod: period,
        runbookBaseUrl,
      }),
    ],
  };
}

function mapValues<T, U>(r: Readonly<Record<string, T>>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));
}

function kebab(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** Every secret name the spec refers to that is neither provided nor generated. */
export function validateApplicationStackArgs(name: string, args: ApplicationStackArgs): void {
  const { spec } = args;
  const problems: string[] = [];
  const declared = new Set([...spec.providedSecrets.map((s) => s.name), ...spec.generatedSecrets.map((s) => s.name)]);
  const optional = new Set(spec.providedSecrets.filter((s) => s.optional).map((s) => s.name));
  const keepsPrevious = new Set(spec.generatedSecrets.filter((s) => s.keepPrevious).map((s) => s.name));
  const check = (where: string, refs: SecretRefs, plainEnv: Readonly<Record<string, string>> = {}) => {
    for (const [env, secret] of Object.entries(refs)) {
      if (!declared.has(secret)) {
        problems.push(`\`${where}.secretEnv.${env}\` refers to secret \`${secret}\`, which the product neither provides nor generates; declare it in \`providedSecrets\` or \`generatedSecrets\``);
      }
      const prev = previousKey(env);
      if (keepsPrevious.has(secret) && (prev in refs || prev in plainEnv)) {
        problems.push(`\`${where}.secretEnv.${env}\` reads \`${secret}\`, which keeps its previous value in \`${prev}\`, but \`${where}\` already sets \`${prev}\`; rename that variable`);
      }
    }
  };
  spec.workloads.forEach((w) => check(`workloads.${w.name}`, w.secretEnv, w.env));
  spec.webApps.forEach((a) => check(`webApps.${a.name}`, a.secretEnv, a.env));
  spec.backups?.jobs.forEach((j) => j.export && check(`backups.jobs.${j.name}.export`, j.export.secretEnv));
  const verify = spec.backups?.restoreVerification;
  if (verify) {
    const job = spec.backups!.jobs.find((j) => j.name === verify.job);
    if (!job) problems.push(`\`backups.restoreVerification.job\` is \`${verify.job}\`, which is not one of \`backups.jobs\``);
    else if (job.export) problems.push(`\`backups.restoreVerification.job\` \`${verify.job}\` is an export, not a pg_dump; verify a dump job`);
  }
  if (spec.databaseMaintenance && !declared.has(spec.databaseMaintenance.databaseSecret)) {
    problems.push(`\`databaseMaintenance.databaseSecret\` is \`${spec.databaseMaintenance.databaseSecret}\`, which the product does not declare`);
  }
  if (spec.backups && !declared.has(spec.backups.databaseSecret)) {
    problems.push(`\`backups.databaseSecret\` is \`${spec.backups.databaseSecret}\`, which the product does not declare`);
  }
  for (const s of spec.providedSecrets) {
    if (!optional.has(s.name) && args.providedSecrets[s.name] === undefined) {
      problems.push(`\`providedSecrets.${s.name}\` has no value; set it in encrypted stack config`);
    }
  }
  if (spec.database && !declared.has(spec.database.secret)) {
    problems.push(`\`database.secret\` is \`${spec.database.secret}\`, which the product does not declare`);
  }
  if (spec.database && args.platform.postgresExporter.mode === "external" && !args.platform.postgresExporter.jobs[spec.id]) {
    problems.push(`\`postgresExporterJobs\` has no job for "${spec.id}"; with \`postgresExporter: external\` add "${spec.id}=<job of its exporter>"`);
  }
  for (const w of spec.workloads) {
    if (w.publicHost && !(w.healthPath ?? "").startsWith("/")) {
      problems.push(`\`workloads.${w.name}.healthPath\` must be the path of its public health endpoint (starting with "/"), which the uptime probe GETs`);
    }
  }
  for (const a of spec.webApps) {
    if (!a.healthPath.startsWith("/")) problems.push(`\`webApps.${a.name}.healthPath\` must start with "/"`);
    if (a.domains.length === 0) problems.push(`\`webApps.${a.name}.domains\` must list at least one host to probe`);
  }
  const names = [...spec.workloads.map((w) => w.name), ...spec.webApps.map((a) => a.name)];
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) problems.push(`\`workloads\`/\`webApps\` use the name \`${dup}\` twice; names must be unique within a product`);
  throwIfInvalid("ApplicationStack", name, problems);
}

export class ApplicationStack extends pulumi.ComponentResource {
  /** The product's Grafana dashboard (a ConfigMap in the monitoring namespace). */
  public readonly dashboard: ProductDashboard;
  /** The product's Kubernetes namespace. */
  readonly namespace: pulumi.Output<string>;
  /** Every public host of the product. */
  readonly hosts: readonly string[];
  /** Name of the backup bucket, when the product has backups. */
  readonly backupBucketName?: pulumi.Output<string>;
  /** Vercel project ids by app name. */
  readonly vercelProjectIds: Readonly<Record<string, pulumi.Output<string>>>;
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
   * that send it as `x-vercel-protection-bypass` (`createProbes`). Not exported.
   */
  readonly vercelProtectionBypass: Readonly<Record<string, pulumi.Output<string>>>;
  /** Vercel projects this stack looked up that do not exist yet (staging before prod), sorted. */
  readonly pendingVercelProjects: pulumi.Output<string[]>;

  private readonly context: PlatformContext;
  private readonly namespaceResource: k8s.core.v1.Namespace;
  private readonly secretSet: SecretSet;

  constructor(name: string, args: ApplicationStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:product:ApplicationStack`, name, {}, opts);
    validateApplicationStackArgs(name, args);
    const { spec, platform } = args;
    this.context = {
      environment: args.environment,
      product: spec.id,
      owner: args.owner ?? "platform-team",
      kubernetes: platform.kubernetes ?? {},
    };

    this.namespaceResource = this.createNamespace(name);
    this.namespace = this.namespaceResource.metadata.name;
    const { registryCredentials, ...kubernetes } = platform.kubernetes ?? {};
    if (registryCredentials !== undefined) {
      // Every pod template names the Secret through its output, so each pod-making object waits for it.
      const registry = this.createRegistrySecret(name, registryCredentials);
      const names = kubernetes.imagePullSecrets ?? [];
      this.context = {
        ...this.context,
        kubernetes: { ...kubernetes, imagePullSecrets: [...names.filter((n) => n !== REGISTRY_SECRET_NAME), registry.metadata.name] },
      };
    } else {
      this.context = { ...this.context, kubernetes };
    }
    const ns = namespaceName(spec.id, args.environment);
    this.secretSet = this.createSecretSet(name, args);
    const workloads = spec.workloads.map((w) => this.createWorkload(name, w, platform));
    // Vercel redeploys after the workloads rolled out: their pods accept the new and the previous value.
    const apps = spec.webApps.map((a) => this.createWebApp(name, a, workloads, platform));
    this.vercelProjectIds = Object.fromEntries(spec.webApps.map((a, i) => [a.name, apps[i].projectId]));
    this.vercelProtectionBypass = Object.fromEntries(
      apps.flatMap((app, i) => (app.protectionBypassSecret ? [[spec.webApps[i].name, app.protectionBypassSecret]] : [])),
    );
    this.pendingVercelProjects = pulumi
      .all(apps.map((app, i) => app.projectPending.apply((pending) => (pending ? [spec.webApps[i].projectName] : []))))
      .apply((lists) => lists.flat().sort());
    const dns = this.createDns(name, spec, platform, apps);
    this.hosts = dns ? [...dns.hostnames] : [];
    spec.dataBuckets.forEach((b) => this.createDataBucket(name, b.name, platform));
    const backupGroups: AlertGroup[] = [];
    if (spec.backups) {
      const bucket = this.createBackupBucket(name, spec, platform);
      this.backupBucketName = bucket.bucketName;
      for (const job of spec.backups.jobs) {
        this.createBackupJob(name, job, bucket, spec, platform);
        backupGroups.push(backupFreshnessGroup(name, spec.id, ns, job, platform.runbookBaseUrl));
      }
      if (spec.backups.restoreVerification) {
        const verification = this.createRestoreVerification(name, spec.backups, bucket, platform);
        backupGroups.push({
          name: `${spec.id}-restore-verification`,
          // Same mechanism as the backup freshness alert: the CronJob's last success.
          rules: [verification.staleAlert({ namespace: namespaceName(spec.id, args.environment), runbookBaseUrl: platform.runbookBaseUrl })],
        });
      }
    }

    // Monitoring: every source first, then the alerts that read them.
    const exporter = this.createDatabaseExporter(name, spec, ns, platform);
    const { probes, modules, health, headers, dependencies } = this.createProbes(name, spec, ns, platform, this.vercelProtectionBypass);
    this.blackboxModules = modules;
    const workloadSelectors: Record<string, SeriesSelector> = {};
    spec.workloads.forEach((w, i) => {
      const job = workloads[i].jobLabel;
      if (job !== undefined) workloadSelectors[w.name] = { namespace: ns, job };
    });
    const sources = alertSources(spec.id, {
      workloads: workloadSelectors,
      database: exporter?.selector,
      health: mapValues(health, (probe) => probes!.selector(probe)),
      securityHeaders: mapValues(headers, (probe) => probes!.selector(probe)),
      dependencies: mapValues(dependencies, (probe) => probes!.selector(probe)),
    });
    this.scrapeJobs = [
      ...Object.values(workloadSelectors).map((selector) => ({ kind: "service-monitor" as const, selector })),
      ...(exporter?.deployed ? [{ kind: "exporter" as const, selector: exporter.selector }] : []),
      ...Object.keys(probes?.jobs ?? {}).map((p) => ({ kind: "probe" as const, selector: probes!.selector(p) })),
    ];
    const rb = platform.runbookBaseUrl;
    const probeGroups: AlertGroup[] = [
      ...Object.entries(health).map(([owner, probe]) => ({
        name: `${spec.id}-${owner}-endpoint`,
        rules: [
          endpointDown({ selector: probes!.selector(probe), runbookBaseUrl: rb, labels: { endpoint: owner } }),
          // seed 001 §1.4 warning "SSL certificate expiring within 30 days", for every public host.
          tlsCertificateExpiring({ selector: probes!.selector(probe), runbookBaseUrl: rb, labels: { endpoint: owner } }),
          ...(headers[owner]
            ? [securityHeadersMissing({ selector: probes!.selector(headers[owner]), runbookBaseUrl: rb, labels: { endpoint: owner } })]
            : []),
        ],
      })),
      ...(Object.keys(dependencies).length > 0
        ? [
            {
              name: `${spec.id}-dependencies`,
              rules: Object.entries(dependencies).map(([dep, probe]) =>
                dependencyDown({ dependency: dep, selector: probes!.selector(probe), runbookBaseUrl: rb }),
              ),
            },
          ]
        : []),
    ];
    const targetGroups: AlertGroup[] = this.scrapeJobs.map((j) => ({
      name: `${String(j.selector.job)}-target`,
      // `scrape_job` keeps the rules of different jobs apart (same alert name, distinct labels).
      rules: [
        targetDown({ selector: j.selector, runbookBaseUrl: rb, labels: { scrape_job: String(j.selector.job) } }),
        targetAbsent({ selector: j.selector, runbookBaseUrl: rb, labels: { scrape_job: String(j.selector.job) } }),
        // The exporter answers while its database is down; only pg_up tells.
        ...(j.kind === "exporter" ? [databaseDown({ selector: j.selector, runbookBaseUrl: rb, labels: { scrape_job: String(j.selector.job) } })] : []),
      ],
    }));
    const alertGroups = [...spec.alerts(sources), ...probeGroups, ...targetGroups, ...backupGroups];
    this.createAlertRules(name, alertGroups, platform);
    // One dashboard per product from the same selectors and alert specs (issue 9 "Dashboards").
    this.dashboard = new ProductDashboard(
      `${name}-dashboard`,
      {
        product: spec.id,
        environment: args.environment,
        namespace: platform.monitoringNamespace,
        sidecarLabel: platform.grafanaDashboardLabel,
        workloads: workloadSelectors,
        probes: mapValues(health, (probe) => probes!.selector(probe)),
        database: exporter?.selector,
        backups: (spec.backups?.jobs ?? []).map((j) => ({ cronJob: backupJobName(name, j.name), namespace: ns })),
        alerts: alertGroups.flatMap((g) => g.rules),
        labels: recommendedLabels(this.context, `${spec.id}-dashboard`, "dashboard"),
      },
      { parent: this },
    );
    if (spec.databaseMaintenance) this.createDatabaseMaintenance(name, spec.databaseMaintenance, platform);

    this.registerOutputs({
      namespace: this.namespace,
      hosts: this.hosts,
      backupBucketName: this.backupBucketName,
      vercelProjectIds: this.vercelProjectIds,
      scrapeJobs: this.scrapeJobs,
      pendingVercelProjects: this.pendingVercelProjects,
    });
  }

  /**
   * A component's `dependsOn` does not reach its children (the SDK sends each child's own
   * dependencies only), so components that take the namespace as a plain name get this
   * transformation, which runs for every child too: each waits for the namespace, and a first
   * `up` cannot create them before it exists.
   */
  private readonly afterNamespace: pulumi.ResourceTransformation = (a) => ({
    props: a.props,
    opts: pulumi.mergeOptions(a.opts, { dependsOn: [this.namespaceResource] }),
  });

  /** The namespace's `kubernetes.io/dockerconfigjson` Secret from `imagePullDockerConfigJson`. */
  private createRegistrySecret(name: string, credentials: pulumi.Input<string>): k8s.core.v1.Secret {
    const ctx = this.context;
    return new k8s.core.v1.Secret(
      `${name}-registry`,
      {
        metadata: {
          name: REGISTRY_SECRET_NAME,
          namespace: this.namespace,
          labels: recommendedLabels(ctx, ctx.product, "registry-credentials"),
        },
        type: "kubernetes.io/dockerconfigjson",
        stringData: { ".dockerconfigjson": pulumi.secret(credentials) },
      },
      { parent: this },
    );
  }

  private createNamespace(name: string): k8s.core.v1.Namespace {
    const ctx = this.context;
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
      { parent: this },
    );
  }

  private createSecretSet(name: string, args: ApplicationStackArgs): SecretSet {
    const provided: Record<string, pulumi.Input<string>> = {};
    for (const s of args.spec.providedSecrets) {
      const v = args.providedSecrets[s.name];
      if (v !== undefined) provided[s.name] = v;
    }
    const generated = Object.fromEntries(
      args.spec.generatedSecrets.map((g) => [
        g.name,
        { length: g.length ?? 48, dataKey: g.dataKey, rotate: g.rotate, keepPrevious: g.keepPrevious },
      ]),
    );
    return new SecretSet(
      `${name}-secrets`,
      { context: this.context, provided, generated, clock: args.platform.clock },
      { parent: this },
    );
  }

  /**
   * Resolves env → secret refs to values; optional secrets that are unset are left out. A secret
   * that keeps its previous value also yields `<ENV>_PREVIOUS`, so every sink of the current value
   * gets the previous one too.
   */
  private secretValues(refs: SecretRefs): Record<string, pulumi.Input<string>> {
    const out: Record<string, pulumi.Input<string>> = {};
    for (const [env, secret] of Object.entries(refs)) {
      const v = this.secretSet.values[secret];
      if (v !== undefined) out[env] = v;
      const previous = this.secretSet.previousValues[secret];
      if (previous !== undefined) out[previousKey(env)] = previous;
    }
    return out;
  }

  /** The rotation version of the generated secrets `refs` reads, when any of them rotates. */
  private rotationVersionOf(refs: SecretRefs): string | undefined {
    const rotating = Object.values(refs).some((secret) => this.secretSet.rotatingKeys.includes(secret));
    return rotating ? this.secretSet.rotationVersion : undefined;
  }

  private createWorkload(name: string, w: ProductSpec["workloads"][number], platform: PlatformSettings): KubernetesService {
    return new KubernetesService(
      `${name}-${w.name}`,
      {
        context: this.context,
        namespace: this.namespace,
        component: w.name,
        image: w.image,
        port: w.port,
        metricsPath: w.metricsPath,
        serviceMonitorLabels: { ...platform.prometheusSelectorLabels },
        liveness: w.liveness,
        readiness: w.readiness,
        startup: w.startup,
        resources: w.resources,
        replicas: w.replicas,
        autoscaling: w.autoscaling,
        env: { ...w.env },
        secretEnv: this.secretValues(w.secretEnv),
        terminationGracePeriod: w.terminationGracePeriod,
        preStopSleep: w.preStopSleep,
        ingressControllerNamespace: platform.ingressControllerNamespace,
        prometheusNamespace: platform.monitoringNamespace,
        extraEgressPorts: w.extraEgressPorts ? [...w.extraEgressPorts] : undefined,
        ingress: w.publicHost
          ? { host: w.publicHost, className: platform.ingressClassName, clusterIssuer: platform.clusterIssuer }
          : undefined,
        transform: w.sessionAffinity
          ? {
              service: (a) => ({ ...a, spec: { ...(a.spec as object), sessionAffinity: "ClientIP" } }),
              ingress: (a) => ({
                ...a,
                metadata: {
                  ...(a.metadata as object),
                  annotations: {
                    ...((a.metadata as any)?.annotations ?? {}),
                    "nginx.ingress.kubernetes.io/affinity": "cookie",
                    // SSE streams stay open; keep the proxy from cutting them at 60 s.
                    "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
                    "nginx.ingress.kubernetes.io/proxy-buffering": "off",
                  },
                },
              }),
            }
          : undefined,
      },
      { parent: this },
    );
  }

  private createWebApp(
    name: string,
    a: ProductSpec["webApps"][number],
    workloads: readonly KubernetesService[],
    platform: PlatformSettings,
  ): VercelApp {
    const version = this.rotationVersionOf(a.secretEnv);
    const prod = this.context.environment === "prod";
    // Prod: the staging branch's values are simply production's; staging: they override the branch only.
    const branchEnv = a.stagingBranchEnv ?? {};
    return new VercelApp(
      `${name}-${a.name}`,
      {
        context: this.context,
        project: {
          name: a.projectName,
          framework: a.framework,
          rootDirectory: a.rootDirectory,
          gitRepository: { type: "github", repo: a.repository },
          buildCommand: a.buildCommand,
          outputDirectory: a.outputDirectory,
          installCommand: a.installCommand,
        },
        // Only staging deploys a preview branch; prod is the production branch.
        previewBranch: prod ? undefined : a.previewBranch,
        env: prod ? { ...a.env, ...branchEnv } : { ...a.env },
        branchEnv: prod ? undefined : { ...branchEnv },
        publicEnvKeys: a.publicEnvKeys,
        secretEnv: this.secretValues(a.secretEnv),
        domains: a.domains.map((d) => ({ domain: d.host, redirectTo: d.redirectTo })),
        // Vercel applies variable changes only to new deployments: redeploy when a rotation
        // replaced a generated secret the app reads.
        redeploy: version ? { version, after: [...workloads] } : undefined,
        previewProtection: a.previewProtection,
        functionRegions: a.functionRegions,
        rateLimit: a.rateLimit && {
          ...a.rateLimit,
          pathPrefix: platform.vercelFirewall?.pathPrefix ?? "/api/",
          maxWindowSeconds: platform.vercelFirewall?.maxWindowSeconds,
          // The health probes (createProbes) GET it on every host each scrape interval from one IP.
          exemptPaths: [a.healthPath],
        },
      },
      { parent: this },
    );
  }

  private createDns(name: string, spec: ProductSpec, platform: PlatformSettings, apps: readonly VercelApp[]): DnsRecords | undefined {
    const records = productDnsRecords(spec, platform, (app, host) => {
      const web = apps[spec.webApps.indexOf(app)];
      const target = vercelDnsTarget({ name: web.projectName, id: web.projectId }, host, { parent: this });
      // A looked-up project may not exist yet: its records wait for the run after prod, like its variables.
      return web.managesProject ? target : { ...target, pending: web.projectPending };
    });
    if (records.length === 0) return undefined;
    return new DnsRecords(
      `${name}-dns`,
      {
        context: this.context,
        zoneId: platform.zoneId,
        zoneName: platform.zoneName,
        records,
        allowedCnameTargets: platform.allowedCnameTargets,
      },
      { parent: this },
    );
  }

  private createDataBucket(name: string, bucketName: string, platform: PlatformSettings): cloudflare.R2Bucket {
    // Private by construction: no managed (r2.dev) domain, no custom domain, no CORS.
    return new cloudflare.R2Bucket(
      `${name}-${bucketName}`,
      { accountId: platform.cloudflareAccountId, name: bucketName },
      { parent: this, ...dataProtection(this.context) },
    );
  }

  private createBackupBucket(name: string, spec: ProductSpec, platform: PlatformSettings): BackupBucket {
    const b = spec.backups!;
    return new BackupBucket(
      `${name}-backups`,
      {
        context: this.context,
        kind: b.kind,
        retention: b.retention,
        ...(b.kind === "r2"
          ? { accountId: platform.cloudflareAccountId }
          : { region: platform.awsRegion, bucketNameSuffix: platform.s3BucketSuffix }),
      },
      { parent: this },
    );
  }

  private createBackupJob(
    name: string,
    job: NonNullable<ProductSpec["backups"]>["jobs"][number],
    bucket: BackupBucket,
    spec: ProductSpec,
    platform: PlatformSettings,
  ): BackupJob {
    return new BackupJob(
      backupJobName(name, job.name),
      {
        context: this.context,
        namespace: this.namespace,
        bucket,
        prefix: job.prefix,
        schedule: job.schedule,
        rpo: job.rpo,
        ...(job.export
          ? {
              exportTask: {
                image: job.export.image,
                command: job.export.command,
                secretEnv: this.secretValues(job.export.secretEnv),
              },
            }
          : { databaseUrl: this.secretSet.get(spec.backups!.databaseSecret), image: platform.backupImage }),
      },
      { parent: this },
    );
  }

  /** The product database's postgres_exporter (deployed, or an existing one's job); none without a database. */
  private createDatabaseExporter(name: string, spec: ProductSpec, ns: string, platform: PlatformSettings): PostgresExporter | undefined {
    const db = spec.database;
    if (!db) return undefined;
    const pe = platform.postgresExporter;
    return new PostgresExporter(
      `${name}-postgres`,
      {
        context: this.context,
        namespace: ns,
        exporter:
          pe.mode === "external"
            ? { mode: "external", job: pe.jobs[spec.id] }
            : {
                mode: "deploy",
                image: pe.image,
                dsn: this.secretSet.get(db.secret),
                databasePort: db.port,
                prometheusNamespace: platform.monitoringNamespace,
                selectorLabels: platform.prometheusSelectorLabels,
              },
      },
      { parent: this, dependsOn: [this.namespaceResource], transformations: [this.afterNamespace] },
    );
  }

  /**
   * One Probe per public endpoint owner (health path on every host: uptime, TLS expiry), one per
   * web app for its security headers (its own module), one per external dependency (status
   * page). Returns the probe names per owner and the modules they name.
   *
   * A web app in `bypass` (staging, previews behind Vercel Deployment Protection) gets its own
   * variants of both modules, `<product>_<app>_<module>_vercel_bypass`, sending the project's
   * automation-bypass secret as `x-vercel-protection-bypass`; without it Vercel answers 401, the
   * health probe pages for nothing and the headers probe never sees the app's headers.
   */
  private createProbes(
    name: string,
    spec: ProductSpec,
    ns: string,
    platform: PlatformSettings,
    bypass: Readonly<Record<string, pulumi.Output<string>>>,
  ) {
    const specs: BlackboxProbeSpec[] = [];
    const modules: Record<string, BlackboxModuleInput> = {};
    const health: Record<string, string> = {};
    const headers: Record<string, string> = {};
    const dependencies: Record<string, string> = {};
    const healthProbe = (owner: string, urls: string[], module: { name: string; spec: BlackboxModuleInput }) => {
      modules[module.name] = module.spec;
      health[owner] = `${owner}-health`;
      specs.push({ name: health[owner], module: module.name, targets: urls });
    };
    const sharedHealth = { name: platform.blackbox.module, spec: healthModule() };
    for (const w of spec.workloads) {
      if (w.publicHost) healthProbe(w.name, [`https://${w.publicHost}${w.healthPath}`], sharedHealth);
    }
    for (const a of spec.webApps) {
      const owner = `${spec.id}-${a.name}`;
      // While prod has not created the project yet the secret is "" (VercelApp); staging then
      // attaches no domain either, and the next staging run after prod fills both in.
      const secret = bypass[a.name];
      // Every host, redirecting ones too (the module follows the 308): each has its own certificate.
      healthProbe(
        a.name,
        a.domains.map((d) => `https://${d.host}${a.healthPath}`),
        secret
          ? { name: vercelBypassModuleName(appModuleName(owner, platform.blackbox.module)), spec: withVercelProtectionBypass<pulumi.Input<string>>(healthModule(), secret) }
          : sharedHealth,
      );
      // issue 10 "Security headers": a module per app, named once here and used by its Probe.
      const headersModule = securityHeadersModule(a.securityHeaders ?? SEED_SECURITY_HEADERS);
      const module = secret ? vercelBypassModuleName(securityHeadersModuleName(owner)) : securityHeadersModuleName(owner);
      modules[module] = secret ? withVercelProtectionBypass<pulumi.Input<string>>(headersModule, secret) : headersModule;
      headers[a.name] = `${a.name}-headers`;
      // The headers come from the app itself: probe the canonical host, not a redirect.
      const canonical = a.domains.find((d) => d.redirectTo === undefined) ?? a.domains[0];
      specs.push({ name: headers[a.name], module, targets: [`https://${canonical.host}/`] });
    }
    for (const d of spec.dependencies ?? []) {
      modules[STATUSPAGE_MODULE] = statuspageModule();
      dependencies[d.name] = `${kebab(d.name)}-status`;
      specs.push({ name: dependencies[d.name], module: STATUSPAGE_MODULE, targets: [d.statusUrl], labels: { dependency: kebab(d.name) } });
    }
    const probes =
      specs.length === 0
        ? undefined
        : new BlackboxProbes(
            `${name}-probes`,
            {
              context: this.context,
              namespace: ns,
              prober: { address: platform.blackbox.address },
              probes: specs,
              selectorLabels: platform.prometheusSelectorLabels,
            },
            { parent: this, dependsOn: [this.namespaceResource], transformations: [this.afterNamespace] },
          );
    return { probes, modules, health, headers, dependencies };
  }

  /** seed 001 §4.4, seeds 000 and 004: the newest dump of one job restored and checked on a schedule. */
  private createRestoreVerification(
    name: string,
    backups: NonNullable<ProductSpec["backups"]>,
    bucket: BackupBucket,
    platform: PlatformSettings,
  ): RestoreVerification {
    const v = backups.restoreVerification!;
    const job = backups.jobs.find((j) => j.name === v.job)!;
    return new RestoreVerification(
      restoreVerificationName(name, v.job),
      {
        context: this.context,
        namespace: this.namespace,
        bucket,
        prefix: job.prefix,
        schedule: v.schedule,
        expectedTables: v.expectedTables,
        restoreSchemas: v.restoreSchemas,
        image: platform.backupImage,
      },
      { parent: this },
    );
  }

  /** seeds 000, 001 §7.1, 004: VACUUM (ANALYZE) monthly, vector REINDEX quarterly, first Saturday 02:00-06:00 UTC. */
  private createDatabaseMaintenance(
    name: string,
    m: NonNullable<ProductSpec["databaseMaintenance"]>,
    platform: PlatformSettings,
  ): DatabaseMaintenance {
    return new DatabaseMaintenance(
      `${name}-db-maintenance`,
      {
        context: this.context,
        namespace: this.namespace,
        databaseUrl: this.secretSet.get(m.databaseSecret),
        image: platform.backupImage,
        tasks: {
          ...(m.vacuum ? { vacuum: { months: "*" } } : {}),
          // Quarterly: the first Saturday of January, April, July and October.
          ...(m.reindexVectorIndexes ? { reindex: { months: "1,4,7,10" } } : {}),
        },
      },
      { parent: this },
    );
  }

  private createAlertRules(name: string, groups: AlertGroup[], platform: PlatformSettings): AlertRules | undefined {
    if (groups.length === 0) return undefined;
    return new AlertRules(
      `${name}-alerts`,
      {
        context: this.context,
        namespace: namespaceName(this.context.product, this.context.environment),
        groups,
        routing: platform.alertRouting,
        ruleSelectorLabels: platform.prometheusSelectorLabels,
        alertmanagerConfigSelectorLabels: platform.prometheusSelectorLabels,
      },
      { parent: this, dependsOn: [this.namespaceResource], transformations: [this.afterNamespace] },
    );
  }
}
