/**
 * Path 2: run the real pack entry (`policies/index.ts`) the way the Pulumi CLI does, without the CLI.
 *
 * What the engine does for a Node.js pack (pulumi `NewPolicyAnalyzer` + the
 * `pulumi-analyzer-policy` shim):
 *  - starts `node <@pulumi/pulumi/cmd/run-policy-pack> <engine-address> .` with the pack folder as
 *    working directory (the runner resolves from there, so the root node_modules serve the pack),
 *    and with `PULUMI_CONFIG`, `PULUMI_[NODEJS_]PROJECT|STACK|ORGANIZATION|DRY_RUN` in the
 *    environment; the runner registers ts-node (type-checked) and requires the pack, whose
 *    `PolicyPack` constructor starts a gRPC server on 127.0.0.1 and prints its port on stdout;
 *  - calls `Handshake` (the Node.js SDK answers UNIMPLEMENTED: fine), `ConfigureStack` (stack,
 *    project, tags, dry run), `GetAnalyzerInfo`, then `Configure` with every policy's level and
 *    properties (schema defaults overlaid by the `--policy-pack-config` file);
 *  - `Analyze` per resource (inputs), `AnalyzeStack` once (all resources), then stops the process.
 * The engine address is passed but not used by the Node.js runner (the pack never calls back).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { reconcileConfig } from "./config";
import { TEST_PROJECT, TEST_STACK, urnOf, type AnalysisResult, type RunOptions, type TestResource, type Violation } from "./types";

/** The pack folder of this repository. */
export const PACK_DIR = path.resolve(__dirname, "../../../policies");

export interface StartOptions {
  /** @default the pack of this repository (`policies/`) */
  readonly packDir?: string;
  /** How long the pack may take to print its port (ts-node type-checks it first). @default 90_000 */
  readonly startTimeoutMs?: number;
  /** Deadline of each RPC. @default 30_000 */
  readonly callTimeoutMs?: number;
  /** Stack name the engine passes (`PULUMI_STACK`). @default "test" */
  readonly stack?: string;
  /** @default "app-platform" */
  readonly project?: string;
  /**
   * Type-check the pack while loading it, as the engine's runner does (`run-policy-pack`
   * hard-codes ts-node's `typeCheck: true`). `false` preloads `transpile-only.js`, which makes
   * that same runner transpile the pack with swc instead: the same pack and protocol without the
   * ~5 s type check, for callers behind the `npm run typecheck` gate (the offline plan).
   * @default true
   */
  readonly typeCheck?: boolean;
}

/** The preload that switches the runner's ts-node registration to swc (`StartOptions.typeCheck: false`). */
export const TRANSPILE_ONLY_PRELOAD = path.join(__dirname, "transpile-only.js");

export interface AnalyzerPolicyInfo {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly configSchema?: { properties: Record<string, { default?: unknown }> };
  readonly tags: readonly string[];
}

export interface AnalyzerInfo {
  readonly name: string;
  readonly version: string;
  readonly policies: readonly AnalyzerPolicyInfo[];
}

/**
 * What `AnalyzeStack`'s deadline allows per resource on top of `callTimeoutMs`. The plan of a
 * synthetic 200-product catalog (13 525 resources, 2 cores) spent 72 s (5 ms per resource) in the
 * policy step after the program, the queued `Analyze` calls and then `AnalyzeStack`, which a fixed
 * 30 s deadline failed; four times that rate still stops a pack that hangs.
 */
export const ANALYZE_STACK_MS_PER_RESOURCE = 20;

const LEVEL_TO_PROTO: Record<EnforcementLevel, analyzerpb.EnforcementLevel> = {
  advisory: analyzerpb.EnforcementLevel.ADVISORY,
  mandatory: analyzerpb.EnforcementLevel.MANDATORY,
  disabled: analyzerpb.EnforcementLevel.DISABLED,
  remediate: analyzerpb.EnforcementLevel.REMEDIATE,
};

function levelFromProto(level: analyzerpb.EnforcementLevel): EnforcementLevel {
  const found = (Object.keys(LEVEL_TO_PROTO) as EnforcementLevel[]).find((k) => LEVEL_TO_PROTO[k] === level);
  if (!found) throw new Error(`unknown enforcement level ${level}`);
  return found;
}

function toStruct(value: Record<string, unknown>): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as Record<string, JavaScriptValue>);
}

/**
 * Properties converted to their gRPC form once per properties object, for a caller that sends the
 * same resources, unchanged, to `Analyze` and then `AnalyzeStack` (the plan): each resource's
 * inputs are converted once instead of twice, and a provider's inputs once instead of once for
 * every resource it manages. Only for objects nobody changes after their first call.
 */
export class PropertyStructs {
  private readonly structs = new WeakMap<object, Struct>();

  of(props: Record<string, unknown>): Struct {
    let struct = this.structs.get(props);
    if (!struct) {
      struct = toStruct(props);
      this.structs.set(props, struct);
    }
    return struct;
  }
}

