/**
 * Alert rules for one product: a Prometheus Operator `PrometheusRule` holding typed alert groups
 * (components/monitoring/alerts/) and, when routing is given, an `AlertmanagerConfig` that pages for
 * `critical`, posts to chat for `warning` and drops `info`, with its two credentials in a `Secret`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isDnsLabel, PlatformContext, recommendedLabels, throwIfInvalid, Transform, transform, TYPE_PREFIX } from "../context";
import { AlertGroup, PrometheusRuleGroup, toPrometheusRuleGroups, validateAlertGroups } from "./alerts";

/** Where alerts go. Both credentials are secrets and reach the cluster only through a `Secret`. */
export interface AlertRoutingArgs {
  /** PagerDuty Events API v2 routing (integration) key; receives `critical` alerts. Kept a Pulumi secret. */
  readonly pagerKey: pulumi.Input<string>;
  /** Slack incoming-webhook URL (https); receives `warning` alerts. Kept a Pulumi secret. */
  readonly chatWebhookUrl: pulumi.Input<string>;
  /** Slack channel to post to; the webhook's own channel when omitted. @example "#codebook-alerts" */
  readonly chatChannel?: string;
}

export interface AlertRulesArgs {
  /** Environment, product and owner; used for labels. */
  readonly context: PlatformContext;
  /**
   * Namespace of the PrometheusRule, Secret and AlertmanagerConfig. Every alert also gets a
   * `namespace` label with this value: the operator scopes an AlertmanagerConfig's routes to
   * alerts whose `namespace` label equals the config's namespace, and aggregated expressions
   * (`sum(...)`) would otherwise carry no namespace at all.
   * @example "codebook"
   */
  readonly namespace: string;
  /** The alert groups (builders in components/monitoring/alerts/). @example [{ name: "codebook-api", rules: [errorRate({ selector: { job: "codebook-api" } })] }] */
  readonly groups: ReadonlyArray<AlertGroup>;
  /** Alert routing to a pager and a chat channel; without it the rules only reach the cluster's default Alertmanager route. @default undefined */
  readonly routing?: AlertRoutingArgs;
  /**
   * Labels the Prometheus' `ruleSelector` matches. kube-prometheus-stack (Helm) selects
   * `release: <helm release>`; kube-prometheus (jsonnet) selects `prometheus: k8s, role: alert-rules`.
   * @default { release: "kube-prometheus-stack" }
   */
  readonly ruleSelectorLabels?: Readonly<Record<string, string>>;
  /** Labels the Alertmanager's `alertmanagerConfigSelector` matches. @default { release: "kube-prometheus-stack" } */
  readonly alertmanagerConfigSelectorLabels?: Readonly<Record<string, string>>;
  /** Adjust a child's arguments without forking the component. @default {} */
  readonly transform?: {
    readonly prometheusRule?: Transform<k8s.apiextensions.CustomResourceArgs>;
    readonly receiversSecret?: Transform<k8s.core.v1.SecretArgs>;
    readonly alertmanagerConfig?: Transform<k8s.apiextensions.CustomResourceArgs>;
  };
}

/** Defaults of `AlertRulesArgs`, written once. */
export const ALERT_RULES_DEFAULTS = {
  ruleSelectorLabels: { release: "kube-prometheus-stack" } as Readonly<Record<string, string>>,
  alertmanagerConfigSelectorLabels: { release: "kube-prometheus-stack" } as Readonly<Record<string, string>>,
  transform: {} as NonNullable<AlertRulesArgs["transform"]>,
};

/** Keys of the receivers Secret. */
export const RECEIVER_SECRET_KEYS = {
  pagerKey: "pager-routing-key",
  chatWebhookUrl: "chat-webhook-url",
} as const;

/** Receiver names of the AlertmanagerConfig (the operator prefixes them with namespace and name). */
export const RECEIVERS = { pager: "pager", chat: "chat", none: "null" } as const;

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const SLACK_CHANNEL = /^[#@]?[a-z0-9][a-z0-9._-]{0,79}$/;

function checkLabels(field: string, labels: Readonly<Record<string, string>>, problems: string[]): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key)) problems.push(`\`${field}\` key "${key}" is not a valid Kubernetes label key`);
    if (!LABEL_VALUE.test(value)) problems.push(`\`${field}.${key}\` value "${value}" is not a valid Kubernetes label value`);
  }
}

