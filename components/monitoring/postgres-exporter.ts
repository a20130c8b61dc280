/**
 * postgres_exporter for one product database, so the DB alerts (connections, pool, slow queries)
 * have a source. Two modes:
 * - `deploy`: a Secret with the DSN (from the product's own secret value, never a literal), a
 *   Deployment running the exporter under the "restricted" Pod Security profile, a Service, a
 *   ServiceMonitor (labelled for the cluster's Prometheus) and NetworkPolicies that admit only
 *   Prometheus and let the pod reach nothing but DNS and the database port;
 * - `external`: an exporter already runs elsewhere; nothing is created and `job` is its job.
 *
 * Either way `job` / `selector` are the labels of its series; the DB alert builders take them
 * from here. In `deploy` mode the operator labels the series with `job` = the Service name.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { commonPodSpec, dnsEgressRule, secretEnv, tcpEgress } from "../workloads/pod-spec";
import { PlatformContext, TYPE_PREFIX, isDnsLabel, isProd, recommendedLabels, throwIfInvalid } from "../context";
import type { SeriesSelector } from "./alerts";
import { isPort } from "../workloads/probe";
import { exporterDatabaseUrl } from "../data/database-url";

/** postgres_exporter's default listen port (`--web.listen-address=:9187`). */
export const POSTGRES_EXPORTER_PORT = 9187;
/** Name of the Service port (and container port) the ServiceMonitor scrapes. */
export const METRICS_PORT_NAME = "metrics";
/** Key of the DSN in the exporter's Secret; the exporter reads `DATA_SOURCE_NAME`. */
export const DSN_ENV = "DATA_SOURCE_NAME";

/**
 * How the deployed exporter treats a database that may scale to zero (`database.monitoring`):
 * - `always-on`: 2 replicas in prod behind a PDB, scraped at Prometheus' interval. Every scrape
 *   queries the database, so a Neon compute never reaches its 5 idle minutes and never suspends:
 *   the product pays for its compute around the clock.
 * - `scale-to-zero-friendly`: ONE replica (no PDB) scraped every `SCALE_TO_ZERO_SCRAPE_INTERVAL`,
 *   longer than Neon's suspend window, so the compute may suspend between scrapes.
 */
export type DatabaseMonitoring = "always-on" | "scale-to-zero-friendly";
export const DATABASE_MONITORING_MODES: readonly DatabaseMonitoring[] = ["always-on", "scale-to-zero-friendly"];
/**
 * Neon suspends a compute after 5 minutes without activity ("If there are no active queries for 5
 * minutes ... your compute is automatically placed into an idle state",
 * https://neon.com/docs/introduction/compute-lifecycle; fixed on the Free plan,
 * https://neon.com/docs/introduction/scale-to-zero).
 */
export const NEON_SUSPEND_AFTER_SECONDS = 300;
/** The scrape interval of a `scale-to-zero-friendly` exporter: twice Neon's suspend window. */
export const SCALE_TO_ZERO_SCRAPE_INTERVAL_SECONDS = 600;

/** The exporter the stack deploys. */
export interface DeployedExporter {
  readonly mode: "deploy";
  /** Pinned image. @example { repository: "quay.io/prometheuscommunity/postgres-exporter", tag: "v0.17.1" } */
  readonly image: { readonly repository: string; readonly tag: string };
  /**
   * The database's connection string (a `postgresql://` URL, e.g. the app's `DATABASE_URL`);
   * kept a Pulumi secret. Query parameters lib/pq would send to the server (Prisma's `schema`,
   * `pgbouncer`, `connection_limit`, ...) are left out of the exporter's copy (`exporterDatabaseUrl`).
   */
  readonly dsn: pulumi.Input<string>;
  /** TCP port of the database, the only egress besides DNS. @default 5432 */
  readonly databasePort?: number;
  /** Whether the exporter keeps the database awake (see `DatabaseMonitoring`). @default "always-on" */
  readonly monitoring?: DatabaseMonitoring;
  /** Namespace of Prometheus, the only client admitted. @default "monitoring" */
  readonly prometheusNamespace?: string;
  /** Labels the Prometheus' `serviceMonitorSelector` matches. @default { release: "kube-prometheus-stack" } */
  readonly selectorLabels?: Readonly<Record<string, string>>;
}

