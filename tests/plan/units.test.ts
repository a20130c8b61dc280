/**
 * The plan's pure parts, without running a program: property diffs, replacement reasons, the
 * secret-flow search, redaction, the plan document's canonical form, error messages, the
 * markdown comment's size budget, colours, the CLI's argument errors, and the secret keys and
 * invoke answers of offline-stack.ts.
 */
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { allSecretKeys } from "../../infra/secrets";
import { readProject, secret, UNKNOWN, type RegisteredResource, type RunResult } from "../../tools/engine/harness";
import { placeholderSecret } from "../../tools/engine/stack-run";
import { main } from "../../tools/plan/cli";
import { diffPlans, diffValues, replaceReasons, type StackDiff } from "../../tools/plan/diff";
import { canonicalJson, planDocument, planFileText, type PlanDocument, type PlanResource } from "../../tools/plan/json";
import { COMMENT_MARKER, code, renderMarkdown, type StackSection } from "../../tools/plan/markdown";
import { declaredSecretKeys, invokeAnswers, placeholderFor } from "../../tools/engine/offline-stack";
import { forceNewPaths } from "../../tools/plan/replacements";
import { programErrorMessage, type PlanSuccess } from "../../tools/plan/run";
import { findSecretLeaks, needlesFor, Redactor } from "../../tools/plan/secret-flow";
import { colourEnabled, makeStyle, Progress } from "../../tools/plan/style";
import { registeredResource } from "../helpers/registered";

const ROOT = path.resolve(__dirname, "../..");

function res(partial: Partial<PlanResource> & Pick<PlanResource, "urn" | "type" | "name">): PlanResource {
  return { custom: true, protect: false, inputs: {}, ...partial };
}

function registered(partial: Partial<RegisteredResource> & Pick<RegisteredResource, "urn" | "type" | "name">): RegisteredResource {
  return registeredResource(partial);
}

describe("property diffs", () => {
  it("reports scalar updates, additions and removals with paths", () => {
    expect(diffValues({ spec: { replicas: 3, paused: false } }, { spec: { replicas: 4, minReadySeconds: 5 } })).toEqual([
      { path: "spec.minReadySeconds", kind: "add", after: 5 },
      { path: "spec.paused", kind: "remove", before: false },
      { path: "spec.replicas", kind: "update", before: 3, after: 4 },
    ]);
  });

  it("matches list entries by name, alert or id, so one inserted entry is one change", () => {
    const env = (names: string[]) => ({ env: names.map((name) => ({ name, value: name.toLowerCase() })) });
    expect(diffValues(env(["A", "C"]), env(["A", "B", "C"]))).toEqual([{ path: "env[name=B]", kind: "add", after: { name: "B", value: "b" } }]);
    const rules = (alerts: string[]) => ({ rules: alerts.map((alert) => ({ alert, expr: "up == 0" })) });
    expect(diffValues(rules(["Down", "Quota", "Slow"]), rules(["Down", "Slow"]))).toEqual([
      { path: "rules[alert=Quota]", kind: "remove", before: { alert: "Quota", expr: "up == 0" } },
    ]);
    // Without an identifying key, lists compare by index.
    expect(diffValues({ args: ["a", "b"] }, { args: ["a", "c"] })).toEqual([{ path: "args[1]", kind: "update", before: "b", after: "c" }]);
    expect(diffValues({ targets: ["preview"] }, { targets: ["preview", "production"] })).toEqual([
      { path: "targets", kind: "update", before: ["preview"], after: ["preview", "production"] },
    ]);
  });

  it("shows secrets only as changed or unchanged, by digest", () => {
    const before = { stringData: "[secret]" };
    expect(diffValues(before, before, { before: { stringData: "sha256:1" }, after: { stringData: "sha256:1" } })).toEqual([]);
    const changed = diffValues(before, before, { before: { stringData: "sha256:1" }, after: { stringData: "sha256:2" } });
    expect(changed).toEqual([{ path: "stringData", kind: "update", secret: true }]);
    expect(JSON.stringify(changed)).not.toContain("sha256");
    expect(diffValues({ value: "plain" }, { value: "[secret]" }, { after: { value: "sha256:3" } })).toEqual([{ path: "value", kind: "update", secret: true }]);
  });
});

