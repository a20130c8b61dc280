/**
 * Stack config validation: the committed stacks are valid, Pulumi.yaml and the README agree with
 * the code, and every malformed config fails with a message naming the key, before anything is
 * registered.
 */
import * as path from "node:path";
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, RawConfig, parseStackConfig } from "../infra/config";
import { CHAT_API_DOWNSTREAM_URLS } from "../stacks/chat-api";
import { isLoopbackUrl } from "../components/config-key";
import { buildProduct } from "../components/product-spec";
import { PLAIN_CONFIG_KEYS } from "../infra/config-keys";
import { allSecretKeys, checkSecrets, secretKeysFor } from "../infra/secrets";
import { pulumiYamlConfig, renderPulumiYaml, renderReadme } from "../scripts/config-docs";
import { readProject, readStackConfig } from "../tools/engine/harness/project";
import { MODULE_NAME, appModuleName, vercelBypassModuleName } from "../components/monitoring/blackbox-modules";
import { CATALOG } from "../stacks";
import { productEnvironment } from "../infra/program";

const ROOT = path.resolve(__dirname, "..");
const project = readProject(ROOT);
const stagingRaw: RawConfig = readStackConfig(project, "staging").values;
const prodRaw: RawConfig = readStackConfig(project, "prod").values;
const SECRET_KEYS = new Set(allSecretKeys().map((s) => s.key));

function problemsOf(raw: RawConfig, stack = "staging"): string[] {
  try {
    parseStackConfig(raw, stack, SECRET_KEYS);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
}

const with_ = (base: RawConfig, changes: Record<string, string | undefined>): RawConfig => {
  const out: Record<string, string | undefined> = { ...base };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[`app-platform:${k}`];
    else out[`app-platform:${k}`] = v;
  }
  return out;
};

describe("committed stacks", () => {
  it("staging and prod parse without problems", () => {
    expect(problemsOf(stagingRaw, "staging")).toEqual([]);
    expect(problemsOf(prodRaw, "prod")).toEqual([]);
    const prod = parseStackConfig(prodRaw, "prod", SECRET_KEYS);
    expect(prod.environment).toBe("prod");
    expect(prod.products).toEqual(["ask-dahlia", "codebook", "chat-api", "voyager", "ara"]);
    expect(prod.replicasCodebookApi).toBe(3); // seed 001 §3.1
  });

  it("applies declared defaults", () => {
    const cfg = parseStackConfig(with_(stagingRaw, { owner: undefined, products: undefined }), "staging", SECRET_KEYS);
    expect(cfg.owner).toBe("platform-team");
    expect(cfg.products).toHaveLength(5);
    expect(cfg.backupImage).toBe("ghcr.io/example-org/pg-backup:17.6-1");
  });
});

describe("runbookBaseUrl", () => {
  it("defaults to the repository's docs/runbooks on GitHub under gitOrganization", () => {
    const cfg = parseStackConfig(with_(stagingRaw, { runbookBaseUrl: undefined, gitOrganization: "acme" }), "staging", SECRET_KEYS);
    expect(cfg.runbookBaseUrl).toBe("https://github.com/acme/app-platform/blob/main/docs/runbooks");
    const empty = parseStackConfig(with_(stagingRaw, { runbookBaseUrl: "", gitOrganization: "acme" }), "staging", SECRET_KEYS);
    expect(empty.runbookBaseUrl).toBe("https://github.com/acme/app-platform/blob/main/docs/runbooks");
  });

  it("keeps a runbook site the stack sets", () => {
    const cfg = parseStackConfig(with_(stagingRaw, { runbookBaseUrl: "https://wiki.example.org/runbooks" }), "staging", SECRET_KEYS);
    expect(cfg.runbookBaseUrl).toBe("https://wiki.example.org/runbooks");
  });
});

describe("Pulumi.yaml and README stay generated from the code", () => {
  it("Pulumi.yaml declares exactly the keys the program reads", () => {
    const declared = Object.keys(project.config)
      .map((k) => k.replace(/^app-platform:/, ""))
      .sort();
    const expected = [...PLAIN_CONFIG_KEYS.map((k) => k.key), ...SECRET_KEYS].sort();
    expect(declared).toEqual(expected);
    for (const [key, decl] of Object.entries(pulumiYamlConfig())) {
      expect(typeof decl.description, key).toBe("string");
    }
  });

  it("Pulumi.yaml and the README reference are up to date", () => {
    const yamlText = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    expect(renderPulumiYaml(yamlText)).toBe(yamlText);
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(renderReadme(readme)).toBe(readme);
  });

  it("every stack key is declared (the CLI rejects undeclared project keys)", () => {
    for (const stack of ["staging", "prod"]) {
      for (const key of Object.keys(readStackConfig(project, stack).values)) {
        if (key.startsWith("app-platform:")) expect(project.config[key], key).toBeDefined();
      }
    }
  });
});

