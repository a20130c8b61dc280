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
  // Any run of three or more dashes: parsers such as Go's encoding/pem and OpenSSL locate the
  // BEGIN line by its text, and a key written with `---` is just as leaked.
  { kind: "PEM private key", pattern: /-{3,}\s*BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?\s*-{3,}/ },
];

/** The kind of token `value` contains, if any. */
export function findToken(value: string): string | undefined {
  return TOKEN_PATTERNS.find((t) => t.pattern.test(value))?.kind;
}

/** A URL carrying a password (`scheme://user:password@host`). */
export function hasUrlCredentials(value: string): boolean {
  return /[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:[^\s@/]+@/i.test(value);
}

/** URLs that are credentials themselves: whoever has one can post as the integration. */
export const CREDENTIAL_URLS: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  { kind: "Slack webhook URL", pattern: /https:\/\/hooks\.slack\.com\/(services|workflows|triggers)\/[A-Za-z0-9_/-]{10,}/ },
  { kind: "Discord webhook URL", pattern: /https:\/\/(?:(?:canary|ptb)\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{20,}/ },
  { kind: "Microsoft Teams webhook URL", pattern: /https:\/\/[a-z0-9-]+\.webhook\.office\.com\/webhookb2\/[A-Za-z0-9@/_-]{20,}/ },
  { kind: "Google Chat webhook URL", pattern: /https:\/\/chat\.googleapis\.com\/v1\/spaces\/[^/\s]+\/messages\?[^\s]*key=[^\s&]+/ },
];

/** Why a value looks secret by the pack's own patterns (token formats, credential URLs), or undefined. Synchronous. */
export function secretValueReason(value: string): string | undefined {
  const token = findToken(value);
  if (token) return `contains a ${token}`;
  const url = CREDENTIAL_URLS.find((u) => u.pattern.test(value));
  if (url) return `is a ${url.kind}`;
  if (hasUrlCredentials(value)) return "is a URL with a password";
  return undefined;
}

type SecretlintCore = { lintSource: (args: unknown) => Promise<{ messages: { ruleId: string; messageId?: string }[] }> };
type SecretlintPreset = { creator: unknown };
let secretlint: { core: SecretlintCore; config: unknown } | undefined;

/**
 * secretlint's recommended preset (@secretlint/secretlint-rule-preset-recommend: AWS, GCP,
 * GitHub, npm, Slack, OpenAI, private keys, basic auth, ...), loaded on first use: its modules
 * are ES modules (Node 20.19+ loads them with `require`) and take about a second to load, which
 * the pack's start-up must not pay when no value needs it. Values shorter than a token are not
 * linted.
 */
async function secretlintReason(value: string): Promise<string | undefined> {
  if (value.length < 16) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
  secretlint ??= (() => {
    const core = require("@secretlint/core") as SecretlintCore;
    const preset = require("@secretlint/secretlint-rule-preset-recommend") as SecretlintPreset;
    return { core, config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: preset.creator }] } };
  })();
  /* eslint-enable @typescript-eslint/no-require-imports */
  const result = await secretlint.core.lintSource({
    source: { content: value, filePath: "/policy-value.txt", ext: ".txt", contentType: "text" },
    options: { config: secretlint.config, maskSecrets: true, noPhysicFilePath: true },
  });
  const hit = result.messages[0];
  return hit
    ? `contains a secret (secretlint ${hit.ruleId.replace("@secretlint/secretlint-rule-", "")}${hit.messageId ? ` ${hit.messageId}` : ""})`
    : undefined;
}

/**
 * Why a value looks secret, or undefined: the pack's own patterns first (synchronous, cheap),
 * then secretlint's recommended preset.
 */
export async function detectSecretValue(value: string): Promise<string | undefined> {
  return secretValueReason(value) ?? (await secretlintReason(value));
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
/**
 * Names that are secret as a whole or by their ending: connection strings and DSNs carry
 * passwords, a webhook URL is the credential, `*_KEY_CONTENT` holds a key file, and the
 * well-known client variables (`PGPASSWORD`, `MYSQL_PWD`, `REDISCLI_AUTH`).
 */
const SECRET_NAMES =
  /(^|_)(DATABASE_URL|DB_URL|REDIS_URL|POSTGRES_URL|MONGODB_URI|CONNECTION_STRING|DSN|WEBHOOK_URL|WEBHOOK|KEY_CONTENT|KEY_DATA|KEY_PEM|PGPASSWORD|MYSQL_PWD|REDISCLI_AUTH)$/;
/**
 * `*_KEY` names and DSNs that are public by design. A Sentry DSN carries only the project's
 * public key (Sentry docs: "DSNs are safe to keep public").
 */
const PUBLIC_KEY_NAMES = /(PUBLISHABLE|PUBLIC|ANON|SITE)_KEY$|^KEY_(ID|PREFIX)$|_KEY_ID$|(^|_)SENTRY_DSN$/;
/** Fragments that mark a secret inside a compound word (`PGPASSWORD`, `CLIENTSECRET`, `GITHUBTOKEN`). */
const SECRET_FRAGMENTS = /PASSWORD|PASSWD|PASSPHRASE|PRIVATEKEY|APIKEY|CREDENTIAL|SECRETS?$|TOKENS?$/;

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
  if (words.some((w) => SECRET_WORDS.has(w) || SECRET_FRAGMENTS.test(w))) return true;
  // PWD is a secret as a part (MYSQL_PWD, DB_PWD), not as a whole (the shell's PWD, OLDPWD).
  if (words.length > 1 && words.includes("PWD")) return true;
  // API_KEY, ACCESS_KEY, PRIVATE_KEY, ENCRYPTION_KEY, OPENAI_KEY ... : a name ending in KEY.
  return words.length > 0 && words[words.length - 1] === "KEY";
}