describe("replacements", () => {
  const k8s = (type: string, inputs: PlanResource["inputs"]) => res({ urn: "u", type, name: "n", inputs });

  it("flags Kubernetes name/namespace, ConfigMap data and Deployment selector changes, not replicas", () => {
    const before = k8s("kubernetes:apps/v1:Deployment", { metadata: { name: "a" }, spec: { replicas: 3, selector: { matchLabels: { app: "a" } } } });
    const replicas = k8s("kubernetes:apps/v1:Deployment", { metadata: { name: "a" }, spec: { replicas: 4, selector: { matchLabels: { app: "a" } } } });
    expect(replaceReasons(before, replicas, diffValues(before.inputs, replicas.inputs))).toEqual([]);
    const renamed = k8s("kubernetes:apps/v1:Deployment", { metadata: { name: "b" }, spec: { replicas: 3, selector: { matchLabels: { app: "b" } } } });
    expect(replaceReasons(before, renamed, diffValues(before.inputs, renamed.inputs))).toEqual(["metadata.name", "spec.selector"]);
    const cmBefore = k8s("kubernetes:core/v1:ConfigMap", { data: { A: "1" } });
    const cmAfter = k8s("kubernetes:core/v1:ConfigMap", { data: { A: "1", B: "2" } });
    expect(replaceReasons(cmBefore, cmAfter, diffValues(cmBefore.inputs, cmAfter.inputs))).toEqual(["data"]);
  });

  it("flags S3 and R2 bucket names, any input of random resources, replaceOnChanges and a new provider", () => {
    expect(forceNewPaths("aws:s3/bucket:Bucket")).toContain("bucket");
    expect(forceNewPaths("cloudflare:index/r2Bucket:R2Bucket")).toContain("name");
    expect(forceNewPaths("kubernetes:core/v1:Namespace")).toEqual(["metadata.name", "metadata.namespace"]);
    const pw = (length: number) => res({ urn: "u", type: "random:index/randomPassword:RandomPassword", name: "p", inputs: { length } });
    expect(replaceReasons(pw(32), pw(48), diffValues({ length: 32 }, { length: 48 }))).toEqual(["any input change"]);
    const x = (tags: string, provider?: string) =>
      res({ urn: "u", type: "aws:iam/user:User", name: "x", inputs: { tags }, replaceOnChanges: ["tags"], ...(provider ? { provider } : {}) });
    expect(replaceReasons(x("a"), x("b"), diffValues({ tags: "a" }, { tags: "b" }))).toEqual(["tags"]);
    expect(replaceReasons(x("a", "p1"), x("a", "p2"), [])).toEqual(["provider changed"]);
    // Unknown on both sides is not a known change.
    const s3 = (bucket: string) => res({ urn: "u", type: "aws:s3/bucketPolicy:BucketPolicy", name: "b", inputs: { bucket } });
    expect(replaceReasons(s3("[unknown]"), s3("[unknown]"), [])).toEqual([]);
  });

  it("diffPlans pairs resources by URN and through aliases, and counts deletes and protected ones", () => {
    const doc = (resources: PlanResource[]): PlanDocument => ({
      format: "app-platform-plan/1",
      project: "p",
      stack: "s",
      placeholders: [],
      summary: { resources: resources.length, byType: {}, violations: { mandatory: 0, advisory: 0 }, secretFlow: 0, deadAlerts: 0 },
      resources,
      outputs: {},
      policy: null,
      secretFlow: [],
      deadAlerts: [],
    });
    const base = doc([
      res({ urn: "urn:pulumi:s::p::t:a:B::old", type: "t:a:B", name: "old", inputs: { v: 1 } }),
      res({ urn: "urn:pulumi:s::p::t:a:B::gone", type: "t:a:B", name: "gone", protect: true }),
      res({ urn: "urn:pulumi:s::p::t:a:B::same", type: "t:a:B", name: "same" }),
    ]);
    const head = doc([
      res({ urn: "urn:pulumi:s::p::t:a:B::new", type: "t:a:B", name: "new", inputs: { v: 2 }, aliases: ["urn:pulumi:s::p::t:a:B::old"] }),
      res({ urn: "urn:pulumi:s::p::t:a:B::same", type: "t:a:B", name: "same" }),
      res({ urn: "urn:pulumi:s::p::t:a:B::added", type: "t:a:B", name: "added" }),
    ]);
    const d = diffPlans(base, head, "base.json");
    expect(d.counts).toEqual({ create: 1, update: 1, replace: 0, delete: 1, same: 1 });
    const renamed = d.changes.find((c) => c.name === "new")!;
    expect(renamed.previousUrn).toBe("urn:pulumi:s::p::t:a:B::old");
    expect(renamed.properties).toEqual([{ path: "v", kind: "update", before: 1, after: 2 }]);
    expect(d.changes.find((c) => c.kind === "delete")).toMatchObject({ name: "gone", protect: true });
  });
});

