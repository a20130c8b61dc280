/**
 * The program refuses bad config before it registers anything, and says what to do.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { installRecordingMocks } from "./helpers/mocks";
import { stackConfigWithSecrets } from "./helpers/program";
import { ConfigError } from "../infra/config";

const rec = installRecordingMocks({ stack: "prod" });

describe("program start-up", () => {
  it("a malformed key and a missing secret fail together, before any resource exists", async () => {
    const { values, secretKeys } = stackConfigWithSecrets("prod", ["codebookPineconeApiKey"]);
    values["app-platform:ingressAddress"] = "10.0.0.5x";
    pulumi.runtime.setAllConfig(values, secretKeys);
    const { run } = await import("../infra/program");
    expect(() => run()).toThrow(ConfigError);
    await rec.settle();
    expect(rec.resources).toHaveLength(0);
  });

  it("lists each missing secret with its exact command", async () => {
    const { values, secretKeys } = stackConfigWithSecrets("prod", ["codebookPineconeApiKey", "vercelApiToken"]);
    pulumi.runtime.setAllConfig(values, secretKeys);
    const { run } = await import("../infra/program");
    let message = "";
    try {
      run();
    } catch (e) {
      message = (e as Error).message;
      expect(pulumi.RunError.isInstance(e)).toBe(true); // printed without a stack trace
    }
    expect(message).toContain("pulumi config set --secret --stack prod codebookPineconeApiKey <value>");
    expect(message).toContain("pulumi config set --secret --stack prod vercelApiToken <value>");
    await rec.settle();
    expect(rec.resources).toHaveLength(0);
  });

  it("refuses an unusable imagePullDockerConfigJson before any resource exists, naming the key and the fix, never the value", async () => {
    const { values, secretKeys } = stackConfigWithSecrets("prod");
    const token = "ghp_VerySecretToken123";
    values["app-platform:imagePullDockerConfigJson"] = JSON.stringify({ auths: { "registry.gitlab.com": { username: "bot", password: token } } });
    pulumi.runtime.setAllConfig(values, secretKeys);
    const { run } = await import("../infra/program");
    let message = "";
    try {
      run();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain('`app-platform:imagePullDockerConfigJson` has credentials for "registry.gitlab.com" but not for ghcr.io');
    expect(message).toContain("--docker-server=ghcr.io");
    expect(message).toContain("pulumi config set --secret --stack prod imagePullDockerConfigJson");
    expect(message).not.toContain(token);
    await rec.settle();
    expect(rec.resources).toHaveLength(0);
  });
});
