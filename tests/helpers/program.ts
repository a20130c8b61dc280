/**
 * Runs the real program (`infra/program.ts`) under Pulumi's mocks with a committed stack file's
 * config and a sentinel value for every secret key, so tests can look at everything it registers
 * and trace where each secret ends up.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { allSecretKeys } from "../../infra/secrets";
import { readProject, readStackConfig } from "../../tools/engine/harness/project";
import { dockerConfigPlaceholder, placeholderSecret } from "../../tools/engine/offline-stack";
import { REGISTRY_CREDENTIALS_KEY } from "../../infra/registry-credentials";
import { RecordedResource, RecordingMocks, installRecordingMocks } from "./mocks";

export const ROOT = path.resolve(__dirname, "../..");

/** The sentinel a secret key's value is set to: the offline runner's placeholder, unique per key. */
export const sentinel = placeholderSecret;

/** Config of a committed stack plus every secret set (encrypted) to its sentinel. */
export function stackConfigWithSecrets(
  stack: string,
  omitSecrets: readonly string[] = [],
): {
  values: Record<string, string>;
  secretKeys: string[];
} {
  const project = readProject(ROOT);
  const values: Record<string, string> = { ...readStackConfig(project, stack).values };
  const secretKeys: string[] = [];
  for (const s of allSecretKeys()) {
    const full = `app-platform:${s.key}`;
    if (omitSecrets.includes(s.key)) {
      values[full] = ""; // what the CLI passes for an unset key declared with default ""
      continue;
    }
    // The Docker config is parsed at start-up: a valid one for the stack's registry, the sentinel as its password.
    values[full] = s.key === REGISTRY_CREDENTIALS_KEY ? dockerConfigPlaceholder(values["app-platform:imageRegistry"] ?? "", sentinel(s.key)) : sentinel(s.key);
    secretKeys.push(full);
  }
  return { values, secretKeys };
}

/** Installs mocks for `stack` and its config; call before importing/running the program. */
export function setUpStack(stack: string, omitSecrets: readonly string[] = []): RecordingMocks {
  const rec = installRecordingMocks({
    stack,
    invokes: {
      "vercel:index/getProject:getProject": (args) => ({ id: `prj_${args.name}`, name: args.name }),
    },
  });
  const { values, secretKeys } = stackConfigWithSecrets(stack, omitSecrets);
  pulumi.runtime.setAllConfig(values, secretKeys);
  return rec;
}

/** Every place (resource + input path) where `needle` appears in recorded inputs. */
export function findValue(resources: readonly RecordedResource[], needle: string): Array<{ resource: RecordedResource; path: string }> {
  const hits: Array<{ resource: RecordedResource; path: string }> = [];
  const walk = (r: RecordedResource, v: unknown, p: string) => {
    if (typeof v === "string") {
      if (v.includes(needle)) hits.push({ resource: r, path: p });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(r, x, `${p}[${i}]`));
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(r, x, p ? `${p}.${k}` : k);
    }
  };
  for (const r of resources) walk(r, r.inputs, "");
  return hits;
}

/** Whether `path` lies at or below one of the resource's secret input paths. */
export function isUnderSecret(resource: RecordedResource, p: string): boolean {
  return resource.secretPaths.some((s) => s === "(root)" || p === s || p.startsWith(`${s}.`) || p.startsWith(`${s}[`));
}
