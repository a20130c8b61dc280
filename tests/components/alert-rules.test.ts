import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { AlertRules, AlertRulesArgs, validateAlertRulesArgs } from "../../components/monitoring/alert-rules";
import { AlertGroup, errorRate, sseConnections, toPrometheusRuleGroups } from "../../components/monitoring/alerts";
import { PlatformContext, ValidationError } from "../../components/context";
import { Duration } from "../../components/values";
import { installRecordingMocks, valueOf } from "../helpers/mocks";

const rec = installRecordingMocks({ stack: "staging" });
beforeEach(() => rec.reset());

const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const ALERTMANAGER_CONFIG = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";
const SECRET = "kubernetes:core/v1:Secret";

const context: PlatformContext = { environment: "prod", product: "chat", owner: "platform-team" };
const groups: AlertGroup[] = [
  {
    name: "chat-api",
    rules: [
      errorRate({ selector: { job: "chat-api" } }),
      sseConnections({ selector: { job: "chat-api" }, severity: "warning" }),
      sseConnections({ selector: { job: "chat-api" } }),
    ],
  },
];
const PAGER_KEY = "R0UTINGKEY0123456789abcdef012345";
const WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXXXXX";

function args(over: Partial<AlertRulesArgs> = {}): AlertRulesArgs {
  return { context, namespace: "chat", groups, ...over };
}

