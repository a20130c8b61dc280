import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { installRecordingMocks, valueOf } from "../helpers/mocks";
import { PlatformContext, ValidationError } from "../../components/context";
import {
  KubernetesService,
  KubernetesServiceArgs,
  SECRET_CHECKSUM_ANNOTATION,
  configChecksum,
  imageReference,
  needsPodDisruptionBudget,
  parseQuantity,
  secretChecksum,
  validateKubernetesServiceArgs,
} from "../../components/workloads/kubernetes-service";
import { Probe } from "../../components/workloads/probe";
import { Duration } from "../../components/values";

const rec = installRecordingMocks({ stack: "staging" });
beforeEach(() => rec.reset());

const T = {
  component: "app-platform:kubernetes:Service",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  configMap: "kubernetes:core/v1:ConfigMap",
  secret: "kubernetes:core/v1:Secret",
  deployment: "kubernetes:apps/v1:Deployment",
  service: "kubernetes:core/v1:Service",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
};

const staging: PlatformContext = { environment: "staging", product: "codebook", owner: "platform-team" };
const prod: PlatformContext = { ...staging, environment: "prod" };

// seed 001 §1.1: both probes on /health:8000; liveness 30 s / 10 s, readiness 5 s / 5 s.
const liveness = () => Probe.httpGet("/health", { port: 8000, initialDelay: Duration.seconds(30), period: Duration.seconds(10) });
const readiness = () => Probe.httpGet("/health", { port: 8000, initialDelay: Duration.seconds(5), period: Duration.seconds(5) });

/** The codebook backend of seed 001 (3 replicas, 512Mi/500m requests, 1Gi/1000m limits). */
function codebook(context: PlatformContext, over: Partial<KubernetesServiceArgs> = {}): KubernetesServiceArgs {
  return {
    context,
    namespace: "codebook",
    image: { repository: "ghcr.io/acme/codebook-backend", tag: "1.4.2" },
    port: 8000,
    metricsPath: "/metrics",
    liveness: liveness(),
    readiness: readiness(),
    resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1Gi" } },
    replicas: 3,
    env: { NODE_ENV: "production", LOG_LEVEL: "info" },
    secretEnv: {
      SUPABASE_URL: pulumi.secret("https://abc.supabase.co"),
      SUPABASE_SERVICE_ROLE_KEY: pulumi.secret("service-role-key"),
    },
    extraEgressPorts: [5432],
    ingress: { host: "api.codebook.example.com" },
    ...over,
  };
}

/** The smallest valid staging service: one replica, no config, no secrets, no metrics, no ingress. */
function minimal(over: Partial<KubernetesServiceArgs> = {}): KubernetesServiceArgs {
  return {
    context: staging,
    namespace: "chat",
    image: { repository: "ghcr.io/acme/chat-api", tag: "2026.01.1" },
    port: 8080,
    liveness: Probe.httpGet("/health", { port: 8080 }),
    readiness: Probe.httpGet("/health/ready", { port: 8080 }),
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    replicas: 1,
    ...over,
  };
}

const inventory = () => rec.resources.map((r) => `${r.type} ${r.name}`).sort();
const podSpec = () => rec.one(T.deployment).inputs.spec.template.spec;
const container = () => podSpec().containers[0];

const selector = {
  "app.kubernetes.io/name": "codebook-backend",
  "app.kubernetes.io/instance": "codebook-backend-staging",
};

