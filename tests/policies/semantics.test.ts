/**
 * Rules 70–73 (issue 22): RBAC, network openness computed with a CIDR library, backups that stay
 * on and long enough, monitoring wiring. Each rule: a flawed fixture caught as mandatory, a
 * correct counterpart left clean, and a variant through a different kind or field.
 *
 * Shapes: RBAC objects as in the Kubernetes API reference (rbac.authorization.k8s.io/v1 Role,
 * ClusterRole, RoleBinding, ClusterRoleBinding); security groups as the inputs of @pulumi/aws 7
 * (`ec2.SecurityGroup.ingress`, `ec2.SecurityGroupRule`, `vpc.SecurityGroupIngressRule`, see
 * node_modules/@pulumi/aws/*.d.ts); R2 lifecycle as @pulumi/cloudflare 6 `R2BucketLifecycle`;
 * Probe and ServiceMonitor as prometheus-operator's monitoring.coreos.com/v1 API.
 */
import { describe, expect, it } from "vitest";
import { disallowExcessiveRbac } from "../../policies/kubernetes/disallow-excessive-rbac";
import { disallowExposedServiceTypes } from "../../policies/kubernetes/disallow-exposed-service-types";
import { missingNetworkPolicy } from "../../policies/kubernetes/missing-network-policy";
import { disallowSuspendedBackups } from "../../policies/kubernetes/disallow-suspended-backups";
import { disallowOpenNetworkRanges } from "../../policies/stack/disallow-open-network-ranges";
import { disallowBackupExpiryDates } from "../../policies/stack/disallow-backup-expiry-dates";
import { missingBackupFreshnessAlert } from "../../policies/stack/missing-backup-freshness-alert";
import { missingAlertSeriesSource } from "../../policies/stack/missing-alert-series-source";
import { enforceMonitoringWiring } from "../../policies/prometheus/enforce-monitoring-wiring";
import { openness } from "../../policies/lib/network";
import { urnOf } from "../../tools/engine/pack/types";
import {
  backupCronJob,
  deployment,
  labels,
  networkPolicy,
  NS,
  plainCronJob,
  prometheusRule,
  r2BackupSet,
  s3BackupSet,
  s3Bucket,
  service,
  serviceMonitor,
} from "./fixtures";
import { edit, expectClean, expectNotApplicable, expectViolation, PROD, STAGING, violations, type Fixture } from "./helpers";

const RBAC_API = "rbac.authorization.k8s.io/v1";

function role(name: string, rules: unknown[], kind: "Role" | "ClusterRole" = "Role"): Fixture {
  return {
    type: `kubernetes:${RBAC_API}:${kind}`,
    name,
    props: { apiVersion: RBAC_API, kind, metadata: { name, ...(kind === "Role" ? { namespace: NS } : {}), labels: labels(name, "rbac") }, rules },
  };
}

function binding(
  name: string,
  roleRef: { kind: string; name: string },
  subjects: unknown[],
  kind: "RoleBinding" | "ClusterRoleBinding" = "RoleBinding",
): Fixture {
  return {
    type: `kubernetes:${RBAC_API}:${kind}`,
    name,
    props: {
      apiVersion: RBAC_API,
      kind,
      metadata: { name, ...(kind === "RoleBinding" ? { namespace: NS } : {}), labels: labels(name, "rbac") },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
      subjects,
    },
  };
}

const apiAccount = { kind: "ServiceAccount", name: "api", namespace: NS };

