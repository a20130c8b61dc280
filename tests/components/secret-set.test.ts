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
  passwordResourceOptions,
  resolveGeneratedSpec,
  rotationPeriod,
  rotationPeriodStart,
  slotPeriod,
  validateSecretSetArgs,
} from "../../components/secrets/secret-set";
import { ANY_INPUT, forceNewPaths } from "../../tools/plan/replacements";

const context: PlatformContext = { environment: "staging", product: "dahlia", owner: "platform-team" };

const PASSWORD = "random:index/randomPassword:RandomPassword";

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

/** A fixed clock: 15 November 2026, in the quarter that starts on 1 October. */
const NOV_2026 = () => new Date(Date.UTC(2026, 10, 15, 12));
/** The next quarter: 2 January 2027. */
const JAN_2027 = () => new Date(Date.UTC(2027, 0, 2));

describe("rotation periods", () => {
  it("cuts the calendar into UTC-aligned periods", () => {
    expect(rotationPeriodStart(rotationPeriod(new Date(Date.UTC(2026, 10, 15)), 3), 3)).toBe("2026-10-01");
    expect(rotationPeriodStart(rotationPeriod(new Date(Date.UTC(2026, 9, 1, 0, 0, 0)), 3), 3)).toBe("2026-10-01");
    // The last millisecond of September still belongs to the July quarter.
    expect(rotationPeriodStart(rotationPeriod(new Date(Date.UTC(2026, 8, 30, 23, 59, 59, 999)), 3), 3)).toBe("2026-07-01");
    expect(rotationPeriodStart(rotationPeriod(new Date(Date.UTC(2027, 0, 2)), 3), 3)).toBe("2027-01-01");
    expect(rotationPeriodStart(rotationPeriod(new Date(Date.UTC(2026, 10, 15)), 12), 12)).toBe("2026-01-01");
    expect(rotationPeriodStart(rotationPeriod(new Date(Date.UTC(2026, 10, 15)), 1), 1)).toBe("2026-11-01");
    expect(rotationPeriod(new Date(Date.UTC(2027, 0, 2)), 3) - rotationPeriod(new Date(Date.UTC(2026, 10, 15)), 3)).toBe(1);
  });

  it("each slot is renewed every other period, the two never in the same one", () => {
    expect([slotPeriod(10, 0), slotPeriod(10, 1)]).toEqual([10, 9]);
    expect([slotPeriod(11, 0), slotPeriod(11, 1)]).toEqual([10, 11]);
  });
});

