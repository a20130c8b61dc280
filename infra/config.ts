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

/**
 * The Chat API's downstream services (seed 002 env table): config key → the variable it sets and
 * the seed's development default, which reaches nothing inside a pod.
 */
export const CHAT_API_DOWNSTREAM_URLS = [
  { key: "chatApiMapperApiUrl", variable: "MAPPER_API_URL", seedDefault: "http://localhost:8001" },
  { key: "chatApiCalendarApiUrl", variable: "CALENDAR_API_URL", seedDefault: "http://localhost:8002" },
  { key: "chatApiWorkoutIngestorApiUrl", variable: "WORKOUT_INGESTOR_API_URL", seedDefault: "http://localhost:8003" },
] as const;

/** True when a URL's host is the local machine (localhost, 127.0.0.0/8, ::1, 0.0.0.0): inside a pod, the pod itself. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, "").replace(/\.$/, "");
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === "0.0.0.0" ||
    host === "::1" ||
    host === "::" ||
    /^::ffff:(127\.|7f)/.test(host)
  );
}

/** Raw config as the runtime gives it: `app-platform:<key>` (or bare `<key>`) → string. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

function setCommand(k: PlainConfigKey, stack: string): string {
  const value = k.type === "array" ? `'${k.example}'` : JSON.stringify(k.example);
  return `pulumi config set --stack ${stack} ${k.key} ${value}`;
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
export function parseStackConfig(
  raw: RawConfig,
  stack: string,
  knownSecretKeys: ReadonlySet<string> = new Set(),
): StackConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = { stack };
  const lookup = (key: string) => raw[`${CONFIG_NAMESPACE}:${key}`] ?? raw[key];

  for (const k of PLAIN_CONFIG_KEYS) {
    const rawValue = lookup(k.key);
    let value: unknown;
    if (rawValue === undefined) {
      if (k.default === undefined) {
        problems.push(
          `\`${CONFIG_NAMESPACE}:${k.key}\` is missing; expected ${k.form}. ${k.description} Fix: \`${setCommand(k, stack)}\``,
        );
        continue;
      }
      value = Array.isArray(k.default) ? [...k.default] : k.default;
    } else {
      const converted = convert(k, rawValue);
      if (converted.error) {
        problems.push(`\`${CONFIG_NAMESPACE}:${k.key}\` ${converted.error}; expected ${k.form}. Fix: \`${setCommand(k, stack)}\``);
        continue;
      }
      value = converted.value;
    }
    const parsed = k.schema.safeParse(value);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => i.message).join("; ");
      problems.push(
        `\`${CONFIG_NAMESPACE}:${k.key}\` is ${JSON.stringify(value)} (${why}); expected ${k.form}. Fix: \`${setCommand(k, stack)}\``,
      );
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
        `\`${CONFIG_NAMESPACE}:environment\` is "${env}" but the stack is "${stack}"; a stack named after an environment must use it. Fix: \`pulumi config set --stack ${stack} environment ${stack}\``,
      );
    }
    if (env === "prod") {
      for (const k of ["replicasAskDahliaWorker", "replicasCodebookApi", "replicasChatApi"]) {
        if ((out[k] as number) < 2) {
          problems.push(
            `\`${CONFIG_NAMESPACE}:${k}\` is ${out[k]}; prod needs at least 2 replicas for availability (POLICIES.md 22). Fix: \`pulumi config set --stack ${stack} ${k} 2\``,
          );
        }
      }
    }
    if (env === "prod") {
      // seed 002: the downstream URLs default to localhost, where nothing listens in a prod pod.
      for (const u of CHAT_API_DOWNSTREAM_URLS) {
        const value = out[u.key] as string;
        const example = PLAIN_CONFIG_KEYS.find((k) => k.key === u.key)!.example;
        if (value === "") {
          problems.push(
            `\`${CONFIG_NAMESPACE}:${u.key}\` is not set; prod needs the real base URL of ${u.variable} (seed 002's default ${u.seedDefault} reaches nothing in a pod). Fix: \`pulumi config set --stack ${stack} ${u.key} ${example}\``,
          );
        } else if (isLoopbackUrl(value)) {
          problems.push(
            `\`${CONFIG_NAMESPACE}:${u.key}\` is ${JSON.stringify(value)}, a loopback address; in a prod pod nothing listens there. Expected the service's real base URL for ${u.variable}. Fix: \`pulumi config set --stack ${stack} ${u.key} ${example}\``,
          );
        }
      }
    }
    // seed 000: a fallback model is the one to use when the default fails; the same model is no fallback.
    for (const [model, fallback] of [
      ["askDahliaOpenaiModel", "askDahliaOpenaiFallbackModel"],
      ["askDahliaAnthropicModel", "askDahliaAnthropicFallbackModel"],
    ] as const) {
      if (out[model] === out[fallback]) {
        problems.push(
          `\`${CONFIG_NAMESPACE}:${fallback}\` is ${JSON.stringify(out[fallback])}, the same as \`${model}\`; a fallback must be another model (seed 000). Fix: \`pulumi config set --stack ${stack} ${fallback} <another model>\``,
        );
      }
    }
    if (out.voyagerStripeEnabled === true && out.voyagerStripePriceId === "") {
      problems.push(
        `\`${CONFIG_NAMESPACE}:voyagerStripePriceId\` is empty but \`voyagerStripeEnabled\` is true; expected a Stripe price id. Fix: \`pulumi config set --stack ${stack} voyagerStripePriceId price_...\` or set voyagerStripeEnabled false`,
      );
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
