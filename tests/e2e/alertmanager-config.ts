/**
 * Renders the alertmanager.yml the Prometheus Operator would generate from a stack's
 * `AlertmanagerConfig` objects (monitoring.coreos.com/v1alpha1), on top of a base configuration
 * like kube-prometheus-stack's (root route to a `null` receiver):
 *
 * - each selected AlertmanagerConfig becomes one child route of the root, with the matcher
 *   `namespace="<its namespace>"` added (the operator's default `OnNamespace` matcher strategy)
 *   and `continue: true` (the operator forces it on first-level routes);
 * - receiver names become `<namespace>/<name>/<receiver>`;
 * - camelCase CRD fields become Alertmanager's snake_case, and secret references (`routingKey`,
 *   `apiURL`) are read through `secret()`, as the operator reads the Secrets.
 *
 * The operator's own code is pkg/alertmanager/amcfg.go; this models the fields the stacks use and
 * throws on any other receiver kind or field, rather than silently dropping it.
 */
import { stringify } from "yaml";
import { type K8sObject, type LabelSelector, selectObjects } from "./operator";

/** Resolves a `SecretKeySelector` of an AlertmanagerConfig in `namespace`. */
export type SecretReader = (namespace: string, name: string, key: string) => string;

export interface AlertmanagerRenderOptions {
  /** The Alertmanager's `alertmanagerConfigSelector`. */
  readonly selector: LabelSelector | undefined;
  /** Reads the Secrets the receivers reference. */
  readonly secret: SecretReader;
  /** `global` section of the base configuration (e.g. `pagerduty_url`). @default {} */
  readonly global?: Record<string, unknown>;
}

const MATCH_TYPES = new Set(["=", "!=", "=~", "!~"]);

function matcherText(m: { name: string; value?: string; matchType?: string; regex?: boolean }): string {
  const op = m.matchType ?? (m.regex ? "=~" : "=");
  if (!MATCH_TYPES.has(op)) throw new Error(`unknown matchType "${op}" for matcher ${m.name}`);
  return `${m.name}${op}${JSON.stringify(m.value ?? "")}`;
}

const ROUTE_FIELDS: Record<string, string> = {
  groupBy: "group_by",
  groupWait: "group_wait",
  groupInterval: "group_interval",
  repeatInterval: "repeat_interval",
  continue: "continue",
  muteTimeIntervals: "mute_time_intervals",
  activeTimeIntervals: "active_time_intervals",
};

function convertRoute(route: any, prefix: string, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(route ?? {})) {
    if (k === "receiver") out.receiver = v ? `${prefix}${v}` : undefined;
    else if (k === "matchers") out.matchers = (v as any[]).map(matcherText);
    else if (k === "routes") out.routes = (v as any[]).map((r, i) => convertRoute(r, prefix, `${where}.routes[${i}]`));
    else if (k in ROUTE_FIELDS) out[ROUTE_FIELDS[k]] = v;
    else throw new Error(`${where}: route field \`${k}\` is not modelled by the e2e renderer`);
  }
  if (out.receiver === undefined) delete out.receiver;
  return out;
}

const snake = (k: string): string =>
  k
    .replace(/URL/g, "Url")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();

/** Fields of pagerdutyConfigs / slackConfigs / webhookConfigs passed through renamed; secret refs read. */
const SECRET_FIELDS: Record<string, Record<string, string>> = {
  pagerdutyConfigs: { routingKey: "routing_key", serviceKey: "service_key" },
  slackConfigs: { apiURL: "api_url" },
  webhookConfigs: { urlSecret: "url" },
};
const PLAIN_FIELDS: Record<string, readonly string[]> = {
  pagerdutyConfigs: ["sendResolved", "url", "client", "clientURL", "description", "severity", "class", "group", "component"],
  slackConfigs: [
    "sendResolved",
    "channel",
    "username",
    "color",
    "title",
    "titleLink",
    "pretext",
    "text",
    "shortFields",
    "footer",
    "fallback",
    "callbackId",
    "iconEmoji",
    "iconURL",
    "imageURL",
    "thumbURL",
    "linkNames",
    "mrkdwnIn",
  ],
  webhookConfigs: ["sendResolved", "url", "maxAlerts"],
};

