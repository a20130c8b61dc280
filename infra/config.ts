/**
 * Stack config: read, convert and validate every key before any resource is registered.
 *
 * `parseStackConfig` is pure (raw strings in, typed config or one error listing every problem
 * out) so tests can run a table of malformed configs without a Pulumi runtime. Each problem names
 * the key, the expected form and the fix.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, PLAIN_CONFIG_KEYS, PlainConfigKey, PlainConfigValues, defaultRunbookBaseUrl } from "./config-keys";
import type { Environment } from "../components/context";
import type { ConfigKeyFacts } from "../components/config-key";
import { CATALOG, type ProductId } from "../stacks";

/**
 * Thrown when stack config is invalid; the message is meant for the person running `pulumi`.
 * A `RunError`, so Pulumi's runner prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly problems: readonly string[],
    readonly stack: string,
  ) {
    super(
      `Stack "${stack}" has invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** The validated plain config of a stack: every key of `PLAIN_CONFIG_KEYS`, plus the stack name. */
export interface StackConfig extends PlainConfigValues {
  readonly stack: string;
  /** Narrowed from the key's schema. */
  readonly environment: Environment;
}

/** Raw config as the runtime gives it: `app-platform:<key>` (or bare `<key>`) → string. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

/** The command that sets `key` to `value` (already quoted for the shell where it needs to be). */
function setCommand(stack: string, key: string, value: string): string {
  return `pulumi config set --stack ${stack} ${key} ${value}`;
}

/** The command that sets `k` to its example value. */
function setExampleCommand(k: PlainConfigKey, stack: string): string {
  return setCommand(stack, k.key, k.type === "array" ? `'${k.example}'` : JSON.stringify(k.example));
}

/** Converts one raw string to the key's declared type; returns an error text or the value. */
function convert(k: PlainConfigKey, raw: string): { value?: unknown; error?: string } {
  switch (k.type) {
    case "string":
      return { value: raw };
    case "integer": {
      if (!/^-?\d+$/.test(raw.trim())) return { error: `is ${JSON.stringify(raw)}, not a whole number` };
      return { value: Number(raw.trim()) };
    }
    case "boolean": {
      if (raw === "true" || raw === "false") return { value: raw === "true" };
      return { error: `is ${JSON.stringify(raw)}, not \`true\` or \`false\`` };
    }
    case "array": {
      try {
        const v = JSON.parse(raw);
        if (!Array.isArray(v)) return { error: `is ${JSON.stringify(raw)}, not a list` };
        return { value: v };
      } catch {
        return { error: `is ${JSON.stringify(raw)}, not a YAML/JSON list` };
      }
    }
  }
}

/**
 * Validates raw config for `stack` and returns the typed config. Throws one `ConfigError` that
 * lists every problem; nothing else in the program runs before this succeeds. `knownSecretKeys`
 * are the secret keys the products read, so they are not reported as unknown.
 */
export function parseStackConfig(raw: RawConfig, stack: string, knownSecretKeys: ReadonlySet<string> = new Set()): StackConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = { stack };
  const lookup = (key: string) => raw[`${CONFIG_NAMESPACE}:${key}`] ?? raw[key];

  for (const k of PLAIN_CONFIG_KEYS) {
    const rawValue = lookup(k.key);
    let value: unknown;
    if (rawValue === undefined) {
      if (k.default === undefined) {
        problems.push(`\`${CONFIG_NAMESPACE}:${k.key}\` is missing; expected ${k.form}. ${k.description} Fix: \`${setExampleCommand(k, stack)}\``);
        continue;
      }
      value = Array.isArray(k.default) ? [...k.default] : k.default;
    } else {
      const converted = convert(k, rawValue);
      if (converted.error) {
        problems.push(`\`${CONFIG_NAMESPACE}:${k.key}\` ${converted.error}; expected ${k.form}. Fix: \`${setExampleCommand(k, stack)}\``);
        continue;
      }
      value = converted.value;
    }
    const parsed = k.schema.safeParse(value);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => i.message).join("; ");
      problems.push(`\`${CONFIG_NAMESPACE}:${k.key}\` is ${JSON.stringify(value)} (${why}); expected ${k.form}. Fix: \`${setExampleCommand(k, stack)}\``);
      continue;
    }
    out[k.key] = parsed.data;
  }

  // An empty `runbookBaseUrl` means the runbooks published from this repository (docs/runbooks).
  if (out.runbookBaseUrl === "" && typeof out.gitOrganization === "string") {
    out.runbookBaseUrl = defaultRunbookBaseUrl(out.gitOrganization);
  }

  // Cross-key checks, once every key is individually valid.
  if (problems.length === 0) {
    const env = out.environment as string;
    if ((stack === "prod" || stack === "staging") && env !== stack) {
      problems.push(
        `\`${CONFIG_NAMESPACE}:environment\` is "${env}" but the stack is "${stack}"; a stack named after an environment must use it. Fix: \`${setCommand(stack, "environment", stack)}\``,
      );
    }
    const facts: ConfigKeyFacts = { environment: env as Environment };
    // Each key's own check (e.g. prod's replica floor), which travels with the key.
    for (const k of PLAIN_CONFIG_KEYS) {
      const found = k.check?.(out[k.key], facts);
      if (found) {
        problems.push(`\`${CONFIG_NAMESPACE}:${k.key}\` is ${JSON.stringify(out[k.key])}; ${found.problem}. Fix: \`${setCommand(stack, k.key, found.fix)}\``);
      }
    }
    // Each enabled product's cross-key checks (its `checks` in stacks/<product>.ts).
    for (const id of out.products as readonly ProductId[]) {
      for (const p of CATALOG[id].checks?.(out as never, facts) ?? []) {
        problems.push(
          `\`${CONFIG_NAMESPACE}:${p.key}\` ${p.problem}. Fix: \`${setCommand(stack, p.key, p.fix)}\`${p.alternative ? ` or ${p.alternative}` : ""}`,
        );
      }
    }
  }

  // Unknown keys in our namespace are almost always typos; say which key was probably meant.
  const known = new Set<string>(PLAIN_CONFIG_KEYS.map((k) => k.key));
  for (const full of Object.keys(raw)) {
    if (!full.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const k = full.slice(CONFIG_NAMESPACE.length + 1);
    if (!known.has(k) && !knownSecretKeys.has(k)) {
      const near = [...known].find((x) => x.toLowerCase() === k.toLowerCase());
      problems.push(
        `\`${full}\` is not a config key of this project${near ? `; did you mean \`${near}\`?` : ""}. Fix: \`pulumi config rm --stack ${stack} ${k}\`${near ? ` and set \`${near}\`` : ""}`,
      );
    }
  }

  if (problems.length > 0) throw new ConfigError(problems, stack);
  return out as unknown as StackConfig;
}
