import { describe, expect, it } from "vitest";
import { disallowPrivilegedContainers } from "../../policies/kubernetes/disallow-privileged-containers";
import { disallowHostNamespaces } from "../../policies/kubernetes/disallow-host-namespaces";
import { disallowPrivilegeEscalation } from "../../policies/kubernetes/disallow-privilege-escalation";
import { enforceRunAsNonRoot } from "../../policies/kubernetes/enforce-run-as-non-root";
import { enforceDropAllCapabilities } from "../../policies/kubernetes/enforce-drop-all-capabilities";
import { enforceSeccompProfile } from "../../policies/kubernetes/enforce-seccomp-profile";
import { enforceReadOnlyRootFilesystem } from "../../policies/kubernetes/enforce-read-only-root-filesystem";
import { disallowUnsafeVolumes } from "../../policies/kubernetes/disallow-unsafe-volumes";
import { disallowHostPorts } from "../../policies/kubernetes/disallow-host-ports";
import { enforceBaselinePodSecurity } from "../../policies/kubernetes/enforce-baseline-pod-security";
import { disableServiceAccountTokenAutomount } from "../../policies/kubernetes/disable-service-account-token-automount";
import { disallowDefaultServiceAccount } from "../../policies/kubernetes/disallow-default-service-account";
import { disallowDefaultNamespace } from "../../policies/kubernetes/disallow-default-namespace";
import { disallowLatestImageTag, parseImage } from "../../policies/kubernetes/disallow-latest-image-tag";
import { configureResourceRequests } from "../../policies/kubernetes/configure-resource-requests";
import { configureHealthProbes } from "../../policies/kubernetes/configure-health-probes";
import { disallowSecretEnvLiterals } from "../../policies/kubernetes/disallow-secret-env-literals";
import { missingRecommendedLabels } from "../../policies/kubernetes/missing-recommended-labels";
import { disallowBarePods } from "../../policies/kubernetes/disallow-bare-pods";
import { disallowDeprecatedApiVersions } from "../../policies/kubernetes/disallow-deprecated-api-versions";
import { UNKNOWN_STRING } from "../../tools/engine/pack/types";
import { backupCronJob, configMap, deployment, pod, service } from "./fixtures";
import { edit, expectClean, expectNotApplicable, expectViolation, PROD, STAGING, violations } from "./helpers";

const c0 = (p: any) => p.spec.template.spec.containers[0];
const podSpec = (p: any) => p.spec.template.spec;

describe("kubernetes-disallow-privileged-containers", () => {
  const rule = disallowPrivilegedContainers;
  it("passes the compliant Deployment, CronJob and Pod", async () => {
    await expectClean(rule, deployment());
    await expectClean(rule, backupCronJob());
    await expectClean(rule, pod());
  });
  it("flags a privileged container", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.privileged = true)),
      /container "api" sets `spec.template.spec.containers\[0\].securityContext.privileged: true`/,
    );
  });
  it("flags a privileged init container of a CronJob", async () => {
    const r = edit(backupCronJob(), (p) => (p.spec.jobTemplate.spec.template.spec.initContainers = [{ name: "init", securityContext: { privileged: true } }]));
    await expectViolation(rule, r, /init container "init" sets `spec.jobTemplate.spec.template.spec.initContainers\[0\].securityContext.privileged/);
  });
  it("does not apply to a ConfigMap", async () => {
    await expectNotApplicable(rule, configMap());
  });
});

describe("kubernetes-disallow-host-namespaces", () => {
  const rule = disallowHostNamespaces;
  it("passes the baseline", () => expectClean(rule, deployment()));
  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
    it(`flags ${field}`, async () => {
      await expectViolation(
        rule,
        edit(deployment(), (p) => (podSpec(p)[field] = true)),
        new RegExp(`\`spec.template.spec.${field}: true\``),
      );
    });
  }
  it("does not apply to a Service", () => expectNotApplicable(rule, service()));
});

