import { describe, expect, it } from "vitest";
import { missingNetworkPolicy } from "../../policies/kubernetes/missing-network-policy";
import { configureReplicas } from "../../policies/kubernetes/configure-replicas";
import { missingPodDisruptionBudget } from "../../policies/kubernetes/missing-pod-disruption-budget";
import { disallowBlockingPodDisruptionBudget } from "../../policies/kubernetes/disallow-blocking-pod-disruption-budget";
import { enforceReplicaSpreading } from "../../policies/kubernetes/enforce-replica-spreading";
import { configureRolloutAndSelectors } from "../../policies/kubernetes/configure-rollout-and-selectors";
import { configureCronjobDeadlines } from "../../policies/kubernetes/configure-cronjob-deadlines";
import { configureCronjobHygiene } from "../../policies/kubernetes/configure-cronjob-hygiene";
import { enforceBackupScheduleRpo } from "../../policies/kubernetes/enforce-backup-schedule-rpo";
import { disallowExposedServiceTypes } from "../../policies/kubernetes/disallow-exposed-service-types";
import { disallowSshAndExternalIps } from "../../policies/kubernetes/disallow-ssh-and-external-ips";
import { disallowSecretsInConfigmaps } from "../../policies/kubernetes/disallow-secrets-in-configmaps";
import { UNKNOWN_STRING, urnOf } from "../../tools/engine/pack/types";
import { backupCronJob, configMap, plainCronJob, deployment, hpa, networkPolicy, podDisruptionBudget, service } from "./fixtures";
import { edit, expectClean, expectNotApplicable, expectViolation, PROD, STAGING } from "./helpers";

const job = (p: any) => p.spec.jobTemplate.spec;

describe("kubernetes-missing-network-policy (stack, prod-scoped)", () => {
  const rule = missingNetworkPolicy;
  it("passes a workload selected by a default-deny policy", () => expectClean(rule, [deployment(), networkPolicy()]));
  it("passes a policy that selects the pods by label", async () => {
    const np = edit(networkPolicy("api"), (p) => (p.spec.podSelector = { matchLabels: { "app.kubernetes.io/name": "api" } }));
    await expectClean(rule, [deployment(), np]);
  });
  it("flags an uncovered workload: mandatory on prod, advisory on staging", async () => {
    const v = await expectViolation(rule, [deployment()], /Deployment "api" is not selected by any NetworkPolicy/, "mandatory", PROD);
    expect(v.urn).toBe(urnOf(deployment()));
    await expectViolation(rule, [deployment()], /not selected/, "advisory", STAGING);
  });
  it("ignores policies in another namespace or with another selector", async () => {
    await expectViolation(rule, [deployment(), edit(networkPolicy(), (p) => (p.metadata.namespace = "other"))], /not selected/);
    const np = edit(
      networkPolicy("worker"),
      (p) => (p.spec.podSelector = { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["worker"] }] }),
    );
    await expectViolation(rule, [deployment(), np], /not selected/);
  });
  it("does not apply to a stack without workloads", () => expectNotApplicable(rule, [service()]));
});

describe("kubernetes-configure-replicas (stack, prod-scoped)", () => {
  const rule = configureReplicas;
  it("passes 3 replicas and an HPA with minReplicas 2", async () => {
    await expectClean(rule, [deployment()]);
    await expectClean(rule, [edit(deployment(), (p) => delete p.spec.replicas), hpa("api", 2)]);
  });
  it("flags a single replica: mandatory on prod, advisory on staging", async () => {
    const one = edit(deployment(), (p) => (p.spec.replicas = 1));
    await expectViolation(rule, [one], /Deployment "api" runs 1 replica/, "mandatory", PROD);
    await expectViolation(rule, [one], /runs 1 replica/, "advisory", STAGING);
    await expectViolation(rule, [edit(deployment(), (p) => delete p.spec.replicas)], /runs 1 replica/);
  });
  it("flags an HPA with minReplicas 1", async () => {
    await expectViolation(rule, [edit(deployment(), (p) => delete p.spec.replicas), hpa("api", 1)], /HPA whose `minReplicas` is 1/);
  });
  it("joins an HPA through its dependency when the target name is unknown in preview", async () => {
    const h = { ...edit(hpa("api", 2), (p) => (p.spec.scaleTargetRef.name = UNKNOWN_STRING)), propertyDependencies: { spec: [urnOf(deployment())] } };
    await expectClean(rule, [edit(deployment(), (p) => (p.spec.replicas = 1)), h]);
  });
  it("uses the configured minimum", async () => {
    await expectViolation(rule, [deployment()], /runs 3 replica/, "mandatory", { ...PROD, config: { [rule.name]: { minReplicas: 4 } } });
  });
  it("does not apply without Deployments", () => expectNotApplicable(rule, [backupCronJob()]));
});

