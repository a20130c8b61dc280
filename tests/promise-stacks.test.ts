/**
 * infra/promise-stacks.ts against the SDK's real `debuggablePromise`: the stack it records for a
 * promise skips the installed (source-mapping) `Error.prepareStackTrace`, every other stack still
 * goes through it, and `PULUMI_DEBUG_PROMISE_LEAKS` — the only switch under which the SDK prints
 * those stacks — keeps them mapped.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SDK_PROMISE_STACK_FUNCTION, skipUnreadPromiseStacks } from "../infra/promise-stacks";

// @internal in the SDK's typings, exported by its JavaScript.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
};

/** Stands in for ts-node's source-map-support: counts the stacks it formats. */
let mappedCalls = 0;
const fakeMapped = (error: Error) => {
  mappedCalls++;
  return `${error}\n    at MAPPED (/work/infra/program.ts:1:1)`;
};

let saved: typeof Error.prepareStackTrace;
beforeEach(() => {
  saved = Error.prepareStackTrace;
  Error.prepareStackTrace = fakeMapped;
  mappedCalls = 0;
});
afterEach(() => {
  Error.prepareStackTrace = saved;
});

async function sdkPromiseStack(): Promise<string> {
  const p = Promise.resolve(1);
  await debuggablePromise(p, "test");
  return (p as unknown as { _debugStackTrace: string })._debugStackTrace;
}

describe("skipUnreadPromiseStacks", () => {
  it("names the SDK's function that records a stack per promise", () => {
    expect(debuggablePromise.name).toBe(SDK_PROMISE_STACK_FUNCTION);
  });

  it("gives the SDK's per-promise stack V8's unmapped format, without the installed formatter", async () => {
    expect(skipUnreadPromiseStacks({})).toBe(true);
    const stack = await sdkPromiseStack();
    expect(mappedCalls).toBe(0);
    expect(stack).toMatch(/^Error\n {4}at debuggablePromise \(.*@pulumi\/pulumi\/runtime\/debuggable\.js:\d+:\d+\)\n {4}at /);
  });

  it("still formats every other stack with the installed formatter", () => {
    skipUnreadPromiseStacks({});
    const stack = new Error("boom").stack;
    expect(stack).toBe("Error: boom\n    at MAPPED (/work/infra/program.ts:1:1)");
    expect(mappedCalls).toBe(1);
  });

  it("still maps an error thrown inside debuggablePromise (only its bare probe is left unmapped)", () => {
    skipUnreadPromiseStacks({});
    // A function of that name that fails, as the SDK's would on a value without `then`.
    const thrown = (function debuggablePromise(): Error {
      try {
        (undefined as unknown as { then(): void }).then();
      } catch (e) {
        return e as Error;
      }
      throw new Error("unreachable");
    })();
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown.stack).toContain("at MAPPED");
    const withMessage = (function debuggablePromise(): Error {
      return new Error("failed");
    })();
    expect(withMessage.stack).toContain("at MAPPED");
    expect(mappedCalls).toBe(2);
  });

  it("changes nothing under PULUMI_DEBUG_PROMISE_LEAKS, where the SDK prints those stacks", async () => {
    expect(skipUnreadPromiseStacks({ PULUMI_DEBUG_PROMISE_LEAKS: "1" })).toBe(false);
    expect(Error.prepareStackTrace).toBe(fakeMapped);
    expect(await sdkPromiseStack()).toContain("at MAPPED");
    expect(mappedCalls).toBe(1);
  });

  it("changes nothing when no formatter is installed (plain Node.js), and wraps only once", () => {
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    expect(skipUnreadPromiseStacks({})).toBe(false);
    expect(Error.prepareStackTrace).toBeUndefined();
    Error.prepareStackTrace = fakeMapped;
    expect(skipUnreadPromiseStacks({})).toBe(true);
    const wrapper = Error.prepareStackTrace;
    expect(skipUnreadPromiseStacks({})).toBe(false);
    expect(Error.prepareStackTrace).toBe(wrapper);
  });
});
