/**
 * Path 1: run policies in this process, building `ResourceValidationArgs` / `StackValidationArgs`
 * the way `@pulumi/policy` 1.21's `server.js` does (`makeAnalyzeRpcFun`,
 * `makeAnalyzeStackRpcFun`): properties go through a protobuf `Struct` and the library's own
 * `deserializeProperties` (secrets unwrapped), are wrapped in `unknownCheckingProxy`; levels come
 * from the reconciled config, `getConfig()` returns the rule's properties without
 * `enforcementLevel`, `notApplicable()` throws, type-tagged validations are skipped for other
 * types, an unknown value read during validation becomes an advisory "can't run" diagnostic, and
 * `reportViolation` accepts the string and the object form.
 */
import * as policy from "@pulumi/policy";
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { reconcileConfig, PACK_DEFAULT_LEVEL, type ReconciledPolicyConfig } from "./config";
import { urnOf, type AnalysisResult, type NotApplicable, type RunOptions, type TestResource, type Violation } from "./types";

/* eslint-disable @typescript-eslint/no-explicit-any */
const runtime = policy as unknown as {
  unknownCheckingProxy<T>(value: T): T;
  UnknownValueError: new (...args: unknown[]) => Error;
};
// Internal module of @pulumi/policy (its typings are stripped): the server's own deserializer.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
  deserializeProperties(struct: Struct, proxySecrets: boolean): Record<string, unknown>;
};

/** As served by `index.ts`; the version is the pack's package.json one, as `PolicyPack` reads it. */
export const PACK_NAME = "app-platform";
export const PACK_VERSION: string = (require("../../../policies/package.json") as { version: string }).version; // eslint-disable-line @typescript-eslint/no-require-imports

class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

