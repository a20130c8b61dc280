/**
 * Compliant baseline resources, shaped like the providers' inputs (seed numbers where they
 * matter: seed 001 codebook API, port 8000, probes, resources, daily backup kept 30 d, RPO 24 h;
 * seed 004 ARA R2 backups kept 30 d). Each test copies one with `edit()` and changes one thing.
 */
import { K8S } from "../../policies/lib/kubernetes";
import { urnOf } from "../../tools/engine/pack/types";
import type { Fixture } from "./helpers";

export const NS = "codebook";

export function labels(name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": `${name}-prod`,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "codebook",
    "app.kubernetes.io/managed-by": "pulumi",
    "app-platform/owner": "platform-team",
    "app-platform/environment": "prod",
  };
}

const DIGEST = "sha256:" + "a".repeat(64);

export function secureContainer(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    image: `ghcr.io/acme/${name}:1.4.2@${DIGEST}`,
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    },
    // seed 001 §3: requests 512Mi/500m, limits 1Gi/1000m.
    resources: {
      requests: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "100Mi" },
      limits: { cpu: "1000m", memory: "1Gi", "ephemeral-storage": "1Gi" },
    },
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    ...extra,
  };
}

export function securePodSpec(serviceAccount: string, containers: unknown[]) {
  return {
    serviceAccountName: serviceAccount,
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
    containers,
    volumes: [{ name: "tmp", emptyDir: {} }],
  };
}

/** seed 001 §3: codebook backend API, 3 replicas, port 8000, /health probes. */
export function deployment(name = "api"): Fixture {
  const l = labels(name, "api");
  return {
    type: K8S.Deployment,
    name,
    props: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: NS, labels: l },
      spec: {
        replicas: 3,
        selector: { matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": `${name}-prod` } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: l },
          spec: {
            ...securePodSpec(name, [
              secureContainer(name, {
                ports: [{ name: "http", containerPort: 8000 }],
                env: [
                  { name: "PORT", value: "8000" },
                  { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: `${name}-secrets`, key: "DATABASE_URL" } } },
                ],
                livenessProbe: { httpGet: { path: "/health", port: 8000 }, initialDelaySeconds: 30, periodSeconds: 10 },
                readinessProbe: { httpGet: { path: "/health", port: 8000 }, initialDelaySeconds: 5, periodSeconds: 5 },
              }),
            ]),
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { "app.kubernetes.io/name": name } },
              },
            ],
          },
        },
      },
    },
  };
}

/** A CronJob that makes no backup: neither our label nor "backup" in its name. */
export function plainCronJob(name = "codebook-report-mailer"): Fixture {
  const job = backupCronJob(name);
  delete job.props.metadata.labels["app-platform/backup"];
  delete job.props.spec.jobTemplate.spec.template.metadata.labels["app-platform/backup"];
  return job;
}

/** A daily backup CronJob (seed 001 §4: daily DB backup; RPO 24 h). */
export function backupCronJob(name = "codebook-db-backup"): Fixture {
  const l = { ...labels(name, "backup"), "app-platform/backup": "true" };
  return {
    type: K8S.CronJob,
    name,
    props: {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name, namespace: NS, labels: l, annotations: { "app-platform/rpo-seconds": "86400" } },
      spec: {
        schedule: "0 3 * * *",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 3600,
            template: {
              metadata: { labels: l },
              spec: { ...securePodSpec("backup", [secureContainer("pg-dump")]), restartPolicy: "OnFailure" },
            },
          },
        },
      },
    },
  };
}

export function pod(name = "debug"): Fixture {
  return {
    type: K8S.Pod,
    name,
    props: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: NS, labels: labels(name, "debug") },
      spec: securePodSpec(name, [secureContainer(name)]),
    },
  };
}

export function service(name = "api", target = "api"): Fixture {
  return {
    type: K8S.Service,
    name,
    props: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: NS, labels: labels(name, "api") },
      spec: {
        type: "ClusterIP",
        selector: { "app.kubernetes.io/name": target, "app.kubernetes.io/instance": `${target}-prod` },
        ports: [{ name: "http", port: 80, targetPort: 8000 }],
      },
    },
  };
}

export function configMap(name = "api-config"): Fixture {
  return {
    type: K8S.ConfigMap,
    name,
    props: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: NS, labels: labels(name, "config") },
      // seed 002 env table: defaults that are not secrets.
      data: { RATE_LIMIT_FREE: "50", RATE_LIMIT_PAID: "500", FUNCTION_TIMEOUT_SECONDS: "30", LOG_LEVEL: "info" },
    },
  };
}

export function podDisruptionBudget(name = "api", target = "api"): Fixture {
  return {
    type: K8S.PodDisruptionBudget,
    name: `${name}-pdb`,
    props: {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: `${name}-pdb`, namespace: NS, labels: labels(name, "api") },
      spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": target, "app.kubernetes.io/instance": `${target}-prod` } } },
    },
  };
}

