/**
 * Image releases from the products' repositories (issue 20; seeds 000/001/002 "push to main
 * deploys"). Validates a release request against the product catalog and the image policy, then
 * sets the ONE config key that pins the workload's image in `Pulumi.<stack>.yaml` (comments and
 * every other line kept), and checks the written file with the program's own config parser.
 * `.github/workflows/release.yml` runs it and opens or updates a PR with the change; the plan and
 * deploy workflows then treat it like any other change.
 *
 *   npm run release-image -- --product codebook --workload api --image 1.2.4 [--stack staging]
 *   npm run release-image -- --product codebook --workload api --image sha256:<64 hex>
 *   npm run release-image -- --product codebook --workload api --image ghcr.io/example-org/codebook-backend:1.2.4
 *
 * Which key pins which workload is read from the products themselves: each product is built with
 * a probe value in every image-tag key (`imageTag` schema) and the workload whose image carries the
 * probe names its key, so a renamed key or a new workload needs no change here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { isScalar, parseDocument } from "yaml";
import { IMAGE_DIGEST, imageTag } from "../components/config-key";
import { buildProduct } from "../components/product-spec";
import { parseStackConfig, type StackConfig } from "../infra/config";
import { CONFIG_NAMESPACE } from "../infra/config-keys";
import { productEnvironment } from "../infra/program";
import { allSecretKeys } from "../infra/secrets";
import { CATALOG, PRODUCT_IDS, type ProductId } from "../stacks";
import { readProject, readStackConfig } from "../tools/engine/harness/project";

const ROOT = path.resolve(__dirname, "..");

/** A workload whose image a release can set: the config key that pins it and the repository it is pulled from. */
export interface ReleaseTarget {
  readonly product: string;
  readonly workload: string;
  /** The stack config key (without namespace) holding the tag or digest, e.g. `codebookApiImageTag`. */
  readonly configKey: string;
  /** `<imageRegistry>/<name>`, the only repository the workload's image may come from. */
  readonly repository: string;
}

/** What the release workflow receives (workflow_dispatch inputs or repository_dispatch client_payload). */
export interface ReleaseInput {
  readonly product: string;
  readonly workload: string;
  /** A tag (`1.4.3`), a digest (`sha256:<64 hex>`) or a full reference `<repository>:<tag>` / `<repository>@sha256:…`. */
  readonly image: string;
}

/** A validated release: the key to set and the value to set it to. */
export interface Release extends ReleaseTarget {
  /** The tag or digest written to `configKey`. */
  readonly value: string;
}

/** A rejected release; `problems` each name the input, the expected form and the fix. */
export class ReleaseError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The release request is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ReleaseError";
  }
}

const PROBE = "release-probe.";
const IMAGE_FORM = "a pinned tag such as `1.4.3` or `sha-3f2a9c1`, or a digest `sha256:<64 hex>` (optionally after `<repository>:` / `<repository>@`)";

/** The stack's raw config (Pulumi.yaml defaults merged with Pulumi.<stack>.yaml); secure values read as empty. */
export function rawStackConfig(stack: string, dir = ROOT): Record<string, string> {
  return readStackConfig(readProject(dir), stack, () => "").values;
}

/** The stack's validated config, through the program's own parser (`parseStackConfig`). */
export function stackConfig(stack: string, dir = ROOT): StackConfig {
  return parseStackConfig(rawStackConfig(stack, dir), stack, new Set(allSecretKeys().map((s) => s.key)));
}

/** Every workload of the catalog whose image a config key pins, found by building each product with probe values. */
export function releaseTargets(cfg: StackConfig): ReleaseTarget[] {
  const imageKeys = PRODUCT_IDS.flatMap((id) => CATALOG[id].configKeys.filter((k) => k.schema === imageTag).map((k) => k.key));
  const probed = { ...cfg, ...Object.fromEntries(imageKeys.map((k) => [k, `${PROBE}${k}`])) } as StackConfig;
  const env = productEnvironment(probed);
  const targets: ReleaseTarget[] = [];
  for (const id of PRODUCT_IDS) {
    for (const w of buildProduct(CATALOG[id], env).workloads) {
      const tag = w.image.tag ?? "";
      if (tag.startsWith(PROBE)) targets.push({ product: id, workload: w.name, configKey: tag.slice(PROBE.length), repository: w.image.repository });
    }
  }
  return targets;
}

