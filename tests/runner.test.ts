/**
 * The offline runner harness (tools/engine/harness): runs tests/fixtures/runner-program through Pulumi's
 * own Node.js runner against the recording engine, as `pulumi preview` would.
 *
 * The runner is started three times in all, concurrently in `beforeAll` (a preview, a program that
 * throws, a program that never exits); every other test talks to the recorder or reads files
 * directly and takes milliseconds.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as resourcerpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resourceproto from "@pulumi/pulumi/proto/resource_pb";
import { beforeAll, describe, expect, it } from "vitest";
import {
  oneResource,
  plain,
  readProject,
  readStackConfig,
  resolveProgram,
  resourceUrn,
  runStack,
  secret,
  secretPaths,
  stackRunConfig,
  startRecorder,
  StackConfigError,
  UNKNOWN,
  unknownPaths,
  valueAt,
  type RunResult,
} from "../tools/engine/harness";

const FIXTURE = path.join(__dirname, "fixtures", "runner-program");
const API_KEY = "s3cr3t-key";
const ZONE_ID = "0123456789abcdef0123456789abcdef";
const URN = (qualifiedType: string, name: string) => `urn:pulumi:test::runner-fixture::${qualifiedType}::${name}`;
const STACK_URN = URN("pulumi:pulumi:Stack", "runner-fixture-test");
const PROVIDER_URN = URN("pulumi:providers:kubernetes", "fixture-k8s");
const APP_URN = URN("runner-fixture:index:App", "hello");

/** Resolves to the connection error code, or "connected" when something still listens. */
function probe(address: string): Promise<string> {
  const [host, port] = address.split(":");
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), host);
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function run(configOverrides: Record<string, string>, timeoutMs?: number): Promise<RunResult> {
  return runStack({
    projectDir: FIXTURE,
    stack: "test",
    secretValues: { "runner-fixture:apiKey": API_KEY },
    configOverrides,
    invokes: {
      "cloudflare:index/getZone:getZone": (args) => ({ zoneId: ZONE_ID, id: ZONE_ID, name: args.filter?.name }),
    },
    // Loaded as Pulumi.yaml says (its tsconfig.pulumi.json: no type check), as for the real program.
    timeoutMs,
  });
}

