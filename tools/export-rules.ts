/**
 * Exports the Prometheus rules a stack deploys as plain Prometheus rule files, one per
 * `PrometheusRule` custom resource (`<namespace>-<name>.yaml`, contents `{ groups: spec.groups }`),
 * so `promtool check rules` / `promtool test rules` can run on exactly what the cluster would get.
 *
 * `exportRuleFiles()` is pure: it reads the resources the harness recorded. The CLI runs a
 * committed stack through the harness (tools/engine/stack-run.ts) and writes the files:
 *
 *   npx ts-node tools/export-rules.ts --stack prod --out build/rules
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderRuleFile, type PrometheusRuleGroup } from "../components/monitoring/alerts";
import { plain, secretPaths, unknownPaths, type RegisteredResource } from "./engine/harness";
import { COMMITTED_STACKS, PROJECT_ROOT, requireOk, runCommittedStack } from "./engine/stack-run";

/** Type token of the Prometheus Operator's rule resource. */
export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

/** One exported rule file. */
export interface RuleFile {
  /** `<namespace>-<name>.yaml` of the PrometheusRule. */
  readonly fileName: string;
  readonly namespace: string;
  readonly name: string;
  /** URN of the PrometheusRule it came from. */
  readonly urn: string;
  /** `spec.groups`, as Prometheus reads them. */
  readonly groups: PrometheusRuleGroup[];
  /** Number of alerting rules (`alert:`) in the groups. */
  readonly alerts: number;
  /** Number of recording rules (`record:`) in the groups. */
  readonly records: number;
  /** The YAML file contents. */
  readonly contents: string;
}

/** Counts alerting and recording rules in rule groups. */
export function countRules(groups: readonly { rules?: readonly object[] }[]): { alerts: number; records: number } {
  let alerts = 0;
  let records = 0;
  for (const g of groups) {
    for (const r of g.rules ?? []) {
      if ("alert" in r) alerts++;
      else if ("record" in r) records++;
    }
  }
  return { alerts, records };
}

/**
 * One plain Prometheus rule file per `PrometheusRule` among `resources`, in registration order.
 * Throws when a rule resource's name, namespace or groups are not known (unknown during preview),
 * when its groups hold a secret (a rule file is plain text), or when two files would share a name.
 */
export function exportRuleFiles(resources: readonly RegisteredResource[]): RuleFile[] {
  const files: RuleFile[] = [];
  const byName = new Map<string, string>();
  for (const r of resources.filter((x) => x.type === PROMETHEUS_RULE_TYPE)) {
    const problems: string[] = [];
    const unknown = unknownPaths(r.inputs).filter((p) => /^(metadata\.(name|namespace)|spec)\b/.test(p));
    if (unknown.length > 0) problems.push(`unknown until \`pulumi up\`: ${unknown.join(", ")}`);
    const secret = secretPaths(r.inputs).filter((p) => p === "(root)" || /^spec\b/.test(p));
    if (secret.length > 0) problems.push(`holds secrets, which a plain rule file must not: ${secret.join(", ")}`);
    const inputs = plain<{ metadata?: { name?: unknown; namespace?: unknown }; spec?: { groups?: unknown } }>(r.inputs);
    const name = inputs.metadata?.name;
    const namespace = inputs.metadata?.namespace;
    if (typeof name !== "string" || name === "") problems.push("`metadata.name` is not set");
    if (typeof namespace !== "string" || namespace === "") problems.push("`metadata.namespace` is not set");
    if (!Array.isArray(inputs.spec?.groups)) problems.push("`spec.groups` is not a list");
    if (problems.length > 0) throw new Error(`cannot export ${r.urn} as a rule file: ${problems.join("; ")}`);

    const groups = inputs.spec!.groups as PrometheusRuleGroup[];
    const fileName = `${namespace}-${name}.yaml`;
    const clash = byName.get(fileName);
    if (clash) throw new Error(`cannot export ${r.urn}: ${fileName} is also the file of ${clash}`);
    byName.set(fileName, r.urn);
    const header = `# Exported by tools/export-rules.ts from PrometheusRule ${namespace}/${name}\n# (${r.urn}); do not edit.\n`;
    files.push({
      fileName,
      namespace: namespace as string,
      name: name as string,
      urn: r.urn,
      groups,
      ...countRules(groups),
      contents: header + renderRuleFile(groups),
    });
  }
  return files;
}

/** Writes `files` into `dir` (created when missing); returns their paths. */
export function writeRuleFiles(files: readonly RuleFile[], dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const p = path.join(dir, f.fileName);
    fs.writeFileSync(p, f.contents);
    return p;
  });
}

const USAGE = `Usage: npx ts-node tools/export-rules.ts --stack <stack> --out <dir>

Runs the committed stack (Pulumi.<stack>.yaml: ${COMMITTED_STACKS.join(", ")}) through the offline harness (placeholder secrets, fixed lookups) and
writes one Prometheus rule file per PrometheusRule into <dir>, named <namespace>-<name>.yaml.
Check them with: promtool check rules <dir>/*.yaml`;

/** Parses `--stack X --out Y` (also `--stack=X`); throws a usage error otherwise. */
export function parseArgs(argv: readonly string[]): { stack: string; out: string } {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--(stack|out)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument \`${arg}\``);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === "") throw new Error(`\`--${m[1]}\` needs a value`);
    values[m[1]] = value;
  }
  if (!values.stack) throw new Error("`--stack` is required");
  if (!values.out) throw new Error("`--out` is required");
  if (!/^[A-Za-z0-9_.-]+$/.test(values.stack) || !fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${values.stack}.yaml`))) {
    throw new Error(`\`--stack\` "${values.stack}" has no Pulumi.${values.stack}.yaml in ${PROJECT_ROOT}; committed stacks: ${COMMITTED_STACKS.join(", ")}`);
  }
  return { stack: values.stack, out: values.out };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  let args: { stack: string; out: string };
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error(`export-rules: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const result = requireOk(await runCommittedStack(args.stack));
  const files = exportRuleFiles(result.resources);
  const paths = writeRuleFiles(files, path.resolve(args.out));
  for (let i = 0; i < files.length; i++) console.log(`${paths[i]}  (${files[i].alerts} alerts)`);
  const alerts = files.reduce((n, f) => n + f.alerts, 0);
  console.log(`export-rules: wrote ${files.length} rule files with ${alerts} alerts for stack ${args.stack}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`export-rules: ${(err as Error).message ?? err}`);
      process.exit(1);
    },
  );
}
