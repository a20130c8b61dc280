/**
 * A product's secrets in one place: the ones a person provides (provider API keys, from
 * encrypted stack config) and the ones we generate (HMAC, JWT, NextAuth and encryption keys)
 * with `@pulumi/random`, replaced on a schedule.
 *
 * Every value leaves this component as a Pulumi secret, so one generated value can feed several
 * sinks (Ask Dahlia's `WORKER_API_SECRET` reaches both the Vercel UI and the Kubernetes worker)
 * and stays encrypted in state and masked in previews all the way.
 *
 * Rotation is keyed on the date, in the program: the calendar is cut into periods of
 * `rotation.months` months (quarters by default: January, April, July, October, UTC), and each
 * rotating password's `keepers` carry the first day of its period. The first `pulumi up` (or
 * preview) in a new period sees new keepers and replaces the password; no refresh and no
 * `time.Rotating` resource is involved, so nothing has to read the clock in the cloud, and a
 * refresh never finds "drift" just because a date passed. The clock is an argument (`clock`),
 * so tests pin it.
 *
 * A key marked `keepPrevious` lives in two passwords that take turns, one per epoch parity (the
 * epoch is the period plus the key's on-demand rotations, `onDemand`): in epoch E the current value
 * is the slot renewed at E, the previous value the other slot, renewed at E-1 and left alone
 * (`ignoreChanges: ["keepers"]`, so its keepers are the applied ones). So `previous(key)` is
 * exactly the value before, and a rotation replaces only the other slot. When the left-alone
 * slot's keepers are not E-1's (no `up` for a whole period, or two on-demand rotations at once),
 * renewing would replace the value the apps use: the program fails, naming the way out
 * (`checkRotationGap`).
 *
 * A key marked `dataKey` encrypts stored data; replacing it would make that data unreadable, so
 * it never rotates automatically (asking for it is a validation error), ignores keeper changes
 * (an old keeper in state never forces a replacement) and is protected in prod.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PlatformContext, TYPE_PREFIX, ValidationError, isProd, throwIfInvalid } from "../context";

const COMPONENT = "SecretSet";

/** Environment-variable style key: upper case, digits and underscores, starting with a letter. */
export const SECRET_KEY_PATTERN = /^[A-Z][A-Z0-9_]*$/;

/**
 * The shortest generated secret we accept (`random-configure-password-strength`). 32 is also exactly what ARA's
 * `ENCRYPTION_KEY` needs (seed 004: "32-character-encryption-key").
 */
export const MIN_GENERATED_LENGTH = 32;

/** The longest rotation period we accept: the seeds ask for quarterly; a year is the ceiling. */
export const MAX_ROTATION_MONTHS = 12;

/** How one generated secret is shaped. */
export interface GeneratedSecretSpec {
  /**
   * Number of characters; at least 32 (`random-configure-password-strength`).
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
  /**
   * The key encrypts stored data (e.g. seed 004's `ENCRYPTION_KEY`): replacing it makes that data
   * unreadable. It is never rotated automatically (`rotate: true` is refused), keeper changes are
   * ignored and the password is protected in prod. Rotate it by hand after re-encrypting the data.
   * @default false
   */
  readonly dataKey?: boolean;
  /**
   * Replace the value at the start of every rotation period.
   * @default true, or false for a `dataKey`
   */
  readonly rotate?: boolean;
  /**
   * Also deliver last period's value (`previous(key)`), for one period, so a signing secret shared
   * by several apps rotates without a window in which they disagree: verifiers accept the current
   * or the previous value, signers use the current one. Only for rotating keys.
   * @default false
   */
  readonly keepPrevious?: boolean;
}

/** The rotation schedule of the generated secrets. */
export interface SecretRotation {
  /**
   * Months between rotations (whole number, 1–12). Periods are aligned to the calendar (UTC):
   * with 3, they start on 1 January, 1 April, 1 July and 1 October.
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
  /**
   * On-demand rotations (after a compromise, seed 002), by generated key: how many times the key
   * was rotated besides the schedule. Raising a key's count by one rotates it on the next `up`,
   * with the same overlap as the scheduled rotation (a `keepPrevious` key's old value moves to
   * `_PREVIOUS`); keep the count afterwards (lowering it is refused). From stack config
   * `secretRotationOnDemand`.
   * @default {}
   */
  readonly onDemand?: Readonly<Record<string, number>>;
  /**
   * The clock that decides the current rotation period. Tests pass a fixed date.
   * @default () => new Date()
   */
  readonly clock?: () => Date;
  /** Adjust a child's arguments without forking the component. */
  readonly transform?: {
    /** Each `random.RandomPassword`, with the key it generates (slots of a `keepPrevious` key alike). */
    readonly password?: (args: random.RandomPasswordArgs, key: string) => random.RandomPasswordArgs;
  };
}

