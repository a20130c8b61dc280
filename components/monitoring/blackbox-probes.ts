/**
 * Blackbox probes: one Prometheus Operator `Probe` (monitoring.coreos.com/v1) per probe spec,
 * scraped through the cluster's blackbox_exporter (`spec.prober.url`, `host:port`).
 *
 * The series a Probe produces (prometheus-operator `generateProbeConfig`): `probe_*` from the
 * exporter with `job` = `spec.jobName` (else `probe/<namespace>/<name>`), `instance` = the target
 * URL (relabelled from `__param_target`), `namespace` = the Probe's namespace and the
 * `targets.staticConfig.labels`. This component sets `jobName` itself and hands the job out as
 * `jobs[<probe>]` / `selector(<probe>)`; alert builders take it from there.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformContext, TYPE_PREFIX, isDnsLabel, recommendedLabels, throwIfInvalid } from "../context";
import type { SeriesSelector } from "./alerts";
import { MODULE_NAME } from "./blackbox-modules";
import { Duration } from "../values";

/** Where the exporter is. */
export interface BlackboxProber {
  /** `host:port` of the blackbox_exporter, no scheme. @example "prometheus-blackbox-exporter.monitoring.svc:9115" */
  readonly address: string;
  /** Scheme Prometheus uses to reach the exporter. @default "http" */
  readonly scheme?: "http" | "https";
  /** Path of the exporter's probe endpoint. @default "/probe" */
  readonly path?: string;
}

/** One Probe: a module and the URLs it probes. */
export interface BlackboxProbeSpec {
  /** Short name, unique in the component; the Probe and its job are `<component>-<name>`. @example "api-health" */
  readonly name: string;
  /** blackbox_exporter module (from components/monitoring/blackbox-modules.ts). @example "http_2xx" */
  readonly module: string;
  /** Absolute http(s) URLs to probe. @example ["https://codebook-api.example.com/health"] */
  readonly targets: readonly string[];
  /** Extra labels on every series of this Probe. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** How often to probe. @default Duration.seconds(30) */
  readonly interval?: Duration;
}

export interface BlackboxProbesArgs {
  /** Environment, product and owner, for labels. */
  readonly context: PlatformContext;
  /** Namespace of the Probes (the product's namespace; the series carry it as `namespace`). */
  readonly namespace: string;
  /** The exporter the Probes go through. */
  readonly prober: BlackboxProber;
  /** The probes. */
  readonly probes: readonly BlackboxProbeSpec[];
  /** Labels the Prometheus' `probeSelector` matches (`prometheusSelectorLabels`). @default { release: "kube-prometheus-stack" } */
  readonly selectorLabels?: Readonly<Record<string, string>>;
}

/** Defaults, written once. */
export const BLACKBOX_PROBES_DEFAULTS = {
  scheme: "http" as const,
  path: "/probe",
  interval: Duration.seconds(30),
  selectorLabels: { release: "kube-prometheus-stack" } as Readonly<Record<string, string>>,
};

const HOST_PORT = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:\d{1,5}$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels the operator or the exporter set; a static label must not shadow them. */
const RESERVED_LABELS = new Set(["job", "instance", "namespace", "__address__"]);

