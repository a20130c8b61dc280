/**
 * A `keepPrevious` secret across several `up`s, with the engine's state emulated: a password whose
 * keepers changed is replaced (new value), unless its `ignoreChanges` lists `keepers`, in which case
 * the old state (keepers and value) stays. Issue 19 item 12 (a whole period without an `up` must
 * not replace both slots) and issue 20 "On-demand rotation" (one more rotation now, with overlap).
 *
 * The emulation follows Pulumi's documented semantics (https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/:
 * an ignored property keeps its old value and causes no replacement; random_password's keepers
 * force a new resource, terraform-provider-random docs).
 */
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { PlatformContext } from "../../components/context";
import { SecretSet, validateSecretSetArgs } from "../../components/secrets/secret-set";

const context: PlatformContext = { environment: "staging", product: "dahlia", owner: "platform-team" };

/** Emulated state: per password name, its keepers and value; `generation` makes every new value unique. */
const state = new Map<string, { keepers: string; result: string }>();
let generation = 0;
/** `ignoreChanges` of each registration this run, seen through a transformation. */
const ignored = new Map<string, string[] | undefined>();

pulumi.runtime.setMocks(
  {
    newResource(args) {
      if (args.type !== "random:index/randomPassword:RandomPassword") return { id: `${args.name}-id`, state: args.inputs };
      const keepers = JSON.stringify(args.inputs.keepers ?? null);
      const old = state.get(args.name);
      const ignoresKeepers = ignored.get(args.name)?.includes("keepers") ?? false;
      if (old && (old.keepers === keepers || ignoresKeepers)) {
        return { id: `${args.name}-id`, state: { ...args.inputs, keepers: JSON.parse(old.keepers), result: old.result } };
      }
      const result = `value-${++generation}`;
      state.set(args.name, { keepers, result });
      return { id: `${args.name}-id`, state: { ...args.inputs, result } };
    },
    call: (args) => args.inputs,
  },
  "app-platform",
  "staging",
  false,
);

const outcome = (o: pulumi.Output<string>): Promise<string> => (o as any).promise();

// A refused rotation rejects every output derived from the slots (in `pulumi up` that is the
// program's error); this test reads the error from the value it awaits, so the copies that
// nothing awaits here (the set's other derived outputs) are expected and not reported again.
const expectedRefusals: unknown[] = [];
process.removeAllListeners("unhandledRejection");
process.on("unhandledRejection", (reason) => {
  if (!/cannot rotate with overlap/.test(String((reason as Error)?.message))) throw reason;
  expectedRefusals.push(reason);
});

/** One `up` at `date` with `onDemand` rotations of WORKER_API_SECRET: the current and previous values, or the error. */
async function up(date: string, onDemand = 0): Promise<{ current: string; previous: string } | { error: string }> {
  ignored.clear();
  const record: pulumi.ResourceTransformation = (a) => {
    ignored.set(a.name, a.opts.ignoreChanges);
    return undefined;
  };
  const set = new SecretSet(
    "s",
    {
      context,
      generated: { WORKER_API_SECRET: { keepPrevious: true } },
      onDemand: { WORKER_API_SECRET: onDemand },
      clock: () => new Date(date),
    },
    { transformations: [record] },
  );
  try {
    return { current: await outcome(set.get("WORKER_API_SECRET")), previous: await outcome(set.previous("WORKER_API_SECRET")!) };
  } catch (e) {
    return { error: String((e as Error).message) };
  }
}

describe("keepPrevious across ups (pinned clock)", () => {
  it("period by period: each up of a new period moves the current value to _PREVIOUS", async () => {
    state.clear();
    const q3 = await up("2026-08-01T00:00:00Z");
    const q4 = await up("2026-11-01T00:00:00Z");
    expect("current" in q3 && "current" in q4).toBe(true);
    if (!("current" in q3) || !("current" in q4)) return;
    expect(q4.previous).toBe(q3.current);
    expect(q4.current).not.toBe(q3.current);
    // Another up in the same period changes nothing.
    expect(await up("2026-12-20T00:00:00Z")).toEqual(q4);
  });

  it("fails the preview, naming what to do, when a whole period passed without an up (both slots would be new)", async () => {
    state.clear();
    const q3 = await up("2026-08-01T00:00:00Z");
    expect("current" in q3).toBe(true);
    // No up in Q4; the next is in Q1 2027: two periods later.
    const q1 = await up("2027-02-01T00:00:00Z");
    expect("error" in q1 && q1.error).toMatch(/`WORKER_API_SECRET` cannot rotate with overlap/);
    expect("error" in q1 && q1.error).toMatch(/No `pulumi up` ran during a whole rotation period/);
    expect("error" in q1 && q1.error).toMatch(/pulumi up --replace 'urn:pulumi:staging::app-platform::.*worker-api-secret-(even|odd)'/);
  });

  it("three periods later (odd gap) fails too: the state cannot tell which slot the apps use", async () => {
    state.clear();
    await up("2026-08-01T00:00:00Z");
    expect(await up("2027-05-01T00:00:00Z")).toMatchObject({ error: expect.stringMatching(/cannot rotate with overlap/) });
  });
});

describe("on-demand rotation (secretRotationOnDemand)", () => {
  it("one more entry rotates now with the same overlap; the next period rotates again with overlap", async () => {
    state.clear();
    const before = await up("2026-11-01T00:00:00Z");
    const now = await up("2026-12-06T00:00:00Z", 1);
    if (!("current" in before) || !("current" in now)) throw new Error(JSON.stringify({ before, now }));
    expect(now.previous).toBe(before.current);
    expect(now.current).not.toBe(before.current);
    // Keeping the entry: no further rotation within the period.
    expect(await up("2026-12-20T00:00:00Z", 1)).toEqual(now);
    const next = await up("2027-01-02T00:00:00Z", 1);
    if (!("current" in next)) throw new Error(JSON.stringify(next));
    expect(next.previous).toBe(now.current);
  });

  it("refuses two rotations at once, and an entry removed afterwards", async () => {
    state.clear();
    await up("2026-11-01T00:00:00Z");
    expect(await up("2026-11-02T00:00:00Z", 2)).toMatchObject({ error: expect.stringMatching(/gained more than one entry/) });
    state.clear();
    await up("2026-11-01T00:00:00Z");
    await up("2026-11-02T00:00:00Z", 1);
    expect(await up("2026-11-03T00:00:00Z", 0)).toMatchObject({
      error: expect.stringMatching(/went down or the clock went back; restore the entries of `secretRotationOnDemand`/),
    });
  });

  it("is validated at start-up: only rotating generated secrets, naming the config key and the keys it may name", () => {
    const args = (onDemand: Record<string, number>) => ({
      context,
      provided: { OPENAI_API_KEY: "k" },
      generated: { WORKER_API_SECRET: { keepPrevious: true }, ENCRYPTION_KEY: { dataKey: true } },
      onDemand,
    });
    expect(() => validateSecretSetArgs("s", args({ WORKER_API_SECRET: 1 }))).not.toThrow();
    expect(() => validateSecretSetArgs("s", args({ ENCRYPTION_KEY: 1 }))).toThrow(
      /`secretRotationOnDemand` rotates `ENCRYPTION_KEY`.*a data key never rotates.*name one of: WORKER_API_SECRET/,
    );
    expect(() => validateSecretSetArgs("s", args({ OPENAI_API_KEY: 1 }))).toThrow(/a provided secret is rotated by setting a new value/);
    expect(() => validateSecretSetArgs("s", args({ NOPE: 1 }))).toThrow(/no such generated secret/);
  });
});