describe("SecretSet resources", () => {
  it("creates nothing to rotate for a set of provided secrets only", async () => {
    const set = new SecretSet("codebook-secrets", { context, provided: { PINECONE_API_KEY: "pc-provided" } });
    await rec.settle();
    // Only the digest key (SecretSet.digestKey), which never rotates.
    expect(rec.resources.filter((r) => r.custom).map((r) => r.name)).toEqual(["codebook-secrets-digest-key"]);
    expect(rec.one(PASSWORD, "codebook-secrets-digest-key").inputs.keepers).toBeUndefined();
    expect(set.rotatesAt).toBeUndefined();
    expect(set.rotationVersion).toBeUndefined();
    expect(set.keys).toEqual(["PINECONE_API_KEY"]);
  });

  it("keys each RandomPassword on the first day of the current quarter, with no refresh-only clock resource", async () => {
    const set = new SecretSet("dahlia-secrets", {
      context,
      provided: { OPENAI_API_KEY: "sk-provided" },
      generated: { WORKER_API_SECRET: {}, JWT_SECRET: { length: 32 } },
      clock: NOV_2026,
    });
    await rec.settle();

    expect(rec.one("app-platform:secrets:SecretSet", "dahlia-secrets").custom).toBe(false);
    // time.Rotating only expires on refresh; the date is read by the program instead.
    expect(rec.resources.filter((r) => r.type.startsWith("time:"))).toEqual([]);

    expect(
      rec
        .ofType(PASSWORD)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["dahlia-secrets-digest-key", "dahlia-secrets-jwt-secret", "dahlia-secrets-worker-api-secret"]);
    const worker = rec.one(PASSWORD, "dahlia-secrets-worker-api-secret");
    // seed 000 "Rotate provider API keys quarterly", seed 002 "Rotate keys quarterly"
    expect(worker.inputs).toEqual({
      length: 48,
      special: false,
      upper: true,
      lower: true,
      numeric: true,
      keepers: { rotation: "2026-10-01" },
    });
    expect(rec.one(PASSWORD, "dahlia-secrets-jwt-secret").inputs.length).toBe(32);
    expect(rec.ofType("random:index/randomString:RandomString")).toHaveLength(0);
    expect(set.rotationVersion).toBe("2026-10-01");
    expect(set.rotatesAt).toBe("2027-01-01T00:00:00Z");
    expect(set.rotatingKeys).toEqual(["JWT_SECRET", "WORKER_API_SECRET"]);
  });

  it("the first run in the next quarter changes the keepers, which replaces the password", async () => {
    new SecretSet("a", { context, generated: { JWT_SECRET: {} }, clock: NOV_2026 });
    await rec.settle();
    const before = rec.one(PASSWORD, "a-jwt-secret").inputs.keepers;
    rec.reset();
    new SecretSet("a", { context, generated: { JWT_SECRET: {} }, clock: JAN_2027 });
    await rec.settle();
    const after = rec.one(PASSWORD, "a-jwt-secret").inputs.keepers;
    expect(before).toEqual({ rotation: "2026-10-01" });
    expect(after).toEqual({ rotation: "2027-01-01" });
    // Every RandomPassword input forces a replacement (tools/plan/replacements.ts).
    expect(forceNewPaths(PASSWORD)).toEqual([ANY_INPUT]);
  });

  it("honours a custom rotation and generated-secret options", async () => {
    new SecretSet("s", {
      context,
      generated: { JWT_SECRET: { length: 64, special: true, upper: false } },
      rotation: { months: 1 },
      clock: NOV_2026,
    });
    await rec.settle();
    expect(rec.one(PASSWORD, "s-jwt-secret").inputs).toMatchObject({
      length: 64,
      special: true,
      upper: false,
      lower: true,
      keepers: { rotation: "2026-11-01" },
    });
  });

  it("applies transforms to children", async () => {
    new SecretSet("s", {
      context,
      generated: { JWT_SECRET: {} },
      transform: { password: (a, key) => ({ ...a, minNumeric: key === "JWT_SECRET" ? 4 : 0 }) },
    });
    await rec.settle();
    expect(rec.one(PASSWORD, "s-jwt-secret").inputs.minNumeric).toBe(4);
  });
});

describe("SecretSet previous values (keepPrevious)", () => {
  const make = (name: string, clock: () => Date) => new SecretSet(name, { context, generated: { WORKER_API_SECRET: { keepPrevious: true } }, clock });

  it("keeps the key in two slots renewed in alternate periods; current is this period's, previous last period's", async () => {
    const set = make("d", NOV_2026);
    await rec.settle();
    const even = rec.one(PASSWORD, "d-worker-api-secret-even");
    const odd = rec.one(PASSWORD, "d-worker-api-secret-odd");
    // Q4 2026 is period 8107 (odd): the odd slot was renewed on 2026-10-01, the even one a quarter before.
    expect(odd.inputs.keepers).toEqual({ rotation: "2026-10-01" });
    expect(even.inputs.keepers).toEqual({ rotation: "2026-07-01" });
    expect(await valueOf(set.get("WORKER_API_SECRET"))).toMatch(/^mock-password-d-worker-api-secret-odd/);
    expect(await valueOf(set.previous("WORKER_API_SECRET")!)).toMatch(/^mock-password-d-worker-api-secret-even/);
    expect(await isSecretOutput(set.previous("WORKER_API_SECRET")!)).toBe(true);
    expect(set.keys).toEqual(["WORKER_API_SECRET"]);
  });

  it("at the next rotation only the two-period-old slot is renewed, and today's current becomes previous", async () => {
    make("d", NOV_2026);
    await rec.settle();
    const slots = () => rec.ofType(PASSWORD).filter((r) => !r.name.endsWith("-digest-key"));
    const q4 = Object.fromEntries(slots().map((r) => [r.name, r.inputs.keepers.rotation]));
    rec.reset();
    const next = make("d", JAN_2027);
    await rec.settle();
    const q1 = Object.fromEntries(slots().map((r) => [r.name, r.inputs.keepers.rotation]));
    expect(q4).toEqual({ "d-worker-api-secret-even": "2026-07-01", "d-worker-api-secret-odd": "2026-10-01" });
    expect(q1).toEqual({ "d-worker-api-secret-even": "2027-01-01", "d-worker-api-secret-odd": "2026-10-01" });
    // The odd slot (unchanged, so not replaced) now serves as previous: the value apps signed with in Q4.
    expect(await valueOf(next.previous("WORKER_API_SECRET")!)).toMatch(/^mock-password-d-worker-api-secret-odd/);
    expect(await valueOf(next.get("WORKER_API_SECRET"))).toMatch(/^mock-password-d-worker-api-secret-even/);
  });

  it("a key without keepPrevious has no previous value", () => {
    const set = new SecretSet("s", { context, generated: { JWT_SECRET: {} } });
    expect(set.previous("JWT_SECRET")).toBeUndefined();
    expect(set.previousValues).toEqual({});
  });
});

