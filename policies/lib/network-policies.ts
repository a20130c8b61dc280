/**
 * NetworkPolicy semantics as Kubernetes applies them (networking.k8s.io/v1 NetworkPolicySpec):
 * - a policy isolates the directions in its effective `policyTypes`: the listed ones, or, when
 *   the list is empty, `Ingress` plus `Egress` if it has egress rules;
 * - the rules of all policies selecting a pod add up, so one rule that admits everything opens
 *   its direction whatever the other policies say;
 * - a rule without peers (`from`/`to` absent or empty), with an empty peer `{}`, with a peer that
 *   selects every pod of every namespace (`namespaceSelector: {}` and no or an empty
 *   `podSelector`), or whose `ipBlock`s together cover every public address (lib/network.ts)
 *   admits every source or destination; without `ports` it does so on every port.
 */
import { describeOpen, openness, type AddressBlock } from "./network";
import { known, list, obj, UNKNOWN } from "./values";

export type Direction = "Ingress" | "Egress";
export const DIRECTIONS: readonly Direction[] = ["Ingress", "Egress"];

/** The directions a NetworkPolicy spec isolates, or `UNKNOWN` when they are computed (preview). */
export function effectivePolicyTypes(spec: unknown): readonly Direction[] | typeof UNKNOWN {
  const types = known(() => list<string>(obj(spec).policyTypes).slice());
  const egress = known(() => list(obj(spec).egress).length);
  if (types === UNKNOWN || egress === UNKNOWN) return UNKNOWN;
  if (types.length > 0) return DIRECTIONS.filter((d) => types.includes(d));
  return egress > 0 ? DIRECTIONS : ["Ingress"];
}

/**
 * Why a rule's peers admit every address (every public address, and so the Internet), or
 * undefined when they do not: no peers, an empty peer, or `ipBlock`s that add up to every public
 * address.
 */
export function admitsEveryAddress(rule: unknown, direction: Direction): string | undefined {
  const r = obj(rule);
  const field = direction === "Ingress" ? "from" : "to";
  const peers = list(r[field]).map((p) => obj(p));
  if (peers.length === 0) return `it has no \`${field}\`, which means every ${direction === "Ingress" ? "source" : "destination"}`;
  if (peers.some((p) => Object.keys(p).length === 0)) return `its \`${field}\` holds an empty peer \`{}\``;
  const blocks: AddressBlock[] = peers
    .map((p) => obj(p.ipBlock))
    .filter((b) => typeof b.cidr === "string")
    .map((b) => ({ cidr: b.cidr as string, except: list<string>(b.except).filter((e) => typeof e === "string") }));
  const { openFamilies } = openness(blocks);
  if (openFamilies.length === 0) return undefined;
  const written = blocks.map((b) => b.cidr + (b.except && b.except.length > 0 ? ` except ${b.except.join(", ")}` : "")).join("; ");
  return `its \`ipBlock\`s (${written}) cover ${describeOpen(openFamilies)}`;
}

/**
 * Why a rule's peers admit every peer (every address, or every pod of every namespace), or
 * undefined when they do not.
 */
export function admitsEveryPeer(rule: unknown, direction: Direction): string | undefined {
  const everyAddress = admitsEveryAddress(rule, direction);
  if (everyAddress) return everyAddress;
  const field = direction === "Ingress" ? "from" : "to";
  const empty = (s: unknown) => s !== undefined && s !== null && Object.keys(obj(s)).length === 0;
  for (const p of list(obj(rule)[field]).map((x) => obj(x))) {
    if (empty(p.namespaceSelector) && (p.podSelector === undefined || empty(p.podSelector))) {
      return `its \`${field}\` selects every pod of every namespace (\`namespaceSelector: {}\`)`;
    }
  }
  return undefined;
}

/** Whether a rule restricts nothing by port (`ports` absent or empty). */
export function everyPort(rule: unknown): boolean {
  return list(obj(rule).ports).length === 0;
}

/** The rules of one direction of a NetworkPolicy spec (`ingress` or `egress`), with their paths. */
export function rulesOf(spec: unknown, direction: Direction): { rule: unknown; path: string }[] {
  const field = direction === "Ingress" ? "ingress" : "egress";
  const rules = known(() => list(obj(spec)[field]).slice());
  if (rules === UNKNOWN) return [];
  return rules.map((rule, i) => ({ rule, path: `spec.${field}[${i}]` }));
}
