/**
 * A product's monitoring: its postgres_exporter, its blackbox Probes (health, TLS, security
 * headers, dependencies' status pages), every alert group that reads them (the product's own, and
 * the platform's per source), the PrometheusRule and routing that carry them, and its dashboard.
 * Every source is created first, then the alerts and the dashboard that read them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isProd, recommendedLabels } from "../context";
import { type ProductSpec, databasePortOf } from "../product-spec";
import type { ProductScope } from "../product-scope";
import { APP_CONTAINER_NAME, type KubernetesService } from "../workloads/kubernetes-service";
import { backupJobName, restoreVerificationName } from "../data/product-data";
import { AlertRules } from "./alert-rules";
import {
  type AlertGroup,
  type SeriesSelector,
  databaseDown,
  dependencyDown,
  endpointDown,
  securityHeadersMissing,
  targetAbsent,
  targetDown,
  tlsCertificateExpiring,
} from "./alerts";
import { BlackboxProbes, type BlackboxProbeSpec } from "./blackbox-probes";
import {
  type BlackboxModuleInput,
  appModuleName,
  exactHeaderPatterns,
  healthModule,
  redirectModule,
  redirectModuleName,
  securityHeadersModule,
  securityHeadersModuleName,
  statuspageComponentModule,
  statuspageComponentModuleName,
  vercelBypassModuleName,
  withVercelProtectionBypass,
} from "./blackbox-modules";
import { ProductDashboard } from "./dashboard";
import { PostgresExporter } from "./postgres-exporter";
import { DOMAIN_REDIRECT_STATUS } from "../web/vercel-app";
import { type ScrapeJob, alertSources } from "./series-sources";

function mapValues<T, U>(r: Readonly<Record<string, T>>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));
}

function kebab(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** What `productMonitoring` made and what the stack needs from it. */
export interface ProductMonitoring {
  /** Every blackbox_exporter module this product's Probes name, by module name (for `BlackboxModulesConfig`). */
  readonly blackboxModules: Readonly<Record<string, BlackboxModuleInput>>;
  /** Every scrape job (ServiceMonitors, exporter, Probes), each with a target-down and a target-missing alert. */
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly dashboard: ProductDashboard;
}