function pulumiTypeOf(x: unknown): string | undefined {
  const t = (x as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof t === "string" && t.length > 0 ? t : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
  const t = pulumiTypeOf(resourceClass);
  if (t) return type === t;
  const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** Marshal to a protobuf Struct and back through the server's deserializer, then proxy. */
function engineProps(props: Record<string, unknown>): Record<string, any> {
  const struct = Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
  return runtime.unknownCheckingProxy(deserializeProperties(struct, false));
}

function optionsOf(r: TestResource): PolicyResourceOptions {
  const opts: PolicyResourceOptions = {
    protect: r.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
  if (r.parent) opts.parent = r.parent;
  return opts;
}

function providerOf(r: TestResource) {
  if (!r.provider) return undefined;
  return { type: r.provider.type, name: r.provider.name, urn: r.provider.urn, props: engineProps(r.provider.props) };
}

/** What the server gives every resource alike: in `validateResource`'s args and among `validateStack`'s resources. */
function resourceView(r: TestResource): Pick<PolicyResource, "type" | "props" | "urn" | "name" | "opts" | "isType" | "provider"> & {
  // The same function serves both, typed for each (the server's two interfaces type its result differently).
  asType: PolicyResource["asType"] & ResourceValidationArgs["asType"];
} {
  const props = engineProps(r.props);
  const type = r.type;
  const provider = providerOf(r);
  return {
    type,
    props,
    urn: urnOf(r),
    name: r.name,
    opts: optionsOf(r),
    isType: (cls) => isTypeOf(type, cls),
    asType: ((cls: unknown) => (isTypeOf(type, cls) ? props : undefined)) as unknown as PolicyResource["asType"] & ResourceValidationArgs["asType"],
    ...(provider ? { provider } : {}),
  };
}

function freezeTags(tags: Readonly<Record<string, string>> = {}): ReadonlyMap<string, string> {
  const map = new Map(Object.entries(tags));
  return Object.freeze({
    entries: map.entries.bind(map),
    forEach: map.forEach.bind(map),
    get: map.get.bind(map),
    has: map.has.bind(map),
    keys: map.keys.bind(map),
    size: map.size,
    values: map.values.bind(map),
    [Symbol.iterator]: map[Symbol.iterator].bind(map),
  }) as ReadonlyMap<string, string>;
}

interface RunState {
  readonly config: Record<string, ReconciledPolicyConfig>;
  readonly stackTags: ReadonlyMap<string, string>;
  readonly violations: Violation[];
  readonly notApplicable: NotApplicable[];
}

function stateOf(policies: Policies, options: RunOptions): RunState {
  return {
    config: reconcileConfig(policies, options.config),
    stackTags: freezeTags(options.stackTags),
    violations: [],
    notApplicable: [],
  };
}

function levelOf(state: RunState, p: { name: string; enforcementLevel?: EnforcementLevel }): EnforcementLevel {
  return state.config[p.name]?.enforcementLevel || p.enforcementLevel || PACK_DEFAULT_LEVEL;
}

function getConfigFor(state: RunState, name: string) {
  return <T extends object>(): T => ({ ...(state.config[name]?.properties ?? {}) }) as T;
}

/** `makeReportViolationFun` of the server: string form prefixes the description. */
function reportViolationFor(state: RunState, p: { name: string; description: string }, level: EnforcementLevel) {
  return (message: unknown, urn?: string): void => {
    if (typeof message === "object" && message !== null) {
      const info = message as { name?: string; message?: string; description?: string; urn?: string; enforcementLevel?: EnforcementLevel };
      state.violations.push({
        policyName: info.name || p.name,
        message: info.message || info.description || p.description,
        enforcementLevel: info.enforcementLevel || level,
        ...(info.urn ? { urn: info.urn } : {}),
      });
    } else {
      state.violations.push({
        policyName: p.name,
        message: message ? `${p.description}\n${message}` : p.description,
        enforcementLevel: level,
        ...(urn ? { urn } : {}),
      });
    }
  };
}

function handleError(state: RunState, p: { name: string }, e: unknown): void {
  const from = `policy '${p.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}'`;
  if (e instanceof runtime.UnknownValueError) {
    state.violations.push({ policyName: p.name, message: `can't run ${from} during preview: ${e.message}`, enforcementLevel: "advisory" });
  } else if (e instanceof NotApplicableError) {
    state.notApplicable.push({ policyName: p.name, ...(e.reason ? { reason: e.reason } : {}) });
  } else {
    throw new Error(`Error validating resource with ${from}:\n${e instanceof Error ? e.stack : String(e)}`);
  }
}

function isResourcePolicy(p: Policies[number]): p is ResourceValidationPolicy {
  const v = (p as ResourceValidationPolicy).validateResource;
  return typeof v === "function" || Array.isArray(v) || typeof (p as ResourceValidationPolicy).remediateResource === "function";
}

function isStackPolicy(p: Policies[number]): p is StackValidationPolicy {
  return typeof (p as StackValidationPolicy).validateStack === "function";
}

/** Runs the resource policies on one resource, like the engine's `Analyze` call. */
export async function analyzeResource(policies: Policies, resource: TestResource, options: RunOptions = {}): Promise<AnalysisResult> {
  const state = stateOf(policies, options);
  for (const p of policies) {
    let level = levelOf(state, p);
    if (level === "disabled" || !isResourcePolicy(p)) continue;
    if (!p.validateResource) {
      state.notApplicable.push({ policyName: p.name, reason: "Policy does not implement validateResource" });
      continue;
    }
    if (level === "remediate") level = "mandatory";
    if (!Array.isArray(p.validateResource)) {
      const t = pulumiTypeOf(p.validateResource);
      if (t && resource.type !== t) {
        state.notApplicable.push({ policyName: p.name, reason: `Policy only applies to resources of type '${t}'` });
        continue;
      }
    }
    const report = reportViolationFor(state, p, level);
    const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
    for (const validation of validations) {
      try {
        const args: ResourceValidationArgs = {
          ...resourceView(resource),
          stackTags: state.stackTags,
          getConfig: getConfigFor(state, p.name),
          notApplicable: throwNotApplicable,
        };
        await Promise.resolve(validation(args, report));
      } catch (e) {
        handleError(state, p, e);
      }
    }
  }
  return { violations: state.violations, notApplicable: state.notApplicable };
}

/** Runs the stack policies over all resources, like the engine's `AnalyzeStack` call. */
export async function analyzeStack(policies: Policies, resources: readonly TestResource[], options: RunOptions = {}): Promise<AnalysisResult> {
  const state = stateOf(policies, options);
  for (const p of policies) {
    const level0 = levelOf(state, p);
    if (level0 === "disabled" || !isStackPolicy(p)) continue;
    const level: EnforcementLevel = level0 === "remediate" ? "mandatory" : level0;
    const t = pulumiTypeOf(p.validateStack);
    if (t && !resources.some((r) => r.type === t)) {
      state.notApplicable.push({ policyName: p.name, reason: `Policy only applies to resources of type '${t}'` });
      continue;
    }
    const report = reportViolationFor(state, p, level);
    try {
      const byUrn = new Map<string, PolicyResource>();
      const built = resources.map((r) => {
        const resource: PolicyResource = { ...resourceView(r), dependencies: [], propertyDependencies: {} };
        byUrn.set(resource.urn, resource);
        return { r, resource };
      });
      for (const { r, resource } of built) {
        if (r.parent && byUrn.has(r.parent)) resource.parent = byUrn.get(r.parent);
        resource.dependencies = (r.dependencies ?? []).map((u) => byUrn.get(u)).filter((d): d is PolicyResource => !!d);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
          if (urns.length === 0) continue; // the engine skips properties without dependencies
          resource.propertyDependencies[k] = urns.map((u) => byUrn.get(u)).filter((d): d is PolicyResource => !!d);
        }
      }
      const args: StackValidationArgs = {
        resources: built.map((b) => b.resource),
        getConfig: getConfigFor(state, p.name),
        stackTags: state.stackTags,
        notApplicable: throwNotApplicable,
      };
      await Promise.resolve(p.validateStack(args, report));
    } catch (e) {
      handleError(state, p, e);
    }
  }
  return { violations: state.violations, notApplicable: state.notApplicable };
}
