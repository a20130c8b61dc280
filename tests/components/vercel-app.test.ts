import { beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installRecordingMocks, valueOf } from "../helpers/mocks";

const GET_PROJECT = "vercel:index/getProject:getProject";
const rec = installRecordingMocks({
  stack: "staging",
  invokes: { [GET_PROJECT]: (args) => ({ id: `prj_${args.name}`, name: args.name }) },
});

import { PlatformContext } from "../../components/context";
import { digestValues } from "../../components/secrets/env-digest";
import { forceNewPaths } from "../../tools/plan/replacements";
import {
  REDEPLOY_META_KEY,
  VercelApp,
  VercelAppArgs,
  effectiveRateLimit,
  envTargets,
  isSecretLookingName,
  looksLikeSecretValue,
  validateVercelAppArgs,
} from "../../components/web/vercel-app";

const PROJECT = "vercel:index/project:Project";
const ENV = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const DOMAIN = "vercel:index/projectDomain:ProjectDomain";
const BYPASS = "vercel:index/projectProtectionBypass:ProjectProtectionBypass";
const FIREWALL = "vercel:index/firewallConfig:FirewallConfig";
const COMMENT = "managed by app-platform; owner=platform-team; product=voyager";

const prod: PlatformContext = { environment: "prod", product: "voyager", owner: "platform-team" };
const staging: PlatformContext = { ...prod, environment: "staging" };

/** Voyager (seed 003): Next.js, production on `main`, staging = preview of `develop`. */
const voyager = (context: PlatformContext, extra: Partial<VercelAppArgs> = {}): VercelAppArgs => ({
  context,
  project: { name: "careersy-wingman", framework: "nextjs", gitRepository: { type: "github", repo: "acme/careersy-wingman" } },
  env: { NEXTAUTH_URL: "https://wingman.example.com", NEXT_PUBLIC_APP_URL: "https://wingman.example.com" },
  secretEnv: { NEXTAUTH_SECRET: pulumi.secret("nextauth-value"), DATABASE_URL: "postgres://u:p@neon/db" },
  ...extra,
});

beforeEach(() => rec.reset());

