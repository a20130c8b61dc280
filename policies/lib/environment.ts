/**
 * Which environment the checked stack is, for prod-scoped rules ("mandatory on prod, advisory elsewhere" in docs/policies.md).
 *
 * Decided, first match wins:
 *  1. the rule's policy config `environment` (e.g. `{"kubernetes-configure-health-probes": {"environment": "prod"}}`);
 *  2. the stack tag `environment` (`pulumi stack tag set environment prod`), delivered by the
 *     engine's `ConfigureStack` call;
 *  3. the stack name the engine puts in the policy pack's environment (`PULUMI_STACK`), so the
 *     stacks `prod` and `staging` of this project work without tags;
 *  4. otherwise prod: an unknown stack gets the strict levels (fail closed).
 * `prod` and `production` (any case) mean prod; any other value means a non-prod stack.
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export const ENVIRONMENT_TAG = "environment";

export const ENVIRONMENT_CONFIG_SCHEMA: PolicyConfigJSONSchema = {
  type: "string",
  description: "Treat the stack as this environment (`prod` or any other name). Unset: the stack tag `environment`, " + "then the stack name, then prod.",
};

export interface EnvironmentSource {
  readonly stackTags: ReadonlyMap<string, string>;
  getConfig<T extends object>(): T;
}

/** The stack name the engine passes to policy packs, if any. */
export function stackNameFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = env.PULUMI_STACK ?? env.PULUMI_NODEJS_STACK;
  if (!name) return undefined;
  // A fully qualified `org/project/stack` name: keep the stack part.
  return name.split("/").pop();
}

/** The environment name the rules see, or `undefined` when nothing names it. */
export function environmentName(source: EnvironmentSource): string | undefined {
  const configured = source.getConfig<{ environment?: unknown }>().environment;
  if (typeof configured === "string" && configured !== "") return configured;
  const tag = source.stackTags.get(ENVIRONMENT_TAG);
  if (tag) return tag;
  return stackNameFromEnv();
}

/** True when the rules must treat the stack as prod (see the module comment for the order). */
export function isProdStack(source: EnvironmentSource): boolean {
  const name = environmentName(source);
  if (name === undefined) return true;
  return /^prod(uction)?$/i.test(name);
}
