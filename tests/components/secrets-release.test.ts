/**
 * How secrets and releases reach running apps, through `ApplicationStack` under mocks (issues 19
 * and 20): Chat API's `INTERNAL_API_KEY` is provided (its counterparts run elsewhere),
 * `HELICONE_ENABLED` follows the key, every workload reports its image as its release, and one
 * digest of every variable an app receives redeploys exactly the apps whose values changed.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { installRecordingMocks, type RecordedResource } from "../helpers/mocks";
import { ApplicationStack } from "../../components/application-stack";
import { validateApplicationStackArgs } from "../../components/product-validation";
import { CATALOG } from "../../stacks";
import { parseStackConfig } from "../../infra/config";
import { allSecretKeys } from "../../infra/secrets";
import { productEnvironment } from "../../infra/program";
import { stackConfigWithSecrets } from "../helpers/program";
import { testPlatform } from "../helpers/platform";
import { buildProduct, type ProductSpec } from "../../components/product-spec";
import { SECRET_CHECKSUM_ANNOTATION, CONFIG_CHECKSUM_ANNOTATION } from "../../components/workloads/kubernetes-service";
import { REDEPLOY_META_KEY } from "../../components/web/vercel-app";

const rec = installRecordingMocks({ stack: "prod" });
beforeEach(() => rec.reset());

const cfgOf = (stack: "prod" | "staging") => parseStackConfig(stackConfigWithSecrets(stack).values, stack, new Set(allSecretKeys().map((s) => s.key)));
const prodEnv = productEnvironment(cfgOf("prod"));
const platform = testPlatform({ clock: () => new Date(Date.UTC(2026, 10, 15)) });
/** Every provided secret (optional ones too, unless left out) with a recognisable value. */
const secretsOf = (spec: ProductSpec, leaveOut: readonly string[] = []) =>
  Object.fromEntries(spec.providedSecrets.filter((s) => !leaveOut.includes(s.name)).map((s) => [s.name, `v-${s.name}`]));

const chatApi = () => buildProduct(CATALOG["chat-api"], prodEnv);
const container = (name: string) => rec.one("kubernetes:apps/v1:Deployment", name).inputs.spec.template.spec.containers[0];
const configMapData = (name: string) => rec.one("kubernetes:core/v1:ConfigMap", name).inputs.data;

describe("Chat API's INTERNAL_API_KEY (issue 19 item 7; seed 002)", () => {
  it("is a provided secret, not generated: its counterparts (mapper, calendar, workout-ingestor APIs) run outside this platform", async () => {
    const spec = chatApi();
    expect(spec.providedSecrets.map((s) => s.name)).toContain("INTERNAL_API_KEY");
    expect(spec.providedSecrets.find((s) => s.name === "INTERNAL_API_KEY")!.optional ?? false).toBe(false);
    expect(spec.generatedSecrets.map((s) => s.name)).not.toContain("INTERNAL_API_KEY");
    expect(allSecretKeys().find((k) => k.envName === "INTERNAL_API_KEY")?.key).toBe("chatApiInternalApiKey");

    new ApplicationStack("chat-api", { environment: "prod", spec, providedSecrets: secretsOf(spec), platform });
    await rec.settle();
    // Nothing generates it, and the workload gets exactly the value a person set.
    expect(rec.ofType("random:index/randomPassword:RandomPassword").map((r) => r.name)).not.toContain("chat-api-secrets-internal-api-key");
    const secret = rec.one("kubernetes:core/v1:Secret", "chat-api-api-secrets");
    expect(secret.inputs.stringData.INTERNAL_API_KEY).toBe("v-INTERNAL_API_KEY");
    expect(secret.secretPaths).toContain("stringData");
  });

  it("refuses to start without it, naming the secret", () => {
    const spec = chatApi();
    const { INTERNAL_API_KEY: _dropped, ...rest } = secretsOf(spec);
    expect(() => validateApplicationStackArgs("chat-api", { environment: "prod", spec, providedSecrets: rest, platform })).toThrow(
      /`providedSecrets.INTERNAL_API_KEY` has no value/,
    );
  });
});

