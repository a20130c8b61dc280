/**
 * How a rule of this pack is declared. Every rule file calls `defineResourceRule` or
 * `defineStackRule`: they check the naming convention, append the anchors to the description,
 * add the typed `metadata`, and wrap the validation so that
 *  - prod-scoped rules ("mandatory on prod" in docs/policies.md) report mandatory on prod and advisory elsewhere;
 *  - a rule can downgrade one finding to advisory (`report.advisory(...)`).
 *
 * Rules are plain values: only `policies/index.ts` constructs the `PolicyPack`.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { ResourceType } from "./resource-types";
import { ENVIRONMENT_CONFIG_SCHEMA, isProdStack, type EnvironmentSource } from "./environment";

/** The folders of the pack; the first segment of every rule name. */
export const AREAS = ["kubernetes", "aws", "cloudflare", "vercel", "random", "prometheus", "stack"] as const;
export type Area = (typeof AREAS)[number];

/** The verbs a rule name may use (compliance-policies convention). */
export const VERBS = ["missing", "disallow", "enable", "disable", "configure", "enforce"] as const;
export type Verb = (typeof VERBS)[number];

/**
 * How the enforcement level of a rule is decided:
 * - `always`: the declared level everywhere;
 * - `prod`: mandatory on the prod stack, advisory on any other stack ("M prod");
 * - `backups`: mandatory for backup buckets/jobs, advisory (or not applicable) for the rest.
 */
export type Scope = "always" | "prod" | "backups";

/** Typed facts about a rule, shared by the registry, the catalogue (docs/policies.md) and the tests. */
export interface RuleMetadata {
  /** The pack folder the rule lives in. */
  readonly area: Area;
  /**
   * The rule's number(s) in the numbered catalogue the pack was first written from; docs/policies.md
   * shows them so that an older citation by number can still be looked up by name. Empty
   * for a rule added after that catalogue (see `origin`).
   */
  readonly numbers: readonly number[];
  /** Where a rule without `numbers` comes from, e.g. `the dead-alert check`. */
  readonly origin?: string;
  /** Why the risk matters: what goes wrong when the rule is broken (one or two sentences). */
  readonly rationale: string;
  /** The standard or guide the rule follows, e.g. `Pod Security Standards (restricted); CIS Kubernetes Benchmark 5.2.6`. */
  readonly standard: string;
  /** Ids of the external checks it matches, e.g. `PSS restricted`, `CIS 5.2.6`, `CKV_K8S_20`. */
  readonly anchors: readonly string[];
  /** How the level is decided (see `Scope`). */
  readonly scope: Scope;
  /** Whether the engine calls it per resource (`Analyze`) or once per stack (`AnalyzeStack`). */
  readonly kind: "resource" | "stack";
  /** The Pulumi resource types the rule reads, when it declares them (`ofType`/`ofTypes`, `appliesTo`); absent: any type. */
  readonly resourceTypes?: readonly string[];
}

export type AppResourcePolicy = ResourceValidationPolicy & { readonly metadata: RuleMetadata };
export type AppStackPolicy = StackValidationPolicy & { readonly metadata: RuleMetadata };
export type AppPolicy = AppResourcePolicy | AppStackPolicy;

/**
 * What a rule calls to report a finding. `report(message)` uses the rule's level (mandatory on
 * prod for prod-scoped rules); `report.advisory(message)` downgrades one finding to advisory.
 * `urn` names the offending resource in stack rules.
 */
export interface Report {
  (message: string, urn?: string): void;
  advisory(message: string, urn?: string): void;
}

/**
 * The object form of `reportViolation`. `@pulumi/policy` 1.21 accepts it at runtime (server.js
 * `makeReportViolationFun`: `typeof message === "object"`, later versions type it as
 * `ReportViolationArgs`) and uses its `enforcementLevel` for that one diagnostic; its 1.21 typings
 * only declare the string form, hence this local type.
 */
export interface ViolationReport {
  readonly message: string;
  readonly urn?: string;
  readonly enforcementLevel: EnforcementLevel;
}