export function networkPolicy(name = "default-deny"): Fixture {
  return {
    type: K8S.NetworkPolicy,
    name,
    props: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, namespace: NS, labels: labels(name, "network") },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
  };
}

export function hpa(target = "api", minReplicas = 2): Fixture {
  return {
    type: K8S.HorizontalPodAutoscaler,
    name: `${target}-hpa`,
    props: {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: `${target}-hpa`, namespace: NS, labels: labels(target, "api") },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target }, minReplicas, maxReplicas: 6 },
    },
  };
}

const RUNBOOKS = "https://runbooks.example.com/codebook";

/** seed 001 §1.4 alerts plus the backup freshness alert. */
/** The ServiceMonitor that scrapes `service(target)`, labelled for kube-prometheus-stack's selector. */
export function serviceMonitor(name = "api", target = "api"): Fixture {
  return {
    type: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    name,
    props: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name, namespace: NS, labels: { ...labels(name, "monitoring"), release: "kube-prometheus-stack" } },
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": target, "app.kubernetes.io/instance": `${target}-prod` } },
        endpoints: [{ port: "http", path: "/metrics" }],
      },
    },
  };
}

/** Alerts of seed 001 §1.4 read from `service()` (through `serviceMonitor()`) and kube-state-metrics. */
export function prometheusRule(name = "codebook-alerts"): Fixture {
  return {
    type: K8S.PrometheusRule,
    name,
    props: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name, namespace: NS, labels: { ...labels(name, "monitoring"), release: "kube-prometheus-stack" } },
      spec: {
        groups: [
          {
            name: "codebook_alerts",
            rules: [
              {
                alert: "HighErrorRate",
                expr: 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05',
                for: "5m",
                labels: { severity: "critical" },
                annotations: { summary: "High error rate", description: "Error rate is {{ $value }}", runbook_url: `${RUNBOOKS}/high-error-rate` },
              },
              {
                alert: "HighErrorRate",
                expr: 'sum(rate(http_requests_total{status=~"5.."}[10m])) / sum(rate(http_requests_total[10m])) > 0.02',
                for: "10m",
                labels: { severity: "warning" },
                annotations: { summary: "Elevated error rate", description: "Error rate is {{ $value }}", runbook_url: `${RUNBOOKS}/high-error-rate` },
              },
              {
                alert: "BackupStale",
                expr: 'time() - kube_cronjob_status_last_successful_time{cronjob="codebook-db-backup"} > 86400',
                for: "5m",
                labels: { severity: "critical" },
                annotations: { summary: "Backup is stale", description: "No successful backup for over 24 h", runbook_url: `${RUNBOOKS}/backup-stale` },
              },
            ],
          },
        ],
      },
    },
  };
}

export function urn(f: Fixture): string {
  return urnOf(f);
}

/* ---------- AWS S3 (aws v7 split resources) ---------- */

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";

export function s3Bucket(name = "codebook-backups-prod", logical = "codebook-backups"): Fixture {
  return {
    type: "aws:s3/bucket:Bucket",
    name: logical,
    protect: true,
    props: {
      bucket: name,
      objectLockEnabled: true,
      forceDestroy: false,
      // seed 001 §4: daily DB backups kept 30 days.
      tags: { product: "codebook", environment: "prod", owner: "platform-team", "managed-by": "pulumi", "app-platform/backup": "true", "retention-days": "30" },
    },
  };
}

/** A companion of `bucket` joined by dependency and by literal name. */
function companion(bucket: Fixture, type: string, role: string, props: Record<string, unknown>): Fixture {
  return {
    type,
    name: `${bucket.name}-${role}`,
    props: { bucket: bucket.props.bucket, ...props },
    dependencies: [urnOf(bucket)],
    propertyDependencies: { bucket: [urnOf(bucket)] },
  };
}

export function secureTransportPolicy(bucketName: string): string {
  const arn = `arn:aws:s3:::${bucketName}`;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "BackupWriter",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:role/codebook-backup" },
        Action: ["s3:PutObject"],
        Resource: `${arn}/*`,
      },
    ],
  });
}

