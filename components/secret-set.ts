/**
 * A product's secrets in one place: the ones a person provides (provider API keys, from
 * encrypted stack config) and the ones we generate (HMAC, JWT, NextAuth and encryption keys)
 * with `@pulumi/random`, regenerated on a schedule by a `@pulumiverse/time` `Rotating` clock.
 *
 * Every value leaves this component as a Pulumi secret, so one generated value can feed several
 * sinks (Ask Dahlia's `WORKER_API_SECRET` reaches both the Vercel UI and the Kubernetes worker)
 * and stays encrypted in state and masked in previews all the way.
 *
 * Rotation: the `Rotating` resource notices that its time has passed when the provider reads it,
 * i.e. on `pulumi up --refresh` (or `pulumi refresh`); it is then recreated, its `rfc3339`
 * changes, and every generated password, whose `keepers` carry that timestamp, is replaced.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";
import { PlatformContext, TYPE_PREFIX, ValidationError, throwIfInvalid } from "./context";

const COMPONENT = "SecretSet";

/** Environment-variable style key: upper case, digits and underscores, starting with a letter. */
export const SECRET_KEY_PATTERN = /^[A-Z][A-Z0-9_]*$/;

/**
 * The shortest generated secret we accept (POLICIES.md 35). 32 is also exactly what ARA's
 * `ENCRYPTION_KEY` needs (seed 004: "32-character-encryption-key").
 */
export const MIN_GENERATED_LENGTH = 32;

/** The longest rotation period we accept: the seeds ask for quarterly; a year is the ceiling. */
export const MAX_ROTATION_MONTHS = 12;

/** How one generated secret is shaped. */
export interface GeneratedSecretSpec {
  /**
   * Number of characters; at least 32 (POLICIES.md 35).
   * @default 48
   */
  readonly length?: number;
  /**
   * Include special characters. Off by default so the value is safe in URLs, headers and
   * unquoted `.env` files.
   * @default false
   */
  readonly special?: boolean;
  /**
   * Include upper-case letters.
   * @default true
   */
  readonly upper?: boolean;
  /**
   * Include lower-case letters.
   * @default true
   */
  readonly lower?: boolean;
  /**
   * Include digits.
   * @default true
   */
  readonly numeric?: boolean;
}

/** The rotation schedule of the generated secrets. */
export interface SecretRotation {
  /**
   * Months between rotations (whole number, 1–12).
   * @default 3
   */
  readonly months: number;
}

export interface SecretSetArgs {
  /** Environment, product and owner of these secrets. */
  readonly context: PlatformContext;
  /**
   * Secrets a person provides, usually `config.requireSecret("openaiApiKey")` from encrypted
   * stack config. Each value is wrapped with `pulumi.secret` again, in case a caller passed a
   * plain string or output.
   * @default {}
   * @example { OPENAI_API_KEY: config.requireSecret("openaiApiKey") }
   */
  readonly provided?: Record<string, pulumi.Input<string>>;
  /**
   * Secrets generated with `random.RandomPassword` and replaced on every rotation.
   * @default {}
   * @example { JWT_SECRET: {}, ENCRYPTION_KEY: { length: 32 } }
   */
  readonly generated?: Record<string, GeneratedSecretSpec>;
  /**
   * When generated secrets are replaced. Seeds 000 ("Rotate provider API keys quarterly") and
   * 002 ("Rotate keys quarterly"); `rotatesAt` also reminds people when provided keys are due.
   * @default { months: 3 }
   */
  readonly rotation?: SecretRotation;
  /** Adjust a child's arguments without forking the component. */
  readonly transform?: {
    /** The `time.Rotating` clock. */
    readonly rotation?: (args: time.RotatingArgs) => time.RotatingArgs;
    /** Each `random.RandomPassword`, with the key it generates. */
    readonly password?: (args: random.RandomPasswordArgs, key: string) => random.RandomPasswordArgs;
  };
}

/** Defaults of one generated secret (seen in the `@default`s of `GeneratedSecretSpec`). */
export const GENERATED_SECRET_DEFAULTS: Required<GeneratedSecretSpec> = {
  length: 48,
  special: false,
  upper: true,
  lower: true,
  numeric: true,
};

/** Default rotation: quarterly (seeds 000 and 002). */
export const ROTATION_DEFAULTS: SecretRotation = { months: 3 };

