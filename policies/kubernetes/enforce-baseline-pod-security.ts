import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads, type Props } from "../lib/kubernetes";
import { list, obj } from "../lib/values";

/** Sysctls Pod Security baseline allows. */
export const SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
];
/** SELinux types Pod Security baseline allows (current standard, which added `container_engine_t`); `""` = unset. */
const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
/** `appArmorProfile.type` values Pod Security baseline allows (unset is allowed too). */
export const APPARMOR_TYPES = ["RuntimeDefault", "Localhost"];
/** Whether an AppArmor annotation value is allowed by Pod Security baseline: `runtime/default` or `localhost/<profile>`. */
export function allowedAppArmorAnnotation(value: string): boolean {
  return value === "" || value === "runtime/default" || value.startsWith("localhost/");
}
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"];

/** `httpGet.host` / `tcpSocket.host` of a probe or lifecycle handler, if set. */
function handlerHost(handler: Props): string | undefined {
  for (const kind of ["httpGet", "tcpSocket"]) {
    const host = obj(handler[kind]).host;
    if (typeof host === "string" && host !== "") return host;
  }
  return undefined;
}

/** The rest of Pod Security baseline. */
export const enforceBaselinePodSecurity = defineResourceRule("kubernetes", {
  name: "kubernetes-enforce-baseline-pod-security",
  description:
    "Pods must meet the remaining Pod Security baseline controls: safe sysctls, default procMount, an allowed AppArmor profile, allowed SELinux options, no HostProcess and no host in probes or lifecycle hooks.",
  enforcementLevel: "mandatory",
  numbers: [10],
  anchors: ["PSS baseline", "kube-linter unsafe-sysctls", "kube-linter unsafe-proc-mount", "Polaris procMount"],
  rationale:
    "Unsafe sysctls, an unmasked `/proc`, an AppArmor profile other than the runtime's or a node-local one, or probes aimed at other hosts each open a way out of the pod's sandbox.",
  standard:
    "Pod Security Standards (baseline), current version: AppArmor and SELinux are allow-lists (RuntimeDefault/Localhost; container_t, container_init_t, container_kvm_t, container_engine_t)",
  validateResource: onWorkloads((workload, _args, report) => {
    const where = describeWorkload(workload);
    const podSc = obj(workload.podSpec.securityContext);
    for (const s of list(podSc.sysctls)) {
      const name = String(obj(s).name);
      if (!SAFE_SYSCTLS.includes(name)) {
        report(
          `${where} sets the unsafe sysctl "${name}". Fix: remove it from \`${workload.podSpecPath}.securityContext.sysctls\`; only ${SAFE_SYSCTLS.join(", ")} are allowed.`,
        );
      }
    }
    const checkContext = (sc: Props, label: string) => {
      const appArmor = obj(sc.appArmorProfile).type;
      if (appArmor !== undefined && !APPARMOR_TYPES.includes(appArmor)) {
        report(`${where}: ${label} runs AppArmor "${appArmor}". Fix: use \`appArmorProfile.type: RuntimeDefault\` or a Localhost profile.`);
      }
      const se = obj(sc.seLinuxOptions);
      if ((se.type !== undefined && !SELINUX_TYPES.includes(se.type)) || se.user || se.role) {
        report(
          `${where}: ${label} sets custom SELinux options. Fix: remove \`seLinuxOptions.user/role\` and use a type from ${SELINUX_TYPES.filter((t) => t).join(", ")}.`,
        );
      }
      if (obj(sc.windowsOptions).hostProcess === true) {
        report(`${where}: ${label} runs as a Windows HostProcess. Fix: remove \`windowsOptions.hostProcess\`.`);
      }
    };
    checkContext(podSc, "the pod");
    // Read only the AppArmor annotations' values: others (a secret checksum) may be unknown at preview.
    for (const key of Object.keys(workload.podAnnotations)) {
      if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
      const value = workload.podAnnotations[key];
      if (typeof value !== "string" || !allowedAppArmorAnnotation(value)) {
        const what = value === "unconfined" ? "makes AppArmor unconfined" : `sets the AppArmor profile "${String(value)}"`;
        report(`${where}: annotation "${key}" ${what}. Fix: use "runtime/default" or "localhost/<profile>" (or \`appArmorProfile\`).`);
      }
    }
    for (const c of containersOf(workload)) {
      const sc = obj(c.container.securityContext);
      checkContext(sc, c.label);
      if (sc.procMount !== undefined && sc.procMount !== "Default") {
        report(`${where}: ${c.label} sets \`procMount: ${sc.procMount}\`. Fix: remove it (Default).`);
      }
      const handlers: [string, Props][] = PROBES.map((p) => [p, obj(c.container[p])]);
      const lifecycle = obj(c.container.lifecycle);
      handlers.push(["lifecycle.postStart", obj(lifecycle.postStart)], ["lifecycle.preStop", obj(lifecycle.preStop)]);
      for (const [field, handler] of handlers) {
        const host = handlerHost(handler);
        if (host) {
          report(`${where}: ${c.label} ${field} targets host "${host}". Fix: remove \`host\` so the probe or hook hits the pod itself.`);
        }
      }
    }
  }),
});