/** At least 20 malformed configs; each must name the offending key. */
const MALFORMED: Array<[string, Record<string, string | undefined>, string, string?]> = [
  ["missing environment", { environment: undefined }, "app-platform:environment"],
  ["unknown environment", { environment: "production" }, "app-platform:environment"],
  ["environment does not match the stack", { environment: "prod" }, "app-platform:environment"],
  ["missing domain", { domain: undefined }, "app-platform:domain"],
  ["domain with upper case", { domain: "Example.COM" }, "app-platform:domain"],
  ["domain that is a URL", { domain: "https://example.com" }, "app-platform:domain"],
  ["products not a list", { products: "codebook" }, "app-platform:products"],
  ["unknown product", { products: '["codebook","netlify-ui"]' }, "app-platform:products"],
  ["empty product list", { products: "[]" }, "app-platform:products"],
  ["duplicate product", { products: '["ara","ara"]' }, "app-platform:products"],
  ["ingress address not an IP", { ingressAddress: "ingress.example.com" }, "app-platform:ingressAddress"],
  ["missing ingress address", { ingressAddress: undefined }, "app-platform:ingressAddress"],
  ["AWS region malformed", { awsRegion: "US East" }, "app-platform:awsRegion"],
  ["Cloudflare account id too short", { cloudflareAccountId: "abc123" }, "app-platform:cloudflareAccountId"],
  ["image tag latest", { codebookApiImageTag: "latest" }, "app-platform:codebookApiImageTag"],
  ["image tag empty", { chatApiImageTag: "" }, "app-platform:chatApiImageTag"],
  ["backup image unpinned", { backupImage: "postgres:latest" }, "app-platform:backupImage"],
  ["backup image without tag", { backupImage: "postgres" }, "app-platform:backupImage"],
  ["backup image missing", { backupImage: undefined }, "app-platform:backupImage"],
  ["runbook base over http", { runbookBaseUrl: "http://runbooks.example.com" }, "app-platform:runbookBaseUrl"],
  ["replicas not a number", { replicasCodebookApi: "three" }, "app-platform:replicasCodebookApi"],
  ["replicas zero", { replicasChatApi: "0" }, "app-platform:replicasChatApi"],
  ["SEC user agent without an email", { askDahliaSecUserAgent: "Example Corp" }, "app-platform:askDahliaSecUserAgent"],
  ["allowed origin with a path", { chatApiAllowedOrigins: '["https://chat.example.com/app"]' }, "app-platform:chatApiAllowedOrigins"],
  ["boolean not a boolean", { voyagerStripeEnabled: "yes" }, "app-platform:voyagerStripeEnabled"],
  ["stripe enabled without a price", { voyagerStripeEnabled: "true" }, "app-platform:voyagerStripePriceId"],
  ["Clerk key that is a secret key", { araClerkPublishableKey: "sk_live_abc" }, "app-platform:araClerkPublishableKey"],
  ["owner with spaces", { owner: "Platform Team" }, "app-platform:owner"],
  ["pull secret name with upper case", { imagePullSecrets: '["GHCR_Pull"]' }, "app-platform:imagePullSecrets", "must be a Kubernetes Secret name"],
  ["pull secrets not a list", { imagePullSecrets: "ghcr-pull" }, "app-platform:imagePullSecrets"],
  ["pull secret named twice", { imagePullSecrets: '["ghcr-pull","ghcr-pull"]' }, "app-platform:imagePullSecrets", "must not repeat a name"],
  ["unknown preStop hook", { preStopHook: "shell" }, "app-platform:preStopHook"],
  ["public previews of an unknown product", { vercelPublicPreviews: '["netlify-ui"]' }, "app-platform:vercelPublicPreviews"],
  ["firewall path without a slash", { vercelFirewallPathPrefix: "api" }, "app-platform:vercelFirewallPathPrefix"],
  ["firewall window above Enterprise's hour", { vercelFirewallMaxWindowSeconds: "7200" }, "app-platform:vercelFirewallMaxWindowSeconds"],
  ["CNAME allow-list with a URL", { dnsAllowedCnameTargets: '["https://cname.vercel-dns.com"]' }, "app-platform:dnsAllowedCnameTargets"],
  ["Sentry DSN that is not one", { voyagerSentryDsn: "not-a-dsn" }, "app-platform:voyagerSentryDsn"],
  ["S3 bucket suffix with a dot", { s3BucketSuffix: "acme.io" }, "app-platform:s3BucketSuffix"],
  ["S3 bucket suffix in upper case", { s3BucketSuffix: "Acme" }, "app-platform:s3BucketSuffix"],
  ["S3 bucket suffix ending in a hyphen", { s3BucketSuffix: "acme-" }, "app-platform:s3BucketSuffix"],
  ["a typo'd key", { replicasCodebookAPI: "3" }, "app-platform:replicasCodebookAPI", "did you mean `replicasCodebookApi`"],
  // monitoring wiring: malformed labels, addresses, modules and URLs fail before any resource
  ["selector label without a value separator", { prometheusSelectorLabels: '["release"]' }, "app-platform:prometheusSelectorLabels"],
  ["selector label with an invalid key", { prometheusSelectorLabels: '["bad key=x"]' }, "app-platform:prometheusSelectorLabels"],
  ["selector label value with a space", { prometheusSelectorLabels: '["release=kube prometheus"]' }, "app-platform:prometheusSelectorLabels"],
  ["no selector labels", { prometheusSelectorLabels: "[]" }, "app-platform:prometheusSelectorLabels"],
  ["selector label key twice", { prometheusSelectorLabels: '["release=a","release=b"]' }, "app-platform:prometheusSelectorLabels"],
  ["blackbox address with a scheme", { blackboxExporterAddress: "http://blackbox:9115" }, "app-platform:blackboxExporterAddress"],
  ["blackbox address without a port", { blackboxExporterAddress: "blackbox.monitoring.svc" }, "app-platform:blackboxExporterAddress"],
  ["blackbox module with a space", { blackboxModule: "http 2xx" }, "app-platform:blackboxModule"],
  ["blackbox module too long for its per-app bypass variants", { blackboxModule: "m".repeat(33) }, "app-platform:blackboxModule"],
  ["status URL over http", { supabaseStatusUrl: "http://status.supabase.com/api/v2/status.json" }, "app-platform:supabaseStatusUrl"],
  ["status URL not a URL", { openaiStatusUrl: "status.openai.com" }, "app-platform:openaiStatusUrl"],
  ["unknown exporter mode", { postgresExporter: "sidecar" }, "app-platform:postgresExporter"],
  ["exporter job of an unknown product", { postgresExporterJobs: '["netlify=pg"]' }, "app-platform:postgresExporterJobs"],
  ["exporter image unpinned", { postgresExporterImage: "quay.io/prometheuscommunity/postgres-exporter:latest" }, "app-platform:postgresExporterImage"],
  ["OpenAI model with spaces", { askDahliaOpenaiModel: "GPT 4o" }, "app-platform:askDahliaOpenaiModel"],
  ["Anthropic fallback that is not a Claude id", { askDahliaAnthropicFallbackModel: "gpt-4o" }, "app-platform:askDahliaAnthropicFallbackModel"],
  [
    "OpenAI fallback equal to the default",
    { askDahliaOpenaiFallbackModel: "gpt-4o" },
    "app-platform:askDahliaOpenaiFallbackModel",
    "a fallback must be another model",
  ],
  ["Chat API model that is not a Claude id", { chatApiDefaultModel: "sonnet" }, "app-platform:chatApiDefaultModel"],
  ["downstream URL without a scheme", { chatApiMapperApiUrl: "mapper-api.example.com" }, "app-platform:chatApiMapperApiUrl"],
  ["downstream URL over ftp", { chatApiCalendarApiUrl: "ftp://calendar.example.com" }, "app-platform:chatApiCalendarApiUrl"],
];