describe("KubernetesService children", () => {
  it("creates exactly these children for codebook in staging", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    expect(inventory()).toEqual(
      [
        `${T.component} codebook-backend`,
        `${T.serviceAccount} codebook-backend-service-account`,
        `${T.configMap} codebook-backend-config`,
        `${T.secret} codebook-backend-secrets`,
        `${T.deployment} codebook-backend-deployment`,
        `${T.service} codebook-backend-service`,
        `${T.pdb} codebook-backend-pdb`, // replicas 3 > 1
        `${T.networkPolicy} codebook-backend-default-deny`,
        `${T.networkPolicy} codebook-backend-allow`,
        `${T.serviceMonitor} codebook-backend-service-monitor`,
        `${T.ingress} codebook-backend-ingress`,
      ].sort(),
    );
    expect(rec.one(T.component).custom).toBe(false);
  });

  it("creates only the essentials for a one-replica staging service (no PDB, ConfigMap, Secret, monitor, ingress)", async () => {
    new KubernetesService("chat-api", minimal());
    await rec.settle();
    expect(inventory()).toEqual(
      [
        `${T.component} chat-api`,
        `${T.serviceAccount} chat-api-service-account`,
        `${T.deployment} chat-api-deployment`,
        `${T.service} chat-api-service`,
        `${T.networkPolicy} chat-api-default-deny`,
        `${T.networkPolicy} chat-api-allow`,
      ].sort(),
    );
    expect(podSpec().topologySpreadConstraints).toBeUndefined();
    expect(container().envFrom).toBeUndefined();
    expect(container().env).toBeUndefined();
    expect(rec.one(T.deployment).inputs.spec.template.metadata.annotations).toBeUndefined();
  });

  it("creates a PDB in prod", async () => {
    new KubernetesService("codebook-backend", codebook(prod, { replicas: 2 }));
    await rec.settle();
    const pdb = rec.one(T.pdb, "codebook-backend-pdb");
    expect(pdb.inputs.metadata.name).toBe("codebook-backend-pdb");
    expect(pdb.inputs.metadata.namespace).toBe("codebook");
    expect(pdb.inputs.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { ...selector, "app.kubernetes.io/instance": "codebook-backend-prod" } },
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    });
  });

  it("decides the PDB: always in prod, else only with more than one replica", () => {
    expect(needsPodDisruptionBudget({ context: prod, replicas: 1 })).toBe(true);
    expect(needsPodDisruptionBudget({ context: staging, replicas: 1 })).toBe(false);
    expect(needsPodDisruptionBudget({ context: staging, replicas: 2 })).toBe(true);
    expect(needsPodDisruptionBudget({ context: staging, replicas: 3, autoscaling: { minReplicas: 1, maxReplicas: 3, targetCpuUtilization: 70 } })).toBe(false);
  });

  it("names the Kubernetes objects: Deployment, Service and ServiceAccount after the component", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    expect(rec.one(T.deployment).inputs.metadata.name).toBe("codebook-backend");
    expect(rec.one(T.service).inputs.metadata.name).toBe("codebook-backend");
    expect(rec.one(T.serviceAccount).inputs.metadata.name).toBe("codebook-backend");
    expect(rec.one(T.configMap).inputs.metadata.name).toBe("codebook-backend-config");
    expect(rec.one(T.secret).inputs.metadata.name).toBe("codebook-backend-secrets");
    for (const r of rec.resources.filter((x) => x.custom)) {
      expect(r.inputs.metadata.namespace, r.name).toBe("codebook");
    }
  });

  it("puts the recommended labels on every object", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    const labels = {
      "app.kubernetes.io/name": "codebook-backend",
      "app.kubernetes.io/instance": "codebook-backend-staging",
      "app.kubernetes.io/component": "api",
      "app.kubernetes.io/part-of": "codebook",
      "app.kubernetes.io/managed-by": "pulumi",
      "app-platform/owner": "platform-team",
      "app-platform/environment": "staging",
    };
    const custom = rec.resources.filter((r) => r.custom);
    expect(custom).toHaveLength(10);
    for (const r of custom) expect(r.inputs.metadata.labels, r.name).toEqual(labels);
    expect(rec.one(T.deployment).inputs.spec.template.metadata.labels).toEqual(labels);
  });
});

