import { defineResourceRule } from "../lib/rule";
import { containersOf, describeWorkload, onWorkloads } from "../lib/kubernetes";

/** Splits an image reference into tag and digest. */
export function parseImage(image: string): { tag?: string; digest?: string } {
  const [nameAndTag, digest] = image.split("@", 2);
  const lastSegment = nameAndTag.slice(nameAndTag.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  return { tag: colon >= 0 ? lastSegment.slice(colon + 1) : undefined, digest };
}

/** Image tag pinned, never `latest` (digest advisory). */
export const disallowLatestImageTag = defineResourceRule("kubernetes", {
  name: "kubernetes-disallow-latest-image-tag",
  description: "Container images must carry a fixed tag other than `latest`, and should be pinned by digest.",
  enforcementLevel: "mandatory",
  numbers: [14],
  anchors: ["CKV_K8S_14", "CKV_K8S_43", "kube-linter latest-tag", "Polaris tagNotSpecified", "kube-score container-image-tag"],
  rationale:
    "A mutable tag such as `latest` deploys whatever was pushed last, so what runs can neither be reproduced nor audited; a digest pins the exact image.",
  standard: "Checkov CKV_K8S_14, CKV_K8S_43; kube-linter latest-tag; Polaris; kube-score container-image-tag",
  validateResource: onWorkloads((workload, _args, report) => {
    for (const c of containersOf(workload)) {
      const image = c.container.image;
      if (typeof image !== "string" || image === "") {
        report(`${describeWorkload(workload)}: ${c.label} has no image. Fix: set \`${c.path}.image\` to \`registry/name:version\`.`);
        continue;
      }
      const { tag, digest } = parseImage(image);
      if (!digest && (tag === undefined || tag === "latest")) {
        report(
          `${describeWorkload(workload)}: ${c.label} uses "${image}", which floats (\`latest\`). Fix: pin a version tag, e.g. "${image.replace(/:latest$/, "")}:1.2.3".`,
        );
      } else if (tag === "latest") {
        report(`${describeWorkload(workload)}: ${c.label} uses the \`latest\` tag in "${image}". Fix: use the version tag the digest belongs to.`);
      }
      if (!digest) {
        report.advisory(
          `${describeWorkload(workload)}: ${c.label} image "${image}" is not pinned by digest. Fix: append \`@sha256:<digest>\` so a re-pushed tag cannot change what runs.`,
        );
      }
    }
  }),
});
