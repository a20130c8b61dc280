/**
 * A recording Pulumi engine: the `pulumirpc.ResourceMonitor` and `pulumirpc.Engine` gRPC services
 * that a program run by `@pulumi/pulumi/cmd/run` talks to, served on 127.0.0.1.
 *
 * It answers the way the engine answers during `pulumi preview`, without any provider plugin:
 * - every registration is recorded (URN computed like the engine, options, inputs in wire form);
 * - a custom resource's state is its inputs and, during a dry run, it has no id, so every computed
 *   output the program reads (`bucket.arn`, `password.result`, `resource.id`) is unknown, exactly as in
 *   a preview of a create; provider resources (`pulumi:providers:<pkg>`) are plain registrations;
 * - invokes are answered from a caller-supplied table keyed by token; an unknown token fails the
 *   invoke with a message naming the token;
 * - `Engine.Log` messages are recorded with their severity.
 *
 * Features it tells the SDK it supports: secrets, resourceReferences, deletedWith, replaceWith,
 * aliasSpecs, parameterization. It says no to outputValues (inputs arrive resolved, never as
 * Output objects) and to transforms, invokeTransforms, resourceHooks and errorHooks (engine-only
 * callbacks this recorder does not run; a program that uses them fails with the SDK's own message).
 */
import { stripVTControlCharacters } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as providerproto from "@pulumi/pulumi/proto/provider_pb";
import * as resourcerpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resourceproto from "@pulumi/pulumi/proto/resource_pb";
import { isSecret, plain, secret, type WireObject } from "./properties";

/** Type token of the root resource every Pulumi program registers first. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The features this monitor reports as supported; anything not listed is reported unsupported. */
export const SUPPORTED_FEATURES: ReadonlySet<string> = new Set([
  "secrets",
  "resourceReferences",
  "deletedWith",
  "replaceWith",
  "aliasSpecs",
  "parameterization",
]);

/** An alias as the SDK sent it: either an old URN or a spec the engine would resolve. */
export type RecordedAlias =
  | { readonly urn: string }
  | {
      readonly spec: {
        readonly name?: string;
        readonly type?: string;
        readonly stack?: string;
        readonly project?: string;
        readonly parentUrn?: string;
        readonly noParent?: boolean;
      };
    };

/** One resource registration (or read) as the engine would have received it. */
export interface RegisteredResource {
  /** URN computed like the engine: `urn:pulumi:<stack>::<project>::<parent type chain $ type>::<name>`. */
  readonly urn: string;
  /** Type token, e.g. `kubernetes:apps/v1:Deployment`. */
  readonly type: string;
  /** Logical name given to the constructor. */
  readonly name: string;
  /** True for provider-managed (custom) resources, false for components and the stack. */
  readonly custom: boolean;
  /** True when registered through `readResource` (a `.get()`), not `registerResource`. */
  readonly read: boolean;
  /** True for a multi-language (remote) component. */
  readonly remote: boolean;
  /** Parent URN; undefined only for the root stack. */
  readonly parent?: string;
  /** Provider reference `<provider urn>::<provider id>` when one was given or inherited; undefined means the default provider. */
  readonly provider?: string;
  /** Provider references a component passes down to its children, keyed by package. */
  readonly providers: Readonly<Record<string, string>>;
  /** Requested provider plugin version, if the SDK sent one. */
  readonly version?: string;
  /** URNs this resource depends on (explicit `dependsOn` plus input dependencies). */
  readonly dependencies: readonly string[];
  /** For each input property, the URNs its value came from. */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** `deleteBeforeReplace`, or undefined when the program did not set it. */
  readonly deleteBeforeReplace?: boolean;
  readonly ignoreChanges: readonly string[];
  readonly replaceOnChanges: readonly string[];
  readonly additionalSecretOutputs: readonly string[];
  readonly hideDiffs: readonly string[];
  readonly aliases: readonly RecordedAlias[];
  /** URN of the resource this one is deleted with, if any. */
  readonly deletedWith?: string;
  /** Id the program asked to import (`import` option) or read (`.get()`). */
  readonly id?: string;
  readonly customTimeouts?: { readonly create?: string; readonly update?: string; readonly delete?: string };
  /** Where the program constructed the resource (file URI and line), when the SDK reported it. */
  readonly source?: { readonly uri: string; readonly line: number; readonly column: number };
  /** Inputs in wire form: secrets and unknowns marked (see properties.ts `plain` / `secretPaths`). */
  readonly inputs: WireObject;
  /** Outputs registered with `registerOutputs` (components and the stack), in wire form. */
  outputs?: WireObject;
}

