/**
 * Every Kubernetes object the committed stacks register validates against the upstream schema of
 * its apiVersion/kind (kubernetes-models, @kubernetes-models/prometheus-operator), through
 * tools/kube-schema.ts; malformed objects and unknown kinds fail. One harness run per stack.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { plain, RegisteredResource, secret, UNKNOWN, unknownPaths, WireObject } from "../tools/engine/harness";
import {
  apiVersionKindOfType,
  isKubernetesObjectType,
  kubernetesManifests,
  pointerToPath,
  schemaFor,
  validateManifest,
  validateRegisteredManifests,
} from "../tools/kube-schema";
import { requireOk } from "../tools/engine/stack-run";
import { committedStackRun } from "./helpers/stack-runs";
import { registeredResource } from "./helpers/registered";

const STACKS = ["staging", "prod"] as const;
type Stack = (typeof STACKS)[number];

const resources = {} as Record<Stack, readonly RegisteredResource[]>;

beforeAll(async () => {
  const runs = await Promise.all(STACKS.map((s) => committedStackRun(s)));
  for (const [i, stack] of STACKS.entries()) resources[stack] = requireOk(runs[i]).resources;
}, 120_000);

const PROMETHEUS_OPERATOR = "@kubernetes-models/prometheus-operator";

/**
 * The only input paths a preview leaves unknown in the stacks' Kubernetes objects, and why. The
 * validator drops errors at these paths (the value is assumed to have the schema's type); a new
 * unknown shows up here so someone decides whether skipping it is right.
 */
const EXPECTED_UNKNOWNS: Record<string, string> = {
  // built from generated passwords / access keys that only exist after `up`
  "Secret stringData": "credentials from RandomPassword / IAM access keys",
  // a hash of those Secret values, rolling the pods when a secret rotates
  "Deployment spec.template.metadata.annotations.app-platform/secret-checksum": "hash of generated secrets",
};

/** Deep copy of the first recorded object of `kind` in prod, in plain form. */
function realObject(kind: string): any {
  const m = kubernetesManifests(resources.prod).find((x) => plain<any>(x.manifest).kind === kind);
  if (!m) throw new Error(`prod registers no ${kind}`);
  return structuredClone(plain<any>(m.manifest));
}

describe.each(STACKS)("%s: every Kubernetes object", (stack) => {
  it("validates against the upstream schema of its apiVersion/kind", () => {
    const results = validateRegisteredManifests(resources[stack]);
    expect(results.length).toBeGreaterThanOrEqual(75);
    const failures = results.filter((r) => r.errors.length > 0);
    expect(failures, failures.flatMap((f) => f.errors).join("\n")).toEqual([]);
  });

  it("covers every registered Kubernetes type, the monitoring CRDs through the prometheus-operator package", () => {
    const k8sTypes = [...new Set(resources[stack].filter((r) => isKubernetesObjectType(r.type)).map((r) => r.type))].sort();
    // The log agent's Helm Release is the provider's, not an object of the cluster's API.
    expect(resources[stack].some((r) => r.type === "kubernetes:helm.sh/v3:Release")).toBe(true);
    expect(isKubernetesObjectType("kubernetes:helm.sh/v3:Release")).toBe(false);
    const manifests = kubernetesManifests(resources[stack]);
    expect([...new Set(manifests.map((m) => m.type))].sort()).toEqual(k8sTypes);
    const packages = Object.fromEntries(
      k8sTypes.map((t) => {
        const { apiVersion, kind } = apiVersionKindOfType(t)!;
        return [`${apiVersion} ${kind}`, schemaFor(apiVersion, kind)?.packageName];
      }),
    );
    expect(packages).toMatchObject({
      "apps/v1 Deployment": "kubernetes-models",
      "batch/v1 CronJob": "kubernetes-models",
      "v1 Secret": "kubernetes-models",
      "networking.k8s.io/v1 NetworkPolicy": "kubernetes-models",
      "monitoring.coreos.com/v1 ServiceMonitor": PROMETHEUS_OPERATOR,
      "monitoring.coreos.com/v1 PrometheusRule": PROMETHEUS_OPERATOR,
      "monitoring.coreos.com/v1alpha1 AlertmanagerConfig": PROMETHEUS_OPERATOR,
    });
    expect(Object.entries(packages).filter(([, p]) => p === undefined)).toEqual([]);
    if (stack === "prod") expect(packages["policy/v1 PodDisruptionBudget"]).toBe("kubernetes-models");
  });

  it("leaves only the expected paths unknown during preview", () => {
    const seen = new Set<string>();
    for (const m of kubernetesManifests(resources[stack])) {
      for (const p of unknownPaths(m.manifest)) seen.add(`${plain<any>(m.manifest).kind} ${p}`);
    }
    expect([...seen].sort()).toEqual(Object.keys(EXPECTED_UNKNOWNS).sort());
  });
});

