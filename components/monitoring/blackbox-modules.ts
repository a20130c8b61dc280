/**
 * The blackbox_exporter modules the platform's `Probe`s name, produced from one source: each
 * module is built here (a typed value), the ApplicationStack that owns a probe produces the module
 * name once and uses it on its `Probe`, and `BlackboxModulesConfig` renders every module into the
 * exporter's configuration file (`blackbox.yaml`), a Kubernetes `Secret` in the monitoring
 * namespace that the cluster's blackbox_exporter mounts (README "The blackbox_exporter's modules").
 *
 * A module may send request headers (`http.headers`) whose values are Pulumi outputs: the staging
 * probes of Vercel previews behind Deployment Protection send the project's automation-bypass
 * secret as `x-vercel-protection-bypass` ("Deployment protection"). blackbox_exporter
 * 0.23 (Debian's, which the tests run) reads request headers only as literal `headers:` values in
 * its configuration file (prometheus/common's `http_headers` with `secrets`/`files` is not in it),
 * so the secret is in the file, and the whole file is a Pulumi secret and a Kubernetes `Secret`.
 * Never a ConfigMap, a Probe or a URL (Vercel's `?x-vercel-protection-bypass=` query form would put
 * it in the Probe's target and in every series' `instance` label).
 *
 * Module format: https://github.com/prometheus/blackbox_exporter/blob/master/CONFIGURATION.md
 * (`prober: http`, `http.valid_status_codes`, `http.headers`, `fail_if_header_not_matches`,
 * `fail_if_body_not_matches_regexp`). `tests/blackbox/` runs the real exporter on the output.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { PlatformContext, TYPE_PREFIX, isDnsLabel, recommendedLabels, throwIfInvalid } from "../context";
import { Duration } from "../values";

/** One `fail_if_header_not_matches` entry: the header must be present and match `regexp` (Go RE2). */
export interface HeaderMatcher {
  readonly header: string;
  readonly regexp: string;
  /** Pass when the header is absent. @default false (absent fails the probe) */
  readonly allow_missing?: boolean;
}

/**
 * An HTTP module as blackbox_exporter reads it (the subset the platform uses). `V` is the type of
 * the request-header values: `string` once rendered, `pulumi.Input<string>` while one is still a
 * Pulumi output (`BlackboxModuleInput`, e.g. Vercel's bypass secret).
 */
export interface BlackboxHttpModule<V = string> {
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
    /** Request headers sent with every probe, header name → value. */
    readonly headers?: Readonly<Record<string, V>>;
  };
}

/** A module as its owner hands it over: request-header values may be Pulumi outputs (secrets). */
export type BlackboxModuleInput = BlackboxHttpModule<pulumi.Input<string>>;

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

/**
 * The module that reads one component of a Statuspage page (an external dependency), named
 * `statuspage_<component>_operational` (`statuspageComponentModuleName`).
 *
 * Statuspage API v2 `components.json` (each Statuspage page documents it at its own
 * `/api` page, e.g. https://status.supabase.com/api; the response shape as MongoDB's page
 * documents it, https://www.mongodb.com/docs/api/doc/cloud-status/operation/operation-getcomponents):
 * `{"page":{...},"components":[{"id":"…","name":"<Component>","status":"operational",…},…]}`,
 * `status` one of `operational`, `degraded_performance`, `partial_outage`, `major_outage`
 * (and `under_maintenance`). Statuspage writes `name` before `status`; the pattern accepts either
 * order, with any whitespace, and `[^{}]*` keeps both keys inside the same component object (a
 * component holds no nested object; a group lists its children as an array of ids). The probe
 * passes only while the named component is `operational`: an incident in another component or
 * region of the same page (ChatGPT on OpenAI's page, a Supabase region we do not use) does not
 * fail it, and the page-wide `status.json` indicator is not read at all.
 */
export function statuspageComponentModule(component: string): BlackboxHttpModule {
  if (component.trim().length === 0) throw new Error('statuspageComponentModule: `component` must name a Statuspage component, e.g. "AWS us-east-1"');
  // The name as it appears in the JSON (quotes and backslashes escaped), then as a literal pattern.
  const name = `"name"\\s*:\\s*${re2Literal(JSON.stringify(component))}`;
  const operational = '"status"\\s*:\\s*"operational"';
  return {
    prober: "http",
    timeout: MODULE_TIMEOUT.toPrometheus(),
    http: {
      method: "GET",
      valid_status_codes: [200],
      preferred_ip_protocol: "ip4",
      follow_redirects: true,
      fail_if_not_ssl: true,
      fail_if_body_not_matches_regexp: [`${name}[^{}]*${operational}|${operational}[^{}]*${name}`],
    },
  };
}