describe("VercelApp on prod", () => {
  it("creates the project, production env vars and domains", async () => {
    const app = new VercelApp(
      "voyager-web",
      voyager(prod, { domains: [{ domain: "wingman.example.com" }, { domain: "www.wingman.example.com", redirectTo: "wingman.example.com" }] }),
    );
    await rec.settle();

    expect(rec.one("app-platform:vercel:App", "voyager-web").custom).toBe(false);
    expect(rec.one(PROJECT, "voyager-web-project").inputs).toEqual({
      name: "careersy-wingman",
      framework: "nextjs",
      gitRepository: { type: "github", repo: "acme/careersy-wingman", productionBranch: "main" },
      // Chosen, not the provider's default: previews behind a Vercel login unless told otherwise.
      vercelAuthentication: { deploymentType: "standardProtectionNew" },
      automaticallyExposeSystemEnvironmentVariables: true,
    });
    // The prod stack never provisions the probes' bypass: production custom domains are public.
    expect(rec.ofType(BYPASS)).toHaveLength(0);
    expect(app.protectionBypassSecret).toBeUndefined();
    expect(rec.ofType(FIREWALL)).toHaveLength(0);
    expect(rec.calls.filter((c) => c.token === GET_PROJECT)).toHaveLength(0);

    expect(
      rec
        .ofType(ENV)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["voyager-web-env-database-url", "voyager-web-env-next-public-app-url", "voyager-web-env-nextauth-secret", "voyager-web-env-nextauth-url"]);
    const plain = rec.one(ENV, "voyager-web-env-nextauth-url");
    expect(plain.inputs).toMatchObject({
      key: "NEXTAUTH_URL",
      value: "https://wingman.example.com",
      sensitive: false,
      targets: ["production", "development"],
      comment: COMMENT,
    });
    expect(plain.inputs.gitBranch).toBeUndefined();
    // @pulumiverse/vercel wraps every `value` in pulumi.secret itself, so `sensitive` is what differs.
    expect(plain.secretPaths).toEqual(["value"]);

    const secret = rec.one(ENV, "voyager-web-env-nextauth-secret");
    expect(secret.inputs).toMatchObject({ key: "NEXTAUTH_SECRET", value: "nextauth-value", sensitive: true, targets: ["production"] });
    expect(secret.secretPaths).toContain("value");
    // a plain string passed in secretEnv still arrives as a secret
    const db = rec.one(ENV, "voyager-web-env-database-url");
    expect(db.inputs).toMatchObject({ value: "postgres://u:p@neon/db", sensitive: true, targets: ["production"] });
    expect(db.secretPaths).toContain("value");

    expect(
      rec
        .ofType(DOMAIN)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["voyager-web-domain-wingman-example-com", "voyager-web-domain-www-wingman-example-com"]);
    // Domains, like variables, attach to the project this stack created (its id).
    expect(rec.one(DOMAIN, "voyager-web-domain-wingman-example-com").inputs).toEqual({
      domain: "wingman.example.com",
      projectId: "voyager-web-project-id",
    });
    expect(rec.one(DOMAIN, "voyager-web-domain-www-wingman-example-com").inputs).toEqual({
      domain: "www.wingman.example.com",
      projectId: "voyager-web-project-id",
      redirect: "wingman.example.com",
      redirectStatusCode: 308,
    });

    expect(app.domains).toEqual(["wingman.example.com", "www.wingman.example.com"]);
    expect(app.envKeys).toEqual(["DATABASE_URL", "NEXTAUTH_SECRET", "NEXTAUTH_URL", "NEXT_PUBLIC_APP_URL"]);
    expect(pulumi.Output.isInstance(app.projectId)).toBe(true);
    expect(secret.inputs.projectId).toBe("voyager-web-project-id");
  });

  it("passes optional project settings and a custom production branch", async () => {
    new VercelApp("ara-web", {
      context: { ...prod, product: "ara" },
      project: {
        name: "ara",
        framework: "astro",
        rootDirectory: "apps/web",
        gitRepository: { type: "github", repo: "acme/ara" },
        productionBranch: "release",
        buildCommand: "pnpm build",
        outputDirectory: "dist",
        installCommand: "pnpm install",
      },
    });
    await rec.settle();
    expect(rec.one(PROJECT, "ara-web-project").inputs).toEqual({
      name: "ara",
      framework: "astro",
      rootDirectory: "apps/web",
      gitRepository: { type: "github", repo: "acme/ara", productionBranch: "release" },
      buildCommand: "pnpm build",
      outputDirectory: "dist",
      installCommand: "pnpm install",
      vercelAuthentication: { deploymentType: "standardProtectionNew" },
      automaticallyExposeSystemEnvironmentVariables: true,
    });
    expect(rec.ofType(ENV)).toHaveLength(0);
  });

  it("applies transforms", async () => {
    new VercelApp(
      "voyager-web",
      voyager(prod, {
        domains: [{ domain: "wingman.example.com" }],
        transform: {
          project: (a) => ({ ...a, nodeVersion: "20.x" }),
          envVar: (a, key) => ({ ...a, comment: `${key} by transform` }),
          domain: (a) => ({ ...a, waitForReady: true }),
        },
      }),
    );
    await rec.settle();
    expect(rec.one(PROJECT).inputs.nodeVersion).toBe("20.x");
    expect(rec.one(ENV, "voyager-web-env-nextauth-url").inputs.comment).toBe("NEXTAUTH_URL by transform");
    expect(rec.one(DOMAIN).inputs.waitForReady).toBe(true);
  });

  it("hands secret values to the resource already wrapped as secrets, plain values unwrapped", async () => {
    const seen: Record<string, pulumi.Input<string> | undefined> = {};
    new VercelApp(
      "voyager-web",
      voyager(prod, {
        transform: {
          envVar: (a, key) => {
            seen[key] = a.value;
            return a;
          },
        },
      }),
    );
    await rec.settle();
    expect(typeof seen.NEXTAUTH_URL).toBe("string");
    for (const key of ["NEXTAUTH_SECRET", "DATABASE_URL"]) {
      expect(pulumi.Output.isInstance(seen[key])).toBe(true);
      expect(await (seen[key] as any).isSecret).toBe(true);
    }
  });
});

