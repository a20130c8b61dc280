/**
 * BlackboxProbes and PostgresExporter: the Probe / exporter objects, the job each hands out, and
 * every validation error (names the argument).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { installRecordingMocks } from "../helpers/mocks";
import { BlackboxProbes, BlackboxProbesArgs, blackboxProbesProblems } from "../../components/monitoring/blackbox-probes";
import { PostgresExporter, PostgresExporterArgs, postgresExporterProblems } from "../../components/monitoring/postgres-exporter";
import { Duration } from "../../components/values";

const rec = installRecordingMocks({ stack: "prod" });
beforeEach(() => rec.reset());

const context = { environment: "prod" as const, product: "ara", owner: "platform-team" };
const probes: BlackboxProbesArgs = {
  context,
  namespace: "ara-prod",
  prober: { address: "prometheus-blackbox-exporter.monitoring.svc:9115" },
  probes: [
    { name: "web-health", module: "http_2xx", targets: ["https://example.com/api/health", "https://www.example.com/api/health"] },
    { name: "llm-status", module: "statuspage_operational", targets: ["https://status.openai.com/api/v2/status.json"], labels: { dependency: "llm" } },
  ],
  selectorLabels: { release: "kps" },
};

describe("BlackboxProbes", () => {
  it("creates one Probe per spec with its own jobName and hands the job out", async () => {
    const c = new BlackboxProbes("ara-probes", probes);
    await rec.settle();
    expect(c.jobs).toEqual({ "web-health": "ara-probes-web-health", "llm-status": "ara-probes-llm-status" });
    expect(c.selector("web-health")).toEqual({ namespace: "ara-prod", job: "ara-probes-web-health" });
    expect(() => c.selector("nope")).toThrow(/has no probe "nope"/);
    const p = rec.one("kubernetes:monitoring.coreos.com/v1:Probe", "ara-probes-llm-status");
    expect(p.inputs.metadata).toMatchObject({ name: "ara-probes-llm-status", namespace: "ara-prod", labels: { release: "kps" } });
    expect(p.inputs.spec).toEqual({
      jobName: "ara-probes-llm-status",
      interval: "30s",
      scrapeTimeout: "15s",
      module: "statuspage_operational",
      prober: { url: "prometheus-blackbox-exporter.monitoring.svc:9115", scheme: "http", path: "/probe" },
      targets: { staticConfig: { static: ["https://status.openai.com/api/v2/status.json"], labels: { dependency: "llm" } } },
    });
  });

  it("names every bad argument", () => {
    const bad = blackboxProbesProblems("ara-probes", {
      ...probes,
      prober: { address: "http://blackbox:9115" },
      probes: [
        { name: "a", module: "http 2xx", targets: ["example.com/health"], labels: { job: "x" }, interval: Duration.seconds(5) },
        { name: "a", module: "m", targets: [] },
      ],
    });
    expect(bad).toEqual([
      '`prober.address` must be host:port without a scheme (the Probe\'s spec.prober.url), got "http://blackbox:9115"',
      '`probes[0]`.module "http 2xx" is not a blackbox module name',
      '`probes[0]`.targets: "example.com/health" is not an absolute http(s) URL',
      '`probes[0]`.labels: "job" is not a label this Probe may set (a Prometheus label name other than job, instance, namespace)',
      "`probes[0]`.interval must be whole seconds, at least 15s (the scrape timeout; the operator rejects a timeout above the interval)",
      '`probes[1]`.name "a" is used twice',
      "`probes[1]`.targets must list at least one URL",
    ]);
    expect(blackboxProbesProblems("ara-probes", probes)).toEqual([]);
  });
});

const exporter: PostgresExporterArgs = {
  context,
  namespace: "ara-prod",
  exporter: { mode: "deploy", image: { repository: "quay.io/prometheuscommunity/postgres-exporter", tag: "v0.17.1" }, dsn: "postgresql://u:p@db:5432/ara" },
};

describe("PostgresExporter", () => {
  it("deploys the exporter with its job = Service name, 2 replicas and a PDB in prod, the DSN as a secret", async () => {
    const c = new PostgresExporter("ara-postgres", exporter);
    await rec.settle();
    expect(c.job).toBe("ara-postgres");
    expect(c.selector).toEqual({ namespace: "ara-prod", job: "ara-postgres" });
    expect(rec.one("kubernetes:core/v1:Service", "ara-postgres-service").inputs.metadata.name).toBe("ara-postgres");
    expect(rec.one("kubernetes:apps/v1:Deployment", "ara-postgres-deployment").inputs.spec.replicas).toBe(2);
    expect(rec.one("kubernetes:policy/v1:PodDisruptionBudget", "ara-postgres-pdb").inputs.spec.maxUnavailable).toBe(1);
    const secret = rec.one("kubernetes:core/v1:Secret", "ara-postgres-dsn");
    expect(secret.inputs.stringData).toEqual({ DATA_SOURCE_NAME: "postgresql://u:p@db:5432/ara" });
    expect(secret.secretPaths.some((p) => p === "stringData" || p === "stringData.DATA_SOURCE_NAME")).toBe(true);
    const sm = rec.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "ara-postgres-service-monitor");
    expect(sm.inputs.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(sm.inputs.spec.endpoints).toEqual([{ port: "metrics", path: "/metrics", scheme: "http" }]);
  });

  it("scale-to-zero-friendly: one replica, no PDB, a scrape interval above Neon's 5-minute suspend window (issue 19 item 6)", async () => {
    new PostgresExporter("ara-postgres", {
      ...exporter,
      exporter: { ...exporter.exporter, monitoring: "scale-to-zero-friendly" } as PostgresExporterArgs["exporter"],
    });
    await rec.settle();
    expect(rec.one("kubernetes:apps/v1:Deployment", "ara-postgres-deployment").inputs.spec.replicas).toBe(1);
    expect(rec.resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget")).toEqual([]);
    const [endpoint] = rec.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "ara-postgres-service-monitor").inputs.spec.endpoints;
    const seconds = Number(/^(\d+)s$/.exec(endpoint.interval)?.[1]);
    expect(seconds).toBeGreaterThan(300);
  });

  it("refuses an unknown monitoring mode, naming `database.monitoring` and the choices", () => {
    expect(
      postgresExporterProblems("ara-postgres", {
        ...exporter,
        exporter: { ...exporter.exporter, monitoring: "sometimes" } as unknown as PostgresExporterArgs["exporter"],
      }),
    ).toEqual([
      '`database.monitoring` is "sometimes"; use "always-on" (the compute never suspends) or "scale-to-zero-friendly" (one exporter replica, scraped every 600s)',
    ]);
  });

  it("names every bad argument, never echoing the DSN", () => {
    const bad = postgresExporterProblems("ara-postgres", {
      ...exporter,
      exporter: { mode: "deploy", image: { repository: "quay.io/x/pg:1", tag: "latest" }, dsn: "mysql://secret@db", databasePort: 70000 },
    });
    expect(bad).toEqual([
      '`exporter.image.repository` must be a repository without tag, got "quay.io/x/pg:1"',
      '`exporter.image.tag` must be a pinned tag, got "latest"',
      "`exporter.databasePort` must be a port, got 70000",
      "`exporter.dsn` must be a postgresql:// URL (value not shown: it is a secret)",
    ]);
    expect(bad.join(" ")).not.toContain("secret@db");
    expect(postgresExporterProblems("ara-postgres", { ...exporter, exporter: { mode: "external", job: "bad job" } })).toEqual([
      '`exporter.job` must be the existing exporter\'s job label, got "bad job"',
    ]);
  });
});
