/**
 * ApplicationStack: validation of a product spec, the DNS records it derives, and the children
 * it creates for one product (the products tests cover all five through the program).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { installRecordingMocks, valueOf } from "../helpers/mocks";
import { ApplicationStack } from "../../components/application-stack";
import { type ApplicationStackArgs, validateApplicationStackArgs } from "../../components/product-validation";
import { productDnsRecords } from "../../components/web/product-web";
import { placeholderVercelDns } from "../../tools/engine/offline-stack";
import { CATALOG } from "../../stacks";
import { parseStackConfig } from "../../infra/config";
import { allSecretKeys } from "../../infra/secrets";
import { productEnvironment } from "../../infra/program";
import { stackConfigWithSecrets } from "../helpers/program";
import { testPlatform } from "../helpers/platform";
import { buildProduct, type ProductSpec, type WebAppSpec } from "../../components/product-spec";

const rec = installRecordingMocks({ stack: "staging" });
beforeEach(() => rec.reset());

const cfg = parseStackConfig(stackConfigWithSecrets("staging").values, "staging", new Set(allSecretKeys().map((s) => s.key)));
const env = productEnvironment(cfg);
const platform = testPlatform();
const secretsOf = (spec: ProductSpec) => Object.fromEntries(spec.providedSecrets.filter((s) => !s.optional).map((s) => [s.name, `v-${s.name}`]));

describe("validateApplicationStackArgs", () => {
  const voyager = buildProduct(CATALOG.voyager, env);
  const base: ApplicationStackArgs = { environment: "staging", spec: voyager, providedSecrets: secretsOf(voyager), platform };

  it("accepts every product of the catalog", () => {
    for (const def of Object.values(CATALOG)) {
      const spec = buildProduct(def, env);
      expect(() => validateApplicationStackArgs(spec.id, { ...base, spec, providedSecrets: secretsOf(spec) })).not.toThrow();
    }
  });

  it("refuses a secret reference that nothing declares", () => {
    const app = { ...voyager.webApps[0], secretEnv: { ...voyager.webApps[0].secretEnv, MISSING_KEY: "NOPE" } };
    expect(() => validateApplicationStackArgs("voyager", { ...base, spec: { ...voyager, webApps: [app] } })).toThrow(
      /`webApps.web.secretEnv.MISSING_KEY` refers to secret `NOPE`/,
    );
  });

  it("refuses a required provided secret without a value", () => {
    const { DATABASE_URL: _dropped, ...rest } = secretsOf(voyager);
    expect(() => validateApplicationStackArgs("voyager", { ...base, providedSecrets: rest })).toThrow(/`providedSecrets.DATABASE_URL` has no value/);
  });

  it("refuses a backup of a database secret the product lacks", () => {
    const spec = { ...voyager, backups: { ...voyager.backups!, databaseSecret: "OTHER_URL" } };
    expect(() => validateApplicationStackArgs("voyager", { ...base, spec })).toThrow(/`backups.databaseSecret` is `OTHER_URL`/);
  });

  it("refuses an app that already sets the _PREVIOUS variable of a secret that keeps its previous value", () => {
    const dahlia = buildProduct(CATALOG["ask-dahlia"], env);
    const ui = { ...dahlia.webApps[0], secretEnv: { ...dahlia.webApps[0].secretEnv, WORKER_API_SECRET_PREVIOUS: "JWT_SECRET" } };
    expect(() => validateApplicationStackArgs("ask-dahlia", { ...base, spec: { ...dahlia, webApps: [ui] }, providedSecrets: secretsOf(dahlia) })).toThrow(
      /`webApps.ui.secretEnv.WORKER_API_SECRET` reads `WORKER_API_SECRET`, which keeps its previous value in `WORKER_API_SECRET_PREVIOUS`/,
    );
  });

  it("refuses a migrating workload without a pre-deploy backup or the database's secret (seed 001 §3.3)", () => {
    const codebook = buildProduct(CATALOG.codebook, env);
    const args = (spec: ProductSpec): ApplicationStackArgs => ({ ...base, spec, providedSecrets: secretsOf(codebook) });
    expect(codebook.workloads[0].migrationCommand).toEqual(["npx", "prisma", "migrate", "deploy"]);
    expect(() => validateApplicationStackArgs("codebook", args(codebook))).not.toThrow();
    expect(() => validateApplicationStackArgs("codebook", args({ ...codebook, backups: undefined }))).toThrow(
      /`workloads.api.migrationCommand` needs a backup before each migration.*no `backups`/,
    );
    const noRule = { ...codebook.backups!, retention: codebook.backups!.retention.filter((r) => r.prefix !== "pre-deploy/") };
    expect(() => validateApplicationStackArgs("codebook", args({ ...codebook, backups: noRule }))).toThrow(
      /backs up into "pre-deploy\/", which `backups.retention` does not keep; add `\{ prefix: "pre-deploy\/", retention: Retention.days\(90\) \}`/,
    );
    const { DATABASE_URL: _dropped, ...secretEnv } = codebook.workloads[0].secretEnv;
    expect(() => validateApplicationStackArgs("codebook", args({ ...codebook, workloads: [{ ...codebook.workloads[0], secretEnv }] }))).toThrow(
      /does not receive `database.secret` \(`DATABASE_URL`\)/,
    );
  });

  it("refuses two apps or workloads with the same name", () => {
    const spec = { ...voyager, webApps: [voyager.webApps[0], voyager.webApps[0]] };
    expect(() => validateApplicationStackArgs("voyager", { ...base, spec })).toThrow(/use the name `web` twice/);
  });
});

describe("productDnsRecords", () => {
  it("points API hosts at the ingress and Vercel hosts at Vercel's recommendation for each host, none proxied", () => {
    const asked: string[] = [];
    const lookup = (app: WebAppSpec, host: string) => {
      asked.push(`${app.projectName} ${host}`);
      return { ipv4s: [`ipv4-of-${host}`, `ipv4-2-of-${host}`], cname: `cname-of-${host}` };
    };
    const prodEnv = productEnvironment({ ...cfg, environment: "prod" });
    // seed 004: the app host, the apex (A: a CNAME cannot sit there) and www.
    expect(productDnsRecords(buildProduct(CATALOG.ara, prodEnv), platform, lookup)).toEqual([
      { name: "app.example.com", type: "CNAME", content: "cname-of-app.example.com", proxied: false },
      // One A record per address of Vercel's answer (issue 19 item 10).
      { name: "example.com", type: "A", content: ["ipv4-of-example.com", "ipv4-2-of-example.com"], proxied: false },
      { name: "www.example.com", type: "CNAME", content: "cname-of-www.example.com", proxied: false },
    ]);
    expect(productDnsRecords(buildProduct(CATALOG["ask-dahlia"], env), platform, lookup)).toEqual([
      { name: "dahlia-api-staging.example.com", type: "A", content: "34.149.100.10", proxied: false },
      { name: "dahlia-staging.example.com", type: "CNAME", content: "cname-of-dahlia-staging.example.com", proxied: false },
    ]);
    expect(asked).toEqual([
      "appstoagents-ara app.example.com",
      "appstoagents-ara example.com",
      "appstoagents-ara www.example.com",
      "ask-dahlia dahlia-staging.example.com",
    ]);
  });
});

describe("Voyager's community custom domains (seed 003 branding.domains)", () => {
  const communities = ["community.acme.com", "jobs.example.com"];
  const withCommunities = productEnvironment(
    parseStackConfig(
      { ...stackConfigWithSecrets("staging").values, "app-platform:voyagerCommunityDomains": JSON.stringify(communities) },
      "staging",
      new Set(allSecretKeys().map((s) => s.key)),
    ),
  );

  it("refuses a domain that is not a host name, naming the key", () => {
    expect(() =>
      parseStackConfig(
        { ...stackConfigWithSecrets("staging").values, "app-platform:voyagerCommunityDomains": '["https://community.acme.com"]' },
        "staging",
        new Set(allSecretKeys().map((s) => s.key)),
      ),
    ).toThrow(/`app-platform:voyagerCommunityDomains`[\s\S]*Fix:/);
    expect(() =>
      parseStackConfig(
        { ...stackConfigWithSecrets("staging").values, "app-platform:voyagerCommunityDomains": '["a.acme.com","a.acme.com"]' },
        "staging",
        new Set(allSecretKeys().map((s) => s.key)),
      ),
    ).toThrow(/`app-platform:voyagerCommunityDomains` lists a\.acme\.com more than once/);
  });

  it("gives each its ProjectDomain, DNS from Vercel's answer where the zone is ours, and the uptime and TLS probe", async () => {
    const spec = buildProduct(CATALOG.voyager, withCommunities);
    expect(spec.webApps[0].domains.map((d) => d.host)).toEqual(["voyager-staging.example.com", ...communities]);
    new ApplicationStack("voyager", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform });
    await rec.settle();
    const domains = rec.ofType("vercel:index/projectDomain:ProjectDomain").map((d) => `${d.inputs.domain} ${d.inputs.gitBranch}`);
    expect(domains.sort()).toEqual(["community.acme.com develop", "jobs.example.com develop", "voyager-staging.example.com develop"]);
    // Every host's DNS comes from getDomainConfig; only hosts in our zone get a record (the community sets its own).
    const asked = rec.calls.filter((c) => c.token === "vercel:index/getDomainConfig:getDomainConfig").map((c) => c.inputs.domain);
    expect(asked.sort()).toEqual(["community.acme.com", "jobs.example.com", "voyager-staging.example.com"]);
    const records = rec.ofType("cloudflare:index/dnsRecord:DnsRecord").map((r) => `${r.inputs.name} ${r.inputs.type} ${r.inputs.content}`);
    expect(records.sort()).toEqual([
      `jobs.example.com CNAME ${placeholderVercelDns("prj_careersy-wingman").recommendedCname.replace(/\.$/, "")}`,
      `voyager-staging.example.com CNAME ${placeholderVercelDns("prj_careersy-wingman").recommendedCname.replace(/\.$/, "")}`,
    ]);
    const health = rec.ofType("kubernetes:monitoring.coreos.com/v1:Probe").find((p) => p.name === "voyager-probes-web-health")!;
    expect([...health.inputs.spec.targets.staticConfig.static].sort()).toEqual([
      "https://community.acme.com/",
      "https://jobs.example.com/",
      "https://voyager-staging.example.com/",
    ]);
  });
});

describe("ApplicationStack", () => {
  it("builds Chat API's children: namespace, secrets, service, DNS and alerts, no backups, and its log buckets", async () => {
    const spec = buildProduct(CATALOG["chat-api"], env);
    const stack = new ApplicationStack("chat-api", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform });
    await rec.settle();
    const components = rec.resources
      .filter((r) => !r.custom)
      .map((r) => `${r.type} ${r.name}`)
      .sort();
    expect(components).toEqual(
      [
        "app-platform:dns:DnsRecords chat-api-dns",
        "app-platform:kubernetes:Service chat-api-api",
        "app-platform:monitoring:AlertRules chat-api-alerts",
        "app-platform:monitoring:BlackboxProbes chat-api-probes",
        "app-platform:monitoring:ProductDashboard chat-api-dashboard",
        "app-platform:product:ApplicationStack chat-api",
        "app-platform:secrets:SecretSet chat-api-secrets",
        // No backup bucket: its logs go to an R2 bucket of their own, audit to S3 (productLogs).
        "app-platform:storage:BackupBucket chat-api-audit-logs",
        "app-platform:storage:BackupBucket chat-api-logs",
      ].sort(),
    );
    const d = stack.logDestination;
    expect(d.product).toBe("chat-api");
    expect(Object.fromEntries(Object.entries(d.targets).map(([c, t]) => [c, [t.bucket.kind, t.prefix]]))).toEqual({
      audit: ["s3", "logs/audit/"],
      error: ["r2", "logs/error/"],
      debug: ["r2", "logs/debug/"],
      app: ["r2", "logs/app/"],
    });
    expect(await valueOf(d.targets.app.bucket.bucketName)).toBe("chat-api-staging-logs");
    expect(d.targets.app.bucket).toBe(d.targets.debug.bucket);
    // Staging's audit lock is GOVERNANCE (prod's COMPLIANCE): test records stay deletable.
    expect(
      rec.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "chat-api-audit-logs-object-lock").inputs.rule.defaultRetention,
    ).toEqual({
      mode: "GOVERNANCE",
      days: 2557,
    });
    expect(rec.one("kubernetes:core/v1:Namespace").inputs.metadata.name).toBe("chat-api-staging");
    // Optional secrets without a value are not delivered.
    const secret = rec.one("kubernetes:core/v1:Secret", "chat-api-api-secrets");
    expect(Object.keys(secret.inputs.stringData)).not.toContain("HELICONE_API_KEY");
  });

  it("rotation at a pinned date: keepers on its quarter, previous values beside current ones, the UI redeployed on its digest", async () => {
    const spec = buildProduct(CATALOG["ask-dahlia"], env);
    const clock = () => new Date(Date.UTC(2026, 10, 15));
    const kubernetes = { imagePullSecrets: ["ghcr-pull"], preStopHook: "exec" as const };
    new ApplicationStack("ask-dahlia", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform: { ...platform, clock, kubernetes } });
    await rec.settle();
    const password = (n: string) => rec.one("random:index/randomPassword:RandomPassword", n).inputs.keepers;
    expect(password("ask-dahlia-secrets-jwt-secret")).toEqual({ rotation: "2026-10-01" });
    expect(password("ask-dahlia-secrets-worker-api-secret-odd")).toEqual({ rotation: "2026-10-01" });
    expect(password("ask-dahlia-secrets-worker-api-secret-even")).toEqual({ rotation: "2026-07-01" });

    const secret = rec.one("kubernetes:core/v1:Secret", "ask-dahlia-worker-secrets");
    expect(secret.inputs.stringData.WORKER_API_SECRET).toMatch(/^mock-password-ask-dahlia-secrets-worker-api-secret-odd/);
    expect(secret.inputs.stringData.WORKER_API_SECRET_PREVIOUS).toMatch(/^mock-password-ask-dahlia-secrets-worker-api-secret-even/);
    expect(secret.secretPaths).toContain("stringData");
    const previousVar = rec.one("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", "ask-dahlia-ui-env-worker-api-secret-previous");
    expect(previousVar.inputs).toMatchObject({ key: "WORKER_API_SECRET_PREVIOUS", sensitive: true });
    expect(previousVar.inputs.value).toMatch(/^mock-password-ask-dahlia-secrets-worker-api-secret-even/);
    expect(previousVar.secretPaths).toContain("value");

    // The UI redeploys on the digest of its variables, which the rotation changed (tests/components/secrets-release.test.ts).
    expect(rec.one("vercel:index/deployment:Deployment", "ask-dahlia-ui-redeploy").inputs.meta["app-platform-env-digest"]).toMatch(/^[0-9a-f]{64}$/);
    // The platform's pod settings travel in the context to every pod.
    const pod = rec.one("kubernetes:apps/v1:Deployment", "ask-dahlia-worker-deployment").inputs.spec.template.spec;
    expect(pod.imagePullSecrets).toEqual([{ name: "ghcr-pull" }]);
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ["sleep", "5"] } } });
  });

  it("wires Chat API's alerts to the series its ServiceMonitor and Probe produce, all selected by Prometheus", async () => {
    const spec = buildProduct(CATALOG["chat-api"], env);
    const stack = new ApplicationStack("chat-api", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform });
    await rec.settle();
    const service = rec.one("kubernetes:core/v1:Service", "chat-api-api-service");
    const monitor = rec.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "chat-api-api-service-monitor");
    const probe = rec.one("kubernetes:monitoring.coreos.com/v1:Probe", "chat-api-probes-api-health");
    const rule = rec.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "chat-api-alerts-rules");
    const routing = rec.one("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "chat-api-alerts-routing");
    // One selector setting on every object the operator selects.
    for (const r of [monitor, probe, rule, routing]) expect(r.inputs.metadata.labels.release).toBe("kube-prometheus-stack");
    // The operator's job for a ServiceMonitor without jobLabel is the Service's name: chat-api-api.
    expect(monitor.inputs.spec.jobLabel).toBeUndefined();
    expect(service.inputs.metadata.name).toBe("chat-api-api");
    const rules = rule.inputs.spec.groups.flatMap((g: any) => g.rules);
    const expr = (alert: string) => rules.filter((r: any) => r.alert === alert).map((r: any) => r.expr);
    expect(expr("HighErrorRate")[0]).toContain('job="chat-api-api"');
    expect(expr("TooManySseConnections")[0]).toContain('sse_active_connections{namespace="chat-api-staging",job="chat-api-api"}');
    expect(rules.map((r: any) => r.expr).join("\n")).not.toMatch(/job="chat-api"[,}]/);
    // The Probe: its job is set (not probe/<ns>/<name>), it goes through the configured exporter and module.
    expect(probe.inputs.spec).toMatchObject({
      jobName: "chat-api-probes-api-health",
      module: "http_2xx",
      prober: { url: "prometheus-blackbox-exporter.monitoring.svc:9115", scheme: "http", path: "/probe" },
      targets: { staticConfig: { static: ["https://chat-api-staging.example.com/health"] } },
    });
    expect(expr("EndpointDown")).toEqual(['probe_success{namespace="chat-api-staging",job="chat-api-probes-api-health"} == 0']);
    expect(expr("TlsCertificateExpiringSoon")[0]).toContain('probe_ssl_earliest_cert_expiry{namespace="chat-api-staging",job="chat-api-probes-api-health"}');
    // Meta-alerts for both scrape jobs.
    expect(expr("ScrapeTargetDown").sort()).toEqual([
      'up{namespace="chat-api-staging",job="chat-api-api"} == 0',
      'up{namespace="chat-api-staging",job="chat-api-probes-api-health"} == 0',
    ]);
    expect(expr("TargetMissing")).toContain('absent(up{namespace="chat-api-staging",job="chat-api-api"}) == 1');
    expect(stack.scrapeJobs.map((j) => j.kind).sort()).toEqual(["probe", "service-monitor"]);
    expect(Object.keys(stack.blackboxModules)).toEqual(["http_2xx"]);
  });

  it("applies a custom selector label set everywhere and deploys a restricted postgres_exporter for a database", async () => {
    const spec = buildProduct(CATALOG.voyager, env);
    const custom = { ...platform, prometheusSelectorLabels: { prometheus: "k8s", role: "alert-rules" } };
    new ApplicationStack("voyager", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform: custom });
    await rec.settle();
    const selected = rec.resources.filter((r) => /monitoring\.coreos\.com/.test(r.type));
    // One Probe (health): staging owns no route that sets headers, so it probes none (issue 19 item 17).
    expect(selected.map((r) => r.type.split(":").pop()).sort()).toEqual(["AlertmanagerConfig", "Probe", "PrometheusRule", "ServiceMonitor"]);
    for (const r of selected) expect(r.inputs.metadata.labels).toMatchObject({ prometheus: "k8s", role: "alert-rules" });
    for (const r of selected) expect(r.inputs.metadata.labels.release).toBeUndefined();
    const deployment = rec.one("kubernetes:apps/v1:Deployment", "voyager-postgres-deployment");
    const pod = deployment.inputs.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    // The DSN comes from the product's secret through a Secret, never a literal env value.
    expect(pod.containers[0].env).toEqual([
      { name: "DATA_SOURCE_NAME", valueFrom: { secretKeyRef: { name: "voyager-postgres-dsn", key: "DATA_SOURCE_NAME" } } },
    ]);
    const allow = rec.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "voyager-postgres-allow");
    expect(allow.inputs.spec.egress[1]).toEqual({ ports: [{ protocol: "TCP", port: 5432 }] });
    const rules = rec.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "voyager-alerts-rules").inputs.spec.groups.flatMap((g: any) => g.rules);
    const db = rules.find((r: any) => r.alert === "DatabaseConnectionsHigh");
    expect(db.expr).toContain('pg_stat_activity_count{namespace="voyager-staging",job="voyager-postgres"}');
    expect(rules.filter((r: any) => r.alert === "TargetMissing").map((r: any) => r.expr)).toContain(
      'absent(up{namespace="voyager-staging",job="voyager-postgres"}) == 1',
    );
    expect(rules.map((r: any) => r.alert)).not.toContain("SecurityHeadersMissing");
  });

  it("derives every egress rule to the database from the one `database.port` (issue 19 item 13)", async () => {
    const dahlia = buildProduct(CATALOG["ask-dahlia"], env);
    // Supabase's transaction pooler listens on 6543 (Codebook/ARA's note on `database.port`).
    const spec: ProductSpec = { ...dahlia, database: { ...dahlia.database!, port: 6543 } };
    new ApplicationStack("ask-dahlia", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform });
    await rec.settle();
    const portsOf = (np: any): number[] =>
      (np.inputs.spec.egress ?? []).flatMap((e: any) => (e.ports ?? []).map((p: any) => p.port)).filter((p: unknown) => typeof p === "number");
    const policies = rec.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    const toDb = policies
      .filter((np) => portsOf(np).includes(6543))
      .map((np) => np.name)
      .sort();
    // The worker (it holds DATABASE_URL), each dump job, the maintenance jobs and the exporter.
    expect(toDb.some((n) => n.startsWith("ask-dahlia-worker"))).toBe(true);
    expect(toDb.some((n) => n.startsWith("ask-dahlia-postgres"))).toBe(true);
    expect(toDb.some((n) => n.includes("backup") || n.includes("daily") || n.includes("weekly"))).toBe(true);
    expect(toDb.some((n) => n.includes("maintenance"))).toBe(true);
    // No rule is left on the old fixed port.
    expect(policies.filter((np) => portsOf(np).includes(5432)).map((np) => np.name)).toEqual([]);
  });

  it("refuses a `database.port` that is not a TCP port, naming the key and the fix", () => {
    const voyager = buildProduct(CATALOG.voyager, env);
    const spec: ProductSpec = { ...voyager, database: { ...voyager.database!, port: 70000 } };
    expect(() => validateApplicationStackArgs("voyager", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform })).toThrow(
      /`database.port` is 70000; .*1 to 65535.*6543/,
    );
  });

  it("points the DB alerts at an external exporter's job and deploys none", async () => {
    const spec = buildProduct(CATALOG.voyager, env);
    const external = { ...platform, postgresExporter: { mode: "external" as const, jobs: { voyager: "neon-exporter" } } };
    new ApplicationStack("voyager", { environment: "staging", spec, providedSecrets: secretsOf(spec), platform: external });
    await rec.settle();
    expect(rec.resources.filter((r) => r.name.startsWith("voyager-postgres-"))).toEqual([]);
    const rules = rec.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "voyager-alerts-rules").inputs.spec.groups.flatMap((g: any) => g.rules);
    expect(rules.find((r: any) => r.alert === "SlowDatabaseQueries").expr).toContain('{job="neon-exporter"}');
    expect(() =>
      validateApplicationStackArgs("voyager", {
        environment: "staging",
        spec,
        providedSecrets: secretsOf(spec),
        platform: { ...external, postgresExporter: { mode: "external", jobs: {} } },
      }),
    ).toThrow(/`postgresExporterJobs` has no job for "voyager"/);
  });

  it("refuses alerts that ask for a source the product does not define", () => {
    const spec = buildProduct(CATALOG.voyager, env);
    const bad = { ...spec, alerts: (s: any) => [{ name: "x", rules: [] as any[], sel: s.workload("api") }] };
    expect(() => new ApplicationStack("voyager", { environment: "staging", spec: bad, providedSecrets: secretsOf(spec), platform })).toThrow(
      /alerts ask for the scraped workload .* "api", which the product does not define \(it has none\)/,
    );
  });
});