describe("malformed stack config", () => {
  it("the table has at least 20 cases", () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(20);
  });

  it.each(MALFORMED)("%s", (_label, changes, key, hint) => {
    const problems = problemsOf(with_(stagingRaw, changes));
    expect(problems.length, "expected a ConfigError").toBeGreaterThan(0);
    const p = problems.find((x) => x.includes(`\`${key}\``));
    expect(p, `no problem names ${key}: ${problems.join(" | ")}`).toBeDefined();
    expect(p).toMatch(/expected|Fix:/);
    expect(p).toContain("Fix:");
    if (hint) expect(p).toContain(hint);
  });

  it("prod refuses fewer than two replicas", () => {
    const problems = problemsOf(with_(prodRaw, { replicasAskDahliaWorker: "1" }), "prod");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("`app-platform:replicasAskDahliaWorker` is 1; prod needs at least 2");
  });

  // seed 002: MAPPER/CALENDAR/WORKOUT_INGESTOR_API_URL default to localhost:8001-8003 (development).
  describe.each([
    ["chatApiMapperApiUrl", "MAPPER_API_URL", "http://localhost:8001"],
    ["chatApiCalendarApiUrl", "CALENDAR_API_URL", "http://127.0.0.1:8002"],
    ["chatApiWorkoutIngestorApiUrl", "WORKOUT_INGESTOR_API_URL", "http://[::1]:8003"],
  ])("prod and %s (seed 002 %s)", (key, variable, loopback) => {
    it("refuses it unset, naming the key and the variable", () => {
      for (const changes of [{ [key]: undefined }, { [key]: "" }]) {
        const problems = problemsOf(with_(prodRaw, changes), "prod");
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain(`\`app-platform:${key}\` is not set; prod needs the real base URL of ${variable}`);
        expect(problems[0]).toContain(`Fix: \`pulumi config set --stack prod ${key} https://`);
      }
    });

    it("refuses a loopback URL, naming the key", () => {
      const problems = problemsOf(with_(prodRaw, { [key]: loopback }), "prod");
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`\`app-platform:${key}\` is "${loopback}", a loopback address`);
    });

    it("staging may leave it unset or point it at a loopback address", () => {
      expect(problemsOf(with_(stagingRaw, { [key]: undefined }), "staging")).toEqual([]);
      expect(problemsOf(with_(stagingRaw, { [key]: loopback }), "staging")).toEqual([]);
    });
  });

  it("the committed prod stack sets every downstream URL, none of them loopback", () => {
    const prod = parseStackConfig(prodRaw, "prod", SECRET_KEYS);
    for (const u of CHAT_API_DOWNSTREAM_URLS) {
      expect(prod[u.key], u.key).toMatch(/^https?:\/\//);
      expect(isLoopbackUrl(prod[u.key]), u.key).toBe(false);
    }
  });

  it.each([
    ["http://localhost:8001", true],
    ["http://LOCALHOST.:8001/", true],
    ["http://api.localhost", true],
    ["http://127.0.0.1", true],
    ["http://127.1.2.3:9000/x", true],
    ["http://0.0.0.0:8002", true],
    ["http://[::1]:8003", true],
    ["http://[::ffff:127.0.0.1]", true],
    ["https://mapper-api.example.com", false],
    ["http://mapper-api.mapper-prod.svc.cluster.local:8001", false],
    ["http://10.0.0.5:8001", false],
    ["https://localhost-proxy.example.com", false],
  ])("isLoopbackUrl(%s) is %s", (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });

  it("Ask Dahlia's models default to seed 000's, and the Chat API's to seed 002's", () => {
    const keys = ["askDahliaOpenaiModel", "askDahliaOpenaiFallbackModel", "askDahliaAnthropicModel", "askDahliaAnthropicFallbackModel", "chatApiDefaultModel"];
    const unset = Object.fromEntries(keys.map((k) => [k, undefined]));
    for (const [raw, stack] of [
      [stagingRaw, "staging"],
      [prodRaw, "prod"],
    ] as const) {
      const cfg = parseStackConfig(with_(raw, unset), stack, SECRET_KEYS);
      expect(cfg.askDahliaOpenaiModel).toBe("gpt-4o");
      expect(cfg.askDahliaOpenaiFallbackModel).toBe("gpt-3.5-turbo");
      expect(cfg.askDahliaAnthropicModel).toBe("claude-3-5-sonnet-20240620");
      expect(cfg.askDahliaAnthropicFallbackModel).toBe("claude-3-haiku-20240307");
      expect(cfg.chatApiDefaultModel).toBe("claude-sonnet-4-20250514");
    }
  });

  it("each stack file sets the Chat API's DEFAULT_MODEL itself, so an upgrade can go to staging alone (seed 002)", () => {
    for (const raw of [stagingRaw, prodRaw]) expect(raw["app-platform:chatApiDefaultModel"]).toBe("claude-sonnet-4-20250514");
    const upgraded = parseStackConfig(with_(stagingRaw, { chatApiDefaultModel: "claude-sonnet-4-5-20250929" }), "staging", SECRET_KEYS);
    expect(upgraded.chatApiDefaultModel).toBe("claude-sonnet-4-5-20250929");
  });

  it("lists every problem at once, not just the first", () => {
    const problems = problemsOf(with_(stagingRaw, { domain: undefined, awsRegion: "nowhere", codebookApiImageTag: "latest" }));
    expect(problems).toHaveLength(3);
  });
});