describe("kubernetes-disallow-excessive-rbac (rule 70)", () => {
  const rule = disallowExcessiveRbac;
  const configReader = role("api-config-reader", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]);

  it("passes a namespaced Role listing verbs and resources, bound to the app's ServiceAccount", () =>
    expectClean(rule, [configReader, binding("api-config-reader", { kind: "Role", name: "api-config-reader" }, [apiAccount])]));

  it("flags cluster-admin bound to a product ServiceAccount by a ClusterRoleBinding", async () => {
    const crb = binding("api-admin", { kind: "ClusterRole", name: "cluster-admin" }, [apiAccount], "ClusterRoleBinding");
    const v = await expectViolation(
      rule,
      [crb],
      /ClusterRoleBinding "api-admin" binds ClusterRole "cluster-admin" to ServiceAccount codebook\/api/,
      "mandatory",
    );
    expect(v.urn).toBe(urnOf(crb));
  });

  it("variant: `edit` bound by a RoleBinding to every service account of the namespace (a Group)", () =>
    expectViolation(
      rule,
      [
        binding("all-edit", { kind: "ClusterRole", name: "edit" }, [
          { kind: "Group", name: `system:serviceaccounts:${NS}`, apiGroup: "rbac.authorization.k8s.io" },
        ]),
      ],
      /binds ClusterRole "edit" to Group system:serviceaccounts:codebook/,
      "mandatory",
    ));

  it("flags wildcard verbs in a Role, and (variant) wildcard resources in a ClusterRole", async () => {
    await expectViolation(
      rule,
      [role("api-all", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["*"] }])],
      /Role "api-all" rules\[0\] grants wildcard `verbs`/,
      "mandatory",
    );
    await expectViolation(
      rule,
      [role("reader", [{ apiGroups: ["apps"], resources: ["*"], verbs: ["get"] }], "ClusterRole")],
      /ClusterRole "reader" rules\[0\] grants wildcard `resources`/,
      "mandatory",
    );
  });

  it("flags a ClusterRoleBinding that reads Secrets cluster-wide, and leaves the same ClusterRole bound in one namespace or narrowed by resourceNames clean", async () => {
    const secretReader = role("secret-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }], "ClusterRole");
    const crb = binding("secret-reader", { kind: "ClusterRole", name: "secret-reader" }, [{ kind: "User", name: "ops" }], "ClusterRoleBinding");
    await expectViolation(
      rule,
      [secretReader, crb],
      /ClusterRoleBinding "secret-reader" grants ClusterRole "secret-reader", which reads Secrets, in every namespace/,
      "mandatory",
    );
    await expectClean(rule, [secretReader, binding("secret-reader", { kind: "ClusterRole", name: "secret-reader" }, [apiAccount])]);
    const named = role("secret-reader", [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["codebook-db"], verbs: ["get"] }], "ClusterRole");
    await expectClean(rule, [named, crb]);
  });

  it("does not apply to a stack without RBAC objects", () => expectNotApplicable(rule, [deployment()]));
});

