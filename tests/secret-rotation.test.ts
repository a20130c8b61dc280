/**
 * Secret rotation in the real program (Pulumi's own runner, both committed stacks): rotation is
 * keyed on today's date in the program (no `time.Rotating`, which only expires on refresh), the
 * shared signing secret reaches every sink with its previous value beside it, Vercel projects that
 * read a rotating secret are redeployed when its period changes, and the data key never rotates.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { plain, type RegisteredResource } from "../tools/engine/harness";
import { requireOk } from "../tools/engine/stack-run";
import { committedStackRun } from "./helpers/stack-runs";
import { rotationPeriod, rotationPeriodStart } from "../components/secrets/secret-set";
import { REDEPLOY_META_KEY } from "../components/web/vercel-app";

const STACKS = ["staging", "prod"] as const;
const resources = {} as Record<(typeof STACKS)[number], readonly RegisteredResource[]>;

beforeAll(async () => {
  const runs = await Promise.all(STACKS.map((s) => committedStackRun(s)));
  STACKS.forEach((s, i) => (resources[s] = requireOk(runs[i]).resources));
}, 120_000);

const PASSWORD = "random:index/randomPassword:RandomPassword";
const VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const DEPLOYMENT = "vercel:index/deployment:Deployment";

/** The quarter the runs were made in (the program reads the real clock). */
const quarter = () => rotationPeriodStart(rotationPeriod(new Date(), 3), 3);

