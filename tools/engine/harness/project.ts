/**
 * Reads a Pulumi project (`Pulumi.yaml`) and a stack's config (`Pulumi.<stack>.yaml`) the way the
 * CLI does before it starts the language host, so a caller can run a stack without the CLI.
 *
 * What the CLI does and this mirrors:
 * - config keys are `<namespace>:<name>`; a key in Pulumi.yaml without a namespace belongs to the
 *   project (`domain` → `<project>:domain`);
 * - Pulumi.yaml `config:` entries give values for every stack (`value`, `default`, or a bare
 *   value), which the stack file overrides;
 * - values reach the program as strings: scalars as written, objects and arrays as JSON;
 * - `secure:` values are secrets; this harness cannot decrypt them, so the caller supplies the
 *   plaintext (`secretValues`), and a missing plaintext is an error naming the key;
 * - a key declared `secret: true` must be `secure:` in the stack file, and a declared key with no
 *   default or value must be set — both are errors, as in `pulumi preview`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** A config key declared in Pulumi.yaml. */
export interface ProjectConfigDeclaration {
  readonly type?: string;
  readonly description?: string;
  /** Value used when the stack does not set the key (`default:` or `value:` in Pulumi.yaml). */
  readonly value?: unknown;
  /** True when the key must be set as a secret (`secret: true`). */
  readonly secret: boolean;
  /** True when Pulumi.yaml gives no value, so every stack must set it. */
  readonly required: boolean;
}

/** The parts of Pulumi.yaml that decide how the program runs. */
export interface PulumiProject {
  /** Directory holding Pulumi.yaml (the project root). */
  readonly dir: string;
  readonly name: string;
  /** Runtime name (`nodejs`). */
  readonly runtime: string;
  /** `runtime.options` relevant to Node: `typescript` (default true), `tsconfig`, `nodeargs`. */
  readonly runtimeOptions: { readonly typescript: boolean; readonly tsconfig?: string; readonly nodeargs?: string };
  /** `main`, relative to `dir`, if set. */
  readonly main?: string;
  /** Directory of the stack config files, relative to `dir` (`stackConfigDir`), if set. */
  readonly stackConfigDir?: string;
  /** Declared config keyed by full key (`<namespace>:<name>`). */
  readonly config: Readonly<Record<string, ProjectConfigDeclaration>>;
}

/** A stack's config, ready for the runner. */
export interface StackConfig {
  readonly stack: string;
  /** Path of the stack file read (it may not exist when every value comes from Pulumi.yaml). */
  readonly file: string;
  /** Every config value as the program sees it, keyed by full key. */
  readonly values: Readonly<Record<string, string>>;
  /** Keys whose values are secrets. */
  readonly secretKeys: readonly string[];
}

/** Plaintext for `secure:` values: a table by full key, or a function of key and ciphertext. */
export type SecretValues = Readonly<Record<string, string>> | ((key: string, ciphertext: string) => string | undefined);

/** Thrown for a project or stack file the CLI would reject; the message names the file and the key. */
export class StackConfigError extends Error {
  override readonly name = "StackConfigError";
}

const DECLARATION_KEYS = new Set(["type", "description", "default", "value", "secret", "items"]);

/**
 * Parsed YAML by path, with the text it was parsed from: a plan reads Pulumi.yaml (22 kB here)
 * four times and its stack file twice before the program starts, and parsing is what costs. A
 * file whose text changed is parsed again; callers get a copy.
 */
const parsed = new Map<string, { readonly text: string; readonly doc: unknown }>();

function parseYamlFile(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  let entry = parsed.get(file);
  if (entry?.text !== text) {
    entry = { text, doc: parse(text) };
    parsed.set(file, entry);
  }
  return structuredClone(entry.doc);
}

function readYaml(file: string): Record<string, unknown> {
  const doc: unknown = parseYamlFile(file);
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new StackConfigError(`${file}: expected a mapping at the top level`);
  return doc as Record<string, unknown>;
}