function invalid(name: string, a: AlertRulesArgs): string {
  try {
    validateAlertRulesArgs(name, a);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error("expected a ValidationError");
}

describe("AlertRules", () => {
  it("creates one PrometheusRule with the rule groups and the selector labels", async () => {
    const c = new AlertRules("chat-alerts", args());
    await rec.settle();

    expect(rec.one("app-platform:monitoring:AlertRules", "chat-alerts").custom).toBe(false);
    const rule = rec.one(PROMETHEUS_RULE, "chat-alerts-rules");
    expect(rule.inputs.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(rule.inputs.kind).toBe("PrometheusRule");
    expect(rule.inputs.metadata).toEqual({
      name: "chat-alerts-rules",
      namespace: "chat",
      labels: {
        "app.kubernetes.io/name": "chat-alerts",
        "app.kubernetes.io/instance": "chat-alerts-prod",
        "app.kubernetes.io/component": "alerting",
        "app.kubernetes.io/part-of": "chat",
        "app.kubernetes.io/managed-by": "pulumi",
        "app-platform/owner": "platform-team",
        "app-platform/environment": "prod",
        release: "kube-prometheus-stack",
      },
    });
    const expected = toPrometheusRuleGroups(groups, { commonLabels: { namespace: "chat" } });
    expect(rule.inputs.spec).toEqual({ groups: expected });
    expect(rule.inputs.spec.groups[0].rules.map((r: any) => [r.alert, r.labels.severity, r.labels.namespace, r.for])).toEqual([
      ["HighErrorRate", "critical", "chat", "5m"],
      ["TooManySseConnectionsWarning", "warning", "chat", "10m"],
      ["TooManySseConnections", "critical", "chat", "5m"],
    ]);

    // no routing: nothing else
    expect(rec.ofType(SECRET)).toEqual([]);
    expect(rec.ofType(ALERTMANAGER_CONFIG)).toEqual([]);
    expect(rec.resources.map((r) => r.name).sort()).toEqual(["chat-alerts", "chat-alerts-rules"]);

    expect(c.ruleGroups).toEqual(expected);
    expect(await valueOf(c.ruleName)).toBe("chat-alerts-rules");
  });

  it("uses custom rule selector labels", async () => {
    new AlertRules("chat-alerts", args({ ruleSelectorLabels: { prometheus: "k8s", role: "alert-rules" } }));
    await rec.settle();
    const labels = rec.one(PROMETHEUS_RULE).inputs.metadata.labels;
    expect(labels.prometheus).toBe("k8s");
    expect(labels.role).toBe("alert-rules");
    expect(labels.release).toBeUndefined();
  });

  it("with routing: a receivers Secret whose values stay secrets, and an AlertmanagerConfig by severity", async () => {
    new AlertRules(
      "chat-alerts",
      args({
        routing: { pagerKey: pulumi.secret(PAGER_KEY), chatWebhookUrl: pulumi.secret(WEBHOOK), chatChannel: "#chat-alerts" },
      }),
    );
    await rec.settle();

    const secret = rec.one(SECRET, "chat-alerts-receivers");
    expect(secret.inputs.metadata.name).toBe("chat-alerts-receivers");
    expect(secret.inputs.metadata.namespace).toBe("chat");
    expect(secret.inputs.type).toBe("Opaque");
    expect(secret.inputs.stringData).toEqual({ "pager-routing-key": PAGER_KEY, "chat-webhook-url": WEBHOOK });
    // the whole map arrives at the engine as one secret
    expect(secret.secretPaths).toEqual(["stringData"]);

    const amc = rec.one(ALERTMANAGER_CONFIG, "chat-alerts-routing");
    expect(amc.inputs.apiVersion).toBe("monitoring.coreos.com/v1alpha1");
    expect(amc.inputs.kind).toBe("AlertmanagerConfig");
    expect(amc.inputs.metadata.name).toBe("chat-alerts-routing");
    expect(amc.inputs.metadata.namespace).toBe("chat");
    expect(amc.inputs.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(amc.secretPaths).toEqual([]);
    expect(JSON.stringify(amc.inputs)).not.toContain(PAGER_KEY);
    expect(JSON.stringify(amc.inputs)).not.toContain(WEBHOOK);

    const route = amc.inputs.spec.route;
    expect(route.receiver).toBe("null");
    expect(route.groupBy).toEqual(["alertname", "namespace"]);
    expect([route.groupWait, route.groupInterval, route.repeatInterval]).toEqual(["30s", "5m", "4h"]);
    expect(route.routes).toEqual([
      { receiver: "pager", matchers: [{ name: "severity", value: "critical", matchType: "=" }] },
      { receiver: "chat", matchers: [{ name: "severity", value: "warning", matchType: "=" }] },
      { receiver: "null", matchers: [{ name: "severity", value: "info", matchType: "=" }] },
    ]);

    const receivers = amc.inputs.spec.receivers;
    expect(receivers.map((r: any) => r.name)).toEqual(["pager", "chat", "null"]);
    expect(receivers[0].pagerdutyConfigs).toHaveLength(1);
    expect(receivers[0].pagerdutyConfigs[0].routingKey).toEqual({ name: "chat-alerts-receivers", key: "pager-routing-key" });
    expect(receivers[0].pagerdutyConfigs[0].sendResolved).toBe(true);
    expect(receivers[1].slackConfigs).toHaveLength(1);
    expect(receivers[1].slackConfigs[0].apiURL).toEqual({ name: "chat-alerts-receivers", key: "chat-webhook-url" });
    expect(receivers[1].slackConfigs[0].channel).toBe("#chat-alerts");
    expect(receivers[1].slackConfigs[0].text).toContain("{{ .Annotations.runbook_url }}");
    expect(receivers[2]).toEqual({ name: "null" });
  });

  it("turns plain routing credentials into secrets and omits an unset chat channel", async () => {
    let seen: Record<string, pulumi.Input<string>> = {};
    new AlertRules(
      "chat-alerts",
      args({
        routing: { pagerKey: PAGER_KEY, chatWebhookUrl: WEBHOOK },
        // observe the args the component built, before the Secret resource adds its own wrapping
        transform: { receiversSecret: (a) => ((seen = a.stringData as Record<string, pulumi.Input<string>>), a) },
      }),
    );
    await rec.settle();
    expect(Object.keys(seen)).toEqual(["pager-routing-key", "chat-webhook-url"]);
    for (const value of Object.values(seen)) {
      expect(pulumi.Output.isInstance(value)).toBe(true);
      expect(await pulumi.isSecret(value as pulumi.Output<string>)).toBe(true);
    }
    const secret = rec.one(SECRET, "chat-alerts-receivers");
    expect(secret.secretPaths).toEqual(["stringData"]);
    expect(secret.inputs.stringData).toEqual({ "pager-routing-key": PAGER_KEY, "chat-webhook-url": WEBHOOK });
    const slack = rec.one(ALERTMANAGER_CONFIG).inputs.spec.receivers[1].slackConfigs[0];
    expect("channel" in slack).toBe(false);
  });

  it("lets callers transform each child's args", async () => {
    new AlertRules(
      "chat-alerts",
      args({
        routing: { pagerKey: PAGER_KEY, chatWebhookUrl: WEBHOOK },
        transform: {
          prometheusRule: (a) => ({ ...a, metadata: { ...(a.metadata as object), annotations: { note: "x" } } }),
          receiversSecret: (a) => ({ ...a, immutable: true }),
          alertmanagerConfig: (a) => ({ ...a, spec: { ...a.spec, inhibitRules: [] } }),
        },
      }),
    );
    await rec.settle();
    expect(rec.one(PROMETHEUS_RULE).inputs.metadata.annotations).toEqual({ note: "x" });
    expect(rec.one(SECRET).inputs.immutable).toBe(true);
    expect(rec.one(ALERTMANAGER_CONFIG).inputs.spec.inhibitRules).toEqual([]);
  });

  it("refuses invalid args before creating anything", async () => {
    expect(() => new AlertRules("chat-alerts", args({ namespace: "default" }))).toThrow(ValidationError);
    await rec.settle();
    expect(rec.ofType(PROMETHEUS_RULE)).toEqual([]);
  });
});

describe("validateAlertRulesArgs", () => {
  it("accepts the baseline", () => {
    expect(() => validateAlertRulesArgs("chat-alerts", args({ routing: { pagerKey: "k", chatWebhookUrl: WEBHOOK, chatChannel: "#alerts" } }))).not.toThrow();
  });

  it.each<[string, string, Partial<AlertRulesArgs>, string]>([
    ["name", "Chat_Alerts", {}, '`name` "Chat_Alerts" must be a DNS label of at most 50 characters'],
    ["namespace default", "a", { namespace: "default" }, '`namespace` must be the product\'s namespace (a DNS label, not "default"), got "default"'],
    ["namespace label", "a", { namespace: "Chat" }, '`namespace` must be the product\'s namespace (a DNS label, not "default"), got "Chat"'],
    ["no groups", "a", { groups: [] }, "`groups` must contain at least one group of alerts"],
    [
      "duplicate alert",
      "a",
      { groups: [{ name: "g", rules: [errorRate({ selector: { job: "x" } }), errorRate({ selector: { job: "y" } })] }] },
      '`groups[0]` ("g") has duplicate alert name "HighErrorRate"',
    ],
    [
      "short for",
      "a",
      { groups: [{ name: "g", rules: [{ ...errorRate({ selector: { job: "x" } }), for: Duration.seconds(10) }] }] },
      '`groups[0]` alert "HighErrorRate": `for` must be at least 1m for critical alerts, got 10s',
    ],
    ["empty rule selector", "a", { ruleSelectorLabels: {} }, "`ruleSelectorLabels` must not be empty"],
    ["bad rule selector", "a", { ruleSelectorLabels: { "bad key!": "v" } }, '`ruleSelectorLabels` key "bad key!" is not a valid Kubernetes label key'],
    [
      "bad amc selector",
      "a",
      { alertmanagerConfigSelectorLabels: { release: "not valid" } },
      '`alertmanagerConfigSelectorLabels.release` value "not valid" is not a valid Kubernetes label value',
    ],
    ["empty pager key", "a", { routing: { pagerKey: " ", chatWebhookUrl: WEBHOOK } }, "`routing.pagerKey` is empty"],
    [
      "http webhook",
      "a",
      { routing: { pagerKey: "k", chatWebhookUrl: "http://hooks.example.com/x" } },
      "`routing.chatWebhookUrl` must be an https:// webhook URL (value not shown: it is a secret)",
    ],
    [
      "chat channel",
      "a",
      { routing: { pagerKey: "k", chatWebhookUrl: WEBHOOK, chatChannel: "#Bad Channel" } },
      '`routing.chatChannel` must be a Slack channel such as "#codebook-alerts"',
    ],
  ])("reports %s", (_case, name, over, message) => {
    const msg = invalid(name, args(over));
    expect(msg).toContain(`AlertRules "${name}" has invalid arguments:`);
    expect(msg).toContain(message);
  });

  it("never echoes a secret in its messages", () => {
    const msg = invalid("a", args({ routing: { pagerKey: "k", chatWebhookUrl: "http://secret-token-123" } }));
    expect(msg).not.toContain("secret-token-123");
  });

  it("skips checks of secret Outputs it cannot see synchronously", () => {
    expect(() => validateAlertRulesArgs("a", args({ routing: { pagerKey: pulumi.secret(""), chatWebhookUrl: pulumi.secret("http://x") } }))).not.toThrow();
  });
});