/**
 * Synchronous checks of `AlertRulesArgs`; throws a `ValidationError` listing every problem.
 * Secret inputs are checked only when they are plain strings, and never echoed.
 */
export function validateAlertRulesArgs(name: string, args: AlertRulesArgs): void {
  const problems: string[] = [];
  if (!isDnsLabel(name, 50)) {
    problems.push(`\`name\` "${name}" must be a DNS label of at most 50 characters (children are named "<name>-rules", "<name>-receivers", "<name>-routing")`);
  }
  if (!isDnsLabel(args.namespace) || args.namespace === "default") {
    problems.push(`\`namespace\` must be the product's namespace (a DNS label, not "default"), got "${args.namespace}"`);
  }
  if (args.groups.length === 0) {
    problems.push("`groups` must contain at least one group of alerts; build them with components/monitoring/alerts/");
  }
  problems.push(...validateAlertGroups(args.groups));
  if (args.ruleSelectorLabels !== undefined) {
    if (Object.keys(args.ruleSelectorLabels).length === 0) {
      problems.push("`ruleSelectorLabels` must not be empty: Prometheus selects rules by label; use the labels of its `ruleSelector`");
    }
    checkLabels("ruleSelectorLabels", args.ruleSelectorLabels, problems);
  }
  if (args.alertmanagerConfigSelectorLabels !== undefined) {
    checkLabels("alertmanagerConfigSelectorLabels", args.alertmanagerConfigSelectorLabels, problems);
  }
  const routing = args.routing;
  if (routing) {
    if (typeof routing.pagerKey === "string" && routing.pagerKey.trim().length === 0) {
      problems.push("`routing.pagerKey` is empty; pass the PagerDuty routing key from secret stack config");
    }
    if (typeof routing.chatWebhookUrl === "string" && !/^https:\/\/[^\s/]+\/\S*$/.test(routing.chatWebhookUrl)) {
      problems.push(
        "`routing.chatWebhookUrl` must be an https:// webhook URL (value not shown: it is a secret); pass the Slack incoming-webhook URL from secret stack config",
      );
    }
    if (routing.chatChannel !== undefined && !SLACK_CHANNEL.test(routing.chatChannel)) {
      problems.push(
        `\`routing.chatChannel\` must be a Slack channel such as "#codebook-alerts" (lower case, digits, "-", "_", "."), got "${routing.chatChannel}"`,
      );
    }
  }
  throwIfInvalid("AlertRules", name, problems);
}

/**
 * A product's alert rules (`PrometheusRule`) and, optionally, their routing (`AlertmanagerConfig`
 * plus the receivers `Secret`).
 */
export class AlertRules extends pulumi.ComponentResource {
  /** The rule groups as plain data (the PrometheusRule's `spec.groups`), for export and review. */
  public readonly ruleGroups: PrometheusRuleGroup[];
  /** Name of the PrometheusRule object. */
  public readonly ruleName: pulumi.Output<string>;

  constructor(name: string, args: AlertRulesArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(`${TYPE_PREFIX}:monitoring:AlertRules`, name, {}, opts);

    validateAlertRulesArgs(name, args);
    const a = { ...ALERT_RULES_DEFAULTS, ...definedOnly(args) } as Required<Omit<AlertRulesArgs, "routing">> & Pick<AlertRulesArgs, "routing">;
    const labels = recommendedLabels(a.context, name, "alerting");

    this.ruleGroups = toPrometheusRuleGroups(a.groups, { commonLabels: { namespace: a.namespace } });
    const rule = this.createPrometheusRule(name, a, labels);
    if (a.routing) {
      const secret = this.createReceiversSecret(name, a, a.routing, labels);
      this.createAlertmanagerConfig(name, a, a.routing, secret, labels);
    }

    this.ruleName = rule.metadata.name;
    this.registerOutputs({ ruleGroups: this.ruleGroups, ruleName: this.ruleName });
  }