/** One invoke (data source) or method call the program made. */
export interface InvokeCall {
  readonly kind: "invoke" | "call";
  readonly token: string;
  /** Arguments in wire form. */
  readonly args: WireObject;
  /** Provider reference the invoke was routed to, if explicit. */
  readonly provider?: string;
  /** Whether the table answered it. */
  readonly answered: boolean;
  /** The error returned to the program when not answered (or when the answer threw). */
  readonly error?: string;
}

/**
 * The (plain) arguments of an invoke as the program sent them: any provider's function inputs,
 * nested as that function declares them, so answers read them without a schema of every provider.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an arbitrary provider's wire payload
export type InvokeArgs = Record<string, any>;

/** An answer to an invoke: a fixed result or a function of the (plain) arguments. */
export type InvokeAnswer = WireObject | ((args: InvokeArgs, call: { token: string; provider?: string }) => WireObject | Promise<WireObject>);

/** Answers keyed by invoke token, e.g. `cloudflare:index/getZone:getZone`. */
export type InvokeTable = Readonly<Record<string, InvokeAnswer>>;

export type LogSeverity = "debug" | "info" | "warning" | "error";

/** A message the program logged through the engine (`pulumi.log.*`, or the runner's own errors). */
export interface LogEntry {
  readonly severity: LogSeverity;
  readonly message: string;
  /** URN of the resource the message is about, if any. */
  readonly urn?: string;
}

export interface RecorderOptions {
  readonly project: string;
  readonly stack: string;
  /** Answer like a preview (no ids, computed outputs unknown); default true. */
  readonly dryRun?: boolean;
  /** Invoke answers keyed by token. */
  readonly invokes?: InvokeTable;
  /** Also record debug-severity engine logs (the SDK sends many); default false. */
  readonly includeDebugLogs?: boolean;
  /**
   * Called with each registration (and read) once it is recorded, in order, right after its
   * answer was handed to gRPC (the program waits on the answer, so work done here does not delay
   * it). Must not throw.
   */
  readonly onResource?: (res: RegisteredResource) => void;
}

/** A running recorder. `close()` it when the program has exited. */
export interface Recorder {
  /** `127.0.0.1:<port>` serving both the ResourceMonitor and the Engine service. */
  readonly address: string;
  readonly resources: readonly RegisteredResource[];
  readonly logs: readonly LogEntry[];
  readonly invokes: readonly InvokeCall[];
  /** Outputs registered on the root `pulumi:pulumi:Stack` (empty until the program registers them). */
  stackOutputs(): WireObject;
  /** True once `close()` has run. */
  readonly closed: boolean;
  /** Stops serving immediately; safe to call more than once. */
  close(): Promise<void>;
}

const SEVERITIES: Record<number, LogSeverity> = {
  [engineproto.LogSeverity.DEBUG]: "debug",
  [engineproto.LogSeverity.INFO]: "info",
  [engineproto.LogSeverity.WARNING]: "warning",
  [engineproto.LogSeverity.ERROR]: "error",
};

