/**
 * Workload rules hold for every controller, not the Deployment they were first written against
 * (issue 22), and read Kubernetes semantics rather than literals: probes on every long-running
 * kind, replica floors and PodDisruptionBudget coverage on every replicated kind, PDB
 * percentages computed as the disruption controller does, the ServiceAccount's token setting,
 * AppArmor/SELinux as the current Pod Security Standards' allow-lists, PEM keys however many
 * dashes. Each flawed variant goes through another kind or field than the rule's first test
 * (tests/policies/kubernetes-*.test.ts), and each has a correct counterpart that stays clean.
 *
 * Several variants came from running third-party fixtures through the pack (Kyverno's
 * policy library and Polaris's check fixtures, see README "Tested against outside fixtures");
 * these are our own fixtures written for the same cases, not copies.
 */
import { describe, expect, it } from "vitest";
import { rules } from "../../policies/rules";
import { analyzeResource, analyzeStack } from "../../tools/engine/pack/in-process";
import { configureHealthProbes } from "../../policies/kubernetes/configure-health-probes";
import { configureReplicas } from "../../policies/kubernetes/configure-replicas";
import { missingPodDisruptionBudget } from "../../policies/kubernetes/missing-pod-disruption-budget";
import { disallowBlockingPodDisruptionBudget } from "../../policies/kubernetes/disallow-blocking-pod-disruption-budget";
import { disableServiceAccountTokenAutomount } from "../../policies/kubernetes/disable-service-account-token-automount";
import { enforceBaselinePodSecurity } from "../../policies/kubernetes/enforce-baseline-pod-security";
import { enforceReplicaSpreading } from "../../policies/kubernetes/enforce-replica-spreading";
import { disallowSecretEnvLiterals } from "../../policies/kubernetes/disallow-secret-env-literals";
import { disallowSecretsInConfigmaps } from "../../policies/kubernetes/disallow-secrets-in-configmaps";
import { K8S } from "../../policies/lib/kubernetes";
import { UNKNOWN_STRING, urnOf } from "../../tools/engine/pack/types";
import { backupCronJob, configMap, deployment, hpa, labels, networkPolicy, NS, pod, podDisruptionBudget } from "./fixtures";
import { edit, expectClean, expectNotApplicable, expectViolation, PROD, STAGING, type Fixture } from "./helpers";

/** The compliant Deployment re-declared as another controller (same pod template, selector and replicas). */
function asKind(kind: "StatefulSet" | "DaemonSet" | "ReplicaSet", name = "api"): Fixture {
  const d = deployment(name);
  const props = structuredClone(d.props);
  props.kind = kind;
  delete props.spec.strategy;
  if (kind === "StatefulSet") props.spec.serviceName = name;
  if (kind === "DaemonSet") delete props.spec.replicas;
  return { type: K8S[kind], name, props };
}

const tmpl = (p: any) => p.spec.template.spec;
const c0 = (p: any) => tmpl(p).containers[0];
/** The bare Pod fixture with the Deployment's probes (seed 001 §3: /health on 8000). */
function probedPod(): Fixture {
  const probes = { livenessProbe: c0(deployment().props).livenessProbe, readinessProbe: c0(deployment().props).readinessProbe };
  return edit(pod(), (p) => Object.assign(p.spec.containers[0], probes));
}

