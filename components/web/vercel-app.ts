/**
 * A product's web front end on Vercel: the project (owned by the prod stack), its environment
 * variables and its domains.
 *
 * One Vercel project serves both stacks. The prod stack creates it (`vercel.Project`) and sets
 * the production variables and domains; the staging stack only looks it up by name
 * (`vercel.getProjectOutput`) and adds its `preview` variables and domains, optionally bound to a
 * branch (seed 003: staging is the preview of `develop`; seed 004: every non-main branch is a
 * preview). On a fresh account, and whenever a new app is added, the project does not exist yet
 * when staging deploys first (deploy.yml): staging then skips that app's variables and domains
 * with a warning and lists it in `projectPending`, and the workflow runs staging again after prod.
 *
 * Secrets reach Vercel only as `sensitive: true` variables whose value is a Pulumi secret, and
 * never target `development` (Vercel refuses sensitive development variables); public-prefixed
 * variables are compiled into the browser bundle, so they may never hold a secret.
 *
 * Previews (seeds 003 and 004: every non-production branch gets a preview): the staging stack sets
 * its variables for *all* preview branches, and only `branchEnv` (the values where the stable
 * staging branch differs: its public URL, `NEXTAUTH_URL`) on `previewBranch`. Previews therefore
 * receive the staging stack's secrets, never production's: the prod stack targets `production`
 * only. Vercel lets a branch-specific preview variable override the all-previews one.
 *
 * Deployment protection is chosen per project (`previewProtection`): production custom domains are
 * always public; previews either stay behind Vercel Authentication (`standardProtectionNew`, then
 * the staging stack adds a `ProjectProtectionBypass` for health probes and exposes its secret as
 * `protectionBypassSecret`) or are public (`none`, for OAuth callbacks and outside testers).
 *
 * The prod stack, which owns the project, also sets its function regions and its Vercel Firewall
 * rate limit (`vercel.FirewallConfig`, the project's one set of custom rules).
 */
import * as pulumi from "@pulumi/pulumi";
import * as vercel from "@pulumiverse/vercel";
import { PlatformContext, TYPE_PREFIX, Transform, isProd, throwIfInvalid, transform } from "../context";
import { envDigest } from "../secrets/env-digest";

const COMPONENT = "App";

/**
 * Vercel framework presets we use or expect to; `"other"` is Vercel's "Other" (no preset, the
 * project's `framework` left unset): Vercel runs the install and build commands and serves
 * `outputDirectory` as it is, e.g. a Next.js static export (`output: 'export'`) in `out`.
 */
export type VercelFramework = "other" | "nextjs" | "astro" | "vite" | "remix" | "sveltekit" | "nuxtjs" | "gatsby" | "create-react-app";

export interface VercelProjectSpec {
  /** Vercel project name (lower case, up to 100 characters). @example "careersy-wingman" */
  readonly name: string;
  /** Framework preset. */
  readonly framework: VercelFramework;
  /**
   * Directory of the app inside the repository, relative.
   * @default the repository root
   */
  readonly rootDirectory?: string;
  /** The connected Git repository; pushes deploy automatically. */
  readonly gitRepository?: { readonly type: "github"; readonly repo: string };
  /**
   * Branch whose pushes are production deployments (seeds 003 and 004: `main`).
   * @default "main"
   */
  readonly productionBranch?: string;
  /** Build command. @default detected by Vercel */
  readonly buildCommand?: string;
  /**
   * Output directory. Not with the `nextjs` preset: its builder looks for `routes-manifest.json`
   * there and fails every build (vercel/vercel#4368); serve a static export with `"other"`.
   * @default detected by Vercel
   */
  readonly outputDirectory?: string;
  /** Install command. @default detected by Vercel */
  readonly installCommand?: string;
}

/** Who may open preview deployments (the staging stack's hosts). Production custom domains are always public. */
export type PreviewProtection = "vercel-authentication" | "none";

/** `vercelAuthentication.deploymentType` for each choice (provider 5.4.1 values). */
export const DEPLOYMENT_TYPE: Readonly<Record<PreviewProtection, string>> = {
  // Standard Protection: every deployment except production custom domains needs a Vercel login.
  "vercel-authentication": "standardProtectionNew",
  none: "none",
};

/** A Vercel Firewall rate limit on one path prefix, counted per client IP. */
export interface VercelRateLimitSpec {
  /** Requests allowed per window and IP (seed 004: 100; seed 003: 10). */
  readonly limit: number;
  /** Window in seconds (seed 004: 3600; seed 003: 10). Vercel accepts 10 s and more. */
  readonly windowSeconds: number;
  /** Requests whose path starts with this are counted, e.g. `/api/`; `/` counts every request. */
  readonly pathPrefix: string;
  /**
   * The longest window the team's plan allows (Vercel: 600 s below Enterprise). A longer window is
   * shortened to this and its limit scaled down (rounded down), so the rule never allows more.
   * @default 600
   */
  readonly maxWindowSeconds?: number;
  /** Where the numbers come from, for the rule's description, e.g. `seed 004`. */
  readonly source?: string;
  /**
   * Exact paths under `pathPrefix` the rule does not count, e.g. the health endpoint the platform's
   * blackbox probes GET every scrape interval from one exporter IP (ARA: 3 hosts × 2 a minute would
   * exhaust 16 per 600 s at once, and the probes would see 429 and page). The app's own limiter
   * still applies to them.
   * @default none
   */
  readonly exemptPaths?: readonly string[];
}