/** Defaults of one generated secret's shape (seen in the `@default`s of `GeneratedSecretSpec`). */
export const GENERATED_SECRET_DEFAULTS = {
  length: 48,
  special: false,
  upper: true,
  lower: true,
  numeric: true,
} as const satisfies Omit<Required<GeneratedSecretSpec>, "dataKey" | "rotate" | "keepPrevious">;

/** Suffix of the environment variable that carries a `keepPrevious` key's previous value. */
export const PREVIOUS_SUFFIX = "_PREVIOUS";

/** `WORKER_API_SECRET` → `WORKER_API_SECRET_PREVIOUS`. */
export function previousKey(key: string): string {
  return `${key}${PREVIOUS_SUFFIX}`;
}

/**
 * The index of the rotation period `date` falls in: whole periods of `months` months counted from
 * January of year 0 (UTC), so periods are aligned to the calendar (quarters start in January,
 * April, July and October).
 */
export function rotationPeriod(date: Date, months: number): number {
  return Math.floor((date.getUTCFullYear() * 12 + date.getUTCMonth()) / months);
}

/** The first day of rotation period `period`, `YYYY-MM-01`. */
export function rotationPeriodStart(period: number, months: number): string {
  const m = period * months;
  const year = Math.floor(m / 12);
  const month = (m % 12) + 1;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-01`;
}

/** The latest period up to `current` whose parity is `slot` (0 even, 1 odd): when that slot was last renewed. */
export function slotPeriod(current: number, slot: 0 | 1): number {
  return current % 2 === slot ? current : current - 1;
}

/** The name `transform.password` sees for the digest key (`SecretSet.digestKey`), which is no environment variable. */
export const DIGEST_KEY = "(digest key)";

/** Characters of the digest key: 64, so its HMAC-SHA256 keys carry well over 256 bits. */
export const DIGEST_KEY_LENGTH = 64;

/** The stack config key that lists on-demand rotations (`infra/config-keys.ts`), for messages. */
export const ON_DEMAND_CONFIG_KEY = "secretRotationOnDemand";

/**
 * A rotating key's epoch: its rotation period plus its on-demand rotations. Every step of one
 * (a new period, or one more on-demand rotation) replaces exactly one slot of a `keepPrevious` key.
 */
export function rotationEpoch(period: number, onDemand: number): number {
  return period + onDemand;
}

/** The keepers of a rotating password renewed in `period` after `onDemand` on-demand rotations (no `onDemand` entry at 0, as before on-demand rotation existed). */
export function rotationKeepers(period: number, months: number, onDemand: number): Record<string, string> {
  return { rotation: rotationPeriodStart(period, months), ...(onDemand > 0 ? { onDemand: String(onDemand) } : {}) };
}

/** The epoch a slot's keepers (from state) stand for, or undefined when they are not ours. */
export function epochOfKeepers(keepers: Readonly<Record<string, string>> | undefined, months: number): number | undefined {
  const m = /^(\d{4})-(\d{2})-01$/.exec(keepers?.rotation ?? "");
  if (!m) return undefined;
  const period = rotationPeriod(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)), months);
  return rotationEpoch(period, Number(keepers?.onDemand ?? 0));
}

/**
 * Refuses to rotate a `keepPrevious` key when its previous slot (left alone this run, so its
 * keepers are the applied ones) does not hold the value of the epoch just before this one: then
 * no `up` ran during a whole rotation period (or the on-demand count jumped), and renewing the
 * current slot would replace the value the apps use while the other slot holds an older one.
 */
export function checkRotationGap(setName: string, key: string, applied: number | undefined, expected: number, slotUrn: string, months: number): void {
  if (applied === undefined || applied === expected) return;
  const later = applied > expected;
  throw new ValidationError(
    `SecretSet "${setName}": \`${key}\` cannot rotate with overlap: its previous slot holds the value of ${applied} but this run needs that of ${expected} (epochs: rotation periods of ${months} months plus on-demand rotations). ` +
      (later
        ? `The count in \`${ON_DEMAND_CONFIG_KEY}\` went down or the clock went back; restore the entries of \`${ON_DEMAND_CONFIG_KEY}\` for \`${key}\`.`
        : `No \`pulumi up\` ran during a whole rotation period (or \`${ON_DEMAND_CONFIG_KEY}\` gained more than one entry for it), so renewing the current slot would replace the value the apps still use. ` +
          `Fix: accept one rotation without overlap (the apps get both new values in this \`up\`; the old one stops working once the workloads have rolled): \`pulumi up --replace '${slotUrn}'\`; or remove the extra \`${ON_DEMAND_CONFIG_KEY}\` entries.`),
  );
}

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
  const dataKey = spec.dataKey ?? false;
  return {
    ...GENERATED_SECRET_DEFAULTS,
    dataKey,
    rotate: !dataKey,
    keepPrevious: false,
    ...definedOnly(spec),
  };
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
      problems.push(`\`provided.${key}\` is empty; set it with \`pulumi config set --secret <name> <value>\` and pass \`config.requireSecret(<name>)\``);
    }
  }

  for (const [key, spec] of Object.entries(generated)) {
    if (!SECRET_KEY_PATTERN.test(key)) problems.push(badKey("generated", key));
    if (key in provided) {
      problems.push(`key \`${key}\` is both \`provided\` and \`generated\`; keep it in exactly one of them`);
    }
    const s = resolveGeneratedSpec(spec ?? {});
    if (!Number.isInteger(s.length) || s.length < MIN_GENERATED_LENGTH) {
      problems.push(
        `\`generated.${key}.length\` is ${s.length}; a generated secret needs a whole number of at least ${MIN_GENERATED_LENGTH} characters (random-configure-password-strength), e.g. \`length: 48\``,
      );
    }
    if (!s.upper && !s.lower && !s.numeric) {
      problems.push(
        `\`generated.${key}\` disables \`upper\`, \`lower\` and \`numeric\`; enable at least one of them so the password is not drawn from special characters alone (random-configure-password-strength)`,
      );
    }
    if (s.dataKey && s.rotate) {
      problems.push(
        `\`generated.${key}\` is a data key (\`dataKey: true\`) with \`rotate: true\`; replacing a key that encrypts stored data makes that data unreadable, so it is never rotated automatically — drop \`rotate\` (re-encrypt the data, then replace the key by hand)`,
      );
    }
    if (s.keepPrevious && !s.rotate) {
      problems.push(`\`generated.${key}.keepPrevious\` is set but the key does not rotate; there is no previous value to keep — drop \`keepPrevious\``);
    }
    if (s.keepPrevious && previousKey(key) in generated) {
      problems.push(`\`generated.${key}.keepPrevious\` needs the key \`${previousKey(key)}\`, which is already a generated secret; rename one`);
    }
    if (s.keepPrevious && previousKey(key) in provided) {
      problems.push(`\`generated.${key}.keepPrevious\` needs the key \`${previousKey(key)}\`, which is already a provided secret; rename one`);
    }
  }

  if (Object.keys(provided).length + Object.keys(generated).length === 0) {
    problems.push("`provided` and `generated` are both empty; declare at least one secret or drop the SecretSet");
  }

  for (const [key, count] of Object.entries(args.onDemand ?? {})) {
    const spec = key in generated ? resolveGeneratedSpec(generated[key] ?? {}) : undefined;
    if (spec === undefined || !spec.rotate) {
      const rotating = Object.entries(generated)
        .filter(([, g]) => resolveGeneratedSpec(g ?? {}).rotate)
        .map(([k]) => k);
      problems.push(
        `\`${ON_DEMAND_CONFIG_KEY}\` rotates \`${key}\`, which is not a rotating generated secret of this product (${spec?.dataKey ? "a data key never rotates automatically" : key in provided ? "a provided secret is rotated by setting a new value" : "no such generated secret"}); name one of: ${rotating.join(", ") || "(none)"}`,
      );
    }
    if (!Number.isInteger(count) || count < 0) {
      problems.push(`\`onDemand.${key}\` is ${count}; the number of on-demand rotations is a whole number from 0`);
    }
  }

  const months = args.rotation?.months ?? ROTATION_DEFAULTS.months;
  if (!Number.isInteger(months) || months < 1 || months > MAX_ROTATION_MONTHS) {
    problems.push(`\`rotation.months\` is ${months}; use a whole number from 1 to ${MAX_ROTATION_MONTHS} (the seeds rotate quarterly: \`{ months: 3 }\`)`);
  }
  if (args.clock !== undefined && (typeof args.clock !== "function" || Number.isNaN(args.clock().getTime()))) {
    problems.push("`clock` must be a function returning a valid `Date`, e.g. `() => new Date()`");
  }

  throwIfInvalid(COMPONENT, name, problems);
}