describe("kubernetes-missing-pod-disruption-budget (stack, prod-scoped)", () => {
  const rule = missingPodDisruptionBudget;
  it("passes a Deployment with a matching PDB", () => expectClean(rule, [deployment(), podDisruptionBudget()]));
  it("flags a Deployment without one", async () => {
    await expectViolation(rule, [deployment()], /Deployment "api" has no PodDisruptionBudget/, "mandatory", PROD);
    await expectViolation(rule, [deployment()], /has no PodDisruptionBudget/, "advisory", STAGING);
  });
  it("flags a PDB whose selector does not match", async () => {
    await expectViolation(rule, [deployment(), podDisruptionBudget("other", "other")], /has no PodDisruptionBudget/);
  });
  it("does not apply without Deployments", () => expectNotApplicable(rule, [podDisruptionBudget()]));
});

describe("kubernetes-disallow-blocking-pod-disruption-budget (stack)", () => {
  const rule = disallowBlockingPodDisruptionBudget;
  it("passes maxUnavailable 1 and minAvailable below replicas", async () => {
    await expectClean(rule, [deployment(), podDisruptionBudget()]);
    await expectClean(rule, [deployment(), edit(podDisruptionBudget(), (p) => (p.spec = { minAvailable: 2, selector: p.spec.selector }))]);
  });
  it("flags maxUnavailable 0 and minAvailable 100%", async () => {
    await expectViolation(rule, [edit(podDisruptionBudget(), (p) => (p.spec.maxUnavailable = 0))], /`maxUnavailable: 0`, which blocks every node drain/);
    await expectViolation(rule, [edit(podDisruptionBudget(), (p) => (p.spec = { minAvailable: "100%", selector: p.spec.selector }))], /`minAvailable: 100%`/);
  });
  it("flags minAvailable equal to the replicas", async () => {
    await expectViolation(
      rule,
      [deployment(), edit(podDisruptionBudget(), (p) => (p.spec = { minAvailable: 3, selector: p.spec.selector }))],
      /requires 3 available pods but Deployment "api" runs 3/,
    );
  });
  it("does not apply without PDBs", () => expectNotApplicable(rule, [deployment()]));
});

describe("kubernetes-enforce-replica-spreading", () => {
  const rule = enforceReplicaSpreading;
  it("passes spread replicas and single replicas", async () => {
    await expectClean(rule, deployment());
    await expectClean(
      rule,
      edit(deployment(), (p) => {
        p.spec.replicas = 1;
        delete p.spec.template.spec.topologySpreadConstraints;
      }),
    );
    await expectClean(
      rule,
      edit(deployment(), (p) => {
        delete p.spec.template.spec.topologySpreadConstraints;
        p.spec.template.spec.affinity = {
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname" } }] },
        };
      }),
    );
  });
  it("advises unspread replicas", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => delete p.spec.template.spec.topologySpreadConstraints),
      /runs 3 replicas that may all land on one node/,
      "advisory",
    );
  });
  it("does not apply to a CronJob", () => expectNotApplicable(rule, backupCronJob()));
});

