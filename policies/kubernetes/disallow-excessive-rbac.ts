import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { k8sName, namespaceKey, ofTypes, propertyFrom } from "../lib/stack";
import { known, list, obj, UNKNOWN } from "../lib/values";

/** Type tokens of the RBAC kinds (rbac.authorization.k8s.io/v1). */
export const RBAC = {
  Role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  ClusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  RoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  ClusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
} as const;

/**
 * The default user-facing ClusterRoles that grant write access to most of a namespace (and, for
 * cluster-admin, to everything); all three read Secrets (Kubernetes RBAC docs, "User-facing roles").
 */
const ADMIN_ROLES = ["cluster-admin", "admin", "edit"];

const READ_VERBS = ["get", "list", "watch", "*"];

type Props = Record<string, unknown>;

function maybe<T>(read: () => T): T | undefined {
  const v = known(read);
  return v === UNKNOWN ? undefined : v;
}

/** The subjects of a binding that are (or include) service accounts, for messages. */
function serviceAccountSubjects(binding: PolicyResource): string[] {
  const subjects = maybe(() => list(binding.props.subjects).map((s) => ({ ...obj(s) })));
  return (subjects ?? []).flatMap((s: Props) => {
    if (s.kind === "ServiceAccount") return [`ServiceAccount ${typeof s.namespace === "string" ? `${s.namespace}/` : ""}${String(s.name)}`];
    // Every service account (of a namespace) as a group.
    if (s.kind === "Group" && typeof s.name === "string" && /^system:serviceaccounts(:|$)/.test(s.name)) return [`Group ${s.name}`];
    return [];
  });
}

/** Whether one PolicyRule lets its holder read every Secret (no `resourceNames`). */
function readsSecrets(rule: Props): boolean {
  const groups = list<string>(rule.apiGroups);
  const resources = list<string>(rule.resources);
  const verbs = list<string>(rule.verbs);
  return (
    (groups.includes("") || groups.includes("*")) &&
    (resources.includes("secrets") || resources.includes("*")) &&
    verbs.some((v) => READ_VERBS.includes(v)) &&
    list(rule.resourceNames).length === 0
  );
}

/** The role a binding refers to: a Role/ClusterRole of the stack (by dependency or name), if any. */
function referencedRole(binding: PolicyResource, roles: readonly PolicyResource[]): PolicyResource | undefined {
  const ref = maybe(() => ({ ...obj(binding.props.roleRef) }));
  const kind = ref?.kind === "Role" ? RBAC.Role : RBAC.ClusterRole;
  return roles.find(
    (r) =>
      r.type === kind &&
      (propertyFrom(binding, "roleRef", r) || (ref?.name === k8sName(r) && (kind === RBAC.ClusterRole || namespaceKey(r) === namespaceKey(binding)))),
  );
}

/** No admin roles for service accounts, no wildcards, no cluster-wide read of Secrets. */
export const disallowExcessiveRbac = defineStackRule("kubernetes", {
  name: "kubernetes-disallow-excessive-rbac",
  description:
    "RBAC must not bind `cluster-admin`, `admin` or `edit` to a service account, grant wildcard verbs or resources in a Role or ClusterRole, or let a ClusterRoleBinding read Secrets cluster-wide.",
  enforcementLevel: "mandatory",
  numbers: [70],
  anchors: [
    "CIS 5.1.1",
    "CIS 5.1.2",
    "CIS 5.1.3",
    "CKV_K8S_49",
    "kube-linter cluster-admin-role-binding",
    "kube-linter wildcard-in-rules",
    "kube-linter access-to-secrets",
  ],
  rationale:
    "An application's service account token is readable by anyone who compromises the pod, so an admin role or a wildcard grant hands the attacker the namespace or the cluster, and cluster-wide Secret reads hand over every other product's credentials.",
  standard: "CIS Kubernetes Benchmark 5.1.1 (cluster-admin only where required), 5.1.2 (minimize access to secrets), 5.1.3 (minimize wildcard use)",
  appliesTo: Object.values(RBAC),
  validateStack: (args, report) => {
    const roles = ofTypes(args.resources, RBAC.Role, RBAC.ClusterRole);
    const bindings = ofTypes(args.resources, RBAC.RoleBinding, RBAC.ClusterRoleBinding);

    for (const role of roles) {
      const kind = role.type === RBAC.Role ? "Role" : "ClusterRole";
      const rules = maybe(() => list(role.props.rules).map((r) => ({ ...obj(r) })));
      (rules ?? []).forEach((r: Props, i) => {
        const wild = (["verbs", "resources"] as const).filter((f) => list<string>(r[f]).some((v) => typeof v === "string" && v.includes("*")));
        if (wild.length === 0) return;
        report(
          `${kind} "${k8sName(role)}" rules[${i}] grants wildcard ${wild.map((f) => `\`${f}\``).join(" and ")} (${wild.map((f) => list<string>(r[f]).join(", ")).join("; ")}), which also covers every resource and verb added later. Fix: list the verbs and resources the workload needs.`,
          role.urn,
        );
      });
    }

    for (const binding of bindings) {
      const kind = binding.type === RBAC.RoleBinding ? "RoleBinding" : "ClusterRoleBinding";
      const ref = maybe(() => ({ ...obj(binding.props.roleRef) }));
      const roleName = typeof ref?.name === "string" ? ref.name : undefined;
      const accounts = serviceAccountSubjects(binding);
      const builtinAdmin = ref?.kind === "ClusterRole" && roleName !== undefined && ADMIN_ROLES.includes(roleName);
      if (builtinAdmin && accounts.length > 0) {
        report(
          `${kind} "${k8sName(binding)}" binds ClusterRole "${roleName}" to ${accounts.join(", ")}, so whoever holds the token can change ${roleName === "cluster-admin" ? "anything in the cluster" : "most of the namespace and read its Secrets"}. Fix: bind a Role that lists only the verbs and resources the workload needs.`,
          binding.urn,
        );
        continue;
      }
      if (binding.type !== RBAC.ClusterRoleBinding) continue;
      const role = referencedRole(binding, roles);
      const grantsSecrets = builtinAdmin || (role !== undefined && (maybe(() => list(role.props.rules).map((r) => ({ ...obj(r) }))) ?? []).some(readsSecrets));
      if (grantsSecrets) {
        report(
          `ClusterRoleBinding "${k8sName(binding)}" grants ClusterRole "${roleName ?? (role ? k8sName(role) : "?")}", which reads Secrets, in every namespace, so its subjects can read every product's credentials. Fix: bind the role with a RoleBinding in the namespace that needs it, and name the Secrets with \`resourceNames\`.`,
          binding.urn,
        );
      }
    }
  },
});
