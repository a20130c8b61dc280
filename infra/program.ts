/**
 * The program: validate config, build providers, instantiate the enabled products. Split from
 * `index.ts` so tests can run it under Pulumi's mocks and read its outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import { ApplicationStack } from "../components/application-stack";
import type { PlatformSettings } from "../components/product-scope";
import { validateApplicationStackArgs } from "../components/product-validation";
import { BlackboxModulesConfig, BlackboxModuleInput } from "../components/monitoring/blackbox-modules";
import { bucketNameProblem, defaultBucketName, s3BucketName } from "../components/data/backup-bucket";
import { buildProduct, type ProductEnvironment } from "../components/product-spec";
import { namespaceName } from "../components/context";
import { type AgentRoute, LogAgent } from "../components/logs/log-agent";
import { type DrainedProduct, VercelLogDrains } from "../components/logs/vercel-drains";
import { CATALOG } from "../stacks";
import { CONFIG_NAMESPACE } from "./config-keys";
import { ConfigError, StackConfig, parseStackConfig } from "./config";
import { allSecretKeys, checkSecrets, readProductSecrets } from "./secrets";
import { createProviders } from "./providers";
import { REGISTRY_CREDENTIALS_KEY, checkRegistryCredentials } from "./registry-credentials";

/** Non-secret facts about one product, exported as stack outputs for people and scripts. */
export interface ProductOutputs {
  readonly namespace: pulumi.Output<string>;
  readonly hosts: readonly string[];
  readonly backupBucket?: pulumi.Output<string>;
  readonly vercelProjects: Readonly<Record<string, pulumi.Output<string>>>;
  /** Vercel projects this stack looked up that do not exist yet (see `pendingVercelProjects`). */
  readonly pendingVercelProjects: pulumi.Output<string[]>;
}

/**
 * Every Vercel project the stack looked up but found missing, sorted: staging before prod on a
 * fresh account or after a new web app was added. Exported as the stack output
 * `pendingVercelProjects`; deploy.yml runs staging again after prod when it is not empty.
 */
export function pendingVercelProjects(products: Readonly<Record<string, ProductOutputs>>): pulumi.Output<string[]> {
  return pulumi.all(Object.values(products).map((p) => p.pendingVercelProjects)).apply((lists) => lists.flat().sort());
}

/**
 * Whether the CLI passed `fullKey` as a secret. The SDK keeps the secret keys in its runtime store
 * (filled from `PULUMI_CONFIG_SECRET_KEYS`); `isConfigSecret` reads them there, and the variable
 * itself is the fallback should that internal function ever move.
 */
function isConfigSecret(fullKey: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const internal = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
  if (typeof internal.isConfigSecret === "function") return internal.isConfigSecret(fullKey);
  try {
    const keys = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
    return Array.isArray(keys) && keys.includes(fullKey);
  } catch {
    return false;
  }
}

/** Reads and validates every config value; throws a `ConfigError` before any resource exists. */
export function loadConfig(): StackConfig {
  const raw = pulumi.runtime.allConfig();
  const stack = pulumi.getStack();
  const cfg = parseStackConfig(raw, stack, new Set(allSecretKeys().map((s) => s.key)));
  checkSecrets(raw, stack, cfg.products, isConfigSecret);
  checkRegistryCredentials(raw, stack, cfg.imageRegistry);
  checkS3BucketNames(cfg);
  return cfg;
}

/** Stands for the AWS account id (always 12 digits) when `s3BucketSuffix` is empty. */
export const AWS_ACCOUNT_ID_SHAPE = "123456789012";

/**
 * The S3 bucket names the enabled products will get, with `s3BucketSuffix` (or a 12-digit account
 * id in its place), each checked against S3's naming rules before anything is registered; an
 * invalid one is a `ConfigError` naming the key.
 */
