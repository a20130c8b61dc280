import { beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installRecordingMocks, valueOf } from "../helpers/mocks";

const rec = installRecordingMocks({ stack: "staging" });

import { PlatformContext } from "../../components/context";
import {
  GENERATED_SECRET_DEFAULTS,
  SecretSet,
  SecretSetArgs,
  kebabKey,
  validateSecretSetArgs,
} from "../../components/secret-set";

const context: PlatformContext = { environment: "staging", product: "dahlia", owner: "platform-team" };

const PASSWORD = "random:index/randomPassword:RandomPassword";
const ROTATING = "time:index/rotating:Rotating";

/** Whether an output is marked secret, awaited. */
function isSecretOutput(o: pulumi.Output<unknown>): Promise<boolean> {
  return (o as any).isSecret as Promise<boolean>;
}

/** A stand-in for any resource that consumes a secret (a Vercel variable, a Kubernetes Secret). */
class Sink extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("test:index:Sink", name, props);
  }
}

beforeEach(() => rec.reset());

describe("SecretSet resources", () => {
  it("creates no rotation for a set of provided secrets only", async () => {
    const set = new SecretSet("codebook-secrets", { context, provided: { PINECONE_API_KEY: "pc-provided" } });
    await rec.settle();
    expect(rec.resources.filter((r) => r.custom).map((r) => r.type)).toEqual([]);
    expect(set.rotatesAt).toBeUndefined();
    expect(set.keys).toEqual(["PINECONE_API_KEY"]);
  });

  it("creates one quarterly Rotating and one RandomPassword per generated key, keyed to the rotation", async () => {
    new SecretSet("dahlia-secrets", {
      context,
      provided: { OPENAI_API_KEY: "sk-provided" },
      generated: { WORKER_API_SECRET: {}, ENCRYPTION_KEY: { length: 32 } },
    });
    await rec.settle();

    expect(rec.one("app-platform:secrets:SecretSet", "dahlia-secrets").custom).toBe(false);
    const rotation = rec.one(ROTATING, "dahlia-secrets-rotation");
    // seed 000 "Rotate provider API keys quarterly", seed 002 "Rotate keys quarterly"
    expect(rotation.inputs).toEqual({ rotationMonths: 3 });

    expect(rec.ofType(PASSWORD).map((r) => r.name).sort()).toEqual([
      "dahlia-secrets-encryption-key",
      "dahlia-secrets-worker-api-secret",
    ]);
    const worker = rec.one(PASSWORD, "dahlia-secrets-worker-api-secret");
    expect(worker.inputs).toEqual({
      length: 48,
      special: false,
      upper: true,
      lower: true,
      numeric: true,
      keepers: { rotation: "2026-01-01T00:00:00Z" },
    });
    // seed 004: ENCRYPTION_KEY is exactly 32 characters
    expect(rec.one(PASSWORD, "dahlia-secrets-encryption-key").inputs.length).toBe(32);
    expect(rec.ofType("random:index/randomString:RandomString")).toHaveLength(0);
  });

  it("honours a custom rotation and generated-secret options", async () => {
    new SecretSet("s", {
      context,
      generated: { JWT_SECRET: { length: 64, special: true, upper: false } },
      rotation: { months: 1 },
    });
    await rec.settle();
    expect(rec.one(ROTATING, "s-rotation").inputs.rotationMonths).toBe(1);
    expect(rec.one(PASSWORD, "s-jwt-secret").inputs).toMatchObject({ length: 64, special: true, upper: false, lower: true });
  });

  it("applies transforms to children", async () => {
    new SecretSet("s", {
      context,
      generated: { JWT_SECRET: {} },
      transform: {
        rotation: (a) => ({ ...a, rotationMonths: 2 }),
        password: (a, key) => ({ ...a, minNumeric: key === "JWT_SECRET" ? 4 : 0 }),
      },
    });
    await rec.settle();
    expect(rec.one(ROTATING, "s-rotation").inputs.rotationMonths).toBe(2);
    expect(rec.one(PASSWORD, "s-jwt-secret").inputs.minNumeric).toBe(4);
  });
});

