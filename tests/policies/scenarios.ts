/**
 * Whole-stack scenarios: a compliant stack (no finding from any rule), and a deliberately
 * insecure fixture set where each resource breaks one rule (`EXPECTED_INSECURE`).
 */
import {
  aRecord,
  backupCronJob,
  cnameRecord,
  configMap,
  deployment,
  hpa,
  kmsKey,
  networkPolicy,
  podDisruptionBudget,
  pod,
  prometheusRule,
  serviceMonitor,
  r2BackupSet,
  r2Bucket,
  r2Cors,
  randomPassword,
  randomString,
  s3BackupSet,
  s3Bucket,
  service,
  vercelVariable,
} from "./fixtures";
import { edit, type Fixture } from "./helpers";

const c0 = (p: any) => p.spec.template.spec.containers[0];
const isType = (suffix: string) => (f: Fixture) => f.type.endsWith(`:${suffix}`);

export function compliantStack(): Fixture[] {
  return [
    deployment(),
    service(),
    serviceMonitor(),
    configMap(),
    podDisruptionBudget(),
    networkPolicy(),
    hpa(),
    backupCronJob(),
    prometheusRule(),
    ...s3BackupSet(),
    kmsKey(),
    ...r2BackupSet(),
    r2Cors(),
    cnameRecord(),
    aRecord(),
    vercelVariable("JWT_SECRET", "j".repeat(32)),
    vercelVariable("NEXT_PUBLIC_APP_URL", "https://ara.example.com", { sensitive: false, targets: ["production", "preview", "development"] }),
    randomPassword(),
    randomString(),
  ];
}

/** A public S3 bucket: public access block off and a public-read ACL. */
function publicBucket(): Fixture[] {
  const bucket = edit(s3Bucket("ara-public", "ara-public"), (p) => {
    delete p.tags["app-platform/backup"];
  });
  return s3BackupSet(bucket)
    .map((f) => (isType("BucketPublicAccessBlock")(f) ? edit(f, (p) => (p.blockPublicAcls = p.blockPublicPolicy = false)) : f))
    .concat([
      {
        type: "aws:s3/bucketAcl:BucketAcl",
        name: "ara-public-acl",
        props: { bucket: "ara-public", acl: "public-read" },
        propertyDependencies: { bucket: [`urn:pulumi:test::app-platform::aws:s3/bucket:Bucket::ara-public`] },
      },
    ]);
}

/** A backup bucket without retention: no object lock configuration (S3), a 1-day lifecycle (R2). */
function backupsWithoutRetention(): Fixture[] {
  const s3 = s3BackupSet(s3Bucket("voyager-backups-prod", "voyager-backups")).filter((f) => !isType("BucketObjectLockConfiguration")(f));
  const r2 = r2BackupSet(r2Bucket("voyager-backups")).map((f) =>
    isType("R2BucketLifecycle")(f) ? edit(f, (p) => (p.rules[0].deleteObjectsTransition.condition.maxAge = 86_400)) : f,
  );
  return [...s3, ...r2];
}

export function insecureFixtures(): Fixture[] {
  return [
    edit(deployment("privileged"), (p) => (c0(p).securityContext.privileged = true)),
    edit(deployment("host-net"), (p) => (p.spec.template.spec.hostNetwork = true)),
    pod("bare"),
    edit(deployment("floating"), (p) => (c0(p).image = "ghcr.io/acme/floating:latest")),
    edit(deployment("env-secret"), (p) => c0(p).env.push({ name: "JWT_SECRET", value: "hunter2hunter2" })),
    edit(configMap("leaky-config"), (p) => (p.data.DB_PASSWORD = "hunter2")),
    edit(service("node-port"), (p) => (p.spec.type = "NodePort")),
    ...publicBucket(),
    vercelVariable("DATABASE_URL", "postgres://ara:pw@db.example.com/ara", { sensitive: false }),
    vercelVariable("NEXT_PUBLIC_OPENAI_API_KEY", "sk-proj-" + "x".repeat(24), { sensitive: false }),
    edit(cnameRecord(), (p) => (p.content = "old-voyager.herokuapp.com")),
    edit(aRecord(), (p) => (p.content = "192.168.10.4")),
    edit(prometheusRule("no-runbook"), (p) => delete p.spec.groups[0].rules[0].annotations.runbook_url),
    ...backupsWithoutRetention(),
    randomPassword("weak", 12),
    edit(backupCronJob("weekly-backup"), (p) => (p.spec.schedule = "0 3 * * 0")),
    edit(r2Cors(), (p) => (p.rules[0].allowed.origins = ["*"])),
  ];
}

