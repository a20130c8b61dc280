/**
 * The staging stack, run through the real program under mocks: the same products with staging's
 * sizes, Vercel previews of `develop` on the projects prod owns, and `-staging` hosts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { findValue, isUnderSecret, sentinel, setUpStack } from "./helpers/program";
import type { RecordedResource } from "./helpers/mocks";
import { allSecretKeys } from "../infra/secrets";

const rec = setUpStack("staging", ["kubeconfig", "chatApiHeliconeApiKey", "chatApiSentryDsn"]);
let resources: RecordedResource[] = [];

beforeAll(async () => {
  const { run } = await import("../infra/program");
  run();
  resources = [...(await rec.settle())];
});

const ofType = (type: string) => resources.filter((r) => r.type === type);
const byName = (name: string) => resources.find((x) => x.name === name);

describe("staging stack", () => {
  it("registers all five products in staging namespaces", () => {
    const namespaces = ofType("kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata.name).sort();
    expect(namespaces).toEqual(["ara-staging", "ask-dahlia-staging", "chat-api-staging", "codebook-staging", "voyager-staging"]);
  });

  it("runs one replica without a PodDisruptionBudget", () => {
    expect(byName("codebook-api-deployment")!.inputs.spec.replicas).toBe(1);
    expect(byName("chat-api-api-deployment")!.inputs.spec.replicas).toBe(1);
    expect(ofType("kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(0);
  });

  it("does not create Vercel projects: it adds preview variables of branch develop to prod's", () => {
    expect(ofType("vercel:index/project:Project")).toHaveLength(0);
    const vars = ofType("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable");
    expect(vars.length).toBeGreaterThan(20);
    for (const v of vars) {
      expect(v.inputs.targets, v.name).toEqual(["preview"]);
      expect(v.inputs.gitBranch, v.name).toBe("develop");
    }
    const nextauth = vars.find((v) => v.inputs.key === "NEXTAUTH_SECRET")!;
    expect(nextauth.inputs.projectId).toBe("prj_careersy-wingman");
    expect(nextauth.inputs.sensitive).toBe(true);
  });

  it("puts every host one label below the zone with a -staging suffix", () => {
    const names = ofType("cloudflare:index/dnsRecord:DnsRecord").map((r) => r.inputs.name).sort();
    expect(names).toEqual([
      "ara-staging.example.com",
      "chat-api-staging.example.com",
      "codebook-api-staging.example.com",
      "dahlia-api-staging.example.com",
      "dahlia-staging.example.com",
      "voyager-staging.example.com",
    ]);
    const api = ofType("cloudflare:index/dnsRecord:DnsRecord").find((r) => r.inputs.name === "codebook-api-staging.example.com")!;
    expect(api.inputs).toMatchObject({ type: "A", content: "34.149.100.10", proxied: false });
  });

  it("leaves optional secrets out instead of sending empty values", () => {
    const chatSecret = byName("chat-api-api-secrets")!;
    expect(Object.keys(chatSecret.inputs.stringData).sort()).toEqual([
      "ANTHROPIC_API_KEY",
      "INTERNAL_API_KEY",
      "OPENAI_API_KEY",
      "SUPABASE_SERVICE_ROLE_KEY",
    ]);
  });

  it("every secret config value reaches resources only as a Pulumi secret", () => {
    let sinks = 0;
    for (const s of allSecretKeys()) {
      for (const hit of findValue(resources, sentinel(s.key))) {
        sinks++;
        expect(isUnderSecret(hit.resource, hit.path), `${s.key} reached ${hit.resource.type} ${hit.resource.name} ${hit.path} in plain`).toBe(true);
      }
    }
    expect(sinks).toBeGreaterThan(40);
  });
});