describe("secret config", () => {
  const allSet = (products: readonly string[]) => Object.fromEntries(secretKeysFor(products as any).map((s) => [`app-platform:${s.key}`, "value"]));

  it("passes when every required secret is set and encrypted", () => {
    expect(() => checkSecrets(allSet(["codebook"]), "staging", ["codebook"], () => true)).not.toThrow();
  });

  it("lists every missing secret with its exact command", () => {
    let err: ConfigError | undefined;
    try {
      checkSecrets({}, "prod", ["codebook", "ara"], () => true);
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const required = secretKeysFor(["codebook", "ara"]).filter((s) => !s.optional);
    expect(err!.problems).toHaveLength(required.length);
    expect(err!.message).toContain("pulumi config set --secret --stack prod codebookPineconeApiKey <value>");
    expect(err!.message).toContain("pulumi config set --secret --stack prod araClerkSecretKey <value>");
    expect(err!.message).toContain("pulumi config set --secret --stack prod cloudflareApiToken <value>");
    // Optional secrets are not demanded.
    expect(err!.message).not.toContain("kubeconfig");
    // Secrets of disabled products are not demanded.
    expect(err!.message).not.toContain("chatApi");
  });

  it("refuses a secret stored in plain text", () => {
    expect(() => checkSecrets(allSet(["voyager"]), "staging", ["voyager"], (k) => k !== "app-platform:voyagerDatabaseUrl")).toThrow(
      /`app-platform:voyagerDatabaseUrl` is stored in plain text/,
    );
  });
});

describe("monitoring settings", () => {
  it("the longest `blackboxModule` the key accepts still gives every web app a valid bypass module name", () => {
    const longest = "m".repeat(32);
    expect(parseStackConfig(with_(stagingRaw, { blackboxModule: longest }), "staging", new Set(allSecretKeys().map((s) => s.key))).blackboxModule).toBe(
      longest,
    );
    const env = productEnvironment(parseStackConfig(stagingRaw, "staging", new Set(allSecretKeys().map((s) => s.key))));
    const apps = Object.values(CATALOG).flatMap((p) => buildProduct(p, env).webApps.map((a) => `${p.id}-${a.name}`));
    expect(apps.length).toBeGreaterThan(0);
    for (const owner of apps) expect(vercelBypassModuleName(appModuleName(owner, longest))).toMatch(MODULE_NAME);
  });

  it("parse `key=value` selector labels into a label map and `product=job` exporter jobs into a map, with documented defaults", () => {
    const defaults = parseStackConfig(stagingRaw, "staging", new Set(allSecretKeys().map((s) => s.key)));
    expect(defaults.prometheusSelectorLabels).toEqual({ release: "kube-prometheus-stack" });
    expect(defaults.blackboxExporterAddress).toBe("prometheus-blackbox-exporter.monitoring.svc:9115");
    expect(defaults.blackboxModule).toBe("http_2xx");
    expect(defaults.postgresExporter).toBe("deploy");
    const custom = parseStackConfig(
      with_(stagingRaw, {
        prometheusSelectorLabels: '["prometheus=k8s","app.kubernetes.io/part-of=monitoring"]',
        postgresExporter: "external",
        postgresExporterJobs: '["codebook=pg-codebook","voyager=neon"]',
      }),
      "staging",
      new Set(allSecretKeys().map((s) => s.key)),
    );
    expect(custom.prometheusSelectorLabels).toEqual({ prometheus: "k8s", "app.kubernetes.io/part-of": "monitoring" });
    expect(custom.postgresExporterJobs).toEqual({ codebook: "pg-codebook", voyager: "neon" });
  });
});