/** An exporter that already exists. */
export interface ExternalExporter {
  readonly mode: "external";
  /** The `job` label of its series. @example "codebook-postgres" */
  readonly job: string;
  /** The `namespace` label of its series, when it has one worth matching. @default undefined (match on job only) */
  readonly namespace?: string;
}

export interface PostgresExporterArgs {
  /** Environment, product and owner. */
  readonly context: PlatformContext;
  /** The product's namespace. */
  readonly namespace: string;
  /** Deploy one, or point at an existing one. */
  readonly exporter: DeployedExporter | ExternalExporter;
}

/** Defaults, written once. */
export const POSTGRES_EXPORTER_DEFAULTS = {
  databasePort: 5432,
  prometheusNamespace: "monitoring",
  selectorLabels: { release: "kube-prometheus-stack" } as Readonly<Record<string, string>>,
  /** UID/GID of the image's `nobody` user. */
  runAsUser: 65534,
};

const LABEL_VALUE = /^[A-Za-z0-9_.:-]+$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Every problem with the args (empty when valid). Pure. */
export function postgresExporterProblems(name: string, args: PostgresExporterArgs): string[] {
  const p: string[] = [];
  if (!isDnsLabel(name, 50)) p.push(`\`name\` "${name}" must be a DNS label of at most 50 characters (it names the Service, hence the job)`);
  if (!isDnsLabel(args.namespace) || args.namespace === "default") p.push(`\`namespace\` must be the product's namespace, got "${args.namespace}"`);
  const e = args.exporter;
  if (e.mode === "external") {
    if (!LABEL_VALUE.test(e.job)) p.push(`\`exporter.job\` must be the existing exporter's job label, got "${e.job}"`);
    if (e.namespace !== undefined && !isDnsLabel(e.namespace)) p.push(`\`exporter.namespace\` must be a namespace name, got "${e.namespace}"`);
  } else {
    if (!e.image.repository || /[\s:@]/.test(e.image.repository.slice(e.image.repository.lastIndexOf("/") + 1))) {
      p.push(`\`exporter.image.repository\` must be a repository without tag, got "${e.image.repository}"`);
    }
    if (!TAG.test(e.image.tag) || e.image.tag === "latest") p.push(`\`exporter.image.tag\` must be a pinned tag, got "${e.image.tag}"`);
    if (e.databasePort !== undefined && !isPort(e.databasePort)) p.push(`\`exporter.databasePort\` must be a port, got ${e.databasePort}`);
    if (e.monitoring !== undefined && !DATABASE_MONITORING_MODES.includes(e.monitoring)) {
      p.push(
        `\`database.monitoring\` is ${JSON.stringify(e.monitoring)}; use "always-on" (the compute never suspends) or "scale-to-zero-friendly" (one exporter replica, scraped every ${SCALE_TO_ZERO_SCRAPE_INTERVAL_SECONDS}s)`,
      );
    }
    if (e.prometheusNamespace !== undefined && !isDnsLabel(e.prometheusNamespace)) p.push(`\`exporter.prometheusNamespace\` must be a namespace name`);
    if (typeof e.dsn === "string" && !/^postgres(ql)?:\/\//.test(e.dsn)) {
      p.push("`exporter.dsn` must be a postgresql:// URL (value not shown: it is a secret)");
    }
  }
  return p;
}

export class PostgresExporter extends pulumi.ComponentResource {
  /** The `job` label of the exporter's series. */
  readonly job: string;
  /** `{ namespace, job }` of the exporter's series (job only for an external exporter without namespace). */
  readonly selector: SeriesSelector;
  /** Whether this component deployed the exporter (and so should alert when its target is gone). */
  readonly deployed: boolean;

