import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { readConfig } from "../lib/config";
import { K8S } from "../lib/kubernetes";
import { describeOpen, openness } from "../lib/network";
import { admitsEveryAddress, rulesOf } from "../lib/network-policies";
import { k8sName, ofTypes, propertyFrom } from "../lib/stack";
import { known, list, obj, UNKNOWN } from "../lib/values";

/** Type tokens of the AWS security-group resources whose ingress the rule adds up. */
export const SECURITY_GROUP = {
  Group: "aws:ec2/securityGroup:SecurityGroup",
  Rule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  IngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
} as const;

const DEFAULTS = {
  publicTcpPorts: [] as number[],
};

/** One ingress permission: protocol (`*` for all), port interval and the CIDRs it admits. */
interface Permission {
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly cidrs: readonly string[];
  /** Where it is written, for messages. */
  readonly where: string;
}

const PROTOCOLS: Record<string, string> = { "-1": "*", all: "*", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };

function permission(protocol: unknown, fromPort: unknown, toPort: unknown, cidrs: unknown[], where: string): Permission {
  const p = PROTOCOLS[String(protocol).toLowerCase()] ?? String(protocol).toLowerCase();
  // Protocol -1 ignores ports; AWS writes "all ports" as -1 or 0..65535.
  const all = p === "*" || typeof fromPort !== "number" || fromPort < 0;
  return {
    protocol: p,
    from: all ? 0 : (fromPort as number),
    to: all || typeof toPort !== "number" || toPort < 0 ? 65_535 : (toPort as number),
    cidrs: cidrs.filter((c): c is string => typeof c === "string"),
    where,
  };
}

/** `read()`, or undefined when it touches a value unknown during preview. */
function maybe<T>(read: () => T): T | undefined {
  const v = known(read);
  return v === UNKNOWN ? undefined : v;
}

/**
 * The group a standalone rule belongs to, by physical identity: the SecurityGroup of the stack its
 * `securityGroupId` came from (or whose known id it names), else the literal id itself.
 */
function groupKey(rule: PolicyResource, groups: readonly PolicyResource[]): string {
  const id = maybe(() => rule.props.securityGroupId);
  const owner = groups.find((g) => propertyFrom(rule, "securityGroupId", g) || (typeof id === "string" && id !== "" && id === maybe(() => g.props.id)));
  if (owner) return owner.urn;
  return typeof id === "string" ? `id:${id}` : `urn:${rule.urn}`;
}

/** Port intervals of one protocol on which the permissions together admit every public address. */
function openPorts(permissions: readonly Permission[], protocol: string): { from: number; to: number; families: string }[] {
  const relevant = permissions.filter((p) => p.protocol === protocol || p.protocol === "*");
  const bounds = [...new Set(relevant.flatMap((p) => [p.from, p.to + 1]))].sort((a, b) => a - b);
  const out: { from: number; to: number; families: string }[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i], bounds[i + 1] - 1];
    const covering = relevant.filter((p) => p.from <= from && p.to >= to);
    const { openFamilies } = openness(covering.flatMap((p) => p.cidrs));
    if (openFamilies.length === 0) continue;
    const families = describeOpen(openFamilies);
    const last = out[out.length - 1];
    if (last && last.to + 1 === from && last.families === families) last.to = to;
    else out.push({ from, to, families });
  }
  return out;
}

/**
 * Network openness is computed, not spelled (rule 71): ingress that a set of CIDRs admits from
 * every public address is open, whether written `0.0.0.0/0` or as ranges that add up to it.
 * LoadBalancer Services are checked by kubernetes-disallow-exposed-service-types with the same
 * computation, and isolation (allow-all rules) by kubernetes-missing-network-policy.
 */