/** `<namespace>:<name>` for a key, adding the project namespace when it has none. */
export function fullConfigKey(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** Reads `<dir>/Pulumi.yaml` (or `Pulumi.yml`). */
export function readProject(dir: string): PulumiProject {
  const root = path.resolve(dir);
  const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(root, f)).find((f) => fs.existsSync(f));
  if (!file) throw new StackConfigError(`no Pulumi.yaml in ${root}`);
  const doc = readYaml(file);
  const name = doc.name;
  if (typeof name !== "string" || name === "") throw new StackConfigError(`${file}: \`name\` is required`);
  const runtimeDoc = doc.runtime;
  const runtimeOptions =
    typeof runtimeDoc === "object" && runtimeDoc !== null ? (runtimeDoc as { name?: unknown; options?: Record<string, unknown> }) : undefined;
  const runtime = typeof runtimeDoc === "string" ? runtimeDoc : runtimeOptions?.name;
  if (typeof runtime !== "string") throw new StackConfigError(`${file}: \`runtime\` is required (e.g. \`runtime: nodejs\`)`);
  const opts: Record<string, unknown> = runtimeOptions?.options ?? {};

  const config: Record<string, ProjectConfigDeclaration> = {};
  for (const [key, raw] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
    const isDeclaration = typeof raw === "object" && raw !== null && !Array.isArray(raw) && Object.keys(raw).some((k) => DECLARATION_KEYS.has(k));
    const decl = isDeclaration ? (raw as Record<string, unknown>) : { value: raw };
    const value = decl.value ?? decl.default;
    config[fullConfigKey(name, key)] = {
      type: typeof decl.type === "string" ? decl.type : undefined,
      description: typeof decl.description === "string" ? decl.description : undefined,
      value,
      secret: decl.secret === true,
      required: value === undefined,
    };
  }

  return {
    dir: root,
    name,
    runtime,
    runtimeOptions: {
      typescript: opts.typescript !== false,
      tsconfig: typeof opts.tsconfig === "string" ? opts.tsconfig : undefined,
      nodeargs: typeof opts.nodeargs === "string" ? opts.nodeargs : undefined,
    },
    main: typeof doc.main === "string" ? doc.main : undefined,
    stackConfigDir: typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : undefined,
    config,
  };
}

function isSecure(v: unknown): v is { secure: string } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as { secure?: unknown }).secure === "string" && Object.keys(v).length === 1;
}

/** The string the CLI hands the program for a config value. */
function configString(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}

/**
 * Reads `Pulumi.<stack>.yaml` and merges it over Pulumi.yaml's config.
 * @param secretValues plaintext for each `secure:` value, by full key (nested ones as `<key>.<path>`)
 */
export function readStackConfig(project: PulumiProject, stack: string, secretValues: SecretValues = {}): StackConfig {
  const dir = project.stackConfigDir ? path.resolve(project.dir, project.stackConfigDir) : project.dir;
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  const doc = fs.existsSync(file) ? readYaml(file) : {};
  const stackValues = (doc.config ?? {}) as Record<string, unknown>;

  const lookup = (key: string, ciphertext: string): string | undefined =>
    typeof secretValues === "function" ? secretValues(key, ciphertext) : secretValues[key];
  const missingPlaintext: string[] = [];
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();

  for (const [key, decl] of Object.entries(project.config)) {
    if (decl.value !== undefined) values[key] = configString(decl.value);
  }

  for (const [rawKey, raw] of Object.entries(stackValues)) {
    const key = fullConfigKey(project.name, rawKey);
    let secret = false;
    // Replace every `{ secure: … }` (top level or nested) with its plaintext.
    const decrypt = (v: unknown, at: string): unknown => {
      if (isSecure(v)) {
        secret = true;
        const text = lookup(at, v.secure);
        if (text === undefined) missingPlaintext.push(at);
        return text ?? "";
      }
      if (Array.isArray(v)) return v.map((x, i) => decrypt(x, `${at}[${i}]`));
      if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decrypt(x, `${at}.${k}`)]));
      }
      return v;
    };
    const value = decrypt(raw, key);
    values[key] = configString(value);
    if (secret) secretKeys.add(key);
    if (project.config[key]?.secret && !secret) {
      throw new StackConfigError(`${file}: configuration key '${key}' must be encrypted as it's secret (set it with \`pulumi config set --secret\`)`);
    }
  }

  if (missingPlaintext.length > 0) {
    throw new StackConfigError(
      `${file}: no plaintext for secure config value(s) ${missingPlaintext.join(", ")}; ` + `pass secretValues: { "${missingPlaintext[0]}": "<plaintext>" }`,
    );
  }
  const missing = Object.entries(project.config)
    .filter(([key, decl]) => decl.required && values[key] === undefined)
    .map(([key]) => key);
  if (missing.length > 0) {
    throw new StackConfigError(`Stack '${stack}' is missing configuration value(s) ${missing.map((k) => `'${k}'`).join(", ")} (${file})`);
  }
  for (const [key, decl] of Object.entries(project.config)) {
    if (decl.secret && values[key] !== undefined) secretKeys.add(key);
  }

  return { stack, file, values, secretKeys: [...secretKeys].sort() };
}