/** `JWT_SECRET` → `jwt-secret`, used in child resource names. */
export function kebabKey(key: string): string {
  return key.toLowerCase().replace(/_/g, "-");
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The spec of one generated secret with its defaults applied. */
export function resolveGeneratedSpec(spec: GeneratedSecretSpec): Required<GeneratedSecretSpec> {
  return { ...GENERATED_SECRET_DEFAULTS, ...definedOnly(spec) };
}

/**
 * Every problem with the arguments, checked synchronously before anything is created.
 * Throws one `ValidationError` listing them all.
 */
export function validateSecretSetArgs(name: string, args: SecretSetArgs): void {
  const problems: string[] = [];
  const provided = args.provided ?? {};
  const generated = args.generated ?? {};

  const badKey = (where: string, key: string) =>
    `\`${where}\` key \`${key}\` is not an environment-variable name; use upper case letters, digits and underscores, starting with a letter (e.g. \`JWT_SECRET\`)`;

  for (const [key, value] of Object.entries(provided)) {
    if (!SECRET_KEY_PATTERN.test(key)) problems.push(badKey("provided", key));
    if (value === undefined || value === null || value === "") {
      problems.push(
        `\`provided.${key}\` is empty; set it with \`pulumi config set --secret <name> <value>\` and pass \`config.requireSecret(<name>)\``,
      );
    }
  }

  for (const [key, spec] of Object.entries(generated)) {
    if (!SECRET_KEY_PATTERN.test(key)) problems.push(badKey("generated", key));
    if (key in provided) {
      problems.push(
        `key \`${key}\` is both \`provided\` and \`generated\`; keep it in exactly one of them`,
      );
    }
    const s = resolveGeneratedSpec(spec ?? {});
    if (!Number.isInteger(s.length) || s.length < MIN_GENERATED_LENGTH) {
      problems.push(
        `\`generated.${key}.length\` is ${s.length}; a generated secret needs a whole number of at least ${MIN_GENERATED_LENGTH} characters (POLICIES.md 35), e.g. \`length: 48\``,
      );
    }
    if (!s.upper && !s.lower && !s.numeric) {
      problems.push(
        `\`generated.${key}\` disables \`upper\`, \`lower\` and \`numeric\`; enable at least one of them so the password is not drawn from special characters alone (POLICIES.md 35)`,
      );
    }
  }

  if (Object.keys(provided).length + Object.keys(generated).length === 0) {
    problems.push("`provided` and `generated` are both empty; declare at least one secret or drop the SecretSet");
  }

  const months = args.rotation?.months ?? ROTATION_DEFAULTS.months;
  if (!Number.isInteger(months) || months < 1 || months > MAX_ROTATION_MONTHS) {
    problems.push(
      `\`rotation.months\` is ${months}; use a whole number from 1 to ${MAX_ROTATION_MONTHS} (the seeds rotate quarterly: \`{ months: 3 }\`)`,
    );
  }

  throwIfInvalid(COMPONENT, name, problems);
}

/** A product's provided and generated secrets, every value a Pulumi secret. */
export class SecretSet extends pulumi.ComponentResource {
  /** Every secret by key, each one a Pulumi secret. */
  readonly values: Readonly<Record<string, pulumi.Output<string>>>;
  /** All keys, provided and generated, sorted. */
  readonly keys: readonly string[];
  /** The keys that are generated (and rotated by this component), sorted. */
  readonly generatedKeys: readonly string[];
  /**
   * When the generated secrets are next replaced (RFC 3339), on the next refreshing `up`;
   * undefined when the set generates nothing (then there is nothing to rotate).
   */
  readonly rotatesAt?: pulumi.Output<string>;

  private readonly setName: string;

  constructor(name: string, args: SecretSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:secrets:${COMPONENT}`, name, {}, opts);
    validateSecretSetArgs(name, args);
    this.setName = name;

    const rotation: SecretRotation = { ...ROTATION_DEFAULTS, ...definedOnly(args.rotation) };
    const generated = Object.entries(args.generated ?? {});
    // Provided secrets rotate where they are issued; only generated ones need the keeper.
    const rotating = generated.length > 0 ? this.createRotation(name, rotation, args) : undefined;

    const values: Record<string, pulumi.Output<string>> = {};
    for (const [key, value] of Object.entries(args.provided ?? {})) {
      values[key] = pulumi.secret(value);
    }
    for (const [key, spec] of generated) {
      const password = this.createPassword(name, key, resolveGeneratedSpec(spec ?? {}), rotating!, args);
      values[key] = pulumi.secret(password.result);
    }

    this.values = Object.freeze(values);
    this.keys = Object.freeze(Object.keys(values).sort());
    this.generatedKeys = Object.freeze(Object.keys(args.generated ?? {}).sort());
    this.rotatesAt = rotating?.rotationRfc3339;

    this.registerOutputs({ keys: this.keys, rotatesAt: this.rotatesAt });
  }

  /** The secret stored under `key`; throws naming the key and this set when it is absent. */
  get(key: string): pulumi.Output<string> {
    const value = this.values[key];
    if (value === undefined) {
      throw new ValidationError(
        `SecretSet "${this.setName}" has no key \`${key}\`; known keys: ${this.keys.join(", ") || "(none)"}. ` +
          "Add it to `provided` or `generated`.",
      );
    }
    return value;
  }

  /** The named secrets as a record, e.g. for `VercelApp.secretEnv`; throws like `get`. */
  pick(...keys: string[]): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(keys.map((k) => [k, this.get(k)]));
  }

  private createRotation(name: string, rotation: SecretRotation, args: SecretSetArgs): time.Rotating {
    const base: time.RotatingArgs = { rotationMonths: rotation.months };
    return new time.Rotating(`${name}-rotation`, args.transform?.rotation?.(base) ?? base, { parent: this });
  }

  private createPassword(
    name: string,
    key: string,
    spec: Required<GeneratedSecretSpec>,
    rotating: time.Rotating,
    args: SecretSetArgs,
  ): random.RandomPassword {
    const base: random.RandomPasswordArgs = {
      length: spec.length,
      special: spec.special,
      upper: spec.upper,
      lower: spec.lower,
      numeric: spec.numeric,
      // A new rotation timestamp replaces the password.
      keepers: { rotation: rotating.rfc3339 },
    };
    const final = args.transform?.password?.(base, key) ?? base;
    return new random.RandomPassword(`${name}-${kebabKey(key)}`, final, {
      parent: this,
      additionalSecretOutputs: ["result"],
    });
  }
}