/** Builds the `Report` handed to a rule from the engine's `reportViolation`. */
export function makeReport(reportViolation: ReportViolation, description: string, allAdvisory: boolean): Report {
  const advisory = (message: string, urn?: string): void => {
    const report: ViolationReport = { message: `${description}\n${message}`, urn, enforcementLevel: "advisory" };
    (reportViolation as unknown as (r: ViolationReport) => void)(report);
  };
  const report = ((message: string, urn?: string): void => {
    if (allAdvisory) advisory(message, urn);
    else reportViolation(message, urn);
  }) as Report;
  report.advisory = advisory;
  return report;
}

/** A resource validation that receives a `Report` (see `ofType` for the typed form). */
export type RuleResourceValidation = (args: ResourceValidationArgs, report: Report) => Promise<void> | void;
/** A stack validation that receives a `Report`. */
export type RuleStackValidation = (args: StackValidationArgs, report: Report) => Promise<void> | void;

interface RuleSpec {
  /** `<area>-<verb>-<thing>`. */
  readonly name: string;
  /** One sentence saying what the rule requires (anchors are appended). */
  readonly description: string;
  /** Level on prod / for backups; prod-scoped rules are downgraded elsewhere. */
  readonly enforcementLevel: "mandatory" | "advisory";
  /** See `RuleMetadata.numbers`. */
  readonly numbers: readonly number[];
  /** Required when `numbers` is empty: where the rule comes from. */
  readonly origin?: string;
  readonly anchors: readonly string[];
  /** Why the risk matters (see `RuleMetadata.rationale`). */
  readonly rationale: string;
  /** The standard the rule follows (see `RuleMetadata.standard`). */
  readonly standard: string;
  /** @default "always" */
  readonly scope?: Scope;
  /** JSON schema of the rule's own config (thresholds); `environment` is added for prod-scoped rules. */
  readonly config?: Record<string, PolicyConfigJSONSchema>;
}

const NAME = new RegExp(`^(${AREAS.join("|")})-(${VERBS.join("|")})-[a-z0-9]+(-[a-z0-9]+)*$`);