describe("validateManifest rejects malformed objects", () => {
  it("a Deployment with a string `replicas`", () => {
    const d = realObject("Deployment");
    expect(validateManifest(d)).toEqual([]);
    d.spec.replicas = "3";
    expect(validateManifest(d)).toEqual([`Deployment ${d.metadata.namespace}/${d.metadata.name}: spec.replicas: must be integer`]);
  });

  it("a container without `name`", () => {
    const d = realObject("Deployment");
    delete d.spec.template.spec.containers[0].name;
    expect(validateManifest(d)).toEqual([
      `Deployment ${d.metadata.namespace}/${d.metadata.name}: spec.template.spec.containers[0]: must have required property \`name\``,
    ]);
  });

  it("a ServiceMonitor whose `endpoints` is not a list", () => {
    const sm = realObject("ServiceMonitor");
    expect(validateManifest(sm)).toEqual([]);
    sm.spec.endpoints = sm.spec.endpoints[0];
    expect(validateManifest(sm)).toEqual([`ServiceMonitor ${sm.metadata.namespace}/${sm.metadata.name}: spec.endpoints: must be array`]);
  });

  it("a PrometheusRule with a numeric `for` and an AlertmanagerConfig with a numeric `groupWait`", () => {
    const pr = realObject("PrometheusRule");
    pr.spec.groups[0].rules[0].for = 300;
    expect(validateManifest(pr).join("\n")).toContain("spec.groups[0].rules[0].for: must be string");
    const amc = realObject("AlertmanagerConfig");
    expect(validateManifest(amc)).toEqual([]);
    amc.spec.route.groupWait = 30;
    delete amc.spec.receivers[0].name;
    const errors = validateManifest(amc);
    expect(errors).toContain(`AlertmanagerConfig ${amc.metadata.namespace}/${amc.metadata.name}: spec.route.groupWait: must be string`);
    expect(errors).toContain(`AlertmanagerConfig ${amc.metadata.namespace}/${amc.metadata.name}: spec.receivers[0]: must have required property \`name\``);
  });

  it("an unknown kind, a known kind at an unknown apiVersion, a nested type, and a missing apiVersion/kind", () => {
    expect(validateManifest({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toEqual([
      expect.stringMatching(
        /^Widget w: no schema for apiVersion "example\.com\/v1" kind "Widget": kubernetes-models 5\.1\.0 and @kubernetes-models\/prometheus-operator 6\.0\.0 define no such object/,
      ),
    ]);
    expect(validateManifest({ apiVersion: "apps/v2", kind: "Deployment" })[0]).toMatch(/no schema for apiVersion "apps\/v2" kind "Deployment"/);
    expect(validateManifest({ apiVersion: "apps/v1", kind: "DeploymentSpec" })[0]).toMatch(/no schema for apiVersion "apps\/v1" kind "DeploymentSpec"/);
    expect(validateManifest({ apiVersion: "v1", kind: "../../apps/v1/Deployment" })[0]).toMatch(/no schema/);
    expect(validateManifest({ metadata: { name: "x" } })).toEqual([
      'object x: `apiVersion` is missing; expected e.g. "apps/v1" or "v1"',
      'object x: `kind` is missing; expected e.g. "Deployment"',
    ]);
    expect(validateManifest("Deployment")[0]).toMatch(/expected a Kubernetes object/);
  });

  it("the upstream schemas are not strict: an unknown field is not reported (documented limitation)", () => {
    const d = realObject("Deployment");
    d.spec.replicaCount = 3;
    d.spec.template.spec.containers[0].livenesProbe = {};
    expect(validateManifest(d)).toEqual([]);
  });
});

describe("validateManifest on wire values", () => {
  it("reads through secrets: a secret holding a wrong type still fails", () => {
    const d = realObject("Deployment");
    d.spec.replicas = secret(2);
    expect(validateManifest(d)).toEqual([]);
    d.spec.replicas = secret("2");
    expect(validateManifest(d)).toEqual([expect.stringContaining("spec.replicas: must be integer")]);
  });

  it("assumes an unknown has the schema's type, and still reports every known error", () => {
    const s = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: UNKNOWN };
    expect(validateManifest(s)).toEqual([]);
    expect(validateManifest({ ...s, stringData: 5 })).toEqual(["Secret s: stringData: must be object"]);
    const d = realObject("Deployment");
    d.spec.replicas = UNKNOWN;
    d.spec.template.spec.containers[0].ports = UNKNOWN;
    expect(validateManifest(d)).toEqual([]);
    delete d.spec.template.spec.containers[0].name;
    d.spec.template.spec.containers[0].image = 7;
    expect(validateManifest(d)).toEqual([
      expect.stringContaining("spec.template.spec.containers[0]: must have required property `name`"),
      expect.stringContaining("spec.template.spec.containers[0].image: must be string"),
    ]);
  });

  it("writes JSON pointers as the harness's paths", () => {
    expect(pointerToPath("")).toBe("(root)");
    expect(pointerToPath("/spec/template/spec/containers/0/name")).toBe("spec.template.spec.containers[0].name");
    expect(pointerToPath("/metadata/annotations/app-platform~1secret-checksum")).toBe("metadata.annotations.app-platform/secret-checksum");
  });
});

function fake(type: string, inputs: WireObject, extra: Partial<RegisteredResource> = {}): RegisteredResource {
  return registeredResource({ urn: `urn:pulumi:test::app-platform::${type}::x`, type, name: "x", inputs, ...extra });
}

describe("registered resources", () => {
  it("derives apiVersion/kind from the type token, for the core group too", () => {
    expect(apiVersionKindOfType("kubernetes:core/v1:Secret")).toEqual({ apiVersion: "v1", kind: "Secret" });
    expect(apiVersionKindOfType("kubernetes:networking.k8s.io/v1:Ingress")).toEqual({ apiVersion: "networking.k8s.io/v1", kind: "Ingress" });
    expect(apiVersionKindOfType("pulumi:providers:kubernetes")).toBeUndefined();
  });

  it("selects Kubernetes objects only, fills a missing apiVersion/kind, and flags unknown kinds and contradictions", () => {
    const picked = kubernetesManifests([
      fake("pulumi:providers:kubernetes", { kubeconfig: "x" }, { custom: true }),
      fake("app-platform:kubernetes:Service", {}, { custom: false }),
      fake("kubernetes:core/v1:ConfigMap", {}, { read: true }),
      fake("kubernetes:core/v1:ConfigMap", { metadata: { name: "cm" }, data: { a: "b" } }),
    ]);
    expect(picked.map((m) => m.manifest)).toEqual([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "b" } }]);

    const results = validateRegisteredManifests([
      fake("kubernetes:core/v1:ConfigMap", { metadata: { name: "cm" }, data: { a: 1 } }),
      fake("kubernetes:example.com/v1:Widget", { metadata: { name: "w" } }),
      fake("kubernetes:apps/v1:Deployment", { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "d" } }),
    ]);
    expect(results.map((r) => r.errors)).toEqual([
      ["ConfigMap cm: data.a: must be string"],
      [expect.stringMatching(/^Widget w: no schema for apiVersion "example\.com\/v1" kind "Widget"/)],
      ['StatefulSet d: inputs say apiVersion "apps/v1" kind "StatefulSet" but the type token kubernetes:apps/v1:Deployment says "apps/v1" "Deployment"'],
    ]);
  });
});
