/**
 * The blackbox_exporter modules the platform's `Probe`s name, produced from one source: each
 * module is built here (a typed value), the ApplicationStack that owns a probe produces the module
 * name once and uses it on its `Probe`, and `BlackboxModulesConfig` renders every module into the
 * exporter's configuration file (`blackbox.yml`), a ConfigMap in the monitoring namespace that the
 * cluster's blackbox_exporter mounts (README "Monitoring").
 *
 * Module format: https://github.com/prometheus/blackbox_exporter/blob/master/CONFIGURATION.md
 * (`prober: http`, `http.valid_status_codes`, `fail_if_header_not_matches`,
 * `fail_if_body_not_matches_regexp`). `tests/blackbox/` runs the real exporter on the output.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { PlatformContext, TYPE_PREFIX, isDnsLabel, recommendedLabels, throwIfInvalid } from "./context";
import { Duration } from "./values";

/** One `fail_if_header_not_matches` entry: the header must be present and match `regexp` (Go RE2). */
export interface HeaderMatcher {
  readonly header: string;
  readonly regexp: string;
  /** Pass when the header is absent. @default false (absent fails the probe) */
  readonly allow_missing?: boolean;
}

/** An HTTP module as blackbox_exporter reads it (the subset the platform uses). */
export interface BlackboxHttpModule {
  readonly prober: "http";
  /** Probe timeout, e.g. `10s`. */
  readonly timeout: string;
  readonly http: {
    readonly method: "GET";
    /** Empty means any 2xx. */
    readonly valid_status_codes: readonly number[];
    readonly preferred_ip_protocol: "ip4" | "ip6";
    readonly follow_redirects: boolean;
    readonly fail_if_not_ssl?: boolean;
    readonly fail_if_header_not_matches?: readonly HeaderMatcher[];
    readonly fail_if_body_not_matches_regexp?: readonly string[];
    readonly headers?: Readonly<Record<string, string>>;
  };
}

/** blackbox_exporter module names: letters, digits, `_` and `-`. */
export const MODULE_NAME = /^[A-Za-z0-9_-]{1,63}$/;

/** Probe timeout of every module; below Prometheus' default 30 s scrape interval. */
export const MODULE_TIMEOUT = Duration.seconds(10);

/**
 * The module of health and TLS probes: GET, any 2xx, redirects followed; over https the
 * exporter records `probe_ssl_earliest_cert_expiry`, which the TLS-expiry alerts read.
 */
export function healthModule(): BlackboxHttpModule {
  return {
    prober: "http",
    timeout: MODULE_TIMEOUT.toPrometheus(),
    http: { method: "GET", valid_status_codes: [], preferred_ip_protocol: "ip4", follow_redirects: true },
  };
}

/** Name of the module that reads a Statuspage `status.json` (external dependencies). */
export const STATUSPAGE_MODULE = "statuspage_operational";

/**
 * Statuspage `status.json` (`{"status":{"indicator":"none",...}}`): the dependency counts as down
 * when the page reports a `major` or `critical` outage, or cannot be read. `none`, `minor`
 * (degraded performance) and `maintenance` pass: seed 001 §1.4 pages for a service that is down.
 */
export function statuspageModule(): BlackboxHttpModule {
  return {
    prober: "http",
    timeout: MODULE_TIMEOUT.toPrometheus(),
    http: {
      method: "GET",
      valid_status_codes: [200],
      preferred_ip_protocol: "ip4",
      follow_redirects: true,
      fail_if_not_ssl: true,
      fail_if_body_not_matches_regexp: ['"indicator"\\s*:\\s*"(none|minor|maintenance)"'],
    },
  };
}

/** Response headers a Vercel app must send, header name → Go RE2 the value must match. */
export type SecurityHeaders = Readonly<Record<string, string>>;

/**
 * seed 004 "Security Headers" (vercel.json), as patterns that accept the seed's values and
 * reject a missing or weakened header:
 * - HSTS with `max-age` of at least one year (31536000), `includeSubDomains` and `preload`;
 * - `X-Content-Type-Options: nosniff`; `X-Frame-Options: DENY`;
 * - `Referrer-Policy: strict-origin-when-cross-origin`;
 * - a `Content-Security-Policy` with a `default-src` directive (the seed's sources are ARA's own).
 */
export const SEED_SECURITY_HEADERS: SecurityHeaders = {
  "Strict-Transport-Security":
    "^max-age=(3153[6-9][0-9]{3}|315[4-9][0-9]{4}|31[6-9][0-9]{5}|3[2-9][0-9]{6}|[4-9][0-9]{7}|[1-9][0-9]{8,})\\s*;\\s*includeSubDomains\\s*;\\s*preload$",
  "X-Content-Type-Options": "^nosniff$",
  "X-Frame-Options": "^(?i:deny)$",
  "Referrer-Policy": "^strict-origin-when-cross-origin$",
  "Content-Security-Policy": "(^|;)\\s*default-src\\s",
};