const convertEachTime = { of: toStruct };

function resultOf(resp: analyzerpb.AnalyzeResponse): AnalysisResult {
  const violations: Violation[] = resp.getDiagnosticsList().map((d) => ({
    policyName: d.getPolicyname(),
    message: d.getMessage(),
    enforcementLevel: levelFromProto(d.getEnforcementlevel()),
    ...(d.getUrn() ? { urn: d.getUrn() } : {}),
  }));
  const notApplicable = resp.getNotApplicableList().map((n) => ({
    policyName: n.getPolicyName(),
    ...(n.getReason() ? { reason: n.getReason() } : {}),
  }));
  return { violations, notApplicable };
}

function optionsProto(r: TestResource): analyzerpb.AnalyzerResourceOptions {
  const opts = new analyzerpb.AnalyzerResourceOptions();
  opts.setProtect(r.protect ?? false);
  const timeouts = new analyzerpb.AnalyzerResourceOptions.CustomTimeouts();
  opts.setCustomtimeouts(timeouts);
  if (r.parent) opts.setParent(r.parent);
  return opts;
}

function providerProto(r: TestResource, structs: Pick<PropertyStructs, "of">): analyzerpb.AnalyzerProviderResource | undefined {
  if (!r.provider) return undefined;
  const p = new analyzerpb.AnalyzerProviderResource();
  p.setType(r.provider.type);
  p.setName(r.provider.name);
  p.setUrn(r.provider.urn);
  p.setProperties(structs.of(r.provider.props));
  return p;
}

/**
 * Sets what the engine says about every resource (URN, type, name, properties, options,
 * provider) on either message that carries it: `AnalyzeRequest` or `AnalyzerResource`.
 */
function describeResource<M extends analyzerpb.AnalyzeRequest | analyzerpb.AnalyzerResource>(msg: M, r: TestResource, structs: Pick<PropertyStructs, "of">): M {
  msg.setUrn(urnOf(r));
  msg.setType(r.type);
  msg.setName(r.name);
  msg.setProperties(structs.of(r.props));
  msg.setOptions(optionsProto(r));
  const provider = providerProto(r, structs);
  if (provider) msg.setProvider(provider);
  return msg;
}