describe("secret flow", () => {
  const placeholders = new Map([[placeholderSecret("apiKey"), "app:apiKey"]]);
  const value = placeholderSecret("apiKey");

  it("finds a placeholder in plain values, base64-encoded at any alignment, and in logs — not under a secret marker", () => {
    const b64 = (prefix: string) => Buffer.from(`${prefix}${value}!`).toString("base64");
    const run = {
      resources: [
        registered({
          urn: "urn:pulumi:s::p::k:v:ConfigMap::cm",
          type: "k:v:ConfigMap",
          name: "cm",
          inputs: { data: { ok: secret(value), plain: `url=${value}`, a: b64(""), b: b64("x"), c: b64("xy") }, list: [secret({ nested: value })] },
          outputs: { leaked: value },
        }),
      ],
      logs: [{ severity: "info" as const, message: `token ${value}` }],
      stdout: "",
      stderr: "",
    };
    const found = findSecretLeaks(run, placeholders).map((f) => `${f.where}:${f.path}:${f.encoding}`);
    // Sorted by resource (the log has none), then where, path, key.
    expect(found).toEqual([
      "log::plain",
      "inputs:data.a:base64",
      "inputs:data.b:base64",
      "inputs:data.c:base64",
      "inputs:data.plain:plain",
      "outputs:leaked:plain",
    ]);
    expect(needlesFor(placeholders)).toHaveLength(4);
  });

  it("redacts placeholders, plain or as a whole base64 run", () => {
    const r = new Redactor(placeholders);
    expect(r.redact(`a ${value} b`)).toBe("a [secret] b");
    expect(r.redact(`x ${Buffer.from(`key=${value}`).toString("base64")} y`)).toBe("x [secret] y");
    expect(r.redact("nothing here")).toBe("nothing here");
  });

  it("redacts adjacent and overlapping hits without leaving a fragment", () => {
    const other = placeholderSecret("otherKey");
    const two = new Map([...placeholders, [other, "app:otherKey"]]);
    const r = new Redactor(two);
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    // Two plain hits that touch stay two.
    expect(r.redact(`[${value}${other}]`)).toBe("[[secret][secret]]");
    // Two encodings in one base64 run, with padding: the run is one hit.
    expect(r.redact(`x ${b64(`${value}:${other}`)} y`)).toBe("x [secret] y");
    // Padding ends a run: two encodings back to back are two runs, each redacted whole.
    expect(b64(value)).toMatch(/=$/);
    expect(r.redact(`${b64(value)}${b64(`xy${other}`)}`)).toBe("[secret][secret]");
    // A base64 run that starts inside a plain hit (the placeholder ends in base64 characters) and
    // one that runs into the next plain hit: one span each time, nothing of either left.
    expect(r.redact(`${value}${b64(other)}-`)).toBe("[secret]-");
    expect(r.redact(`${b64(`${other}!`).replace(/=+$/, "")}${value}`)).toBe("[secret]");
    // Placeholders that overlap each other: both found, one span.
    const overlapping = new Map([
      ["abcdefghijklmnopqrst", "app:a"],
      ["klmnopqrstuvwxyz0123", "app:b"],
    ]);
    expect(new Redactor(overlapping).redact("<abcdefghijklmnopqrstuvwxyz0123>")).toBe("<[secret]>");
    const run = { resources: [], logs: [{ severity: "info" as const, message: "abcdefghijklmnopqrstuvwxyz0123" }], stdout: "", stderr: "" };
    expect(findSecretLeaks(run, overlapping).map((f) => `${f.key}:${f.encoding}`)).toEqual(["app:a:plain", "app:b:plain"]);
  });
});

