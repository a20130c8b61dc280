/**
 * Image releases (issue 20, seeds 000/001/002 "push to main deploys"): scripts/release-image.ts
 * accepts a pinned tag or digest of a catalog workload, rejects everything else naming the input
 * and the fix, writes exactly one key of a copy of Pulumi.staging.yaml with its comments kept, and
 * the written file passes the program's own config parser (parseStackConfig).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ReleaseError, release, releaseTargets, stackConfig, validateRelease, type ReleaseInput, type ReleaseTarget } from "../scripts/release-image";
import { ROOT } from "./helpers/program";
import { buildProduct } from "../components/product-spec";
import { imageReference } from "../components/workloads/kubernetes-service";
import { jobImageReference } from "../components/data/job-kernel";
import { productEnvironment } from "../infra/program";
import { CATALOG } from "../stacks";

const cfg = stackConfig("staging");
const DIGEST = `sha256:${"ab12".repeat(16)}`;

function problemsOf(input: ReleaseInput, targets?: readonly ReleaseTarget[]): string {
  try {
    validateRelease(input, cfg, targets);
  } catch (e) {
    expect(e).toBeInstanceOf(ReleaseError);
    return (e as ReleaseError).problems.join("\n");
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

function copyProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-image-"));
  for (const f of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  return dir;
}

describe("release targets", () => {
  it("are read from the products: every image-tag key and the workload whose image it pins", () => {
    expect(releaseTargets(cfg)).toEqual([
      { product: "ask-dahlia", workload: "worker", configKey: "askDahliaWorkerImageTag", repository: "ghcr.io/example-org/ask-dahlia-worker" },
      { product: "codebook", workload: "api", configKey: "codebookApiImageTag", repository: "ghcr.io/example-org/codebook-backend" },
      { product: "chat-api", workload: "api", configKey: "chatApiImageTag", repository: "ghcr.io/example-org/chat-api" },
    ]);
  });
});

describe("validateRelease", () => {
  it.each([
    ["1.2.4", "1.2.4"],
    ["sha-3f2a9c1", "sha-3f2a9c1"],
    [DIGEST, DIGEST],
    ["ghcr.io/example-org/codebook-backend:1.2.4", "1.2.4"],
    [`ghcr.io/example-org/codebook-backend@${DIGEST}`, DIGEST],
  ])("accepts %s", (image, value) => {
    expect(validateRelease({ product: "codebook", workload: "api", image }, cfg)).toEqual({
      product: "codebook",
      workload: "api",
      configKey: "codebookApiImageTag",
      repository: "ghcr.io/example-org/codebook-backend",
      value,
    });
  });

  it("rejects an unknown product, listing the releasable ones", () => {
    const p = problemsOf({ product: "codebok", workload: "api", image: "1.2.4" });
    expect(p).toMatch(/`product` is "codebok", which is not in the product catalog/);
    expect(p).toMatch(/Fix: pass one of ask-dahlia \(worker\), codebook \(api\), chat-api \(api\)/);
  });

  it("rejects an unknown workload, naming the product's workloads", () => {
    expect(problemsOf({ product: "chat-api", workload: "web", image: "1.2.4" })).toMatch(/`workload` is "web", which chat-api does not have.*Fix: pass `api`/);
  });

  it("rejects a product with no image (a Vercel-only product) and a workload whose image no key pins", () => {
    expect(problemsOf({ product: "voyager", workload: "web", image: "1.2.4" })).toMatch(/voyager has no Kubernetes workloads.*Fix: nothing to release here/);
    // A catalog where codebook's api had its image fixed in code: no target for it.
    const withoutCodebook = releaseTargets(cfg).filter((t) => t.product !== "codebook");
    expect(problemsOf({ product: "codebook", workload: "api", image: "1.2.4" }, withoutCodebook)).toMatch(
      /`workload` is "api", whose image no config key pins/,
    );
  });

  it.each([
    ["latest", /`image` is "latest", which is not pinned/],
    ["ghcr.io/example-org/codebook-backend:latest", /is not pinned/],
    ["ghcr.io/example-org/codebook-backend", /is not pinned/],
    ["", /`image` is empty/],
    ["sha256:abc", /a malformed digest; expected `sha256:` followed by 64/],
    ["-1.2", /not a valid tag/],
    ["1.2 4", /not a valid tag/],
    [`1.2.4@${DIGEST}`, /a tag and a digest.*Fix: pass the digest alone/],
  ])("rejects image %j", (image, why) => {
    const p = problemsOf({ product: "codebook", workload: "api", image });
    expect(p).toMatch(why);
    expect(p).toMatch(/Fix: /);
  });

  it("rejects an image from outside the allowed registry, and another image of the registry", () => {
    expect(problemsOf({ product: "codebook", workload: "api", image: "docker.io/evil/codebook-backend:1.2.4" })).toMatch(
      /from docker.io\/evil\/codebook-backend, outside the allowed registry `app-platform:imageRegistry` \(ghcr.io\/example-org\).*Fix: push the image to ghcr.io\/example-org\/codebook-backend/,
    );
    expect(problemsOf({ product: "codebook", workload: "api", image: "ghcr.io/other-org/codebook-backend:1.2.4" })).toMatch(/outside the allowed registry/);
    expect(problemsOf({ product: "codebook", workload: "api", image: "ghcr.io/example-org/chat-api:1.2.4" })).toMatch(
      /but codebook api runs ghcr.io\/example-org\/codebook-backend/,
    );
  });
});

describe("release", () => {
  it("writes exactly one key of a copy of Pulumi.staging.yaml, keeping comments, and the program's parser accepts it", () => {
    const dir = copyProject();
    const before = fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8");
    const r = release({ product: "codebook", workload: "api", image: "1.3" }, "staging", dir);
    expect(r.previous).toBe("1.2.3");
    const after = fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8");
    const a = before.split("\n");
    const b = after.split("\n");
    expect(b).toHaveLength(a.length);
    const changed = a.map((line, i) => [line, b[i]]).filter(([x, y]) => x !== y);
    // "1.3" would read back as a number unquoted: the yaml Document API quotes it.
    expect(changed).toEqual([["  app-platform:codebookApiImageTag: 1.2.3", '  app-platform:codebookApiImageTag: "1.3"']]);
    expect(after).toContain("# Non-secret config of the staging stack.");
    expect(stackConfig("staging", dir).codebookApiImageTag).toBe("1.3");
    // prod is untouched: staging first, prod by its own release.
    expect(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8")).toBe(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
  });

  it("a digest is written as the key's value and the program pins the workload by digest", () => {
    const dir = copyProject();
    release({ product: "chat-api", workload: "api", image: DIGEST }, "staging", dir);
    const written = stackConfig("staging", dir);
    expect(written.chatApiImageTag).toBe(DIGEST);
    const api = releaseTargets(written).find((t) => t.product === "chat-api");
    expect(api?.configKey).toBe("chatApiImageTag");
    const spec = buildProduct(CATALOG["chat-api"], productEnvironment(written));
    expect(spec.workloads[0].image).toEqual({ repository: "ghcr.io/example-org/chat-api", digest: DIGEST });
    expect(imageReference(spec.workloads[0].image)).toBe(`ghcr.io/example-org/chat-api@${DIGEST}`);
  });

  it("a digest of codebook's api also pins its Pinecone export job's image by digest", () => {
    const dir = copyProject();
    release({ product: "codebook", workload: "api", image: DIGEST }, "staging", dir);
    const spec = buildProduct(CATALOG.codebook, productEnvironment(stackConfig("staging", dir)));
    const exported = spec.backups?.jobs.find((j) => j.export && "image" in j.export)?.export;
    const exportImage = exported && "image" in exported ? exported.image : undefined;
    expect(exportImage).toBeDefined();
    expect(jobImageReference(exportImage!)).toBe(`ghcr.io/example-org/codebook-backend@${DIGEST}`);
    expect(jobImageReference({ repository: "postgres", tag: "17.6-alpine3.22" })).toBe("postgres:17.6-alpine3.22");
  });

  it("a rejected release writes nothing", () => {
    const dir = copyProject();
    const before = fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8");
    expect(() => release({ product: "codebook", workload: "api", image: "latest" }, "staging", dir)).toThrow(ReleaseError);
    expect(fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8")).toBe(before);
  });
});

describe('roll back (README "Roll back", seed 001 §3.4)', () => {
  it("releasing the previous tag through the same path restores the stack file byte for byte", () => {
    const dir = copyProject();
    const file = path.join(dir, "Pulumi.staging.yaml");
    const original = fs.readFileSync(file, "utf8");
    const forward = release({ product: "ask-dahlia", workload: "worker", image: "1.5.0" }, "staging", dir);
    expect(forward.previous).toBe("1.4.2");
    const back = release({ product: "ask-dahlia", workload: "worker", image: forward.previous! }, "staging", dir);
    expect(back).toMatchObject({ configKey: "askDahliaWorkerImageTag", previous: "1.5.0", value: "1.4.2" });
    expect(fs.readFileSync(file, "utf8")).toBe(original);
  });

  it.each(["prod", "staging"])("%s: every workload Deployment keeps 10 old ReplicaSets for `kubectl rollout undo` (recorded plan)", (stack) => {
    const plan = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/recorded-plans", `${stack}.json`), "utf8")) as {
      resources: { type: string; name: string; parent: string; inputs: { spec?: { revisionHistoryLimit?: number } } }[];
    };
    // The workloads' Deployments (KubernetesService), the ones a release changes.
    const deployments = plan.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment" && /\$app-platform:kubernetes:Service::/.test(r.parent));
    expect(deployments.map((d) => d.name).sort()).toEqual(["ask-dahlia-worker-deployment", "chat-api-api-deployment", "codebook-api-deployment"]);
    for (const d of deployments) expect(d.inputs.spec?.revisionHistoryLimit, d.name).toBe(10);
  });
});