describe("KubernetesService Deployment", () => {
  it("sets the probes exactly as given (seed 001 §1.1)", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    expect(container().livenessProbe).toEqual({
      httpGet: { path: "/health", port: 8000, scheme: "HTTP" },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
      successThreshold: 1,
    });
    expect(container().readinessProbe).toEqual({
      httpGet: { path: "/health", port: 8000, scheme: "HTTP" },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 1,
      failureThreshold: 3,
      successThreshold: 1,
    });
    expect(container().startupProbe).toBeUndefined();
  });

  it("adds a startup probe when given", async () => {
    const startup = Probe.httpGet("/health", { port: 8000, period: Duration.seconds(5), failureThreshold: 24 });
    new KubernetesService("codebook-backend", codebook(staging, { startup }));
    await rec.settle();
    expect(container().startupProbe).toEqual(startup.toKubernetes());
    expect(container().startupProbe.failureThreshold).toBe(24);
  });

  it("runs the pinned image on the named http port with the requested resources", async () => {
    new KubernetesService(
      "codebook-backend",
      codebook(staging, {
        resources: {
          requests: { cpu: "500m", memory: "512Mi", ephemeralStorage: "100Mi" },
          limits: { cpu: "1000m", memory: "1Gi", ephemeralStorage: "1Gi" },
        },
      }),
    );
    await rec.settle();
    const c = container();
    expect(c.name).toBe("app");
    expect(c.image).toBe("ghcr.io/acme/codebook-backend:1.4.2");
    expect(c.imagePullPolicy).toBe("IfNotPresent");
    expect(c.ports).toEqual([{ name: "http", containerPort: 8000, protocol: "TCP" }]);
    expect(c.resources).toEqual({
      requests: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "100Mi" },
      limits: { cpu: "1000m", memory: "1Gi", "ephemeral-storage": "1Gi" },
    });
  });

  it("omits an unset cpu limit", async () => {
    new KubernetesService("chat-api", minimal());
    await rec.settle();
    expect(container().resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } });
  });

  it("uses the restricted security context by default", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    const ps = podSpec();
    expect(ps.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container().securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(ps.automountServiceAccountToken).toBe(false);
    expect(ps.serviceAccountName).toBe("codebook-backend");
    expect(ps.hostNetwork).toBeUndefined();
    expect(ps.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "128Mi" } }]);
    expect(container().volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(rec.one(T.serviceAccount).inputs.automountServiceAccountToken).toBe(false);
  });

  it("takes a custom identity and a memory-backed /tmp", async () => {
    new KubernetesService("codebook-backend", codebook(staging, { securityContext: { runAsUser: 2000 }, tmp: { memory: true, sizeLimit: "64Mi" } }));
    await rec.settle();
    expect(podSpec().securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 10001, fsGroup: 10001 });
    expect(container().securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 10001 });
    expect(podSpec().volumes).toEqual([{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } }]);
  });

  it("drains on shutdown: 30 s grace (seed 002) and a native 5 s preStop sleep by default (no `sleep` binary needed)", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    expect(podSpec().terminationGracePeriodSeconds).toBe(30);
    expect(container().lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
  });

  it("runs the image's `sleep` for older clusters, from the stack's setting or the argument", async () => {
    const older: PlatformContext = { ...staging, kubernetes: { preStopHook: "exec" } };
    new KubernetesService("codebook-backend", codebook(older));
    await rec.settle();
    expect(container().lifecycle).toEqual({ preStop: { exec: { command: ["sleep", "5"] } } });
    rec.reset();
    new KubernetesService("codebook-backend", codebook(older, { preStopHook: "sleep" }));
    await rec.settle();
    expect(container().lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
  });

  it("rejects an unknown preStop hook", () => {
    expect(() => validateKubernetesServiceArgs("codebook-backend", codebook(staging, { preStopHook: "shell" as any }))).toThrow(
      '`preStopHook` must be one of "sleep", "exec", got "shell"',
    );
  });

  it("lists the stack's image pull secrets on the pod, none by default", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    expect(podSpec().imagePullSecrets).toBeUndefined();
    rec.reset();
    new KubernetesService("codebook-backend", codebook({ ...staging, kubernetes: { imagePullSecrets: ["ghcr-pull", "ecr-pull"] } }));
    await rec.settle();
    expect(podSpec().imagePullSecrets).toEqual([{ name: "ghcr-pull" }, { name: "ecr-pull" }]);
  });

  it("takes other shutdown timings, and no preStop hook for a zero sleep", async () => {
    new KubernetesService("chat-api", minimal({ terminationGracePeriod: Duration.minutes(1), preStopSleep: Duration.seconds(0) }));
    await rec.settle();
    expect(podSpec().terminationGracePeriodSeconds).toBe(60);
    expect(container().lifecycle).toBeUndefined();
  });

  it("rolls out with maxUnavailable 0 / maxSurge 1 and selects on name + instance", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    const spec = rec.one(T.deployment).inputs.spec;
    expect(spec.replicas).toBe(3);
    expect(spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(spec.selector).toEqual({ matchLabels: selector });
  });

  it("spreads more than one replica over nodes (hard) and zones (soft)", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    const common = {
      maxSkew: 1,
      labelSelector: { matchLabels: selector },
      matchLabelKeys: ["pod-template-hash"],
      nodeTaintsPolicy: "Honor",
    };
    expect(podSpec().topologySpreadConstraints).toEqual([
      { ...common, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" },
      { ...common, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
    ]);
  });
});

