/**
 * The staging stack, run through the real program under mocks: the same products with staging's
 * sizes, Vercel previews of `develop` on the projects prod owns, and `-staging` hosts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { findValue, isUnderSecret, sentinel, setUpStack } from "./helpers/program";
import type { RecordedResource } from "./helpers/mocks";
import { allSecretKeys } from "../infra/secrets";
import { placeholderVercelDns } from "../tools/engine/offline-stack";
import { probeModules, shippedModules } from "./helpers/blackbox";

const rec = setUpStack("staging", ["kubeconfig", "chatApiHeliconeApiKey", "chatApiSentryDsn", "araSentryDsn", "araPosthogApiKey"]);
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
    const namespaces = ofType("kubernetes:core/v1:Namespace")
      .map((r) => r.inputs.metadata.name)
      .sort();
    // The five product namespaces, the platform's log agent's (components/logs/log-agent.ts) and its Vercel drains' aggregator's (vercel-drains.ts).
    expect(namespaces).toEqual(["ara-staging", "ask-dahlia-staging", "chat-api-staging", "codebook-staging", "logging", "vercel-logs", "voyager-staging"]);
  });

  it("probes no dependency status page and has no dependency alert: prod alone watches the vendors (one alert per incident)", () => {
    const statusProbes = ofType("kubernetes:monitoring.coreos.com/v1:Probe").filter(
      (p) => p.inputs.spec.targets?.staticConfig?.labels?.dependency !== undefined,
    );
    expect(statusProbes.map((p) => p.name)).toEqual([]);
    expect(Object.keys(shippedModules(resources).modules).filter((m) => m.startsWith("statuspage"))).toEqual([]);
    const alerts = ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) =>
      r.inputs.spec.groups.flatMap((g: any) => g.rules.map((x: any) => String(x.alert))),
    );
    expect(alerts.filter((a: string) => /^(Supabase|Pinecone|LLM)Down$/.test(a))).toEqual([]);
    // The stack still has its other alerts (the check above is not vacuous).
    expect(alerts).toContain("HighErrorRate");
  });

  it("runs one replica without a PodDisruptionBudget", () => {
    // Codebook's API autoscales (seed 001 §6.2): its floor, not the Deployment, holds the one replica.
    expect(byName("codebook-api-deployment")!.inputs.spec.replicas).toBeUndefined();
    expect(byName("codebook-api-hpa")!.inputs.spec.minReplicas).toBe(1);
    expect(byName("chat-api-api-deployment")!.inputs.spec.replicas).toBe(1);
    expect(ofType("kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(0);
  });

  it("does not create Vercel projects: it adds variables for every preview branch to prod's, with staging's secrets", () => {
    expect(ofType("vercel:index/project:Project")).toHaveLength(0);
    expect(ofType("vercel:index/firewallConfig:FirewallConfig")).toHaveLength(0);
    const vars = ofType("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable");
    expect(vars.length).toBeGreaterThan(20);
    for (const v of vars) expect(v.inputs.targets, v.name).toEqual(["preview"]);
    // Secrets go to every preview and never to production: previews get staging's values.
    for (const v of vars.filter((x) => x.inputs.sensitive)) {
      expect(v.inputs.gitBranch, v.name).toBeUndefined();
      expect(v.secretPaths, v.name).toContain("value");
    }
    const nextauth = vars.find((v) => v.inputs.key === "NEXTAUTH_SECRET")!;
    expect(nextauth.inputs.projectId).toBe("prj_careersy-wingman");
    expect(nextauth.inputs.sensitive).toBe(true);
    expect(nextauth.inputs.value).toBe("mock-password-voyager-secrets-nextauth-secret".padEnd(48, "x"));
  });

  it("overrides only develop's public URL, NEXTAUTH_URL and OAuth callback host (seeds 003, 004, 000)", () => {
    const vars = ofType("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable");
    const onDevelop = vars.filter((v) => v.inputs.gitBranch !== undefined);
    expect(onDevelop.map((v) => `${v.inputs.projectId} ${v.inputs.key}=${v.inputs.value} @${v.inputs.gitBranch}`).sort()).toEqual([
      "prj_appstoagents-ara NEXT_PUBLIC_APP_URL=https://ara-staging.example.com @develop",
      "prj_ask-dahlia NEXT_PUBLIC_APP_URL=https://dahlia-staging.example.com @develop",
      // NextAuth builds the Google/LinkedIn callbacks from it: <NEXTAUTH_URL>/api/auth/callback/*.
      "prj_careersy-wingman NEXTAUTH_URL=https://voyager-staging.example.com @develop",
    ]);
    // Other previews have no stable host: no all-previews value that would point them at develop's.
    expect(vars.filter((v) => ["NEXTAUTH_URL", "NEXT_PUBLIC_APP_URL"].includes(v.inputs.key) && !v.inputs.gitBranch)).toHaveLength(0);
    // Domains still belong to develop alone.
    for (const d of ofType("vercel:index/projectDomain:ProjectDomain")) expect(d.inputs.gitBranch, d.name).toBe("develop");
  });

  it("keeps previews behind Vercel Authentication except Voyager's, with a probe bypass where they stay protected", () => {
    const bypasses = ofType("vercel:index/projectProtectionBypass:ProjectProtectionBypass");
    expect(bypasses.map((b) => b.inputs.projectId).sort()).toEqual(["prj_appstoagents-ara", "prj_ask-dahlia"]);
    for (const b of bypasses) expect(b.inputs.note).toBe("app-platform health probes (staging)");
  });

  it("probes protected previews with the bypass: ARA's and Ask Dahlia's Probes name their own modules, which send the project's secret", () => {
    const probes = probeModules(resources);
    // Protected previews (Vercel deployment protection): the health probes send it.
    expect(probes["ara-probes-web-health"]).toBe("ara_web_http_2xx_vercel_bypass");
    expect(probes["ask-dahlia-probes-ui-health"]).toBe("ask_dahlia_ui_http_2xx_vercel_bypass");
    // Staging sets no response headers (the prod stack owns each project's route), so it probes none.
    expect(Object.keys(probes).filter((p) => p.endsWith("-headers"))).toEqual([]);
    expect(ofType("vercel:index/projectRoute:ProjectRoute")).toHaveLength(0);
    // Voyager's previews are public, and Kubernetes workloads are never behind Vercel: no bypass.
    const others = Object.entries(probes).filter(([name]) => !/^(ara-probes-web|ask-dahlia-probes-ui)-/.test(name));
    expect(others.length).toBeGreaterThan(0);
    for (const [name, module] of others) expect(module, name).not.toMatch(/vercel_bypass/);
    expect(probes["voyager-probes-web-health"]).toBe("http_2xx");

    const { modules } = shippedModules(resources);
    // Every module a Probe names is in the exporter's file (one source of truth).
    for (const [name, module] of Object.entries(probes)) expect(modules[module], `${name} → ${module}`).toBeDefined();
    // The header value is each project's own ProjectProtectionBypass secret (the mock provider's output).
    const bypasses = ofType("vercel:index/projectProtectionBypass:ProjectProtectionBypass");
    const bypassOf = (projectId: string) => `mock-bypass-${bypasses.find((b) => b.inputs.projectId === projectId)!.name}`;
    const sent = (module: string) => modules[module].http.headers?.["x-vercel-protection-bypass"];
    expect(sent("ara_web_http_2xx_vercel_bypass")).toBe(bypassOf("prj_appstoagents-ara"));
    expect(sent("ask_dahlia_ui_http_2xx_vercel_bypass")).toBe(bypassOf("prj_ask-dahlia"));
    expect(bypassOf("prj_appstoagents-ara")).not.toBe(bypassOf("prj_ask-dahlia"));
    // The variants are the shared modules plus the header, nothing else.
    const { headers: _h, ...health } = modules.ara_web_http_2xx_vercel_bypass.http;
    expect(health).toEqual(modules.http_2xx.http);
    for (const [name, m] of Object.entries(modules)) {
      if (!name.endsWith("_vercel_bypass")) expect(m.http?.headers, name).toBeUndefined();
    }
  });

  it("ships the bypass only in the module Secret, as a Pulumi secret: never in a ConfigMap, a Probe, a URL or an output", () => {
    const shipped = shippedModules(resources);
    expect(shipped.isPulumiSecret).toBe(true);
    expect(ofType("kubernetes:core/v1:ConfigMap").filter((c) => c.name.startsWith("blackbox-modules-"))).toHaveLength(0);
    const hits = findValue(resources, "mock-bypass-");
    expect(hits.map((h) => `${h.resource.type} ${h.resource.name} ${h.path}`)).toEqual([
      "kubernetes:core/v1:Secret blackbox-modules-staging stringData.blackbox.yaml",
    ]);
    for (const h of hits) expect(isUnderSecret(h.resource, h.path), h.path).toBe(true);
    // Probe targets never carry it in the query form either.
    for (const p of ofType("kubernetes:monitoring.coreos.com/v1:Probe")) {
      for (const t of p.inputs.spec.targets.staticConfig.static) expect(t, p.name).not.toMatch(/x-vercel-protection-bypass/i);
    }
  });

  it("Upstash: ARA keeps UPSTASH_REDIS_URL, ARA and Voyager get the REST URL and token Redis.fromEnv() reads, as secrets", () => {
    const vars = ofType("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable");
    const keysOf = (project: string) => vars.filter((v) => v.inputs.projectId === project && v.inputs.sensitive).map((v) => v.inputs.key);
    expect(keysOf("prj_appstoagents-ara")).toEqual(expect.arrayContaining(["UPSTASH_REDIS_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"]));
    expect(keysOf("prj_careersy-wingman")).toEqual(expect.arrayContaining(["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"]));
  });

  it("leaves the optional monitoring variables out when unset, and never sets NODE_ENV", () => {
    const keys = ofType("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable").map((v) => v.inputs.key);
    for (const k of ["SENTRY_DSN", "POSTHOG_API_KEY", "VERCEL_ANALYTICS_ID", "NEXT_PUBLIC_SENTRY_DSN", "NODE_ENV"]) expect(keys).not.toContain(k);
  });

  it("points every Vercel host at Vercel's recommendation for it (vercel.getDomainConfig), by the looked-up project's id", () => {
    const asked = rec.calls
      .filter((c) => c.token === "vercel:index/getDomainConfig:getDomainConfig")
      .map((c) => `${c.inputs.projectIdOrName} ${c.inputs.domain}`);
    // tests/helpers/mocks.ts answers getProject with `prj_<name>`, as Vercel answers with the project's id.
    expect(asked.sort()).toEqual([
      "prj_appstoagents-ara ara-staging.example.com",
      "prj_ask-dahlia dahlia-staging.example.com",
      "prj_careersy-wingman voyager-staging.example.com",
    ]);
    const dns = ofType("cloudflare:index/dnsRecord:DnsRecord");
    for (const [host, project] of [
      ["ara-staging.example.com", "appstoagents-ara"],
      ["dahlia-staging.example.com", "ask-dahlia"],
      ["voyager-staging.example.com", "careersy-wingman"],
    ]) {
      const content = placeholderVercelDns(`prj_${project}`).recommendedCname.replace(/\.$/, "");
      expect(dns.find((r) => r.inputs.name === host)!.inputs).toMatchObject({ type: "CNAME", content, proxied: false });
    }
  });

  it("puts every host one label below the zone with a -staging suffix", () => {
    const names = ofType("cloudflare:index/dnsRecord:DnsRecord")
      .map((r) => r.inputs.name)
      .sort();
    expect(names).toEqual([
      "ara-staging.example.com",
      "chat-api-staging.example.com",
      "codebook-api-staging.example.com",
      "dahlia-api-staging.example.com",
      "dahlia-staging.example.com",
      // The Vercel log drains' endpoint (components/logs/vercel-drains.ts, `logDrainHostLabel`).
      "logs-staging.example.com",
      "voyager-staging.example.com",
    ]);
    const api = ofType("cloudflare:index/dnsRecord:DnsRecord").find((r) => r.inputs.name === "codebook-api-staging.example.com")!;
    expect(api.inputs).toMatchObject({ type: "A", content: "34.149.100.10", proxied: false });
  });

  it("leaves optional secrets out instead of sending empty values", () => {
    const chatSecret = byName("chat-api-api-secrets")!;
    expect(Object.keys(chatSecret.inputs.stringData).sort()).toEqual(["ANTHROPIC_API_KEY", "INTERNAL_API_KEY", "OPENAI_API_KEY", "SUPABASE_SERVICE_ROLE_KEY"]);
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