/** Vercel's rate-limit window bounds (seconds): 10 s minimum; 10 minutes below Enterprise, 1 hour on it. */
export const MIN_RATE_LIMIT_WINDOW = 10;
export const DEFAULT_MAX_RATE_LIMIT_WINDOW = 600;
export const ENTERPRISE_MAX_RATE_LIMIT_WINDOW = 3600;

/** The rule Vercel enforces for a spec: the window capped at the plan's maximum, the limit scaled with it. */
export function effectiveRateLimit(spec: VercelRateLimitSpec): { limit: number; windowSeconds: number } {
  const max = spec.maxWindowSeconds ?? DEFAULT_MAX_RATE_LIMIT_WINDOW;
  if (spec.windowSeconds <= max) return { limit: spec.limit, windowSeconds: spec.windowSeconds };
  return { limit: Math.max(1, Math.floor((spec.limit * max) / spec.windowSeconds)), windowSeconds: max };
}

export interface VercelDomainSpec {
  /** The domain to serve, e.g. `app.appstoagents.com`. */
  readonly domain: string;
  /** Redirect this domain to another domain of the list (e.g. `www` → apex). */
  readonly redirectTo?: string;
}

export interface VercelAppArgs {
  /** Environment, product and owner. */
  readonly context: PlatformContext;
  /** The Vercel project. */
  readonly project: VercelProjectSpec;
  /**
   * Whether this stack creates the project. Otherwise it is looked up by `project.name`.
   * @default context.environment === "prod"
   */
  readonly manageProject?: boolean;
  /**
   * Staging only: the stable staging branch (seed 003: `develop`). Its domains and `branchEnv` are
   * bound to it; `env` and `secretEnv` apply to every preview branch either way (seeds 003, 004).
   * @default undefined (no staging domains, no branch overrides)
   */
  readonly previewBranch?: string;
  /**
   * Non-secret variables. Names that look secret are rejected: put those in `secretEnv`. In
   * staging they apply to every preview branch.
   * @default {}
   */
  readonly env?: Record<string, string>;
  /**
   * Staging only: non-secret variables set on `previewBranch` alone, where its value differs from
   * the all-previews one (its public URL, `NEXTAUTH_URL`, OAuth callback hosts). Vercel prefers them
   * over `env` on that branch.
   * @default {}
   */
  readonly branchEnv?: Record<string, string>;
  /**
   * Names that look secret but are public by design, allowed in `env` (e.g. a browser Sentry DSN,
   * `NEXT_PUBLIC_SENTRY_DSN`, seed 003).
   * @default []
   */
  readonly publicEnvKeys?: readonly string[];
  /**
   * Secret variables, e.g. from a `SecretSet`. Sent as `sensitive: true` Pulumi secrets.
   * @default {}
   */
  readonly secretEnv?: Record<string, pulumi.Input<string>>;
  /**
   * Domains of this environment. In staging they need `previewBranch`, or they would serve production.
   * @default []
   */
  readonly domains?: ReadonlyArray<VercelDomainSpec>;
  /**
   * Redeploy whenever a variable's value changes. Vercel applies variable changes only to new
   * deployments, so a `vercel.Deployment` of the production branch (prod) or of `previewBranch`
   * (staging) carries in its `meta` the digest (`envDigest`) of every variable this stack sets
   * (`env`, `branchEnv`, `secretEnv`): a changed provided key, a rotated or on-demand rotated
   * secret, a changed plain value each replace it by a new one, once, after the variables were
   * updated and after `after` (e.g. the Kubernetes workloads that must accept a new value first).
   * The digest is an HMAC keyed with `digestKey` (a generated secret no app receives), so the
   * metadata Vercel shows says nothing about the values; it is a Pulumi secret as well.
   * @default undefined (no deployment is made; pushes deploy as usual)
   */
  readonly redeploy?: {
    /** Key of the digest's HMAC, e.g. the product's `SecretSet.digestKey`. @default none (a sha256, kept secret) */
    readonly digestKey?: pulumi.Input<string>;
    /** Resources the new deployment waits for besides the variables. @default [] */
    readonly after?: pulumi.Input<pulumi.Resource>[];
  };
  /**
   * Who may open previews. With `vercel-authentication` the staging stack adds a protection bypass
   * for automation (health probes); `none` makes every preview public. Production custom domains
   * are public either way.
   * @default "vercel-authentication"
   */
  readonly previewProtection?: PreviewProtection;
  /**
   * Default regions of the project's functions (e.g. seed 004: `["iad1", "sfo1"]`), set on the
   * project by the stack that owns it. Several regions need a Pro or Enterprise plan.
   * @default Vercel's default region
   */
  readonly functionRegions?: readonly string[];
  /** A Vercel Firewall rate limit, set by the stack that owns the project. @default none */
  readonly rateLimit?: VercelRateLimitSpec;
  /**
   * Response headers set on every path (header → value), e.g. seed 004's security headers: one
   * `vercel.ProjectRoute` (`src: "/(.*)"`) with a `response.headers` `set` transform per header,
   * created by the stack that owns the project (project-level routing rules). `responseHeaders`
   * on the component tells what this stack set, for the probe that checks them.
   * @default {} (no route)
   */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /** Adjust a child's arguments without forking the component. */
  readonly transform?: {
    /** The `vercel.FirewallConfig` (project owner only). */
    readonly firewall?: Transform<vercel.FirewallConfigArgs>;
    /** The `vercel.ProjectProtectionBypass` (staging, protected previews only). */
    readonly bypass?: Transform<vercel.ProjectProtectionBypassArgs>;
    /** The `vercel.Project` (prod only). */
    readonly project?: Transform<vercel.ProjectArgs>;
    /** Each `vercel.ProjectEnvironmentVariable`. */
    readonly envVar?: Transform<vercel.ProjectEnvironmentVariableArgs, [key: string]>;
    /** Each `vercel.ProjectDomain`. */
    readonly domain?: Transform<vercel.ProjectDomainArgs, [spec: VercelDomainSpec]>;
    /** The redeploying `vercel.Deployment`. */
    readonly deployment?: Transform<vercel.DeploymentArgs>;
    /** The `vercel.ProjectRoute` that sets `responseHeaders` (project owner only). */
    readonly headersRoute?: Transform<vercel.ProjectRouteArgs>;
  };
}