describe("KubernetesService config and secrets", () => {
  it("puts plain env in the ConfigMap and consumes it with envFrom", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    const cm = rec.one(T.configMap, "codebook-backend-config");
    expect(cm.inputs.data).toEqual({ LOG_LEVEL: "info", NODE_ENV: "production" });
    expect(cm.secretPaths).toEqual([]);
    expect(container().envFrom).toEqual([{ configMapRef: { name: "codebook-backend-config" } }]);
    expect(rec.one(T.deployment).inputs.spec.template.metadata.annotations["app-platform/config-checksum"]).toBe(
      configChecksum({ NODE_ENV: "production", LOG_LEVEL: "info" }),
    );
  });

  it("puts secretEnv in the Secret, as Pulumi secrets, even when given as plain strings", async () => {
    new KubernetesService(
      "codebook-backend",
      codebook(staging, { secretEnv: { SUPABASE_URL: pulumi.secret("https://abc.supabase.co"), SENTRY_DSN: "https://k@o1.ingest.sentry.io/1" } }),
    );
    await rec.settle();
    const secret = rec.one(T.secret, "codebook-backend-secrets");
    expect(secret.inputs.type).toBe("Opaque");
    expect(secret.inputs.stringData).toEqual({
      SENTRY_DSN: "https://k@o1.ingest.sentry.io/1",
      SUPABASE_URL: "https://abc.supabase.co",
    });
    // The mock monitor's deserialiser lifts secretness to the top-level property.
    expect(secret.secretPaths).toEqual(["stringData"]);
  });

  it("wires each secret through secretKeyRef, never as a literal", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    expect(container().env).toEqual([
      { name: "SUPABASE_SERVICE_ROLE_KEY", valueFrom: { secretKeyRef: { name: "codebook-backend-secrets", key: "SUPABASE_SERVICE_ROLE_KEY" } } },
      { name: "SUPABASE_URL", valueFrom: { secretKeyRef: { name: "codebook-backend-secrets", key: "SUPABASE_URL" } } },
    ]);
    for (const e of container().env) expect(e.value).toBeUndefined();
    const dep = rec.one(T.deployment);
    expect(JSON.stringify(dep.inputs)).not.toContain("service-role-key");
  });

  it("annotates the pod template with the secret checksum, as a secret", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    const dep = rec.one(T.deployment);
    const expected = createHash("sha256")
      .update(
        JSON.stringify([
          ["SUPABASE_SERVICE_ROLE_KEY", "service-role-key"],
          ["SUPABASE_URL", "https://abc.supabase.co"],
        ]),
      )
      .digest("hex");
    expect(dep.inputs.spec.template.metadata.annotations["app-platform/secret-checksum"]).toBe(expected);
    // The checksum is the only secret in the Deployment; the mock monitor's deserialiser lifts
    // secretness to the top-level property, so it shows as `spec` (the wire carries it nested).
    expect(dep.secretPaths).toEqual(["spec"]);
  });

  it("has no secret in the Deployment when there are no secrets (so the `spec` above is the checksum)", async () => {
    new KubernetesService("codebook-backend", codebook(staging, { secretEnv: {} }));
    await rec.settle();
    expect(rec.one(T.deployment).secretPaths).toEqual([]);
    expect(rec.ofType(T.secret)).toHaveLength(0);
    expect(container().env).toBeUndefined();
  });

  it("keeps the checksum secret even when every secret value was a plain string", async () => {
    expect(await pulumi.isSecret(secretChecksum({ API_TOKEN: "plain" }))).toBe(true);
    new KubernetesService("codebook-backend", codebook(staging, { secretEnv: { API_TOKEN: "plain" } }));
    await rec.settle();
    expect(rec.one(T.deployment).secretPaths).toEqual(["spec"]);
    expect(rec.one(T.secret).secretPaths).toEqual(["stringData"]);
  });

  it("sends the checksum nested as a secret on the wire (only the annotation, not the whole spec)", async () => {
    const raw = await pulumi.runtime.serializeProperties("test", {
      spec: { annotations: { [SECRET_CHECKSUM_ANNOTATION]: secretChecksum({ API_TOKEN: "plain" }) }, replicas: 3 },
    });
    expect(raw.spec.replicas).toBe(3);
    expect(raw.spec.annotations[SECRET_CHECKSUM_ANNOTATION][pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialSecretSig);
  });

  it("changes the checksum when a secret rotates", async () => {
    new KubernetesService("a", codebook(staging, { namespace: "a", secretEnv: { API_TOKEN: pulumi.secret("one") } }));
    new KubernetesService("b", codebook(staging, { namespace: "b", secretEnv: { API_TOKEN: pulumi.secret("two") } }));
    await rec.settle();
    const sum = (n: string) => rec.one(T.deployment, `${n}-deployment`).inputs.spec.template.metadata.annotations["app-platform/secret-checksum"];
    expect(sum("a")).toMatch(/^[0-9a-f]{64}$/);
    expect(sum("a")).not.toBe(sum("b"));
  });
});