describe("kubernetes-configure-health-probes on every long-running kind", () => {
  const rule = configureHealthProbes;
  it("passes a probed StatefulSet, DaemonSet, ReplicaSet and Pod", async () => {
    for (const kind of ["StatefulSet", "DaemonSet", "ReplicaSet"] as const) await expectClean(rule, asKind(kind));
    await expectClean(rule, probedPod());
  });
  it("flags a StatefulSet without a readiness probe: mandatory on prod, advisory on staging", async () => {
    const r = edit(asKind("StatefulSet"), (p) => delete c0(p).readinessProbe);
    await expectViolation(rule, r, /StatefulSet "api": container "api" has no readiness probe/, "mandatory", PROD);
    await expectViolation(rule, r, /StatefulSet "api": container "api" has no readiness probe/, "advisory", STAGING);
  });
  it("flags a bare Pod without a liveness probe", async () => {
    await expectViolation(
      rule,
      edit(probedPod(), (p) => delete p.spec.containers[0].livenessProbe),
      /Pod "debug": container "debug" has no liveness probe/,
      "mandatory",
      PROD,
    );
  });
  it("flags identical probes on a DaemonSet and a missing probe on a ReplicaSet", async () => {
    await expectViolation(
      rule,
      edit(asKind("DaemonSet"), (p) => (c0(p).readinessProbe = { ...c0(p).livenessProbe })),
      /DaemonSet "api": container "api" uses identical liveness and readiness probes/,
      "mandatory",
      PROD,
    );
    await expectViolation(
      rule,
      edit(asKind("ReplicaSet"), (p) => delete c0(p).livenessProbe),
      /ReplicaSet "api": container "api" has no liveness probe/,
      "mandatory",
      PROD,
    );
  });
  it("does not ask probes of init containers, nor of run-to-completion CronJobs", async () => {
    await expectClean(
      rule,
      edit(asKind("StatefulSet"), (p) => (tmpl(p).initContainers = [{ name: "migrate", image: c0(p).image }])),
    );
    await expectNotApplicable(rule, backupCronJob());
  });
});

describe("kubernetes-configure-replicas on every replicated kind", () => {
  const rule = configureReplicas;
  it("passes a StatefulSet and a ReplicaSet with 3 replicas", async () => {
    await expectClean(rule, [asKind("StatefulSet"), asKind("ReplicaSet")]);
  });
  it("flags a prod StatefulSet with one replica (mandatory) and a ReplicaSet that leaves replicas unset", async () => {
    await expectViolation(rule, [edit(asKind("StatefulSet"), (p) => (p.spec.replicas = 1))], /StatefulSet "api" runs 1 replica/, "mandatory", PROD);
    await expectViolation(rule, [edit(asKind("ReplicaSet"), (p) => delete p.spec.replicas)], /ReplicaSet "api" runs 1 replica/, "mandatory", PROD);
  });
  it("joins an HPA to a StatefulSet by kind and name", async () => {
    const statefulHpa = (min: number) => edit(hpa("api", min), (p) => (p.spec.scaleTargetRef.kind = "StatefulSet"));
    const one = edit(asKind("StatefulSet"), (p) => (p.spec.replicas = 1));
    await expectClean(rule, [one, statefulHpa(2)]);
    await expectViolation(rule, [one, statefulHpa(1)], /StatefulSet "api" is scaled by an HPA whose `minReplicas` is 1/, "mandatory", PROD);
  });
  it("flags an HPA whose target is not declared in the stack when its floor is below the minimum (unset = 1)", async () => {
    const external = (p: any) => (p.spec.scaleTargetRef.name = "legacy-api");
    await expectClean(rule, [asKind("StatefulSet"), edit(hpa("api", 2), external)]);
    await expectViolation(
      rule,
      [asKind("StatefulSet"), edit(hpa("api", 1), external)],
      /HorizontalPodAutoscaler "api-hpa" lets its target scale down to 1/,
      "mandatory",
      PROD,
    );
    await expectViolation(
      rule,
      [edit(hpa("api", 2), (p) => (external(p), delete p.spec.minReplicas))],
      /HorizontalPodAutoscaler "api-hpa" lets its target scale down to 1/,
      "mandatory",
      PROD,
    );
  });
  it("does not count DaemonSets (one pod per node)", () => expectNotApplicable(rule, [asKind("DaemonSet")]));
});