describe("runStack through Pulumi's Node.js runner", () => {
  let preview: RunResult;
  let failed: RunResult;
  let hung: RunResult;

  beforeAll(async () => {
    [preview, failed, hung] = await Promise.all([run({}), run({ "runner-fixture:fail": "true" }), run({ "runner-fixture:hang": "true" }, 3_000)]);
    for (const [label, r] of [
      ["preview", preview],
      ["failing", failed],
      ["hanging", hung],
    ] as const) {
      console.info(`[runner.test] ${label} run: ${r.durationMs} ms, exit ${r.exitCode}`);
    }
  });

  describe("a preview", () => {
    it("succeeds with no error logged", () => {
      expect(preview.logs.filter((l) => l.severity === "error")).toEqual([]);
      expect(preview.exitCode).toBe(0);
      expect(preview.timedOut).toBe(false);
      expect(preview.ok).toBe(true);
    });

    it("records every resource with its type, name, parent and engine URN", () => {
      const seen = preview.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, custom: r.custom, parent: r.parent }));
      const suffixUrn = URN("runner-fixture:index:App$random:index/randomString:RandomString", "hello-suffix");
      expect(seen).toEqual(
        expect.arrayContaining([
          { urn: STACK_URN, type: "pulumi:pulumi:Stack", name: "runner-fixture-test", custom: false, parent: undefined },
          { urn: PROVIDER_URN, type: "pulumi:providers:kubernetes", name: "fixture-k8s", custom: true, parent: STACK_URN },
          { urn: APP_URN, type: "runner-fixture:index:App", name: "hello", custom: false, parent: STACK_URN },
          { urn: suffixUrn, type: "random:index/randomString:RandomString", name: "hello-suffix", custom: true, parent: APP_URN },
          {
            urn: URN("runner-fixture:index:App$kubernetes:core/v1:Secret", "hello-api-key"),
            type: "kubernetes:core/v1:Secret",
            name: "hello-api-key",
            custom: true,
            parent: APP_URN,
          },
          {
            urn: URN("runner-fixture:index:App$kubernetes:core/v1:ConfigMap", "hello-settings"),
            type: "kubernetes:core/v1:ConfigMap",
            name: "hello-settings",
            custom: true,
            parent: APP_URN,
          },
        ]),
      );
      expect(seen).toHaveLength(6);
      expect(preview.resources[0].urn).toBe(STACK_URN);
    });

    it("records provider references: explicit through the component, default otherwise", () => {
      // During preview a new provider has no id yet, so its reference ends in the unknown id.
      const ref = `${PROVIDER_URN}::${UNKNOWN}`;
      expect(oneResource(preview, "runner-fixture:index:App").providers).toEqual({ kubernetes: ref });
      expect(oneResource(preview, "kubernetes:core/v1:Secret").provider).toBe(ref);
      expect(oneResource(preview, "kubernetes:core/v1:ConfigMap").provider).toBe(ref);
      expect(oneResource(preview, "random:index/randomString:RandomString").provider).toBeUndefined();
      expect(oneResource(preview, "random:index/randomString:RandomString").version).toBe("4.21.2");
    });

    it("records resource options and dependencies", () => {
      const suffix = oneResource(preview, "random:index/randomString:RandomString");
      const secretRes = oneResource(preview, "kubernetes:core/v1:Secret");
      const settings = oneResource(preview, "kubernetes:core/v1:ConfigMap");
      expect(secretRes.protect).toBe(true);
      expect(settings.protect).toBe(false);
      expect(secretRes.additionalSecretOutputs).toEqual(["data", "stringData"]);
      expect(settings.ignoreChanges).toEqual(["data.replicas"]);
      expect(settings.dependencies).toEqual([suffix.urn]);
      expect(settings.propertyDependencies.metadata).toEqual([suffix.urn]);
      expect(settings.source?.uri).toMatch(/runner-program\/index\.ts$/);
    });

    it("keeps a secret config value marked as a secret in the resource inputs", () => {
      const suffix = oneResource(preview, "random:index/randomString:RandomString");
      expect(suffix.inputs.keepers).toEqual({ apiKey: secret(API_KEY) });
      expect(secretPaths(suffix.inputs)).toEqual(["keepers.apiKey"]);
      expect(plain(suffix.inputs)).toEqual({ keepers: { apiKey: API_KEY }, length: 6, special: false, upper: false });
      expect(secretPaths(oneResource(preview, "kubernetes:core/v1:Secret").inputs)).toEqual(["stringData"]);
    });

    it("passes config like the CLI: object values as JSON, provider namespaces, Pulumi.yaml defaults", () => {
      const secretRes = oneResource(preview, "kubernetes:core/v1:Secret");
      expect(valueAt(secretRes.inputs, "metadata.labels")).toEqual({ team: "platform", tier: "web", "app.kubernetes.io/name": "hello" });
      expect(valueAt(oneResource(preview, "kubernetes:core/v1:ConfigMap").inputs, "data.replicas")).toBe("2");
      expect(preview.stackOutputs.awsRegion).toBe("eu-west-1");
    });

    it("leaves outputs that only a provider computes unknown, as a preview does", () => {
      const settings = oneResource(preview, "kubernetes:core/v1:ConfigMap");
      expect(unknownPaths(settings.inputs)).toEqual(["metadata.name"]);
    });

    it("answers the invoke from the table and the answer reaches the program", () => {
      expect(preview.invokes).toEqual([
        {
          kind: "invoke",
          token: "cloudflare:index/getZone:getZone",
          args: { filter: { name: "example.com" } },
          provider: undefined,
          answered: true,
        },
      ]);
      expect(valueAt(oneResource(preview, "kubernetes:core/v1:ConfigMap").inputs, "data.zoneId")).toBe(ZONE_ID);
    });

    it("records the stack outputs with secret and unknown markers", () => {
      expect(plain(preview.stackOutputs)).toEqual({
        secretName: "hello-api-key",
        zoneId: ZONE_ID,
        awsRegion: "eu-west-1",
        apiKeyLength: API_KEY.length,
        suffix: UNKNOWN,
      });
      expect(secretPaths(preview.stackOutputs)).toEqual(["apiKeyLength"]);
      expect(oneResource(preview, "runner-fixture:index:App").outputs).toEqual({ secretName: "hello-api-key", suffix: UNKNOWN });
    });

    it("records engine logs with severity and the resource they name", () => {
      expect(preview.logs).toEqual([
        { severity: "info", message: "runner-fixture: planning hello in eu-west-1", urn: undefined },
        { severity: "warning", message: "runner-fixture: this is a fixture", urn: APP_URN },
      ]);
    });

    it("closes the recording engine afterwards", async () => {
      expect(await probe(preview.address)).toBe("ECONNREFUSED");
    });
  });

  describe("a program that throws", () => {
    it("fails fast with a non-zero exit and the program's error in the logs", async () => {
      expect(failed.ok).toBe(false);
      expect(failed.timedOut).toBe(false);
      expect(failed.exitCode).not.toBe(0);
      const errors = failed.logs.filter((l) => l.severity === "error").map((l) => l.message);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain("runner-fixture was asked to fail: config `runner-fixture:fail` is true");
      expect(failed.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
      expect(await probe(failed.address)).toBe("ECONNREFUSED");
    });
  });

  describe("a program that never exits", () => {
    it("is killed at the timeout and the engine is closed", async () => {
      expect(hung.timedOut).toBe(true);
      expect(hung.ok).toBe(false);
      expect(hung.exitCode).toBe(-1);
      expect(hung.stderr).toContain("program did not finish within 3000 ms; killed");
      expect(hung.durationMs).toBeLessThan(15_000);
      expect(await probe(hung.address)).toBe("ECONNREFUSED");
    });
  });
});