/** `meta` key of the redeploying deployment that carries the variables' digest (a change replaces it). */
export const REDEPLOY_META_KEY = "app-platform-env-digest";

/**
 * Every variable an app receives from this stack, as `envDigest` digests them: each name tagged
 * with where it goes (`env:`, `branch:` for the preview branch's own values, `secret:`), so the same
 * name in two places counts twice.
 */
export function redeployVariables(args: Pick<VercelAppArgs, "env" | "branchEnv" | "secretEnv">): Record<string, pulumi.Input<string>> {
  return {
    ...Object.fromEntries(Object.entries(args.env ?? {}).map(([k, v]) => [`env:${k}`, v])),
    ...Object.fromEntries(Object.entries(args.branchEnv ?? {}).map(([k, v]) => [`branch:${k}`, v])),
    ...Object.fromEntries(Object.entries(args.secretEnv ?? {}).map(([k, v]) => [`secret:${k}`, v])),
  };
}

/** Environment-variable names: upper case, digits and underscores, starting with a letter. */
export const ENV_NAME_PATTERN = /^[A-Z][A-Z0-9_]*$/;

/** Names that hold secrets (`vercel-enforce-sensitive-secrets`). */
export const SECRET_NAME_PATTERN = /SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE|DATABASE_URL|DSN|ENCRYPTION_KEY/;

/** Prefixes that frameworks inline into the browser bundle (`vercel-disallow-public-secrets`). */
export const PUBLIC_ENV_PREFIXES: readonly string[] = ["NEXT_PUBLIC_", "VITE_", "PUBLIC_"];

/** Values that are credentials whatever their name: live/test keys, GitHub, AWS, Slack tokens, PEM. */
export const SECRET_VALUE_PATTERN =
  /(sk_live_|rk_live_|sk_test_|whsec_|ghp_|gho_|github_pat_|AKIA[0-9A-Z]{16}|xox[abposr]-|-----BEGIN [A-Z ]*PRIVATE KEY-----)/;

/** Default production branch (seeds 003 and 004). */
export const DEFAULT_PRODUCTION_BRANCH = "main";

/**
 * Whether a failed `vercel.getProject` means "no such project". The provider reports Vercel's 404
 * as `Could not read project <team> <name>, unexpected error: not_found - Project not found`
 * (terraform-provider-vercel `data_source_project.go`, `client.APIError`: `<code> - <message>`).
 */
export function isVercelProjectNotFound(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /\bnot_found\b|Project not found/i.test(message);
}

/** Whether the variable name looks like it holds a secret. */
export function isSecretLookingName(key: string): boolean {
  return SECRET_NAME_PATTERN.test(key.toUpperCase());
}

/** Whether the variable is exposed to the browser by its prefix. */
export function isPublicEnvName(key: string): boolean {
  return PUBLIC_ENV_PREFIXES.some((p) => key.startsWith(p));
}

/** Whether the value looks like a credential (known token prefixes, PEM private keys). */
export function looksLikeSecretValue(value: string): boolean {
  return SECRET_VALUE_PATTERN.test(value);
}

/** `NEXT_PUBLIC_APP_URL` → `next-public-app-url`. */
export function kebabEnvKey(key: string): string {
  return key.toLowerCase().replace(/_/g, "-");
}

/** `app.appstoagents.com` → `app-appstoagents-com`. */
export function domainSuffix(domain: string): string {
  return domain.toLowerCase().replace(/\./g, "-");
}

