/**
 * BlackboxModulesConfig: the exporter's `blackbox.yaml` as a Kubernetes Secret (key and kind the
 * prometheus-community chart reads with `configExistingSecretName`), secret request headers (the
 * Vercel bypass) kept Pulumi secrets from their source to the Secret, and the module names and
 * request-header validation.
 */
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { beforeEach, describe, expect, it } from "vitest";
import { installRecordingMocks } from "../helpers/mocks";
import {
  BLACKBOX_CONFIG_KEY,
  BlackboxModuleInput,
  BlackboxModulesConfig,
  VERCEL_PROTECTION_BYPASS_HEADER,
  appModuleName,
  blackboxModuleProblems,
  healthModule,
  renderBlackboxConfig,
  securityHeadersModule,
  exactHeaderPatterns,
  re2Literal,
  redirectModule,
  redirectModuleName,
  securityHeadersModuleName,
  vercelBypassModuleName,
  withVercelProtectionBypass,
} from "../../components/monitoring/blackbox-modules";

const rec = installRecordingMocks({ stack: "staging" });
beforeEach(() => rec.reset());

const context = { environment: "staging" as const, product: "platform", owner: "platform-team" };
const SECRET = "kubernetes:core/v1:Secret";
const valueOf = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
const isSecret = (o: pulumi.Output<unknown>) => (o as any).isSecret as Promise<boolean>;

describe("module names", () => {
  it("an app's bypass variants are named once from the app's own module names", () => {
    expect(appModuleName("ask-dahlia-ui", "http_2xx")).toBe("ask_dahlia_ui_http_2xx");
    expect(vercelBypassModuleName(appModuleName("ara-web", "http_2xx"))).toBe("ara_web_http_2xx_vercel_bypass");
    expect(vercelBypassModuleName(securityHeadersModuleName("ara-web"))).toBe("ara_web_security_headers_vercel_bypass");
  });

  it("the bypass variant is the module plus the header, and the header name is Vercel's", () => {
    expect(VERCEL_PROTECTION_BYPASS_HEADER).toBe("x-vercel-protection-bypass");
    const m = withVercelProtectionBypass(securityHeadersModule(exactHeaderPatterns({ "X-Frame-Options": "DENY" })), "s3cret");
    expect(m.http.headers).toEqual({ "x-vercel-protection-bypass": "s3cret" });
    const { headers: _h, ...rest } = m.http;
    expect(rest).toEqual(securityHeadersModule(exactHeaderPatterns({ "X-Frame-Options": "DENY" })).http);
  });

  it("checks exactly the values the stack set: each header anchored, its value taken literally", () => {
    const csp = "default-src 'self'; script-src 'self' 'unsafe-inline' *.clerk.accounts.dev";
    expect(exactHeaderPatterns({ "Content-Security-Policy": csp, "X-Frame-Options": "DENY" })).toEqual({
      "Content-Security-Policy": "^default-src 'self'; script-src 'self' 'unsafe-inline' \\*\\.clerk\\.accounts\\.dev$",
      "X-Frame-Options": "^DENY$",
    });
    expect(new RegExp(`^${re2Literal(csp)}$`).test(csp)).toBe(true);
    expect(new RegExp(`^${re2Literal("a.b (c)|[d]{1}?+$^")}$`).test("a.b (c)|[d]{1}?+$^")).toBe(true);
    expect(new RegExp(`^${re2Literal("a.b")}$`).test("axb")).toBe(false);
  });

  it("the redirect module does not follow and expects exactly the domain redirect's 308", () => {
    expect(redirectModuleName(308)).toBe("http_308_no_follow");
    expect(redirectModule(308).http).toMatchObject({ valid_status_codes: [308], follow_redirects: false });
  });

  it("rejects a request header that is not an HTTP header name", () => {
    const bad = { ...healthModule(), http: { ...healthModule().http, headers: { "x bypass": "v" } } };
    expect(blackboxModuleProblems({ m: bad })).toEqual(['module "m": request header "x bypass" is not an HTTP header name']);
    expect(() => new BlackboxModulesConfig("blackbox-modules-staging", { context, namespace: "monitoring", modules: { m: bad } })).toThrow(
      /request header "x bypass"/,
    );
  });
});

describe("BlackboxModulesConfig", () => {
  it("without request headers: a Secret blackbox-modules-<env>, key blackbox.yaml, exactly the rendered file; no ConfigMap", async () => {
    const modules = {
      http_2xx: healthModule(),
      [securityHeadersModuleName("ara-web")]: securityHeadersModule(exactHeaderPatterns({ "X-Frame-Options": "DENY" })),
    };
    const c = new BlackboxModulesConfig("blackbox-modules-prod", { context: { ...context, environment: "prod" }, namespace: "monitoring", modules });
    await rec.settle();
    expect(rec.ofType("kubernetes:core/v1:ConfigMap")).toHaveLength(0);
    const s = rec.one(SECRET, "blackbox-modules-prod");
    expect(s.inputs.metadata).toMatchObject({ name: "blackbox-modules-prod", namespace: "monitoring" });
    expect(s.inputs.type).toBe("Opaque");
    expect(Object.keys(s.inputs.stringData)).toEqual([BLACKBOX_CONFIG_KEY]);
    expect(BLACKBOX_CONFIG_KEY).toBe("blackbox.yaml"); // what the chart's configExistingSecretName mount reads
    expect(s.inputs.stringData[BLACKBOX_CONFIG_KEY]).toBe(renderBlackboxConfig(modules));
    expect(c.moduleNames).toEqual(["ara_web_security_headers", "http_2xx"]);
    // The component's own output is not secret here (nothing secret in it).
    expect(await isSecret(c.config)).toBe(false);
  });

  it("with the Vercel bypass: the header value is the secret, the file a Pulumi secret from source to Secret", async () => {
    const bypass = pulumi.secret("bypass-from-vercel-0123456789abcdef");
    const health = vercelBypassModuleName(appModuleName("ara-web", "http_2xx"));
    const modules: Record<string, BlackboxModuleInput> = {
      http_2xx: healthModule(),
      [health]: withVercelProtectionBypass<pulumi.Input<string>>(healthModule(), bypass),
    };
    const c = new BlackboxModulesConfig("blackbox-modules-staging", { context, namespace: "monitoring", modules });
    await rec.settle();
    const s = rec.one(SECRET, "blackbox-modules-staging");
    expect(s.secretPaths).toContain("stringData");
    const file = parse(s.inputs.stringData[BLACKBOX_CONFIG_KEY]);
    expect(file.modules[health].http.headers).toEqual({ "x-vercel-protection-bypass": "bypass-from-vercel-0123456789abcdef" });
    expect(file.modules.http_2xx.http.headers).toBeUndefined();
    expect(await isSecret(c.config)).toBe(true);
    expect(await valueOf(c.config)).toContain("bypass-from-vercel-0123456789abcdef");
    // Only the Secret holds it; the component registers no output with it.
    const hits = rec.resources.filter((r) => JSON.stringify(r.inputs).includes("bypass-from-vercel"));
    expect(hits.map((r) => `${r.type} ${r.name}`)).toEqual([`${SECRET} blackbox-modules-staging`]);
  });

  it("a request header given as a plain string still makes the file a Pulumi secret (headers carry credentials)", async () => {
    const modules = { m: withVercelProtectionBypass<pulumi.Input<string>>(healthModule(), "plain-credential") };
    const c = new BlackboxModulesConfig("blackbox-modules-staging", { context, namespace: "monitoring", modules });
    await rec.settle();
    expect(await isSecret(c.config)).toBe(true);
  });
});