describe("SecretSet data keys", () => {
  it("a data key never rotates: no keepers, keeper changes ignored, protected in prod", async () => {
    const prod: PlatformContext = { ...context, environment: "prod" };
    const set = new SecretSet("ara", { context: prod, generated: { ENCRYPTION_KEY: { length: 32, dataKey: true }, JWT_SECRET: {} }, clock: NOV_2026 });
    await rec.settle();
    const key = rec.one(PASSWORD, "ara-encryption-key");
    expect(key.inputs.keepers).toBeUndefined();
    expect(rec.one(PASSWORD, "ara-jwt-secret").inputs.keepers).toEqual({ rotation: "2026-10-01" });
    expect(set.rotatingKeys).toEqual(["JWT_SECRET"]);
    expect(set.generatedKeys).toEqual(["ENCRYPTION_KEY", "JWT_SECRET"]);
    // The mock monitor does not see resource options; the real program run checks them too (products tests).
    expect(passwordResourceOptions(resolveGeneratedSpec({ dataKey: true }), prod)).toEqual({ ignoreChanges: ["keepers"], protect: true });
    expect(passwordResourceOptions(resolveGeneratedSpec({ dataKey: true }), context)).toEqual({ ignoreChanges: ["keepers"], protect: false });
    expect(passwordResourceOptions(resolveGeneratedSpec({}), prod)).toEqual({});
    expect(resolveGeneratedSpec({ dataKey: true })).toMatchObject({ dataKey: true, rotate: false, keepPrevious: false });
  });

  it("refuses automatic rotation of a data key, naming the secret", () => {
    expect(() => validateSecretSetArgs("ara-secrets", { context, generated: { ENCRYPTION_KEY: { length: 32, dataKey: true, rotate: true } } })).toThrow(
      /SecretSet "ara-secrets" has invalid arguments:\n {2}- `generated.ENCRYPTION_KEY` is a data key \(`dataKey: true`\) with `rotate: true`/,
    );
  });

  it("a set of data keys only has no rotation version", () => {
    const set = new SecretSet("s", { context, generated: { ENCRYPTION_KEY: { length: 32, dataKey: true } } });
    expect(set.rotationVersion).toBeUndefined();
    expect(set.rotatesAt).toBeUndefined();
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
    expect(() => set.get("NEXTAUTH_SECRET")).toThrow('SecretSet "dahlia-secrets" has no key `NEXTAUTH_SECRET`; known keys: JWT_SECRET.');
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

  it("rejects keepPrevious on a key that does not rotate, or whose _PREVIOUS name is taken", () => {
    expect(() => validateSecretSetArgs("s", { context, generated: { K_SECRET: { rotate: false, keepPrevious: true } } })).toThrow(
      "`generated.K_SECRET.keepPrevious` is set but the key does not rotate",
    );
    expect(() => validateSecretSetArgs("s", { context, generated: { K_SECRET: { keepPrevious: true } }, provided: { K_SECRET_PREVIOUS: "x" } })).toThrow(
      "needs the key `K_SECRET_PREVIOUS`, which is already a provided secret",
    );
  });

  it("rejects a clock that returns no valid date", () => {
    expect(() => validateSecretSetArgs("s", { ...ok, clock: () => new Date("nope") })).toThrow("`clock` must be a function returning a valid `Date`");
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