describe("network openness is computed (rule 71)", () => {
  it("the CIDR arithmetic: halves, exceptions and IPv6 add up; a private or partial range does not", () => {
    expect(openness(["0.0.0.0/1", "128.0.0.0/1"]).openFamilies).toEqual(["ipv4"]);
    expect(openness([{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "169.254.169.254/32"] }]).openFamilies).toEqual(["ipv4"]);
    expect(openness([{ cidr: "0.0.0.0/0", except: ["8.8.8.0/24"] }]).openFamilies).toEqual([]);
    expect(openness(["::/1", "8000::/1"]).openFamilies).toEqual(["ipv6"]);
    expect(openness(["2000::/3"]).openFamilies).toEqual(["ipv6"]);
    expect(openness(["10.0.0.0/8", "0.0.0.0/1"]).openFamilies).toEqual([]);
    expect(openness(["not-a-cidr"]).invalid).toEqual(["not-a-cidr"]);
  });

  describe("kubernetes-disallow-exposed-service-types: LoadBalancer source ranges", () => {
    const rule = disallowExposedServiceTypes;
    const lb = (ranges: string[]) =>
      edit(service(), (p) => {
        p.spec.type = "LoadBalancer";
        p.spec.loadBalancerSourceRanges = ranges;
      });
    it("passes a LoadBalancer restricted to an office range", () => expectClean(rule, lb(["203.0.113.0/24", "2001:db8::/32"])));
    it("flags two IPv4 halves that add up to 0.0.0.0/0", () =>
      expectViolation(rule, lb(["0.0.0.0/1", "128.0.0.0/1"]), /open to the internet: it admits every public IPv4 address/, "mandatory"));
    it("variant: IPv6 halves", () => expectViolation(rule, lb(["203.0.113.0/24", "::/1", "8000::/1"]), /every public IPv6 address/, "mandatory"));
  });

  describe("kubernetes-missing-network-policy: isolation both ways", () => {
    const rule = missingNetworkPolicy;
    const np = (spec: Record<string, unknown>) =>
      edit(networkPolicy("api"), (p) => (p.spec = { podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } }, ...spec }));
    const allowRules = {
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ port: 8000 }] }],
      egress: [{ ports: [{ port: 53, protocol: "UDP" }] }, { ports: [{ port: 443 }] }],
    };

    it("passes a policy that isolates both directions and allows named peers and ports", () => expectClean(rule, [deployment(), np(allowRules)]));
    it("passes a policy without policyTypes whose egress rules make it isolate egress too", async () => {
      const { policyTypes: _omit, ...rest } = allowRules;
      await expectClean(rule, [deployment(), np(rest)]);
    });

    it("flags a policy that names only Ingress: egress is not isolated", async () => {
      const v = await expectViolation(
        rule,
        [deployment(), np({ policyTypes: ["Ingress"] })],
        /none lists `Egress` in its effective `policyTypes`/,
        "mandatory",
        PROD,
      );
      expect(v.urn).toBe(urnOf(deployment()));
      await expectViolation(rule, [deployment(), np({ policyTypes: ["Ingress"] })], /`Egress`/, "advisory", STAGING);
    });

    it("flags a `{}` ingress rule: the pods are selected but not isolated", () =>
      expectViolation(
        rule,
        [deployment(), np({ ...allowRules, ingress: [{}] })],
        /spec\.ingress\[0\] admits every peer on every port \(it has no `from`/,
        "mandatory",
      ));

    it("variant: an egress ipBlock pair that adds up to every address, and an empty peer", async () => {
      await expectViolation(
        rule,
        [deployment(), np({ ...allowRules, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/1" } }] }] })],
        /spec\.egress\[0\] admits every peer on every port \(its `ipBlock`s \(0\.0\.0\.0\/1; 128\.0\.0\.0\/1\) cover every public IPv4 address\)/,
        "mandatory",
      );
      await expectViolation(rule, [deployment(), np({ ...allowRules, egress: [{ to: [{}] }] })], /holds an empty peer/, "mandatory");
    });

    it("variant through a CronJob: a policy selecting every pod with only Ingress leaves the backup's egress open", () =>
      expectViolation(
        rule,
        [backupCronJob(), edit(networkPolicy(), (p) => (p.spec.policyTypes = ["Ingress"]))],
        /CronJob "codebook-db-backup" .*`Egress`/,
        "mandatory",
      ));
  });

  describe("stack-disallow-open-network-ranges: NetworkPolicy ingress and security groups", () => {
    const rule = disallowOpenNetworkRanges;
    const sg: Fixture = {
      type: "aws:ec2/securityGroup:SecurityGroup",
      name: "bastion",
      props: { name: "bastion", vpcId: "vpc-0abc", ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["203.0.113.0/24"] }] },
    };
    const ingressRule = (name: string, cidrIpv4: string, port = 443): Fixture => ({
      type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      name,
      props: { securityGroupId: "sg-0123456789abcdef0", ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4 },
      propertyDependencies: { securityGroupId: [urnOf(sg)] },
    });

    it("passes a security group open to one office range and a NetworkPolicy admitting named namespaces", async () => {
      await expectClean(rule, [sg, ingressRule("office-https", "198.51.100.0/24")]);
      await expectClean(rule, [edit(networkPolicy("api"), (p) => (p.spec.ingress = [{ from: [{ namespaceSelector: { matchLabels: { team: "web" } } }] }]))]);
    });

    it("flags two vpc ingress rules whose halves add up to 0.0.0.0/0 on the same port (joined to their group by dependency)", async () => {
      const v = await expectViolation(
        rule,
        [sg, ingressRule("https-low", "0.0.0.0/1"), ingressRule("https-high", "128.0.0.0/1")],
        /security group "bastion" admits every public IPv4 address on TCP port 443/,
        "mandatory",
      );
      expect(v.urn).toBe(urnOf(sg));
      // Halves on different ports open no port to everyone.
      await expectClean(rule, [sg, ingressRule("https-low", "0.0.0.0/1", 443), ingressRule("ssh-high", "128.0.0.0/1", 22)]);
      // A deliberate public port is configurable.
      await expectClean(rule, [sg, ingressRule("https-low", "0.0.0.0/1"), ingressRule("https-high", "128.0.0.0/1")], {
        ...PROD,
        config: { [rule.name]: { publicTcpPorts: [443] } },
      });
    });

    it("variant: inline IPv6 ingress on all protocols, and a SecurityGroupRule joined by literal group id", async () => {
      const open = edit(sg, (p) => p.ingress.push({ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/1", "8000::/1"] }));
      await expectViolation(rule, [open], /admits every public IPv6 address on TCP every port/, "mandatory");
      const sgRule = (name: string, cidr: string): Fixture => ({
        type: "aws:ec2/securityGroupRule:SecurityGroupRule",
        name,
        props: { type: "ingress", securityGroupId: "sg-0external", protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: [cidr] },
      });
      await expectViolation(
        rule,
        [sgRule("pg-a", "0.0.0.0/2"), sgRule("pg-b", "64.0.0.0/2"), sgRule("pg-c", "128.0.0.0/1")],
        /security group sg-0external admits every public IPv4 address on TCP port 5432/,
        "mandatory",
      );
    });

    it("variant: a NetworkPolicy ingress ipBlock that excepts only private ranges is open to the Internet", () =>
      expectViolation(
        rule,
        [
          edit(
            networkPolicy("api"),
            (p) => (p.spec.ingress = [{ from: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 8000 }] }]),
          ),
        ],
        /NetworkPolicy "api" spec\.ingress\[0\] admits every address/,
        "mandatory",
      ));
  });
});

