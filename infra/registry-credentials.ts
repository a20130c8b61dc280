/**
 * Private-registry credentials from stack config: the secret key `imagePullDockerConfigJson` holds
 * a Docker config (`{"auths": {"<registry>": {"auth": "<base64 user:token>"}}}`, what
 * `kubectl create secret docker-registry` stores under `.dockerconfigjson`). When it is set, every
 * product namespace gets a `kubernetes.io/dockerconfigjson` Secret with it, created before any pod
 * (components/application-stack.ts, `REGISTRY_SECRET_NAME`), so a first `up` on a fresh cluster
 * pulls private images without a manual step.
 *
 * The value is checked at start-up, before any resource is registered, and no message ever
 * contains it (nor a parser's excerpt of it).
 */
import { CONFIG_NAMESPACE } from "./config-keys";
import { ConfigError, RawConfig } from "./config";
import { DOCKER_HUB, imageRegistryHost } from "./registry-host";

/** The secret config key (short form). */
export const REGISTRY_CREDENTIALS_KEY = "imagePullDockerConfigJson";

/** An `auths` key as a host: `https://index.docker.io/v1/` → `index.docker.io`. */
function authsKeyHost(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, "")
    .split("/")[0]
    .toLowerCase();
}

function sameRegistry(a: string, b: string): boolean {
  return a === b || (DOCKER_HUB.includes(a) && DOCKER_HUB.includes(b));
}

/** The command that prints a valid value, for error messages (no secret in it). */
function fixCommand(stack: string, host: string): string {
  return (
    `\`kubectl create secret docker-registry x --docker-server=${host} --docker-username=<user> --docker-password=<token> ` +
    `--dry-run=client -o jsonpath='{.data.\\.dockerconfigjson}' | base64 -d | pulumi config set --secret --stack ${stack} ${REGISTRY_CREDENTIALS_KEY}\``
  );
}

/**
 * The problems of a Docker config value, none quoting it: not JSON, no `auths` object, an entry
 * without `auth` (base64 of `user:password`) or `username` and `password`, or no entry for the
 * registry the products' images come from (`imageRegistry`).
 */
export function registryCredentialsProblems(value: string, imageRegistry: string, stack: string): string[] {
  const key = `\`${CONFIG_NAMESPACE}:${REGISTRY_CREDENTIALS_KEY}\``;
  const host = imageRegistryHost(imageRegistry);
  const fix = `Fix: ${fixCommand(stack, host)}`;
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    return [`${key} is not JSON; expected a Docker config, {"auths": {"${host}": {"auth": "<base64 of user:token>"}}}. ${fix}`];
  }
  const auths = (doc as { auths?: unknown } | null)?.auths;
  if (typeof auths !== "object" || auths === null || Array.isArray(auths) || Object.keys(auths).length === 0) {
    return [`${key} has no "auths" object with at least one registry; expected {"auths": {"${host}": {"auth": "<base64 of user:token>"}}}. ${fix}`];
  }
  const problems: string[] = [];
  for (const [registry, entry] of Object.entries(auths as Record<string, unknown>)) {
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    const auth = typeof e.auth === "string" ? Buffer.from(e.auth, "base64").toString("utf8") : undefined;
    const hasAuth = auth !== undefined && auth.indexOf(":") > 0 && auth.indexOf(":") < auth.length - 1;
    const hasPair = typeof e.username === "string" && e.username !== "" && typeof e.password === "string" && e.password !== "";
    if (!hasAuth && !hasPair) {
      problems.push(
        `${key}: the entry for "${registry}" has neither "auth" (base64 of user:token) nor "username" and "password"; the kubelet could not log in. ${fix}`,
      );
    }
  }
  if (!Object.keys(auths).some((k) => sameRegistry(authsKeyHost(k), host))) {
    problems.push(
      `${key} has credentials for ${Object.keys(auths)
        .map((k) => `"${k}"`)
        .join(", ")} but not for ${host}, the registry of \`${CONFIG_NAMESPACE}:imageRegistry\` (${imageRegistry}); the products' pods could not pull. ${fix}`,
    );
  }
  return problems;
}

/**
 * Throws a `ConfigError` when `imagePullDockerConfigJson` is set but unusable (see
 * `registryCredentialsProblems`). Unset or empty: nothing to check, no Secret is made.
 */
export function checkRegistryCredentials(raw: RawConfig, stack: string, imageRegistry: string): void {
  const value = raw[`${CONFIG_NAMESPACE}:${REGISTRY_CREDENTIALS_KEY}`];
  if (value === undefined || value === "") return;
  const problems = registryCredentialsProblems(value, imageRegistry, stack);
  if (problems.length > 0) throw new ConfigError(problems, stack);
}
