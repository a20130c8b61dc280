/**
 * Every Vercel resource that carries environment variables (@pulumiverse/vercel 5.4.1), seen by
 * the rules as `VercelVariable`s:
 *  - `ProjectEnvironmentVariable`: one variable;
 *  - `ProjectEnvironmentVariables`: a list in `variables`;
 *  - `Project`: the inline list in `environments`;
 *  - `SharedEnvironmentVariable`: one team-wide variable linked to `projectIds`;
 *  - `Deployment`: the map `environment` (name → value), which Vercel cannot mark sensitive and
 *    which targets the deployment's own environment (production when `production: true`).
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { ofTypes, type Report, type RuleResourceValidation } from "./rule";
import { known, list, obj, UNKNOWN } from "./values";

export const VERCEL = {
  Variable: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable",
  Variables: "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables",
  Project: "vercel:index/project:Project",
  SharedVariable: "vercel:index/sharedEnvironmentVariable:SharedEnvironmentVariable",
  Deployment: "vercel:index/deployment:Deployment",
} as const;

/** Every type that carries variables, and the input that holds them. */
export const VARIABLE_CARRIERS: Readonly<Record<string, string>> = {
  [VERCEL.Variable]: "",
  [VERCEL.SharedVariable]: "",
  [VERCEL.Variables]: "variables",
  [VERCEL.Project]: "environments",
  [VERCEL.Deployment]: "environment",
};

export interface VercelVariable {
  readonly key: string;
  /**
   * Plaintext: policies receive secret values unwrapped (pulumi/pulumi-policy#241). Read lazily:
   * a generated secret is unknown at preview, and reading it makes the engine skip the whole
   * rule, so rules decide from the other fields first.
   */
  readonly value?: string;
  readonly sensitive: boolean;
  readonly targets?: string[];
  readonly customEnvironmentIds?: string[];
  readonly gitBranch?: string;
  /** Whether the resource can mark it sensitive at all (a Deployment's `environment` cannot). */
  readonly canBeSensitive: boolean;
  /** The input path of its value, e.g. `value`, `variables[2].value`, `environments[0].value`, `environment.API_KEY`. */
  readonly valuePath: string;
  /** `Vercel variable "JWT_SECRET" (resource "ui-env")`, for messages. */
  readonly label: string;
}

function variableOf(raw: unknown, resource: string, kind: string, index?: number, field?: string): VercelVariable {
  const v = obj(raw);
  const key = String(v.key ?? "?");
  const where = index === undefined ? `${kind} "${resource}"` : `"${resource}" ${field}[${index}]`;
  return {
    key,
    get value() {
      return typeof v.value === "string" ? v.value : typeof v.valueWo === "string" ? v.valueWo : undefined;
    },
    sensitive: v.sensitive === true,
    targets: Array.isArray(v.targets) ? list<string>(v.targets).map(String) : undefined,
    customEnvironmentIds: Array.isArray(v.customEnvironmentIds) ? list<string>(v.customEnvironmentIds).map(String) : undefined,
    gitBranch: typeof v.gitBranch === "string" ? v.gitBranch : undefined,
    canBeSensitive: true,
    valuePath: index === undefined ? "value" : `${field}[${index}].value`,
    label: `Vercel variable "${key}" (${where})`,
  };
}

/** The variables a resource of `type` carries (empty for other types, or when the list is computed). */
export function vercelVariablesOf(type: string, props: Record<string, unknown>, name: string): VercelVariable[] {
  switch (type) {
    case VERCEL.Variable:
      return [variableOf(props, name, "resource")];
    case VERCEL.SharedVariable:
      return [variableOf(props, name, "shared variable")];
    case VERCEL.Variables:
    case VERCEL.Project: {
      const field = VARIABLE_CARRIERS[type];
      const items = known(() => list(props[field]));
      return items === UNKNOWN ? [] : items.map((v, i) => variableOf(v, name, "", i, field));
    }
    case VERCEL.Deployment: {
      const env = known(() => ({ ...obj(props.environment) }));
      if (env === UNKNOWN) return [];
      const target = known(() => props.production) === true ? "production" : "preview";
      return Object.keys(env).map((key) => ({
        key,
        get value() {
          const v = known(() => env[key]);
          return typeof v === "string" ? v : undefined;
        },
        sensitive: false,
        targets: [target],
        canBeSensitive: false,
        valuePath: `environment.${key}`,
        label: `Vercel deployment variable "${key}" (deployment "${name}" environment)`,
      }));
    }
    default:
      return [];
  }
}

/** A rule over every Vercel environment variable of every resource type that carries them. */
export function onVercelVariables(
  validate: (variable: VercelVariable, args: ResourceValidationArgs, report: Report) => Promise<void> | void,
): RuleResourceValidation {
  return ofTypes(Object.keys(VARIABLE_CARRIERS), async (props, args, report) => {
    for (const v of vercelVariablesOf(args.type, props, args.name)) await validate(v, args, report);
  });
}