describe("VercelApp on prod: protection, regions, firewall", () => {
  it("sets public previews, function regions (seed 004) and the rate limit on the project it owns", async () => {
    new VercelApp("ara-web", {
      context: { ...prod, product: "ara" },
      project: { name: "appstoagents-ara", framework: "astro" },
      previewProtection: "none",
      functionRegions: ["iad1", "sfo1"],
      rateLimit: { limit: 10, windowSeconds: 10, pathPrefix: "/api/", source: "seed 003" },
    });
    await rec.settle();
    const project = rec.one(PROJECT, "ara-web-project").inputs;
    expect(project.vercelAuthentication).toEqual({ deploymentType: "none" });
    expect(project.resourceConfig).toEqual({ functionDefaultRegions: ["iad1", "sfo1"] });
    expect(project.serverlessFunctionRegion).toBeUndefined();
    const fw = rec.one(FIREWALL, "ara-web-firewall").inputs;
    expect(fw).toEqual({
      projectId: "ara-web-project-id",
      enabled: true,
      rules: {
        rules: [
          {
            name: "appstoagents-ara rate limit",
            description: "10 requests per 10 s per IP on /api/ (seed 003); managed by app-platform",
            active: true,
            conditionGroups: [{ conditions: [{ type: "path", op: "pre", value: "/api/" }] }],
            action: { action: "rate_limit", rateLimit: { algo: "fixed_window", limit: 10, window: 10, keys: ["ip"], action: "rate_limit" } },
          },
        ],
      },
    });
  });

  it("shortens a window longer than the plan allows and scales the limit down (seed 004: 100 per hour)", async () => {
    new VercelApp("ara-web", {
      context: { ...prod, product: "ara" },
      project: { name: "appstoagents-ara", framework: "astro" },
      rateLimit: { limit: 100, windowSeconds: 3600, pathPrefix: "/api/", source: "seed 004" },
    });
    await rec.settle();
    const rule = rec.one(FIREWALL).inputs.rules.rules[0];
    expect(rule.action.rateLimit).toMatchObject({ limit: 16, window: 600 });
    expect(rule.description).toBe(
      "100 requests per 3600 s per IP on /api/ (seed 004), enforced as 16 per 600 s (plan's longest window); managed by app-platform",
    );
    expect(effectiveRateLimit({ limit: 100, windowSeconds: 3600, pathPrefix: "/", maxWindowSeconds: 3600 })).toEqual({ limit: 100, windowSeconds: 3600 });
    expect(effectiveRateLimit({ limit: 1, windowSeconds: 3600, pathPrefix: "/" })).toEqual({ limit: 1, windowSeconds: 600 });
  });
});