/** A running policy pack process and a gRPC client to it. Always `stop()` it. */
export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
    private readonly callTimeoutMs: number,
    readonly port: number,
    private readonly stderr: () => string,
    private readonly stack: string,
    private readonly project: string,
  ) {}

  /** Spawns the pack as the engine does and waits for its port (fails clearly on timeout). */
  static async start(options: StartOptions = {}): Promise<PolicyPackProcess> {
    const packDir = options.packDir ?? PACK_DIR;
    const stack = options.stack ?? TEST_STACK;
    const project = options.project ?? TEST_PROJECT;
    const startTimeoutMs = options.startTimeoutMs ?? 90_000;
    // What the `pulumi-analyzer-policy` shim does: resolve the runner from the pack's folder.
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PULUMI_CONFIG: "{}",
      PULUMI_NODEJS_PROJECT: project,
      PULUMI_NODEJS_STACK: stack,
      PULUMI_NODEJS_ORGANIZATION: "organization",
      PULUMI_NODEJS_DRY_RUN: "true",
      PULUMI_PROJECT: project,
      PULUMI_STACK: stack,
      PULUMI_ORGANIZATION: "organization",
      PULUMI_DRY_RUN: "true",
    };
    const engineAddress = "127.0.0.1:0";
    const preload = options.typeCheck === false ? ["-r", TRANSPILE_ONLY_PRELOAD] : [];
    const child = spawn(process.execPath, [...preload, runner, engineAddress, "."], { cwd: packDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    let port: number;
    try {
      port = await new Promise<number>((resolve, reject) => {
        let stdout = "";
        const timer = setTimeout(() => reject(new Error(`policy pack did not print its port within ${startTimeoutMs} ms\nstderr:\n${stderr}`)), startTimeoutMs);
        child.stdout?.on("data", (d: Buffer) => {
          stdout += d.toString();
          const line = stdout.split("\n")[0];
          if (stdout.includes("\n")) {
            clearTimeout(timer);
            const n = Number(line.trim());
            if (Number.isInteger(n) && n > 0) resolve(n);
            else reject(new Error(`policy pack printed "${line}" instead of a port\nstderr:\n${stderr}`));
          }
        });
        child.on("exit", (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`policy pack exited (code ${code}, signal ${signal}) before printing its port\nstderr:\n${stderr}`));
        });
        child.on("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
    } catch (e) {
      await stopChild(child);
      throw e;
    }
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
    });
    const callTimeoutMs = options.callTimeoutMs ?? 30_000;
    const pack = new PolicyPackProcess(child, client, callTimeoutMs, port, () => stderr, stack, project);
    try {
      await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + callTimeoutMs, (err) => (err ? reject(err) : resolve())));
    } catch (e) {
      await pack.stop();
      throw e;
    }
    return pack;
  }

  private call<Req, Res>(
    method: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
    request: Req,
    name: string,
    timeoutMs = this.callTimeoutMs,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      method.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) {
          const e = new Error(`${name} failed: ${err.message}\nstderr:\n${this.stderr()}`) as Error & { code?: number };
          e.code = err.code;
          reject(e);
        } else resolve(res);
      });
    });
  }

  /** `Handshake`: true when the pack implements it (the Node.js SDK 1.21 does not). */
  async handshake(): Promise<boolean> {
    const req = new analyzerpb.AnalyzerHandshakeRequest();
    req.setEngineAddress("127.0.0.1:0");
    try {
      await this.call(this.client.handshake, req, "Handshake");
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === grpc.status.UNIMPLEMENTED) return false;
      throw e;
    }
  }

  /** `ConfigureStack`: stack identity and tags. */
  async configureStack(tags: Readonly<Record<string, string>> = {}): Promise<void> {
    const req = new analyzerpb.AnalyzerStackConfigureRequest();
    req.setStack(this.stack);
    req.setProject(this.project);
    req.setOrganization("organization");
    req.setDryRun(true);
    for (const [k, v] of Object.entries(tags)) req.getTagsMap().set(k, v);
    await this.call(this.client.configureStack, req, "ConfigureStack");
  }

  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    const info = await this.call(this.client.getAnalyzerInfo, new Empty(), "GetAnalyzerInfo");
    return {
      name: info.getName(),
      version: info.getVersion(),
      policies: info.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        const props = schema?.getProperties()?.toJavaScript() as Record<string, { default?: unknown }> | undefined;
        return {
          name: p.getName(),
          description: p.getDescription(),
          enforcementLevel: levelFromProto(p.getEnforcementlevel()),
          ...(props ? { configSchema: { properties: props } } : {}),
          tags: p.getTagsList(),
        };
      }),
    };
  }

  /** `Configure` with the reconciled config of every policy, as the engine sends it. */
  async configure(info: AnalyzerInfo, config: RunOptions["config"]): Promise<void> {
    const reconciled = reconcileConfig(info.policies as unknown as Policies, config);
    const req = new analyzerpb.ConfigureAnalyzerRequest();
    for (const [name, c] of Object.entries(reconciled)) {
      const pc = new analyzerpb.PolicyConfig();
      pc.setEnforcementlevel(LEVEL_TO_PROTO[c.enforcementLevel]);
      pc.setProperties(toStruct(c.properties));
      req.getPolicyconfigMap().set(name, pc);
    }
    await this.call(this.client.configure, req, "Configure");
  }

  /** Engine order: Handshake, ConfigureStack, GetAnalyzerInfo, Configure. */
  async setUp(options: RunOptions = {}): Promise<AnalyzerInfo> {
    await this.handshake();
    await this.configureStack(options.stackTags);
    const info = await this.getAnalyzerInfo();
    await this.configure(info, options.config);
    return info;
  }

  /** `Analyze` one resource; `structs` converts its properties (default: afresh each call). */
  async analyze(r: TestResource, structs?: PropertyStructs): Promise<AnalysisResult> {
    const req = describeResource(new analyzerpb.AnalyzeRequest(), r, structs ?? convertEachTime);
    return resultOf(await this.call(this.client.analyze, req, "Analyze"));
  }

  /** `AnalyzeStack` over every resource; `structs` converts their properties (default: afresh each call). */
  async analyzeStack(resources: readonly TestResource[], structs?: PropertyStructs): Promise<AnalysisResult> {
    const req = new analyzerpb.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const ar = describeResource(new analyzerpb.AnalyzerResource(), r, structs ?? convertEachTime);
        if (r.parent) ar.setParent(r.parent);
        ar.setDependenciesList([...(r.dependencies ?? [])]);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
          if (urns.length === 0) continue;
          const deps = new analyzerpb.AnalyzerPropertyDependencies();
          deps.setUrnsList([...urns]);
          ar.getPropertydependenciesMap().set(k, deps);
        }
        return ar;
      }),
    );
    // The pack's work grows with the stack (its server deserializes every resource once per
    // stack rule), so the deadline does too.
    const timeoutMs = this.callTimeoutMs + resources.length * ANALYZE_STACK_MS_PER_RESOURCE;
    return resultOf(await this.call(this.client.analyzeStack, req, "AnalyzeStack", timeoutMs));
  }

  /** Closes the client and ends the process (SIGTERM, then SIGKILL after 5 s). */
  async stop(): Promise<void> {
    this.client.close();
    await stopChild(this.child);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Starts the pack, runs `use`, and always stops the process. */
export async function withPolicyPack<T>(options: StartOptions, use: (pack: PolicyPackProcess) => Promise<T>): Promise<T> {
  const pack = await PolicyPackProcess.start(options);
  try {
    return await use(pack);
  } finally {
    await pack.stop();
  }
}