/** The targets of a variable: prod secrets production only, prod plain also development; staging preview. */
export function envTargets(environment: PlatformContext["environment"], secret: boolean): string[] {
  if (environment !== "prod") return ["preview"];
  return secret ? ["production"] : ["production", "development"];
}

const HOSTNAME = /^(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
const PROJECT_NAME = /^[a-z0-9._-]{1,100}$/;
const GIT_BRANCH = /^(?!\/|.*\/\/|.*\/$|.*\.\.|.*@\{|.*\.lock$)[A-Za-z0-9._/-]+$/;
const GITHUB_REPO = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
/** Vercel region ids: three letters and a digit (`iad1`, `sfo1`, `fra1`). */
const FUNCTION_REGION = /^[a-z]{3}[0-9]$/;

/** Every problem with the arguments, checked synchronously; throws one `ValidationError`. */
export function validateVercelAppArgs(name: string, args: VercelAppArgs): void {
  const problems: string[] = [];
  const p = args.project;
  const prod = isProd(args.context);
  const env = args.env ?? {};
  const secretEnv = args.secretEnv ?? {};
  const domains = args.domains ?? [];
  const productionBranch = p.productionBranch ?? DEFAULT_PRODUCTION_BRANCH;

  if (!PROJECT_NAME.test(p.name) || p.name.includes("---")) {
    problems.push(`\`project.name\` "${p.name}" is not a Vercel project name; use up to 100 lower-case letters, digits, \`.\`, \`_\` or \`-\` (no \`---\`)`);
  }
  if (p.rootDirectory !== undefined && (p.rootDirectory.startsWith("/") || p.rootDirectory.split("/").includes(".."))) {
    problems.push(`\`project.rootDirectory\` "${p.rootDirectory}" must be relative to the repository root, without \`..\` (e.g. \`apps/web\`)`);
  }
  if (p.gitRepository && !GITHUB_REPO.test(p.gitRepository.repo)) {
    problems.push(`\`project.gitRepository.repo\` "${p.gitRepository.repo}" must be \`owner/name\``);
  }
  if (!GIT_BRANCH.test(productionBranch)) {
    problems.push(`\`project.productionBranch\` "${productionBranch}" is not a valid git branch name`);
  }
  if (p.framework === "nextjs" && p.outputDirectory !== undefined) {
    problems.push(
      `\`project.outputDirectory\` "${p.outputDirectory}" with the \`nextjs\` preset: Vercel's Next.js builder then looks for routes-manifest.json in it and fails every build (vercel/vercel#4368); for a static export (\`output: 'export'\`) set \`framework: "other"\` with the output directory, otherwise leave \`outputDirectory\` unset`,
    );
  }

  if (args.previewBranch !== undefined) {
    if (prod) {
      problems.push("`previewBranch` is set on the prod stack; it only applies to staging (preview) variables and domains — remove it");
    }
    if (!GIT_BRANCH.test(args.previewBranch)) {
      problems.push(`\`previewBranch\` "${args.previewBranch}" is not a valid git branch name`);
    } else if (args.previewBranch === productionBranch) {
      problems.push(`\`previewBranch\` "${args.previewBranch}" is the production branch; staging must preview another branch (e.g. \`develop\`)`);
    }
  }

  const branchEnv = args.branchEnv ?? {};
  const publicEnvKeys = new Set(args.publicEnvKeys ?? []);
  if (Object.keys(branchEnv).length > 0) {
    if (prod) {
      problems.push("`branchEnv` is set on the prod stack; it only applies to the staging branch's preview — merge it into `env`");
    } else if (args.previewBranch === undefined) {
      problems.push("`branchEnv` is set without `previewBranch`; name the branch whose preview it overrides (e.g. `develop`)");
    }
  }
  if (args.previewProtection !== undefined && !(args.previewProtection in DEPLOYMENT_TYPE)) {
    problems.push(
      `\`previewProtection\` "${args.previewProtection}" must be one of ${Object.keys(DEPLOYMENT_TYPE)
        .map((k) => `\`${k}\``)
        .join(", ")}`,
    );
  }
  if (args.functionRegions !== undefined) {
    if (args.functionRegions.length === 0) problems.push("`functionRegions` is empty; list at least one region (e.g. `iad1`) or leave it unset");
    args.functionRegions.forEach((r, i) => {
      if (!FUNCTION_REGION.test(r))
        problems.push(`\`functionRegions[${i}]\` "${r}" is not a Vercel region id (three letters and a digit, e.g. \`iad1\`, \`sfo1\`)`);
      else if (args.functionRegions!.indexOf(r) !== i) problems.push(`\`functionRegions[${i}]\` "${r}" is listed twice`);
    });
  }
  if (args.rateLimit !== undefined) {
    const rl = args.rateLimit;
    const max = rl.maxWindowSeconds ?? DEFAULT_MAX_RATE_LIMIT_WINDOW;
    if (!Number.isInteger(rl.limit) || rl.limit < 1) problems.push(`\`rateLimit.limit\` is ${rl.limit}; use a whole number of requests, at least 1`);
    if (!Number.isInteger(max) || max < MIN_RATE_LIMIT_WINDOW || max > ENTERPRISE_MAX_RATE_LIMIT_WINDOW) {
      problems.push(
        `\`rateLimit.maxWindowSeconds\` is ${max}; Vercel allows ${DEFAULT_MAX_RATE_LIMIT_WINDOW} s below Enterprise and up to ${ENTERPRISE_MAX_RATE_LIMIT_WINDOW} s on it`,
      );
    }
    if (!Number.isInteger(rl.windowSeconds) || rl.windowSeconds < MIN_RATE_LIMIT_WINDOW) {
      problems.push(
        `\`rateLimit.windowSeconds\` is ${rl.windowSeconds}; Vercel's shortest window is ${MIN_RATE_LIMIT_WINDOW} s — use a whole number of seconds of at least ${MIN_RATE_LIMIT_WINDOW}`,
      );
    }
    if (!/^\/[^\s]*$/.test(rl.pathPrefix)) problems.push(`\`rateLimit.pathPrefix\` "${rl.pathPrefix}" must be a path starting with \`/\` (e.g. \`/api/\`)`);
    for (const e of rl.exemptPaths ?? []) {
      if (!/^\/[^\s]*$/.test(e)) problems.push(`\`rateLimit.exemptPaths\` entry "${e}" must be a path starting with \`/\` (e.g. \`/api/health\`)`);
    }
  }

  const checkName = (where: string, key: string) => {
    if (!ENV_NAME_PATTERN.test(key)) {
      problems.push(`\`${where}\` key \`${key}\` is not an environment-variable name; use upper case letters, digits and underscores, starting with a letter`);
    }
  };
  const plainVars: Array<[string, string, string]> = [
    ...Object.entries(env).map(([k, v]): [string, string, string] => ["env", k, v]),
    ...Object.entries(branchEnv).map(([k, v]): [string, string, string] => ["branchEnv", k, v]),
  ];
  for (const [where, key, value] of plainVars) {
    checkName(where, key);
    if (key === "NODE_ENV") {
      problems.push(
        `\`${where}.NODE_ENV\` is set; Vercel sets NODE_ENV itself, and \`production\` during the build makes npm skip devDependencies — remove it`,
      );
    }
    if (where === "branchEnv" && env[key] === value) {
      problems.push(`\`branchEnv.${key}\` equals \`env.${key}\`; the branch gets the all-previews value anyway — drop the override`);
    }
    if (publicEnvKeys.has(key)) {
      // Public by design (e.g. a browser Sentry DSN): only the value check below applies.
    } else if (isSecretLookingName(key) && isPublicEnvName(key)) {
      problems.push(
        `\`env.${key}\` has a public prefix (${PUBLIC_ENV_PREFIXES.join(", ")}) and a secret-looking name; public variables ship to the browser — rename it, or keep the secret server-side in \`secretEnv\` without the prefix (vercel-disallow-public-secrets)`,
      );
    } else if (isSecretLookingName(key)) {
      problems.push(
        `\`${where}.${key}\` looks like a secret but is a plain variable; move it to \`secretEnv\` so it is sent as a sensitive Pulumi secret (vercel-enforce-sensitive-secrets)`,
      );
    }
    if (typeof value === "string" && looksLikeSecretValue(value)) {
      problems.push(
        `\`${where}.${key}\` holds a value that looks like a credential; move it to \`secretEnv\` (read from encrypted config) (${isPublicEnvName(key) ? "vercel-disallow-public-secrets" : "vercel-enforce-sensitive-secrets"})`,
      );
    }
    if (key in secretEnv) {
      problems.push(`\`${key}\` is in both \`${where}\` and \`secretEnv\`; keep it in exactly one`);
    }
  }
  for (const key of Object.keys(secretEnv)) {
    checkName("secretEnv", key);
    if (isPublicEnvName(key)) {
      problems.push(
        `\`secretEnv.${key}\` has a public prefix (${PUBLIC_ENV_PREFIXES.join(", ")}) and would be inlined into the browser bundle; a secret must not be public — rename it without the prefix and read it on the server (vercel-disallow-public-secrets)`,
      );
    }
  }

  const domainNames = new Set(domains.map((d) => d.domain));
  const seenDomains = new Set<string>();
  const seenSuffixes = new Map<string, string>();
  if (!prod && domains.length > 0 && args.previewBranch === undefined) {
    problems.push(
      "`domains` are set on staging without `previewBranch`; a domain without a git branch serves production — set `previewBranch` or move the domains to prod",
    );
  }
  if (args.redeploy !== undefined) {
    if (!prod && args.previewBranch === undefined) {
      problems.push("`redeploy` is set on staging without `previewBranch`; there is no single preview branch to redeploy — set `previewBranch`");
    }
  }
  for (const [header, value] of Object.entries(args.responseHeaders ?? {})) {
    if (!HEADER_NAME.test(header)) problems.push(`\`responseHeaders\`: "${header}" is not an HTTP header name (letters, digits, \`-\`)`);
    if (value.trim() === "" || /[\r\n]/.test(value)) problems.push(`\`responseHeaders.${header}\` must be a non-empty single-line value`);
  }
  domains.forEach((d, i) => {
    const at = `\`domains[${i}]\` (${d.domain})`;
    if (!HOSTNAME.test(d.domain)) {
      problems.push(`${at}: \`domain\` is not a lower-case hostname (e.g. \`app.example.com\`)`);
    }
    if (seenDomains.has(d.domain)) {
      problems.push(`${at}: duplicate domain; list each domain once`);
    } else {
      const suffix = domainSuffix(d.domain);
      const other = seenSuffixes.get(suffix);
      if (other !== undefined) problems.push(`${at}: its resource name suffix \`${suffix}\` collides with ${other}; rename one`);
      seenSuffixes.set(suffix, d.domain);
    }
    seenDomains.add(d.domain);
    if (d.redirectTo !== undefined) {
      const target = domains.find((t) => t.domain === d.redirectTo);
      if (d.redirectTo === d.domain) {
        problems.push(`${at}: \`redirectTo\` points at itself; remove it or name another domain`);
      } else if (!domainNames.has(d.redirectTo)) {
        problems.push(`${at}: \`redirectTo\` "${d.redirectTo}" is not one of \`domains\`; Vercel redirects only to a domain of the same project — add it`);
      } else if (target?.redirectTo !== undefined) {
        problems.push(`${at}: \`redirectTo\` "${d.redirectTo}" redirects again; point it at the final domain`);
      }
    }
  });

  throwIfInvalid(COMPONENT, name, problems);
}