describe("KubernetesService Service, PDB and HPA", () => {
  it("exposes a ClusterIP Service on servicePort (default 80) → http", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    expect(rec.one(T.service).inputs.spec).toEqual({
      type: "ClusterIP",
      selector,
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    });
  });

  it("takes another servicePort", async () => {
    new KubernetesService("codebook-backend", codebook(staging, { servicePort: 8000 }));
    await rec.settle();
    expect(rec.one(T.service).inputs.spec.ports[0].port).toBe(8000);
  });

  it("autoscales with autoscaling/v2 on CPU and leaves the replica count to the HPA", async () => {
    new KubernetesService("codebook-backend", codebook(prod, { autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 70 } }));
    await rec.settle();
    expect(rec.one(T.deployment).inputs.spec.replicas).toBeUndefined();
    expect(rec.one(T.hpa, "codebook-backend-hpa").inputs.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "codebook-backend" },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    });
    expect(rec.ofType(T.pdb)).toHaveLength(1);
  });

  it("has no HPA without autoscaling", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    expect(rec.ofType(T.hpa)).toHaveLength(0);
  });
});

describe("KubernetesService NetworkPolicies", () => {
  it("denies all ingress and egress by default for this workload", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    const deny = rec.one(T.networkPolicy, "codebook-backend-default-deny");
    expect(deny.inputs.metadata.name).toBe("codebook-backend-default-deny");
    expect(deny.inputs.spec).toEqual({ podSelector: { matchLabels: selector }, policyTypes: ["Ingress", "Egress"] });
  });

  it("allows http from the ingress controller and Prometheus, DNS, 443 and extra egress ports", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    const ns = (n: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } });
    expect(rec.one(T.networkPolicy, "codebook-backend-allow").inputs.spec).toEqual({
      podSelector: { matchLabels: selector },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [ns("ingress-nginx"), ns("monitoring")], ports: [{ protocol: "TCP", port: "http" }] }],
      egress: [
        // DNS to any destination (NodeLocal DNSCache, resolvers outside kube-system), like the backup job.
        {
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
        {
          ports: [
            { protocol: "TCP", port: 443 },
            { protocol: "TCP", port: 5432 },
          ],
        },
      ],
    });
  });

  it("takes other controller and Prometheus namespaces", async () => {
    new KubernetesService("chat-api", minimal({ ingressControllerNamespace: "traefik", prometheusNamespace: "observability" }));
    await rec.settle();
    const from = rec.one(T.networkPolicy, "chat-api-allow").inputs.spec.ingress[0].from;
    expect(from.map((f: any) => f.namespaceSelector.matchLabels["kubernetes.io/metadata.name"])).toEqual(["traefik", "observability"]);
    expect(rec.one(T.networkPolicy, "chat-api-allow").inputs.spec.egress[1].ports).toEqual([{ protocol: "TCP", port: 443 }]);
  });
});

describe("KubernetesService ServiceMonitor and Ingress", () => {
  it("scrapes metricsPath on the http port with a ServiceMonitor", async () => {
    new KubernetesService("codebook-backend", codebook(staging, { serviceMonitorLabels: { release: "kube-prometheus-stack" } }));
    await rec.settle();
    const sm = rec.one(T.serviceMonitor, "codebook-backend-service-monitor");
    expect(sm.inputs.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(sm.inputs.kind).toBe("ServiceMonitor");
    expect(sm.inputs.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(sm.inputs.spec).toEqual({
      selector: { matchLabels: selector },
      endpoints: [{ port: "http", path: "/metrics", scheme: "http" }],
    });
  });

  it("publishes the host with TLS from cert-manager", async () => {
    new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    const ing = rec.one(T.ingress, "codebook-backend-ingress").inputs;
    expect(ing.metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt-prod" });
    expect(ing.spec).toEqual({
      ingressClassName: "nginx",
      tls: [{ hosts: ["api.codebook.example.com"], secretName: "codebook-backend-tls" }],
      rules: [
        {
          host: "api.codebook.example.com",
          http: {
            paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "codebook-backend", port: { name: "http" } } } }],
          },
        },
      ],
    });
  });

  it("takes a class, TLS secret and issuer", async () => {
    new KubernetesService(
      "codebook-backend",
      codebook(staging, {
        ingress: { host: "api.example.com", className: "traefik", tlsSecretName: "api-cert", clusterIssuer: "letsencrypt-staging" },
      }),
    );
    await rec.settle();
    const ing = rec.one(T.ingress).inputs;
    expect(ing.spec.ingressClassName).toBe("traefik");
    expect(ing.spec.tls).toEqual([{ hosts: ["api.example.com"], secretName: "api-cert" }]);
    expect(ing.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-staging");
  });
});