describe("kubernetes-missing-pod-disruption-budget on every replicated kind", () => {
  const rule = missingPodDisruptionBudget;
  it("passes a StatefulSet covered by a matching PDB", () => expectClean(rule, [asKind("StatefulSet"), podDisruptionBudget()]));
  it("flags a prod StatefulSet without one (mandatory)", async () => {
    await expectViolation(rule, [asKind("StatefulSet")], /StatefulSet "api" has no PodDisruptionBudget/, "mandatory", PROD);
  });
  it("flags a ReplicaSet whose PDB selects other pods through matchExpressions", async () => {
    const other = edit(
      podDisruptionBudget(),
      (p) => (p.spec.selector = { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["web"] }] }),
    );
    await expectViolation(rule, [asKind("ReplicaSet"), other], /ReplicaSet "api" has no PodDisruptionBudget/, "mandatory", PROD);
    const same = edit(other, (p) => (p.spec.selector.matchExpressions[0].values = ["api"]));
    await expectClean(rule, [asKind("ReplicaSet"), same]);
  });
  it("does not ask a PDB of a DaemonSet (drains skip its pods)", () => expectNotApplicable(rule, [asKind("DaemonSet")]));
});

describe("kubernetes-enforce-replica-spreading on every replicated kind", () => {
  const rule = enforceReplicaSpreading;
  it("passes a StatefulSet spread by topology constraints and a ReplicaSet spread by anti-affinity", async () => {
    await expectClean(rule, asKind("StatefulSet"));
    const antiAffinity = {
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname" } }] },
    };
    await expectClean(
      rule,
      edit(asKind("ReplicaSet"), (p) => (delete tmpl(p).topologySpreadConstraints, (tmpl(p).affinity = antiAffinity))),
    );
  });
  it("advises a StatefulSet whose constraint list is empty", async () => {
    await expectViolation(
      rule,
      edit(asKind("StatefulSet"), (p) => (tmpl(p).topologySpreadConstraints = [])),
      /StatefulSet "api" runs 3 replicas that may all land on one node/,
      "advisory",
    );
  });
  it("does not apply to a DaemonSet (one pod per node)", () => expectNotApplicable(rule, asKind("DaemonSet")));
});

describe("kubernetes-disallow-blocking-pod-disruption-budget computes percentages", () => {
  const rule = disallowBlockingPodDisruptionBudget;
  const pdb = (spec: Record<string, unknown>) => edit(podDisruptionBudget(), (p) => (p.spec = { ...spec, selector: p.spec.selector }));
  it("flags minAvailable above 100 % and maxUnavailable 0 % with or without a workload", async () => {
    await expectViolation(rule, [pdb({ minAvailable: "150%" })], /sets `minAvailable: 150%`, which blocks every node drain/, "mandatory");
    await expectViolation(
      rule,
      [asKind("StatefulSet"), pdb({ maxUnavailable: "0%" })],
      /sets `maxUnavailable: 0%`, which blocks every node drain/,
      "mandatory",
    );
  });
  it("rounds minAvailable percentages up, as the disruption controller does", async () => {
    // 3 replicas: 67 % of 3 = 2.01, rounded up to 3 = all of them; 66 % = 1.98 -> 2.
    await expectViolation(rule, [asKind("StatefulSet"), pdb({ minAvailable: "67%" })], /requires 3 available pods but StatefulSet "api" runs 3/, "mandatory");
    await expectClean(rule, [asKind("StatefulSet"), pdb({ minAvailable: "66%" })]);
  });
  it("lets a positive maxUnavailable percentage through (it rounds up to one pod)", () =>
    expectClean(rule, [asKind("ReplicaSet"), pdb({ maxUnavailable: "10%" })]));
  it("compares with an HPA's minReplicas for a ReplicaSet", async () => {
    const rsHpa = edit(hpa("api", 2), (p) => (p.spec.scaleTargetRef.kind = "ReplicaSet"));
    // HPA floor 2: 75 % of 2 = 1.5 -> 2 = both pods; 50 % -> 1.
    await expectViolation(
      rule,
      [asKind("ReplicaSet"), rsHpa, pdb({ minAvailable: "75%" })],
      /requires 2 available pods but ReplicaSet "api" runs 2/,
      "mandatory",
    );
    await expectClean(rule, [asKind("ReplicaSet"), rsHpa, pdb({ minAvailable: "50%" })]);
  });
  it("judges both fields when a budget sets both", async () => {
    await expectViolation(rule, [pdb({ minAvailable: "100%", maxUnavailable: 1 })], /sets `minAvailable: 100%`/, "mandatory");
  });
});