  constructor(name: string, args: PostgresExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:monitoring:PostgresExporter`, name, {}, opts);
    throwIfInvalid("PostgresExporter", name, postgresExporterProblems(name, args));
    const e = args.exporter;
    if (e.mode === "external") {
      this.job = e.job;
      this.selector = e.namespace ? { namespace: e.namespace, job: e.job } : { job: e.job };
      this.deployed = false;
    } else {
      // The operator's ServiceMonitor job label is the Service name, and the Service is `name`.
      this.job = name;
      this.selector = { namespace: args.namespace, job: name };
      this.deployed = true;
      this.deploy(name, args, e);
    }
    this.registerOutputs({ job: this.job, selector: this.selector });
  }

  private deploy(name: string, args: PostgresExporterArgs, e: DeployedExporter): void {
    const d = POSTGRES_EXPORTER_DEFAULTS;
    const labels = recommendedLabels(args.context, name, "postgres-exporter");
    const selector = { "app.kubernetes.io/name": labels["app.kubernetes.io/name"], "app.kubernetes.io/instance": labels["app.kubernetes.io/instance"] };
    const meta = (n: string, extra: Record<string, string> = {}) => ({ name: n, namespace: args.namespace, labels: { ...labels, ...extra } });
    const parent = { parent: this };
    const scaleToZero = e.monitoring === "scale-to-zero-friendly";

    const secret = new k8s.core.v1.Secret(
      `${name}-dsn`,
      { metadata: meta(`${name}-dsn`), type: "Opaque", stringData: { [DSN_ENV]: pulumi.secret(pulumi.output(e.dsn).apply(exporterDatabaseUrl)) } },
      parent,
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-service-account`, { metadata: meta(name), automountServiceAccountToken: false }, parent);
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: meta(name),
        spec: {
          // `kubernetes-configure-replicas` and `kubernetes-missing-pod-disruption-budget`: prod Deployments run 2 replicas behind a PDB. Each replica reports
          // the same database; the DB alerts aggregate `by (instance)`, so they stay per replica.
          // `scale-to-zero-friendly`: one replica, so the database sees one query burst per interval.
          replicas: isProd(args.context) && !scaleToZero ? 2 : 1,
          selector: { matchLabels: selector },
          template: {
            metadata: { labels },
            spec: {
              ...commonPodSpec(args.context, { serviceAccountName: serviceAccount.metadata.name, runAsUser: d.runAsUser }),
              containers: [
                {
                  name: "exporter",
                  image: `${e.image.repository}:${e.image.tag}`,
                  imagePullPolicy: "IfNotPresent",
                  args: [`--web.listen-address=:${POSTGRES_EXPORTER_PORT}`, "--collector.stat_statements"],
                  ports: [{ name: METRICS_PORT_NAME, containerPort: POSTGRES_EXPORTER_PORT, protocol: "TCP" }],
                  env: [secretEnv(secret.metadata.name, DSN_ENV)],
                  resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                  livenessProbe: { httpGet: { path: "/", port: METRICS_PORT_NAME }, periodSeconds: 30, timeoutSeconds: 5 },
                  readinessProbe: { httpGet: { path: "/", port: METRICS_PORT_NAME }, periodSeconds: 10, timeoutSeconds: 5 },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    runAsUser: d.runAsUser,
                    runAsGroup: d.runAsUser,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                  },
                },
              ],
            },
          },
        },
      },
      parent,
    );
    if (isProd(args.context) && !scaleToZero) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        { metadata: meta(`${name}-pdb`), spec: { maxUnavailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" } },
        parent,
      );
    }
    new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: meta(name),
        spec: {
          type: "ClusterIP",
          selector,
          ports: [{ name: METRICS_PORT_NAME, port: POSTGRES_EXPORTER_PORT, targetPort: METRICS_PORT_NAME, protocol: "TCP" }],
        },
      },
      parent,
    );
    new k8s.apiextensions.CustomResource(
      `${name}-service-monitor`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: meta(`${name}-service-monitor`, { ...(e.selectorLabels ?? d.selectorLabels) }),
        spec: {
          selector: { matchLabels: selector },
          endpoints: [
            {
              port: METRICS_PORT_NAME,
              path: "/metrics",
              scheme: "http",
              // Above Neon's suspend window, so the compute may suspend between scrapes.
              ...(scaleToZero ? { interval: `${SCALE_TO_ZERO_SCRAPE_INTERVAL_SECONDS}s` } : {}),
            },
          ],
        },
      },
      parent,
    );
    const fromNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      { metadata: meta(`${name}-default-deny`), spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress", "Egress"] } },
      parent,
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-allow`,
      {
        metadata: meta(`${name}-allow`),
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ["Ingress", "Egress"],
          ingress: [{ from: [fromNamespace(e.prometheusNamespace ?? d.prometheusNamespace)], ports: [{ protocol: "TCP", port: METRICS_PORT_NAME }] }],
          egress: [
            dnsEgressRule(),
            // The database is outside the cluster (Supabase, Neon, a managed Postgres): any address, its port only.
            tcpEgress(e.databasePort ?? d.databasePort),
          ],
        },
      },
      parent,
    );
  }
}
