/**
 * The prod stack, run through the real program under mocks: every product's resources, the
 * seeds' numbers where they land, protection of data, and secrets end to end.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, findValue, isUnderSecret, sentinel, setUpStack } from "./helpers/program";
import type { RecordedResource } from "./helpers/mocks";
import { allSecretKeys } from "../infra/secrets";
import { placeholderVercelDns } from "../tools/engine/offline-stack";
import { ARA_RESPONSE_HEADERS } from "../stacks/ara";
import { exactHeaderPatterns } from "../components/monitoring/blackbox-modules";
import { firewallRuleCounts, probeModules, probeTargets, shippedModules } from "./helpers/blackbox";

const rec = setUpStack("prod");
let resources: RecordedResource[] = [];
let outputs: Record<string, any> = {};

beforeAll(async () => {
  const { run } = await import("../infra/program");
  const products = run();
  resources = [...(await rec.settle())];
  outputs = products;
});

const byName = (name: string) => {
  const r = resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}; have ${resources.map((x) => x.name).join(", ")}`);
  return r;
};
const ofType = (type: string) => resources.filter((r) => r.type === type);

describe("prod stack", () => {
  it("registers all five products with their namespaces", () => {
    const stacks = ofType("app-platform:product:ApplicationStack")
      .map((r) => r.name)
      .sort();
    expect(stacks).toEqual(["ara", "ask-dahlia", "chat-api", "codebook", "voyager"]);
    const namespaces = ofType("kubernetes:core/v1:Namespace")
      .map((r) => r.inputs.metadata.name)
      .sort();
    // The five product namespaces, the platform's log agent's (components/logs/log-agent.ts) and its Vercel drains' aggregator's (vercel-drains.ts).
    expect(namespaces).toEqual(["ara-prod", "ask-dahlia-prod", "chat-api-prod", "codebook-prod", "logging", "vercel-logs", "voyager-prod"]);
    for (const ns of ofType("kubernetes:core/v1:Namespace")) {
      // Only the log agent's namespace admits its hostPath (/var/log/pods): README "Logs".
      expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(ns.inputs.metadata.name === "logging" ? "privileged" : "restricted");
    }
  });

  it("uses explicit providers for every cloud resource", () => {
    const providers = ofType("pulumi:providers:kubernetes").concat(
      ofType("pulumi:providers:aws"),
      ofType("pulumi:providers:cloudflare"),
      ofType("pulumi:providers:vercel"),
    );
    expect(providers.map((p) => p.name).sort()).toEqual(["aws", "cloudflare", "kubernetes", "vercel"]);
    for (const r of resources.filter((x) => x.custom && /^(kubernetes|aws|cloudflare|vercel):/.test(x.type))) {
      expect(r.provider, `${r.type} ${r.name}`).toMatch(/::(kubernetes|aws|cloudflare|vercel)::/);
    }
  });

  it("codebook: the API Deployment has seed 001's replicas, port, probes and resources", () => {
    const dep = byName("codebook-api-deployment").inputs;
    // Autoscaled (seed 001 §6.2): the HPA's floor is seed 001 §3.1's 3; the Deployment leaves the count to it.
    expect(dep.spec.replicas).toBeUndefined();
    expect(byName("codebook-api-hpa").inputs.spec).toMatchObject({ minReplicas: 3, scaleTargetRef: { kind: "Deployment", name: "codebook-api" } });
    const c = dep.spec.template.spec.containers[0];
    expect(c.ports[0].containerPort).toBe(8000);
    expect(c.livenessProbe.httpGet).toMatchObject({ path: "/health", port: 8000 });
    expect(c.livenessProbe).toMatchObject({ initialDelaySeconds: 30, periodSeconds: 10 });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: "/health", port: 8000 });
    expect(c.readinessProbe).toMatchObject({ initialDelaySeconds: 5, periodSeconds: 5 });
    expect(c.resources).toEqual({ requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1Gi" } });
    expect(c.image).toBe("ghcr.io/example-org/codebook-backend:1.2.3");
    // SUPABASE_URL through a secretKeyRef, as seed 001 §3.1 does.
    const supabase = c.env.find((e: any) => e.name === "SUPABASE_URL");
    expect(supabase.valueFrom.secretKeyRef).toEqual({ name: "codebook-api-secrets", key: "SUPABASE_URL" });
    expect(byName("codebook-api-pdb").inputs.spec.maxUnavailable).toBe(1);
  });

  it("codebook: the S3 backup bucket keeps seed 001's retention per prefix and is protected", () => {
    const lifecycle = resources.find(
      (r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration" && r.name === "codebook-backups-lifecycle",
    )!;
    const days = Object.fromEntries(lifecycle.inputs.rules.map((r: any) => [r.filter.prefix, r.expiration.days]));
    // seed 001 §4.1: daily 30 d, weekly 90 d, the pre-deploy dumps kept like the manual ones (90 d); §4.2 Pinecone 90 d.
    expect(days).toEqual({ "daily/": 30, "weekly/": 90, "pinecone/": 90, "pre-deploy/": 90 });
    // seed 001 §2.5's log classes are in log buckets of their own (productLogs), so the backups' lock is the shortest backup retention.
    const lock = resources.find(
      (r) => r.type === "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration" && r.name === "codebook-backups-object-lock",
    )!;
    expect(lock.inputs.rule.defaultRetention).toEqual({ mode: "GOVERNANCE", days: 30 });
    const jobs = ofType("kubernetes:batch/v1:CronJob").filter((r) => r.name.startsWith("codebook-"));
    expect(jobs.map((j) => j.inputs.metadata.name).sort()).toEqual([
      "codebook-backup-daily",
      "codebook-backup-pinecone",
      "codebook-backup-weekly",
      "codebook-db-maintenance-vacuum",
      "codebook-restore-verify-daily",
    ]);
    expect(jobs.every((j) => j.inputs.spec.concurrencyPolicy === "Forbid")).toBe(true);
  });

  it("codebook: seed 001 §4.2's weekly Pinecone export runs the backend's own export into pinecone/", () => {
    const job = byName("codebook-backup-pinecone-cronjob").inputs;
    expect(job.spec.schedule).toBe("0 4 * * 0");
    const c = job.spec.jobTemplate.spec.template.spec.containers[0];
    expect(c.image).toBe("ghcr.io/example-org/codebook-backend:1.2.3");
    expect(c.command).toEqual(["node", "dist/scripts/backup-pinecone.js"]);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom?.secretKeyRef?.key]));
    expect(env).toMatchObject({ BACKUP_PREFIX: "pinecone/", PINECONE_API_KEY: "PINECONE_API_KEY" });
    expect(env.DATABASE_URL).toBeUndefined();
    // Its upload credentials reach only its prefix.
    const policy = JSON.parse(byName("codebook-backup-pinecone-user-policy").inputs.policy);
    expect(JSON.stringify(policy)).toContain("/pinecone/*");
    // And it has a freshness alert like every backup job (`stack-missing-backup-freshness-alert`).
    const rule = resources.find((r) => r.name === "codebook-alerts-rules")!;
    const names = rule.inputs.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(names).toContain("CodebookBackupPineconeBackupStale");
  });

  it("codebook: the whole alert list of seed 001 §1.4", () => {
    const rule = resources.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" && r.name === "codebook-alerts-rules")!;
    const alerts = rule.inputs.spec.groups.flatMap((g: any) => g.rules.map((r: any) => `${r.alert}/${r.labels.severity}`));
    for (const expected of [
      "HighErrorRate/critical",
      "HighErrorRateWarning/warning",
      "HighLatencyP95/critical",
      "DatabasePoolExhausted/critical",
      "DiskSpaceLow/critical",
      // Issue 19 item 9: a vendor's status-page component, at warning (not the seed's critical).
      "SupabaseDown/warning",
      "PineconeDown/warning",
      "LLMDown/warning",
      "JobQueueBacklog/warning",
      "LlmApiErrorRateHigh/warning",
      "LlmTokenQuotaNearlyUsed/warning",
      "TlsCertificateExpiringSoon/warning",
      "CodebookBackupDailyBackupStale/critical",
      "CodebookBackupWeeklyBackupStale/critical",
    ]) {
      expect(alerts).toContain(expected);
    }
  });

  it("codebook: each dependency probe reads its named component of the vendor's components.json, and its alert warns", () => {
    const probes = ofType("kubernetes:monitoring.coreos.com/v1:Probe").filter(
      (p) => p.inputs.metadata.labels?.["app.kubernetes.io/component"] === "probe" && p.name.endsWith("-status"),
    );
    const byDependency = Object.fromEntries(probes.map((p) => [p.inputs.spec.targets.staticConfig.labels.dependency, p.inputs.spec]));
    expect(Object.keys(byDependency).sort()).toEqual(["llm", "pinecone", "supabase"]);
    const shipped = shippedModules(resources);
    for (const [dep, url, component] of [
      ["supabase", "https://status.supabase.com/api/v2/components.json", "AWS us-east-1"],
      ["pinecone", "https://status.pinecone.io/api/v2/components.json", "AWS us-east-1"],
      ["llm", "https://status.openai.com/api/v2/components.json", "Chat Completions"],
    ]) {
      const spec = byDependency[dep];
      expect(spec.targets.staticConfig.static, dep).toEqual([url]);
      const [pattern] = shipped.modules[spec.module].http.fail_if_body_not_matches_regexp as string[];
      // The pattern names the component (not the page-wide indicator).
      expect(pattern, dep).toContain(`"${component}"`);
      expect(pattern, dep).not.toContain("indicator");
    }
    const rule = resources.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" && r.name === "codebook-alerts-rules")!;
    const deps = rule.inputs.spec.groups.find((g: any) => g.name === "codebook-dependencies");
    expect(deps.rules.map((r: any) => `${r.alert}/${r.labels.severity}`).sort()).toEqual(["LLMDown/warning", "PineconeDown/warning", "SupabaseDown/warning"]);
  });

  it("chat-api: seed 002's probes, grace period, env defaults and sticky sessions", () => {
    const dep = byName("chat-api-api-deployment").inputs;
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    expect(c.livenessProbe.httpGet.path).toBe("/health");
    expect(c.readinessProbe.httpGet.path).toBe("/health/ready");
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    const config = byName("chat-api-api-config").inputs.data;
    expect(config).toMatchObject({ RATE_LIMIT_FREE: "50", RATE_LIMIT_PAID: "500", FUNCTION_TIMEOUT_SECONDS: "30.0", ENVIRONMENT: "production" });
    expect(byName("chat-api-api-service").inputs.spec.sessionAffinity).toBe("ClientIP");
    const rule = resources.find((r) => r.name === "chat-api-alerts-rules")!;
    const sse = rule.inputs.spec.groups[0].rules.filter((r: any) => r.expr.includes("sse_active_connections"));
    expect(sse.map((r: any) => [r.labels.severity, r.expr.match(/> (\d+)/)[1]])).toEqual([
      ["critical", "200"],
      ["warning", "150"],
    ]);
  });

  it("ARA: a private R2 reports bucket, R2 backups kept 30 days, and its hosts' records from Vercel's recommendation", () => {
    const r2 = ofType("cloudflare:index/r2Bucket:R2Bucket").filter((r) => r.name.startsWith("ara-"));
    // ara-prod-logs: its log classes but audit (productLogs; R2 locks are per prefix).
    expect(r2.map((b) => b.inputs.name).sort()).toEqual(["ara-prod-backups", "ara-prod-logs", "ara-prod-reports"]);
    const lifecycle = ofType("cloudflare:index/r2BucketLifecycle:R2BucketLifecycle").find((r) => r.name === "ara-backups-lifecycle")!;
    const daily = lifecycle.inputs.rules.find((r: any) => r.conditions.prefix === "daily/");
    expect(daily.deleteObjectsTransition.condition.maxAge).toBe(30 * 86_400);
    const dns = ofType("cloudflare:index/dnsRecord:DnsRecord").filter((r) => r.name.startsWith("ara-"));
    // getDomainConfig's answer for the created project (tests/helpers/mocks.ts, as the offline plan
    // gives it, in today's per-project form), not seed 004's literals; the trailing dot is dropped.
    const vercelDns = placeholderVercelDns("ara-web-project-id");
    const cname = vercelDns.recommendedCname.replace(/\.$/, "");
    expect(cname).toMatch(/^[0-9a-f]{16}\.vercel-dns-017\.com$/);
    expect(vercelDns.recommendedIpv4s).toEqual(["216.198.79.1", "64.29.17.1"]);
    // One apex A record per address Vercel recommends (issue 19 item 10), not only the first.
    expect(dns.map((r) => `${r.inputs.name} ${r.inputs.type} ${r.inputs.content} proxied=${r.inputs.proxied}`).sort()).toEqual([
      `app.example.com CNAME ${cname} proxied=false`,
      `example.com A 216.198.79.1 proxied=false`,
      `example.com A 64.29.17.1 proxied=false`,
      `www.example.com CNAME ${cname} proxied=false`,
    ]);
    expect(ofType("cloudflare:index/r2ManagedDomain:R2ManagedDomain")).toHaveLength(0);
    expect(ofType("cloudflare:index/r2CustomDomain:R2CustomDomain")).toHaveLength(0);
  });

  it("voyager: the prod stack owns the Vercel project and targets production", () => {
    const project = ofType("vercel:index/project:Project").find((r) => r.inputs.name === "careersy-wingman")!;
    expect(project.inputs.gitRepository).toMatchObject({ type: "github", repo: "example-org/voyager", productionBranch: "main" });
    const secret = ofType("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable").find((r) => r.name === "voyager-web-env-nextauth-secret")!;
    expect(secret.inputs).toMatchObject({ key: "NEXTAUTH_SECRET", sensitive: true, targets: ["production"] });
    const cname = ofType("cloudflare:index/dnsRecord:DnsRecord").find((r) => r.inputs.name === "voyager.example.com")!;
    expect(cname.inputs).toMatchObject({ type: "CNAME", content: placeholderVercelDns(`${project.name}-id`).recommendedCname.replace(/\.$/, "") });
  });

  it("ARA (seed 004): the app. host NEXT_PUBLIC_APP_URL names, apex and www redirecting to it", () => {
    const domains = ofType("vercel:index/projectDomain:ProjectDomain").filter((r) => r.name.startsWith("ara-"));
    expect(domains.map((d) => `${d.inputs.domain} -> ${d.inputs.redirect ?? "(serves)"} ${d.inputs.redirectStatusCode ?? ""}`.trim()).sort()).toEqual([
      "app.example.com -> (serves)",
      "example.com -> app.example.com 308",
      "www.example.com -> app.example.com 308",
    ]);
    const url = byName("ara-web-env-next-public-app-url").inputs;
    expect(url).toMatchObject({ key: "NEXT_PUBLIC_APP_URL", value: "https://app.example.com", targets: ["production", "development"] });
    expect(url.gitBranch).toBeUndefined();
  });

  it("every Vercel host's record comes from vercel.getDomainConfig for the project this stack creates, by its id (never by name)", () => {
    const ids = Object.fromEntries(ofType("vercel:index/project:Project").map((p) => [`${p.name}-id`, p.inputs.name]));
    const asked = rec.calls
      .filter((c) => c.token === "vercel:index/getDomainConfig:getDomainConfig")
      .map((c) => `${ids[c.inputs.projectIdOrName] ?? `not a created project's id: ${c.inputs.projectIdOrName}`} ${c.inputs.domain}`);
    expect(asked.sort()).toEqual([
      "appstoagents-ara app.example.com",
      "appstoagents-ara example.com",
      "appstoagents-ara www.example.com",
      "ask-dahlia dahlia.example.com",
      "careersy-wingman voyager.example.com",
    ]);
  });

  it("chooses deployment protection per project: Voyager's previews public (OAuth callbacks), the others behind Vercel Authentication", () => {
    const auth = Object.fromEntries(ofType("vercel:index/project:Project").map((p) => [p.inputs.name, p.inputs.vercelAuthentication.deploymentType]));
    expect(auth).toEqual({ "appstoagents-ara": "standardProtectionNew", "ask-dahlia": "standardProtectionNew", "careersy-wingman": "none" });
    // Production custom domains are public under every choice: prod needs no bypass.
    expect(ofType("vercel:index/projectProtectionBypass:ProjectProtectionBypass")).toHaveLength(0);
  });

  it("probes production hosts without the bypass; the module file is still a Secret (one contract with staging)", () => {
    const probes = probeModules(resources);
    expect(probes["ara-probes-web-health"]).toBe("http_2xx");
    expect(probes["ara-probes-web-redirects"]).toBe("http_308_no_follow");
    expect(probes["ara-probes-web-headers"]).toBe("ara_web_security_headers");
    expect(probes["voyager-probes-web-headers"]).toBe("voyager_web_security_headers");
    expect(probes["ask-dahlia-probes-ui-health"]).toBe("http_2xx");
    // seed 000 asks for no headers: Ask Dahlia's UI is not probed for any.
    expect(probes["ask-dahlia-probes-ui-headers"]).toBeUndefined();
    for (const [name, module] of Object.entries(probes)) expect(module, name).not.toMatch(/vercel_bypass/);
    const shipped = shippedModules(resources);
    for (const [name, module] of Object.entries(probes)) expect(shipped.modules[module], `${name} → ${module}`).toBeDefined();
    for (const [name, m] of Object.entries(shipped.modules)) expect(m.http?.headers, name).toBeUndefined();
    // Same object kind and key as staging (one contract for the exporter's chart values).
    expect(shipped.secret.inputs.metadata).toMatchObject({ name: "blackbox-modules-prod", namespace: "monitoring" });
    // @pulumi/kubernetes marks every Secret's stringData secret, whatever it holds.
    expect(shipped.isPulumiSecret).toBe(true);
    expect(ofType("kubernetes:core/v1:ConfigMap").filter((c) => c.name.startsWith("blackbox-modules-"))).toHaveLength(0);
  });

  it("no Firewall rate limit counts the platform's own probes: each probe of a rate-limited project's host GETs an uncounted path", () => {
    const hostsOf = (projectId: string) =>
      ofType("vercel:index/projectDomain:ProjectDomain")
        .filter((d) => d.inputs.projectId === projectId)
        .map((d) => d.inputs.domain as string);
    let checked = 0;
    for (const fw of ofType("vercel:index/firewallConfig:FirewallConfig")) {
      const hosts = hostsOf(fw.inputs.projectId);
      expect(hosts.length, fw.name).toBeGreaterThan(0);
      for (const { probe, url } of probeTargets(resources).filter((t) => hosts.includes(t.url.hostname))) {
        checked++;
        // One exporter IP, every scrape interval, on every host: a counted path would get 429 and page.
        for (const rule of fw.inputs.rules.rules) expect(firewallRuleCounts(rule, url.pathname), `${probe} ${url}`).toBe(false);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3); // ARA's three hosts at least
    // The check can fail: ARA's rule without the exemption counts its health probe.
    const ara = ofType("vercel:index/firewallConfig:FirewallConfig").find((f) => f.inputs.projectId === "ara-web-project-id")!.inputs.rules.rules[0];
    expect(firewallRuleCounts({ conditionGroups: [{ conditions: [ara.conditionGroups[0].conditions[0]] }] }, "/api/health")).toBe(true);
  });

  it("sets the headers each guide asks for with a ProjectRoute, and probes exactly those (seed 004: ARA's six; seed 003: Voyager's CSP; seed 000: none)", () => {
    const routes = ofType("vercel:index/projectRoute:ProjectRoute");
    const setBy = Object.fromEntries(
      routes.map((r) => {
        expect(r.inputs.route.src, r.name).toBe("/(.*)");
        const set = Object.fromEntries(
          r.inputs.route.transforms.map((t: any) => {
            expect(t, r.name).toMatchObject({ type: "response.headers", op: "set" });
            return [JSON.parse(t.target).key, JSON.parse(t.args)];
          }),
        );
        return [r.inputs.projectId, set];
      }),
    );
    expect(Object.keys(setBy).sort()).toEqual(["ara-web-project-id", "voyager-web-project-id"]);
    expect(setBy["ara-web-project-id"]).toEqual(ARA_RESPONSE_HEADERS);
    expect(setBy["voyager-web-project-id"]).toEqual({ "Content-Security-Policy": "frame-ancestors 'none'; object-src 'none'; base-uri 'self'" });
    // The probe checks what the route set: the same list, each value exactly.
    const { modules } = shippedModules(resources);
    const checked = (module: string) => Object.fromEntries(modules[module].http.fail_if_header_not_matches.map((h: any) => [h.header, h.regexp]));
    expect(checked("ara_web_security_headers")).toEqual(exactHeaderPatterns(setBy["ara-web-project-id"]));
    expect(checked("voyager_web_security_headers")).toEqual(exactHeaderPatterns(setBy["voyager-web-project-id"]));
    expect(modules.ask_dahlia_ui_security_headers).toBeUndefined();
  });

  it("probes ARA's redirecting hosts (apex, www) without following, expecting 308, so their own certificates are checked", () => {
    const targets = probeTargets(resources)
      .filter((t) => t.probe === "ara-probes-web-redirects")
      .map((t) => t.url.toString());
    expect(targets.sort()).toEqual(["https://example.com/api/health", "https://www.example.com/api/health"]);
    const health = probeTargets(resources)
      .filter((t) => t.probe === "ara-probes-web-health")
      .map((t) => t.url.toString());
    expect(health).toEqual(["https://app.example.com/api/health"]);
    const { modules } = shippedModules(resources);
    expect(modules.http_308_no_follow.http).toMatchObject({ valid_status_codes: [308], follow_redirects: false });
    const rules = byName("ara-alerts-rules").inputs.spec.groups.find((g: any) => g.name === "ara-web-redirects-endpoint").rules;
    expect(rules.map((r: any) => r.alert)).toEqual(expect.arrayContaining(["EndpointDown"]));
    expect(rules.some((r: any) => r.expr.includes("probe_ssl_earliest_cert_expiry") && r.expr.includes("ara-probes-web-redirects"))).toBe(true);
  });

  it("ARA runs its functions in iad1 and sfo1 (seed 004)", () => {
    const ara = ofType("vercel:index/project:Project").find((p) => p.inputs.name === "appstoagents-ara")!;
    expect(ara.inputs.resourceConfig).toEqual({ functionDefaultRegions: ["iad1", "sfo1"] });
    for (const p of ofType("vercel:index/project:Project").filter((x) => x !== ara)) expect(p.inputs.resourceConfig, p.inputs.name).toBeUndefined();
  });

  it("rate-limits per IP in the Vercel Firewall: ARA 100/h (seed 004, as 16 per 600 s below Enterprise), Voyager 10/10 s (seed 003)", () => {
    const rules = Object.fromEntries(ofType("vercel:index/firewallConfig:FirewallConfig").map((f) => [f.inputs.projectId, f.inputs.rules.rules]));
    expect(Object.keys(rules).sort()).toEqual(["ara-web-project-id", "voyager-web-project-id"]);
    const [ara] = rules["ara-web-project-id"];
    // The health endpoint the platform's probes GET is not counted (see the next test).
    expect(ara.conditionGroups).toEqual([
      {
        conditions: [
          { type: "path", op: "pre", value: "/api/" },
          { type: "path", op: "eq", value: "/api/health", neg: true },
        ],
      },
    ]);
    expect(ara.action).toEqual({ action: "rate_limit", rateLimit: { algo: "fixed_window", limit: 16, window: 600, keys: ["ip"], action: "rate_limit" } });
    expect(ara.description).toContain("100 requests per 3600 s per IP on /api/ (seed 004)");
    const [voyagerRule] = rules["voyager-web-project-id"];
    expect(voyagerRule.action.rateLimit).toEqual({ algo: "fixed_window", limit: 10, window: 10, keys: ["ip"], action: "rate_limit" });
  });

  it("Ask Dahlia's UI builds as seed 000 says: bun install, bun run build, static export in out (served as built: no preset)", () => {
    const ui = ofType("vercel:index/project:Project").find((p) => p.inputs.name === "ask-dahlia")!;
    // Vercel's Next.js preset with an output directory fails every build (vercel/vercel#4368).
    expect(ui.inputs.framework).toBeUndefined();
    expect(ui.inputs).toMatchObject({
      rootDirectory: "ask-dahlia",
      installCommand: "bun install",
      buildCommand: "bun run build",
      outputDirectory: "out",
    });
  });

  it("production variables: Upstash REST secrets, the optional monitoring ones when configured, no NODE_ENV", () => {
    const vars = ofType("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable");
    const of = (project: string) => Object.fromEntries(vars.filter((v) => v.inputs.projectId === project).map((v) => [v.inputs.key, v.inputs]));
    const ara = of("ara-web-project-id");
    for (const k of ["UPSTASH_REDIS_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "SENTRY_DSN", "POSTHOG_API_KEY"]) {
      expect(ara[k], k).toMatchObject({ sensitive: true, targets: ["production"] });
    }
    expect(ara.VERCEL_ANALYTICS_ID).toMatchObject({ value: "ara-prod-analytics", sensitive: false });
    const voyagerVars = of("voyager-web-project-id");
    for (const k of ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"])
      expect(voyagerVars[k], k).toMatchObject({ sensitive: true, targets: ["production"] });
    expect(voyagerVars.NEXT_PUBLIC_SENTRY_DSN).toMatchObject({ value: "https://abc123@o1.ingest.sentry.io/42", sensitive: false });
    expect(voyagerVars.NEXTAUTH_URL).toMatchObject({ value: "https://voyager.example.com", targets: ["production", "development"] });
    expect(vars.map((v) => v.inputs.key)).not.toContain("NODE_ENV");
    // Production only: no variable of the prod stack reaches a preview.
    for (const v of vars) expect(v.inputs.targets, v.name).not.toContain("preview");
  });

  it("ask-dahlia: one generated HMAC secret feeds both the worker Secret and the Vercel UI, its previous value beside it", () => {
    // Two slots take turns (components/secrets/secret-set.ts): one is current, the other last quarter's value.
    const slots = ["even", "odd"].map((s) => byName(`ask-dahlia-secrets-worker-api-secret-${s}`));
    for (const password of slots) {
      expect(password.type).toBe("random:index/randomPassword:RandomPassword");
      expect(password.inputs.length).toBeGreaterThanOrEqual(32);
    }
    const current = byName("ask-dahlia-worker-secrets").inputs.stringData.WORKER_API_SECRET;
    const slot = slots.find((p) => current.startsWith(`mock-password-${p.name}`))!;
    const other = slots.find((p) => p !== slot)!;
    const sinks = (name: string) => findValue(resources, `mock-password-${name}`).map((h) => `${h.resource.type} ${h.path}`);
    expect(sinks(slot.name)).toEqual(
      expect.arrayContaining([
        "kubernetes:core/v1:Secret stringData.WORKER_API_SECRET",
        "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable value",
      ]),
    );
    expect(sinks(other.name)).toEqual(
      expect.arrayContaining([
        "kubernetes:core/v1:Secret stringData.WORKER_API_SECRET_PREVIOUS",
        "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable value",
      ]),
    );
  });

  it("every generated value, current or previous, reaches its sinks only as a Pulumi secret", () => {
    let sinks = 0;
    for (const password of ofType("random:index/randomPassword:RandomPassword")) {
      for (const hit of findValue(resources, `mock-password-${password.name}`)) {
        sinks++;
        expect(isUnderSecret(hit.resource, hit.path), `${password.name} reached ${hit.resource.type} ${hit.resource.name} ${hit.path} in plain`).toBe(true);
      }
    }
    expect(sinks).toBeGreaterThanOrEqual(8); // 4 for the two WORKER_API_SECRET slots, one for each other generated key
  });

  it("no product's digest key reaches any resource: it only keys the redeploy digests", () => {
    const keys = ofType("random:index/randomPassword:RandomPassword").filter((p) => p.name.endsWith("-secrets-digest-key"));
    expect(keys.map((k) => k.name).sort()).toEqual(["ara", "ask-dahlia", "chat-api", "codebook", "voyager"].map((p) => `${p}-secrets-digest-key`));
    for (const k of keys) expect(findValue(resources, `mock-password-${k.name}`), k.name).toEqual([]);
  });

  it("protects every data-bearing resource in prod", () => {
    // Protection is a resource option the mocks cannot see; the components compute it from the
    // context, and their tests cover that. Here: every backup bucket exists under a prod context.
    const buckets = ofType("aws:s3/bucket:Bucket")
      .map((b) => b.inputs.bucket)
      .sort();
    // S3 names are global: each carries the account id (s3BucketSuffix unset).
    // The backups of the three S3 products; every product's audit logs and the S3 products' other log classes (productLogs).
    const s3Products = ["ask-dahlia", "codebook", "voyager"];
    const logBuckets = (p: string) => [`${p}-prod-audit-logs`, ...(s3Products.includes(p) ? ["app", "error", "debug"].map((c) => `${p}-prod-logs-${c}`) : [])];
    const expected = [...s3Products.map((p) => `${p}-prod-backups`), ...["ask-dahlia", "codebook", "chat-api", "voyager", "ara"].flatMap(logBuckets)];
    expect(buckets).toEqual(expected.map((n) => `${n}-123456789012`).sort());
    for (const b of ofType("aws:s3/bucket:Bucket")) expect(b.inputs.objectLockEnabled).toBe(true);
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

  it("every generated secret reaches resources only as a Pulumi secret", () => {
    const hits = findValue(resources, "mock-password-");
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) expect(isUnderSecret(h.resource, h.path), `${h.resource.name} ${h.path}`).toBe(true);
  });

  it("exports no secret", () => {
    const text = JSON.stringify(outputs, (_k, v) => (v && typeof v === "object" && "apply" in v ? "[output]" : v));
    expect(text).not.toMatch(/SENTINEL|mock-password/);
    expect(Object.keys(outputs).sort()).toEqual(["ara", "ask-dahlia", "chat-api", "codebook", "voyager"]);
    expect(ROOT).toBeTruthy();
  });
});