/** Splits a full reference into repository and tag or digest; a bare tag or digest has no repository. */
function splitReference(image: string): { repository?: string; pin: string; both?: boolean } {
  const at = image.indexOf("@");
  if (at >= 0) {
    const name = image.slice(0, at);
    const slash = name.lastIndexOf("/");
    if (slash < 0) return { pin: image.slice(at + 1), both: name !== "" }; // `<tag>@<digest>`
    const colon = name.lastIndexOf(":");
    const hasTag = colon > slash;
    return { repository: hasTag ? name.slice(0, colon) : name || undefined, pin: image.slice(at + 1), both: hasTag };
  }
  const slash = image.lastIndexOf("/");
  if (slash < 0) return { pin: image };
  const colon = image.lastIndexOf(":");
  if (colon < slash) return { repository: image, pin: "" };
  return { repository: image.slice(0, colon), pin: image.slice(colon + 1) };
}

/** The registry host of a repository (`ghcr.io/example-org/x` → `ghcr.io`). */
function hostOf(repository: string): string {
  return repository.split("/")[0];
}

/**
 * Checks a release request against the catalog (`stacks/index.ts`), the stack's products and the
 * image policy (pinned, from `imageRegistry`). Throws a `ReleaseError` listing every problem.
 */
export function validateRelease(input: ReleaseInput, cfg: StackConfig, targets: readonly ReleaseTarget[] = releaseTargets(cfg)): Release {
  const problems: string[] = [];
  const product = input.product.trim();
  const workload = input.workload.trim();
  const image = input.image.trim();
  const releasable = (p: string) => [...new Set(targets.filter((t) => t.product === p).map((t) => t.workload))];
  const listProducts = () =>
    PRODUCT_IDS.map((p) => (releasable(p).length > 0 ? `${p} (${releasable(p).join(", ")})` : null))
      .filter(Boolean)
      .join(", ");

  let target: ReleaseTarget | undefined;
  if (!(PRODUCT_IDS as readonly string[]).includes(product)) {
    problems.push(
      `\`product\` is ${JSON.stringify(input.product)}, which is not in the product catalog (stacks/index.ts); expected a product id. Fix: pass one of ${listProducts()}.`,
    );
  } else if (!cfg.products.includes(product as ProductId)) {
    problems.push(
      `\`product\` is "${product}", which the ${cfg.stack} stack does not run (\`${CONFIG_NAMESPACE}:products\` is ${cfg.products.join(", ")}). Fix: enable it in Pulumi.${cfg.stack}.yaml first, or pass one of ${cfg.products.join(", ")}.`,
    );
  } else {
    const spec = buildProduct(CATALOG[product as ProductId], productEnvironment(cfg));
    const names = spec.workloads.map((w) => w.name);
    target = targets.find((t) => t.product === product && t.workload === workload);
    if (!target) {
      if (names.length === 0) {
        problems.push(
          `\`workload\` is ${JSON.stringify(input.workload)}, but ${product} has no Kubernetes workloads: its web apps are Vercel projects that deploy from their git repository (README "Release a new image"). Fix: nothing to release here; push to the app repository's production branch.`,
        );
      } else if (names.includes(workload)) {
        problems.push(
          `\`workload\` is "${workload}", whose image no config key pins (it is fixed in stacks/${product}.ts), so it has no release image. Fix: release one of ${releasable(product).join(", ") || "(none)"}, or give the workload an image-tag config key.`,
        );
      } else {
        problems.push(
          `\`workload\` is ${JSON.stringify(input.workload)}, which ${product} does not have; expected one of its workloads (${names.join(", ")}). Fix: pass ${releasable(
            product,
          )
            .map((w) => `\`${w}\``)
            .join(" or ")}.`,
        );
      }
    }
  }

  let value: string | undefined;
  const ref = splitReference(image);
  const fix = "Fix: pass the tag or digest your build pushed (e.g. docker/build-push-action's `digest` output), never `latest`.";
  if (image === "") {
    problems.push(`\`image\` is empty; expected ${IMAGE_FORM}. ${fix}`);
  } else if (ref.both) {
    problems.push(`\`image\` is "${image}", a tag and a digest; expected one of them, ${IMAGE_FORM}. Fix: pass the digest alone ("${ref.pin}").`);
  } else if (ref.pin === "" || ref.pin === "latest") {
    problems.push(`\`image\` is "${image}", which is not pinned (\`latest\` or no tag moves under a running workload); expected ${IMAGE_FORM}. ${fix}`);
  } else if (ref.pin.startsWith("sha256:") && !IMAGE_DIGEST.test(ref.pin)) {
    problems.push(`\`image\` is "${image}", a malformed digest; expected \`sha256:\` followed by 64 lower-case hex characters. ${fix}`);
  } else if (!imageTag.safeParse(ref.pin).success) {
    problems.push(
      `\`image\` is "${image}", which is not a valid tag (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-"); expected ${IMAGE_FORM}. ${fix}`,
    );
  } else {
    value = ref.pin;
  }
  if (ref.repository !== undefined && target && ref.repository !== target.repository) {
    const fromElsewhere = hostOf(ref.repository) !== hostOf(target.repository) || !ref.repository.startsWith(`${cfg.imageRegistry}/`);
    problems.push(
      fromElsewhere
        ? `\`image\` is "${image}", from ${ref.repository}, outside the allowed registry \`${CONFIG_NAMESPACE}:imageRegistry\` (${cfg.imageRegistry}); expected ${target.repository}. Fix: push the image to ${target.repository} and release that tag or digest.`
        : `\`image\` is "${image}", from ${ref.repository}, but ${product} ${workload} runs ${target.repository}; expected that repository or a bare tag/digest. Fix: pass the tag or digest of ${target.repository}.`,
    );
  }

  if (problems.length > 0 || !target || value === undefined) throw new ReleaseError(problems);
  return { ...target, value };
}