describe("plan document", () => {
  it("is canonical: keys sorted at every level, resources by URN, secrets and unknowns readable, no placeholder left", () => {
    const placeholders = new Map([[placeholderSecret("k"), "p:k"]]);
    const run = {
      project: "p",
      stack: "s",
      stackOutputs: { z: 1, a: secret("s") },
      resources: [
        registered({
          urn: "urn:pulumi:s::p::t:m:B::b",
          type: "t:m:B",
          name: "b",
          inputs: { z: UNKNOWN, a: secret(placeholderSecret("k")), m: `x${placeholderSecret("k")}` },
        }),
        registered({
          urn: "urn:pulumi:s::p::t:m:A::a",
          type: "t:m:A",
          name: "a",
          inputs: { b: 1, a: 2 },
          provider: "urn:pulumi:s::p::pulumi:providers:t::t::04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        }),
      ],
    } as Pick<RunResult, "project" | "stack" | "resources" | "stackOutputs">;
    const doc = planDocument({ run, placeholderKeys: ["p:k"], policy: null, secretFlow: [], redactor: new Redactor(placeholders) });
    const text = planFileText(doc);
    expect(doc.resources.map((r) => r.name)).toEqual(["a", "b"]);
    expect(doc.resources[0].provider).toBe("urn:pulumi:s::p::pulumi:providers:t::t");
    expect(doc.resources[1].inputs).toEqual({ z: "[unknown]", a: "[secret]", m: "x[secret]" });
    expect(doc.resources[1].secrets?.a).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(doc.outputs).toEqual({ z: 1, a: "[secret]" });
    expect(text).not.toContain("SENTINEL");
    expect(text.indexOf('"a": 2')).toBeLessThan(text.indexOf('"b": 1'));
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
    expect(text.endsWith("}\n")).toBe(true);
  });
});

describe("program error messages", () => {
  const failed = (message: string): RunResult =>
    ({ ok: false, exitCode: 1, timedOut: false, logs: [{ severity: "error", message }], invokes: [], stderr: "", stdout: "" }) as unknown as RunResult;

  it("keeps the message and one project frame, drops the stack dump", () => {
    const msg = [
      "Running program '/work/x/index.ts' failed with an unhandled exception:",
      "Error: boom: config `x` is wrong",
      "    at Object.<anonymous> (/work/x/index.ts:12:9)",
      "    at Module._compile (node:internal/modules/cjs/loader:1554:14)",
      "    at /work/x/node_modules/@pulumi/pulumi/cmd/run/run.js:400:1",
    ].join("\n");
    expect(programErrorMessage(failed(msg), "/work/x")).toBe("Error: boom: config `x` is wrong\n(at index.ts:12)");
  });

  it("names an unanswered invoke and where to answer it", () => {
    const r = {
      ...failed("invoke failed"),
      invokes: [{ kind: "invoke", token: "aws:index/getAmi:getAmi", args: {}, answered: false }],
    } as unknown as RunResult;
    expect(programErrorMessage(r, "/x")).toMatch(/no answer for aws:index\/getAmi:getAmi; add one to invokeAnswers\(\) in tools\/engine\/offline-stack\.ts/);
  });
});

describe("markdown comment", () => {
  /** A synthetic plan and diff big enough to need collapsing. */
  function bigSection(stack: string, n: number): StackSection {
    const resources: PlanResource[] = [];
    const changes: StackDiff["changes"][number][] = [];
    for (let i = 0; i < n; i++) {
      const name = `svc-${i}-deployment`;
      resources.push(res({ urn: `urn:pulumi:${stack}::p::kubernetes:apps/v1:Deployment::${name}`, type: "kubernetes:apps/v1:Deployment", name }));
      changes.push({
        kind: i % 10 === 0 ? "replace" : "update",
        urn: resources[i].urn,
        type: "kubernetes:apps/v1:Deployment",
        name,
        product: `product-${i % 7}`,
        component: `svc-${i} (app-platform:kubernetes:Service)`,
        custom: true,
        protect: i % 50 === 0,
        properties: [
          { path: "spec.replicas", kind: "update", before: 3, after: 4 },
          { path: "spec.template.spec.containers[name=app].env[name=LONG]", kind: "add", after: "x".repeat(300) },
          { path: "stringData", kind: "update", secret: true },
        ],
        replaceReasons: i % 10 === 0 ? ["spec.selector"] : [],
      });
    }
    const violations = Array.from({ length: Math.min(n, 60) }, (_, i) => ({
      policy: i % 3 === 0 ? "kubernetes-configure-replicas" : "kubernetes-missing-recommended-labels",
      level: (i % 3 === 0 ? "mandatory" : "advisory") as "mandatory" | "advisory",
      message: `Deployment svc-${i} has a problem that takes a long sentence to explain. Fix: ${"do it. ".repeat(20)}`,
      urn: resources[i].urn,
    }));
    const doc: PlanDocument = {
      format: "app-platform-plan/1",
      project: "p",
      stack,
      placeholders: [],
      summary: {
        resources: n,
        byType: { "kubernetes:apps/v1:Deployment": n },
        violations: { mandatory: violations.filter((v) => v.level === "mandatory").length, advisory: violations.filter((v) => v.level !== "mandatory").length },
        secretFlow: 0,
        deadAlerts: 0,
      },
      resources,
      outputs: {},
      policy: { pack: "app-platform@0.1.0", policies: [], violations },
      secretFlow: [],
      deadAlerts: [],
    };
    const plan: PlanSuccess = { ok: true, stack, doc, diagnostics: [], exitCode: 1, timings: { programMs: 0, policyMs: 0, totalMs: 0 } };
    const counts = {
      create: 0,
      update: changes.filter((c) => c.kind === "update").length,
      replace: changes.filter((c) => c.kind === "replace").length,
      delete: 0,
      same: 0,
    };
    return { stack, plan, diff: { stack, baseLabel: "git main (abc)", changes, outputs: [], counts, policy: { added: violations.slice(0, 2), resolved: [] } } };
  }

  it("fits GitHub's limit by collapsing the lowest-priority sections first, keeping the summary", () => {
    const sections = [bigSection("staging", 400), bigSection("prod", 400)];
    const { comment, full, collapsed } = renderMarkdown(sections, { fullReport: "`plan/diff.full.md`" });
    expect(full.length).toBeGreaterThan(65_536);
    expect(comment.length).toBeLessThanOrEqual(65_536);
    expect(comment.startsWith(COMMENT_MARKER)).toBe(true);
    expect(collapsed[0]).toBe("creates → 1");
    expect(collapsed.indexOf("advisory → 1")).toBeLessThan(collapsed.indexOf("changes → 1"));
    expect(collapsed).not.toContain("mandatory → 1");
    expect(comment).toContain("| `staging` | 0 | 360 | 40 | 0 | ❌ 20 | 40 |");
    expect(comment).toContain("Shortened to fit GitHub's comment limit; the full report is `plan/diff.full.md`");
    expect(comment).toMatch(/Mandatory violations \(20, 1 new\)/);
    expect(comment).toContain("Deployment svc-3 has a problem"); // mandatory messages survive
    expect(full).toContain("`spec.replicas`: `3` → `4`");
    expect(full).toContain("`stringData`: changed _(secret)_");
  });

  it("collapses further, down to counts, for a tiny limit — and never past it", () => {
    const sections = [bigSection("staging", 50)];
    for (const limit of [20_000, 8_000, 3_000, 1_000]) {
      const { comment } = renderMarkdown(sections, { limit });
      expect(comment.length, `limit ${limit}`).toBeLessThanOrEqual(limit);
      expect(comment).toContain("## Offline plan");
    }
    expect(renderMarkdown(sections, { limit: 20_000 }).collapsed.length).toBeGreaterThan(0);
  });

  it("quotes code that contains backticks", () => {
    expect(code("a`b")).toBe("`` a`b ``");
    expect(code("x\ny")).toBe("`x⏎y`");
  });
});

describe("colours and CLI arguments", () => {
  it("colours only a TTY, honours NO_COLOR, FORCE_COLOR and --color/--no-color", () => {
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colourEnabled({ isTTY: true }, {}, false)).toBe(false);
    expect(makeStyle(false)("red", "x")).toBe("x");
    expect(makeStyle(true)("red", "x")).toBe("\u001b[31mx\u001b[39m");
  });

  it("exits 2 with the usage for a bad option, a bad --config and an unknown --diff base", async () => {
    const writes: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (writes.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await main(["--bogus"])).toBe(2);
      expect(await main(["--config", "novalue"])).toBe(2);
      expect(await main(["--project", ROOT, "-q", "--diff", "no-such-ref-or-file"])).toBe(2);
    } finally {
      process.stderr.write = orig;
    }
    const text = writes.join("");
    expect(text).toMatch(/Unknown option '--bogus'/);
    expect(text).toMatch(/--config expects key=value, got 'novalue'/);
    expect(text).toMatch(/'no-such-ref-or-file' is neither a plan file nor a git ref/);
    expect(text).toMatch(/Exit codes: 0 clean, 1 mandatory violations or secret-flow failures, 2 program or config failed/);
  });
});