describe("kubernetes-disable-service-account-token-automount reads the ServiceAccount", () => {
  const rule = disableServiceAccountTokenAutomount;
  const account = (name: string, automount?: boolean, namespace = NS): Fixture => ({
    type: K8S.ServiceAccount,
    name: `${name}-sa`,
    props: {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name, namespace, labels: labels(name, "api") },
      ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
    },
  });
  const unsetOnPod = edit(asKind("StatefulSet"), (p) => delete tmpl(p).automountServiceAccountToken);
  it("passes a pod that leaves the setting to a ServiceAccount that disables it", async () => {
    await expectClean(rule, [unsetOnPod, account("api", false)]);
    // A bare Pod without serviceAccountName runs as "default".
    await expectClean(rule, [edit(pod(), (p) => (delete p.spec.automountServiceAccountToken, delete p.spec.serviceAccountName)), account("default", false)]);
  });
  it("advises when neither the pod nor its ServiceAccount disables the token", async () => {
    await expectViolation(
      rule,
      [unsetOnPod, account("api")],
      /StatefulSet "api" mounts a service account token: its ServiceAccount "api" does not set/,
      "advisory",
    );
    await expectViolation(rule, [unsetOnPod], /neither the pod nor a ServiceAccount of this stack disables it/, "advisory");
  });
  it("does not take a same-named ServiceAccount of another namespace", async () => {
    await expectViolation(rule, [unsetOnPod, account("api", false, "other")], /StatefulSet "api" mounts a service account token/, "advisory");
  });
  it("lets `true` on the pod override the ServiceAccount's `false`", async () => {
    const forced = edit(unsetOnPod, (p) => (tmpl(p).automountServiceAccountToken = true));
    await expectViolation(rule, [forced, account("api", false)], /`automountServiceAccountToken: true` on the pod overrides its ServiceAccount/, "advisory");
  });
  it("joins the ServiceAccount through its dependency when the name is computed (preview)", async () => {
    const sa = account("api", false);
    const computed: Fixture = { ...edit(unsetOnPod, (p) => (tmpl(p).serviceAccountName = UNKNOWN_STRING)), propertyDependencies: { spec: [urnOf(sa)] } };
    await expectClean(rule, [computed, sa]);
  });
});