describe("VercelApp on staging", () => {
  it("looks the project up: variables for every preview, branchEnv and domains on the preview branch only", async () => {
    const app = new VercelApp(
      "voyager-web",
      voyager(staging, {
        previewBranch: "develop",
        env: { GOOGLE_CLIENT_ID: "gid" },
        branchEnv: { NEXTAUTH_URL: "https://staging.wingman.example.com" },
        domains: [{ domain: "staging.wingman.example.com" }],
      }),
    );
    await rec.settle();

    expect(rec.ofType(PROJECT)).toHaveLength(0);
    expect(rec.calls.filter((c) => c.token === GET_PROJECT).map((c) => c.inputs)).toEqual([{ name: "careersy-wingman" }]);
    expect(await valueOf(app.projectId)).toBe("prj_careersy-wingman");

    // seeds 003/004: every preview branch gets the variables, so no git branch on them.
    expect(rec.one(ENV, "voyager-web-env-google-client-id").inputs).toEqual({
      projectId: "prj_careersy-wingman",
      key: "GOOGLE_CLIENT_ID",
      value: "gid",
      sensitive: false,
      targets: ["preview"],
      comment: COMMENT,
    });
    const secret = rec.one(ENV, "voyager-web-env-nextauth-secret");
    expect(secret.inputs).toEqual({
      projectId: "prj_careersy-wingman",
      key: "NEXTAUTH_SECRET",
      value: "nextauth-value",
      sensitive: true,
      targets: ["preview"],
      comment: COMMENT,
    });
    expect(secret.secretPaths).toEqual(["value"]);
    // Only where develop differs: its own public URL, on develop alone.
    expect(rec.one(ENV, "voyager-web-env-nextauth-url-develop").inputs).toEqual({
      projectId: "prj_careersy-wingman",
      key: "NEXTAUTH_URL",
      value: "https://staging.wingman.example.com",
      sensitive: false,
      targets: ["preview"],
      gitBranch: "develop",
      comment: COMMENT,
    });
    expect(
      rec
        .ofType(ENV)
        .filter((v) => v.inputs.gitBranch !== undefined)
        .map((v) => v.inputs.key),
    ).toEqual(["NEXTAUTH_URL"]);
    expect(app.envKeys).toEqual(["DATABASE_URL", "GOOGLE_CLIENT_ID", "NEXTAUTH_SECRET", "NEXTAUTH_URL"]);

    expect(rec.one(DOMAIN, "voyager-web-domain-staging-wingman-example-com").inputs).toEqual({
      projectId: "prj_careersy-wingman",
      domain: "staging.wingman.example.com",
      gitBranch: "develop",
    });
    // The project belongs to prod: staging never writes its firewall.
    expect(rec.ofType(FIREWALL)).toHaveLength(0);
  });

  it("protected previews: an automation bypass for probes, its secret exposed only as a Pulumi secret", async () => {
    const app = new VercelApp("ara-web", { context: { ...staging, product: "ara" }, project: { name: "ara", framework: "astro" } });
    await rec.settle();
    const bypass = rec.one(BYPASS, "ara-web-probe-bypass");
    expect(bypass.inputs).toEqual({ projectId: "prj_ara", note: "app-platform health probes (staging)" });
    expect(app.protectionBypassSecret).toBeDefined();
    expect(await (app.protectionBypassSecret as any).isSecret).toBe(true);
  });

  it("public previews (OAuth callbacks, outside testers): no bypass", async () => {
    const app = new VercelApp("voyager-web", voyager(staging, { previewProtection: "none" }));
    await rec.settle();
    expect(rec.ofType(BYPASS)).toHaveLength(0);
    expect(app.protectionBypassSecret).toBeUndefined();
  });

  it("without a preview branch targets every preview (seed 004)", async () => {
    new VercelApp("ara-web", {
      context: { ...staging, product: "ara" },
      project: { name: "ara", framework: "astro" },
      secretEnv: { JWT_SECRET: pulumi.secret("jwt") },
    });
    await rec.settle();
    const jwt = rec.one(ENV, "ara-web-env-jwt-secret");
    expect(jwt.inputs.targets).toEqual(["preview"]);
    expect(jwt.inputs.gitBranch).toBeUndefined();
    expect(jwt.inputs.sensitive).toBe(true);
    expect(jwt.secretPaths).toEqual(["value"]);
  });

  it("manageProject overrides the default", async () => {
    new VercelApp("v", voyager(staging, { manageProject: true }));
    await rec.settle();
    expect(rec.one(PROJECT, "v-project").inputs.name).toBe("careersy-wingman");
    expect(rec.calls.filter((c) => c.token === GET_PROJECT)).toHaveLength(0);
  });
});

