/**
 * Runs a stack the way `pulumi preview` would, with nothing the CLI would get from elsewhere: no
 * decryption key, no credentials, no provider plugins. The one offline runner of the project: the
 * plan (tools/plan), the tests and the tools (tools/engine/stack-run.ts for the committed stacks) all use
 * it. Built on tools/engine/harness (Pulumi's own Node.js runner against a recording monitor), for any
 * project directory — a git worktree of another commit, a test fixture — because the plan of a
 * base commit must use that commit's own Pulumi.yaml:
 *
 * - Secret keys come from Pulumi.yaml's declarations: `secret: true`, or the description prefix
 *   `Secret` / `Secret, optional` that scripts/config-docs.ts writes (it cannot write
 *   `secret: true`, which the CLI rejects together with a default). In this repository that list
 *   equals `allSecretKeys()` (tests/plan checks it).
 * - Every declared secret that the stack file does not set, and every `secure:` value in the
 *   stack file (which only the CLI could decrypt), becomes a placeholder marked secret
 *   (`placeholderSecret(key)`, e.g. `SENTINEL-codebookOpenaiApiKey-0f1e2d3c4b5a`). The values are
 *   unique, so the secret-flow check can find them wherever they land.
 * - Provider lookups get deterministic answers from the stack config (`invokeAnswers`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  fullConfigKey,
  readProject,
  runProgram,
  stackRunConfig,
  StackConfigError,
  type InvokeTable,
  type PulumiProject,
  type RegisteredResource,
  type RunResult,
} from "./harness";
import { imageRegistryHost } from "../../infra/registry-host";
import type { GetZoneResult } from "@pulumi/cloudflare";
import type { GetCallerIdentityResult, GetPartitionResult, GetRegionResult } from "@pulumi/aws";
import type { GetDomainConfigResult, GetEndpointVerificationResult, GetProjectResult } from "@pulumiverse/vercel";

/**
 * The placeholder a secret key is set to: unique per key and easy to search for (`SENTINEL-`),
 * so the secret-flow check can find it anywhere, and it can never pass for a real credential.
 */
export function placeholderSecret(key: string): string {
  return `SENTINEL-${key}-0f1e2d3c4b5a`;
}

/** Fixed zone id the Cloudflare zone lookup answers with (32 hex digits, like a real one). */
export const PLACEHOLDER_ZONE_ID = "0123456789abcdef0123456789abcdef";

/** A secret config key the plan fills with a placeholder. */
export interface SecretKeySpec {
  /** `<namespace>:<name>`. */
  readonly key: string;
  /** Optional secrets are filled too: an absent value gets a placeholder so every sink is planned. */
  readonly optional: boolean;
  /** Where the plan learnt that the key is secret. */
  readonly source: "declared" | "described" | "secure";
}

/** Description prefix scripts/config-docs.ts gives secret keys in Pulumi.yaml. */
const SECRET_DESCRIPTION = /^Secret(, optional)?\b/;