function convertReceiver(r: any, prefix: string, namespace: string, secret: SecretReader, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = { name: `${prefix}${r.name}` };
  for (const [kind, configs] of Object.entries(r)) {
    if (kind === "name") continue;
    if (!(kind in PLAIN_FIELDS)) throw new Error(`${where}: receiver kind \`${kind}\` is not modelled by the e2e renderer`);
    out[snake(kind)] = (configs as any[]).map((c, i) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c)) {
        if (k in SECRET_FIELDS[kind]) {
          const sel = v as { name: string; key: string };
          o[SECRET_FIELDS[kind][k]] = secret(namespace, sel.name, sel.key);
        } else if (k === "details" && kind === "pagerdutyConfigs") {
          o.details = Object.fromEntries((v as { key: string; value: string }[]).map((d) => [d.key, d.value]));
        } else if (PLAIN_FIELDS[kind].includes(k)) {
          o[snake(k)] = v;
        } else {
          throw new Error(`${where}.${kind}[${i}]: field \`${k}\` is not modelled by the e2e renderer`);
        }
      }
      return o;
    });
  }
  return out;
}

/** What the renderer made: the config object, its YAML, and the receivers of each AlertmanagerConfig. */
export interface RenderedAlertmanagerConfig {
  readonly config: Record<string, any>;
  readonly yaml: string;
  /** `namespace/name` of each selected AlertmanagerConfig → its receiver names as rendered. */
  readonly receivers: Record<string, string[]>;
  /** `namespace/name` of AlertmanagerConfigs the selector leaves out. */
  readonly notSelected: string[];
}

/** The Alertmanager configuration for the AlertmanagerConfigs among `objects` that `options.selector` selects. */
export function renderAlertmanagerConfig(objects: readonly K8sObject[], options: AlertmanagerRenderOptions): RenderedAlertmanagerConfig {
  const { selected, ignored } = selectObjects(objects, "AlertmanagerConfig", options.selector);
  const routes: Record<string, unknown>[] = [];
  const receivers: Record<string, unknown>[] = [{ name: "null" }];
  const byConfig: Record<string, string[]> = {};
  for (const amc of selected) {
    const namespace = amc.metadata.namespace ?? "default";
    const prefix = `${namespace}/${amc.metadata.name}/`;
    const where = `AlertmanagerConfig ${namespace}/${amc.metadata.name}`;
    const route = convertRoute(amc.spec?.route, prefix, `${where} spec.route`);
    route.matchers = [`namespace=${JSON.stringify(namespace)}`, ...((route.matchers as string[]) ?? [])];
    route.continue = true;
    routes.push(route);
    const rs = (amc.spec?.receivers ?? []).map((r: any, i: number) => convertReceiver(r, prefix, namespace, options.secret, `${where} spec.receivers[${i}]`));
    receivers.push(...rs);
    byConfig[`${namespace}/${amc.metadata.name}`] = rs.map((r: any) => r.name as string);
  }
  const config = {
    global: { resolve_timeout: "5m", ...(options.global ?? {}) },
    // kube-prometheus-stack's default root: everything to `null` unless a child route takes it.
    route: { receiver: "null", group_by: ["namespace"], group_wait: "30s", group_interval: "5m", repeat_interval: "12h", routes },
    receivers,
    templates: [],
  };
  return {
    config,
    yaml: stringify(config, { lineWidth: 0 }),
    receivers: byConfig,
    notSelected: ignored.map((o) => `${o.metadata.namespace ?? "default"}/${o.metadata.name}`),
  };
}

/** The receivers' Secret values the stack registered (`stringData`, else base64 `data`). */
export function stackSecretReader(objects: readonly K8sObject[]): SecretReader {
  return (namespace, name, key) => {
    const s = objects.find((o) => o.kind === "Secret" && (o.metadata.namespace ?? "default") === namespace && o.metadata.name === name);
    if (!s) throw new Error(`Secret ${namespace}/${name} referenced by an AlertmanagerConfig is not in the stack`);
    const v = s.stringData?.[key] ?? (s.data?.[key] !== undefined ? Buffer.from(s.data[key], "base64").toString("utf8") : undefined);
    if (v === undefined) throw new Error(`Secret ${namespace}/${name} has no key "${key}"`);
    return v;
  };
}