/**
 * Resource options of a generated password beyond its parent: a data key is never replaced by the
 * program — an old keeper in state (from the days of `time.Rotating`) must not force a new key —
 * and prod refuses to delete it.
 */
export function passwordResourceOptions(
  spec: Pick<Required<GeneratedSecretSpec>, "dataKey">,
  context: Pick<PlatformContext, "environment">,
): { ignoreChanges?: string[]; protect?: boolean } {
  return spec.dataKey ? { ignoreChanges: ["keepers"], protect: isProd(context) } : {};
}

/** A product's provided and generated secrets, every value a Pulumi secret. */
export class SecretSet extends pulumi.ComponentResource {
  /** Every secret by key (the current value of generated ones), each one a Pulumi secret. */
  readonly values: Readonly<Record<string, pulumi.Output<string>>>;
  /** Last period's value of each `keepPrevious` key, by key (not `_PREVIOUS`), each a Pulumi secret. */
  readonly previousValues: Readonly<Record<string, pulumi.Output<string>>>;
  /**
   * Key of the digests that redeploy what reads these secrets (`envDigest`: the pods' secret
   * checksum, the Vercel apps' redeploy key): a generated 64-character secret that never rotates
   * and that no app receives, so a digest shown in the cluster or in Vercel says nothing about
   * the values. A Pulumi secret.
   */
  readonly digestKey: pulumi.Output<string>;
  /** All keys, provided and generated, sorted. */
  readonly keys: readonly string[];
  /** The keys that are generated, sorted. */
  readonly generatedKeys: readonly string[];
  /** The generated keys replaced at every rotation period, sorted (not the data keys). */
  readonly rotatingKeys: readonly string[];
  /**
   * The first day (`YYYY-MM-01`) of the current rotation period: the version of every rotating
   * value, e.g. to redeploy what reads them when it changes. Undefined when nothing rotates.
   */
  readonly rotationVersion?: string;
  /**
   * When the rotating secrets are next replaced (RFC 3339, UTC midnight of the next period's first
   * day), on the first `pulumi up` from then on; undefined when nothing rotates.
   */
  readonly rotatesAt?: string;

