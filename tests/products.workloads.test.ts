/**
 * The "Workloads" checks, on both committed stacks as Pulumi's runner registers them: Ask Dahlia's
 * model settings (seed 000), the Chat API's DEFAULT_MODEL and downstream URLs (seed 002), and
 * LOG_LEVEL on every workload (seed 001 §2.1). Each value is read where the pod gets it: the
 * workload's ConfigMap, which its Deployment loads with `envFrom`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../infra/config";
import { allSecretKeys } from "../infra/secrets";
import { chatApi } from "../stacks/chat-api";
import { plain, readProject, readStackConfig, type RegisteredResource, type RunResult } from "../tools/engine/harness";
import { PROJECT_ROOT } from "../tools/engine/stack-run";
import { committedStackRun } from "./helpers/stack-runs";

const STACKS = { staging: { env: "staging", logLevel: "DEBUG", hostSuffix: "-staging" }, prod: { env: "prod", logLevel: "INFO", hostSuffix: "" } } as const;
const runs: Record<string, RunResult> = {};

beforeAll(async () => {
  for (const stack of Object.keys(STACKS)) runs[stack] = await committedStackRun(stack);
}, 600_000);

const ofType = (r: RunResult, type: string) => r.resources.filter((x) => x.type === type);
const named = (r: RunResult, name: string): RegisteredResource => {
  const hit = r.resources.find((x) => x.name === name);
  if (!hit) throw new Error(`no resource ${name} in ${r.stack}`);
  return hit;
};
/** The data of a workload's ConfigMap (`<product>-<workload>-config`), as the pod's environment. */
const configOf = (r: RunResult, workload: string): Record<string, string> =>
  plain<{ data: Record<string, string> }>(named(r, `${workload}-config`).inputs).data;

describe.each(Object.entries(STACKS))("%s", (stack, expected) => {
  it("Ask Dahlia's worker gets seed 000's default and fallback models for OpenAI and Anthropic", () => {
    expect(configOf(runs[stack], "ask-dahlia-worker")).toMatchObject({
      OPENAI_MODEL: "gpt-4o",
      OPENAI_FALLBACK_MODEL: "gpt-3.5-turbo",
      ANTHROPIC_MODEL: "claude-3-5-sonnet-20240620",
      ANTHROPIC_FALLBACK_MODEL: "claude-3-haiku-20240307",
    });
  });

  it("the Chat API gets DEFAULT_MODEL from this stack's file (seed 002 model upgrades go to staging first)", () => {
    const file = readStackConfig(readProject(PROJECT_ROOT), stack).values["app-platform:chatApiDefaultModel"];
    expect(file).toBeDefined();
    expect(configOf(runs[stack], "chat-api-api").DEFAULT_MODEL).toBe(file);
  });

  it("the Chat API calls its downstream services at this stack's URLs, never the seed's localhost defaults", () => {
    const config = configOf(runs[stack], "chat-api-api");
    expect(config).toMatchObject({
      MAPPER_API_URL: `https://mapper-api${expected.hostSuffix}.example.com`,
      CALENDAR_API_URL: `https://calendar-api${expected.hostSuffix}.example.com`,
      WORKOUT_INGESTOR_API_URL: `https://workout-ingestor-api${expected.hostSuffix}.example.com`,
    });
    for (const cm of ofType(runs[stack], "kubernetes:core/v1:ConfigMap")) {
      expect(JSON.stringify(plain(cm.inputs)), cm.name).not.toMatch(/localhost:800[123]/);
    }
    // https on 443: the workload's egress policy already allows it.
    const allow = plain(named(runs[stack], "chat-api-api-allow").inputs) as { spec: { egress: Array<{ ports: Array<{ port: number }> }> } };
    expect(allow.spec.egress.flatMap((e) => e.ports.map((p) => p.port))).toContain(443);
  });

  it(`LOG_LEVEL is ${expected.logLevel} on every workload (seed 001 §2.1), in the ConfigMap each Deployment loads`, () => {
    // The products' own workloads; the postgres_exporters (`<product>-postgres`) log by flag, not LOG_LEVEL.
    const deployments = ofType(runs[stack], "kubernetes:apps/v1:Deployment").filter((d) => !d.name.endsWith("-postgres-deployment"));
    expect(deployments.map((d) => d.name).sort()).toEqual(["ask-dahlia-worker-deployment", "chat-api-api-deployment", "codebook-api-deployment"]);
    const configMaps = new Map(
      ofType(runs[stack], "kubernetes:core/v1:ConfigMap").map((cm) => {
        const p = plain(cm.inputs) as { metadata?: { name?: string }; data?: Record<string, string> };
        return [p.metadata?.name, p.data ?? {}] as const;
      }),
    );
    for (const d of deployments) {
      const spec = plain(d.inputs) as { spec: { template: { spec: { containers: Array<{ envFrom?: Array<{ configMapRef?: { name: string } }> }> } } } };
      for (const c of spec.spec.template.spec.containers) {
        const refs = (c.envFrom ?? []).map((e) => e.configMapRef?.name).filter((n): n is string => !!n);
        expect(refs.length, `${d.name} loads no ConfigMap`).toBeGreaterThan(0);
        expect(
          refs.map((n) => configMaps.get(n)?.LOG_LEVEL),
          d.name,
        ).toContain(expected.logLevel);
      }
    }
  });
});

describe("the Chat API's egress follows its downstream URLs", () => {
  const secretKeys = new Set(allSecretKeys().map((s) => s.key));
  const build = (changes: Record<string, string>) => {
    const raw = { ...readStackConfig(readProject(PROJECT_ROOT), "prod").values };
    for (const [k, v] of Object.entries(changes)) raw[`app-platform:${k}`] = v;
    const config = parseStackConfig(raw, "prod", secretKeys);
    return chatApi.build({ environment: "prod", config, host: (l) => `${l}.example.com` }).workloads[0];
  };

  it("https URLs need nothing beyond 443", () => {
    expect(build({}).extraEgressPorts).toBeUndefined();
  });

  it("an in-cluster http URL on its own port opens that port, once; plain http opens 80", () => {
    const w = build({
      chatApiMapperApiUrl: "http://mapper-api.mapper-prod.svc.cluster.local:8001",
      chatApiCalendarApiUrl: "http://calendar-api.calendar-prod.svc.cluster.local:8001/v1",
      chatApiWorkoutIngestorApiUrl: "http://workout-ingestor.ingest-prod.svc.cluster.local",
    });
    expect(w.extraEgressPorts).toEqual([80, 8001]);
    expect(w.env.MAPPER_API_URL).toBe("http://mapper-api.mapper-prod.svc.cluster.local:8001");
  });

  it("staging may leave a URL unset: the variable is left out rather than set to localhost", () => {
    const raw = { ...readStackConfig(readProject(PROJECT_ROOT), "staging").values };
    raw["app-platform:chatApiCalendarApiUrl"] = "";
    const config = parseStackConfig(raw, "staging", secretKeys);
    const w = chatApi.build({ environment: "staging", config, host: (l) => `${l}-staging.example.com` }).workloads[0];
    expect(w.env).not.toHaveProperty("CALENDAR_API_URL");
    expect(w.env.MAPPER_API_URL).toBe("https://mapper-api-staging.example.com");
  });
});