describe("KubernetesService outputs and transform", () => {
  it("exports names, the in-cluster URL and the selector labels", async () => {
    const svc = new KubernetesService("codebook-backend", codebook(staging));
    await rec.settle();
    expect(await valueOf(svc.serviceName)).toBe("codebook-backend");
    expect(await valueOf(svc.internalUrl)).toBe("http://codebook-backend.codebook.svc.cluster.local:80");
    expect(await valueOf(svc.secretName!)).toBe("codebook-backend-secrets");
    expect(await valueOf(svc.serviceAccountName)).toBe("codebook-backend");
    expect(svc.selectorLabels).toEqual(selector);
    expect(svc.deployment).toBeDefined();
    expect(svc.service).toBeDefined();
  });

  it("has no secretName without secretEnv", async () => {
    const svc = new KubernetesService("chat-api", minimal());
    await rec.settle();
    expect(svc.secretName).toBeUndefined();
  });

  it("lets the caller adjust the deployment, service and ingress args", async () => {
    new KubernetesService(
      "codebook-backend",
      codebook(staging, {
        transform: {
          deployment: (a) => ({ ...a, metadata: { ...(a.metadata as object), annotations: { team: "x" } } }),
          service: (a) => ({ ...a, metadata: { ...(a.metadata as object), annotations: { svc: "y" } } }),
          ingress: (a) => ({ ...a, metadata: { ...(a.metadata as object), annotations: { ing: "z" } } }),
        },
      }),
    );
    await rec.settle();
    expect(rec.one(T.deployment).inputs.metadata.annotations).toEqual({ team: "x" });
    expect(rec.one(T.service).inputs.metadata.annotations).toEqual({ svc: "y" });
    expect(rec.one(T.ingress).inputs.metadata.annotations).toEqual({ ing: "z" });
  });
});