describe("kubernetes-configure-rollout-and-selectors (stack)", () => {
  const rule = configureRolloutAndSelectors;
  it("passes the baseline Deployment and Service", () => expectClean(rule, [deployment(), service()]));
  it("advises Recreate", async () => {
    await expectViolation(rule, [edit(deployment(), (p) => (p.spec.strategy = { type: "Recreate" }))], /uses the Recreate strategy/, "advisory");
  });
  it("advises a selector that does not match the template", async () => {
    await expectViolation(
      rule,
      [edit(deployment(), (p) => (p.spec.selector.matchLabels["app.kubernetes.io/name"] = "other"))],
      /does not match its template labels/,
      "advisory",
    );
  });
  it("advises a Service that selects nothing", async () => {
    await expectViolation(rule, [deployment(), service("web", "web")], /Service "web" selects no pods/, "advisory");
  });
  it("does not apply without Deployments or Services", () => expectNotApplicable(rule, [configMap()]));
});

describe("kubernetes-configure-cronjob-deadlines (backups mandatory)", () => {
  const rule = configureCronjobDeadlines;
  const plain = plainCronJob();
  it("passes the backup CronJob", () => expectClean(rule, backupCronJob()));
  it("flags each missing bound on a backup job", async () => {
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => delete p.spec.startingDeadlineSeconds),
      /Backup CronJob "codebook-db-backup" has no `spec.startingDeadlineSeconds`/,
    );
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => delete job(p).activeDeadlineSeconds),
      /has no `spec.jobTemplate.spec.activeDeadlineSeconds`/,
    );
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => delete job(p).backoffLimit),
      /has no `spec.jobTemplate.spec.backoffLimit`/,
    );
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => (p.spec.concurrencyPolicy = "Allow")),
      /allows concurrent runs \(`concurrencyPolicy: Allow`\)/,
    );
  });
  it("only advises other CronJobs, and lets them run concurrently", async () => {
    await expectViolation(
      rule,
      edit(plain, (p) => delete p.spec.startingDeadlineSeconds),
      /^.*\nCronJob "codebook-report-mailer" has no `spec.startingDeadlineSeconds`/,
      "advisory",
    );
    await expectClean(
      rule,
      edit(plain, (p) => (p.spec.concurrencyPolicy = "Allow")),
    );
  });
  it("does not apply to a Deployment", () => expectNotApplicable(rule, deployment()));
});

describe("kubernetes-configure-cronjob-hygiene", () => {
  const rule = configureCronjobHygiene;
  it("passes the baseline", () => expectClean(rule, backupCronJob()));
  it("advises restartPolicy and history limits", async () => {
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => delete job(p).template.spec.restartPolicy),
      /does not set its pods' `restartPolicy`/,
      "advisory",
    );
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => delete p.spec.failedJobsHistoryLimit),
      /leaves failedJobsHistoryLimit to the defaults/,
      "advisory",
    );
  });
  it("does not apply to a Deployment", () => expectNotApplicable(rule, deployment()));
});

describe("kubernetes-enforce-backup-schedule-rpo", () => {
  const rule = enforceBackupScheduleRpo;
  it("passes a daily backup with a 24 h RPO", () => expectClean(rule, backupCronJob()));
  it("flags a weekly backup against a daily RPO", async () => {
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => (p.spec.schedule = "0 3 * * 0")),
      /runs on "0 3 \* \* 0", up to 168 h apart, longer than its RPO of 24 h/,
    );
  });
  it("uses the annotation, then the configured default RPO", async () => {
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => (p.metadata.annotations["app-platform/rpo-seconds"] = "3600")),
      /RPO of 1 h/,
    );
    const noAnnotation = edit(backupCronJob(), (p) => delete p.metadata.annotations);
    await expectClean(rule, noAnnotation);
    await expectViolation(rule, noAnnotation, /RPO of 12 h/, "mandatory", { ...PROD, config: { [rule.name]: { defaultRpoSeconds: 43_200 } } });
  });
  it("flags a bad annotation and an unparseable schedule", async () => {
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => (p.metadata.annotations["app-platform/rpo-seconds"] = "1d")),
      /is not a whole number of seconds/,
    );
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => (p.spec.schedule = "every day")),
      /cannot be parsed: has 2 field\(s\); use 5/,
    );
  });
  it("reads the schedule with the platform's one cron grammar (tests/policies/cron-conformance.test.ts)", async () => {
    await expectClean(
      rule,
      edit(backupCronJob(), (p) => (p.spec.schedule = "@daily")),
    );
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => (p.spec.schedule = "@weekly")),
      /up to 168 h apart/,
    );
    // Kubernetes refuses 7 for Sunday, and a time zone in the schedule.
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => (p.spec.schedule = "0 3 * * 7")),
      /cannot be parsed: day of week "7" is outside 0-6/,
    );
    await expectViolation(
      rule,
      edit(backupCronJob(), (p) => (p.spec.schedule = "TZ=UTC 0 3 * * *")),
      /cannot be parsed: .*spec\.timeZone/,
    );
  });
  it("does not apply to a CronJob that is not a backup", () => expectNotApplicable(rule, plainCronJob()));
});