describe("HELICONE_ENABLED follows the Helicone key (issue 20; seed 002)", () => {
  it('is "true" when HELICONE_API_KEY is set', async () => {
    const spec = chatApi();
    new ApplicationStack("chat-api", { environment: "prod", spec, providedSecrets: secretsOf(spec), platform });
    await rec.settle();
    expect(configMapData("chat-api-api-config").HELICONE_ENABLED).toBe("true");
    expect(rec.one("kubernetes:core/v1:Secret", "chat-api-api-secrets").inputs.stringData.HELICONE_API_KEY).toBe("v-HELICONE_API_KEY");
  });

  it('is "false" when the key is left unset', async () => {
    const spec = chatApi();
    new ApplicationStack("chat-api", { environment: "prod", spec, providedSecrets: secretsOf(spec, ["HELICONE_API_KEY"]), platform });
    await rec.settle();
    expect(configMapData("chat-api-api-config").HELICONE_ENABLED).toBe("false");
  });

  it("refuses a flag that follows an undeclared secret, and a product that sets a derived variable itself", () => {
    const spec = chatApi();
    const api = spec.workloads[0];
    const bad = { ...spec, workloads: [{ ...api, presenceEnv: { HELICONE_ENABLED: "HELICONE_KEY" }, env: { ...api.env, SENTRY_RELEASE: "x" } }] };
    const run = () => validateApplicationStackArgs("chat-api", { environment: "prod", spec: bad, providedSecrets: secretsOf(spec), platform });
    expect(run).toThrow(/`workloads.api.presenceEnv.HELICONE_ENABLED` follows secret `HELICONE_KEY`, which the product does not declare/);
    expect(run).toThrow(/sets `SENTRY_RELEASE`, which the platform derives/);
  });
});

describe("Release tagging (issue 20; seed 002 Sentry `release`)", () => {
  it("gives every workload SENTRY_RELEASE, and the Chat API RENDER_GIT_COMMIT, from its one image reference", async () => {
    const specs = (["chat-api", "codebook", "ask-dahlia"] as const).map((id) => buildProduct(CATALOG[id], prodEnv));
    for (const spec of specs) new ApplicationStack(spec.id, { environment: "prod", spec, providedSecrets: secretsOf(spec), platform });
    await rec.settle();
    let workloads = 0;
    for (const spec of specs) {
      for (const w of spec.workloads) {
        workloads++;
        const data = configMapData(`${spec.id}-${w.name}-config`);
        const image: string = container(`${spec.id}-${w.name}-deployment`).image;
        expect(data.SENTRY_RELEASE, `${spec.id}/${w.name}`).toBe(w.image.tag ?? w.image.digest);
        // The same reference the container runs.
        expect(image.endsWith(`:${data.SENTRY_RELEASE}`) || image.endsWith(`@${data.SENTRY_RELEASE}`), image).toBe(true);
      }
    }
    expect(workloads).toBeGreaterThanOrEqual(3);
    const chat = configMapData("chat-api-api-config");
    expect(chat.RENDER_GIT_COMMIT).toBe(prodEnv.config.chatApiImageTag);
    expect(chat.SENTRY_RELEASE).toBe(prodEnv.config.chatApiImageTag);
  });

  it("uses the digest when only a digest pins the image", async () => {
    const spec = chatApi();
    const digest = `sha256:${"ab".repeat(32)}`;
    const api = { ...spec.workloads[0], image: { repository: spec.workloads[0].image.repository, digest } };
    new ApplicationStack("chat-api", { environment: "prod", spec: { ...spec, workloads: [api] }, providedSecrets: secretsOf(spec), platform });
    await rec.settle();
    expect(configMapData("chat-api-api-config")).toMatchObject({ SENTRY_RELEASE: digest, RENDER_GIT_COMMIT: digest });
  });
});