/** The module that fails when one of `headers` is missing or does not match (issue 10 "Security headers"). */
export function securityHeadersModule(headers: SecurityHeaders = SEED_SECURITY_HEADERS): BlackboxHttpModule {
  return {
    prober: "http",
    timeout: MODULE_TIMEOUT.toPrometheus(),
    http: {
      method: "GET",
      valid_status_codes: [],
      preferred_ip_protocol: "ip4",
      follow_redirects: true,
      fail_if_header_not_matches: Object.entries(headers).map(([header, regexp]) => ({ header, regexp, allow_missing: false })),
    },
  };
}

/** The name of an app's security-headers module, produced once by the app's owner. */
export function securityHeadersModuleName(owner: string): string {
  return `${owner.replace(/[^A-Za-z0-9]+/g, "_")}_security_headers`;
}

/** Problems with a module set (names, header names, regular expressions that RE2 also accepts). */
export function blackboxModuleProblems(modules: Readonly<Record<string, BlackboxHttpModule>>): string[] {
  const problems: string[] = [];
  for (const [name, m] of Object.entries(modules)) {
    if (!MODULE_NAME.test(name)) problems.push(`module name "${name}" must be letters, digits, "_" and "-" (at most 63)`);
    for (const h of m.http.fail_if_header_not_matches ?? []) {
      if (!/^[A-Za-z0-9-]+$/.test(h.header)) problems.push(`module "${name}": header "${h.header}" is not an HTTP header name`);
      try {
        new RegExp(h.regexp.replace(/\(\?i:/g, "(?:"));
      } catch {
        problems.push(`module "${name}": header "${h.header}" pattern "${h.regexp}" is not a valid regular expression`);
      }
    }
  }
  return problems;
}

/** The exporter's configuration file (`modules:`), modules sorted by name. Pure. */
export function renderBlackboxConfig(modules: Readonly<Record<string, BlackboxHttpModule>>): string {
  throwIfInvalid("BlackboxModules", "config", blackboxModuleProblems(modules));
  const sorted = Object.fromEntries(Object.entries(modules).sort(([a], [b]) => a.localeCompare(b)));
  return stringify({ modules: sorted }, { lineWidth: 0 });
}

/** The ConfigMap key holding the rendered file. */
export const BLACKBOX_CONFIG_KEY = "blackbox.yml";

export interface BlackboxModulesConfigArgs {
  /** Environment and owner, for labels. */
  readonly context: PlatformContext;
  /** Namespace of the blackbox_exporter (the monitoring namespace). @example "monitoring" */
  readonly namespace: string;
  /** Every module the stack's Probes name, by module name. */
  readonly modules: Readonly<Record<string, BlackboxHttpModule>>;
}

/**
 * The blackbox_exporter configuration as a ConfigMap (`<name>`, key `blackbox.yml`) in the
 * monitoring namespace. The exporter must load it (see README "Monitoring"): every module a
 * Probe names is defined here and nowhere else.
 */
export class BlackboxModulesConfig extends pulumi.ComponentResource {
  /** The rendered `blackbox.yml`. */
  readonly config: string;
  /** The module names defined. */
  readonly moduleNames: readonly string[];
  /** Name of the ConfigMap. */
  readonly configMapName: pulumi.Output<string>;

  constructor(name: string, args: BlackboxModulesConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:monitoring:BlackboxModules`, name, {}, opts);
    const problems: string[] = [];
    if (!isDnsLabel(name)) problems.push(`\`name\` "${name}" must be a DNS label`);
    if (!isDnsLabel(args.namespace)) problems.push(`\`namespace\` "${args.namespace}" must be a namespace name`);
    if (Object.keys(args.modules).length === 0) problems.push("`modules` must define at least one module");
    throwIfInvalid("BlackboxModulesConfig", name, problems);
    this.config = renderBlackboxConfig(args.modules);
    this.moduleNames = Object.keys(args.modules).sort();
    const cm = new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: { name, namespace: args.namespace, labels: recommendedLabels(args.context, name, "blackbox-config") },
        data: { [BLACKBOX_CONFIG_KEY]: this.config },
      },
      { parent: this },
    );
    this.configMapName = cm.metadata.name;
    this.registerOutputs({ configMapName: this.configMapName, moduleNames: this.moduleNames });
  }
}