/** `statuspage_<component>_operational`: the component's letters and digits, lower case, runs of anything else as `_`. */
export function statuspageComponentModuleName(component: string): string {
  const slug = component
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "")
    .slice(0, 40);
  return `statuspage_${slug}_operational`;
}

/** Response headers a module checks, header name → Go RE2 the value must match. */
export type SecurityHeaders = Readonly<Record<string, string>>;

/** `text` as an RE2 (and JavaScript) pattern that matches it literally. */
export function re2Literal(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}

/**
 * The patterns that check exactly the values a stack set (header name → value, e.g. what
 * `vercel.ProjectRoute` sets on a Vercel app): each header present with exactly that value. The
 * stack produces the values once and hands the same list to the route and to this module.
 */
export function exactHeaderPatterns(values: Readonly<Record<string, string>>): SecurityHeaders {
  return Object.fromEntries(Object.entries(values).map(([header, value]) => [header, `^${re2Literal(value)}$`]));
}

/** The module that fails when one of `headers` is missing or does not match (`SecurityHeadersMissing`). */
export function securityHeadersModule(headers: SecurityHeaders): BlackboxHttpModule {
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

/**
 * The module of a host that redirects to another (Vercel's domain redirect, `www` → `app.`): the
 * redirect is NOT followed and `status` (308) is expected. Following it would measure the final
 * host's certificate (`probe_ssl_earliest_cert_expiry`), so the redirecting host's own certificate
 * would never be checked; without following, the TLS handshake the probe records is this host's.
 */
export function redirectModule(status: number): BlackboxHttpModule {
  return {
    prober: "http",
    timeout: MODULE_TIMEOUT.toPrometheus(),
    http: { method: "GET", valid_status_codes: [status], preferred_ip_protocol: "ip4", follow_redirects: false },
  };
}

/** The name of the redirect module for `status`: `http_308_no_follow`. */
export function redirectModuleName(status: number): string {
  return `http_${status}_no_follow`;
}

/** The name of an app's own module `module`: `<owner>_<module>`, the owner's separators as `_`. */
export function appModuleName(owner: string, module: string): string {
  return `${owner.replace(/[^A-Za-z0-9]+/g, "_")}_${module}`;
}

/** The name of an app's security-headers module, produced once by the app's owner. */
export function securityHeadersModuleName(owner: string): string {
  return appModuleName(owner, "security_headers");
}

/**
 * The header Vercel reads the automation-bypass secret from (Protection Bypass for Automation:
 * https://vercel.com/docs/deployment-protection/methods-to-bypass-deployment-protection/protection-bypass-automation).
 */
export const VERCEL_PROTECTION_BYPASS_HEADER = "x-vercel-protection-bypass";

/** `module` sending `headers` with every probe (added to any it already sends). Pure. */
export function withRequestHeaders<V>(module: BlackboxHttpModule<V>, headers: Readonly<Record<string, V>>): BlackboxHttpModule<V> {
  return { ...module, http: { ...module.http, headers: { ...(module.http.headers ?? {}), ...headers } } };
}

/**
 * `module` reaching a Vercel deployment behind Deployment Protection: it sends the project's
 * automation-bypass `secret` as `x-vercel-protection-bypass` (a header, never the query form).
 */
export function withVercelProtectionBypass<V>(module: BlackboxHttpModule<V>, secret: V): BlackboxHttpModule<V> {
  return withRequestHeaders(module, { [VERCEL_PROTECTION_BYPASS_HEADER]: secret });
}

/**
 * The name of the variant of an app's own module (`appModuleName`, `securityHeadersModuleName`)
 * that sends the Vercel bypass, produced once by the app's owner: `<module>_vercel_bypass`, e.g.
 * `ara_web_http_2xx_vercel_bypass`, `ara_web_security_headers_vercel_bypass`. The suffix shows on
 * the Probe which probes send it.
 */
export function vercelBypassModuleName(appModule: string): string {
  return `${appModule}_vercel_bypass`;
}

/** Problems with a module set (names, header names, regular expressions that RE2 also accepts). */
export function blackboxModuleProblems(modules: Readonly<Record<string, BlackboxHttpModule<unknown>>>): string[] {
  const problems: string[] = [];
  for (const [name, m] of Object.entries(modules)) {
    if (!MODULE_NAME.test(name)) problems.push(`module name "${name}" must be letters, digits, "_" and "-" (at most 63)`);
    for (const header of Object.keys(m.http.headers ?? {})) {
      if (!/^[A-Za-z0-9-]+$/.test(header)) problems.push(`module "${name}": request header "${header}" is not an HTTP header name`);
    }
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

/** Whether any module sends request headers (on this platform: credentials such as Vercel's bypass). */
export function sendsRequestHeaders(modules: Readonly<Record<string, BlackboxHttpModule<unknown>>>): boolean {
  return Object.values(modules).some((m) => Object.keys(m.http.headers ?? {}).length > 0);
}

/**
 * The rendered file once every request-header value is known. Built with `pulumi.all`, so it is
 * a Pulumi secret when any header value is one; and marked secret whenever a module sends request
 * headers at all (they carry credentials here), so a plain-string credential cannot slip out.
 */
export function renderBlackboxConfigOutput(modules: Readonly<Record<string, BlackboxModuleInput>>): pulumi.Output<string> {
  throwIfInvalid("BlackboxModules", "config", blackboxModuleProblems(modules));
  const entries = Object.entries(modules);
  const rendered = pulumi
    .all(entries.map(([, m]) => pulumi.all({ ...(m.http.headers ?? {}) })))
    .apply((headers) =>
      renderBlackboxConfig(
        Object.fromEntries(
          entries.map(([name, m], i) => [name, m.http.headers ? { ...m, http: { ...m.http, headers: headers[i] } } : (m as BlackboxHttpModule)]),
        ),
      ),
    );
  return sendsRequestHeaders(modules) ? pulumi.secret(rendered) : rendered;
}

/**
 * The Secret key holding the rendered file: `blackbox.yaml`, the key the prometheus-community
 * `prometheus-blackbox-exporter` chart reads from `configExistingSecretName` (it mounts the Secret
 * at `/config` and passes `--config.file=/config/blackbox.yaml`).
 */
export const BLACKBOX_CONFIG_KEY = "blackbox.yaml";

export interface BlackboxModulesConfigArgs {
  /** Environment and owner, for labels. */
  readonly context: PlatformContext;
  /** Namespace of the blackbox_exporter (the monitoring namespace). @example "monitoring" */
  readonly namespace: string;
  /** Every module the stack's Probes name, by module name (request-header values may be secrets). */
  readonly modules: Readonly<Record<string, BlackboxModuleInput>>;
}

/**
 * The blackbox_exporter configuration as a Kubernetes `Secret` (`<name>`, key `blackbox.yaml`) in
 * the monitoring namespace. The exporter must load it (README "The blackbox_exporter's modules"):
 * every module a Probe names is defined here and nowhere else.
 *
 * A `Secret` on both stacks, although only staging's carries a secret (the Vercel bypass of
 * protected previews): the cluster's exporter is configured once, the same way for every stack,
 * and a stack that gains a protected app (or a prod app whose previews become protected) needs no
 * change to the exporter's chart values. Switching the kind with the content would leave the
 * exporter mounting an object that is gone. The price: @pulumi/kubernetes marks every Secret's
 * `stringData` secret, so prod's preview shows the file as `[secret]` too; module changes are
 * reviewed in code, and `moduleNames` stays a plain output.
 */
export class BlackboxModulesConfig extends pulumi.ComponentResource {
  /** The rendered `blackbox.yaml` (a Pulumi secret when a module sends request headers; not exported). */
  readonly config: pulumi.Output<string>;
  /** The module names defined. */
  readonly moduleNames: readonly string[];
  /** Name of the Secret (what the chart's `configExistingSecretName` names). */
  readonly secretName: pulumi.Output<string>;

  constructor(name: string, args: BlackboxModulesConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:monitoring:BlackboxModules`, name, {}, opts);
    const problems: string[] = [];
    if (!isDnsLabel(name)) problems.push(`\`name\` "${name}" must be a DNS label`);
    if (!isDnsLabel(args.namespace)) problems.push(`\`namespace\` "${args.namespace}" must be a namespace name`);
    if (Object.keys(args.modules).length === 0) problems.push("`modules` must define at least one module");
    throwIfInvalid("BlackboxModulesConfig", name, problems);
    this.config = renderBlackboxConfigOutput(args.modules);
    this.moduleNames = Object.keys(args.modules).sort();
    const secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: { name, namespace: args.namespace, labels: recommendedLabels(args.context, name, "blackbox-config") },
        type: "Opaque",
        stringData: { [BLACKBOX_CONFIG_KEY]: this.config },
      },
      { parent: this },
    );
    this.secretName = secret.metadata.name;
    this.registerOutputs({ secretName: this.secretName, moduleNames: this.moduleNames });
  }
}
