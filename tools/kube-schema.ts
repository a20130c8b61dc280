/**
 * Validates Kubernetes objects against the upstream OpenAPI schemas shipped by the registry
 * packages `kubernetes-models` (the core API groups) and `@kubernetes-models/prometheus-operator`
 * (`monitoring.coreos.com`: ServiceMonitor, PrometheusRule, AlertmanagerConfig, ...).
 *
 * How the schema is found: each package has one module per type, `<group>/<version>/<Kind>.js`
 * (`v1/<Kind>.js` for the core group), exporting a model class whose `validate()` runs the
 * package's precompiled JSON-schema validator and throws an error carrying the validator's
 * `errors`. A module only counts when its class declares that exact `apiVersion` and `kind`
 * (nested types such as `DeploymentSpec` have no apiVersion) and has its own validator; anything
 * else is reported as an unknown apiVersion/kind, never passed silently.
 *
 * The packages are ES modules only. They are loaded synchronously with Node's `require(esm)`
 * (on by default since Node 20.19, the project's minimum) from their absolute file paths, since
 * their `exports` maps offer only the `import` condition.
 *
 * Wire values from the harness (tools/engine/harness/properties.ts) are accepted as they are:
 * - secrets are read through (`plain()`), so a secret is validated like any value;
 * - an unknown (`UNKNOWN`, a value only known after `up`, e.g. a Secret's `stringData` built from
 *   generated passwords during a preview) is assumed to be whatever the schema wants there:
 *   errors reported at or below an unknown path are dropped, and every known value is checked.
 *   An unknown only hides errors about itself; a missing required field, a wrong type beside it
 *   or a wrong type above it is still reported.
 *
 * Limitation: the upstream schemas are not strict (no `additionalProperties: false`), so an
 * unknown or misspelt field is not reported; types, required fields, enums and patterns are.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { isUnknown, plain, type RegisteredResource } from "./engine/harness";

/** The schema packages, searched in this order. */
export const SCHEMA_PACKAGES = ["kubernetes-models", "@kubernetes-models/prometheus-operator"] as const;

/** One error of the upstream validator (an Ajv error object). */
interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

/** A model class of the schema packages. */
interface ModelClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  new (data: unknown): { validate(): void };
}

const nodeRequire = createRequire(__filename);

/** Where a package is installed (its `exports` map hides package.json from `require.resolve`). */
function packageDir(name: string): string | undefined {
  for (const dir of nodeRequire.resolve.paths(name) ?? []) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
  }
  return undefined;
}

interface SchemaPackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
}

let packages: SchemaPackage[] | undefined;

/** The installed schema packages with their versions; throws when one is missing. */
export function schemaPackages(): readonly SchemaPackage[] {
  if (packages) return packages;
  packages = SCHEMA_PACKAGES.map((name) => {
    const dir = packageDir(name);
    if (!dir) throw new Error(`kube-schema: the package \`${name}\` is not installed; run \`npm ci\``);
    const version = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version as string;
    return { name, version, dir };
  });
  return packages;
}

const API_GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const API_VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/** Where the schema of one apiVersion/kind comes from. */
export interface SchemaSource {
  /** The package that defines it, e.g. `@kubernetes-models/prometheus-operator`. */
  readonly packageName: string;
  /** Its installed version. */
  readonly packageVersion: string;
  /** The model class whose `validate()` runs the schema. */
  readonly model: ModelClass;
}

const sources = new Map<string, SchemaSource | undefined>();

/**
 * The schema for `apiVersion`/`kind`, or undefined when neither package defines that top-level
 * object (a malformed apiVersion or kind is undefined too).
 */