/** Every problem with the args (empty when valid). Pure. */
export function blackboxProbesProblems(name: string, args: BlackboxProbesArgs): string[] {
  const p: string[] = [];
  if (!isDnsLabel(name, 40)) p.push(`\`name\` "${name}" must be a DNS label of at most 40 characters`);
  if (!isDnsLabel(args.namespace) || args.namespace === "default") p.push(`\`namespace\` must be the product's namespace, got "${args.namespace}"`);
  if (!HOST_PORT.test(args.prober.address)) {
    p.push(`\`prober.address\` must be host:port without a scheme (the Probe's spec.prober.url), got "${args.prober.address}"`);
  }
  if (args.prober.path !== undefined && !args.prober.path.startsWith("/")) p.push(`\`prober.path\` must start with "/", got "${args.prober.path}"`);
  if (args.probes.length === 0) p.push("`probes` must contain at least one probe");
  const seen = new Set<string>();
  for (const [i, probe] of args.probes.entries()) {
    const at = `\`probes[${i}]\``;
    if (!isDnsLabel(`${name}-${probe.name}`)) p.push(`${at}.name "${probe.name}" must make "${name}-${probe.name}" a DNS label`);
    if (seen.has(probe.name)) p.push(`${at}.name "${probe.name}" is used twice`);
    seen.add(probe.name);
    if (!MODULE_NAME.test(probe.module)) p.push(`${at}.module "${probe.module}" is not a blackbox module name`);
    if (probe.targets.length === 0) p.push(`${at}.targets must list at least one URL`);
    for (const t of probe.targets) {
      let ok = false;
      try {
        const u = new URL(t);
        ok = (u.protocol === "https:" || u.protocol === "http:") && u.hostname.length > 0 && !/\s/.test(t);
      } catch {
        ok = false;
      }
      if (!ok) p.push(`${at}.targets: "${t}" is not an absolute http(s) URL`);
    }
    for (const label of Object.keys(probe.labels ?? {})) {
      if (!LABEL_NAME.test(label) || label.startsWith("__") || RESERVED_LABELS.has(label)) {
        p.push(`${at}.labels: "${label}" is not a label this Probe may set (a Prometheus label name other than job, instance, namespace)`);
      }
    }
    if (probe.interval !== undefined && !(probe.interval.toSeconds() >= 15 && Number.isInteger(probe.interval.toSeconds()))) {
      p.push(`${at}.interval must be whole seconds, at least 15s (the scrape timeout; the operator rejects a timeout above the interval)`);
    }
  }
  return p;
}

/** The Probes of one owner (a product), each with its own job. */
export class BlackboxProbes extends pulumi.ComponentResource {
  /** Job label of each probe's series, by probe name. */
  readonly jobs: Readonly<Record<string, string>>;
  /** Namespace label of the series. */
  readonly namespace: string;

  constructor(name: string, args: BlackboxProbesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:monitoring:BlackboxProbes`, name, {}, opts);
    throwIfInvalid("BlackboxProbes", name, blackboxProbesProblems(name, args));
    const d = BLACKBOX_PROBES_DEFAULTS;
    const selectorLabels = args.selectorLabels ?? d.selectorLabels;
    this.namespace = args.namespace;
    const jobs: Record<string, string> = {};
    for (const probe of args.probes) {
      const probeName = `${name}-${probe.name}`;
      jobs[probe.name] = probeName;
      new k8s.apiextensions.CustomResource(
        probeName,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "Probe",
          metadata: {
            name: probeName,
            namespace: args.namespace,
            labels: { ...recommendedLabels(args.context, probeName, "probe"), ...selectorLabels },
          },
          spec: {
            jobName: probeName,
            interval: (probe.interval ?? d.interval).toPrometheus(),
            // The module's own timeout (10 s) fits inside it; the operator rejects a timeout above the interval.
            scrapeTimeout: Duration.seconds(15).toPrometheus(),
            module: probe.module,
            prober: { url: args.prober.address, scheme: args.prober.scheme ?? d.scheme, path: args.prober.path ?? d.path },
            targets: {
              staticConfig: {
                static: [...probe.targets],
                ...(probe.labels && Object.keys(probe.labels).length > 0 ? { labels: { ...probe.labels } } : {}),
              },
            },
          },
        },
        { parent: this },
      );
    }
    this.jobs = jobs;
    this.registerOutputs({ jobs: this.jobs });
  }

  /** The series selector of one probe: `{ namespace, job }`. Throws for an unknown probe. */
  selector(probe: string): SeriesSelector {
    const job = this.jobs[probe];
    if (job === undefined) throw new Error(`BlackboxProbes has no probe "${probe}"; it has ${Object.keys(this.jobs).join(", ")}`);
    return { namespace: this.namespace, job };
  }
}
