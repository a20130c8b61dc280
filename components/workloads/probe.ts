/**
 * A typed Kubernetes container probe (cdk8s-style value object): `Probe.httpGet("/health", {
 * port: 8000, initialDelay: Duration.seconds(30) })` instead of a bare object whose numbers carry
 * no unit. Every field is written out in `toKubernetes()` (Kubernetes' own defaults filled in), so
 * the preview diff shows exactly what the kubelet will do and two probes compare by value.
 */
import type * as k8s from "@pulumi/kubernetes";
import { throwIfInvalid } from "../context";
import { Duration } from "../values";

/** Options shared by every probe kind. Defaults are the Kubernetes API defaults. */
export interface ProbeOptions {
  /**
   * How long after the container starts before the first probe runs.
   * @default Duration.seconds(0)
   */
  readonly initialDelay?: Duration;
  /**
   * How often the probe runs; at least one second.
   * @default Duration.seconds(10)
   */
  readonly period?: Duration;
  /**
   * How long one attempt may take before it counts as failed; shorter than `period`.
   * @default Duration.seconds(1)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive failures after which the probe is considered failed.
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * Consecutive successes after a failure for the probe to count as passing again
   * (Kubernetes requires 1 for liveness and startup probes).
   * @default 1
   */
  readonly successThreshold?: number;
}

/** Options of an HTTP GET probe. */
export interface HttpGetProbeOptions extends ProbeOptions {
  /** The container port the request goes to, 1-65535. @example 8000 */
  readonly port: number;
  /**
   * The scheme of the request.
   * @default "HTTP"
   */
  readonly scheme?: "HTTP" | "HTTPS";
}

/** Options of a TCP socket probe. */
export interface TcpProbeOptions extends ProbeOptions {
  /** The container port that must accept a connection, 1-65535. @example 5432 */
  readonly port: number;
}

/** The Kubernetes API defaults, written once; the probe's own options are spread over them. */
const PROBE_DEFAULTS = {
  initialDelay: Duration.seconds(0),
  period: Duration.seconds(10),
  timeout: Duration.seconds(1),
  failureThreshold: 3,
  successThreshold: 1,
} as const;

/** A probe's timings with every default applied. */
export type ProbeTiming = {
  readonly initialDelay: Duration;
  readonly period: Duration;
  readonly timeout: Duration;
  readonly failureThreshold: number;
  readonly successThreshold: number;
};

/** The action a probe performs. */
export type ProbeAction =
  | { readonly kind: "httpGet"; readonly path: string; readonly port: number; readonly scheme: "HTTP" | "HTTPS" }
  | { readonly kind: "tcp"; readonly port: number };

/**
 * A liveness, readiness or startup probe. Build one with `Probe.httpGet` or `Probe.tcp`; the
 * factories validate their arguments and throw a `ValidationError` listing every problem.
 */
export class Probe {
  /**
   * An HTTP GET probe: the container is healthy while `path` answers 200-399.
   * @example Probe.httpGet("/health", { port: 8000, initialDelay: Duration.seconds(30), period: Duration.seconds(10) })
   */
  static httpGet(path: string, options: HttpGetProbeOptions): Probe {
    const action: ProbeAction = { kind: "httpGet", path, port: options.port, scheme: options.scheme ?? "HTTP" };
    return Probe.create(action, options);
  }

  /**
   * A TCP probe: the container is healthy while `port` accepts a connection.
   * @example Probe.tcp({ port: 5432, period: Duration.seconds(10) })
   */
  static tcp(options: TcpProbeOptions): Probe {
    return Probe.create({ kind: "tcp", port: options.port }, options);
  }

  private static create(action: ProbeAction, options: ProbeOptions): Probe {
    const timing: ProbeTiming = { ...PROBE_DEFAULTS, ...definedOnly(options) };
    throwIfInvalid("Probe", describe(action), validateProbe(action, timing));
    return new Probe(action, timing);
  }

  private constructor(
    /** What the probe does (HTTP GET or TCP connect) and where. */
    readonly action: ProbeAction,
    private readonly timing: ProbeTiming,
  ) {}