export function schemaFor(apiVersion: string, kind: string): SchemaSource | undefined {
  const key = `${apiVersion} ${kind}`;
  if (sources.has(key)) return sources.get(key);
  let found: SchemaSource | undefined;
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if ((group === "" || API_GROUP.test(group)) && API_VERSION.test(version) && KIND.test(kind)) {
    const rel = group === "" ? path.join(version, `${kind}.js`) : path.join(group, version, `${kind}.js`);
    for (const pkg of schemaPackages()) {
      const file = path.join(pkg.dir, rel);
      if (!fs.existsSync(file)) continue;
      const cls = (nodeRequire(file) as Record<string, ModelClass | undefined>)[kind];
      // Only a top-level object declares its apiVersion/kind; only a model with its own validator checks anything.
      const ownValidator = cls !== undefined && Object.prototype.hasOwnProperty.call(cls.prototype, "validate");
      if (cls && cls.apiVersion === apiVersion && cls.kind === kind && ownValidator) {
        found = { packageName: pkg.name, packageVersion: pkg.version, model: cls };
        break;
      }
    }
  }
  sources.set(key, found);
  return found;
}

/** JSON pointer (`/spec/containers/0`) → the harness's path form (`spec.containers[0]`). */
export function pointerToPath(pointer: string): string {
  if (pointer === "") return "(root)";
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((p, s) => (/^\d+$/.test(s) ? `${p}[${s}]` : p ? `${p}.${s}` : s), "");
}

/** JSON pointers of every unknown value under `value` (secrets already read through). */
function unknownPointers(value: unknown, base = ""): string[] {
  if (isUnknown(value)) return [base];
  const escape = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
  if (Array.isArray(value)) return value.flatMap((x, i) => unknownPointers(x, `${base}/${i}`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, x]) => unknownPointers(x, `${base}/${escape(k)}`));
  }
  return [];
}

function isAtOrBelow(pointer: string, ancestors: readonly string[]): boolean {
  return ancestors.some((a) => pointer === a || pointer.startsWith(`${a}/`));
}

function describeError(e: SchemaError): string {
  const where = pointerToPath(e.instancePath);
  let message = e.message ?? e.keyword;
  if (e.keyword === "enum" && Array.isArray(e.params?.allowedValues)) {
    message += ` (${(e.params!.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")})`;
  } else if (e.keyword === "required" && e.params?.missingProperty !== undefined) {
    message = `must have required property \`${String(e.params.missingProperty)}\``;
  }
  return `${where}: ${message}`;
}