function checkSpec(spec: RuleSpec, area: Area): void {
  if (!NAME.test(spec.name) || !spec.name.startsWith(`${area}-`)) {
    throw new Error(`rule name "${spec.name}" must read <area>-<verb>-<thing> with area "${area}" and a verb from ${VERBS.join(", ")}`);
  }
  const sentence = spec.description.trim();
  if (!/^[A-Z`]/.test(sentence) || !sentence.endsWith(".") || sentence.slice(0, -1).includes(". ")) {
    throw new Error(`rule "${spec.name}": the description must be one sentence ending with a period`);
  }
  if (spec.anchors.length === 0 || (spec.numbers.length === 0 && !spec.origin)) {
    throw new Error(`rule "${spec.name}": list its anchors and its catalogue numbers (or, for a rule added later, its origin)`);
  }
  if (!spec.rationale.trim() || !spec.standard.trim()) {
    throw new Error(`rule "${spec.name}": say why the risk matters (rationale) and which standard the rule follows`);
  }
}

function describe(spec: RuleSpec): string {
  return `${spec.description} Anchors: ${spec.anchors.join(", ")}.`;
}

function configSchema(spec: RuleSpec): PolicyConfigSchema | undefined {
  const properties: Record<string, PolicyConfigJSONSchema> = { ...(spec.config ?? {}) };
  if ((spec.scope ?? "always") === "prod") properties.environment = ENVIRONMENT_CONFIG_SCHEMA;
  return Object.keys(properties).length > 0 ? { properties } : undefined;
}

/** The Pulumi type a validation was bound to by `ofType`/`ofTypes` (as `validateResourceOfType` tags it), if any. */
function pulumiTypeOf(fn: unknown): string | undefined {
  return (fn as { __pulumiType?: string }).__pulumiType;
}

/** The types an `ofTypes` validation was made for (tagged below), for the rule's metadata. */
function typesOf(fn: unknown): readonly string[] | undefined {
  return (fn as { __appResourceTypes?: readonly string[] }).__appResourceTypes;
}

/**
 * What every rule declares alike: the header the engine reads (name, description, level, config
 * schema, tags), its metadata, and the report its validation gets for a given stack (findings of
 * a prod-scoped rule downgraded to advisory off prod).
 */
function ruleParts(area: Area, spec: RuleSpec, kind: RuleMetadata["kind"], resourceTypes: readonly string[] | undefined) {
  checkSpec(spec, area);
  const description = describe(spec);
  const scope = spec.scope ?? "always";
  return {
    header: {
      name: spec.name,
      description,
      enforcementLevel: spec.enforcementLevel,
      configSchema: configSchema(spec),
      tags: [...spec.anchors],
    },
    metadata: {
      area,
      numbers: spec.numbers,
      ...(spec.origin ? { origin: spec.origin } : {}),
      rationale: spec.rationale,
      standard: spec.standard,
      anchors: spec.anchors,
      scope,
      kind,
      ...(resourceTypes ? { resourceTypes: [...resourceTypes] } : {}),
    } satisfies RuleMetadata,
    reportFor: (stack: EnvironmentSource, reportViolation: ReportViolation): Report =>
      makeReport(reportViolation, description, scope === "prod" && !isProdStack(stack)),
  };
}

/** Declares a rule the engine runs on each resource's inputs. */
export function defineResourceRule(area: Area, spec: RuleSpec & { readonly validateResource: RuleResourceValidation }): AppResourcePolicy {
  const { header, metadata, reportFor } = ruleParts(area, spec, "resource", typesOf(spec.validateResource));
  const inner = spec.validateResource;
  const validateResource = (args: ResourceValidationArgs, reportViolation: ReportViolation) => inner(args, reportFor(args, reportViolation));
  // Keep the type tag so the server can skip other types without calling the rule.
  const type = pulumiTypeOf(inner);
  if (type) (validateResource as unknown as { __pulumiType: string }).__pulumiType = type;
  return { ...header, validateResource, metadata };
}

/** Declares a rule the engine runs once over all resources of the stack. */
export function defineStackRule(
  area: Area,
  spec: RuleSpec & {
    readonly validateStack: RuleStackValidation;
    /** Types the rule looks at; without any of them in the stack it reports "not applicable". */
    readonly appliesTo?: readonly string[];
  },
): AppStackPolicy {
  const { header, metadata, reportFor } = ruleParts(area, spec, "stack", spec.appliesTo);
  const inner = spec.validateStack;
  return {
    ...header,
    validateStack: (args, reportViolation) => {
      const types = spec.appliesTo;
      if (types && !args.resources.some((r) => types.includes(r.type))) {
        return args.notApplicable(`Policy only applies to stacks with resources of type ${types.map((t) => `'${t}'`).join(", ")}`);
      }
      return inner(args, reportFor(args, reportViolation));
    },
    metadata,
  };
}

/**
 * The typed form: the rule sees the inputs of one resource type, typed as declared in
 * resource-types.ts, and is not applicable to other types (like `validateResourceOfType`, without
 * importing the provider SDK's class).
 *
 * @example ofType(Deployment, (deployment, args, report) => { ... })
 */
export function ofType<TProps>(
  type: ResourceType<TProps>,
  validate: (props: TProps, args: ResourceValidationArgs, report: Report) => Promise<void> | void,
): RuleResourceValidation {
  return ofTypes([type.token], (props, args, report) => validate(props as TProps, args, report));
}

/**
 * For resources without an SDK class (custom resources such as `PrometheusRule`) or rules that
 * cover several types: the rule sees the raw inputs of any of `types` and is not applicable to
 * the rest. With a single type the function is tagged like `validateResourceOfType` does.
 */
export function ofTypes(
  types: readonly string[],
  validate: (props: Record<string, any>, args: ResourceValidationArgs, report: Report) => Promise<void> | void, // eslint-disable-line @typescript-eslint/no-explicit-any
): RuleResourceValidation {
  const fn: RuleResourceValidation = (args, report) => {
    if (!types.includes(args.type)) {
      args.notApplicable(`Policy only applies to resources of type ${types.map((t) => `'${t}'`).join(", ")}`);
    }
    return validate(args.props, args, report);
  };
  if (types.length === 1) (fn as unknown as { __pulumiType: string }).__pulumiType = types[0];
  (fn as unknown as { __appResourceTypes: readonly string[] }).__appResourceTypes = [...types];
  return fn;
}

/** How a rule's level reads in the catalogue and the README: its declared level refined by its scope. */
export function levelText(enforcementLevel: "mandatory" | "advisory", scope: Scope): string {
  switch (scope) {
    case "prod":
      return "mandatory on prod, advisory elsewhere";
    case "backups":
      return enforcementLevel === "mandatory" ? "mandatory for backups" : "advisory (backups)";
    default:
      return enforcementLevel;
  }
}