export const disallowOpenNetworkRanges = defineStackRule("stack", {
  name: "stack-disallow-open-network-ranges",
  description:
    "NetworkPolicy ingress rules and security-group ingress must not admit every public address, whether written as 0.0.0.0/0 or ::/0, as ranges that add up to them, or as a rule without peers.",
  enforcementLevel: "mandatory",
  scope: "prod",
  numbers: [71],
  anchors: ["CIS 5.3.2", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277", "AWS Foundational Security Best Practices EC2.18"],
  rationale:
    "Ranges that together cover every address open a service to the whole Internet as surely as 0.0.0.0/0 does, but a check that compares strings lets them through.",
  standard: "CIS Kubernetes Benchmark 5.3.2; CIS AWS Foundations (no security group ingress from 0.0.0.0/0 or ::/0); AWS FSBP EC2.18",
  config: {
    publicTcpPorts: {
      type: "array",
      items: { type: "integer", minimum: 0, maximum: 65_535 },
      default: [...DEFAULTS.publicTcpPorts],
      description: "TCP ports a security group may open to every public address (e.g. 443 on a public load balancer's group); none by default.",
    },
  },
  appliesTo: [K8S.NetworkPolicy, SECURITY_GROUP.Group, SECURITY_GROUP.Rule, SECURITY_GROUP.IngressRule],
  validateStack: (args, report) => {
    const { publicTcpPorts } = readConfig(args, DEFAULTS);

    for (const np of ofTypes(args.resources, K8S.NetworkPolicy)) {
      for (const { rule, path } of rulesOf(
        known(() => np.props.spec),
        "Ingress",
      )) {
        const why = known(() => admitsEveryAddress(rule, "Ingress"));
        if (why === UNKNOWN || why === undefined) continue;
        report(
          `NetworkPolicy "${k8sName(np)}" ${path} admits every address (${why}), so the pods it selects accept that traffic from the Internet. Fix: name the sources (pod or namespace selectors, or ipBlocks that do not add up to every public address).`,
          np.urn,
        );
      }
    }

    const groups = ofTypes(args.resources, SECURITY_GROUP.Group);
    const byGroup = new Map<string, { urn: string; label: string; permissions: Permission[] }>();
    const entry = (key: string, urn: string, label: string) => byGroup.get(key) ?? byGroup.set(key, { urn, label, permissions: [] }).get(key)!;
    for (const g of groups) {
      const e = entry(g.urn, g.urn, `security group "${maybe(() => g.props.name) ?? g.name}"`);
      list(maybe(() => list(g.props.ingress).slice())).forEach((raw, i) => {
        const r = obj(raw);
        e.permissions.push(permission(r.protocol, r.fromPort, r.toPort, [...list(r.cidrBlocks), ...list(r.ipv6CidrBlocks)], `ingress[${i}]`));
      });
    }
    for (const r of ofTypes(args.resources, SECURITY_GROUP.Rule, SECURITY_GROUP.IngressRule)) {
      const props = maybe(() => ({ ...obj(r.props) }));
      if (!props) continue;
      if (r.type === SECURITY_GROUP.Rule && props.type !== "ingress") continue;
      const key = groupKey(r, groups);
      const owner = groups.find((g) => g.urn === key);
      const e = entry(
        key,
        owner?.urn ?? r.urn,
        owner ? `security group "${maybe(() => owner.props.name) ?? owner.name}"` : `security group ${key.replace(/^(id|urn):/, "")}`,
      );
      const cidrs = r.type === SECURITY_GROUP.Rule ? [...list(props.cidrBlocks), ...list(props.ipv6CidrBlocks)] : [props.cidrIpv4, props.cidrIpv6];
      const protocol = r.type === SECURITY_GROUP.Rule ? props.protocol : props.ipProtocol;
      e.permissions.push(permission(protocol, props.fromPort, props.toPort, cidrs, `${r.type.split(":")[2]} "${r.name}"`));
    }

    for (const { urn, label, permissions } of byGroup.values()) {
      const protocols = [...new Set(permissions.map((p) => (p.protocol === "*" ? "tcp" : p.protocol)))];
      for (const protocol of protocols) {
        for (const open of openPorts(permissions, protocol)) {
          const allowed = protocol === "tcp" && open.from === open.to && publicTcpPorts.includes(open.from);
          if (allowed) continue;
          const ports = open.from === 0 && open.to === 65_535 ? "every port" : open.from === open.to ? `port ${open.from}` : `ports ${open.from}-${open.to}`;
          const sources = permissions
            .filter((p) => (p.protocol === protocol || p.protocol === "*") && p.from <= open.from && p.to >= open.to)
            .map((p) => `${p.where}: ${p.cidrs.join(", ")}`)
            .join("; ");
          report(
            `${label} admits ${open.families} on ${protocol.toUpperCase()} ${ports} (${sources}). Fix: restrict the source CIDRs to the networks that need access (ranges that add up to 0.0.0.0/0 or ::/0 count as open), or list a deliberate public TCP port in the rule's \`publicTcpPorts\` config.`,
            urn,
          );
        }
      }
    }
  },
});