/** What `productMonitoring` watches besides the spec: the workloads' scrape jobs, the backups' alerts, staging's Vercel bypass secrets. */
export interface MonitoredParts {
  readonly workloads: readonly KubernetesService[];
  readonly backupAlertGroups: readonly AlertGroup[];
  /** Staging, per Vercel app whose previews stay protected: its automation-bypass secret. */
  readonly vercelProtectionBypass: Readonly<Record<string, pulumi.Output<string>>>;
  /**
   * Per Vercel app, the response headers this stack set on it (`VercelApp.responseHeaders`: the
   * project owner's route). Only these are probed, exactly; an app without any has no headers probe.
   * @default {} (no headers probes)
   */
  readonly vercelResponseHeaders?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The product's monitoring, from its spec and the parts already built. */
export function productMonitoring(scope: ProductScope, spec: ProductSpec, parts: MonitoredParts): ProductMonitoring {
  const { name, platform, namespaceName: ns } = scope;
  const exporter = databaseExporter(scope, spec);
  const { probes, modules, health, headers, dependencies } = productProbes(scope, spec, parts.vercelProtectionBypass, parts.vercelResponseHeaders ?? {});
  const probeSelector = (probe: string) => probes!.selector(probe);
  const workloadSelectors: Record<string, SeriesSelector> = {};
  spec.workloads.forEach((w, i) => {
    const job = parts.workloads[i].jobLabel;
    if (job !== undefined) workloadSelectors[w.name] = { namespace: ns, job };
  });
  const sources = alertSources(spec.id, {
    workloads: workloadSelectors,
    database: exporter?.selector,
    health: mapValues(health, probeSelector),
    securityHeaders: mapValues(headers, probeSelector),
    dependencies: mapValues(dependencies, probeSelector),
  });
  const scrapeJobs: ScrapeJob[] = [
    ...Object.values(workloadSelectors).map((selector) => ({ kind: "service-monitor" as const, selector })),
    ...(exporter?.deployed ? [{ kind: "exporter" as const, selector: exporter.selector }] : []),
    ...Object.keys(probes?.jobs ?? {}).map((p) => ({ kind: "probe" as const, selector: probeSelector(p) })),
  ];
  const rb = platform.runbookBaseUrl;
  const probeGroups: AlertGroup[] = [
    ...Object.entries(health).map(([owner, probe]) => ({
      name: `${spec.id}-${owner}-endpoint`,
      rules: [
        endpointDown({ selector: probeSelector(probe), runbookBaseUrl: rb, labels: { endpoint: owner } }),
        // Every public host: renewal failing (< 10 days); seed 001 §1.4's 30 days is the dashboard's line.
        tlsCertificateExpiring({ selector: probeSelector(probe), runbookBaseUrl: rb, labels: { endpoint: owner } }),
        ...(headers[owner] ? [securityHeadersMissing({ selector: probeSelector(headers[owner]), runbookBaseUrl: rb, labels: { endpoint: owner } })] : []),
      ],
    })),
    ...(Object.keys(dependencies).length > 0
      ? [
          {
            name: `${spec.id}-dependencies`,
            rules: Object.entries(dependencies).map(([dep, probe]) => dependencyDown({ dependency: dep, selector: probeSelector(probe), runbookBaseUrl: rb })),
          },
        ]
      : []),
  ];
  const targetGroups: AlertGroup[] = scrapeJobs.map((j) => ({
    name: `${String(j.selector.job)}-target`,
    // `scrape_job` keeps the rules of different jobs apart (same alert name, distinct labels).
    rules: [
      targetDown({ selector: j.selector, runbookBaseUrl: rb, labels: { scrape_job: String(j.selector.job) } }),
      targetAbsent({ selector: j.selector, runbookBaseUrl: rb, labels: { scrape_job: String(j.selector.job) } }),
      // The exporter answers while its database is down; only pg_up tells.
      ...(j.kind === "exporter" ? [databaseDown({ selector: j.selector, runbookBaseUrl: rb, labels: { scrape_job: String(j.selector.job) } })] : []),
    ],
  }));
  const alertGroups = [...spec.alerts(sources), ...probeGroups, ...targetGroups, ...parts.backupAlertGroups];
  if (alertGroups.length > 0) {
    new AlertRules(
      `${name}-alerts`,
      {
        context: scope.context,
        namespace: ns,
        groups: alertGroups,
        routing: platform.alertRouting,
        ruleSelectorLabels: platform.prometheusSelectorLabels,
        alertmanagerConfigSelectorLabels: platform.prometheusSelectorLabels,
      },
      scope.afterNamespace,
    );
  }
  // One dashboard per product from the same selectors and alert specs.
  const dashboard = new ProductDashboard(
    `${name}-dashboard`,
    {
      product: spec.id,
      environment: scope.context.environment,
      namespace: platform.monitoringNamespace,
      sidecarLabel: platform.grafanaDashboardLabel,
      workloads: workloadSelectors,
      probes: mapValues(health, probeSelector),
      database: exporter?.selector,
      pods: Object.fromEntries(
        spec.workloads.map((w, i) => [w.name, { namespace: ns, deployment: parts.workloads[i].deploymentName, container: APP_CONTAINER_NAME }]),
      ),
      backups: (spec.backups?.jobs ?? []).map((j) => ({ cronJob: backupJobName(name, j.name), namespace: ns })),
      restoreChecks: spec.backups?.restoreVerification ? [{ cronJob: restoreVerificationName(name, spec.backups.restoreVerification.job), namespace: ns }] : [],
      alerts: alertGroups.flatMap((g) => g.rules),
      labels: recommendedLabels(scope.context, `${spec.id}-dashboard`, "dashboard"),
    },
    { parent: scope.parent },
  );
  return { blackboxModules: modules, scrapeJobs, dashboard };
}

/** The product database's postgres_exporter (deployed, or an existing one's job); none without a database. */
function databaseExporter(scope: ProductScope, spec: ProductSpec): PostgresExporter | undefined {
  const db = spec.database;
  if (!db) return undefined;
  const { platform } = scope;
  const pe = platform.postgresExporter;
  return new PostgresExporter(
    `${scope.name}-postgres`,
    {
      context: scope.context,
      namespace: scope.namespaceName,
      exporter:
        pe.mode === "external"
          ? { mode: "external", job: pe.jobs[spec.id] }
          : {
              mode: "deploy",
              image: pe.image,
              dsn: scope.secrets.get(db.secret),
              databasePort: databasePortOf(spec),
              ...(db.monitoring ? { monitoring: db.monitoring } : {}),
              prometheusNamespace: platform.monitoringNamespace,
              selectorLabels: platform.prometheusSelectorLabels,
            },
    },
    scope.afterNamespace,
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
function productProbes(
  scope: ProductScope,
  spec: ProductSpec,
  bypass: Readonly<Record<string, pulumi.Output<string>>>,
  responseHeaders: Readonly<Record<string, Readonly<Record<string, string>>>>,
) {
  const { name, platform, namespaceName: ns } = scope;
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
    const withBypass = (module: { name: string; spec: BlackboxModuleInput }) =>
      secret ? { name: vercelBypassModuleName(module.name), spec: withVercelProtectionBypass<pulumi.Input<string>>(module.spec, secret) } : module;
    // The hosts that serve the app: GET the health path, any 2xx.
    const serving = a.domains.filter((d) => d.redirectTo === undefined);
    healthProbe(
      a.name,
      serving.map((d) => `https://${d.host}${a.healthPath}`),
      secret ? withBypass({ name: appModuleName(owner, platform.blackbox.module), spec: healthModule() }) : sharedHealth,
    );
    // Redirecting hosts (apex, `www`): not followed, 308 expected, so the probe's TLS handshake and
    // `probe_ssl_earliest_cert_expiry` are this host's own certificate, not the target's.
    const redirecting = a.domains.filter((d) => d.redirectTo !== undefined);
    if (redirecting.length > 0) {
      // Shared without a bypass; with one, the app's own (each project has its own secret).
      const name = secret ? appModuleName(owner, redirectModuleName(DOMAIN_REDIRECT_STATUS)) : redirectModuleName(DOMAIN_REDIRECT_STATUS);
      const module = withBypass({ name, spec: redirectModule(DOMAIN_REDIRECT_STATUS) });
      modules[module.name] = module.spec;
      health[`${a.name}-redirects`] = `${a.name}-redirects`;
      // The health path: the Firewall's rate limit exempts it, as on the serving hosts.
      specs.push({ name: health[`${a.name}-redirects`], module: module.name, targets: redirecting.map((d) => `https://${d.host}${a.healthPath}`) });
    }
    // Security headers: only those this stack set on the app (its route), exactly as set; an app
    // whose guide asks for none, or a stack that does not own the project, probes none.
    const set = responseHeaders[a.name] ?? {};
    if (Object.keys(set).length > 0) {
      const module = withBypass({ name: securityHeadersModuleName(owner), spec: securityHeadersModule(exactHeaderPatterns(set)) });
      modules[module.name] = module.spec;
      headers[a.name] = `${a.name}-headers`;
      // The headers come from the app itself: probe the canonical host, not a redirect.
      const canonical = serving[0] ?? a.domains[0];
      specs.push({ name: headers[a.name], module: module.name, targets: [`https://${canonical.host}/`] });
    }
  }
  // A vendor's status page is the same for every stack: only prod probes it, so one incident
  // alerts once (staging would repeat every alert).
  for (const d of isProd(scope.context) ? (spec.dependencies ?? []) : []) {
    const module = statuspageComponentModuleName(d.component);
    modules[module] = statuspageComponentModule(d.component);
    dependencies[d.name] = `${kebab(d.name)}-status`;
    specs.push({ name: dependencies[d.name], module, targets: [d.statusUrl], labels: { dependency: kebab(d.name) } });
  }
  const probes =
    specs.length === 0
      ? undefined
      : new BlackboxProbes(
          `${name}-probes`,
          {
            context: scope.context,
            namespace: ns,
            prober: { address: platform.blackbox.address },
            probes: specs,
            selectorLabels: platform.prometheusSelectorLabels,
          },
          scope.afterNamespace,
        );
  return { probes, modules, health, headers, dependencies };
}
