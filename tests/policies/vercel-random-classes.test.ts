/**
 * Rule 75: the Vercel rules (56-59) read every resource type of @pulumiverse/vercel 5.4.1 that
 * carries variables, and rule 36 every @pulumi/random resource whose result is not a secret.
 * Shapes follow the SDKs' `…Args` (node_modules/@pulumiverse/vercel/project.d.ts `environments`,
 * sharedEnvironmentVariable.d.ts, deployment.d.ts `environment`; @pulumi/random additionalSecretOutputs).
 */
import { describe, it } from "vitest";
import { enforceSensitiveSecrets } from "../../policies/vercel/enforce-sensitive-secrets";
import { disallowPublicSecrets } from "../../policies/vercel/disallow-public-secrets";
import { enforceLiveKeysProductionOnly } from "../../policies/vercel/enforce-live-keys-production-only";
import { configureExplicitTargets } from "../../policies/vercel/configure-explicit-targets";
import { disallowRandomStringSecrets } from "../../policies/random/disallow-random-string-secrets";
import { disallowTokenLiterals } from "../../policies/stack/disallow-token-literals";
import { urnOf } from "../../tools/engine/pack/types";
import { randomPassword, s3Bucket } from "./fixtures";
import { expectClean, expectViolation, type Fixture } from "./helpers";

function project(environments: Record<string, unknown>[]): Fixture {
  return { type: "vercel:index/project:Project", name: "voyager-web", props: { name: "voyager-web", framework: "nextjs", environments } };
}

function shared(key: string, value: string, extra: Record<string, unknown> = {}): Fixture {
  return {
    type: "vercel:index/sharedEnvironmentVariable:SharedEnvironmentVariable",
    name: `shared-${key.toLowerCase()}`,
    props: { key, value, projectIds: ["prj_1", "prj_2"], sensitive: true, targets: ["production", "preview"], ...extra },
  };
}

describe("Vercel rules on every variable carrier (rule 75)", () => {
  it("flags a secret in a Project's inline `environments` that is not sensitive", () =>
    expectViolation(
      enforceSensitiveSecrets,
      project([{ key: "STRIPE_SECRET_KEY", value: "x", sensitive: false, targets: ["production"] }]),
      /Vercel variable "STRIPE_SECRET_KEY" \("voyager-web" environments\[0\]\) is not sensitive/,
    ));
  it("variant: a SharedEnvironmentVariable holding a NEXT_PUBLIC_ service key", () =>
    expectViolation(
      disallowPublicSecrets,
      shared("NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY", "x"),
      /"NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY" \(shared variable "shared-next_public_supabase_service_role_key"\) is bundled into the browser/,
    ));
  it("variant: a Deployment's `environment` map cannot be sensitive", () =>
    expectViolation(
      enforceSensitiveSecrets,
      { type: "vercel:index/deployment:Deployment", name: "preview-build", props: { projectId: "prj_1", environment: { OPENAI_API_KEY: "x" } } },
      /cannot be sensitive/,
    ));
  it("live keys and implicit targets on the other carriers", async () => {
    await expectViolation(
      enforceLiveKeysProductionOnly,
      shared("PAYMENTS_KEY", "sk_live_0123456789abcdef"),
      /holds a live-mode key but targets production, preview/,
    );
    await expectViolation(configureExplicitTargets, project([{ key: "API_URL", value: "https://api", sensitive: false }]), /has no `targets`/);
  });
  it("correct counterparts stay clean", async () => {
    const good = project([
      { key: "STRIPE_SECRET_KEY", value: "x", sensitive: true, targets: ["production", "preview"] },
      { key: "NEXT_PUBLIC_API_URL", value: "https://api.example.com", sensitive: false, targets: ["production", "preview", "development"] },
    ]);
    for (const rule of [enforceSensitiveSecrets, disallowPublicSecrets, enforceLiveKeysProductionOnly, configureExplicitTargets]) {
      await expectClean(rule, good);
      await expectClean(rule, shared("NEXT_PUBLIC_SUPABASE_ANON_KEY", "public-anon", { sensitive: false }));
      await expectClean(rule, {
        type: "vercel:index/deployment:Deployment",
        name: "d",
        props: { projectId: "prj_1", environment: { NEXT_PUBLIC_API_URL: "https://api" } },
      });
    }
  });
  it("a token in a sensitive Project variable is exempt from the token-literal rule, in a plain one it is not", async () => {
    const token = "ghp_" + "a".repeat(36);
    await expectClean(disallowTokenLiterals, [project([{ key: "GH_TOKEN", value: token, sensitive: true, targets: ["production"] }])]);
    await expectViolation(
      disallowTokenLiterals,
      [project([{ key: "GH_TOKEN", value: token, sensitive: false, targets: ["production"] }])],
      /GitHub token in `environments\[0\]\.value`/,
    );
  });
});

describe("random: every resource whose result is not a secret (rule 75 / 36)", () => {
  const rule = disallowRandomStringSecrets;
  const fed = (f: Fixture, property: string, source: Fixture): Fixture => ({ ...f, propertyDependencies: { [property]: [urnOf(source)] } });
  const secret: Fixture = { type: "kubernetes:core/v1:Secret", name: "api-secrets", props: { stringData: { SESSION_KEY: "x" } } };
  it("flags a RandomId feeding a Kubernetes Secret", () => {
    const id: Fixture = { type: "random:index/randomId:RandomId", name: "session-key", props: { byteLength: 32 } };
    return expectViolation(rule, [id, fed(secret, "stringData", id)], /RandomId "session-key" feeds Secret "api-secrets" stringData/);
  });
  it("variant: a RandomUuid feeding a Project's sensitive variables (another kind and field)", () => {
    const uuid: Fixture = { type: "random:index/randomUuid:RandomUuid", name: "webhook-secret", props: {} };
    return expectViolation(
      rule,
      [uuid, fed(project([{ key: "WEBHOOK_SECRET", value: "x", sensitive: true, targets: ["production"] }]), "environments", uuid)],
      /RandomUuid "webhook-secret" feeds Vercel variable "WEBHOOK_SECRET"/,
    );
  });
  it("leaves RandomPassword and RandomBytes (secret outputs) and a RandomId in a bucket name clean", async () => {
    const bytes: Fixture = { type: "random:index/randomBytes:RandomBytes", name: "key", props: { length: 32 } };
    const id: Fixture = { type: "random:index/randomId:RandomId", name: "suffix", props: { byteLength: 4 } };
    await expectClean(rule, [bytes, fed(secret, "stringData", bytes)]);
    await expectClean(rule, [randomPassword(), id, fed(secret, "stringData", randomPassword()), fed(s3Bucket(), "bucket", id)]);
  });
});