/** `Kind namespace/name` (or what of it is known), for error messages. */
export function describeObject(obj: unknown): string {
  const o = (obj && typeof obj === "object" ? obj : {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof o.kind === "string" ? o.kind : "object";
  const name = typeof o.metadata?.name === "string" && !isUnknown(o.metadata.name) ? o.metadata.name : "(unnamed)";
  const ns = typeof o.metadata?.namespace === "string" && !isUnknown(o.metadata.namespace) ? `${o.metadata.namespace}/` : "";
  return `${kind} ${ns}${name}`;
}

/**
 * Validates one Kubernetes object (plain, or in the harness's wire form) against the upstream
 * schema for its `apiVersion`/`kind`. Returns the problems, each `<Kind> <ns>/<name>: <path>:
 * <message>`; empty when the object is valid. An object whose apiVersion/kind no schema package
 * defines is an error, never a pass. Unknowns are treated as described at the top of this file.
 */
export function validateManifest(obj: unknown): string[] {
  const manifest = plain<unknown>(obj);
  const what = describeObject(manifest);
  if (!manifest || typeof manifest !== "object" || Array.isArray(manifest)) {
    return [
      `${what}: expected a Kubernetes object (a mapping with \`apiVersion\` and \`kind\`), got ${Array.isArray(manifest) ? "an array" : typeof manifest}`,
    ];
  }
  const { apiVersion, kind } = manifest as { apiVersion?: unknown; kind?: unknown };
  const problems: string[] = [];
  if (typeof apiVersion !== "string" || isUnknown(apiVersion)) {
    problems.push(
      `${what}: \`apiVersion\` is ${apiVersion === undefined ? "missing" : `not a known string (${JSON.stringify(apiVersion)})`}; expected e.g. "apps/v1" or "v1"`,
    );
  }
  if (typeof kind !== "string" || isUnknown(kind)) {
    problems.push(`${what}: \`kind\` is ${kind === undefined ? "missing" : `not a known string (${JSON.stringify(kind)})`}; expected e.g. "Deployment"`);
  }
  if (problems.length > 0) return problems;
  const source = schemaFor(apiVersion as string, kind as string);
  if (!source) {
    const pkgs = schemaPackages()
      .map((p) => `${p.name} ${p.version}`)
      .join(" and ");
    return [
      `${what}: no schema for apiVersion "${apiVersion}" kind "${kind}": ${pkgs} define no such object. ` +
        "Fix the apiVersion/kind, or add a schema package that defines it to tools/kube-schema.ts",
    ];
  }
  let errors: readonly SchemaError[] = [];
  try {
    new source.model(manifest).validate();
  } catch (err) {
    const list = (err as { errors?: unknown }).errors;
    if (!Array.isArray(list)) return [`${what}: the validator failed: ${(err as Error).message ?? String(err)}`];
    errors = list as SchemaError[];
  }
  const unknowns = unknownPointers(manifest);
  const seen = new Set<string>();
  for (const e of errors) {
    if (isAtOrBelow(e.instancePath, unknowns)) continue;
    const text = `${what}: ${describeError(e)}`;
    if (!seen.has(text)) {
      seen.add(text);
      problems.push(text);
    }
  }
  return problems;
}

/** The apiVersion and kind a `kubernetes:` type token names (`kubernetes:apps/v1:Deployment` → apps/v1, Deployment; core → v1). */
export function apiVersionKindOfType(type: string): { apiVersion: string; kind: string } | undefined {
  const m = /^kubernetes:([^:]+)\/([^/:]+):([^:]+)$/.exec(type);
  if (!m) return undefined;
  const [, group, version, kind] = m;
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

/** A Kubernetes object a program registered, ready to validate. */
export interface RegisteredManifest {
  readonly urn: string;
  readonly type: string;
  /** The resource's inputs in wire form, with `apiVersion`/`kind` taken from the type token when the inputs lack them. */
  readonly manifest: Record<string, unknown>;
}

/**
 * Whether a `kubernetes:` type token is an object of the cluster's API. The provider's own
 * resources are not: a Helm `Release` (`kubernetes:helm.sh/v3:Release`) is a Helm release the
 * provider installs, whose objects Helm renders in the cluster, and `yaml`/`kustomize` types are
 * components. Providers are `pulumi:providers:kubernetes` and never match.
 */
export function isKubernetesObjectType(type: string): boolean {
  return type.startsWith("kubernetes:") && !/^kubernetes:(helm\.sh|yaml|kustomize)\//.test(type);
}

/** Every Kubernetes object among recorded resources: custom resources (not reads) whose type is an object of the cluster's API. */
export function kubernetesManifests(resources: readonly RegisteredResource[]): RegisteredManifest[] {
  return resources
    .filter((r) => r.custom && !r.read && isKubernetesObjectType(r.type))
    .map((r) => {
      const fromType = apiVersionKindOfType(r.type);
      const manifest: Record<string, unknown> = { ...r.inputs };
      if (fromType) {
        manifest.apiVersion ??= fromType.apiVersion;
        manifest.kind ??= fromType.kind;
      }
      return { urn: r.urn, type: r.type, manifest };
    });
}

/** Validates every Kubernetes object among recorded resources; also flags inputs that contradict their type token. */
export function validateRegisteredManifests(resources: readonly RegisteredResource[]): Array<{ urn: string; errors: string[] }> {
  return kubernetesManifests(resources).map(({ urn, type, manifest }) => {
    const errors = validateManifest(manifest);
    const fromType = apiVersionKindOfType(type);
    const m = plain<{ apiVersion?: unknown; kind?: unknown }>(manifest);
    if (fromType && (m.apiVersion !== fromType.apiVersion || m.kind !== fromType.kind)) {
      errors.unshift(
        `${describeObject(m)}: inputs say apiVersion "${String(m.apiVersion)}" kind "${String(m.kind)}" but the type token ${type} says "${fromType.apiVersion}" "${fromType.kind}"`,
      );
    }
    return { urn, errors };
  });
}
