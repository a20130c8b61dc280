/**
 * Vercel environment variables come one per `ProjectEnvironmentVariable` or as a list in
 * `ProjectEnvironmentVariables.variables`; rules see both as `VercelVariable`s.
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { ofTypes, type Report, type RuleResourceValidation } from "./rule";
import { list, obj } from "./values";

export const VERCEL = {
  Variable: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable",
  Variables: "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables",
} as const;

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
  /** `Vercel variable "JWT_SECRET" (resource "ui-env")`, for messages. */
  readonly label: string;
}

function variableOf(raw: unknown, resource: string, index?: number): VercelVariable {
  const v = obj(raw);
  const key = String(v.key ?? "?");
  return {
    key,
    get value() {
      return typeof v.value === "string" ? v.value : typeof v.valueWo === "string" ? v.valueWo : undefined;
    },
    sensitive: v.sensitive === true,
    targets: Array.isArray(v.targets) ? list<string>(v.targets).map(String) : undefined,
    customEnvironmentIds: Array.isArray(v.customEnvironmentIds) ? list<string>(v.customEnvironmentIds).map(String) : undefined,
    gitBranch: typeof v.gitBranch === "string" ? v.gitBranch : undefined,
    label: `Vercel variable "${key}" (${index === undefined ? `resource "${resource}"` : `"${resource}" variables[${index}]`})`,
  };
}

/** A rule over every Vercel environment variable of either resource type. */
export function onVercelVariables(validate: (variable: VercelVariable, args: ResourceValidationArgs, report: Report) => void): RuleResourceValidation {
  return ofTypes([VERCEL.Variable, VERCEL.Variables], (props, args, report) => {
    const variables = args.type === VERCEL.Variable ? [variableOf(props, args.name)] : list(props.variables).map((v, i) => variableOf(v, args.name, i));
    for (const v of variables) validate(v, args, report);
  });
}