describe("validateKubernetesServiceArgs", () => {
  const rejects = (args: KubernetesServiceArgs, message: string, name = "codebook-backend") => {
    expect(() => validateKubernetesServiceArgs(name, args)).toThrow(ValidationError);
    expect(() => validateKubernetesServiceArgs(name, args)).toThrow(message);
  };

  it("accepts codebook in staging and prod (same /health path, different timings)", () => {
    expect(() => validateKubernetesServiceArgs("codebook-backend", codebook(staging))).not.toThrow();
    expect(() => validateKubernetesServiceArgs("codebook-backend", codebook(prod))).not.toThrow();
  });

  it("is called by the constructor, before any child exists", async () => {
    expect(() => new KubernetesService("codebook-backend", codebook(staging, { replicas: 0 }))).toThrow(
      'KubernetesService "codebook-backend" has invalid arguments',
    );
    await rec.settle();
    expect(rec.ofType(T.deployment)).toHaveLength(0);
  });

  it("rejects the latest tag", () => {
    rejects(codebook(staging, { image: { repository: "r", tag: "latest" } }), '`image.tag` must be pinned, never "latest"');
    rejects(codebook(staging, { image: { repository: "r", tag: "Latest" } }), '`image.tag` must be pinned, never "latest"');
  });
  it("rejects an empty or missing tag", () => {
    rejects(codebook(staging, { image: { repository: "r", tag: "" } }), "`image.tag` must not be empty");
    rejects(codebook(staging, { image: { repository: "r" } }), "`image.tag` is required");
  });
  it("accepts a digest alone or with a tag, and rejects a malformed digest", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(() => validateKubernetesServiceArgs("x", codebook(staging, { image: { repository: "r", digest } }))).not.toThrow();
    expect(imageReference({ repository: "r", tag: "1", digest })).toBe(`r:1@${digest}`);
    expect(imageReference({ repository: "r", digest })).toBe(`r@${digest}`);
    rejects(codebook(staging, { image: { repository: "r", tag: "1", digest: "sha256:xyz" } }), '`image.digest` must look like "sha256:"');
  });
  it("rejects a tag inside the repository, but allows a registry port", () => {
    rejects(codebook(staging, { image: { repository: "ghcr.io/acme/app:1.0", tag: "1.0" } }), "`image.repository` must be a repository without tag or digest");
    expect(() => validateKubernetesServiceArgs("x", codebook(staging, { image: { repository: "registry:5000/acme/app", tag: "1.0" } }))).not.toThrow();
  });
  it("rejects missing requests and memory limit", () => {
    rejects(codebook(staging, { resources: { requests: { memory: "512Mi" }, limits: { memory: "1Gi" } } as any }), "`resources.requests.cpu` is required");
    rejects(codebook(staging, { resources: { requests: { cpu: "500m", memory: "" }, limits: { memory: "1Gi" } } }), "`resources.requests.memory` is required");
    rejects(codebook(staging, { resources: { requests: { cpu: "1", memory: "1Gi" } } as any }), "`resources.limits.memory` is required");
  });
  it("rejects malformed quantities and requests above limits", () => {
    rejects(
      codebook(staging, { resources: { requests: { cpu: "half", memory: "512Mi" }, limits: { memory: "1Gi" } } }),
      '`resources.requests.cpu` must be a Kubernetes quantity such as "500m"',
    );
    rejects(
      codebook(staging, { resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "1Gi" } } }),
      "`resources.requests.memory` (2Gi) must not exceed `resources.limits.memory` (1Gi)",
    );
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("1Gi")).toBe(2 ** 30);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("1.5G")).toBe(1.5e9);
    expect(parseQuantity("-1")).toBeUndefined();
  });
  it("requires at least 2 replicas in prod, allows 1 in staging", () => {
    rejects(codebook(prod, { replicas: 1 }), "`replicas` must be at least 2 in prod");
    expect(() => validateKubernetesServiceArgs("x", minimal({ replicas: 1 }))).not.toThrow();
    rejects(minimal({ replicas: 0 }), "`replicas` must be a whole number >= 1");
  });
  it("checks autoscaling (prod minReplicas >= 2, max >= min, target 1-100)", () => {
    rejects(
      codebook(prod, { autoscaling: { minReplicas: 1, maxReplicas: 3, targetCpuUtilization: 70 } }),
      "`autoscaling.minReplicas` must be at least 2 in prod",
    );
    rejects(
      codebook(staging, { autoscaling: { minReplicas: 3, maxReplicas: 2, targetCpuUtilization: 70 } }),
      "`autoscaling.maxReplicas` must be a whole number >= `autoscaling.minReplicas` (3)",
    );
    rejects(
      codebook(staging, { autoscaling: { minReplicas: 1, maxReplicas: 2, targetCpuUtilization: 0 } }),
      "`autoscaling.targetCpuUtilization` must be a whole percentage from 1 to 100",
    );
  });
  it("rejects a secret-looking plain env name", () => {
    for (const key of ["OPENAI_API_KEY", "JWT_SECRET", "DATABASE_URL", "SENTRY_DSN", "DB_PASSWORD", "GH_TOKEN", "SUPABASE_SERVICE_ROLE_KEY"]) {
      rejects(codebook(staging, { env: { [key]: "x" } }), `\`env.${key}\` looks like a secret`);
    }
    // seed 002's plain settings pass
    expect(() =>
      validateKubernetesServiceArgs(
        "x",
        codebook(staging, {
          env: {
            RATE_LIMIT_FREE: "50",
            RATE_LIMIT_PAID: "500",
            FUNCTION_TIMEOUT_SECONDS: "30.0",
            DEFAULT_MODEL: "claude-sonnet-4-20250514",
            MAPPER_API_URL: "http://localhost:8001",
          },
        }),
      ),
    ).not.toThrow();
  });
  it("rejects a credential-looking plain env value", () => {
    rejects(codebook(staging, { env: { UPSTREAM: "postgres://user:pw@db:5432/app" } }), "`env.UPSTREAM` holds a value that looks like a credential");
    rejects(codebook(staging, { env: { KEYPAIR: "AKIAABCDEFGHIJKLMNOP" } }), "`env.KEYPAIR` holds a value that looks like a credential");
  });
  it("rejects an env name in both env and secretEnv", () => {
    rejects(codebook(staging, { env: { SUPABASE_URL: "https://abc.supabase.co" } }), "`SUPABASE_URL` is set in both `env` and `secretEnv`");
  });
  it("rejects invalid env names", () => {
    rejects(codebook(staging, { env: { "1BAD": "x" } }), "`env.1BAD` is not a valid environment variable name");
    rejects(codebook(staging, { secretEnv: { "BAD-NAME": "x" } }), "`secretEnv.BAD-NAME` is not a valid environment variable name");
  });
  it("rejects identical liveness and readiness in prod, allows them in staging", () => {
    const same = { liveness: liveness(), readiness: liveness() };
    rejects(codebook(prod, same), "`liveness` and `readiness` must not be identical in prod");
    expect(() => validateKubernetesServiceArgs("x", codebook(staging, same))).not.toThrow();
  });
  it("rejects a probe on another port than the container's", () => {
    rejects(codebook(staging, { readiness: Probe.httpGet("/health", { port: 9000 }) }), "`readiness` probes port 9000 but the container port is 8000");
  });
  it("rejects successThreshold other than 1 for liveness and startup", () => {
    rejects(codebook(staging, { liveness: Probe.httpGet("/health", { port: 8000, successThreshold: 2 }) }), "`liveness.successThreshold` must be 1");
    rejects(codebook(staging, { startup: Probe.httpGet("/health", { port: 8000, successThreshold: 2 }) }), "`startup.successThreshold` must be 1");
    expect(() =>
      validateKubernetesServiceArgs("x", codebook(staging, { readiness: Probe.httpGet("/health", { port: 8000, successThreshold: 2 }) })),
    ).not.toThrow();
  });
  it("rejects missing or non-Probe probes", () => {
    rejects(codebook(staging, { liveness: undefined as any }), "`liveness` is required");
    rejects(codebook(staging, { readiness: { httpGet: { path: "/" } } as any }), "`readiness` must be a Probe");
  });
  it("rejects bad ports", () => {
    rejects(codebook(staging, { port: 0 }), "`port` must be a whole number from 1 to 65535");
    rejects(codebook(staging, { port: 70000 }), "`port` must be a whole number from 1 to 65535");
    rejects(codebook(staging, { servicePort: 0 }), "`servicePort` must be a whole number from 1 to 65535");
    rejects(codebook(staging, { extraEgressPorts: [5432, 99999] }), "`extraEgressPorts` must hold whole numbers from 1 to 65535");
  });
  it("rejects a metricsPath without a leading slash", () => {
    rejects(codebook(staging, { metricsPath: "metrics" }), '`metricsPath` must start with "/"');
  });
  it("rejects a bad name or namespace", () => {
    rejects(codebook(staging), "`name` must be a DNS-1035 label", "Codebook_Backend");
    rejects(codebook(staging, { namespace: "default" }), '`namespace` must be a DNS label other than "default"');
    rejects(codebook(staging, { namespace: "" }), "`namespace` is required");
  });
  it("skips the namespace check for an Output namespace", () => {
    expect(() => validateKubernetesServiceArgs("x", codebook(staging, { namespace: pulumi.output("codebook") }))).not.toThrow();
  });
  it("rejects root identities", () => {
    rejects(codebook(staging, { securityContext: { runAsUser: 0 } }), "`securityContext.runAsUser` must be a whole number >= 1 (never root)");
    rejects(codebook(staging, { securityContext: { fsGroup: 0 } }), "`securityContext.fsGroup` must be a whole number >= 1");
  });
  it("rejects a preStop sleep not shorter than the grace period", () => {
    rejects(codebook(staging, { preStopSleep: Duration.seconds(30) }), "`preStopSleep` (30s) must be shorter than `terminationGracePeriod` (30s)");
    rejects(codebook(staging, { terminationGracePeriod: Duration.seconds(3) }), "`preStopSleep` (5s) must be shorter than `terminationGracePeriod` (3s)");
  });
  it("rejects a rollout that cannot progress", () => {
    rejects(codebook(staging, { rollout: { maxSurge: 0 } }), "`rollout.maxUnavailable` and `rollout.maxSurge` cannot both be 0");
    rejects(codebook(staging, { rollout: { maxSurge: "lots" } }), "`rollout.maxSurge` must be a whole number >= 0 or a percentage");
  });
  it("rejects a bad tmp size", () => {
    rejects(codebook(staging, { tmp: { sizeLimit: "big" } }), '`tmp.sizeLimit` must be a Kubernetes quantity such as "128Mi"');
  });
  it("rejects a bad ingress host or network namespace", () => {
    rejects(codebook(staging, { ingress: { host: "https://api.example.com" } }), "`ingress.host` must be a lowercase fully qualified host name");
    rejects(codebook(staging, { ingress: { host: "localhost" } }), "`ingress.host` must be a lowercase fully qualified host name");
    rejects(codebook(staging, { prometheusNamespace: "Monitoring" }), "`prometheusNamespace` must be a namespace name");
  });
  it("lists every problem in one error", () => {
    try {
      validateKubernetesServiceArgs("codebook-backend", codebook(prod, { replicas: 1, image: { repository: "r", tag: "latest" }, env: { JWT_SECRET: "x" } }));
      expect.unreachable();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg.split("\n").filter((l) => l.startsWith("  - "))).toHaveLength(3);
    }
  });
});
