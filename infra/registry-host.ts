/**
 * Registry hosts of image references, for `imagePullDockerConfigJson` (infra/registry-credentials.ts)
 * and the offline plan's placeholder of it (tools/engine/offline-stack.ts). No imports: the plan CLI
 * loads it without the Pulumi SDK.
 */

/** Docker Hub answers under several names; credentials for one serve the others. */
export const DOCKER_HUB: readonly string[] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/** The registry host of an image reference (`ghcr.io/org/app` → `ghcr.io`; no host → Docker Hub's `docker.io`). */
export function registryHost(reference: string): string {
  const first = reference.replace(/^[a-z]+:\/\//i, "").split("/")[0];
  // Docker's rule: the first path segment is a registry only if it has a dot or a port, or is localhost.
  const isHost = reference.includes("/") && (/[.:]/.test(first) || first === "localhost");
  return isHost ? first.toLowerCase() : "docker.io";
}

/** The host of the products' images, whose references are `<imageRegistry>/<name>:<tag>`. */
export function imageRegistryHost(imageRegistry: string): string {
  return registryHost(`${imageRegistry}/image`);
}