describe("VercelApp redeploy", () => {
  const DEPLOYMENT = "vercel:index/deployment:Deployment";

  it("makes no deployment unless asked", async () => {
    new VercelApp("voyager-web", voyager(prod));
    await rec.settle();
    expect(rec.ofType(DEPLOYMENT)).toHaveLength(0);
  });

  it("prod: a production deployment of the production branch, keyed on the HMAC digest of every variable in its meta", async () => {
    new VercelApp("voyager-web", voyager(prod, { redeploy: { digestKey: pulumi.secret("k") } }));
    await rec.settle();
    const d = rec.one(DEPLOYMENT, "voyager-web-redeploy");
    const expected = digestValues(
      {
        "env:NEXTAUTH_URL": "https://wingman.example.com",
        "env:NEXT_PUBLIC_APP_URL": "https://wingman.example.com",
        "secret:NEXTAUTH_SECRET": "nextauth-value",
        "secret:DATABASE_URL": "postgres://u:p@neon/db",
      },
      "k",
    );
    expect(d.inputs).toEqual({ projectId: "voyager-web-project-id", ref: "main", production: true, meta: { [REDEPLOY_META_KEY]: expected } });
    // An HMAC, not a bare sha256 anyone could check guesses against; and a Pulumi secret.
    expect(expected).not.toBe(digestValues({ "secret:DATABASE_URL": "postgres://u:p@neon/db" }));
    expect(d.secretPaths).toEqual(["meta"]);
  });

  it("staging: a preview deployment of the preview branch", async () => {
    new VercelApp("voyager-web", voyager(staging, { previewBranch: "develop", redeploy: {} }));
    await rec.settle();
    expect(rec.one(DEPLOYMENT, "voyager-web-redeploy").inputs).toMatchObject({ projectId: "prj_careersy-wingman", ref: "develop", production: false });
  });

  it("a changed value (secret, plain or the preview branch's own) changes a force-new input, so the deployment is replaced; the same values keep it", async () => {
    const metaWith = async (extra: Partial<VercelAppArgs>) => {
      rec.reset();
      new VercelApp("voyager-web", voyager(staging, { previewBranch: "develop", redeploy: { digestKey: "k" }, ...extra }));
      await rec.settle();
      return rec.one(DEPLOYMENT, "voyager-web-redeploy").inputs;
    };
    const before = await metaWith({});
    expect(await metaWith({})).toEqual(before);
    const secret = await metaWith({ secretEnv: { NEXTAUTH_SECRET: pulumi.secret("nextauth-value"), DATABASE_URL: "postgres://u:new@neon/db" } });
    const changed = Object.keys(secret).filter((k) => JSON.stringify(secret[k]) !== JSON.stringify(before[k]));
    expect(changed).toEqual(["meta"]);
    expect(forceNewPaths(DEPLOYMENT)).toContain("meta");
    const plain = await metaWith({ env: { NEXTAUTH_URL: "https://other.example.com", NEXT_PUBLIC_APP_URL: "https://wingman.example.com" } });
    const branch = await metaWith({ branchEnv: { NEXTAUTH_URL: "https://develop.example.com" } });
    expect(new Set([before.meta, secret.meta, plain.meta, branch.meta].map((m) => JSON.stringify(m))).size).toBe(4);
  });

  it('refuses an output directory with the nextjs preset (every build would fail), and serves a static export with "other"', async () => {
    const exported = (framework: "nextjs" | "other") =>
      voyager(prod, { project: { name: "ask-dahlia", framework, outputDirectory: "out", gitRepository: { type: "github", repo: "acme/ask-dahlia" } } });
    expect(() => validateVercelAppArgs("w", exported("nextjs"))).toThrow(/`project.outputDirectory` "out" with the `nextjs` preset.*vercel\/vercel#4368/);
    new VercelApp("ask-dahlia-ui", exported("other"));
    await rec.settle();
    const project = rec.ofType("vercel:index/project:Project")[0].inputs;
    expect(project.outputDirectory).toBe("out");
    expect(project.framework).toBeUndefined(); // Vercel's "Other": no preset
  });

  it("rejects a redeploy on staging without a preview branch", () => {
    expect(() => validateVercelAppArgs("w", voyager(staging, { redeploy: {} }))).toThrow("`redeploy` is set on staging without `previewBranch`");
  });
});

describe("helpers", () => {
  it("targets: prod secrets production only, prod plain also development, staging preview", () => {
    expect(envTargets("prod", true)).toEqual(["production"]);
    expect(envTargets("prod", false)).toEqual(["production", "development"]);
    expect(envTargets("staging", true)).toEqual(["preview"]);
    expect(envTargets("staging", false)).toEqual(["preview"]);
  });

  it("recognises secret-looking names and values", () => {
    for (const k of ["JWT_SECRET", "DB_PASSWORD", "GITHUB_TOKEN", "OPENAI_API_KEY", "SSH_PRIVATE_KEY", "DATABASE_URL", "SENTRY_DSN", "ENCRYPTION_KEY"]) {
      expect(isSecretLookingName(k)).toBe(true);
    }
    for (const k of ["NEXTAUTH_URL", "NEXT_PUBLIC_APP_URL", "SEC_USER_AGENT", "CLERK_PUBLISHABLE_KEY"]) {
      expect(isSecretLookingName(k)).toBe(false);
    }
    expect(looksLikeSecretValue("sk_live_abc")).toBe(true);
    expect(looksLikeSecretValue("-----BEGIN RSA PRIVATE KEY-----")).toBe(true);
    expect(looksLikeSecretValue("https://example.com")).toBe(false);
  });
});

describe("validateVercelAppArgs", () => {
  it("accepts Voyager on both stacks", () => {
    expect(() => validateVercelAppArgs("v", voyager(prod, { domains: [{ domain: "wingman.example.com" }] }))).not.toThrow();
    expect(() => validateVercelAppArgs("v", voyager(staging, { previewBranch: "develop" }))).not.toThrow();
  });

  it("rejects NODE_ENV as a Vercel variable (npm would skip devDependencies in the build)", () => {
    expect(() => validateVercelAppArgs("v", voyager(prod, { env: { NODE_ENV: "production" } }))).toThrow(
      "`env.NODE_ENV` is set; Vercel sets NODE_ENV itself, and `production` during the build makes npm skip devDependencies — remove it",
    );
  });

  it("rejects branchEnv on prod, without previewBranch, or equal to the all-previews value", () => {
    expect(() => validateVercelAppArgs("v", voyager(prod, { env: {}, branchEnv: { NEXTAUTH_URL: "https://a.example.com" } }))).toThrow(
      "`branchEnv` is set on the prod stack",
    );
    expect(() => validateVercelAppArgs("v", voyager(staging, { env: {}, branchEnv: { NEXTAUTH_URL: "https://a.example.com" } }))).toThrow(
      "`branchEnv` is set without `previewBranch`",
    );
    expect(() =>
      validateVercelAppArgs("v", voyager(staging, { previewBranch: "develop", branchEnv: { NEXTAUTH_URL: "https://wingman.example.com" } })),
    ).toThrow("`branchEnv.NEXTAUTH_URL` equals `env.NEXTAUTH_URL`; the branch gets the all-previews value anyway — drop the override");
    expect(() => validateVercelAppArgs("v", voyager(staging, { previewBranch: "develop", branchEnv: { API_TOKEN: "x" } }))).toThrow(
      "`branchEnv.API_TOKEN` looks like a secret but is a plain variable",
    );
  });

  it("allows a public-by-design key only when listed (a browser Sentry DSN, seed 003)", () => {
    const env = { NEXT_PUBLIC_SENTRY_DSN: "https://abc@o1.ingest.sentry.io/1" };
    expect(() => validateVercelAppArgs("v", voyager(prod, { env }))).toThrow("`env.NEXT_PUBLIC_SENTRY_DSN` has a public prefix");
    expect(() => validateVercelAppArgs("v", voyager(prod, { env, publicEnvKeys: ["NEXT_PUBLIC_SENTRY_DSN"] }))).not.toThrow();
    // The value check still applies to a listed key.
    expect(() =>
      validateVercelAppArgs("v", voyager(prod, { env: { NEXT_PUBLIC_SENTRY_DSN: "sk_live_abc" }, publicEnvKeys: ["NEXT_PUBLIC_SENTRY_DSN"] })),
    ).toThrow("holds a value that looks like a credential");
  });

  it("rejects bad protection, regions and rate limits", () => {
    const bad = (extra: Partial<VercelAppArgs>) => () => validateVercelAppArgs("v", voyager(prod, extra));
    expect(bad({ previewProtection: "password" as any })).toThrow('`previewProtection` "password" must be one of `vercel-authentication`, `none`');
    expect(bad({ functionRegions: [] })).toThrow("`functionRegions` is empty");
    expect(bad({ functionRegions: ["us-east-1"] })).toThrow('`functionRegions[0]` "us-east-1" is not a Vercel region id');
    expect(bad({ functionRegions: ["iad1", "iad1"] })).toThrow('`functionRegions[1]` "iad1" is listed twice');
    expect(bad({ rateLimit: { limit: 0, windowSeconds: 10, pathPrefix: "/" } })).toThrow("`rateLimit.limit` is 0");
    expect(bad({ rateLimit: { limit: 10, windowSeconds: 5, pathPrefix: "/" } })).toThrow("`rateLimit.windowSeconds` is 5; Vercel's shortest window is 10 s");
    expect(bad({ rateLimit: { limit: 10, windowSeconds: 10, pathPrefix: "api" } })).toThrow('`rateLimit.pathPrefix` "api" must be a path starting with `/`');
    expect(bad({ rateLimit: { limit: 10, windowSeconds: 10, pathPrefix: "/", maxWindowSeconds: 7200 } })).toThrow("`rateLimit.maxWindowSeconds` is 7200");
  });

  it("rejects a public-prefixed secret", () => {
    for (const key of ["NEXT_PUBLIC_STRIPE_KEY", "VITE_API", "PUBLIC_THING"]) {
      expect(() => validateVercelAppArgs("v", voyager(prod, { secretEnv: { [key]: "x" } }))).toThrow(
        `\`secretEnv.${key}\` has a public prefix (NEXT_PUBLIC_, VITE_, PUBLIC_) and would be inlined into the browser bundle`,
      );
    }
  });

  it("rejects a public-prefixed plain variable with a secret-looking name or value", () => {
    expect(() => validateVercelAppArgs("v", voyager(prod, { env: { NEXT_PUBLIC_API_KEY: "x" } }))).toThrow(
      "`env.NEXT_PUBLIC_API_KEY` has a public prefix (NEXT_PUBLIC_, VITE_, PUBLIC_) and a secret-looking name; public variables ship to the browser",
    );
    expect(() => validateVercelAppArgs("v", voyager(prod, { env: { NEXT_PUBLIC_STRIPE: "sk_live_123" } }))).toThrow(
      "`env.NEXT_PUBLIC_STRIPE` holds a value that looks like a credential; move it to `secretEnv` (read from encrypted config) (vercel-disallow-public-secrets)",
    );
  });

  it("rejects a secret-looking plain variable", () => {
    expect(() => validateVercelAppArgs("v", voyager(prod, { env: { JWT_SECRET: "abc" } }))).toThrow(
      "`env.JWT_SECRET` looks like a secret but is a plain variable; move it to `secretEnv` so it is sent as a sensitive Pulumi secret (vercel-enforce-sensitive-secrets)",
    );
    expect(() => validateVercelAppArgs("v", voyager(prod, { env: { SENTRY_DSN: "https://k@sentry.io/1" } }))).toThrow("`env.SENTRY_DSN` looks like a secret");
  });

  it("rejects bad env names", () => {
    expect(() => validateVercelAppArgs("v", voyager(prod, { env: { "next-url": "x" } }))).toThrow("`env` key `next-url` is not an environment-variable name");
    expect(() => validateVercelAppArgs("v", voyager(prod, { secretEnv: { jwtSecret: "x" } }))).toThrow(
      "`secretEnv` key `jwtSecret` is not an environment-variable name",
    );
  });

  it("rejects a name in both env and secretEnv", () => {
    expect(() => validateVercelAppArgs("v", voyager(prod, { env: { APP_MODE: "a" }, secretEnv: { APP_MODE: "b" } }))).toThrow(
      "`APP_MODE` is in both `env` and `secretEnv`; keep it in exactly one",
    );
  });

  it("rejects duplicate domains, bad domains and bad redirects", () => {
    expect(() => validateVercelAppArgs("v", voyager(prod, { domains: [{ domain: "a.example.com" }, { domain: "a.example.com" }] }))).toThrow(
      "`domains[1]` (a.example.com): duplicate domain; list each domain once",
    );
    expect(() => validateVercelAppArgs("v", voyager(prod, { domains: [{ domain: "https://a.example.com" }] }))).toThrow(
      "`domain` is not a lower-case hostname",
    );
    expect(() => validateVercelAppArgs("v", voyager(prod, { domains: [{ domain: "www.example.com", redirectTo: "example.com" }] }))).toThrow(
      '`redirectTo` "example.com" is not one of `domains`',
    );
    expect(() => validateVercelAppArgs("v", voyager(prod, { domains: [{ domain: "example.com", redirectTo: "example.com" }] }))).toThrow(
      "`redirectTo` points at itself",
    );
    expect(() =>
      validateVercelAppArgs(
        "v",
        voyager(prod, {
          domains: [
            { domain: "a.example.com", redirectTo: "b.example.com" },
            { domain: "b.example.com", redirectTo: "c.example.com" },
            { domain: "c.example.com" },
          ],
        }),
      ),
    ).toThrow('`redirectTo` "b.example.com" redirects again');
    expect(() => validateVercelAppArgs("v", voyager(prod, { domains: [{ domain: "a-b.example.com" }, { domain: "a.b-example.com" }] }))).toThrow(
      "its resource name suffix `a-b-example-com` collides with a-b.example.com",
    );
  });

  it("rejects staging domains without a preview branch (they would serve production)", () => {
    expect(() => validateVercelAppArgs("v", voyager(staging, { domains: [{ domain: "staging.example.com" }] }))).toThrow(
      "`domains` are set on staging without `previewBranch`",
    );
  });

  it("rejects a preview branch on prod or equal to the production branch", () => {
    expect(() => validateVercelAppArgs("v", voyager(prod, { previewBranch: "develop" }))).toThrow("`previewBranch` is set on the prod stack");
    expect(() => validateVercelAppArgs("v", voyager(staging, { previewBranch: "main" }))).toThrow('`previewBranch` "main" is the production branch');
    expect(() => validateVercelAppArgs("v", voyager(staging, { previewBranch: "bad..branch" }))).toThrow(
      '`previewBranch` "bad..branch" is not a valid git branch name',
    );
  });

  it("rejects bad project settings", () => {
    const base = voyager(prod);
    expect(() => validateVercelAppArgs("v", { ...base, project: { ...base.project, name: "Careersy" } })).toThrow(
      '`project.name` "Careersy" is not a Vercel project name',
    );
    expect(() => validateVercelAppArgs("v", { ...base, project: { ...base.project, rootDirectory: "../web" } })).toThrow(
      '`project.rootDirectory` "../web" must be relative',
    );
    expect(() => validateVercelAppArgs("v", { ...base, project: { ...base.project, gitRepository: { type: "github", repo: "no-slash" } } })).toThrow(
      '`project.gitRepository.repo` "no-slash" must be `owner/name`',
    );
  });

  it("the constructor validates before creating children", async () => {
    expect(() => new VercelApp("v", voyager(prod, { env: { API_TOKEN: "t" } }))).toThrow('App "v" has invalid arguments');
    await rec.settle();
    expect(rec.ofType(ENV)).toHaveLength(0);
    expect(rec.ofType(PROJECT)).toHaveLength(0);
  });
});
