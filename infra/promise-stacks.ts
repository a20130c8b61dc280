/**
 * Skips source-mapping the stack trace that the Pulumi SDK records for every promise it creates,
 * which nothing reads unless `PULUMI_DEBUG_PROMISE_LEAKS` is set.
 *
 * `debuggablePromise` (`@pulumi/pulumi/runtime/debuggable`) stores `new Error().stack` on each
 * promise, four or more per resource output, and prints it only in its promise-leak report when
 * `PULUMI_DEBUG_PROMISE_LEAKS` is set. Under `pulumi up` ts-node has installed
 * `@cspotcode/source-map-support`, whose `Error.prepareStackTrace` maps every frame of every such
 * stack through the SDK's source maps: up to about 1 s of prod's program time on this project's
 * 2-core machine (`npm run bench:plan`, README "The offline plan").
 *
 * {@link skipUnreadPromiseStacks} wraps the installed `Error.prepareStackTrace`: the bare
 * `new Error()` that `debuggablePromise` creates for its stack gets V8's own unmapped format (the
 * same frames, JavaScript positions); every other stack — thrown errors, the resource source
 * positions the SDK sends the engine — is still formatted, and source-mapped, by the original.
 * With `PULUMI_DEBUG_PROMISE_LEAKS` set, or when nothing is installed (plain Node.js), it changes
 * nothing.
 */

/** The SDK function whose `new Error().stack` is only read under `PULUMI_DEBUG_PROMISE_LEAKS`. */
export const SDK_PROMISE_STACK_FUNCTION = "debuggablePromise";

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;

const WRAPPED = Symbol.for("app-platform.skipUnreadPromiseStacks");

/** A stack in V8's default format, without source maps. */
function unmapped(error: Error, frames: readonly NodeJS.CallSite[]): string {
  return `${error}${frames.map((f) => `\n    at ${f}`).join("")}`;
}

/** The SDK's probe: a bare `Error` without a message, created directly in `debuggablePromise`. */
function isPromiseStackProbe(error: Error, frames: readonly NodeJS.CallSite[]): boolean {
  return frames[0]?.getFunctionName() === SDK_PROMISE_STACK_FUNCTION && Object.getPrototypeOf(error) === Error.prototype && error.message === "";
}

/**
 * Installs the shortcut; returns whether it did. Idempotent: a second call keeps the first
 * wrapper.
 */
export function skipUnreadPromiseStacks(env: NodeJS.ProcessEnv = process.env): boolean {
  const original = Error.prepareStackTrace as (PrepareStackTrace & { [WRAPPED]?: true }) | undefined;
  if (!original || original[WRAPPED] || env.PULUMI_DEBUG_PROMISE_LEAKS) return false;
  const wrapper = Object.assign(
    function prepareStackTrace(error: Error, frames: NodeJS.CallSite[]): unknown {
      if (isPromiseStackProbe(error, frames)) return unmapped(error, frames);
      return original(error, frames);
    },
    { [WRAPPED]: true as const },
  );
  Error.prepareStackTrace = wrapper;
  return true;
}