/** Name of the project routing rule that sets `responseHeaders`. */
export const HEADERS_ROUTE_NAME = "app-platform response headers";

/** Status of Vercel's domain redirects (`redirectTo`): permanent and method-preserving; the redirect probes expect it. */
export const DOMAIN_REDIRECT_STATUS = 308;

/** HTTP header names (RFC 9110 tokens, as the platform writes them). */
const HEADER_NAME = /^[A-Za-z0-9-]+$/;

/** Name of the project's rate-limit rule in the Vercel Firewall (4–160 characters). */
export function rateLimitRuleName(projectName: string): string {
  return `${projectName} rate limit`;
}

/** A Vercel project (prod) or its preview settings (staging): variables and domains. */
export class VercelApp extends pulumi.ComponentResource {
  /** The Vercel project id (created in prod, looked up in staging). */
  readonly projectId: pulumi.Output<string>;
  /** The Vercel project's name (lookups by name on staging; messages). */
  readonly projectName: string;
  /** The domains this stack attached. */
  readonly domains: readonly string[];
  /** Every variable name this stack set, sorted (`branchEnv` names included). */
  readonly envKeys: readonly string[];
  /**
   * Staging with protected previews only: the automation-bypass secret of the project (a Pulumi
   * secret). Probes send it as the `x-vercel-protection-bypass` header to reach protected previews.
   */
  readonly protectionBypassSecret?: pulumi.Output<string>;
  /** Whether this stack creates the project (prod) rather than looking it up by name (staging). */
  readonly managesProject: boolean;
  /**
   * The response headers this stack set on the project (header → value): `responseHeaders` on the
   * stack that owns the project, `{}` elsewhere. What the headers probe checks, exactly.
   */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /**
   * True when the project was looked up (staging) and does not exist yet, so this stack set no
   * variables or domains; the next run after prod creates the project adds them.
   */
  readonly projectPending: pulumi.Output<boolean>;