describe("kubernetes-disallow-exposed-service-types", () => {
  const rule = disallowExposedServiceTypes;
  it("passes ClusterIP and a restricted LoadBalancer", async () => {
    await expectClean(rule, service());
    await expectClean(
      rule,
      edit(service(), (p) => {
        p.spec.type = "LoadBalancer";
        p.spec.loadBalancerSourceRanges = ["203.0.113.0/24"];
      }),
    );
  });
  it("flags NodePort and an open LoadBalancer", async () => {
    await expectViolation(
      rule,
      edit(service(), (p) => (p.spec.type = "NodePort")),
      /Service "api" is NodePort/,
    );
    await expectViolation(
      rule,
      edit(service(), (p) => (p.spec.type = "LoadBalancer")),
      /LoadBalancer open to the internet/,
    );
    await expectViolation(
      rule,
      edit(service(), (p) => {
        p.spec.type = "LoadBalancer";
        p.spec.loadBalancerSourceRanges = ["0.0.0.0/0"];
      }),
      /open to the internet/,
    );
  });
  it("does not apply to a Deployment", () => expectNotApplicable(rule, deployment()));
});

describe("kubernetes-disallow-ssh-and-external-ips", () => {
  const rule = disallowSshAndExternalIps;
  it("passes the baseline Service and Deployment", async () => {
    await expectClean(rule, service());
    await expectClean(rule, deployment());
  });
  it("flags port 22 on a Service and a container", async () => {
    await expectViolation(
      rule,
      edit(service(), (p) => p.spec.ports.push({ name: "ssh", port: 22, targetPort: 22 })),
      /Service "api" exposes SSH \(spec.ports\[1\]\)/,
    );
    await expectViolation(
      rule,
      edit(deployment(), (p) => p.spec.template.spec.containers[0].ports.push({ containerPort: 22 })),
      /listens on port 22/,
    );
  });
  it("flags externalIPs", async () => {
    await expectViolation(
      rule,
      edit(service(), (p) => (p.spec.externalIPs = ["198.51.100.7"])),
      /sets `spec.externalIPs`/,
    );
  });
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("kubernetes-disallow-secrets-in-configmaps", () => {
  const rule = disallowSecretsInConfigmaps;
  it("passes plain settings", () => expectClean(rule, configMap()));
  it("flags secret-looking keys and values", async () => {
    await expectViolation(
      rule,
      edit(configMap(), (p) => (p.data.OPENAI_API_KEY = "set-me")),
      /key "OPENAI_API_KEY" looks like a secret/,
    );
    await expectViolation(
      rule,
      edit(configMap(), (p) => (p.data["tls.key"] = "-----BEGIN RSA PRIVATE KEY-----\nabc")),
      /key "tls.key" contains a PEM private key/,
    );
    await expectViolation(
      rule,
      edit(configMap(), (p) => (p.binaryData = { "db-password": "aGk=" })),
      /binary key "db-password" looks like a secret/,
    );
  });
  it("does not apply to a Secret", () => expectNotApplicable(rule, { type: "kubernetes:core/v1:Secret", name: "s", props: { stringData: { password: "x" } } }));
});
