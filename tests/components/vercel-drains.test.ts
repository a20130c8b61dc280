/**
 * The Vercel apps' log drains as the committed stacks plan them (components/logs/vercel-drains.ts,
 * Pulumi's own runner): one `vercel.LogDrain` per Vercel app of each product with a destination,
 * on the one endpoint host the Ingress serves and the DNS record names, its secret never plain; the
 * aggregator Release in role Stateless-Aggregator with the agent's pins, restricted, holding no
 * secret; its NetworkPolicy; the verification header the Ingress adds; its alerts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { plain, type RegisteredResource } from "../../tools/engine/harness";
import { isSecret, isUnknown } from "../../tools/engine/harness/properties";
import { requireOk } from "../../tools/engine/stack-run";
import { committedStackRun } from "../helpers/stack-runs";
import { VECTOR_CHART, VECTOR_IMAGE, chartPodLabels } from "../../components/logs/log-agent";
import { AGGREGATOR_SECURITY_CONTEXT, VERIFY_HEADER, type VercelLogDrainsArgs, validateVercelLogDrainsArgs } from "../../components/logs/vercel-drains";
import { logDestinationIn } from "../helpers/log-destinations";
import { DRAIN_ENDPOINT } from "../../components/logs/vercel-drain-routes";
import { placeholderVerificationCode } from "../../tools/engine/offline-stack";

const STACKS = ["prod", "staging"] as const;
type Stack = (typeof STACKS)[number];
const runs = {} as Record<Stack, readonly RegisteredResource[]>;

beforeAll(async () => {
  for (const s of STACKS) runs[s] = requireOk(await committedStackRun(s)).resources;
}, 120_000);

const of = (stack: Stack, type: string) => runs[stack].filter((x) => x.type === type && x.name.startsWith(`vercel-log-drains-${stack}`));
const one = (stack: Stack, type: string, suffix: string) => {
  const r = of(stack, type).filter((x) => x.name === `vercel-log-drains-${stack}-${suffix}`);
  expect(r, `${type} ${suffix}`).toHaveLength(1);
  return r[0];
};

/** The Vercel apps of the stack (`app-platform:vercel:App` components), as `<product>-<app>`; every product has a log destination (`productLogs`). */
function vercelApps(stack: Stack): string[] {
  return runs[stack]
    .filter((x) => x.type === "app-platform:vercel:App")
    .map((x) => x.name)
    .sort();
}

describe.each(STACKS)("%s: the drains", (stack) => {
  it("are one vercel.LogDrain per Vercel app, JSON, this stack's environment, the app's project only, on the Ingress's host", () => {
    const drains = of(stack, "vercel:index/logDrain:LogDrain");
    const apps = vercelApps(stack);
    expect(apps.length).toBeGreaterThanOrEqual(3);
    expect(drains.map((d) => d.name.replace(`vercel-log-drains-${stack}-`, "")).sort()).toEqual(apps);
    const ingress = plain<any>(one(stack, "kubernetes:networking.k8s.io/v1:Ingress", "ingress").inputs);
    const host = ingress.spec.rules[0].host;
    const records = of(stack, "cloudflare:index/dnsRecord:DnsRecord");
    expect(records).toHaveLength(1);
    const record = plain<any>(records[0].inputs);
    // One host: the Ingress's rule and certificate, the DNS record and every drain's URL.
    expect(host).toBe(stack === "prod" ? "logs.example.com" : "logs-staging.example.com");
    expect(ingress.spec.tls).toEqual([{ hosts: [host], secretName: "vector-vercel-tls" }]);
    expect(record).toMatchObject({ name: host, type: "A", proxied: false });
    expect(ingress.spec.rules[0].http.paths).toEqual([
      { path: DRAIN_ENDPOINT.path, pathType: "Exact", backend: { service: { name: "vector-vercel-metrics", port: { name: "drain" } } } },
    ]);
    for (const d of drains) {
      const inputs = d.inputs as any;
      expect(inputs.endpoint, d.name).toBe(`https://${host}${DRAIN_ENDPOINT.path}`);
      expect(inputs.deliveryFormat).toBe("json");
      expect(inputs.environments).toEqual(stack === "prod" ? ["production"] : ["preview"]);
      expect(inputs.projectIds).toHaveLength(1);
      // The secret is generated: unknown in a plan, and a Pulumi secret whenever it is known.
      expect(isSecret(inputs.secret) || isUnknown(inputs.secret), d.name).toBe(true);
      expect(inputs.sources).toContain("lambda");
    }
  });

  it("on staging, drain the looked-up project (prj_<name>); on prod, the project the stack creates", () => {
    for (const d of of(stack, "vercel:index/logDrain:LogDrain")) {
      const id = (d.inputs as any).projectIds[0];
      if (stack === "staging") expect(id).toMatch(/^prj_[a-z0-9-]+$/);
      else expect(isUnknown(id), "the created project's id is only known after it is created").toBe(true);
    }
  });

  it("has the Ingress add the team's verification code, from a ConfigMap ingress-nginx reads (no snippet)", () => {
    const ingress = plain<any>(one(stack, "kubernetes:networking.k8s.io/v1:Ingress", "ingress").inputs);
    expect(ingress.metadata.annotations).toEqual({
      "cert-manager.io/cluster-issuer": "letsencrypt-prod",
      "nginx.ingress.kubernetes.io/custom-headers": "vercel-logs/vector-vercel-verify-headers",
    });
    expect(JSON.stringify(ingress.metadata.annotations)).not.toMatch(/snippet/);
    const cm = plain<any>(one(stack, "kubernetes:core/v1:ConfigMap", "verify-headers").inputs);
    expect(cm.metadata).toMatchObject({ name: "vector-vercel-verify-headers", namespace: "vercel-logs" });
    expect(cm.data).toEqual({ [VERIFY_HEADER]: placeholderVerificationCode("").verificationCode });
  });
});

