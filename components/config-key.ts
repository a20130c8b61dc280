/**
 * How a plain (non-secret) config key is declared, by the platform (`infra/config-keys.ts`) and by
 * each product (`stacks/<product>.ts`, its `configKeys`). `infra/` gathers every declaration into
 * one table, from which it validates stack config, writes Pulumi.yaml's `config:` block and the
 * README's config reference.
 *
 * Pulumi.yaml can only declare `string`, `integer`, `boolean` and `array` config types, so config is
 * flat: one key per knob, named in camelCase (a product's keys start with its camelCase id).
 */
import { z } from "zod";
import type { Environment } from "./context";

export type ConfigKeyType = "string" | "integer" | "boolean" | "array";

/** What a key's `check` learns about the stack besides the value. */
export interface ConfigKeyFacts {
  readonly environment: Environment;
}

/** A problem a `check` found: a sentence, and the value that fixes it (for the `pulumi config set` hint). */
export interface ConfigKeyProblem {
  readonly problem: string;
  readonly fix: string;
}

export interface PlainConfigKey<K extends string = string, S extends z.ZodType = z.ZodType> {
  /** Key within the `app-platform` namespace. */
  readonly key: K;
  readonly type: ConfigKeyType;
  /** One sentence for Pulumi.yaml and the README; cite the seed a value comes from. */
  readonly description: string;
  /** Default applied when the stack does not set the key; absent means required. */
  readonly default?: string | number | boolean | readonly string[];
  /** The expected form, shown in error messages. */
  readonly form: string;
  /** Validates the value after type conversion; its output type is the key's type in the stack config. */
  readonly schema: S;
  /** An example value for error messages' `pulumi config set` hint. */
  readonly example: string;
  /**
   * A check of the valid value that depends on the environment (e.g. prod's replica floor), run
   * after `schema`; it travels with the key, so renaming the key cannot drop it. @default none
   */
  check?(value: z.output<S>, facts: ConfigKeyFacts): ConfigKeyProblem | undefined;
}

/** Declares a key, keeping its name and schema types so the typed config can be derived from a table of keys. */
export function configKey<const K extends string, S extends z.ZodType>(k: PlainConfigKey<K, S>): PlainConfigKey<K, S> {
  return k;
}

/** The validated values of a table of keys, one field per key, typed by the key's schema. */
export type ConfigValues<Keys extends readonly PlainConfigKey[]> = {
  readonly [E in Keys[number] as E["key"]]: z.output<E["schema"]>;
};

// ---- schemas shared by the platform's and the products' keys ----------------------------------

export const dnsName = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name");
export const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a DNS label (a-z, 0-9, -)");
export const httpsUrl = z.string().regex(/^https:\/\/[^\s/]+(\/[^\s]*)?$/, "must be an https:// URL");
/** An image digest: `sha256:` and 64 lower-case hex characters (immutable). */
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
/** A pinned image: a tag (not empty, not `latest`) or a `sha256:` digest. */
export const imageTag = z
  .string()
  .regex(/^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/, "must be a Docker image tag or a sha256: digest")
  .refine((t) => t !== "latest", "must be pinned; `latest` is not allowed");
/** The image of `repository` pinned by an `imageTag` value: a digest goes to `digest`, anything else to `tag`. */
export function imageAt(repository: string, tagOrDigest: string): { readonly repository: string; readonly tag?: string; readonly digest?: string } {
  return IMAGE_DIGEST.test(tagOrDigest) ? { repository, digest: tagOrDigest } : { repository, tag: tagOrDigest };
}
export const imageRepository = z
  .string()
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, "must be an image repository without a tag");
/** `repository:tag` with a pinned tag (the registry may carry a port). */
export const pinnedImage = z
  .string()
  .regex(/^[^\s:]+(:[0-9]+)?(\/[^\s:]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be repository:tag")
  .refine((s) => !s.endsWith(":latest"), "must be pinned; `latest` is not allowed");
export const positiveInt = (max: number) => z.number().int().min(1).max(max);
/** An OpenAI model id (`gpt-4o`, `gpt-3.5-turbo`, `o3-mini`, fine-tunes `ft:...`). */
export const openaiModel = z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,127}$/, "must be an OpenAI model id such as gpt-4o");
/** An Anthropic model id (`claude-3-5-sonnet-20240620`, `claude-sonnet-4-20250514`). */
export const anthropicModel = z.string().regex(/^claude-[a-z0-9][a-z0-9.-]{0,127}$/, "must be an Anthropic model id such as claude-sonnet-4-20250514");
/** A downstream service's base URL, or empty (unset). */
export const serviceUrl = z.string().regex(/^$|^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, "must be an http:// or https:// base URL, or empty");

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