/** Every secret key Pulumi.yaml declares, sorted by key. */
export function declaredSecretKeys(project: PulumiProject): SecretKeySpec[] {
  const keys: SecretKeySpec[] = [];
  for (const [key, decl] of Object.entries(project.config)) {
    if (decl.secret) keys.push({ key, optional: !decl.required, source: "declared" });
    else {
      const m = SECRET_DESCRIPTION.exec(decl.description ?? "");
      if (m) keys.push({ key, optional: m[1] !== undefined, source: "described" });
    }
  }
  return keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The placeholder of a full config key (nested `secure:` paths use `<key>.<path>`). */
export function placeholderFor(project: string, key: string): string {
  const short = key.startsWith(`${project}:`) ? key.slice(project.length + 1) : key;
  return placeholderSecret(short.replace(/[^A-Za-z0-9]+/g, "-"));
}

/** A Docker config for the registry of `imageRegistry` whose password is `plain`, as one line of JSON. */
export function dockerConfigPlaceholder(imageRegistry: string, plain: string): string {
  const host = imageRegistryHost(imageRegistry);
  return JSON.stringify({ auths: { [host]: { auth: Buffer.from(`placeholder:${plain}`).toString("base64") } } });
}

/**
 * Placeholders the program parses get the shape it checks, with the plain placeholder inside so
 * it stays unique and searchable: `imagePullDockerConfigJson` becomes a Docker config for the
 * stack's `imageRegistry` whose password is the placeholder (infra/registry-credentials.ts). The
 * shaped value replaces the plain one in `config` and in `placeholders` (value → key).
 */
export function shapePlaceholders(project: string, config: Record<string, string>, placeholders: Map<string, string>): void {
  const key = `${project}:imagePullDockerConfigJson`;
  const plain = placeholderFor(project, key);
  if (config[key] !== plain) return;
  const shaped = dockerConfigPlaceholder(config[`${project}:imageRegistry`] ?? "", plain);
  config[key] = shaped;
  const short = placeholders.get(plain) ?? "imagePullDockerConfigJson";
  placeholders.delete(plain);
  placeholders.set(shaped, short);
}

/** The stack file's path, as the CLI finds it (`stackConfigDir`). */
export function stackFilePath(project: PulumiProject, stack: string): string {
  const dir = project.stackConfigDir ? path.resolve(project.dir, project.stackConfigDir) : project.dir;
  return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Full keys the stack file sets (any value, plain or `secure:`). */
function keysInStackFile(project: PulumiProject, file: string): Set<string> {
  if (!fs.existsSync(file)) return new Set();
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return new Set(Object.keys(doc?.config ?? {}).map((k) => fullConfigKey(project.name, k)));
}

/** Stable 32-hex-digit id derived from a name, shaped like a Cloudflare id. */
function hexId(seed: string): string {
  // FNV-1a, four lanes: deterministic, dependency-free, not a secret.
  let out = "";
  for (let lane = 0; lane < 4; lane++) {
    let h = 0x811c9dc5 ^ lane;
    for (const ch of `${seed}#${lane}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out;
}

/**
 * What the plan answers for Vercel's per-domain DNS recommendation (`vercel getDomainConfig`), in
 * the shape Vercel answers today. The provider (terraform-provider-vercel `client/domain_config.go`)
 * reads `GET /v6/domains/{domain}/config` and keeps the rank-1 entries of `recommendedCNAME`
 * (`[{"rank":1,"value":"<host>"}]`) and `recommendedIPv4` (`[{"rank":1,"value":["<ip>",...]}]`,
 * a list); its own fixture (`client/domain_config_test.go`) answers `example.vercel-dns-017.com`.
 * Real accounts today get a per-project `<16 hex>.vercel-dns-017.com.` (trailing dot included) and,
 * for an apex, the two addresses `216.198.79.1` and `64.29.17.1` (public DNS of Vercel-hosted apexes,
 * e.g. `7c2ca1c8d2024712.vercel-dns-017.com` resolving to both). So the plan and the tests exercise
 * what a real account returns: a shard the allow-list never named, two apex addresses, and a dot
 * the record must drop. `shard` lets a test feed the next shard (`"123"`).
 */
export function placeholderVercelDns(projectIdOrName: string, shard = "017"): { recommendedIpv4s: string[]; recommendedCname: string } {
  return {
    recommendedIpv4s: ["216.198.79.1", "64.29.17.1"],
    recommendedCname: `${hexId(`vercel:${projectIdOrName}`).slice(0, 16)}.vercel-dns-${shard}.com.`,
  };
}

/** The AWS account id the plan reports for the caller (the documentation example account). */
export const PLACEHOLDER_AWS_ACCOUNT = "123456789012";

/**
 * What the plan answers for the team's endpoint verification code (`vercel getEndpointVerification`),
 * in today's shape: `GetEndpointVerificationResult` of @pulumiverse/vercel 5.4.1 (`id`,
 * `verificationCode`, `teamId`), which the provider fills from Vercel's `GET /v1/verify-endpoint`
 * (`{ "verificationCode": "<hex>" }`, terraform-provider-vercel `client` `GetEndpointVerificationCode`).
 * Deterministic per team; not a secret (the team's ownership code).
 */
export function placeholderVerificationCode(team: string): { id: string; verificationCode: string } {
  const code = hexId(`vercel-verify:${team}`);
  return { id: code, verificationCode: code };
}

/**
 * Deterministic answers for the provider lookups, from the stack's config. Each answer's shape is
 * the one the pinned provider SDK declares for the lookup's result (`GetZoneResult` of
 * @pulumi/cloudflare, `GetProjectResult`/`GetDomainConfigResult` of @pulumiverse/vercel,
 * `GetCallerIdentityResult`/`GetRegionResult`/`GetPartitionResult` of @pulumi/aws, generated from
 * the providers' schemas): every answer `satisfies Partial<...>` of it, so a field the SDK renames
 * or drops fails the type check instead of answering in yesterday's shape. The values:
 * - `cloudflare getZone` (zone by name): a fixed zone id, the name asked for, and the account from
 *   `cloudflareAccountId`;
 * - `vercel getProject` (project by name): `prj_<name>`, in the config's `vercelTeam`;
 * - `vercel getDomainConfig` (DNS values for a host): `placeholderVercelDns(projectIdOrName)`;
 * - `vercel getEndpointVerification` (the team's drain-endpoint code): `placeholderVerificationCode(team)`;
 * - `aws getCallerIdentity`: account `123456789012`, an `app-platform-plan` user;
 * - `aws getRegion` / `getPartition`: the region asked for, else `awsRegion` / `aws:region`.
 */
export function invokeAnswers(project: PulumiProject, config: Readonly<Record<string, string>>): InvokeTable {
  const get = (key: string): string | undefined => config[fullConfigKey(project.name, key)] || undefined;
  const region = (asked: unknown): string => (typeof asked === "string" && asked) || get("awsRegion") || config["aws:region"] || "us-east-1";
  const account = PLACEHOLDER_AWS_ACCOUNT;
  return {
    "cloudflare:index/getZone:getZone": (args) => {
      const accountId = get("cloudflareAccountId");
      return {
        zoneId: PLACEHOLDER_ZONE_ID,
        id: PLACEHOLDER_ZONE_ID,
        name: args.filter?.name,
        ...(accountId ? { account: { id: accountId, name: "offline plan account" } } : {}),
        status: "active",
      } satisfies Partial<GetZoneResult>;
    },
    "vercel:index/getProject:getProject": (args) =>
      ({
        id: `prj_${args.name}`,
        name: args.name,
        ...(args.teamId || get("vercelTeam") ? { teamId: args.teamId ?? get("vercelTeam") } : {}),
      }) satisfies Partial<GetProjectResult>,
    "vercel:index/getDomainConfig:getDomainConfig": (args) =>
      ({
        id: `${args.projectIdOrName}/${args.domain}`,
        domain: args.domain,
        projectIdOrName: args.projectIdOrName,
        ...placeholderVercelDns(String(args.projectIdOrName)),
        ...(args.teamId || get("vercelTeam") ? { teamId: args.teamId ?? get("vercelTeam") } : {}),
      }) satisfies Partial<GetDomainConfigResult>,
    "vercel:index/getEndpointVerification:getEndpointVerification": (args) => {
      const teamId = args.teamId ?? get("vercelTeam");
      return { ...placeholderVerificationCode(teamId ?? ""), ...(teamId ? { teamId } : {}) } satisfies Partial<GetEndpointVerificationResult>;
    },
    "aws:index/getCallerIdentity:getCallerIdentity": () =>
      ({
        id: account,
        accountId: account,
        arn: `arn:aws:iam::${account}:user/app-platform-plan`,
        userId: `AIDA${hexId("app-platform-plan").slice(0, 17).toUpperCase()}`,
      }) satisfies Partial<GetCallerIdentityResult>,
    "aws:index/getRegion:getRegion": (args) => {
      const r = region(args.region ?? args.name);
      return { id: r, name: r, region: r, description: r, endpoint: `ec2.${r}.amazonaws.com` } satisfies Partial<GetRegionResult>;
    },
    "aws:index/getPartition:getPartition": () =>
      ({
        id: "aws",
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
      }) satisfies Partial<GetPartitionResult>,
  };
}

export interface OfflineStackOptions {
  /** Directory holding Pulumi.yaml and the stack files. */
  readonly projectDir: string;
  readonly stack: string;
  /** Plain config overriding the stack file, as `pulumi config set` would (keys without `:` get the project namespace). */
  readonly configOverrides?: Readonly<Record<string, string>>;
  /** @default 120_000 */
  readonly timeoutMs?: number;
  /** Extra environment for the program. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called with each registration as it arrives (the plan streams them to the policy pack). */
  readonly onResource?: (res: RegisteredResource) => void;
  /** Answers replacing `invokeAnswers`' for the same tokens, e.g. a lookup that finds nothing. */
  readonly invokeOverrides?: InvokeTable;
}

export interface OfflineStackRun {
  readonly project: PulumiProject;
  readonly result: RunResult;
  /** Placeholder value → the config key it stands for. */
  readonly placeholders: ReadonlyMap<string, string>;
  /** Secret keys that got a placeholder, sorted. */
  readonly placeholderKeys: readonly string[];
}

/** Thrown when the project or stack file cannot be read; the message names the file and key. */
export class PlanConfigError extends Error {
  override readonly name = "PlanConfigError";
}

/** Runs `Pulumi.<stack>.yaml` of `projectDir` as a preview, with placeholders for every secret. */
export async function runOfflineStack(options: OfflineStackOptions): Promise<OfflineStackRun> {
  let project: PulumiProject;
  let config: Record<string, string>;
  let secretKeys: string[];
  const placeholders = new Map<string, string>();
  try {
    project = readProject(options.projectDir);
    const file = stackFilePath(project, options.stack);
    if (!fs.existsSync(file)) {
      const known = fs
        .readdirSync(path.dirname(file))
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => !!s && s !== undefined)
        .sort();
      throw new PlanConfigError(`no stack file ${file} for stack '${options.stack}' (stacks here: ${known.join(", ") || "none"})`);
    }
    const inFile = keysInStackFile(project, file);
    const secretOverrides: Record<string, string> = {};
    for (const s of declaredSecretKeys(project)) {
      if (inFile.has(s.key)) continue; // set in the file: secure → placeholder below; plain → the program decides
      const value = placeholderFor(project.name, s.key);
      secretOverrides[s.key] = value;
      placeholders.set(value, s.key);
    }
    const secretValues = (key: string): string => {
      const value = placeholderFor(project.name, key);
      placeholders.set(value, key);
      return value;
    };
    ({ config, secretKeys } = stackRunConfig(project, options.stack, {
      secretValues,
      secretOverrides,
      configOverrides: options.configOverrides,
    }));
    shapePlaceholders(project.name, config, placeholders);
  } catch (err) {
    // Reading Pulumi.yaml / the stack file is config: report the message (it names the file), no trace.
    if (err instanceof StackConfigError || err instanceof PlanConfigError) throw new PlanConfigError(err.message);
    const e = err as Error & { name?: string };
    if (e?.name === "YAMLParseError" || (e as NodeJS.ErrnoException)?.code === "ENOENT") {
      throw new PlanConfigError(`cannot read the project or stack config in ${path.resolve(options.projectDir)}: ${e.message}`);
    }
    throw err;
  }
  const result = await runProgram({
    programDir: project.dir,
    stack: options.stack,
    config,
    secretKeys,
    invokes: { ...invokeAnswers(project, config), ...(options.invokeOverrides ?? {}) },
    timeoutMs: options.timeoutMs ?? 120_000,
    env: options.env,
    onResource: options.onResource,
  });
  const placeholderKeys = [...new Set(placeholders.values())].sort();
  return { project, result, placeholders, placeholderKeys };
}
