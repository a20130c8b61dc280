/**
 * Secret config: which encrypted keys a stack needs, a check that they are all set (one error
 * listing every missing key with its exact `pulumi config set --secret` command), and reading
 * them as Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "./config-keys";
import { ConfigError, RawConfig } from "./config";
import { CATALOG, PRODUCT_IDS, type ProductId } from "../stacks";
import { secretConfigKey } from "../components/product-spec";

export interface SecretConfigKey {
  /** Key within the `app-platform` namespace. */
  readonly key: string;
  readonly description: string;
  /** The product that reads it, or `platform`. */
  readonly owner: ProductId | "platform";
  /** The environment variable it becomes, for product secrets. */
  readonly envName?: string;
  readonly optional: boolean;
}

/** Secrets the platform itself needs, independent of products. */
export const PLATFORM_SECRET_KEYS: readonly SecretConfigKey[] = [
  {
    key: "cloudflareApiToken",
    description:
      "Cloudflare user API token with Zone → Zone → Read and Zone → DNS → Edit on the zone, Account → Workers R2 Storage → Edit, and User → API Tokens → Edit (the backup jobs' R2 tokens); see docs/credentials.md.",
    owner: "platform",
    optional: false,
  },
  {
    key: "vercelApiToken",
    description: "Vercel access token scoped to the team that owns the projects, of a Member or Owner; see docs/credentials.md.",
    owner: "platform",
    optional: false,
  },
  { key: "kubeconfig", description: "Kubeconfig (file contents) of the target cluster; unset uses the ambient kubeconfig.", owner: "platform", optional: true },
  { key: "alertPagerRoutingKey", description: "Pager (PagerDuty Events v2) routing key that receives `critical` alerts.", owner: "platform", optional: false },
  {
    key: "imagePullDockerConfigJson",
    description:
      'Docker config JSON (`{"auths": {"<registry>": {"auth": "<base64 of user:token>"}}}`, what `kubectl create secret docker-registry` stores) for the private registry of `imageRegistry`; when set, every product namespace gets a `kubernetes.io/dockerconfigjson` Secret `app-platform-registry` that every pod pulls with. Unset: no Secret (public images, or `imagePullSecrets` names existing ones).',
    owner: "platform",
    optional: true,
  },
  { key: "alertChatWebhookUrl", description: "Chat (Slack) incoming-webhook URL that receives `warning` alerts.", owner: "platform", optional: false },
];

/** Every secret key a product reads from config. */
export function productSecretKeys(product: ProductId): SecretConfigKey[] {
  return CATALOG[product].providedSecrets.map((s) => ({
    key: secretConfigKey(product, s.name),
    description: s.description,
    owner: product,
    envName: s.name,
    optional: s.optional ?? false,
  }));
}

/** Every secret key the project can read (all products): what `Pulumi.yaml` declares. */
export function allSecretKeys(): SecretConfigKey[] {
  return [...PLATFORM_SECRET_KEYS, ...PRODUCT_IDS.flatMap(productSecretKeys)];
}

/** The secret keys a stack with these products reads. */
export function secretKeysFor(products: readonly ProductId[]): SecretConfigKey[] {
  return [...PLATFORM_SECRET_KEYS, ...products.flatMap(productSecretKeys)];
}

/**
 * Throws a `ConfigError` naming every required secret that is not set, with the command that
 * sets it. Plain (unencrypted) values for secret keys are reported too: they would sit in
 * `Pulumi.<stack>.yaml` in clear text.
 */
export function checkSecrets(raw: RawConfig, stack: string, products: readonly ProductId[], isSecret: (fullKey: string) => boolean): void {
  const problems: string[] = [];
  for (const s of secretKeysFor(products)) {
    const full = `${CONFIG_NAMESPACE}:${s.key}`;
    const value = raw[full];
    if (value === undefined || value === "") {
      if (!s.optional) {
        problems.push(`\`${full}\` is missing; expected a secret: ${s.description} Fix: \`pulumi config set --secret --stack ${stack} ${s.key} <value>\``);
      }
    } else if (!isSecret(full)) {
      problems.push(
        `\`${full}\` is stored in plain text; it must be encrypted. Fix: \`pulumi config set --secret --stack ${stack} ${s.key} <value>\` (this replaces the plain value)`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, stack);
}

/** Reads a product's provided secrets as Pulumi secrets; optional ones that are unset are left out. */
export function readProductSecrets(product: ProductId, config: pulumi.Config): Record<string, pulumi.Output<string>> {
  const out: Record<string, pulumi.Output<string>> = {};
  for (const s of productSecretKeys(product)) {
    // Unset keys arrive as "" (Pulumi.yaml declares them with that default): leave them out.
    if (s.optional && !pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${s.key}`)) continue;
    out[s.envName!] = config.requireSecret(s.key);
  }
  return out;
}