/** What the insecure set must produce on prod: rule name and message, all mandatory. */
export const EXPECTED_INSECURE: readonly [string, RegExp][] = [
  ["kubernetes-disallow-privileged-containers", /Deployment "privileged": container "privileged" sets .*privileged: true/],
  ["kubernetes-disallow-host-namespaces", /Deployment "host-net" sets `spec.template.spec.hostNetwork: true`/],
  ["kubernetes-disallow-bare-pods", /Pod "bare" is declared bare/],
  // The insecure set has no ServiceMonitor and no CronJob "codebook-db-backup": its alerts read nothing.
  [
    "stack-missing-alert-series-source",
    /Alert "BackupStale" \(codebook\/no-runbook spec.groups\[0\].rules\[2\]\) can never fire: .*\n(.*\n)*.*the stack defines no CronJob matching cronjob="codebook-db-backup" \(its CronJobs: codebook\/weekly-backup\)/,
  ],
  ["kubernetes-disallow-latest-image-tag", /container "floating" uses "ghcr.io\/acme\/floating:latest", which floats/],
  ["kubernetes-disallow-secret-env-literals", /env "JWT_SECRET" .* looks like a secret but is a literal/],
  ["kubernetes-disallow-secrets-in-configmaps", /ConfigMap "leaky-config" key "DB_PASSWORD" looks like a secret/],
  ["kubernetes-disallow-exposed-service-types", /Service "node-port" is NodePort/],
  ["aws-missing-public-access-block", /S3 bucket "ara-public": its BucketPublicAccessBlock .* leaves blockPublicAcls, blockPublicPolicy off/],
  ["aws-disable-bucket-acls", /S3 bucket "ara-public": BucketAcl "ara-public-acl" makes it public \("public-read"\)/],
  ["vercel-enforce-sensitive-secrets", /Vercel variable "DATABASE_URL" .* is not sensitive but its name looks secret/],
  ["vercel-disallow-public-secrets", /Vercel variable "NEXT_PUBLIC_OPENAI_API_KEY" .* its value contains a OpenAI API key/],
  ["cloudflare-disallow-unknown-cname-targets", /points at "old-voyager.herokuapp.com"/],
  ["cloudflare-disallow-private-dns-addresses", /publishes "192.168.10.4"/],
  ["prometheus-missing-alert-annotations", /alert "HighErrorRate" \(PrometheusRule "no-runbook" spec.groups\[0\].rules\[0\]\) has no runbook_url/],
  ["aws-enable-backup-object-lock", /Backup S3 bucket "voyager-backups-prod" has no object lock default retention/],
  ["cloudflare-configure-r2-lifecycle", /R2 bucket "voyager-backups": lifecycle rule "expire-after-retention" deletes objects after 1 days/],
  ["random-configure-password-strength", /RandomPassword "weak" is 12 characters long/],
  ["kubernetes-enforce-backup-schedule-rpo", /Backup CronJob "weekly-backup" runs on "0 3 \* \* 0"/],
  ["stack-missing-backup-freshness-alert", /Backup CronJob "weekly-backup" has no freshness alert/],
  ["cloudflare-disallow-r2-cors-wildcard", /allows any origin/],
];