describe("backups stay on and stay long enough (rule 72)", () => {
  describe("kubernetes-disallow-suspended-backups", () => {
    const rule = disallowSuspendedBackups;
    const suspended = (job: Fixture) => edit(job, (p) => (p.spec.suspend = true));
    it("passes a running backup CronJob", () => expectClean(rule, backupCronJob()));
    it("flags `suspend: true` on a backup CronJob: mandatory on prod, advisory elsewhere", async () => {
      await expectViolation(rule, suspended(backupCronJob()), /Backup CronJob "codebook-db-backup" sets `spec.suspend: true`/, "mandatory", PROD);
      await expectViolation(rule, suspended(backupCronJob()), /suspend/, "advisory", STAGING);
    });
    it("variant: a CronJob known as a backup only by its name", () => {
      const byName = edit(plainCronJob("orders-backup-nightly"), (p) => (p.spec.suspend = true));
      return expectViolation(rule, byName, /Backup CronJob "orders-backup-nightly"/, "mandatory");
    });
    it("does not apply to a CronJob that is not a backup", () => expectNotApplicable(rule, suspended(plainCronJob())));
  });

  describe("stack-disallow-backup-expiry-dates", () => {
    const rule = disallowBackupExpiryDates;
    const byDate = (set: Fixture[]) =>
      set.map((r) => (r.type.includes("bucketLifecycleConfiguration") ? edit(r, (p) => (p.rules[0].expiration = { date: "2027-01-01T00:00:00Z" })) : r));
    it("passes a backup bucket that expires by age", () => expectClean(rule, s3BackupSet()));
    it("flags an S3 backup bucket's lifecycle that expires on a fixed date", async () => {
      const v = await expectViolation(
        rule,
        byDate(s3BackupSet()),
        /S3 bucket "codebook-backups-prod": lifecycle rule "expire-after-retention" expires every backup on 2027-01-01/,
        "mandatory",
      );
      expect(v.urn).toContain("lifecycle");
    });
    it("leaves a dated expiry on a bucket that holds no backups alone", () => {
      const plain = edit(s3Bucket("codebook-assets-prod", "codebook-assets"), (p) => delete p.tags["app-platform/backup"]);
      return expectClean(rule, byDate(s3BackupSet(plain)));
    });
    it("variant: an R2 backup bucket's Date condition", () => {
      const set = r2BackupSet().map((r) =>
        r.type.includes("r2BucketLifecycle")
          ? edit(r, (p) => (p.rules[0].deleteObjectsTransition = { condition: { type: "Date", date: "2027-01-01T00:00:00Z" } }))
          : r,
      );
      return expectViolation(rule, set, /R2 bucket "ara-backups": lifecycle rule "expire-after-retention" expires every backup on 2027-01-01/, "mandatory");
    });
    it("variant: the Bucket's inline lifecycleRules", () => {
      const bucket = edit(s3Bucket(), (p) => (p.lifecycleRules = [{ id: "legacy", enabled: true, expiration: { date: "2027-06-30" } }]));
      return expectViolation(rule, [bucket], /\(inline `lifecycleRules`\): lifecycle rule "legacy" expires every backup on 2027-06-30/, "mandatory");
    });
  });

  describe("stack-missing-backup-freshness-alert reads the last successful run", () => {
    const rule = missingBackupFreshnessAlert;
    const withExpr = (expr: string) => edit(prometheusRule(), (p) => (p.spec.groups[0].rules[2].expr = expr));
    it("passes the alert on kube_cronjob_status_last_successful_time", () => expectClean(rule, [backupCronJob(), prometheusRule()]));
    it("flags an alert on the last SCHEDULE time: a failing job is still scheduled", () =>
      expectViolation(
        rule,
        [backupCronJob(), withExpr('time() - kube_cronjob_status_last_schedule_time{cronjob="codebook-db-backup"} > 86400')],
        /watched by alert "BackupStale", but it reads kube_cronjob_status_last_schedule_time, not the last SUCCESSFUL run/,
        "mandatory",
      ));
    it("variant: a Job-level success series selected by job_name passes; the Job's active count does not", async () => {
      await expectClean(rule, [backupCronJob(), withExpr('time() - max(kube_job_status_completion_time{job_name=~"codebook-db-backup-[0-9]+"}) > 86400')]);
      await expectViolation(
        rule,
        [backupCronJob(), withExpr('max(kube_job_status_active{job_name=~"codebook-db-backup-.*"}) > 86400')],
        /reads kube_job_status_active/,
        "mandatory",
      );
    });
  });
});