describe("offline stack inputs", () => {
  it("reads the secret keys from Pulumi.yaml, and they are exactly allSecretKeys()", () => {
    const keys = declaredSecretKeys(readProject(ROOT));
    expect(keys.map((k) => k.key).sort()).toEqual(
      allSecretKeys()
        .map((s) => `app-platform:${s.key}`)
        .sort(),
    );
    expect(
      keys
        .filter((k) => k.optional)
        .map((k) => k.key)
        .sort(),
    ).toEqual(
      allSecretKeys()
        .filter((s) => s.optional)
        .map((s) => `app-platform:${s.key}`)
        .sort(),
    );
    expect(placeholderFor("app-platform", "app-platform:vercelApiToken")).toBe(placeholderSecret("vercelApiToken"));
  });

  it("answers lookups deterministically from the stack config", async () => {
    const project = readProject(ROOT);
    const table = invokeAnswers(project, { "app-platform:awsRegion": "eu-west-1", "app-platform:cloudflareAccountId": "acct" });
    const call = { token: "t" };
    const fn = (token: string) => table[token] as (a: Record<string, unknown>, c: typeof call) => Promise<unknown> | unknown;
    expect(await fn("cloudflare:index/getZone:getZone")({ filter: { name: "example.com" } }, call)).toMatchObject({
      name: "example.com",
      account: { id: "acct" },
    });
    expect(await fn("vercel:index/getProject:getProject")({ name: "web" }, call)).toMatchObject({ id: "prj_web", name: "web" });
    expect(await fn("aws:index/getRegion:getRegion")({}, call)).toMatchObject({ name: "eu-west-1" });
    expect(await fn("aws:index/getCallerIdentity:getCallerIdentity")({}, call)).toEqual(await fn("aws:index/getCallerIdentity:getCallerIdentity")({}, call));
  });
});

