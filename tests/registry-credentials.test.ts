/**
 * `imagePullDockerConfigJson` (infra/registry-credentials.ts): the Docker config checks at
 * start-up, which must catch what would leave pods in ImagePullBackOff and never echo the value.
 */
import { describe, expect, it } from "vitest";
import { registryCredentialsProblems } from "../infra/registry-credentials";
import { imageRegistryHost, registryHost } from "../infra/registry-host";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const PASSWORD = "s3cr3t-T0ken-value";
const check = (value: string, registry = "ghcr.io/example-org") => registryCredentialsProblems(value, registry, "prod");

describe("registry hosts", () => {
  it("reads the host as Docker does: a dot, a port or localhost, else Docker Hub", () => {
    expect(imageRegistryHost("ghcr.io/example-org")).toBe("ghcr.io");
    expect(imageRegistryHost("123456789012.dkr.ecr.eu-west-1.amazonaws.com")).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    expect(imageRegistryHost("localhost:5000/team")).toBe("localhost:5000");
    expect(imageRegistryHost("example-org")).toBe("docker.io");
    expect(registryHost("postgres:16")).toBe("docker.io");
    expect(registryHost("quay.io/prometheuscommunity/postgres-exporter:v0.15.0")).toBe("quay.io");
  });
});

describe("registryCredentialsProblems", () => {
  it("accepts what `kubectl create secret docker-registry` writes, and username/password entries", () => {
    expect(check(JSON.stringify({ auths: { "ghcr.io": { username: "bot", password: PASSWORD, auth: b64(`bot:${PASSWORD}`) } } }))).toEqual([]);
    expect(check(JSON.stringify({ auths: { "ghcr.io": { auth: b64(`bot:${PASSWORD}`) } } }))).toEqual([]);
    expect(check(JSON.stringify({ auths: { "https://ghcr.io/v2/": { username: "bot", password: PASSWORD } } }))).toEqual([]);
    // Docker Hub: kubectl's default server name serves docker.io images.
    expect(check(JSON.stringify({ auths: { "https://index.docker.io/v1/": { auth: b64(`bot:${PASSWORD}`) } } }), "example-org")).toEqual([]);
  });

  it("refuses what the kubelet could not use, naming the key and the fix, never the value", () => {
    const cases: Array<[string, RegExp]> = [
      [`{"auths": {"ghcr.io": {"auth": "${PASSWORD}"`, /is not JSON/],
      [JSON.stringify({ "ghcr.io": { auth: b64(`bot:${PASSWORD}`) } }), /no "auths" object/],
      [JSON.stringify({ auths: {} }), /no "auths" object/],
      [JSON.stringify({ auths: { "ghcr.io": { auth: b64(PASSWORD) } } }), /neither "auth" \(base64 of user:token\) nor "username" and "password"/],
      [JSON.stringify({ auths: { "ghcr.io": { username: "bot" } } }), /neither "auth"/],
      [
        JSON.stringify({ auths: { "quay.io": { auth: b64(`bot:${PASSWORD}`) } } }),
        /credentials for "quay.io" but not for ghcr.io, the registry of `app-platform:imageRegistry`/,
      ],
    ];
    for (const [value, expected] of cases) {
      const problems = check(value);
      expect(problems.join("\n"), value).toMatch(expected);
      for (const p of problems) {
        expect(p).toContain("`app-platform:imagePullDockerConfigJson`");
        expect(p).toContain("pulumi config set --secret --stack prod imagePullDockerConfigJson");
        expect(p).not.toContain(PASSWORD);
        expect(p).not.toContain(b64(`bot:${PASSWORD}`));
      }
    }
  });
});
