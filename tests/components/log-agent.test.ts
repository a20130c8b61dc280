/**
 * The log agent (components/logs/log-agent.ts) and its routing table (log-routes.ts).
 *
 * No Vector binary is packaged for this machine (Debian has none) and no VRL evaluator is used:
 * the table is held to `classifyLogLine` on sample lines, its rendering into VRL and route
 * conditions is held to the table as text, and the configuration the committed stacks really
 * render (the Release's `values.customConfig`, from Pulumi's own runner) is walked source →
 * transforms → sinks for every product namespace and a foreign one, each line landing in exactly
 * the sink of its class and its namespace's product.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { plain, type RegisteredResource } from "../../tools/engine/harness";
import { isSecret } from "../../tools/engine/harness/properties";
import { requireOk } from "../../tools/engine/stack-run";
import { committedStackRun } from "../helpers/stack-runs";
import { LOG_CLASSES, type LogClass, classifyLogLine, logClass } from "../../components/logs/log-classes";
import { CLASS_RULES, type ClassRule, classifyByRules, renderClassifyVrl } from "../../components/logs/log-routes";
import {
  AGENT_SECURITY_CONTEXT,
  POD_LOG_DIR,
  VECTOR_CHART,
  VECTOR_IMAGE,
  chartPodLabels,
  commonPrefix,
  renderAgentConfig,
  s3LogWriterPolicy,
} from "../../components/logs/log-agent";
import { logDestinationIn } from "../helpers/log-destinations";
import type { BackupBucketRef } from "../../components/data/backup-bucket";

/** The sample lines of tests/components/log-classes.test.ts, and more edge cases of the same contract. */
const SAMPLES: readonly string[] = [
  '{"level":"ERROR","message":"x"}',
  '{"level":"fatal"}',
  '{"level":"DEBUG"}',
  '{"level":"trace"}',
  '{"level":"INFO"}',
  '{"level":"WARN"}',
  '{"level":"DEBUG","audit":true}',
  '{"level":"INFO","audit":"true"}',
  "plain text line",
  "[1,2]",
  '{"message":"no level"}',
  '{"level":"Critical","user":"u1"}',
  '{"level":"panic"}',
  '{"level":"error","audit":false}',
  '{"level":5}',
  '{"level":["error"]}',
  '{"audit":true}',
  '{"level":"INFO","audit":1}',
  '"a JSON string"',
  "null",
  "",
  '{"level":"ERROR"',
];

describe("the routing table against classifyLogLine", () => {
  it.each(SAMPLES)("classifies %j as classifyLogLine does", (line) => {
    expect(classifyByRules(line)).toBe(classifyLogLine(line));
  });

  it("covers every class once, audit first and app last", () => {
    expect(CLASS_RULES.map((r) => r.class)).toEqual(["audit", "error", "debug", "app"]);
    expect(new Set(CLASS_RULES.map((r) => r.class))).toEqual(new Set(LOG_CLASSES.map((c) => c.class)));
  });

  it("a table with the level before the marker disagrees with the reference (the check can fail)", () => {
    const levelFirst: ClassRule[] = [CLASS_RULES[1], CLASS_RULES[0], CLASS_RULES[2], CLASS_RULES[3]];
    const line = '{"level":"ERROR","audit":true}';
    expect(classifyLogLine(line)).toBe("audit");
    expect(classifyByRules(line, levelFirst)).toBe("error");
  });
});