/** Every product in prod with these provided values; per app and workload, the redeploy key it got. */
async function buildAll(change: { product?: string; secret?: string; value?: string } = {}) {
  rec.reset();
  for (const def of Object.values(CATALOG)) {
    const spec = buildProduct(def, prodEnv);
    const provided = secretsOf(spec);
    if (def.id === change.product) provided[change.secret!] = change.value!;
    new ApplicationStack(spec.id, { environment: "prod", spec, providedSecrets: provided, platform });
  }
  const all = await rec.settle();
  const deployments = all.filter((r: RecordedResource) => r.type === "vercel:index/deployment:Deployment");
  const workloads = all.filter((r: RecordedResource) => r.type === "kubernetes:apps/v1:Deployment");
  return {
    vercel: Object.fromEntries(deployments.map((d) => [d.name, { meta: d.inputs.meta, secret: d.secretPaths.some((p) => p.startsWith("meta")) }])),
    pods: Object.fromEntries(
      workloads.map((d) => [
        d.name,
        { ...(d.inputs.spec.template.metadata.annotations ?? {}), secretPaths: d.secretPaths.filter((p) => p.includes("annotations")) },
      ]),
    ),
  };
}

/** The names whose entry differs between two runs. */
const changed = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys({ ...a, ...b })
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .sort();

describe("Provided secrets reach running apps: one digest of every variable redeploys (issue 20)", () => {
  it("every Vercel app of prod has a redeploy keyed on a digest that shows no value and stays a secret", async () => {
    const run = await buildAll();
    const names = Object.keys(run.vercel).sort();
    expect(names).toEqual(["ara-web-redeploy", "ask-dahlia-ui-redeploy", "voyager-web-redeploy"]);
    for (const [name, d] of Object.entries(run.vercel)) {
      const digest = d.meta[REDEPLOY_META_KEY];
      expect(digest, name).toMatch(/^[0-9a-f]{64}$/);
      expect(d.secret, `${name} meta is a Pulumi secret`).toBe(true);
      expect(Object.keys(d.meta)).toEqual([REDEPLOY_META_KEY]);
    }
  });

  it("changing one provided value (Voyager's DATABASE_URL) redeploys exactly Voyager's app and rolls no other product", async () => {
    const before = await buildAll();
    const again = await buildAll();
    // Deterministic: the same values give the same keys, so an `up` without changes redeploys nothing.
    expect(changed(before.vercel, again.vercel)).toEqual([]);
    expect(changed(before.pods, again.pods)).toEqual([]);

    const after = await buildAll({ product: "voyager", secret: "DATABASE_URL", value: "postgres://u:rotated@db.example.com:5432/voyager" });
    expect(changed(before.vercel, after.vercel)).toEqual(["voyager-web-redeploy"]);
    // Voyager's pods that receive DATABASE_URL roll (its exporter); nothing of another product does.
    expect(
      changed(before.pods, after.pods).every((n) => n.startsWith("voyager-")),
      changed(before.pods, after.pods).join(),
    ).toBe(true);
  });

  it("changing a provided key one app and one workload share (Ask Dahlia's DATABASE_URL) redeploys that app once and rolls that workload once", async () => {
    const before = await buildAll();
    const spec = buildProduct(CATALOG["ask-dahlia"], prodEnv);
    const shared = spec.providedSecrets
      .map((s) => s.name)
      .find((n) => Object.values(spec.webApps[0].secretEnv).includes(n) && Object.values(spec.workloads[0].secretEnv).includes(n));
    expect(shared, "Ask Dahlia's UI and worker share a provided secret").toBeDefined();
    const after = await buildAll({ product: "ask-dahlia", secret: shared!, value: "rotated-by-a-person" });
    expect(changed(before.vercel, after.vercel)).toEqual(["ask-dahlia-ui-redeploy"]);
    expect(changed(before.pods, after.pods)).toEqual(["ask-dahlia-worker-deployment"]);
    // The worker rolls through the same digest: its secret annotation changed, its config one did not.
    expect(before.pods["ask-dahlia-worker-deployment"][CONFIG_CHECKSUM_ANNOTATION]).toBe(
      after.pods["ask-dahlia-worker-deployment"][CONFIG_CHECKSUM_ANNOTATION],
    );
    expect(before.pods["ask-dahlia-worker-deployment"][SECRET_CHECKSUM_ANNOTATION]).not.toBe(
      after.pods["ask-dahlia-worker-deployment"][SECRET_CHECKSUM_ANNOTATION],
    );
  });
});
