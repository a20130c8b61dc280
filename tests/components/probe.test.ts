import { describe, expect, it } from "vitest";
import { ValidationError } from "../../components/context";
import { Probe } from "../../components/workloads/probe";
import { Duration } from "../../components/values";

describe("Probe.httpGet", () => {
  it("serialises codebook's liveness probe exactly (seed 001 §1.1), Kubernetes defaults written out", () => {
    const p = Probe.httpGet("/health", { port: 8000, initialDelay: Duration.seconds(30), period: Duration.seconds(10) });
    expect(p.toKubernetes()).toEqual({
      httpGet: { path: "/health", port: 8000, scheme: "HTTP" },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
      successThreshold: 1,
    });
  });

  it("uses the Kubernetes defaults when only the port is given", () => {
    expect(Probe.httpGet("/health/ready", { port: 8080 }).toKubernetes()).toEqual({
      httpGet: { path: "/health/ready", port: 8080, scheme: "HTTP" },
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
      successThreshold: 1,
    });
  });

  it("takes every option", () => {
    const p = Probe.httpGet("/ready", {
      port: 443,
      scheme: "HTTPS",
      initialDelay: Duration.seconds(2),
      period: Duration.minutes(1),
      timeout: Duration.seconds(5),
      failureThreshold: 6,
      successThreshold: 2,
    });
    expect(p.toKubernetes()).toEqual({
      httpGet: { path: "/ready", port: 443, scheme: "HTTPS" },
      initialDelaySeconds: 2,
      periodSeconds: 60,
      timeoutSeconds: 5,
      failureThreshold: 6,
      successThreshold: 2,
    });
    expect(p.port).toBe(443);
    expect(p.successThreshold).toBe(2);
    expect(p.toString()).toBe("httpGet /ready:443 every 60s");
  });

  it("treats an explicit undefined option as the default", () => {
    const p = Probe.httpGet("/health", { port: 8000, period: undefined });
    expect(p.toKubernetes().periodSeconds).toBe(10);
  });
});

describe("Probe.tcp", () => {
  it("serialises a tcpSocket probe", () => {
    expect(Probe.tcp({ port: 5432, period: Duration.seconds(20), timeout: Duration.seconds(3) }).toKubernetes()).toEqual({
      tcpSocket: { port: 5432 },
      initialDelaySeconds: 0,
      periodSeconds: 20,
      timeoutSeconds: 3,
      failureThreshold: 3,
      successThreshold: 1,
    });
  });
});

describe("Probe.isSameAs", () => {
  const a = Probe.httpGet("/health", { port: 8000, initialDelay: Duration.seconds(30), period: Duration.seconds(10) });
  it("is true for probes that serialise identically", () => {
    expect(a.isSameAs(Probe.httpGet("/health", { port: 8000, initialDelay: Duration.seconds(30), period: Duration.seconds(10) }))).toBe(true);
    // An explicit default equals an omitted one.
    expect(Probe.httpGet("/h", { port: 1 }).isSameAs(Probe.httpGet("/h", { port: 1, timeout: Duration.seconds(1) }))).toBe(true);
  });
  it("is false when only the timings differ (codebook: same path, different timings)", () => {
    expect(a.isSameAs(Probe.httpGet("/health", { port: 8000, initialDelay: Duration.seconds(5), period: Duration.seconds(5) }))).toBe(false);
  });
  it("is false for a different path or kind", () => {
    const b = Probe.httpGet("/health/ready", { port: 8000, initialDelay: Duration.seconds(30), period: Duration.seconds(10) });
    expect(a.isSameAs(b)).toBe(false);
    expect(Probe.tcp({ port: 8000 }).isSameAs(Probe.httpGet("/", { port: 8000 }))).toBe(false);
  });
});

describe("Probe validation", () => {
  const bad = (fn: () => unknown, message: string | RegExp) => {
    expect(fn).toThrow(ValidationError);
    expect(fn).toThrow(message);
  };

  it("names the probe in the error", () => {
    bad(() => Probe.httpGet("health", { port: 8000 }), 'Probe "httpGet health:8000" has invalid arguments');
  });
  it("rejects a path that does not start with /", () => {
    bad(() => Probe.httpGet("health", { port: 8000 }), '`path` must be an absolute URL path starting with "/"');
  });
  it("rejects a path with spaces", () => {
    bad(() => Probe.httpGet("/he alth", { port: 8000 }), "`path` must be an absolute URL path");
  });
  it.each([0, 65536, 80.5, -1])("rejects port %s", (port) => {
    bad(() => Probe.httpGet("/health", { port }), "`port` must be a whole number from 1 to 65535");
    bad(() => Probe.tcp({ port }), "`port` must be a whole number from 1 to 65535");
  });
  it("accepts the port bounds", () => {
    expect(() => Probe.tcp({ port: 1 })).not.toThrow();
    expect(() => Probe.tcp({ port: 65535 })).not.toThrow();
  });
  it("rejects a bad scheme (JavaScript callers)", () => {
    bad(() => Probe.httpGet("/h", { port: 80, scheme: "FTP" as never }), '`scheme` must be "HTTP" or "HTTPS"');
  });
  it("rejects a period under one second", () => {
    bad(() => Probe.httpGet("/h", { port: 80, period: Duration.seconds(0), timeout: Duration.seconds(1) }), "`period` must be at least 1 second");
  });
  it("rejects a timeout under one second", () => {
    bad(() => Probe.httpGet("/h", { port: 80, timeout: Duration.seconds(0) }), "`timeout` must be at least 1 second");
  });
  it("rejects a timeout not shorter than the period", () => {
    bad(
      () => Probe.httpGet("/h", { port: 80, period: Duration.seconds(5), timeout: Duration.seconds(5) }),
      "`timeout` (5s) must be shorter than `period` (5s)",
    );
    expect(() => Probe.httpGet("/h", { port: 80, period: Duration.seconds(5), timeout: Duration.seconds(4) })).not.toThrow();
  });
  it("rejects fractional seconds (Kubernetes takes whole seconds)", () => {
    bad(() => Probe.httpGet("/h", { port: 80, initialDelay: Duration.seconds(1.5) }), "`initialDelay` must be a Duration of whole seconds >= 0");
  });
  it("rejects a negative duration that bypassed Duration (JavaScript callers)", () => {
    const negative = { toSeconds: () => -1 } as unknown as Duration;
    bad(() => Probe.httpGet("/h", { port: 80, initialDelay: negative }), "`initialDelay` must be a Duration of whole seconds >= 0, got -1");
  });
  it.each([0, 1.5])("rejects thresholds of %s", (n) => {
    bad(() => Probe.tcp({ port: 80, failureThreshold: n }), "`failureThreshold` must be a whole number >= 1");
    bad(() => Probe.tcp({ port: 80, successThreshold: n }), "`successThreshold` must be a whole number >= 1");
  });
  it("lists every problem at once", () => {
    try {
      Probe.httpGet("x", { port: 0, timeout: Duration.seconds(20) });
      expect.unreachable();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain("`path`");
      expect(msg).toContain("`port`");
      expect(msg).toContain("`timeout` (20s) must be shorter than `period` (10s)");
    }
  });
});