describe("SecretSet outputs", () => {
  it("exposes every value as a secret, provided ones wrapped even when passed plain", async () => {
    const set = new SecretSet("s", {
      context,
      provided: { OPENAI_API_KEY: "sk-plain-from-caller" },
      generated: { JWT_SECRET: {} },
    });
    expect(set.keys).toEqual(["JWT_SECRET", "OPENAI_API_KEY"]);
    expect(set.generatedKeys).toEqual(["JWT_SECRET"]);
    expect(await isSecretOutput(set.values.OPENAI_API_KEY)).toBe(true);
    expect(await isSecretOutput(set.values.JWT_SECRET)).toBe(true);
    expect(await valueOf(set.get("OPENAI_API_KEY"))).toBe("sk-plain-from-caller");
    expect(await valueOf(set.get("JWT_SECRET"))).toMatch(/^mock-password-s-jwt-secret/);
  });

  it("one generated value reaches several sinks as a secret", async () => {
    const set = new SecretSet("dahlia", { context, generated: { WORKER_API_SECRET: {} } });
    const secret = set.get("WORKER_API_SECRET");
    new Sink("ui", { value: secret });
    new Sink("worker", { data: { WORKER_API_SECRET: secret } });
    await rec.settle();
    const ui = rec.named("ui");
    const worker = rec.named("worker");
    expect(ui.secretPaths).toContain("value");
    expect(worker.secretPaths.some((p) => p.startsWith("data"))).toBe(true);
    expect(ui.inputs.value).toBe(worker.inputs.data.WORKER_API_SECRET);
    expect(ui.inputs.value).toMatch(/^mock-password-dahlia-worker-api-secret/);
  });

  it("pick returns the named secrets", async () => {
    const set = new SecretSet("s", { context, provided: { A_KEY: "a" }, generated: { JWT_SECRET: {} } });
    const picked = set.pick("JWT_SECRET");
    expect(Object.keys(picked)).toEqual(["JWT_SECRET"]);
    expect(await isSecretOutput(picked.JWT_SECRET)).toBe(true);
  });

  it("get throws naming the key and the set", () => {
    const set = new SecretSet("dahlia-secrets", { context, generated: { JWT_SECRET: {} } });
    expect(() => set.get("NEXTAUTH_SECRET")).toThrow(
      'SecretSet "dahlia-secrets" has no key `NEXTAUTH_SECRET`; known keys: JWT_SECRET.',
    );
  });
});

describe("validateSecretSetArgs", () => {
  const ok: SecretSetArgs = { context, provided: { OPENAI_API_KEY: "x" }, generated: { JWT_SECRET: {} } };

  it("accepts a valid set and the 32-character minimum", () => {
    expect(() => validateSecretSetArgs("s", ok)).not.toThrow();
    expect(() => validateSecretSetArgs("s", { context, generated: { ENCRYPTION_KEY: { length: 32 } } })).not.toThrow();
  });

  it("defaults: 48 characters, no special characters", () => {
    expect(GENERATED_SECRET_DEFAULTS).toEqual({ length: 48, special: false, upper: true, lower: true, numeric: true });
    expect(kebabKey("WORKER_API_SECRET")).toBe("worker-api-secret");
  });

  it("rejects a short password", () => {
    expect(() => validateSecretSetArgs("s", { context, generated: { JWT_SECRET: { length: 31 } } })).toThrow(
      "`generated.JWT_SECRET.length` is 31; a generated secret needs a whole number of at least 32 characters",
    );
  });

  it("rejects a password with no letter or digit classes", () => {
    expect(() =>
      validateSecretSetArgs("s", {
        context,
        generated: { JWT_SECRET: { upper: false, lower: false, numeric: false, special: true } },
      }),
    ).toThrow("`generated.JWT_SECRET` disables `upper`, `lower` and `numeric`; enable at least one of them");
  });

  it("rejects bad key names", () => {
    expect(() => validateSecretSetArgs("s", { context, provided: { "openai-key": "x" } })).toThrow(
      "`provided` key `openai-key` is not an environment-variable name",
    );
    expect(() => validateSecretSetArgs("s", { context, generated: { jwtSecret: {} } })).toThrow(
      "`generated` key `jwtSecret` is not an environment-variable name",
    );
  });

  it("rejects a key both provided and generated", () => {
    expect(() => validateSecretSetArgs("s", { context, provided: { JWT_SECRET: "x" }, generated: { JWT_SECRET: {} } })).toThrow(
      "key `JWT_SECRET` is both `provided` and `generated`; keep it in exactly one of them",
    );
  });

  it("rejects an empty provided value and an empty set", () => {
    expect(() => validateSecretSetArgs("s", { context, provided: { OPENAI_API_KEY: "" } })).toThrow("`provided.OPENAI_API_KEY` is empty");
    expect(() => validateSecretSetArgs("s", { context })).toThrow("`provided` and `generated` are both empty");
  });

  it("rejects a rotation outside 1–12 whole months", () => {
    for (const months of [0, 13, 1.5]) {
      expect(() => validateSecretSetArgs("s", { ...ok, rotation: { months } })).toThrow(`\`rotation.months\` is ${months}`);
    }
  });

  it("lists every problem at once under the set's name", () => {
    expect(() => validateSecretSetArgs("dahlia", { context, generated: { bad: { length: 8 } } })).toThrow(
      /SecretSet "dahlia" has invalid arguments:\n {2}- `generated` key `bad`.*\n {2}- `generated.bad.length` is 8/,
    );
  });

  it("the constructor validates before creating children", async () => {
    expect(() => new SecretSet("s", { context, generated: { JWT_SECRET: { length: 16 } } })).toThrow("is 16");
    await rec.settle();
    expect(rec.ofType(PASSWORD)).toHaveLength(0);
  });
});