export function checkS3BucketNames(cfg: StackConfig): void {
  const env = productEnvironment(cfg);
  const suffix = cfg.s3BucketSuffix || AWS_ACCOUNT_ID_SHAPE;
  const problems: string[] = [];
  for (const id of cfg.products) {
    const spec = buildProduct(CATALOG[id], env);
    if (spec.backups?.kind !== "s3") continue;
    const name = s3BucketName(defaultBucketName({ product: spec.id, environment: cfg.environment, owner: cfg.owner }), suffix);
    const problem = bucketNameProblem(name);
    if (problem) {
      const what = cfg.s3BucketSuffix ? `is "${cfg.s3BucketSuffix}"` : "is empty (the 12-digit AWS account id is used)";
      problems.push(
        `\`${CONFIG_NAMESPACE}:s3BucketSuffix\` ${what}, which makes the S3 bucket name "${name}" of ${id} invalid: ${problem}. Fix: \`pulumi config set --stack ${cfg.stack} s3BucketSuffix <shorter lower-case letters, digits, hyphens>\``,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, cfg.stack);
}

/** Builds the product environment (hosts, config) handed to the product definitions. */
export function productEnvironment(cfg: StackConfig): ProductEnvironment<StackConfig> {
  return {
    environment: cfg.environment,
    config: cfg,
    host: (label) => (cfg.environment === "prod" ? `${label}.${cfg.domain}` : `${label}-staging.${cfg.domain}`),
  };
}

/** Splits `repository:tag` (the registry may carry a port). */
export function splitImage(image: string): { repository: string; tag: string } {
  const i = image.lastIndexOf(":");
  return { repository: image.slice(0, i), tag: image.slice(i + 1) };
}

/** What every product of a stack shares: its environment, explicit providers and platform settings. */
export interface StackPlatform {
  readonly config: pulumi.Config;
  readonly env: ProductEnvironment<StackConfig>;
  /** Handed to each product as its `providers` resource option. */
  readonly providers: pulumi.ProviderResource[];
  readonly platform: PlatformSettings;
}

/** Builds the explicit providers, looks up the zone and gathers the shared settings, once per stack. */
export function platformFor(cfg: StackConfig): StackPlatform {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const kubeconfigSet = Boolean(pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:kubeconfig`));
  const registryCredentialsSet = Boolean(pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${REGISTRY_CREDENTIALS_KEY}`));
  const providers = createProviders(cfg, {
    kubeconfig: kubeconfigSet ? config.requireSecret("kubeconfig") : undefined,
    cloudflareApiToken: config.requireSecret("cloudflareApiToken"),
    vercelApiToken: config.requireSecret("vercelApiToken"),
  });
  const zone = cloudflare.getZoneOutput({ filter: { name: cfg.domain } }, { provider: providers.cloudflare });
  return {
    config,
    env: productEnvironment(cfg),
    providers: [providers.kubernetes, providers.aws, providers.cloudflare, providers.vercel],
    platform: {
      zoneId: zone.zoneId.apply((z) => z ?? ""),
      zoneName: cfg.domain,
      ingressAddress: cfg.ingressAddress,
      ingressClassName: cfg.ingressClassName,
      ingressControllerNamespace: cfg.ingressControllerNamespace,
      monitoringNamespace: cfg.monitoringNamespace,
      clusterIssuer: cfg.clusterIssuer,
      awsRegion: cfg.awsRegion,
      // S3 names are global: a stack-chosen suffix, else the account id (unique to the account).
      s3BucketSuffix: cfg.s3BucketSuffix || aws.getCallerIdentityOutput({}, { provider: providers.aws }).accountId,
      cloudflareAccountId: cfg.cloudflareAccountId,
      backupImage: splitImage(cfg.backupImage),
      runbookBaseUrl: cfg.runbookBaseUrl,
      kubernetes: {
        imagePullSecrets: cfg.imagePullSecrets,
        preStopHook: cfg.preStopHook,
        registryCredentials: registryCredentialsSet ? config.requireSecret(REGISTRY_CREDENTIALS_KEY) : undefined,
      },
      alertRouting: {
        pagerKey: config.requireSecret("alertPagerRoutingKey"),
        chatWebhookUrl: config.requireSecret("alertChatWebhookUrl"),
      },
      prometheusSelectorLabels: cfg.prometheusSelectorLabels,
      grafanaDashboardLabel: cfg.grafanaDashboardLabel,
      blackbox: { address: cfg.blackboxExporterAddress, module: cfg.blackboxModule },
      postgresExporter:
        cfg.postgresExporter === "external"
          ? { mode: "external", jobs: cfg.postgresExporterJobs }
          : { mode: "deploy", image: splitImage(cfg.postgresExporterImage) },
      allowedCnameTargets: cfg.dnsAllowedCnameTargets,
      vercelFirewall: { pathPrefix: cfg.vercelFirewallPathPrefix, maxWindowSeconds: cfg.vercelFirewallMaxWindowSeconds },
      secretRotationOnDemand: onDemandRotations(cfg.secretRotationOnDemand),
    },
  };
}

/** `["ask-dahlia/WORKER_API_SECRET@2026-12-06", …]` → `{ "ask-dahlia": { WORKER_API_SECRET: 1 } }`: rotations per product and key. */
export function onDemandRotations(entries: readonly string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const entry of entries) {
    const [product, rest] = entry.split("/");
    const key = rest.split("@")[0];
    out[product] ??= {};
    out[product][key] = (out[product][key] ?? 0) + 1;
  }
  return out;
}