  private readonly setName: string;

  constructor(name: string, args: SecretSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:secrets:${COMPONENT}`, name, {}, opts);
    validateSecretSetArgs(name, args);
    this.setName = name;

    const rotation: SecretRotation = { ...ROTATION_DEFAULTS, ...definedOnly(args.rotation) };
    const now = (args.clock ?? (() => new Date()))();
    const period = rotationPeriod(now, rotation.months);
    const generated = Object.entries(args.generated ?? {}).map(([key, spec]) => [key, resolveGeneratedSpec(spec ?? {})] as const);

    const values: Record<string, pulumi.Output<string>> = {};
    const previousValues: Record<string, pulumi.Output<string>> = {};
    for (const [key, value] of Object.entries(args.provided ?? {})) {
      values[key] = pulumi.secret(value);
    }
    for (const [key, spec] of generated) {
      const onDemand = args.onDemand?.[key] ?? 0;
      if (!spec.rotate) {
        values[key] = pulumi.secret(this.createPassword(`${name}-${kebabKey(key)}`, key, spec, undefined, args).result);
      } else if (!spec.keepPrevious) {
        const keepers = rotationKeepers(period, rotation.months, onDemand);
        values[key] = pulumi.secret(this.createPassword(`${name}-${kebabKey(key)}`, key, spec, keepers, args).result);
      } else {
        // Two slots take turns, one per epoch (period plus on-demand rotations): the slot of this
        // epoch's parity is renewed and current; the other holds the previous epoch's value and is
        // left alone (`ignoreChanges`), so its keepers are what was applied, checked below.
        const epoch = rotationEpoch(period, onDemand);
        const current = epoch % 2;
        const slots = ([0, 1] as const).map((slot) =>
          this.createPassword(
            `${name}-${kebabKey(key)}-${slot === 0 ? "even" : "odd"}`,
            key,
            spec,
            slot === current ? rotationKeepers(period, rotation.months, onDemand) : rotationKeepers(period - 1, rotation.months, onDemand),
            args,
            slot === current ? undefined : { ignoreChanges: ["keepers"] },
          ),
        );
        const previousSlot = slots[1 - current];
        const checked = pulumi.all([previousSlot.keepers, previousSlot.urn]).apply(([keepers, urn]) => {
          checkRotationGap(name, key, epochOfKeepers(keepers, rotation.months), epoch - 1, urn, rotation.months);
          return true;
        });
        values[key] = pulumi.secret(pulumi.all([checked, slots[current].result]).apply(([, v]) => v));
        previousValues[key] = pulumi.secret(pulumi.all([checked, previousSlot.result]).apply(([, v]) => v));
      }
    }

    const digestSpec = resolveGeneratedSpec({ length: DIGEST_KEY_LENGTH, rotate: false });
    this.digestKey = pulumi.secret(this.createPassword(`${name}-digest-key`, DIGEST_KEY, digestSpec, undefined, args).result);

    this.values = Object.freeze(values);
    this.previousValues = Object.freeze(previousValues);
    this.keys = Object.freeze(Object.keys(values).sort());
    this.generatedKeys = Object.freeze(generated.map(([k]) => k).sort());
    this.rotatingKeys = Object.freeze(
      generated
        .filter(([, s]) => s.rotate)
        .map(([k]) => k)
        .sort(),
    );
    if (this.rotatingKeys.length > 0) {
      this.rotationVersion = rotationPeriodStart(period, rotation.months);
      this.rotatesAt = `${rotationPeriodStart(period + 1, rotation.months)}T00:00:00Z`;
    }

    this.registerOutputs({ keys: this.keys, rotationVersion: this.rotationVersion, rotatesAt: this.rotatesAt });
  }

  /** The secret stored under `key`; throws naming the key and this set when it is absent. */
  get(key: string): pulumi.Output<string> {
    const value = this.values[key];
    if (value === undefined) {
      throw new ValidationError(
        `SecretSet "${this.setName}" has no key \`${key}\`; known keys: ${this.keys.join(", ") || "(none)"}. ` + "Add it to `provided` or `generated`.",
      );
    }
    return value;
  }

  /** Last period's value of a `keepPrevious` key, or undefined when the key keeps none. */
  previous(key: string): pulumi.Output<string> | undefined {
    this.get(key);
    return this.previousValues[key];
  }

  /** The named secrets as a record, e.g. for `VercelApp.secretEnv`; throws like `get`. */
  pick(...keys: string[]): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(keys.map((k) => [k, this.get(k)]));
  }

  private createPassword(
    resourceName: string,
    key: string,
    spec: Required<GeneratedSecretSpec>,
    keepers: Record<string, string> | undefined,
    args: SecretSetArgs,
    extraOptions: { ignoreChanges?: string[] } = {},
  ): random.RandomPassword {
    const base: random.RandomPasswordArgs = {
      length: spec.length,
      special: spec.special,
      upper: spec.upper,
      lower: spec.lower,
      numeric: spec.numeric,
      // A new period start replaces the password (every input of a RandomPassword forces a new one).
      ...(keepers ? { keepers } : {}),
    };
    const final = args.transform?.password?.(base, key) ?? base;
    return new random.RandomPassword(resourceName, final, {
      parent: this,
      additionalSecretOutputs: ["result"],
      ...passwordResourceOptions(spec, args.context),
      ...extraOptions,
    });
  }
}