/** An error returned to the program as a gRPC status. */
class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** Builds the engine's URN for a resource (the root stack's type is left out of children's type chains). */
export function resourceUrn(stack: string, project: string, type: string, name: string, parentUrn?: string): string {
  let qualifiedType = type;
  if (parentUrn) {
    const parentType = parentUrn.split("::")[2];
    if (parentType !== undefined && parentType !== ROOT_STACK_TYPE) qualifiedType = `${parentType}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

function toWire(struct: Struct | undefined): WireObject {
  return struct ? (struct.toJavaScript() as WireObject) : {};
}

/** Drops `undefined` (which protobuf Structs cannot hold) so a caller's answer always serialises. */
function toStruct(value: unknown): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})));
}

/** Marks the named top-level outputs secret, as the engine does for `additionalSecretOutputs`; `state` itself when none changes. */
function withSecretOutputs(state: WireObject, keys: readonly string[]): WireObject {
  let out: WireObject | undefined;
  for (const key of keys) {
    const v = state[key];
    if (v !== undefined && !isSecret(v)) {
      out ??= { ...state };
      out[key] = secret(v);
    }
  }
  return out ?? state;
}

/**
 * The state a registration answers with: its inputs, with `additionalSecretOutputs` marked. When
 * no marker is added that is the request's own Struct, sent back as it came (no conversion on the
 * path every registration waits on).
 */
function stateStruct(request: Struct | undefined, inputs: WireObject, secretOutputs: readonly string[]): Struct {
  const state = withSecretOutputs(inputs, secretOutputs);
  return state === inputs ? (request ?? new Struct()) : toStruct(state);
}

function aliasOf(alias: import("@pulumi/pulumi/proto/alias_pb").Alias): RecordedAlias {
  const spec = alias.getSpec();
  if (!alias.hasSpec() || !spec) return { urn: alias.getUrn() };
  return {
    spec: {
      name: spec.getName() || undefined,
      type: spec.getType() || undefined,
      stack: spec.getStack() || undefined,
      project: spec.getProject() || undefined,
      parentUrn: spec.getParenturn() || undefined,
      noParent: spec.getNoparent() || undefined,
    },
  };
}

function sourceOf(pos: import("@pulumi/pulumi/proto/source_pb").SourcePosition | undefined): RegisteredResource["source"] {
  if (!pos || !pos.getUri()) return undefined;
  return { uri: pos.getUri(), line: pos.getLine(), column: pos.getColumn() };
}

/** Wraps a handler so that thrown errors become gRPC statuses the SDK reports to the user. */
function unary<Req, Res>(fn: (req: Req) => Res | Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (err: unknown) => {
          const code = err instanceof RpcError ? err.code : grpc.status.UNKNOWN;
          callback({ code, details: err instanceof Error ? err.message : String(err) });
        },
      );
  };
}

function unimplemented<Req, Res>(what: string): grpc.handleUnaryCall<Req, Res> {
  return unary<Req, Res>(() => {
    throw new RpcError(grpc.status.UNIMPLEMENTED, `${what} is not supported by the app-platform recording monitor`);
  });
}

/** Starts the recording ResourceMonitor and Engine on 127.0.0.1 (ephemeral port). */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const { project, stack } = options;
  const dryRun = options.dryRun ?? true;
  const table = options.invokes ?? {};
  const resources: RegisteredResource[] = [];
  const byUrn = new Map<string, RegisteredResource>();
  const logs: LogEntry[] = [];
  const invokes: InvokeCall[] = [];
  let rootUrn = "";
  let closed = false;

  const record = (res: RegisteredResource): void => {
    if (byUrn.has(res.urn)) {
      // The engine's message for the same mistake.
      throw new RpcError(grpc.status.ALREADY_EXISTS, `Duplicate resource URN '${res.urn}'; try giving it a unique name`);
    }
    byUrn.set(res.urn, res);
    resources.push(res);
    // After the answer is on its way: the program waits on the answer, not on what a caller does
    // with the registration (the plan builds and sends an Analyze call). Order is kept (FIFO).
    const onResource = options.onResource;
    if (onResource) setImmediate(() => onResource(res));
  };

  const answer = async (kind: InvokeCall["kind"], token: string, args: WireObject, provider: string): Promise<WireObject> => {
    const base = { kind, token, args, provider: provider || undefined };
    if (token === "pulumi:pulumi:getResource") {
      const urn = plain<{ urn?: string }>(args).urn ?? "";
      const res = byUrn.get(urn);
      if (!res) throw new RpcError(grpc.status.NOT_FOUND, `unknown resource ${urn}`);
      invokes.push({ ...base, answered: true });
      return { urn, id: res.id ?? "", state: res.inputs };
    }
    const entry = table[token];
    if (entry === undefined) {
      const known = Object.keys(table).sort().join(", ") || "none";
      const error =
        `no answer for ${kind} "${token}" in the harness invoke table (answered: ${known}); ` + `add "${token}" to the \`invokes\` passed to runProgram`;
      invokes.push({ ...base, answered: false, error });
      throw new RpcError(grpc.status.NOT_FOUND, error);
    }
    try {
      const result = typeof entry === "function" ? await entry(plain(args), { token, provider: base.provider }) : entry;
      invokes.push({ ...base, answered: true });
      return result;
    } catch (err) {
      const error = `invoke answer for "${token}" threw: ${err instanceof Error ? err.message : String(err)}`;
      invokes.push({ ...base, answered: false, error });
      throw new RpcError(grpc.status.UNKNOWN, error);
    }
  };

  const monitor: resourcerpc.IResourceMonitorServer = {
    supportsFeature: unary((req: resourceproto.SupportsFeatureRequest) =>
      new resourceproto.SupportsFeatureResponse().setHassupport(SUPPORTED_FEATURES.has(req.getId())),
    ),

    registerResource: unary((req: resourceproto.RegisterResourceRequest) => {
      const type = req.getType();
      const name = req.getName();
      const parent = req.getParent() || undefined;
      const custom = req.getCustom();
      const object = req.getObject();
      const inputs = toWire(object);
      const propertyDependencies: Record<string, string[]> = {};
      for (const [key, deps] of req.getPropertydependenciesMap().entries()) propertyDependencies[key] = deps.getUrnsList();
      const providers: Record<string, string> = {};
      for (const [pkg, ref] of req.getProvidersMap().entries()) providers[pkg] = ref;
      const timeouts = req.getCustomtimeouts();
      const importId = req.getImportid() || undefined;
      const res: RegisteredResource = {
        urn: resourceUrn(stack, project, type, name, parent),
        type,
        name,
        custom,
        read: false,
        remote: req.getRemote(),
        parent,
        provider: req.getProvider() || undefined,
        providers,
        version: req.getVersion() || undefined,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        protect: req.getProtect() === true,
        retainOnDelete: req.getRetainondelete() === true,
        deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        hideDiffs: req.getHidediffsList(),
        aliases: [...req.getAliasurnsList().map((urn) => ({ urn })), ...req.getAliasesList().map(aliasOf)],
        deletedWith: req.getDeletedwith() || undefined,
        id: importId,
        customTimeouts:
          timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
            ? {
                create: timeouts.getCreate() || undefined,
                update: timeouts.getUpdate() || undefined,
                delete: timeouts.getDelete() || undefined,
              }
            : undefined,
        source: sourceOf(req.getSourceposition()),
        inputs,
      };
      record(res);
      if (type === ROOT_STACK_TYPE && !parent) rootUrn = res.urn;
      // Preview of a create: the state is the inputs; outputs the provider would compute are absent
      // (the SDK treats absent outputs as unknown during a dry run) and there is no id yet.
      const id = custom ? (importId ?? (dryRun ? "" : `${name}-id`)) : "";
      return new resourceproto.RegisterResourceResponse()
        .setUrn(res.urn)
        .setId(id)
        .setObject(stateStruct(object, inputs, res.additionalSecretOutputs))
        .setResult(resourceproto.Result.SUCCESS);
    }),

    readResource: unary((req: resourceproto.ReadResourceRequest) => {
      const parent = req.getParent() || undefined;
      const properties = req.getProperties();
      const inputs = toWire(properties);
      const res: RegisteredResource = {
        urn: resourceUrn(stack, project, req.getType(), req.getName(), parent),
        type: req.getType(),
        name: req.getName(),
        custom: true,
        read: true,
        remote: false,
        parent,
        provider: req.getProvider() || undefined,
        providers: {},
        version: req.getVersion() || undefined,
        dependencies: req.getDependenciesList(),
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        replaceOnChanges: [],
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        hideDiffs: [],
        aliases: [],
        id: req.getId(),
        source: sourceOf(req.getSourceposition()),
        inputs,
      };
      record(res);
      return new resourceproto.ReadResourceResponse().setUrn(res.urn).setProperties(stateStruct(properties, inputs, res.additionalSecretOutputs));
    }),

    registerResourceOutputs: unary((req: resourceproto.RegisterResourceOutputsRequest) => {
      const res = byUrn.get(req.getUrn());
      if (!res) throw new RpcError(grpc.status.NOT_FOUND, `registerResourceOutputs: unknown resource ${req.getUrn()}`);
      res.outputs = toWire(req.getOutputs());
      return new Empty();
    }),

    invoke: unary(async (req: resourceproto.ResourceInvokeRequest) => {
      const result = await answer("invoke", req.getTok(), toWire(req.getArgs()), req.getProvider());
      return new providerproto.InvokeResponse().setReturn(toStruct(result));
    }),

    call: unary(async (req: resourceproto.ResourceCallRequest) => {
      const result = await answer("call", req.getTok(), toWire(req.getArgs()), req.getProvider());
      return new providerproto.CallResponse().setReturn(toStruct(result));
    }),

    registerPackage: unary((req: resourceproto.RegisterPackageRequest) =>
      new resourceproto.RegisterPackageResponse().setRef(`${req.getName()}@${req.getVersion()}`),
    ),

    // The SDK calls this once the program is done; nothing is pending here, so answer at once.
    signalAndWaitForShutdown: unary(() => new Empty()),

    getDeploymentInfo: unimplemented("GetDeploymentInfo"),
    registerStackTransform: unimplemented("RegisterStackTransform"),
    registerStackInvokeTransform: unimplemented("RegisterStackInvokeTransform"),
    registerResourceHook: unimplemented("RegisterResourceHook"),
    registerErrorHook: unimplemented("RegisterErrorHook"),
  };

  const engine: enginerpc.IEngineServer = {
    log: unary((req: engineproto.LogRequest) => {
      const severity = SEVERITIES[req.getSeverity()] ?? "info";
      if (severity !== "debug" || options.includeDebugLogs) {
        // The runner colours stack traces for a terminal; keep the recorded text plain.
        logs.push({ severity, message: stripVTControlCharacters(req.getMessage()), urn: req.getUrn() || undefined });
      }
      return new Empty();
    }),
    getRootResource: unary(() => new engineproto.GetRootResourceResponse().setUrn(rootUrn)),
    setRootResource: unary((req: engineproto.SetRootResourceRequest) => {
      rootUrn = req.getUrn();
      return new engineproto.SetRootResourceResponse();
    }),
    startDebugging: unary(() => new Empty()),
    // There is no CLI here; the SDK in node_modules is what runs, so any requirement is accepted.
    requirePulumiVersion: unary(() => new engineproto.RequirePulumiVersionResponse()),
  };

  const server = new grpc.Server();
  server.addService(resourcerpc.ResourceMonitorService, monitor);
  server.addService(enginerpc.EngineService, engine);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  return {
    address: `127.0.0.1:${port}`,
    resources,
    logs,
    invokes,
    stackOutputs: () => (rootUrn ? byUrn.get(rootUrn)?.outputs : undefined) ?? {},
    get closed() {
      return closed;
    },
    async close() {
      if (closed) return;
      closed = true;
      server.forceShutdown();
    },
  };
}