export function run(): Record<string, ProductOutputs> {
  const cfg = loadConfig();
  const { config, env, providers, platform } = platformFor(cfg);

  const outputs: Record<string, ProductOutputs> = {};
  // Every product's spec is built and checked before the first resource is registered.
  const products = cfg.products.map((id) => ({
    id,
    args: {
      environment: cfg.environment,
      owner: cfg.owner,
      spec: buildProduct(CATALOG[id], env),
      providedSecrets: readProductSecrets(id, config),
      platform,
    },
  }));
  const unknown = Object.keys(onDemandRotations(cfg.secretRotationOnDemand)).filter((p) => !(cfg.products as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map(
        (p) =>
          `\`app-platform:secretRotationOnDemand\` names product \`${p}\`, which this stack does not run; expected one of ${cfg.products.join(", ")}. Fix: \`pulumi config set --path 'secretRotationOnDemand[<n>]' <product>/<KEY>@<tag>\` with one of them, or remove the entry`,
      ),
      cfg.stack,
    );
  }
  for (const p of products) validateApplicationStackArgs(p.id, p.args);
  const modules: Record<string, BlackboxModuleInput> = {};
  const logRoutes: AgentRoute[] = [];
  const drained: DrainedProduct[] = [];
  for (const { id, args } of products) {
    const product = new ApplicationStack(id, args, { providers });
    Object.assign(modules, product.blackboxModules);
    // One destination per product (its log buckets, `productLogs`), for both writers: its namespace's
    // agent routes and its Vercel apps' drains.
    const destination = product.logDestination;
    if (product.hasWorkloads) logRoutes.push({ product: id, namespace: namespaceName(id, cfg.environment), destination });
    if (product.vercelApps.length > 0) drained.push({ product: id, apps: product.vercelApps, destination });
    outputs[id] = {
      namespace: product.namespace,
      hosts: product.hosts,
      backupBucket: product.backupBucketName,
      vercelProjects: product.vercelProjectIds,
      pendingVercelProjects: product.pendingVercelProjects,
    };
  }
  if (Object.keys(modules).length > 0) {
    // The blackbox_exporter's configuration, a Secret (staging's modules carry the Vercel bypass):
    // every module the Probes above name (README "The blackbox_exporter's modules").
    new BlackboxModulesConfig(
      `blackbox-modules-${cfg.environment}`,
      { context: { environment: cfg.environment, product: "platform", owner: cfg.owner }, namespace: cfg.monitoringNamespace, modules },
      { providers },
    );
  }
  if (logRoutes.length > 0) {
    // The platform's log agent: every product namespace's container logs to its buckets (README "Logs").
    new LogAgent(
      `log-agent-${cfg.environment}`,
      {
        context: { environment: cfg.environment, product: "platform", owner: cfg.owner },
        routes: logRoutes,
        monitoringNamespace: cfg.monitoringNamespace,
        prometheusSelectorLabels: cfg.prometheusSelectorLabels,
        runbookBaseUrl: platform.runbookBaseUrl,
        alertRouting: platform.alertRouting,
      },
      { providers },
    );
  }
  if (drained.length > 0) {
    // The Vercel apps' log drains into the platform's Vector aggregator (README "Logs", "Vercel apps' logs").
    new VercelLogDrains(
      `vercel-log-drains-${cfg.environment}`,
      {
        context: { environment: cfg.environment, product: "platform", owner: cfg.owner },
        products: drained,
        host: env.host(cfg.logDrainHostLabel),
        zoneId: platform.zoneId,
        zoneName: platform.zoneName,
        ingressAddress: platform.ingressAddress,
        ingressClassName: platform.ingressClassName,
        ingressControllerNamespace: platform.ingressControllerNamespace,
        clusterIssuer: platform.clusterIssuer,
        monitoringNamespace: cfg.monitoringNamespace,
        prometheusSelectorLabels: cfg.prometheusSelectorLabels,
        runbookBaseUrl: platform.runbookBaseUrl,
        alertRouting: platform.alertRouting,
      },
      { providers },
    );
  }
  return outputs;
}
