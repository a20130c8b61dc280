/**
 * Pulumi mocks that record every registered resource, for unit tests of components and stacks.
 *
 * Usage (one per test file; vitest runs each file in its own process):
 *
 *   const rec = installRecordingMocks();            // at module top level, before creating resources
 *   beforeEach(() => rec.reset());
 *   it("...", async () => {
 *     const c = new MyComponent("x", args);
 *     const all = await rec.settle();               // waits for every registration
 *     const dep = rec.one("kubernetes:apps/v1:Deployment");
 *     expect(dep.inputs.spec.replicas).toBe(3);
 *   });
 *
 * Inputs are recorded as the mock monitor receives them, after Pulumi has serialised them, with
 * secrets unwrapped into plain values; `secretPaths` lists which input paths arrived as secrets
 * (the monitor is told with `keepSecrets`), so tests can prove secretness end to end.
 */
import * as pulumi from "@pulumi/pulumi";
import { placeholderVercelDns, placeholderVerificationCode } from "../../tools/engine/offline-stack";
import type { GetZoneResult } from "@pulumi/cloudflare";
import type { GetCallerIdentityResult, GetPartitionResult, GetRegionResult } from "@pulumi/aws";
import type { GetDomainConfigResult, GetEndpointVerificationResult, GetProjectResult } from "@pulumiverse/vercel";

export interface RecordedResource {
  /** Full Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
  readonly type: string;
  /** Logical name given to the constructor. */
  readonly name: string;
  /** Inputs with secrets unwrapped. */
  readonly inputs: Record<string, any>;
  /** Dotted paths of inputs that were Pulumi secrets when they reached the monitor. */
  readonly secretPaths: string[];
  /** Whether this is a component (registered, not created by a provider). */
  readonly custom: boolean;
  /** The provider reference the resource was given, if any. */
  readonly provider?: string;
}

export interface RecordedCall {
  readonly token: string;
  readonly inputs: Record<string, any>;
}

/** Answers for data-source invokes, keyed by token (e.g. `cloudflare:index/getZone:getZone`). */
export type InvokeAnswers = Record<string, (inputs: Record<string, any>) => Record<string, any>>;