describe("monitoring wiring (rule 73)", () => {
  const rule = enforceMonitoringWiring;
  const wired = (): Fixture[] => [deployment(), service(), serviceMonitor(), prometheusRule(), backupCronJob()];

  it("passes a ServiceMonitor naming the Service's port, a Probe with targets and threshold alerts", async () => {
    const probe: Fixture = {
      type: "kubernetes:monitoring.coreos.com/v1:Probe",
      name: "web",
      props: {
        metadata: { name: "web", namespace: NS },
        spec: { prober: { url: "blackbox:9115" }, targets: { ingress: { selector: { matchLabels: { app: "web" } } } } },
      },
    };
    await expectClean(rule, [...wired(), probe]);
  });

  it("flags a ServiceMonitor endpoint naming a port its Service lacks", async () => {
    const sm = edit(serviceMonitor(), (p) => (p.spec.endpoints[0].port = "metrics"));
    const v = await expectViolation(
      rule,
      [deployment(), service(), sm],
      /ServiceMonitor "api" endpoints\[0\] scrapes port "metrics", but Service "api" it selects has only port "http"/,
      "mandatory",
    );
    expect(v.urn).toBe(urnOf(sm));
  });

  it("variant: a ServiceMonitor reaching another namespace's Service through namespaceSelector", () => {
    const other = edit(service("exporter", "exporter"), (p) => {
      p.metadata.namespace = "monitoring";
      p.spec.ports = [{ name: "web", port: 9100 }];
    });
    const sm = edit(serviceMonitor("exporter", "exporter"), (p) => (p.spec.namespaceSelector = { matchNames: ["monitoring"] }));
    return expectViolation(rule, [other, sm], /scrapes port "http", but Service "exporter" it selects has only port "web"/, "mandatory");
  });

  it("flags a Probe with an empty static target list, and (variant) one with no targets at all", async () => {
    const probe = (targets: unknown): Fixture => ({
      type: "kubernetes:monitoring.coreos.com/v1:Probe",
      name: "web",
      props: { metadata: { name: "web", namespace: NS }, spec: { prober: { url: "blackbox:9115" }, module: "http_2xx", targets } },
    });
    await expectViolation(rule, [probe({ staticConfig: { static: [] } })], /Probe "web" has no targets/, "mandatory");
    await expectViolation(rule, [probe(undefined)], /Probe "web" has no targets/, "mandatory");
  });

  it("flags a `> bool` comparison unless the alert is allow-listed", async () => {
    const boolRule = edit(
      prometheusRule(),
      (p) => (p.spec.groups[0].rules[0].expr = 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > bool 0.05'),
    );
    await expectViolation(rule, [deployment(), service(), serviceMonitor(), boolRule], /Alert "HighErrorRate" .* compares with `> bool`/, "mandatory");
    await expectClean(rule, [deployment(), service(), serviceMonitor(), boolRule], { ...PROD, config: { [rule.name]: { boolAllowList: ["HighErrorRate"] } } });
  });

  it("variant: `bool` inside an aggregation of another alert", () => {
    const nested = edit(
      prometheusRule(),
      (p) => (p.spec.groups[0].rules[2].expr = 'sum(time() - kube_cronjob_status_last_successful_time{cronjob="codebook-db-backup"} >= bool 86400) > 0'),
    );
    return expectViolation(rule, [nested], /Alert "BackupStale" .* compares with `>= bool`/, "mandatory");
  });

  it("extends the dead-alert check: alerts reading a ServiceMonitor whose port the Service lacks are dead", async () => {
    const sm = edit(serviceMonitor(), (p) => (p.spec.endpoints[0].port = "metrics"));
    const dead = await violations(missingAlertSeriesSource, [deployment(), service(), sm, prometheusRule()]);
    expect(dead.map((v) => v.message).join("\n")).toMatch(/Alert "HighErrorRate"[\s\S]*no port named "metrics"/);
    await expectClean(missingAlertSeriesSource, wired());
  });
});