  private createPrometheusRule(name: string, a: Required<Omit<AlertRulesArgs, "routing">>, labels: Record<string, string>): k8s.apiextensions.CustomResource {
    const args: k8s.apiextensions.CustomResourceArgs = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: {
        name: `${name}-rules`,
        namespace: a.namespace,
        labels: { ...labels, ...a.ruleSelectorLabels },
      },
      spec: { groups: this.ruleGroups },
    };
    const final = transform(a.transform.prometheusRule, args);
    return new k8s.apiextensions.CustomResource(`${name}-rules`, final, { parent: this });
  }

  private createReceiversSecret(
    name: string,
    a: Required<Omit<AlertRulesArgs, "routing">>,
    routing: AlertRoutingArgs,
    labels: Record<string, string>,
  ): k8s.core.v1.Secret {
    const args: k8s.core.v1.SecretArgs = {
      metadata: { name: `${name}-receivers`, namespace: a.namespace, labels },
      type: "Opaque",
      stringData: {
        [RECEIVER_SECRET_KEYS.pagerKey]: pulumi.secret(routing.pagerKey),
        [RECEIVER_SECRET_KEYS.chatWebhookUrl]: pulumi.secret(routing.chatWebhookUrl),
      },
    };
    const final = transform(a.transform.receiversSecret, args);
    return new k8s.core.v1.Secret(`${name}-receivers`, final, { parent: this });
  }

  private createAlertmanagerConfig(
    name: string,
    a: Required<Omit<AlertRulesArgs, "routing">>,
    routing: AlertRoutingArgs,
    secret: k8s.core.v1.Secret,
    labels: Record<string, string>,
  ): k8s.apiextensions.CustomResource {
    const secretName = secret.metadata.name;
    const severityRoute = (severity: string, receiver: string) => ({
      receiver,
      matchers: [{ name: "severity", value: severity, matchType: "=" }],
    });
    const args: k8s.apiextensions.CustomResourceArgs = {
      // `kubernetes-disallow-deprecated-api-versions` forbids alpha/beta API versions for built-in kinds. AlertmanagerConfig is a
      // Prometheus Operator CRD, not a built-in kind, and upstream serves it as v1alpha1 (v1beta1
      // only in newer operators; there is no v1): this is the one deliberate exception.
      apiVersion: "monitoring.coreos.com/v1alpha1",
      kind: "AlertmanagerConfig",
      metadata: {
        name: `${name}-routing`,
        namespace: a.namespace,
        labels: { ...labels, ...a.alertmanagerConfigSelectorLabels },
      },
      spec: {
        // The operator adds a `namespace="<this namespace>"` matcher to this route, which is why
        // every alert carries the `namespace` label (see `AlertRulesArgs.namespace`).
        route: {
          receiver: RECEIVERS.none,
          groupBy: ["alertname", "namespace"],
          // Alertmanager's defaults, written out; repeat 4h = seed 001 §9 "Critical (P0): ... resolve within 4 hours".
          groupWait: "30s",
          groupInterval: "5m",
          repeatInterval: "4h",
          routes: [
            severityRoute("critical", RECEIVERS.pager), // seed 001 §1.4 "Critical Alerts (Page on-call)"
            severityRoute("warning", RECEIVERS.chat), // seed 001 §1.4 "Warning Alerts (Email/Slack)"
            severityRoute("info", RECEIVERS.none),
          ],
        },
        receivers: [
          {
            name: RECEIVERS.pager,
            pagerdutyConfigs: [
              {
                routingKey: { name: secretName, key: RECEIVER_SECRET_KEYS.pagerKey },
                severity: "critical",
                description: "{{ .CommonAnnotations.summary }}",
                sendResolved: true,
              },
            ],
          },
          {
            name: RECEIVERS.chat,
            slackConfigs: [
              {
                apiURL: { name: secretName, key: RECEIVER_SECRET_KEYS.chatWebhookUrl },
                ...(routing.chatChannel ? { channel: routing.chatChannel } : {}),
                title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
                text: "{{ range .Alerts }}{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}",
                sendResolved: true,
              },
            ],
          },
          { name: RECEIVERS.none },
        ],
      },
    };
    const final = transform(a.transform.alertmanagerConfig, args);
    return new k8s.apiextensions.CustomResource(`${name}-routing`, final, { parent: this });
  }
}

/** Drops `undefined` fields so they do not override defaults when spread. */
function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