/** Splits a serialised value into its plain form and the paths that were secrets. */
export function unwrapSecrets(value: any, path = "", paths: string[] = []): { plain: any; paths: string[] } {
  const walk = (v: any, p: string): any => {
    if (v && typeof v === "object" && v[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
      paths.push(p || "(root)");
      return walk(v.value, p);
    }
    if (pulumi.Output.isInstance?.(v)) return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${p}[${i}]`));
    if (v && typeof v === "object") {
      const out: Record<string, any> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, p ? `${p}.${k}` : k);
      return out;
    }
    return v;
  };
  return { plain: walk(value, path), paths };
}

/**
 * The lookups' answers, each in the shape the pinned provider SDK declares for its result (the
 * `Get*Result` types generated from the providers' schemas, checked with `satisfies`), like the
 * offline plan's (tools/engine/offline-stack.ts `invokeAnswers`).
 */
const DEFAULT_INVOKES: InvokeAnswers = {
  "cloudflare:index/getZone:getZone": (args) =>
    ({
      zoneId: "0123456789abcdef0123456789abcdef",
      id: "0123456789abcdef0123456789abcdef",
      name: args?.filter?.name ?? "example.com",
    }) satisfies Partial<GetZoneResult>,
  // Vercel's per-domain DNS recommendation, the values the offline plan answers too.
  // The project prod created, as Vercel answers a lookup by name.
  "vercel:index/getProject:getProject": (args) => ({ ...args, id: `prj_${args?.name}` }) satisfies Partial<GetProjectResult>,
  "vercel:index/getDomainConfig:getDomainConfig": (args) =>
    ({
      id: `${args?.projectIdOrName}/${args?.domain}`,
      domain: args?.domain,
      projectIdOrName: args?.projectIdOrName,
      ...placeholderVercelDns(String(args?.projectIdOrName)),
    }) satisfies Partial<GetDomainConfigResult>,
  // The team's drain-endpoint verification code, as the offline plan answers it (its comment cites the shape).
  "vercel:index/getEndpointVerification:getEndpointVerification": (args) =>
    ({
      ...placeholderVerificationCode(String(args?.teamId ?? "")),
      ...(args?.teamId ? { teamId: args.teamId } : {}),
    }) satisfies Partial<GetEndpointVerificationResult>,
  "aws:index/getCallerIdentity:getCallerIdentity": () =>
    ({
      accountId: "123456789012",
      arn: "arn:aws:iam::123456789012:user/test",
      userId: "AIDATEST",
      id: "123456789012",
    }) satisfies Partial<GetCallerIdentityResult>,
  "aws:index/getRegion:getRegion": () => ({ name: "us-east-1", region: "us-east-1", id: "us-east-1" }) satisfies Partial<GetRegionResult>,
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }) satisfies Partial<GetPartitionResult>,
};

export interface RecordingMocks {
  readonly resources: RecordedResource[];
  readonly calls: RecordedCall[];
  /** Forget everything recorded so far (call in `beforeEach`). */
  reset(): void;
  /** Waits until registrations stop arriving, then returns everything recorded. */
  settle(): Promise<RecordedResource[]>;
  /** Every recorded resource of the given type token. */
  ofType(type: string): RecordedResource[];
  /** The single resource of the type (and, if given, name); throws when there are 0 or > 1. */
  one(type: string, name?: string): RecordedResource;
  /** The recorded resource with exactly this logical name; throws when missing. */
  named(name: string): RecordedResource;
  /** Every recorded custom (provider-created) resource as `"<type> <name>"`, sorted. */
  customChildren(): string[];
}

/**
 * Installs Pulumi mocks for this process and returns the recorder.
 * @param opts.project the Pulumi project name (default `app-platform`)
 * @param opts.stack the stack name (default `staging`)
 * @param opts.invokes extra or overriding answers for data-source invokes
 */
export function installRecordingMocks(opts: { project?: string; stack?: string; invokes?: InvokeAnswers; preview?: boolean } = {}): RecordingMocks {
  const resources: RecordedResource[] = [];
  const calls: RecordedCall[] = [];
  const invokes = { ...DEFAULT_INVOKES, ...(opts.invokes ?? {}) };
  let lastActivity = Date.now();

  const mocks: pulumi.runtime.Mocks = {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      lastActivity = Date.now();
      const { plain, paths } = unwrapSecrets(args.inputs);
      resources.push({
        type: args.type,
        name: args.name,
        inputs: plain,
        secretPaths: paths,
        custom: args.custom ?? true,
        provider: args.provider,
      });
      // The mock monitor passes `id: ""` for resources that are not imported.
      const id = args.id || `${args.name}-id`;
      const state: Record<string, any> = { ...args.inputs };
      // Common computed outputs that components read back.
      if (args.type.startsWith("aws:")) state.arn ??= `arn:aws:mock:::${args.name}`;
      if (args.type === "aws:s3/bucket:Bucket") state.bucket ??= args.inputs.bucket ?? args.name;
      if (args.type === "cloudflare:index/r2Bucket:R2Bucket") state.name ??= args.inputs.name ?? args.name;
      if (args.type === "random:index/randomPassword:RandomPassword") {
        state.result = pulumi.secret(`mock-password-${args.name}`.padEnd(args.inputs.length ?? 32, "x"));
      }
      if (args.type === "time:index/rotating:Rotating") state.rfc3339 ??= "2026-01-01T00:00:00Z";
      // The provider returns a created token's value; an empty one fails the backup job.
      if (args.type === "cloudflare:index/apiToken:ApiToken") state.value ??= pulumi.secret(`mock-token-value-${args.name}`);
      // Vercel generates a project's automation-bypass secret; the provider marks it secret.
      if (args.type === "vercel:index/projectProtectionBypass:ProjectProtectionBypass") state.secret ??= pulumi.secret(`mock-bypass-${args.name}`);
      return { id, state };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      lastActivity = Date.now();
      calls.push({ token: args.token, inputs: args.inputs });
      const answer = invokes[args.token];
      return answer ? answer(args.inputs) : args.inputs;
    },
  };

  pulumi.runtime.setMocks(mocks, opts.project ?? "app-platform", opts.stack ?? "staging", opts.preview ?? false);

  const find = (type: string) => resources.filter((r) => r.type === type);
  return {
    resources,
    calls,
    reset() {
      resources.length = 0;
      calls.length = 0;
    },
    async settle() {
      // Registrations are asynchronous; wait until none has arrived for a short quiet period.
      lastActivity = Date.now();
      while (Date.now() - lastActivity < 50) {
        await new Promise((r) => setTimeout(r, 10));
      }
      return resources;
    },
    ofType: find,
    one(type: string, name?: string) {
      const hits = find(type).filter((r) => name === undefined || r.name === name);
      if (hits.length !== 1) {
        const seen = resources.map((r) => `${r.type} ${r.name}`).join("\n  ");
        throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${hits.length}; recorded:\n  ${seen}`);
      }
      return hits[0];
    },
    customChildren() {
      return resources
        .filter((r) => r.custom)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
    },
    named(name: string) {
      const hit = resources.find((r) => r.name === name);
      if (!hit) throw new Error(`no resource named ${name}; recorded: ${resources.map((r) => r.name).join(", ")}`);
      return hit;
    },
  };
}

/** Resolves an Output's value in tests (mocks run the apply chain). */
export function valueOf<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** What `withCredentialSecrets` gives an IAM access key as its provider-computed `secret`. */
export const MOCK_AWS_SECRET_ACCESS_KEY = "mock-aws-secret-access-key";
/** What `withCredentialSecrets` gives a Cloudflare API token as its `value` unless told otherwise. */
export const MOCK_CLOUDFLARE_TOKEN_VALUE = "mock-cloudflare-token-value";

/**
 * Over the mocks installed (call after `installRecordingMocks`), adds the provider-computed secrets
 * the backup and release jobs read, which mocks that echo inputs as state lack: an IAM access key's
 * `secret` (aws `iam.AccessKey` output) and a Cloudflare API token's `value` (cloudflare `ApiToken`
 * output), so their flow into the jobs' Secrets can be asserted. `tokenValue` is read at each
 * registration, so a test can change it (e.g. to the empty value an R2 token must never have).
 */
export function withCredentialSecrets(tokenValue: () => string = () => MOCK_CLOUDFLARE_TOKEN_VALUE): void {
  const monitor = pulumi.runtime.getMonitor() as any;
  const mocks = monitor.mocks as pulumi.runtime.Mocks;
  monitor.mocks = {
    ...mocks,
    newResource(a: pulumi.runtime.MockResourceArgs) {
      const result = mocks.newResource(a) as { id: string; state: Record<string, any> };
      if (a.type === "aws:iam/accessKey:AccessKey") result.state.secret = MOCK_AWS_SECRET_ACCESS_KEY;
      if (a.type === "cloudflare:index/apiToken:ApiToken") result.state.value = tokenValue();
      return result;
    },
  };
}