describe.each(STACKS)("%s: the aggregator", (stack) => {
  it("pins the agent's chart and image, in role Stateless-Aggregator, restricted: non-root, read-only root, every capability dropped, no hostPath", () => {
    const r = one(stack, "kubernetes:helm.sh/v3:Release", "release");
    const inputs = plain<any>(r.inputs);
    expect(inputs).toMatchObject({
      chart: VECTOR_CHART.chart,
      version: VECTOR_CHART.version,
      repositoryOpts: { repo: VECTOR_CHART.repo },
      namespace: "vercel-logs",
    });
    const v = inputs.values;
    expect(v.role).toBe("Stateless-Aggregator");
    expect(v.image).toEqual({ repository: VECTOR_IMAGE.repository, tag: VECTOR_IMAGE.tag, pullPolicy: "IfNotPresent" });
    expect(v.securityContext).toEqual(AGGREGATOR_SECURITY_CONTEXT);
    expect(v.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(v.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(JSON.stringify(v)).not.toContain('hostPath":{"path');
    expect(v.defaultVolumes).toBeUndefined();
    expect(v.resources.requests).toBeDefined();
    expect(v.resources.limits.memory).toBeDefined();
    const ns = plain<any>(one(stack, "kubernetes:core/v1:Namespace", "namespace").inputs);
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("holds no secret in its values: the drain secret and the writers' keys reach the pods only from an immutable Secret named in envFrom", () => {
    const r = one(stack, "kubernetes:helm.sh/v3:Release", "release");
    expect(JSON.stringify(r.inputs)).not.toContain("4dabf18193072939515e22adb298388d"); // the wire secret signature
    const v = plain<any>(r.inputs).values;
    expect(v.envFrom).toHaveLength(1);
    expect(v.env ?? []).toEqual([]);
    const secret = one(stack, "kubernetes:core/v1:Secret", "env");
    const data = (secret.inputs as any).stringData;
    expect(isSecret(data) || isUnknown(data)).toBe(true);
    expect((secret.inputs as any).immutable).toBe(true);
  });

  it("admits the ingress controller's namespace on the drain port and the monitoring namespace on the metrics port; reaches DNS and HTTPS only", () => {
    const policies = of(stack, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    expect(policies.map((p) => p.name).sort()).toEqual([`vercel-log-drains-${stack}-allow`, `vercel-log-drains-${stack}-default-deny`]);
    const allow = plain<any>(policies.find((p) => p.name.endsWith("-allow"))!.inputs);
    expect(allow.spec.podSelector.matchLabels).toEqual(chartPodLabels("vector-vercel", "Stateless-Aggregator"));
    expect(allow.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
        ports: [{ protocol: "TCP", port: DRAIN_ENDPOINT.port }],
      },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9090 }] },
    ]);
    const ports = allow.spec.egress.flatMap((e: any) => e.ports.map((p: any) => `${p.protocol}/${p.port}`)).sort();
    expect(ports).toEqual(["TCP/443", "TCP/53", "UDP/53"]);
    expect(allow.spec.egress.every((e: any) => e.to === undefined)).toBe(true);
  });

  it("is scraped through a ServiceMonitor and alerts VercelLogDrainDown / TargetMissing / LogShippingFailing in its namespace", () => {
    const sm = plain<any>(one(stack, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "service-monitor").inputs);
    expect(sm.metadata.labels.release).toBe("kube-prometheus-stack");
    const rule = plain<any>(one(stack, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "alerts-rules").inputs);
    expect(rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert))).toEqual(["VercelLogDrainDown", "TargetMissing", "LogShippingFailing"]);
    expect(rule.spec.groups[0].rules[0].expr).toBe('up{namespace="vercel-logs",job="vector-vercel-metrics"} == 0');
  });
});

describe("start-up checks", () => {
  const bucket = {
    kind: "s3",
    bucketName: "voyager-prod-backups",
    endpoint: "https://s3.us-east-1.amazonaws.com",
    region: "us-east-1",
    retention: [],
  } as const;
  const args = (host: string): VercelLogDrainsArgs => ({
    context: { environment: "staging", product: "platform", owner: "platform-team" },
    products: [{ product: "voyager", apps: [{ name: "web", projectId: "prj_x" }], destination: logDestinationIn("voyager", bucket) }],
    host,
    zoneId: "z",
    zoneName: "example.com",
    ingressAddress: "34.149.100.20",
    ingressClassName: "nginx",
    ingressControllerNamespace: "ingress-nginx",
    clusterIssuer: "letsencrypt-prod",
    monitoringNamespace: "monitoring",
    prometheusSelectorLabels: {},
    runbookBaseUrl: "https://runbooks.example.com/app-platform",
  });

  it("accepts a host in the zone, and refuses one outside it or with a label longer than 63 characters, naming the fix", () => {
    expect(() => validateVercelLogDrainsArgs("d", args("logs-staging.example.com"))).not.toThrow();
    expect(() => validateVercelLogDrainsArgs("d", args("logs.example.org"))).toThrow(/outside the zone example.com/);
    expect(() => validateVercelLogDrainsArgs("d", args(`${"l".repeat(60)}-staging.example.com`))).toThrow(/logDrainHostLabel/);
  });
});