  constructor(name: string, args: VercelAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:vercel:${COMPONENT}`, name, {}, opts);
    validateVercelAppArgs(name, args);

    const manageProject = args.manageProject ?? isProd(args.context);
    const gitBranch = isProd(args.context) ? undefined : args.previewBranch;
    const comment = `managed by app-platform; owner=${args.context.owner}; product=${args.context.product}`;

    const protectedPreviews = (args.previewProtection ?? "vercel-authentication") === "vercel-authentication";
    const wantsBypass = !isProd(args.context) && protectedPreviews;
    // Everything that needs the project; on staging it waits for the lookup (see below).
    const createChildren = (projectId: pulumi.Input<string>): pulumi.Output<string> | undefined => {
      // Staging: every preview branch gets the variables (no git branch); `branchEnv` only the staging branch.
      const variables: vercel.ProjectEnvironmentVariable[] = [];
      for (const [key, value] of Object.entries(args.env ?? {})) {
        variables.push(this.createEnvVar(name, key, { projectId, value, sensitive: false, comment }, args));
      }
      for (const [key, value] of Object.entries(args.branchEnv ?? {})) {
        variables.push(this.createEnvVar(name, key, { projectId, value, sensitive: false, gitBranch, comment }, args, !(key in (args.env ?? {}))));
      }
      for (const [key, value] of Object.entries(args.secretEnv ?? {})) {
        variables.push(this.createEnvVar(name, key, { projectId, value: pulumi.secret(value), sensitive: true, comment }, args));
      }
      if (args.redeploy) this.createRedeploy(name, projectId, variables, args);
      for (const spec of args.domains ?? []) {
        this.createDomain(name, spec, projectId, gitBranch, args);
      }
      return wantsBypass ? pulumi.secret(this.createBypass(name, projectId, args).secret) : undefined;
    };

    if (manageProject) {
      this.projectId = this.createProject(name, args).id;
      this.projectPending = pulumi.output(false);
      const bypass = createChildren(this.projectId);
      if (args.rateLimit) this.createFirewall(name, this.projectId, args);
      if (Object.keys(args.responseHeaders ?? {}).length > 0) this.createHeadersRoute(name, this.projectId, args);
      if (bypass) this.protectionBypassSecret = bypass;
    } else {
      // The children are registered once the lookup answers. That happens while this component's
      // outputs (which wait for it) are being registered, so the engine waits for them too.
      const found = this.lookupProject(args).then((project) => ({ project, bypass: project ? createChildren(project.id) : undefined }));
      this.projectId = pulumi.output(found.then((f) => f.project?.id ?? ""));
      this.projectPending = pulumi.output(found.then((f) => f.project === undefined));
      if (wantsBypass) this.protectionBypassSecret = pulumi.secret(pulumi.output(found.then((f) => f.bypass ?? pulumi.output(""))));
    }
    this.managesProject = manageProject;
    this.responseHeaders = Object.freeze(manageProject ? { ...(args.responseHeaders ?? {}) } : {});
    this.projectName = args.project.name;
    this.domains = Object.freeze((args.domains ?? []).map((d) => d.domain));
    this.envKeys = Object.freeze(
      [...new Set([...Object.keys(args.env ?? {}), ...Object.keys(args.branchEnv ?? {}), ...Object.keys(args.secretEnv ?? {})])].sort(),
    );

    this.registerOutputs({
      projectId: this.projectId,
      projectPending: this.projectPending,
      domains: this.domains,
      envKeys: this.envKeys,
    });
  }

  private createProject(name: string, args: VercelAppArgs): vercel.Project {
    const p = args.project;
    const base: vercel.ProjectArgs = {
      name: p.name,
      // "other" is Vercel's "Other": no preset.
      framework: p.framework === "other" ? undefined : p.framework,
      rootDirectory: p.rootDirectory,
      gitRepository: p.gitRepository && {
        type: p.gitRepository.type,
        repo: p.gitRepository.repo,
        productionBranch: p.productionBranch ?? DEFAULT_PRODUCTION_BRANCH,
      },
      buildCommand: p.buildCommand,
      outputDirectory: p.outputDirectory,
      installCommand: p.installCommand,
      // Chosen, not the provider's default (which protects previews): see `previewProtection`.
      vercelAuthentication: { deploymentType: DEPLOYMENT_TYPE[args.previewProtection ?? "vercel-authentication"] },
      // Previews without a branch-specific URL read their own from VERCEL_URL / VERCEL_BRANCH_URL.
      automaticallyExposeSystemEnvironmentVariables: true,
      // `serverlessFunctionRegion` is deprecated in provider 5.x in favour of this list.
      resourceConfig: args.functionRegions ? { functionDefaultRegions: [...args.functionRegions] } : undefined,
    };
    return new vercel.Project(`${name}-project`, transform(args.transform?.project, base), { parent: this });
  }

  private createFirewall(name: string, projectId: pulumi.Input<string>, args: VercelAppArgs): vercel.FirewallConfig {
    const rl = args.rateLimit!;
    const { limit, windowSeconds } = effectiveRateLimit(rl);
    const base: vercel.FirewallConfigArgs = {
      projectId,
      enabled: true,
      rules: {
        rules: [
          {
            name: rateLimitRuleName(args.project.name),
            description:
              `${rl.limit} requests per ${rl.windowSeconds} s per IP on ${rl.pathPrefix}` +
              (rl.source ? ` (${rl.source})` : "") +
              (windowSeconds !== rl.windowSeconds ? `, enforced as ${limit} per ${windowSeconds} s (plan's longest window)` : "") +
              "; managed by app-platform",
            active: true,
            // One group: all its conditions must match, so exempt paths are negated equalities.
            conditionGroups: [
              {
                conditions: [
                  { type: "path", op: "pre", value: rl.pathPrefix },
                  ...(rl.exemptPaths ?? []).map((path) => ({ type: "path", op: "eq", value: path, neg: true })),
                ],
              },
            ],
            action: {
              action: "rate_limit",
              // `rate_limit` answers 429 Too Many Requests, as the seeds' own limiters do.
              rateLimit: { algo: "fixed_window", limit, window: windowSeconds, keys: ["ip"], action: "rate_limit" },
            },
          },
        ],
      },
    };
    return new vercel.FirewallConfig(`${name}-firewall`, transform(args.transform?.firewall, base), { parent: this });
  }

  /**
   * One project routing rule on every path that sets each response header
   * (terraform-provider-vercel `vercel_project_route`: `transforms` of type `response.headers`, op
   * `set`, `target` the JSON `{"key": <header>}`, `args` the JSON value; the shape of Vercel's
   * transform rules, https://vercel.com/changelog/transform-rules-are-now-available-in-vercel-json).
   */
  private createHeadersRoute(name: string, projectId: pulumi.Input<string>, args: VercelAppArgs): vercel.ProjectRoute {
    const base: vercel.ProjectRouteArgs = {
      projectId,
      name: HEADERS_ROUTE_NAME,
      description: "Security headers the app's guide asks for; managed by app-platform",
      enabled: true,
      // First, so no other rule ends the request before the headers are set.
      position: { placement: "start" },
      route: {
        src: "/(.*)",
        transforms: Object.entries(args.responseHeaders ?? {}).map(([key, value]) => ({
          type: "response.headers",
          op: "set",
          target: JSON.stringify({ key }),
          args: JSON.stringify(value),
        })),
      },
    };
    return new vercel.ProjectRoute(`${name}-headers-route`, transform(args.transform?.headersRoute, base), { parent: this });
  }

  private createBypass(name: string, projectId: pulumi.Input<string>, args: VercelAppArgs): vercel.ProjectProtectionBypass {
    const base: vercel.ProjectProtectionBypassArgs = {
      projectId,
      // Vercel generates the 32-character secret; the provider marks it secret.
      note: `app-platform health probes (${args.context.environment})`,
    };
    return new vercel.ProjectProtectionBypass(`${name}-probe-bypass`, transform(args.transform?.bypass, base), { parent: this });
  }

  /**
   * The project by name, or `undefined` (with a warning) when it does not exist yet; any other
   * failure of the lookup (token, team, network) still fails the run.
   */
  private lookupProject(args: VercelAppArgs): Promise<{ id: string } | undefined> {
    const name = args.project.name;
    return vercel.getProject({ name }, { parent: this }).then(
      (p) => ({ id: p.id }),
      (err: unknown) => {
        if (!isVercelProjectNotFound(err)) throw err;
        pulumi.log.warn(
          `Vercel project "${name}" does not exist yet; the prod stack creates it. This ${args.context.environment} run sets none of its variables or domains; the next run after prod adds them (deploy.yml runs staging again).`,
          this,
        );
        return undefined;
      },
    );
  }

  private createEnvVar(
    name: string,
    key: string,
    v: { projectId: pulumi.Input<string>; value: pulumi.Input<string>; sensitive: boolean; gitBranch?: string; comment: string },
    args: VercelAppArgs,
    aliasPlainName = false,
  ): vercel.ProjectEnvironmentVariable {
    const suffix = v.gitBranch ? `-${v.gitBranch.toLowerCase().replace(/[^a-z0-9]+/g, "-")}` : "";
    const base: vercel.ProjectEnvironmentVariableArgs = {
      projectId: v.projectId,
      key,
      value: v.value,
      sensitive: v.sensitive,
      targets: envTargets(args.context.environment, v.sensitive),
      gitBranch: v.gitBranch,
      comment: v.comment,
    };
    return new vercel.ProjectEnvironmentVariable(`${name}-env-${kebabEnvKey(key)}${suffix}`, transform(args.transform?.envVar, base, key), {
      parent: this,
      // Staging used to set every variable on the branch under the plain name: a branch override
      // (whose key has no all-previews value) keeps that resource, updated in place, so Vercel never
      // sees the same key, target and branch twice, which it refuses: a replacement would be
      // created before the old one is deleted.
      aliases: suffix && aliasPlainName ? [{ name: `${name}-env-${kebabEnvKey(key)}` }] : undefined,
    });
  }

  /** A deployment of the app's branch, replaced (so redeployed) whenever the digest of its variables changes. */
  private createRedeploy(
    name: string,
    projectId: pulumi.Input<string>,
    variables: vercel.ProjectEnvironmentVariable[],
    args: VercelAppArgs,
  ): vercel.Deployment {
    const prod = isProd(args.context);
    const base: vercel.DeploymentArgs = {
      projectId,
      // Deploys the branch's latest commit through the project's git connection.
      ref: prod ? (args.project.productionBranch ?? DEFAULT_PRODUCTION_BRANCH) : args.previewBranch,
      production: prod,
      // Every input of a vercel_deployment but delete_on_destroy forces a new deployment
      // (terraform-provider-vercel `RequiresReplace`); the old one is kept, as Vercel keeps every deployment.
      meta: { [REDEPLOY_META_KEY]: envDigest(redeployVariables(args), args.redeploy!.digestKey) },
    };
    return new vercel.Deployment(`${name}-redeploy`, transform(args.transform?.deployment, base), {
      parent: this,
      dependsOn: [...variables, ...(args.redeploy!.after ?? [])],
    });
  }

  private createDomain(
    name: string,
    spec: VercelDomainSpec,
    projectId: pulumi.Input<string>,
    gitBranch: string | undefined,
    args: VercelAppArgs,
  ): vercel.ProjectDomain {
    const base: vercel.ProjectDomainArgs = {
      projectId,
      domain: spec.domain,
      gitBranch,
      redirect: spec.redirectTo,
      // Permanent, method-preserving redirect.
      redirectStatusCode: spec.redirectTo ? DOMAIN_REDIRECT_STATUS : undefined,
    };
    return new vercel.ProjectDomain(`${name}-domain-${domainSuffix(spec.domain)}`, transform(args.transform?.domain, base, spec), {
      parent: this,
    });
  }
}
