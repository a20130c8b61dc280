import { defineResourceRule } from "../lib/rule";
import { describeWorkload, onWorkloads } from "../lib/kubernetes";
import { list, obj } from "../lib/values";

/** Volume types Pod Security "restricted" allows. */
export const SAFE_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

const RUNTIME_SOCKET = /(docker|containerd|crio|cri-dockerd|podman)\.sock/;

/** Only safe volume types (no hostPath, no docker socket). */
export const disallowUnsafeVolumes = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-unsafe-volumes",
  description: "Pods may only use the volume types of Pod Security restricted, never hostPath or a container runtime socket.",
  enforcementLevel: "mandatory",
  numbers: [8],
  anchors: [
    "PSS restricted",
    "PSS baseline",
    "CIS 5.2.12",
    "CKV_K8S_27",
    "kube-linter sensitive-host-mounts",
    "kube-linter docker-sock",
    "Polaris hostPathSet",
  ],
  rationale: "hostPath and container runtime sockets hand the container the node's files or its container runtime, which amounts to taking over the node.",
  standard: "Pod Security Standards (restricted volume types, baseline); CIS Kubernetes Benchmark 5.2.12",
  validateResource: onWorkloads((workload, _args, report) => {
    list(workload.podSpec.volumes).forEach((v, i) => {
      const volume = obj(v);
      const name = typeof volume.name === "string" ? volume.name : `#${i}`;
      const path = `${workload.podSpecPath}.volumes[${i}]`;
      for (const type of Object.keys(volume).filter((k) => k !== "name")) {
        if (SAFE_VOLUME_TYPES.includes(type)) continue;
        const hostPath = type === "hostPath" ? String(obj(volume.hostPath).path ?? "") : "";
        if (RUNTIME_SOCKET.test(hostPath)) {
          report(
            `${describeWorkload(workload)}: volume "${name}" (${path}) mounts the container runtime socket ${hostPath}, which gives root on the node. Fix: remove the volume.`,
          );
        } else {
          report(
            `${describeWorkload(workload)}: volume "${name}" (${path}) is of type \`${type}\`. Fix: use one of ${SAFE_VOLUME_TYPES.join(", ")} (e.g. a persistentVolumeClaim instead of hostPath).`,
          );
        }
      }
    });
  }),
});