describe("kubernetes-enforce-baseline-pod-security: AppArmor and SELinux as the current PSS allow-lists", () => {
  const rule = enforceBaselinePodSecurity;
  const annotate = (value: string) => (p: any) => (p.spec.template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/api": value });
  it("passes runtime/default and localhost/* annotations and RuntimeDefault/Localhost fields", async () => {
    await expectClean(rule, edit(asKind("StatefulSet"), annotate("runtime/default")));
    await expectClean(rule, edit(asKind("StatefulSet"), annotate("localhost/k8s-apparmor-example")));
    const job = backupCronJob();
    const spec = job.props.spec.jobTemplate.spec.template.spec;
    spec.securityContext.appArmorProfile = { type: "Localhost", localhostProfile: "backup" };
    spec.containers[0].securityContext.appArmorProfile = { type: "RuntimeDefault" };
    await expectClean(rule, job);
  });
  it("flags any other AppArmor annotation value, not only `unconfined`", async () => {
    await expectViolation(
      rule,
      edit(asKind("StatefulSet"), annotate("foo/bar")),
      /annotation "container.apparmor.security.beta.kubernetes.io\/api" sets the AppArmor profile "foo\/bar"/,
      "mandatory",
    );
  });
  it("flags an appArmorProfile type outside the allow-list on a CronJob's pod", async () => {
    const job = edit(backupCronJob(), (p) => (p.spec.jobTemplate.spec.template.spec.securityContext.appArmorProfile = { type: "Custom" }));
    await expectViolation(rule, job, /the pod runs AppArmor "Custom"/, "mandatory");
  });
  it("allows container_engine_t (current PSS) on an init container and refuses spc_t on an ephemeral one", async () => {
    const init = edit(
      asKind("DaemonSet"),
      (p) => (tmpl(p).initContainers = [{ name: "init", image: c0(p).image, securityContext: { seLinuxOptions: { type: "container_engine_t" } } }]),
    );
    await expectClean(rule, init);
    const ephemeral = edit(
      pod(),
      (p) => (p.spec.ephemeralContainers = [{ name: "debugger", image: "busybox:1.36", securityContext: { seLinuxOptions: { type: "spc_t" } } }]),
    );
    await expectViolation(rule, ephemeral, /ephemeral container "debugger" sets custom SELinux options/, "mandatory");
  });
});

describe("PEM private keys written with three dashes", () => {
  const threeDashes = "---BEGIN EC PRIVATE KEY---\nMHcCAQEEIG3x\n---END EC PRIVATE KEY---";
  it("kubernetes-disallow-secret-env-literals flags one in a DaemonSet's env, and leaves a public key alone", async () => {
    const env = (value: string) => (p: any) => (c0(p).env = [{ name: "TLS_MATERIAL", value }]);
    await expectViolation(disallowSecretEnvLiterals, edit(asKind("DaemonSet"), env(threeDashes)), /TLS_MATERIAL/, "mandatory");
    await expectClean(disallowSecretEnvLiterals, edit(asKind("DaemonSet"), env("---BEGIN PUBLIC KEY---\nMFkwEwYH\n---END PUBLIC KEY---")));
  });
  it("kubernetes-disallow-secrets-in-configmaps flags one in a ConfigMap value", async () => {
    await expectViolation(
      disallowSecretsInConfigmaps,
      edit(configMap(), (p) => (p.data.BUNDLE = threeDashes)),
      /BUNDLE/,
      "mandatory",
    );
    await expectClean(
      disallowSecretsInConfigmaps,
      edit(configMap(), (p) => (p.data.NOTES = "--- release notes ---")),
    );
  });
});

describe("the whole pack on a prod StatefulSet (issue 22: one replica, no PDB and no probes passed)", () => {
  async function mandatory(resources: readonly Fixture[]): Promise<string[]> {
    const found = [];
    for (const r of resources) found.push(...(await analyzeResource([...rules], r, PROD)).violations);
    found.push(...(await analyzeStack([...rules], resources, PROD)).violations);
    return found.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policyName}: ${v.message.split("\n").pop()}`);
  }
  it("leaves a replicated, probed, budgeted StatefulSet clean", async () => {
    expect(await mandatory([asKind("StatefulSet"), podDisruptionBudget(), networkPolicy()])).toEqual([]);
  });
  it("refuses one replica, no PodDisruptionBudget and no probes as mandatory", async () => {
    const flawed = edit(asKind("StatefulSet"), (p) => ((p.spec.replicas = 1), delete c0(p).readinessProbe, delete c0(p).livenessProbe));
    const found = await mandatory([flawed, networkPolicy()]);
    for (const rule of [configureReplicas, missingPodDisruptionBudget, configureHealthProbes]) {
      expect(
        found.some((f) => f.startsWith(`${rule.name}: StatefulSet "api"`)),
        rule.name,
      ).toBe(true);
    }
  });
});