  /** The container port the probe targets. */
  get port(): number {
    return this.action.port;
  }
  /** Consecutive successes needed (Kubernetes requires 1 for liveness and startup). */
  get successThreshold(): number {
    return this.timing.successThreshold;
  }

  /** The probe as the Kubernetes API takes it, every field explicit. */
  toKubernetes(): k8s.types.input.core.v1.Probe {
    const action =
      this.action.kind === "httpGet"
        ? { httpGet: { path: this.action.path, port: this.action.port, scheme: this.action.scheme } }
        : { tcpSocket: { port: this.action.port } };
    return {
      ...action,
      initialDelaySeconds: this.timing.initialDelay.toSeconds(),
      periodSeconds: this.timing.period.toSeconds(),
      timeoutSeconds: this.timing.timeout.toSeconds(),
      failureThreshold: this.timing.failureThreshold,
      successThreshold: this.timing.successThreshold,
    };
  }

  /** Whether both probes serialise to the same Kubernetes probe (same action and timings). */
  isSameAs(other: Probe): boolean {
    return JSON.stringify(this.toKubernetes()) === JSON.stringify(other.toKubernetes());
  }

  /** A short human description, e.g. `httpGet /health:8000 every 10s`. */
  toString(): string {
    return `${describe(this.action)} every ${this.timing.period.toSeconds()}s`;
  }
}

function describe(action: ProbeAction): string {
  return action.kind === "httpGet" ? `httpGet ${action.path}:${action.port}` : `tcp :${action.port}`;
}

/** Drops keys whose value is `undefined`, so they do not override the defaults when spread. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Every problem with a probe's action and timings (empty when valid). Pure; exported for tests. */
export function validateProbe(action: ProbeAction, timing: ProbeTiming): string[] {
  const problems: string[] = [];
  if (action.kind === "httpGet") {
    if (typeof action.path !== "string" || !action.path.startsWith("/") || /\s/.test(action.path)) {
      problems.push(`\`path\` must be an absolute URL path starting with "/" and without spaces, got ${JSON.stringify(action.path)}; write e.g. "/health".`);
    }
    if (action.scheme !== "HTTP" && action.scheme !== "HTTPS") {
      problems.push(`\`scheme\` must be "HTTP" or "HTTPS", got ${JSON.stringify(action.scheme)}.`);
    }
  }
  if (!isPort(action.port)) {
    problems.push(`\`port\` must be a whole number from 1 to 65535, got ${JSON.stringify(action.port)}; use the container port, e.g. 8000.`);
  }
  const durations: Array<[string, Duration]> = [
    ["initialDelay", timing.initialDelay],
    ["period", timing.period],
    ["timeout", timing.timeout],
  ];
  for (const [field, d] of durations) {
    const s = d?.toSeconds?.();
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) {
      problems.push(`\`${field}\` must be a Duration of whole seconds >= 0, got ${String(s ?? d)}; write e.g. Duration.seconds(5).`);
    }
  }
  const period = timing.period?.toSeconds?.();
  const timeout = timing.timeout?.toSeconds?.();
  if (typeof period === "number" && period < 1) {
    problems.push(`\`period\` must be at least 1 second (Kubernetes' minimum), got ${period}s; e.g. Duration.seconds(10).`);
  }
  if (typeof timeout === "number" && timeout < 1) {
    problems.push(`\`timeout\` must be at least 1 second (Kubernetes' minimum), got ${timeout}s.`);
  }
  if (typeof period === "number" && typeof timeout === "number" && timeout >= period) {
    problems.push(`\`timeout\` (${timeout}s) must be shorter than \`period\` (${period}s), or attempts overlap; lower the timeout or raise the period.`);
  }
  for (const field of ["failureThreshold", "successThreshold"] as const) {
    const n = timing[field];
    if (!Number.isInteger(n) || n < 1) {
      problems.push(`\`${field}\` must be a whole number >= 1, got ${JSON.stringify(n)}.`);
    }
  }
  return problems;
}

/** Whether `n` is a valid TCP port number. */
export function isPort(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535;
}