describe("the table rendered as VRL", () => {
  it("writes each row, in order, as one branch of the classify program", () => {
    expect(renderClassifyVrl(CLASS_RULES)).toBe(
      [
        '.log_class = "app"',
        "parsed, err = parse_json(.message)",
        "if err == null && is_object(parsed) {",
        '  level = if is_string(parsed.level) { downcase(string!(parsed.level)) } else { "" }',
        "  if parsed.audit == true {",
        '    .log_class = "audit"',
        '  } else if includes(["error","fatal","critical","crit","emerg","alert","panic"], level) {',
        '    .log_class = "error"',
        '  } else if includes(["debug","trace"], level) {',
        '    .log_class = "debug"',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("changes with the table (a reordered table renders another program)", () => {
    const reordered: ClassRule[] = [CLASS_RULES[1], CLASS_RULES[0], CLASS_RULES[2], CLASS_RULES[3]];
    const vrl = renderClassifyVrl(reordered);
    expect(vrl.indexOf('.log_class = "error"')).toBeLessThan(vrl.indexOf('.log_class = "audit"'));
  });

  it("refuses a table without a last `otherwise` row, and marker fields VRL cannot address plainly", () => {
    expect(() => renderClassifyVrl(CLASS_RULES.slice(0, 3))).toThrow(/last row must be `otherwise`/);
    expect(() => renderClassifyVrl([{ class: "audit", when: { kind: "marker", field: "audit-flag" } }, CLASS_RULES[3]])).toThrow(
      /not a plain VRL path segment/,
    );
  });

  it("holds neither `${` (Vector's environment interpolation) nor `{{` (the chart's tpl)", () => {
    const vrl = renderClassifyVrl();
    expect(vrl).not.toContain("${");
    expect(vrl).not.toContain("{{");
  });
});

// ---------------------------------------------------------------------------------------------
// The configuration the committed stacks render
// ---------------------------------------------------------------------------------------------

const RELEASE = "kubernetes:helm.sh/v3:Release";
const STACKS = ["prod", "staging"] as const;
const runs = {} as Record<(typeof STACKS)[number], readonly RegisteredResource[]>;

beforeAll(async () => {
  for (const s of STACKS) runs[s] = requireOk(await committedStackRun(s)).resources;
}, 120_000);

function release(stack: (typeof STACKS)[number]): RegisteredResource {
  const r = runs[stack].filter((x) => x.type === RELEASE && x.name === `log-agent-${stack}-release`);
  expect(r).toHaveLength(1);
  return r[0];
}

type Config = { sources: Record<string, any>; transforms: Record<string, any>; sinks: Record<string, any> };

/**
 * Which sinks one line of a pod in `namespace` reaches, following the rendered graph. Only the
 * condition forms the renderer writes are understood; any other makes the walk throw, so a new
 * kind of condition cannot pass unread.
 */
function sinksReached(config: Config, namespace: string, line: string): string[] {
  const event = { namespace, class: undefined as LogClass | undefined };
  const reached: string[] = [];
  const visit = (output: string) => {
    for (const [id, t] of Object.entries(config.transforms)) {
      if (!(t.inputs as string[]).includes(output)) continue;
      if (t.type === "remap") {
        expect(t.source, `transform ${id}`).toBe(renderClassifyVrl(CLASS_RULES));
        event.class = classifyByRules(line, CLASS_RULES);
        visit(id);
      } else if (t.type === "route") {
        for (const [route, cond] of Object.entries(t.route as Record<string, string>)) {
          if (matches(cond, event)) visit(`${id}.${route}`);
        }
      } else throw new Error(`transform ${id} of type ${t.type} is not understood by this walk`);
    }
    for (const [id, s] of Object.entries(config.sinks)) if ((s.inputs as string[]).includes(output)) reached.push(id);
  };
  const source = Object.entries(config.sources).find(([, s]) => s.type === "kubernetes_logs");
  expect(source).toBeDefined();
  const selector = String(source![1].extra_namespace_label_selector);
  const watched = /^kubernetes\.io\/metadata\.name in \(([a-z0-9,-]+)\)$/.exec(selector);
  expect(watched, selector).not.toBeNull();
  if (watched![1].split(",").includes(namespace)) visit(source![0]);
  return reached;
}

function matches(cond: string, event: { namespace: string; class?: LogClass }): boolean {
  const ns = /^\.kubernetes\.pod_namespace == "([a-z0-9-]+)"$/.exec(cond);
  if (ns) return ns[1] === event.namespace;
  const cls = /^\.log_class == "([a-z]+)"$/.exec(cond);
  if (cls) {
    expect(event.class, "the class route runs after the classify transform").toBeDefined();
    return cls[1] === event.class;
  }
  throw new Error(`route condition not understood: ${cond}`);
}

/**
 * Products with Kubernetes workloads, and per class the name of the bucket the program made for it
 * (`productLogs`: `<product>-audit-logs` on S3; `<product>-logs-<class>` on S3 or one
 * `<product>-logs` on R2 for the other classes), read off the registered buckets.
 */
function routedProducts(stack: string): Record<string, Record<LogClass, string>> {
  const registered = runs[stack as "prod"];
  const bucketNamed = (logical: string): string | undefined => {
    const r = registered.find((x) => (x.type === "aws:s3/bucket:Bucket" || x.type === "cloudflare:index/r2Bucket:R2Bucket") && x.name === logical);
    const inputs = r && plain<any>(r.inputs);
    return inputs ? String(inputs.bucket ?? inputs.name) : undefined;
  };
  // A product's workloads are its `KubernetesService` components, children of its ApplicationStack `<product>`.
  const withWorkloads = new Set(
    registered.filter((x) => x.type === "app-platform:kubernetes:Service").map((x) => /ApplicationStack::([a-z-]+)$/.exec(String(x.parent))?.[1]),
  );
  const out: Record<string, Record<LogClass, string>> = {};
  for (const product of withWorkloads) {
    if (!product) continue;
    const byClass = Object.fromEntries(
      LOG_CLASSES.map((c) => [
        c.class,
        c.class === "audit"
          ? bucketNamed(`${product}-audit-logs-bucket`)
          : (bucketNamed(`${product}-logs-${c.class}-bucket`) ?? bucketNamed(`${product}-logs-bucket`)),
      ]),
    ) as Record<LogClass, string>;
    for (const c of LOG_CLASSES) expect(byClass[c.class], `${stack}: ${product}'s ${c.class} log bucket`).toBeDefined();
    out[product] = byClass;
  }
  return out;
}

describe.each(STACKS)("%s: the agent's rendered routes", (stack) => {
  it("route each product namespace's lines to exactly the sink of the line's class in that product's bucket, and a foreign namespace's nowhere", () => {
    const values = plain<any>(release(stack).inputs).values;
    const config = values.customConfig as Config;
    const products = routedProducts(stack);
    // The three products that run workloads; each class of each goes to the bucket made for it.
    expect(Object.keys(products).sort()).toEqual(["ask-dahlia", "chat-api", "codebook"]);
    for (const [product, buckets] of Object.entries(products)) {
      for (const line of SAMPLES) {
        const reached = sinksReached(config, `${product}-${stack}`, line);
        expect(reached, `${product} ${line}`).toHaveLength(1);
        const sink = config.sinks[reached[0]];
        const cls = classifyLogLine(line);
        expect(sink.type).toBe("aws_s3");
        expect(sink.bucket, `${product} ${line}`).toBe(buckets[cls]);
        expect(sink.key_prefix, `${product} ${line}`).toBe(`${logClass(cls).prefix}%Y/%m/%d/`);
      }
    }
    for (const foreign of ["kube-system", "logging", `voyager-${stack}`, `codebook-${stack === "prod" ? "staging" : "prod"}`]) {
      for (const line of SAMPLES) expect(sinksReached(config, foreign, line), `${foreign} ${line}`).toEqual([]);
    }
  });

  it("writes gzip NDJSON with bounded batches and buffers, credentials only as ${VAR} references", () => {
    const config = plain<any>(release(stack).inputs).values.customConfig as Config;
    const s3 = Object.entries(config.sinks).filter(([, s]) => s.type === "aws_s3");
    expect(s3).toHaveLength(3 * LOG_CLASSES.length);
    for (const [id, s] of s3) {
      expect(s.compression, id).toBe("gzip");
      expect(s.encoding, id).toEqual({ codec: "json" });
      expect(s.framing, id).toEqual({ method: "newline_delimited" });
      expect(s.auth.access_key_id, id).toMatch(/^\$\{LOGS_[A-Z_]+_\d+_AWS_ACCESS_KEY_ID\}$/);
      expect(s.auth.secret_access_key, id).toMatch(/^\$\{LOGS_[A-Z_]+_\d+_AWS_SECRET_ACCESS_KEY\}$/);
      expect(s.batch.max_bytes, id).toBeLessThanOrEqual(10_000_000);
      expect(s.buffer, id).toMatchObject({ type: "memory", when_full: "block" });
      expect(s.healthcheck, id).toEqual({ enabled: false });
      // S3 buckets sign for their region; R2 (Chat API's app, error and debug logs) for `auto`.
      expect(s.region, id).toBe(s.endpoint ? "auto" : "us-east-1");
    }
    expect(JSON.stringify(config)).not.toContain("{{");
    expect(config.sinks.prom_exporter).toEqual({ type: "prometheus_exporter", inputs: ["internal_metrics"], address: "0.0.0.0:9090" });
  });
});

describe.each(STACKS)("%s: the Release", (stack) => {
  it("pins the chart and the image, in role Agent", () => {
    const inputs = plain<any>(release(stack).inputs);
    expect(inputs).toMatchObject({
      chart: "vector",
      version: VECTOR_CHART.version,
      repositoryOpts: { repo: "https://helm.vector.dev" },
      namespace: "logging",
      atomic: true,
    });
    expect(inputs.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(inputs.values.role).toBe("Agent");
    expect(inputs.values.image).toEqual({ repository: VECTOR_IMAGE.repository, tag: VECTOR_IMAGE.tag, pullPolicy: "IfNotPresent" });
    expect(VECTOR_IMAGE.tag).toMatch(/^\d+\.\d+\.\d+-/);
  });

  it("holds no secret: credentials reach the pods from a Secret named in envFrom, which is a Pulumi secret", () => {
    const r = release(stack);
    expect(JSON.stringify(r.inputs)).not.toContain("4dabf18193072939515e22adb298388d"); // the wire secret signature
    const values = plain<any>(r.inputs).values;
    expect(values.envFrom).toHaveLength(1);
    expect(values.env ?? []).toEqual([]);
    expect(values.secrets).toBeUndefined();
    const secrets = runs[stack].filter((x) => x.type === "kubernetes:core/v1:Secret" && x.name.startsWith("log-agent-") && x.name.endsWith("-credentials"));
    expect(secrets).toHaveLength(1);
    const data = (secrets[0].inputs as any).stringData;
    // Unknown in a preview (the access keys do not exist yet); when known, it is a secret.
    expect(isSecret(data) || JSON.stringify(data).includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9")).toBe(true);
    expect((secrets[0].inputs as any).immutable).toBe(true);
  });

  it("runs least privilege: no privilege, every capability dropped, read-only root, two hostPaths (pod logs read-only)", () => {
    const values = plain<any>(release(stack).inputs).values;
    expect(values.securityContext).toEqual(AGENT_SECURITY_CONTEXT);
    expect(values.securityContext.capabilities).toEqual({ drop: ["ALL"] });
    expect(values.podSecurityContext).toEqual({ seccompProfile: { type: "RuntimeDefault" } });
    expect(values.podHostNetwork ?? false).toBe(false);
    // The chart's default /var/lib, /proc and /sys mounts are replaced by the pod log directory alone.
    expect(values.defaultVolumes).toEqual([{ name: "var-log-pods", hostPath: { path: POD_LOG_DIR, type: "Directory" } }]);
    expect(values.defaultVolumeMounts).toEqual([{ name: "var-log-pods", mountPath: POD_LOG_DIR, readOnly: true }]);
    expect(values.persistence).toEqual({ hostPath: { enabled: true, path: "/var/lib/vector" } });
    expect(values.extraVolumes ?? []).toEqual([]);
    expect(values.resources.requests).toBeDefined();
    expect(values.resources.limits.memory).toBeDefined();
  });

  it("lets the agent reach DNS and HTTPS only, and be reached on its metrics port from the monitoring namespace only", () => {
    const policies = runs[stack].filter((x) => x.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && x.name.startsWith("log-agent-"));
    expect(policies.map((p) => p.name).sort()).toEqual([`log-agent-${stack}-allow`, `log-agent-${stack}-default-deny`]);
    const allow = plain<any>(policies.find((p) => p.name.endsWith("-allow"))!.inputs);
    expect(allow.spec.podSelector.matchLabels).toEqual(chartPodLabels("vector-agent", "Agent"));
    expect(allow.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9090 }] },
    ]);
    const ports = allow.spec.egress.flatMap((e: any) => e.ports.map((p: any) => `${p.protocol}/${p.port}`)).sort();
    expect(ports).toEqual(["TCP/443", "TCP/53", "TCP/6443", "UDP/53"]);
    expect(allow.spec.egress.every((e: any) => e.to === undefined)).toBe(true);
  });

  it("is scraped: a ServiceMonitor with the Prometheus selector labels on a Service of the chart's pods, and its alerts in logging", () => {
    const svc = plain<any>(runs[stack].find((x) => x.type === "kubernetes:core/v1:Service" && x.name === `log-agent-${stack}-metrics`)!.inputs);
    // The chart's `vector.selectorLabels` (charts/vector/templates/_helpers.tpl): name, instance, component = role.
    expect(svc.spec.selector).toEqual({
      "app.kubernetes.io/name": "vector",
      "app.kubernetes.io/instance": "vector-agent",
      "app.kubernetes.io/component": "Agent",
    });
    const sm = plain<any>(
      runs[stack].find((x) => x.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" && x.name === `log-agent-${stack}-service-monitor`)!.inputs,
    );
    expect(sm.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(sm.spec.endpoints).toEqual([{ port: "prom-exporter", path: "/metrics", scheme: "http" }]);
    const rule = plain<any>(
      runs[stack].find((x) => x.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" && x.name === `log-agent-${stack}-alerts-rules`)!.inputs,
    );
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts).toEqual(["LogAgentDown", "TargetMissing", "LogShippingFailing"]);
    expect(rule.spec.groups[0].rules[0].expr).toBe('up{namespace="logging",job="vector-agent-metrics"} == 0');
  });
});

// ---------------------------------------------------------------------------------------------
// Pure parts: R2 sinks, the writer's policy
// ---------------------------------------------------------------------------------------------

describe("R2 and S3 targets", () => {
  const r2: BackupBucketRef = {
    kind: "r2",
    bucketName: "ara-prod-backups",
    endpoint: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
    region: "auto",
    retention: [],
    accountId: "0123456789abcdef0123456789abcdef",
  };

  it("an R2 bucket's sinks use the account's endpoint with region auto", () => {
    const config = renderAgentConfig([{ product: "ara", namespace: "ara-prod", destination: logDestinationIn("ara", r2) }]) as any;
    expect(config.sinks.ara_audit).toMatchObject({
      bucket: "ara-prod-backups",
      endpoint: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
      region: "auto",
      key_prefix: "logs/audit/%Y/%m/%d/",
    });
  });

  it("the S3 writer may only put objects under the class prefixes and encrypt through S3", () => {
    const doc = JSON.parse(s3LogWriterPolicy("arn:aws:s3:::b", ["logs/app/", "logs/audit/"], "arn:aws:kms:us-east-1:1:key/k", "us-east-1"));
    expect(doc.Statement).toEqual([
      { Sid: "PutBackups", Effect: "Allow", Action: "s3:PutObject", Resource: ["arn:aws:s3:::b/logs/app/*", "arn:aws:s3:::b/logs/audit/*"] },
      {
        Sid: "EncryptThroughS3",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Encrypt"],
        Resource: "arn:aws:kms:us-east-1:1:key/k",
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
    ]);
  });

  it("a destination whose audit class is in another bucket gets a second credential for it", () => {
    const audit: BackupBucketRef = { ...r2, bucketName: "ara-prod-audit" };
    const d = logDestinationIn("ara", r2);
    const split = { ...d, targets: { ...d.targets, audit: { bucket: audit, prefix: "logs/audit/" } } };
    const config = renderAgentConfig([{ product: "ara", namespace: "ara-prod", destination: split }]) as any;
    expect(config.sinks.ara_audit.bucket).toBe("ara-prod-audit");
    expect(config.sinks.ara_audit.auth.access_key_id).toBe("${LOGS_ARA_1_AWS_ACCESS_KEY_ID}");
    expect(config.sinks.ara_app.auth.access_key_id).toBe("${LOGS_ARA_2_AWS_ACCESS_KEY_ID}");
  });

  it("the common prefix of the classes is logs/", () => {
    expect(commonPrefix(LOG_CLASSES.map((c) => c.prefix))).toBe("logs/");
    expect(commonPrefix(["logs/audit/"])).toBe("logs/audit/");
  });
});