/**
 * Sets `<namespace>:<key>` to `value` in a stack file, keeping comments, order and every other
 * line (yaml's Document API edits the one scalar). Returns the previous value, if any.
 */
export function writeStackConfigValue(file: string, key: string, value: string): string | undefined {
  const text = fs.readFileSync(file, "utf8");
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${file} is not valid YAML: ${doc.errors[0].message}`);
  const at = ["config", `${CONFIG_NAMESPACE}:${key}`];
  const node = doc.getIn(at, true);
  let previous: string | undefined;
  if (isScalar(node)) {
    previous = String(node.value);
    node.value = value;
  } else if (node === undefined) {
    doc.setIn(at, value);
  } else {
    throw new Error(
      `${file}: \`${at[1]}\` is not a plain value; expected a tag or digest. Fix: set it with \`pulumi config set --stack <stack> ${key} <tag>\`.`,
    );
  }
  fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
  return previous;
}

/** Validates, writes and re-checks: the whole release of one image into `Pulumi.<stack>.yaml` under `dir`. */
export function release(input: ReleaseInput, stack: string, dir = ROOT): Release & { previous?: string; file: string } {
  const cfg = stackConfig(stack, dir);
  const r = validateRelease(input, cfg);
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  const previous = writeStackConfigValue(file, r.configKey, r.value);
  // The written file must pass the program's own start-up validation (throws a ConfigError naming the key).
  stackConfig(stack, dir);
  return { ...r, previous, file };
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { product: { type: "string" }, workload: { type: "string" }, image: { type: "string" }, stack: { type: "string", default: "staging" } },
  });
  const stack = values.stack ?? "staging";
  if (!["staging", "prod"].includes(stack)) {
    console.error(`\`stack\` is "${stack}"; expected staging or prod. Fix: release to staging first, then run again with --stack prod to promote.`);
    return 2;
  }
  try {
    const r = release({ product: values.product ?? "", workload: values.workload ?? "", image: values.image ?? "" }, stack);
    const summary = `${r.product} ${r.workload}: \`${CONFIG_NAMESPACE}:${r.configKey}\` ${r.previous ?? "(unset)"} → ${r.value} in Pulumi.${stack}.yaml`;
    console.log(summary);
    if (process.env.GITHUB_OUTPUT) {
      fs.appendFileSync(
        process.env.GITHUB_OUTPUT,
        [
          `branch=release/${stack}/${r.product}-${r.workload}`,
          `title=Release ${r.product} ${r.workload} ${r.value} to ${stack}`,
          `summary=${summary}`,
          "",
        ].join("\n"),
      );
    }
    return 0;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