describe("kubernetes-disallow-privilege-escalation", () => {
  const rule = disallowPrivilegeEscalation;
  it("passes the baseline", () => expectClean(rule, deployment()));
  it("flags a container that allows escalation", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.allowPrivilegeEscalation = true)),
      /container "api" does not set `allowPrivilegeEscalation: false`/,
    );
  });
  it("flags a container that leaves it unset", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => delete c0(p).securityContext.allowPrivilegeEscalation),
      /does not set `allowPrivilegeEscalation: false`/,
    );
  });
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("kubernetes-enforce-run-as-non-root", () => {
  const rule = enforceRunAsNonRoot;
  it("passes the baseline", () => expectClean(rule, deployment()));
  it("accepts runAsNonRoot on the pod only", async () => {
    await expectClean(
      rule,
      edit(deployment(), (p) => delete c0(p).securityContext.runAsNonRoot),
    );
  });
  it("flags a container overriding runAsNonRoot to false", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.runAsNonRoot = false)),
      /container "api" may run as root/,
    );
  });
  it("flags runAsNonRoot unset everywhere", async () => {
    const r = edit(deployment(), (p) => {
      delete c0(p).securityContext.runAsNonRoot;
      delete podSpec(p).securityContext.runAsNonRoot;
    });
    await expectViolation(rule, r, /may run as root/);
  });
  it("flags pod-level runAsUser 0", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (podSpec(p).securityContext.runAsUser = 0)),
      /securityContext.runAsUser: 0`/,
    );
  });
  it("flags container-level runAsUser 0", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.runAsUser = 0)),
      /container "api" sets `runAsUser: 0`/,
    );
  });
  it("does not apply to a Service", () => expectNotApplicable(rule, service()));
});

describe("kubernetes-enforce-drop-all-capabilities", () => {
  const rule = enforceDropAllCapabilities;
  it("passes the baseline and NET_BIND_SERVICE", async () => {
    await expectClean(rule, deployment());
    await expectClean(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.capabilities.add = ["NET_BIND_SERVICE"])),
    );
  });
  it("flags a container that does not drop ALL", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.capabilities.drop = ["NET_RAW"])),
      /does not drop all capabilities/,
    );
  });
  it("flags an added capability", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.capabilities.add = ["SYS_ADMIN"])),
      /adds SYS_ADMIN/,
    );
  });
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("kubernetes-enforce-seccomp-profile", () => {
  const rule = enforceSeccompProfile;
  it("passes pod-level RuntimeDefault and container-level Localhost", async () => {
    await expectClean(rule, deployment());
    const r = edit(deployment(), (p) => {
      delete podSpec(p).securityContext.seccompProfile;
      c0(p).securityContext.seccompProfile = { type: "Localhost", localhostProfile: "profiles/api.json" };
    });
    await expectClean(rule, r);
  });
  it("flags an Unconfined pod profile", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (podSpec(p).securityContext.seccompProfile.type = "Unconfined")),
      /seccomp profile "Unconfined" on the pod/,
    );
  });
  it("flags an Unconfined container profile", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.seccompProfile = { type: "Unconfined" })),
      /container "api" sets seccomp profile "Unconfined"/,
    );
  });
  it("flags no profile at all", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => delete podSpec(p).securityContext.seccompProfile),
      /container "api" has no seccomp profile/,
    );
  });
  it("does not apply to a Service", () => expectNotApplicable(rule, service()));
});

describe("kubernetes-enforce-read-only-root-filesystem (prod-scoped)", () => {
  const rule = enforceReadOnlyRootFilesystem;
  const writable = edit(deployment(), (p) => (c0(p).securityContext.readOnlyRootFilesystem = false));
  it("passes the baseline", () => expectClean(rule, deployment()));
  it("is mandatory on prod", async () => {
    await expectViolation(rule, writable, /container "api" has a writable root filesystem/, "mandatory", PROD);
  });
  it("is advisory on staging", async () => {
    await expectViolation(rule, writable, /writable root filesystem/, "advisory", STAGING);
  });
  it("takes the environment from the rule config over the tag", async () => {
    await expectViolation(rule, writable, /writable root filesystem/, "mandatory", { ...STAGING, config: { [rule.name]: { environment: "prod" } } });
  });
  it("treats an untagged stack as prod (fail closed)", async () => {
    await expectViolation(rule, writable, /writable root filesystem/, "mandatory", {});
  });
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("kubernetes-disallow-unsafe-volumes", () => {
  const rule = disallowUnsafeVolumes;
  it("passes emptyDir, secret, configMap and PVC volumes", async () => {
    const r = edit(deployment(), (p) =>
      podSpec(p).volumes.push(
        { name: "cfg", configMap: { name: "api-config" } },
        { name: "data", persistentVolumeClaim: { claimName: "data" } },
        { name: "s", secret: { secretName: "s" } },
      ),
    );
    await expectClean(rule, r);
  });
  it("flags hostPath", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => podSpec(p).volumes.push({ name: "logs", hostPath: { path: "/var/log" } })),
      /volume "logs" .* is of type `hostPath`/,
    );
  });
  it("flags the docker socket", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => podSpec(p).volumes.push({ name: "sock", hostPath: { path: "/var/run/docker.sock" } })),
      /mounts the container runtime socket \/var\/run\/docker.sock/,
    );
  });
  it("flags other non-restricted types", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => podSpec(p).volumes.push({ name: "nfs", nfs: { server: "nfs", path: "/" } })),
      /is of type `nfs`/,
    );
  });
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("kubernetes-disallow-host-ports", () => {
  const rule = disallowHostPorts;
  it("passes the baseline", () => expectClean(rule, deployment()));
  it("flags a hostPort", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).ports[0].hostPort = 8000)),
      /sets `spec.template.spec.containers\[0\].ports\[0\].hostPort: 8000`/,
    );
  });
  it("does not apply to a Service", () => expectNotApplicable(rule, service()));
});

describe("kubernetes-enforce-baseline-pod-security", () => {
  const rule = enforceBaselinePodSecurity;
  it("passes the baseline and a safe sysctl", async () => {
    await expectClean(
      rule,
      edit(deployment(), (p) => (podSpec(p).securityContext.sysctls = [{ name: "net.ipv4.tcp_syncookies", value: "1" }])),
    );
  });
  it("flags an unsafe sysctl", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (podSpec(p).securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }])),
      /unsafe sysctl "kernel.msgmax"/,
    );
  });
  it("flags an unmasked procMount", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.procMount = "Unmasked")),
      /`procMount: Unmasked`/,
    );
  });
  it("flags unconfined AppArmor (field and annotation)", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.appArmorProfile = { type: "Unconfined" })),
      /container "api" runs AppArmor "Unconfined"/,
    );
    await expectViolation(
      rule,
      edit(deployment(), (p) => (p.spec.template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/api": "unconfined" })),
      /annotation .* makes AppArmor unconfined/,
    );
  });
  it("flags custom SELinux options and HostProcess", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (podSpec(p).securityContext.seLinuxOptions = { type: "spc_t" })),
      /the pod sets custom SELinux options/,
    );
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).securityContext.windowsOptions = { hostProcess: true })),
      /runs as a Windows HostProcess/,
    );
  });
  it("flags a probe or hook that targets another host", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).livenessProbe.httpGet.host = "10.0.0.1")),
      /livenessProbe targets host "10.0.0.1"/,
    );
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).lifecycle = { preStop: { tcpSocket: { host: "metadata", port: 80 } } })),
      /lifecycle.preStop targets host "metadata"/,
    );
  });
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("kubernetes-disable-service-account-token-automount", () => {
  const rule = disableServiceAccountTokenAutomount;
  const mounting = edit(deployment(), (p) => delete podSpec(p).automountServiceAccountToken);
  it("passes the baseline", () => expectClean(rule, deployment()));
  it("advises when the token is mounted", async () => {
    await expectViolation(rule, mounting, /Deployment "api" mounts a service account token/, "advisory");
  });
  it("accepts an allow-listed workload", async () => {
    await expectClean(rule, mounting, { ...PROD, config: { [rule.name]: { allowedWorkloads: ["codebook/api"] } } });
  });
  it("does not apply to a Service", () => expectNotApplicable(rule, service()));
});

describe("kubernetes-disallow-default-service-account", () => {
  const rule = disallowDefaultServiceAccount;
  it("passes the baseline", () => expectClean(rule, deployment()));
  it("advises on the default service account", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (podSpec(p).serviceAccountName = "default")),
      /runs as the `default` service account/,
      "advisory",
    );
    await expectViolation(
      rule,
      edit(deployment(), (p) => delete podSpec(p).serviceAccountName),
      /runs as the `default` service account/,
      "advisory",
    );
  });
  it("does not apply to a Service", () => expectNotApplicable(rule, service()));
});

describe("kubernetes-disallow-default-namespace", () => {
  const rule = disallowDefaultNamespace;
  it("passes namespaced objects", async () => {
    await expectClean(rule, deployment());
    await expectClean(rule, service());
    await expectClean(rule, configMap());
  });
  it("flags the default namespace", async () => {
    await expectViolation(
      rule,
      edit(service(), (p) => (p.metadata.namespace = "default")),
      /Service "api" is in the `default` namespace/,
    );
  });
  it("flags a missing namespace", async () => {
    await expectViolation(
      rule,
      edit(configMap(), (p) => delete p.metadata.namespace),
      /ConfigMap "api-config" has no namespace/,
    );
  });
  it("accepts the provider's namespace", async () => {
    const r = {
      ...edit(configMap(), (p) => delete p.metadata.namespace),
      provider: {
        type: "pulumi:providers:kubernetes",
        name: "k8s",
        urn: "urn:pulumi:test::app-platform::pulumi:providers:kubernetes::k8s",
        props: { namespace: "codebook" },
      },
    };
    await expectClean(rule, r);
  });
  it("accepts a namespace computed during preview", async () => {
    await expectClean(
      rule,
      edit(configMap(), (p) => (p.metadata.namespace = UNKNOWN_STRING)),
    );
  });
  it("does not apply to a Namespace", () =>
    expectNotApplicable(rule, { type: "kubernetes:core/v1:Namespace", name: "codebook", props: { metadata: { name: "codebook" } } }));
});

describe("kubernetes-disallow-latest-image-tag", () => {
  const rule = disallowLatestImageTag;
  it("parses image references", () => {
    expect(parseImage("ghcr.io:5000/a/b:1.2@sha256:x")).toEqual({ tag: "1.2", digest: "sha256:x" });
    expect(parseImage("localhost:5000/a")).toEqual({ tag: undefined, digest: undefined });
  });
  it("passes a tag pinned by digest", () => expectClean(rule, deployment()));
  it("flags `latest` and a missing tag", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).image = "ghcr.io/acme/api:latest")),
      /uses "ghcr.io\/acme\/api:latest", which floats/,
    );
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).image = "ghcr.io/acme/api")),
      /which floats/,
    );
  });
  it("advises a digest", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).image = "ghcr.io/acme/api:1.4.2")),
      /is not pinned by digest/,
      "advisory",
    );
  });
  it("flags a missing image", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => delete c0(p).image),
      /has no image/,
    );
  });
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("kubernetes-configure-resource-requests", () => {
  const rule = configureResourceRequests;
  it("passes the baseline", () => expectClean(rule, deployment()));
  it("flags missing cpu/memory requests and memory limit", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).resources = { limits: { cpu: "1" } })),
      /has no requests.cpu, requests.memory, limits.memory/,
    );
    await expectViolation(
      rule,
      edit(deployment(), (p) => delete c0(p).resources.limits.memory),
      /has no limits.memory\./,
    );
  });
  it("advises ephemeral storage", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => delete c0(p).resources.requests["ephemeral-storage"]),
      /has no requests.ephemeral-storage/,
      "advisory",
    );
  });
  it("does not apply to a Service", () => expectNotApplicable(rule, service()));
});

describe("kubernetes-configure-health-probes (prod-scoped)", () => {
  const rule = configureHealthProbes;
  it("passes the baseline (same path, different timings)", () => expectClean(rule, deployment()));
  it("flags missing probes, mandatory on prod, advisory on staging", async () => {
    const r = edit(deployment(), (p) => delete c0(p).readinessProbe);
    await expectViolation(rule, r, /container "api" has no readiness probe/, "mandatory", PROD);
    await expectViolation(rule, r, /has no readiness probe/, "advisory", STAGING);
    await expectViolation(
      rule,
      edit(deployment(), (p) => delete c0(p).livenessProbe),
      /has no liveness probe/,
    );
  });
  it("flags identical probes", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => (c0(p).readinessProbe = { ...c0(p).livenessProbe })),
      /identical liveness and readiness probes/,
    );
  });
  it("does not apply to a CronJob", () => expectNotApplicable(rule, backupCronJob()));
});

describe("kubernetes-disallow-secret-env-literals", () => {
  const rule = disallowSecretEnvLiterals;
  it("passes secretKeyRef and plain settings", () => expectClean(rule, deployment()));
  it("flags a secret-named literal", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => c0(p).env.push({ name: "JWT_SECRET", value: "hunter2" })),
      /env "JWT_SECRET" .* looks like a secret but is a literal/,
    );
  });
  it("flags a token value whatever the name", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => c0(p).env.push({ name: "UPSTREAM", value: "sk_live_abcdefghijklmnop" })),
      /env "UPSTREAM" .* contains a Stripe live key as a literal/,
    );
    await expectViolation(
      rule,
      edit(deployment(), (p) => c0(p).env.push({ name: "DB", value: "postgres://app:pw@db:5432/app" })),
      /is a URL with a password as a literal/,
    );
  });
  it("flags a duplicate name", async () => {
    await expectViolation(
      rule,
      edit(deployment(), (p) => c0(p).env.push({ name: "PORT", value: "9000" })),
      /env "PORT" .* is defined twice/,
    );
  });
  it("does not apply to a ConfigMap", () => expectNotApplicable(rule, configMap()));
});

describe("kubernetes-missing-recommended-labels", () => {
  const rule = missingRecommendedLabels;
  it("passes labelled objects", async () => {
    await expectClean(rule, deployment());
    await expectClean(rule, service());
  });
  it("advises missing recommended labels", async () => {
    await expectViolation(
      rule,
      edit(service(), (p) => delete p.metadata.labels["app.kubernetes.io/part-of"]),
      /lacks the labels app.kubernetes.io\/part-of/,
      "advisory",
    );
  });
  it("advises a missing owner", async () => {
    await expectViolation(
      rule,
      edit(service(), (p) => delete p.metadata.labels["app-platform/owner"]),
      /has no owner label/,
      "advisory",
    );
  });
  it("uses the configured label lists", async () => {
    const r = edit(service(), (p) => delete p.metadata.labels["app-platform/owner"]);
    await expectClean(rule, r, { ...PROD, config: { [rule.name]: { ownerLabels: ["app-platform/environment"] } } });
  });
  it("does not apply to a Namespace", () => expectNotApplicable(rule, { type: "kubernetes:core/v1:Namespace", name: "codebook", props: {} }));
});

describe("kubernetes-disallow-bare-pods (prod-scoped)", () => {
  const rule = disallowBarePods;
  it("passes a Deployment (not applicable)", () => expectNotApplicable(rule, deployment()));
  it("flags a bare Pod: mandatory on prod, advisory on staging", async () => {
    await expectViolation(rule, pod(), /Pod "debug" is declared bare/, "mandatory", PROD);
    await expectViolation(rule, pod(), /declared bare/, "advisory", STAGING);
  });
});

describe("kubernetes-disallow-deprecated-api-versions", () => {
  const rule = disallowDeprecatedApiVersions;
  it("passes stable APIs and CRDs", async () => {
    await expectClean(rule, deployment());
    await expectClean(rule, { type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule", name: "r", props: {} });
  });
  it("flags beta and removed APIs", async () => {
    await expectViolation(rule, { ...backupCronJob(), type: "kubernetes:batch/v1beta1:CronJob" }, /pre-release API "batch\/v1beta1"/);
    await expectViolation(rule, { ...deployment(), type: "kubernetes:extensions/v1beta1:Deployment" }, /removed API group "extensions\/v1beta1"/);
  });
  it("allow-lists the operator's v1alpha1 CRDs by default (AlertmanagerConfig has no stable version)", async () => {
    const r = { type: "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", name: "a", props: {} };
    await expectClean(rule, r);
    // An allow-list from config replaces the default.
    await expectViolation(rule, r, /monitoring.coreos.com\/v1alpha1/, "mandatory", { ...PROD, config: { [rule.name]: { allowedApiVersions: [] } } });
    const other = { type: "kubernetes:example.com/v1alpha1:Widget", name: "w", props: {} };
    await expectViolation(rule, other, /example.com\/v1alpha1/);
    await expectClean(rule, other, { ...PROD, config: { [rule.name]: { allowedApiVersions: ["example.com/v1alpha1"] } } });
  });
  it("does not apply to other providers", () => expectNotApplicable(rule, { type: "aws:s3/bucket:Bucket", name: "b", props: {} }));
});

describe("unknown values during preview", () => {
  it("reports the engine's advisory can't-run diagnostic when a rule reads an unknown", async () => {
    const found = await violations(
      disallowPrivilegedContainers,
      edit(deployment(), (p) => (c0(p).securityContext = UNKNOWN_STRING)),
    );
    expect(found).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message: expect.stringMatching(
          /can't run policy 'kubernetes-disallow-privileged-containers' .* during preview: string value at .spec.template.spec.containers.0.securityContext can't be known during preview/,
        ),
      }),
    ]);
  });
});