describe("the progress line", () => {
  const tty = (columns: number | undefined) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY: true, columns, write: (s: string) => writes.push(s) } };
  };

  it("redraws one line on a terminal, cut to its width; a terminal of unknown size (0 columns) is not cut to nothing", () => {
    vi.useFakeTimers();
    try {
      for (const [columns, expected] of [
        [0, /prod: running program 12 registered, 3 analysed \d+\.\ds$/],
        [30, /…$/],
      ] as const) {
        const { writes, stream } = tty(columns);
        const progress = new Progress(stream, true);
        progress.update("prod", "running program", "12 registered, 3 analysed");
        vi.advanceTimersByTime(100);
        progress.done();
        const line = writes.find((w) => w.includes("prod"))!;
        expect(line.startsWith("\r\x1b[K")).toBe(true);
        expect(line).toMatch(expected);
        if (columns > 0) expect(line.length - "\r\x1b[K".length).toBeLessThan(columns);
        expect(writes.at(-1)).toBe("\r\x1b[K");
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it("cuts an overlong line to the terminal's width by its visible text, colours on", () => {
    vi.useFakeTimers();
    try {
      const { writes, stream } = tty(40);
      const progress = new Progress(stream, true, makeStyle(true));
      progress.update("prod", "running program", "231 registered, 208 analysed");
      progress.update("staging", "running program", "223 registered, 190 analysed");
      vi.advanceTimersByTime(100);
      const line = writes.find((w) => w.includes("prod"))!.slice("\r\x1b[K".length);
      expect(line).toMatch(/…$/);
      expect(line.length).toBe(39); // 38 visible characters and the ellipsis: no escape sequence left to wrap
      progress.done();
    } finally {
      vi.useRealTimers();
    }
  });

  it("prints phase changes only, one per line, when stderr is not a terminal", () => {
    const writes: string[] = [];
    const progress = new Progress({ write: (s: string) => writes.push(s) }, true);
    progress.update("prod", "running program", "1 registered");
    progress.update("prod", "running program", "2 registered");
    progress.update("prod", "policy pack", "0/2");
    progress.done();
    expect(writes).toEqual(["prod: running program\n", "prod: policy pack\n"]);
  });
});