describe("recording monitor (called directly over gRPC)", () => {
  function client(address: string) {
    return new resourcerpc.ResourceMonitorClient(address, grpc.credentials.createInsecure());
  }
  function callUnary<Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req) {
    return new Promise<Res>((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
  }

  it("rejects an invoke whose token is not in the table, naming the token", async () => {
    const rec = await startRecorder({ project: "p", stack: "s", invokes: { "aws:index/getRegion:getRegion": { name: "eu-west-1" } } });
    const c = client(rec.address);
    try {
      const req = new resourceproto.ResourceInvokeRequest().setTok("vercel:index/getProject:getProject").setArgs(Struct.fromJavaScript({ name: "web" }));
      await expect(callUnary(c.invoke.bind(c), req)).rejects.toThrow(
        'no answer for invoke "vercel:index/getProject:getProject" in the harness invoke table (answered: aws:index/getRegion:getRegion)',
      );
      expect(rec.invokes).toEqual([expect.objectContaining({ token: "vercel:index/getProject:getProject", answered: false })]);
    } finally {
      c.close();
      await rec.close();
    }
  });

  it("reports outputValues and transforms unsupported, secrets supported", async () => {
    const rec = await startRecorder({ project: "p", stack: "s" });
    const c = client(rec.address);
    try {
      const ask = async (id: string) =>
        (
          await callUnary<resourceproto.SupportsFeatureRequest, resourceproto.SupportsFeatureResponse>(
            c.supportsFeature.bind(c),
            new resourceproto.SupportsFeatureRequest().setId(id),
          )
        ).getHassupport();
      expect(await ask("secrets")).toBe(true);
      expect(await ask("outputValues")).toBe(false);
      expect(await ask("transforms")).toBe(false);
    } finally {
      c.close();
      await rec.close();
    }
    expect(rec.closed).toBe(true);
    expect(await probe(rec.address)).toBe("ECONNREFUSED");
  });

  it("rejects a duplicate URN like the engine", async () => {
    const rec = await startRecorder({ project: "p", stack: "s" });
    const c = client(rec.address);
    try {
      const req = new resourceproto.RegisterResourceRequest().setType("aws:s3/bucket:Bucket").setName("b").setCustom(true);
      await callUnary(c.registerResource.bind(c), req);
      await expect(callUnary(c.registerResource.bind(c), req)).rejects.toThrow(
        "Duplicate resource URN 'urn:pulumi:s::p::aws:s3/bucket:Bucket::b'; try giving it a unique name",
      );
    } finally {
      c.close();
      await rec.close();
    }
  });

  it("builds URNs from the full parent type chain, leaving out the root stack", () => {
    const stack = resourceUrn("s", "p", "pulumi:pulumi:Stack", "p-s");
    const comp = resourceUrn("s", "p", "a:b:C", "c", stack);
    expect(comp).toBe("urn:pulumi:s::p::a:b:C::c");
    const inner = resourceUrn("s", "p", "d:e:F", "f", comp);
    expect(resourceUrn("s", "p", "aws:s3/bucket:Bucket", "x", inner)).toBe("urn:pulumi:s::p::a:b:C$d:e:F$aws:s3/bucket:Bucket::x");
  });
});

describe("project and stack files", () => {
  function tempProject(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-project-"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  }
  const PROJECT = "name: demo\nruntime: nodejs\nconfig:\n  token:\n    type: string\n    secret: true\n  domain:\n    type: string\n";

  it("reads Pulumi.yaml: name, main, runtime options and declared config", () => {
    const project = readProject(FIXTURE);
    expect(project.name).toBe("runner-fixture");
    expect(project.main).toBe("index.ts");
    expect(project.runtimeOptions).toEqual({ typescript: true, tsconfig: "tsconfig.pulumi.json", nodeargs: undefined });
    expect(project.config["runner-fixture:apiKey"]).toMatchObject({ secret: true, required: true });
    expect(project.config["runner-fixture:replicas"]).toMatchObject({ value: 2, secret: false, required: false });
  });

  it("reads Pulumi.<stack>.yaml like the CLI: secure values are secrets, objects are JSON", () => {
    const cfg = readStackConfig(readProject(FIXTURE), "test", { "runner-fixture:apiKey": API_KEY });
    expect(cfg.values).toEqual({
      "runner-fixture:appName": "hello",
      "runner-fixture:apiKey": API_KEY,
      "runner-fixture:labels": JSON.stringify({ team: "platform", tier: "web" }),
      "runner-fixture:replicas": "2",
      "runner-fixture:fail": "false",
      "runner-fixture:hang": "false",
      "aws:region": "eu-west-1",
    });
    expect(cfg.secretKeys).toEqual(["runner-fixture:apiKey"]);
  });

  it("names the key when a secure value has no plaintext", () => {
    expect(() => readStackConfig(readProject(FIXTURE), "test", {})).toThrow(
      /no plaintext for secure config value\(s\) runner-fixture:apiKey; pass secretValues/,
    );
  });

  it("rejects a declared secret set in plain text, as the CLI does", () => {
    const dir = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.dev.yaml": "config:\n  demo:token: plain\n  demo:domain: x.dev\n" });
    expect(() => readStackConfig(readProject(dir), "dev")).toThrow(StackConfigError);
    expect(() => readStackConfig(readProject(dir), "dev")).toThrow("configuration key 'demo:token' must be encrypted as it's secret");
  });

  it("rejects a stack missing a declared value that has no default", () => {
    const dir = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.dev.yaml": "config:\n  demo:token:\n    secure: v1:abc\n" });
    expect(() => readStackConfig(readProject(dir), "dev", () => "t")).toThrow("Stack 'dev' is missing configuration value(s) 'demo:domain'");
  });

  it("merges overrides over the stack file: secret overrides become secret keys", () => {
    const { config, secretKeys } = stackRunConfig(readProject(FIXTURE), "test", {
      secretValues: { "runner-fixture:apiKey": API_KEY },
      configOverrides: { appName: "other", "aws:region": "us-east-1" },
      secretOverrides: { "cloudflare:apiToken": "cf-token" },
    });
    expect(config).toMatchObject({
      "runner-fixture:appName": "other",
      "aws:region": "us-east-1",
      "cloudflare:apiToken": "cf-token",
      "runner-fixture:apiKey": API_KEY,
    });
    expect(secretKeys).toEqual(["cloudflare:apiToken", "runner-fixture:apiKey"]);
  });

  it("resolves `main` like the engine: a file runs from its directory, a directory as `.`", () => {
    expect(resolveProgram(FIXTURE, "index.ts")).toEqual({ pwd: FIXTURE, entryPoint: "index.ts" });
    expect(resolveProgram(path.dirname(FIXTURE), "runner-program")).toEqual({ pwd: FIXTURE, entryPoint: "." });
    expect(resolveProgram(FIXTURE, undefined)).toEqual({ pwd: FIXTURE, entryPoint: "." });
    expect(() => resolveProgram(FIXTURE, "../elsewhere.ts")).toThrow("project 'main' must be a subfolder");
  });
});
