/**
 * The drain secret's path through the prod stack, with values known (the recording mocks answer a
 * `random.RandomPassword` with a known secret value, tests/helpers/mocks.ts): it reaches Vercel only
 * as each `vercel.LogDrain`'s `secret` and the aggregator only through its Kubernetes Secret, a
 * Pulumi secret in both; nowhere else, and never in the Release's values. The Release's
 * configuration, known here, checks the signature against `${VERCEL_DRAIN_SECRET}`, a key of that Secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { findValue, isUnderSecret, setUpStack, stackConfigWithSecrets } from "./helpers/program";
import type { RecordedResource } from "./helpers/mocks";
import { DRAIN_SECRET_ENV } from "../components/logs/vercel-drain-routes";

const rec = setUpStack("prod");
let resources: RecordedResource[] = [];

beforeAll(async () => {
  const { values, secretKeys } = stackConfigWithSecrets("prod");
  pulumi.runtime.setAllConfig(values, secretKeys);
  const { run } = await import("../infra/program");
  run();
  resources = [...(await rec.settle())];
}, 120_000);

describe("prod: the drain secret", () => {
  it("reaches each LogDrain's secret and the aggregator's Secret, as a Pulumi secret, and nothing else", () => {
    const password = resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === "vercel-log-drains-prod-drain-secret");
    expect(password).toHaveLength(1);
    expect(password[0].inputs).toMatchObject({ length: 48, special: false });
    const value = `mock-password-${password[0].name}`.padEnd(48, "x");
    const hits = findValue(resources, value);
    const drains = resources.filter((r) => r.type === "vercel:index/logDrain:LogDrain");
    expect(drains.length).toBeGreaterThanOrEqual(3);
    expect(hits.map((h) => `${h.resource.type} ${h.path}`).sort()).toEqual(
      [...drains.map(() => "vercel:index/logDrain:LogDrain secret"), `kubernetes:core/v1:Secret stringData.${DRAIN_SECRET_ENV}`].sort(),
    );
    for (const h of hits) expect(isUnderSecret(h.resource, h.path), `${h.resource.name} ${h.path}`).toBe(true);
    const secret = hits.find((h) => h.resource.type === "kubernetes:core/v1:Secret")!.resource;
    expect(secret.name).toBe("vercel-log-drains-prod-env");
  });

  it("the Release names the Secret in envFrom and its configuration reads the variable, not the value", () => {
    const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "vercel-log-drains-prod-release")!;
    const secret = resources.find((r) => r.name === "vercel-log-drains-prod-env")!;
    expect(release.secretPaths).toEqual([]);
    // The Secret is auto-named (immutable: a new one rolls the pods); its name is the Secret's output.
    expect(release.inputs.values.envFrom).toHaveLength(1);
    expect(Object.keys(release.inputs.values.envFrom[0])).toEqual(["secretRef"]);
    const verify = release.inputs.values.customConfig.transforms.verify.source as string;
    expect(verify).toContain(`"\${${DRAIN_SECRET_ENV}}"`);
    expect(Object.keys(secret.inputs.stringData)).toContain(DRAIN_SECRET_ENV);
  });

  it("routes each drained project id to its product: the ids the drains name are the ids the aggregator routes", () => {
    const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "vercel-log-drains-prod-release")!;
    const route = release.inputs.values.customConfig.transforms.by_project.route as Record<string, string>;
    for (const d of resources.filter((r) => r.type === "vercel:index/logDrain:LogDrain")) {
      const product = /^vercel-log-drains-prod-(ara|ask-dahlia|voyager)-/.exec(d.name)![1];
      const id = d.inputs.projectIds[0] as string;
      expect(route[product.replace(/-/g, "_")], d.name).toContain(`.projectId == ${JSON.stringify(id)}`);
    }
  });
});

describe("prod: the endpoint Vercel posts to", () => {
  it("is the aggregator's http_server: POST on the Ingress's exact path, to the Service port the Ingress names", () => {
    const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "vercel-log-drains-prod-release")!;
    const ingress = resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress" && r.name === "vercel-log-drains-prod-ingress")!;
    const service = resources.find((r) => r.type === "kubernetes:core/v1:Service" && r.name === "vercel-log-drains-prod-service")!;
    const source = release.inputs.values.customConfig.sources.vercel;
    const path = ingress.inputs.spec.rules[0].http.paths[0];
    expect(source).toMatchObject({ type: "http_server", method: "POST", strict_path: true, path: path.path });
    expect(path.pathType).toBe("Exact");
    const port = service.inputs.spec.ports.find((p: any) => p.name === path.backend.service.port.name);
    expect(source.address).toBe(`0.0.0.0:${port.targetPort}`);
    for (const d of resources.filter((r) => r.type === "vercel:index/logDrain:LogDrain")) {
      expect(d.inputs.endpoint).toBe(`https://${ingress.inputs.spec.rules[0].host}${path.path}`);
    }
  });
});