/** The bucket and every companion a compliant backup bucket needs. */
export function s3BackupSet(bucket = s3Bucket()): Fixture[] {
  return [
    bucket,
    companion(bucket, "aws:s3/bucketVersioning:BucketVersioning", "versioning", { versioningConfiguration: { status: "Enabled" } }),
    companion(bucket, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "encryption", {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true }],
    }),
    companion(bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-access-block", {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    companion(bucket, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ownership", { rule: { objectOwnership: "BucketOwnerEnforced" } }),
    companion(bucket, "aws:s3/bucketPolicy:BucketPolicy", "policy", { policy: secureTransportPolicy(bucket.props.bucket) }),
    companion(bucket, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lifecycle", {
      rules: [
        {
          id: "expire-after-retention",
          status: "Enabled",
          filter: { prefix: "" },
          expiration: { days: 30 },
          noncurrentVersionExpiration: { noncurrentDays: 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    }),
    companion(bucket, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "object-lock", {
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
    }),
    companion(bucket, "aws:s3/bucketLogging:BucketLogging", "logging", { targetBucket: "codebook-logs-prod", targetPrefix: "s3/codebook-backups/" }),
    companion(bucket, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "replication", {
      role: "arn:aws:iam::123456789012:role/replication",
      rules: [{ id: "to-dr", status: "Enabled", destination: { bucket: "arn:aws:s3:::codebook-backups-dr" } }],
    }),
  ];
}

export function kmsKey(name = "codebook-backups-key"): Fixture {
  return { type: "aws:kms/key:Key", name, props: { description: "codebook backups", enableKeyRotation: true, deletionWindowInDays: 30 } };
}

/* ---------- Cloudflare ---------- */

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const DAY = 86_400;

export function r2Bucket(name = "ara-backups"): Fixture {
  return { type: "cloudflare:index/r2Bucket:R2Bucket", name, protect: true, props: { accountId: ACCOUNT, name, location: "enam" } };
}

function r2Companion(bucket: Fixture, type: string, role: string, props: Record<string, unknown>): Fixture {
  return {
    type,
    name: `${bucket.name}-${role}`,
    props: { accountId: ACCOUNT, bucketName: bucket.props.name, ...props },
    dependencies: [urnOf(bucket)],
    propertyDependencies: { bucketName: [urnOf(bucket)] },
  };
}

/** seed 004: ARA daily DB backup to R2, kept 30 days. */
export function r2BackupSet(bucket = r2Bucket()): Fixture[] {
  return [
    bucket,
    r2Companion(bucket, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle", "lifecycle", {
      rules: [
        {
          id: "expire-after-retention",
          enabled: true,
          conditions: { prefix: "" },
          deleteObjectsTransition: { condition: { type: "Age", maxAge: 30 * DAY } },
          abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 7 * DAY } },
        },
      ],
    }),
    r2Companion(bucket, "cloudflare:index/r2BucketLock:R2BucketLock", "lock", {
      rules: [{ id: "retain", enabled: true, prefix: "", condition: { type: "Age", maxAgeSeconds: 30 * DAY } }],
    }),
    r2Companion(bucket, "cloudflare:index/r2ManagedDomain:R2ManagedDomain", "r2-dev", { enabled: false }),
  ];
}

export const R2_CONFIG = { "cloudflare-configure-r2-lifecycle": { retentionDays: { "ara-backups": 30 } } };

export function r2Cors(): Fixture {
  return {
    type: "cloudflare:index/r2BucketCors:R2BucketCors",
    name: "ara-reports-cors",
    props: {
      accountId: ACCOUNT,
      bucketName: "ara-prod-reports",
      rules: [{ id: "app", allowed: { methods: ["GET"], origins: ["https://ara.example.com"] }, maxAgeSeconds: 3600 }],
    },
  };
}

/** seed 003: custom domain CNAME to cname.vercel-dns.com. */
export function cnameRecord(): Fixture {
  return {
    type: "cloudflare:index/dnsRecord:DnsRecord",
    name: "voyager-www",
    props: {
      zoneId: "zone",
      name: "www.voyager.example.com",
      type: "CNAME",
      content: "cname.vercel-dns.com",
      ttl: 1,
      proxied: false,
      comment: "voyager, managed by pulumi, owner platform-team",
    },
  };
}

/** seed 004: apex A 76.76.19.61. */
export function aRecord(): Fixture {
  return {
    type: "cloudflare:index/dnsRecord:DnsRecord",
    name: "ara-apex",
    props: { zoneId: "zone", name: "ara.example.com", type: "A", content: "76.76.19.61", ttl: 1, proxied: false, tags: ["owner:platform-team"] },
  };
}

/* ---------- Vercel ---------- */

export function vercelVariable(key: string, value: string, extra: Record<string, unknown> = {}): Fixture {
  return {
    type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable",
    name: `ui-${key.toLowerCase()}`,
    props: { projectId: "prj_123", key, value, sensitive: true, targets: ["production", "preview"], ...extra },
  };
}

export function vercelVariables(variables: Record<string, unknown>[]): Fixture {
  return { type: "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables", name: "ara-env", props: { projectId: "prj_456", variables } };
}

/* ---------- random ---------- */

export function randomPassword(name = "jwt-secret", length = 32): Fixture {
  return { type: "random:index/randomPassword:RandomPassword", name, props: { length, special: false } };
}

export function randomString(name = "suffix"): Fixture {
  return { type: "random:index/randomString:RandomString", name, props: { length: 6, special: false, upper: false } };
}
