/**
 * ApplicationStack: validation of a product spec, the DNS records it derives, and the children
 * it creates for one product (the products tests cover all five through the program).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { installRecordingMocks } from "../helpers/mocks";
import { ApplicationStack, ApplicationStackArgs, productDnsRecords, validateApplicationStackArgs } from "../../components/application-stack";
import { CATALOG } from "../../stacks";
import { parseStackConfig } from "../../infra/config";
import { allSecretKeys } from "../../infra/secrets";
import { productEnvironment } from "../../infra/program";
import { stackConfigWithSecrets } from "../helpers/program";
import type { ProductSpec } from "../../stacks/types";

const rec = installRecordingMocks({ stack: "staging" });
beforeEach(() => rec.reset());

const cfg = parseStackConfig(stackConfigWithSecrets("staging").values, "staging", new Set(allSecretKeys().map((s) => s.key)));
const env = productEnvironment(cfg);
const platform: ApplicationStackArgs["platform"] = {
  zoneId: "0123456789abcdef0123456789abcdef",
  zoneName: "example.com",
  ingressAddress: "34.149.100.10",
  ingressClassName: "nginx",
  ingressControllerNamespace: "ingress-nginx",
  monitoringNamespace: "monitoring",
  clusterIssuer: "letsencrypt-prod",
  awsRegion: "us-east-1",
  cloudflareAccountId: "0123456789abcdef0123456789abcdef",
  backupImage: { repository: "docker.io/library/postgres", tag: "17.6-alpine3.22" },
  runbookBaseUrl: "https://runbooks.example.com/app-platform",
  alertRouting: { pagerKey: "pager", chatWebhookUrl: "https://hooks.example.com/x" },
};
const secretsOf = (spec: ProductSpec) =>
  Object.fromEntries(spec.providedSecrets.filter((s) => !s.optional).map((s) => [s.name, `v-${s.name}`]));

describe("validateApplicationStackArgs", () => {
  const voyager = CATALOG.voyager.build(env);
  const base: ApplicationStackArgs = { environment: "staging", spec: voyager, providedSecrets: secretsOf(voyager), platform };

  it("accepts every product of the catalog", () => {
    for (const def of Object.values(CATALOG)) {
      const spec = def.build(env);
      expect(() => validateApplicationStackArgs(spec.id, { ...base, spec, providedSecrets: secretsOf(spec) })).not.toThrow();
    }
  });

  it("refuses a secret reference that nothing declares", () => {
    const app = { ...voyager.webApps[0], secretEnv: { ...voyager.webApps[0].secretEnv, MISSING_KEY: "NOPE" } };
    expect(() => validateApplicationStackArgs("voyager", { ...base, spec: { ...voyager, webApps: [app] } })).toThrow(
      /`webApps.web.secretEnv.MISSING_KEY` refers to secret `NOPE`/,
    );
  });

  it("refuses a required provided secret without a value", () => {
    const { DATABASE_URL: _dropped, ...rest } = secretsOf(voyager);
    expect(() => validateApplicationStackArgs("voyager", { ...base, providedSecrets: rest })).toThrow(/`providedSecrets.DATABASE_URL` has no value/);
  });

  it("refuses a backup of a database secret the product lacks", () => {
    const spec = { ...voyager, backups: { ...voyager.backups!, databaseSecret: "OTHER_URL" } };
    expect(() => validateApplicationStackArgs("voyager", { ...base, spec })).toThrow(/`backups.databaseSecret` is `OTHER_URL`/);
  });

  it("refuses an app that already sets the _PREVIOUS variable of a secret that keeps its previous value", () => {
    const dahlia = CATALOG["ask-dahlia"].build(env);
    const ui = { ...dahlia.webApps[0], secretEnv: { ...dahlia.webApps[0].secretEnv, WORKER_API_SECRET_PREVIOUS: "JWT_SECRET" } };
    expect(() =>
      validateApplicationStackArgs("ask-dahlia", { ...base, spec: { ...dahlia, webApps: [ui] }, providedSecrets: secretsOf(dahlia) }),
    ).toThrow(/`webApps.ui.secretEnv.WORKER_API_SECRET` reads `WORKER_API_SECRET`, which keeps its previous value in `WORKER_API_SECRET_PREVIOUS`/);
  });

  it("refuses two apps or workloads with the same name", () => {
    const spec = { ...voyager, webApps: [voyager.webApps[0], voyager.webApps[0]] };
    expect(() => validateApplicationStackArgs("voyager", { ...base, spec })).toThrow(/use the name `web` twice/);
  });
});

describe("productDnsRecords", () => {
  it("points API hosts at the ingress and Vercel hosts at Vercel, none proxied", () => {
    const prodEnv = productEnvironment({ ...cfg, environment: "prod" });
    expect(productDnsRecords(CATALOG.ara.build(prodEnv), platform)).toEqual([
      { name: "example.com", type: "A", content: "76.76.19.61", proxied: false },
      { name: "www.example.com", type: "CNAME", content: "cname.vercel-dns.com", proxied: false },
    ]);
    expect(productDnsRecords(CATALOG["ask-dahlia"].build(env), platform)).toEqual([
      { name: "dahlia-api-staging.example.com", type: "A", content: "34.149.100.10", proxied: false },
      { name: "dahlia-staging.example.com", type: "CNAME", content: "cname.vercel-dns.com", proxied: false },
    ]);
  });
});

describe("ApplicationStack", () => {
  it("builds Chat API's children: namespace, secrets, service, DNS and alerts, no backups", async () => {
    const spec = CATALOG["chat-api"].build(env);
    new ApplicationStack("chat-api", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform });
    await rec.settle();
    const components = rec.resources.filter((r) => !r.custom).map((r) => `${r.type} ${r.name}`).sort();
    expect(components).toEqual([
      "app-platform:dns:DnsRecords chat-api-dns",
      "app-platform:kubernetes:Service chat-api-api",
      "app-platform:monitoring:AlertRules chat-api-alerts",
      "app-platform:product:ApplicationStack chat-api",
      "app-platform:secrets:SecretSet chat-api-secrets",
    ]);
    expect(rec.one("kubernetes:core/v1:Namespace").inputs.metadata.name).toBe("chat-api-staging");
    // Optional secrets without a value are not delivered.
    const secret = rec.one("kubernetes:core/v1:Secret", "chat-api-api-secrets");
    expect(Object.keys(secret.inputs.stringData)).not.toContain("HELICONE_API_KEY");
  });

  it("rotation at a pinned date: keepers on its quarter, previous values beside current ones, the UI redeployed for the quarter", async () => {
    const spec = CATALOG["ask-dahlia"].build(env);
    const clock = () => new Date(Date.UTC(2026, 10, 15));
    const kubernetes = { imagePullSecrets: ["ghcr-pull"], preStopHook: "exec" as const };
    new ApplicationStack("ask-dahlia", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform: { ...platform, clock, kubernetes } });
    await rec.settle();
    const password = (n: string) => rec.one("random:index/randomPassword:RandomPassword", n).inputs.keepers;
    expect(password("ask-dahlia-secrets-jwt-secret")).toEqual({ rotation: "2026-10-01" });
    expect(password("ask-dahlia-secrets-worker-api-secret-odd")).toEqual({ rotation: "2026-10-01" });
    expect(password("ask-dahlia-secrets-worker-api-secret-even")).toEqual({ rotation: "2026-07-01" });

    const secret = rec.one("kubernetes:core/v1:Secret", "ask-dahlia-worker-secrets");
    expect(secret.inputs.stringData.WORKER_API_SECRET).toMatch(/^mock-password-ask-dahlia-secrets-worker-api-secret-odd/);
    expect(secret.inputs.stringData.WORKER_API_SECRET_PREVIOUS).toMatch(/^mock-password-ask-dahlia-secrets-worker-api-secret-even/);
    expect(secret.secretPaths).toContain("stringData");
    const previousVar = rec.one("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", "ask-dahlia-ui-env-worker-api-secret-previous");
    expect(previousVar.inputs).toMatchObject({ key: "WORKER_API_SECRET_PREVIOUS", sensitive: true });
    expect(previousVar.inputs.value).toMatch(/^mock-password-ask-dahlia-secrets-worker-api-secret-even/);
    expect(previousVar.secretPaths).toContain("value");

    expect(rec.one("vercel:index/deployment:Deployment", "ask-dahlia-ui-redeploy").inputs.meta).toEqual({ "app-platform-secrets-version": "2026-10-01" });
    // The platform's pod settings travel in the context to every pod.
    const pod = rec.one("kubernetes:apps/v1:Deployment", "ask-dahlia-worker-deployment").inputs.spec.template.spec;
    expect(pod.imagePullSecrets).toEqual([{ name: "ghcr-pull" }]);
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ["sleep", "5"] } } });
  });
});
