/**
 * What looks like a secret: names (env var keys, ConfigMap keys) and values (token formats, PEM
 * private keys, URLs with a password). Used by the env-literal, ConfigMap, Vercel and token rules.
 */

/** Known token formats: a literal of one of these is a leaked credential. */
export const TOKEN_PATTERNS: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  { kind: "AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: "GitHub token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { kind: "Stripe live key", pattern: /\b(sk|rk)_live_[0-9A-Za-z]{10,}/ },
  { kind: "Slack token", pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,}/ },
  { kind: "Anthropic API key", pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/ },
  { kind: "OpenAI API key", pattern: /\bsk-(proj-)?[A-Za-z0-9_-]{20,}/ },
  { kind: "Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  // Any run of three or more dashes: keys pasted by hand or cut by tools keep "---BEGIN ... PRIVATE KEY---".
  { kind: "PEM private key", pattern: /-{3,} ?BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)? ?-{3,}/ },
];

/** The kind of token `value` contains, if any. */
export function findToken(value: string): string | undefined {
  return TOKEN_PATTERNS.find((t) => t.pattern.test(value))?.kind;
}

/** A URL carrying a password (`scheme://user:password@host`). */
export function hasUrlCredentials(value: string): boolean {
  return /[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:[^\s@/]+@/i.test(value);
}

/** Why a value looks secret, or undefined. */
export function secretValueReason(value: string): string | undefined {
  const token = findToken(value);
  if (token) return `contains a ${token}`;
  if (hasUrlCredentials(value)) return "is a URL with a password";
  return undefined;
}

/** Name parts that mark a secret (split on `_`, `-`, `.`, camelCase). */
const SECRET_WORDS = new Set([
  "SECRET",
  "SECRETS",
  "PASSWORD",
  "PASSWD",
  "PASSPHRASE",
  "TOKEN",
  "TOKENS",
  "CREDENTIAL",
  "CREDENTIALS",
  "APIKEY",
  "PRIVATEKEY",
  "HMAC",
  "SALT",
]);
/** Names that are secret as a whole (connection strings carry passwords). */
const SECRET_NAMES = /(^|_)(DATABASE_URL|DB_URL|REDIS_URL|POSTGRES_URL|MONGODB_URI|CONNECTION_STRING)$/;
/** `*_KEY` names that are public by design. */
const PUBLIC_KEY_NAMES = /(PUBLISHABLE|PUBLIC|ANON|SITE)_KEY$|^KEY_(ID|PREFIX)$|_KEY_ID$/;

/** Normalises `clientSecret`, `client-secret`, `client.secret` to `CLIENT_SECRET`. */
function normalise(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[-.\s]+/g, "_")
    .toUpperCase();
}

/**
 * True when a key/variable name looks like it holds a secret, e.g. `JWT_SECRET`, `DATABASE_URL`,
 * `OPENAI_API_KEY`, `ENCRYPTION_KEY`, `dbPassword`. `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`,
 * `SUPABASE_ANON_KEY` and `AWS_ACCESS_KEY_ID` do not.
 */
export function isSecretName(name: string): boolean {
  const n = normalise(name);
  if (PUBLIC_KEY_NAMES.test(n)) return false;
  if (SECRET_NAMES.test(n)) return true;
  const words = n.split("_").filter((w) => w !== "");
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  // API_KEY, ACCESS_KEY, PRIVATE_KEY, ENCRYPTION_KEY, OPENAI_KEY ... : a name ending in KEY.
  return words.length > 0 && words[words.length - 1] === "KEY";
}