describe.each(STACKS)("%s", (stack) => {
  const all = () => resources[stack];
  const one = (type: string, name: string) => {
    const r = all().find((x) => x.type === type && x.name === name);
    if (!r) throw new Error(`${stack} registers no ${type} ${name}`);
    return r;
  };
  const urnOf = (type: string, name: string) => one(type, name).urn;

  it("registers no time.Rotating: nothing waits for a refresh to notice a date", () => {
    expect(all().filter((r) => r.type.startsWith("time:"))).toEqual([]);
  });

  it("keys every rotating password on the current quarter; the data key has no keeper, ignores keeper changes, and is protected in prod", () => {
    const passwords = all().filter((r) => r.type === PASSWORD);
    expect(passwords.length).toBeGreaterThanOrEqual(7);
    const dataKey = one(PASSWORD, "ara-secrets-encryption-key");
    expect(plain<any>(dataKey.inputs).keepers).toBeUndefined();
    expect(dataKey.ignoreChanges).toEqual(["keepers"]);
    expect(dataKey.protect).toBe(stack === "prod");
    // The digest keys (SecretSet.digestKey) never rotate: a new one would only redeploy everything once.
    const digestKeys = passwords.filter((x) => x.name.endsWith("-secrets-digest-key"));
    expect(digestKeys).toHaveLength(5);
    for (const k of digestKeys) expect(plain<any>(k.inputs).keepers, k.name).toBeUndefined();
    // The Vercel drain secret rotates on demand only (`--replace`): a new one replaces every drain,
    // and deliveries signed with the old one are dropped until then (README "Vercel apps' logs").
    const drainSecret = one(PASSWORD, `vercel-log-drains-${stack}-drain-secret`);
    expect(plain<any>(drainSecret.inputs).keepers).toBeUndefined();
    for (const p of passwords.filter((x) => x !== dataKey && x !== drainSecret && !digestKeys.includes(x))) {
      const rotation = plain<any>(p.inputs).keepers?.rotation;
      // A keepPrevious key's other slot was renewed one quarter earlier.
      expect(rotation, p.name).toMatch(/^\d{4}-(01|04|07|10)-01$/);
      if (!/-(even|odd)$/.test(p.name)) expect(rotation, p.name).toBe(quarter());
      expect(p.protect, p.name).toBe(false);
    }
    const slots = ["even", "odd"].map((s) => plain<any>(one(PASSWORD, `ask-dahlia-secrets-worker-api-secret-${s}`).inputs).keepers.rotation);
    expect(slots).toContain(quarter());
    expect(new Set(slots).size).toBe(2);
  });

  it("Ask Dahlia: worker and UI get WORKER_API_SECRET and WORKER_API_SECRET_PREVIOUS, from the two slots, as secrets", () => {
    const slotUrns = ["even", "odd"].map((s) => urnOf(PASSWORD, `ask-dahlia-secrets-worker-api-secret-${s}`));
    const currentSlot = slotUrns.find((u) => plain<any>(all().find((r) => r.urn === u)!.inputs).keepers.rotation === quarter())!;
    const previousSlot = slotUrns.find((u) => u !== currentSlot)!;

    const secret = one("kubernetes:core/v1:Secret", "ask-dahlia-worker-secrets");
    // At preview the generated values (so the whole stringData) are unknown; it comes from both slots.
    expect(secret.propertyDependencies.stringData).toEqual(expect.arrayContaining(slotUrns));
    const container = plain<any>(one("kubernetes:apps/v1:Deployment", "ask-dahlia-worker-deployment").inputs).spec.template.spec.containers[0];
    expect(container.env.map((e: any) => e.name)).toEqual(expect.arrayContaining(["WORKER_API_SECRET", "WORKER_API_SECRET_PREVIOUS"]));

    const current = one(VAR, "ask-dahlia-ui-env-worker-api-secret");
    const previous = one(VAR, "ask-dahlia-ui-env-worker-api-secret-previous");
    // (values are unknown at preview; tests/products.*.test.ts check them as secrets under mocks)
    for (const v of [current, previous]) expect(plain<any>(v.inputs).sensitive, v.name).toBe(true);
    expect(plain<any>(previous.inputs).key).toBe("WORKER_API_SECRET_PREVIOUS");
    // Both values also wait for the previous slot's applied keepers (the missed-period check).
    expect(current.propertyDependencies.value).toContain(currentSlot);
    expect(previous.propertyDependencies.value).toEqual([previousSlot]);
  });

  it("only the shared signing secret carries a previous value", () => {
    const previousVars = all().filter((r) => r.type === VAR && String(plain<any>(r.inputs).key).endsWith("_PREVIOUS"));
    expect(previousVars.map((r) => plain<any>(r.inputs).key)).toEqual(["WORKER_API_SECRET_PREVIOUS"]);
  });

  it("redeploys each Vercel app on the keyed digest of its variables (a rotation changes it), after its variables and the workloads", () => {
    const deployments = all().filter((r) => r.type === DEPLOYMENT);
    // Every product's web app reads a generated, rotating secret (JWT, NextAuth, HMAC).
    expect(deployments.map((d) => d.name).sort()).toEqual(["ara-web-redeploy", "ask-dahlia-ui-redeploy", "voyager-web-redeploy"]);
    for (const d of deployments) {
      const inputs = plain<any>(d.inputs);
      // The digest of every variable, keyed with the product's digest key: unknown at preview (it
      // reads generated values), computed from the variables' values and the key.
      const product = d.name
        .split("-")
        .slice(0, d.name.startsWith("ask-dahlia") ? 2 : 1)
        .join("-");
      expect(d.propertyDependencies.meta, d.name).toContain(urnOf(PASSWORD, `${product}-secrets-digest-key`));
      if (inputs.meta !== undefined && typeof inputs.meta === "object") expect(Object.keys(inputs.meta), d.name).toEqual([REDEPLOY_META_KEY]);
      expect(inputs.production, d.name).toBe(stack === "prod");
      expect(inputs.ref, d.name).toBe(stack === "prod" ? "main" : "develop");
      const app = d.name.replace(/-redeploy$/, "");
      const vars = all().filter((r) => r.type === VAR && r.name.startsWith(`${app}-env-`));
      expect(vars.length).toBeGreaterThan(0);
      expect(d.dependencies, d.name).toEqual(expect.arrayContaining(vars.map((v) => v.urn)));
    }
    // The UI redeploys only once the worker, which accepts both values, has rolled out.
    const ui = deployments.find((d) => d.name === "ask-dahlia-ui-redeploy")!;
    // (a component in dependsOn is expanded by the SDK to the resources under it)
    expect(ui.dependencies).toContain(urnOf("kubernetes:apps/v1:Deployment", "ask-dahlia-worker-deployment"));
  });
});
