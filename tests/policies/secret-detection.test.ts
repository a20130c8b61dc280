/**
 * Rule 74: secret values by a maintained detector (secretlint's recommended preset) plus
 * credential-bearing URLs, and names matched whole and by parts. Token shapes follow the
 * providers' documented formats (Slack incoming webhooks api.slack.com/messaging/webhooks,
 * Discord webhooks discord.com/developers/docs/resources/webhook, npm granular tokens `npm_` + 36).
 */
import { describe, expect, it } from "vitest";
import { disallowSecretEnvLiterals } from "../../policies/kubernetes/disallow-secret-env-literals";
import { disallowSecretsInConfigmaps } from "../../policies/kubernetes/disallow-secrets-in-configmaps";
import { disallowTokenLiterals } from "../../policies/stack/disallow-token-literals";
import { disallowPublicSecrets } from "../../policies/vercel/disallow-public-secrets";
import { detectSecretValue, isSecretName } from "../../policies/lib/secrets";
import { configMap, deployment, vercelVariable } from "./fixtures";
import { edit, expectClean, expectViolation, type Fixture } from "./helpers";

const SLACK_WEBHOOK = ["https://hooks.slack.com/services", "T0ABCDEF1", "B0ABCDEF2", "abcdefghijklmnopqrstuvwx"].join("/");
const DISCORD_WEBHOOK = "https://discord.com/api/webhooks/123456789012345678/" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEfGhIjKlMnOpQrStUvWxYz01";
const NPM_TOKEN = "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
const THREE_DASH_PEM = ["---BEGIN RSA PRIVATE KEY---", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", "---END RSA PRIVATE KEY---"].join(
  "\n",
);

/** The fixture Deployment with one more literal env var. */
function withEnv(name: string, value: string): Fixture {
  return edit(deployment(), (p) => p.spec.template.spec.containers[0].env.push({ name, value }));
}

function withData(key: string, value: string): Fixture {
  return edit(configMap(), (p) => (p.data[key] = value));
}

describe("names matched whole and by parts (rule 74)", () => {
  it("recognises compound and whole-name secrets", () => {
    for (const n of [
      "PGPASSWORD",
      "MYSQL_PWD",
      "OCI_CLI_KEY_CONTENT",
      "ERROR_TRACKER_DSN",
      "ALERTS_WEBHOOK_URL",
      "GITHUBTOKEN",
      "clientSecret",
      "REDISCLI_AUTH",
    ]) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of [
      "PWD",
      "OLDPWD",
      "SENTRY_DSN",
      "NEXT_PUBLIC_SENTRY_DSN",
      "TOKENIZER_PATH",
      "PORT",
      "AWS_ACCESS_KEY_ID",
      "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY",
    ]) {
      expect(isSecretName(n), n).toBe(false);
    }
  });
  it("flags PGPASSWORD as a plain env literal", () =>
    expectViolation(disallowSecretEnvLiterals, withEnv("PGPASSWORD", "hunter2"), /env "PGPASSWORD" .* looks like a secret/));
  it("variant: a ConfigMap key OCI_CLI_KEY_CONTENT (another kind and field)", () =>
    expectViolation(disallowSecretsInConfigmaps, withData("OCI_CLI_KEY_CONTENT", "key material"), /key "OCI_CLI_KEY_CONTENT" looks like a secret/));
});

describe("values by secretlint's recommended preset and credential URLs (rule 74)", () => {
  it("flags a Slack webhook URL as a ConfigMap value under a harmless key", () =>
    expectViolation(disallowSecretsInConfigmaps, withData("NOTIFY", SLACK_WEBHOOK), /key "NOTIFY" is a Slack webhook URL/));
  it("variant: a Discord webhook in an env literal, and in any resource input (token-literal stack rule)", async () => {
    await expectViolation(disallowSecretEnvLiterals, withEnv("NOTIFY_TARGET", DISCORD_WEBHOOK), /is a Discord webhook URL as a literal/);
    await expectViolation(disallowTokenLiterals, [withData("NOTIFY", DISCORD_WEBHOOK)], /Discord webhook URL in `data.NOTIFY`/);
  });
  it("flags a token only secretlint's preset knows (npm) in an env literal and in a public Vercel variable", async () => {
    expect(await detectSecretValue(NPM_TOKEN)).toMatch(/secretlint npm/);
    await expectViolation(disallowSecretEnvLiterals, withEnv("REGISTRY", NPM_TOKEN), /contains a secret \(secretlint npm/);
    await expectViolation(
      disallowPublicSecrets,
      vercelVariable("NEXT_PUBLIC_REGISTRY", NPM_TOKEN, { sensitive: false }),
      /its value contains a secret \(secretlint npm/,
    );
  });
  it("flags a PEM private key written with three dashes", async () => {
    await expectViolation(disallowSecretsInConfigmaps, withData("tls", THREE_DASH_PEM), /contains a PEM private key/);
    await expectViolation(disallowSecretEnvLiterals, withEnv("TLS", THREE_DASH_PEM), /contains a PEM private key/);
  });
  it("correct counterparts stay clean: plain URLs, short values, public DSNs, the fixtures", async () => {
    await expectClean(disallowSecretEnvLiterals, deployment());
    await expectClean(disallowSecretEnvLiterals, withEnv("API_BASE_URL", "https://api.openai.com/v1/chat/completions"));
    await expectClean(disallowSecretEnvLiterals, withEnv("SENTRY_DSN", "https://abc123@o1.ingest.sentry.io/1"));
    await expectClean(disallowSecretsInConfigmaps, configMap());
    await expectClean(disallowSecretsInConfigmaps, withData("SLACK_CHANNEL", "https://hooks.slack.com/"));
    await expectClean(disallowTokenLiterals, [configMap(), deployment()]);
  });
});
