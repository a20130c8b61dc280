/**
 * Cluster-wide pod settings reach every pod the program makes: the prod stack, run through the
 * real program under mocks with `imagePullSecrets` and `preStopHook` set, has the pull secrets on
 * every pod template (Deployments, CronJobs and any other workload kind added later) and the
 * configured preStop style on every container that has a preStop hook. With
 * `imagePullDockerConfigJson` set, the recorded plans of both stacks (the real runner) give each
 * product namespace its own pull Secret, created before every pod that names it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { setUpStack, stackConfigWithSecrets } from "./helpers/program";
import type { RecordedResource } from "./helpers/mocks";
import { REGISTRY_SECRET_NAME } from "../components/workloads/product-workloads";
import { isSecret } from "../tools/engine/harness/properties";
import { LOGGING_NAMESPACE } from "../components/logs/log-agent";
import { VERCEL_LOGS_NAMESPACE } from "../components/logs/vercel-drains";

const rec = setUpStack("prod");
let resources: RecordedResource[] = [];

beforeAll(async () => {
  const { values, secretKeys } = stackConfigWithSecrets("prod");
  pulumi.runtime.setAllConfig({ ...values, "app-platform:imagePullSecrets": '["ghcr-pull","ecr-pull"]', "app-platform:preStopHook": "exec" }, secretKeys);
  const { run } = await import("../infra/program");
  run();
  resources = [...(await rec.settle())];
}, 120_000);

/** Every pod spec in a Kubernetes resource's inputs: `spec.template.spec`, `spec.jobTemplate.spec.template.spec`, a Pod's `spec`. */
function podSpecs(r: RecordedResource): any[] {
  const spec = r.inputs?.spec;
  if (!spec) return [];
  if (r.type === "kubernetes:core/v1:Pod") return [spec];
  const out: any[] = [];
  if (spec.template?.spec) out.push(spec.template.spec);
  if (spec.jobTemplate?.spec?.template?.spec) out.push(spec.jobTemplate.spec.template.spec);
  return out;
}

describe("prod with imagePullSecrets and preStopHook set", () => {
  it("every pod template of the stack lists the pull secrets", () => {
    const withPods = resources.filter((r) => r.type.startsWith("kubernetes:") && podSpecs(r).length > 0);
    const kinds = new Set(withPods.map((r) => r.type));
    // Deployments and CronJobs at least; other pod-making kinds are covered by the same check.
    expect(kinds).toContain("kubernetes:apps/v1:Deployment");
    expect(kinds).toContain("kubernetes:batch/v1:CronJob");
    for (const r of withPods) {
      for (const spec of podSpecs(r)) {
        // The configured names, then the namespace's own Secret from imagePullDockerConfigJson (set to a sentinel config).
        expect(spec.imagePullSecrets, `${r.type} ${r.name}`).toEqual([{ name: "ghcr-pull" }, { name: "ecr-pull" }, { name: REGISTRY_SECRET_NAME }]);
      }
    }
  });

  it("containers wait in preStop with the image's `sleep` (exec, for clusters before 1.30)", () => {
    const hooks = resources
      .flatMap((r) => podSpecs(r))
      .flatMap((s) => s.containers as any[])
      .map((c) => c.lifecycle?.preStop)
      .filter((h) => h !== undefined);
    expect(hooks.length).toBeGreaterThan(0);
    for (const h of hooks) expect(h).toEqual({ exec: { command: ["sleep", "5"] } });
  });
});

describe("first up on an empty cluster", () => {
  // A component's `dependsOn` does not reach its children; only dependencies the SDK sends for
  // each object order the engine's creates. Before the fix 59 of prod's 160 objects could be
  // created before their namespace existed.
  it.each(["prod", "staging"])("%s: every object in a product namespace waits for that Namespace", async (stack) => {
    const { committedStackRun } = await import("./helpers/stack-runs");
    const run = await committedStackRun(stack);
    const nsUrn = new Map(run.resources.filter((x) => x.type === "kubernetes:core/v1:Namespace").map((x) => [String((x.inputs as any).metadata.name), x.urn]));
    expect(nsUrn.size).toBeGreaterThan(0);
    const inNamespaces = run.resources.filter((x) => x.type.startsWith("kubernetes:") && nsUrn.has((x.inputs as any)?.metadata?.namespace));
    expect(inNamespaces.length).toBeGreaterThan(50);
    const missing = inNamespaces
      .filter((x) => !new Set([...x.dependencies, ...Object.values(x.propertyDependencies).flat()]).has(nsUrn.get((x.inputs as any).metadata.namespace)!))
      .map((x) => `${x.type} ${x.name}`);
    expect(missing).toEqual([]);
  });
});

describe("imagePullDockerConfigJson: a pull Secret in every product namespace, before any pod", () => {
  it.each(["prod", "staging"])(
    "%s: one kubernetes.io/dockerconfigjson Secret per namespace, secret, named by every pod template, which waits for it",
    async (stack) => {
      const { committedStackRun } = await import("./helpers/stack-runs");
      const run = await committedStackRun(stack);
      // Product namespaces: the log agent's (`logging`) runs only Vector's public image (Helm renders its pods).
      const namespaces = run.resources
        .filter((x) => x.type === "kubernetes:core/v1:Namespace")
        .map((x) => String((x.inputs as any).metadata.name))
        .filter((n) => n !== LOGGING_NAMESPACE && n !== VERCEL_LOGS_NAMESPACE);
      const pullSecrets = run.resources.filter((x) => x.type === "kubernetes:core/v1:Secret" && (x.inputs as any).type === "kubernetes.io/dockerconfigjson");
      expect(pullSecrets.map((x) => (x.inputs as any).metadata.namespace).sort()).toEqual([...namespaces].sort());
      const secretUrn = new Map(pullSecrets.map((x) => [String((x.inputs as any).metadata.namespace), x.urn]));
      for (const x of pullSecrets) {
        expect((x.inputs as any).metadata.name).toBe(REGISTRY_SECRET_NAME);
        // The Docker config reaches the engine as a Pulumi secret (it is stored encrypted in state).
        expect(isSecret((x.inputs as any).stringData), x.name).toBe(true);
      }
      const podMakers = run.resources.filter(
        (x) => x.type.startsWith("kubernetes:") && podSpecs({ type: x.type, inputs: x.inputs } as RecordedResource).length > 0,
      );
      expect(podMakers.length).toBeGreaterThan(10);
      const problems: string[] = [];
      for (const x of podMakers) {
        const ns = String((x.inputs as any).metadata.namespace);
        for (const spec of podSpecs({ type: x.type, inputs: x.inputs } as RecordedResource)) {
          if (!(spec.imagePullSecrets ?? []).some((s: { name: string }) => s.name === REGISTRY_SECRET_NAME))
            problems.push(`${x.name}: not in imagePullSecrets`);
        }
        const deps = new Set([...x.dependencies, ...Object.values(x.propertyDependencies).flat()]);
        if (!deps.has(secretUrn.get(ns)!)) problems.push(`${x.name}: does not wait for ${ns}'s pull Secret`);
      }
      expect(problems).toEqual([]);
    },
  );
});
