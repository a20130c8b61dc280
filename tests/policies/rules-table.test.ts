import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { README, renderPrerequisitesTable, renderRulesTable, ROOT_README, withPrerequisitesTable, withRulesTable } from "../../policies/scripts/rules-table";
import { CLUSTER_PREREQUISITES, EXPORTERS } from "../../policies/lib/cluster-prerequisites";
import { notImplemented, registry, rules } from "../../policies/rules";
import { AREAS, VERBS } from "../../policies/lib/rule";
import { checkConfig } from "../../tools/engine/pack/config";

describe("the rules registry", () => {
  it("covers every numbered catalogue requirement but the secret flow exactly once; later rules say where they come from", () => {
    for (const r of registry) if (r.metadata.numbers.length === 0) expect(r.metadata.origin?.trim(), r.name).toBeTruthy();
    // Requirements 1-65 each have exactly one rule. 66-76 (issue 22) name classes of risk that
    // several rules share, and some extend an older rule (rule 30's source ranges are also rule
    // 71's), so a number there may sit on several rules; each of them has at least one.
    const all = registry.flatMap((r) => r.metadata.numbers);
    const numbers = all.filter((n) => n <= 65).sort((a, b) => a - b);
    const notPolicies = notImplemented.flatMap((n) => n.numbers);
    const expected = Array.from({ length: 65 }, (_, i) => i + 1).filter((n) => !notPolicies.includes(n));
    expect(numbers).toEqual(expected);
    expect(all.filter((n) => n > 76)).toEqual([]);
    for (let n = 66; n <= 76; n++) expect(all, `requirement ${n}`).toContain(n);
    expect(notImplemented.map((n) => [n.name, n.numbers])).toEqual([["secret-flow", [33]]]);
  });
  it("names each rule <area>-<verb>-<thing> after its folder, with anchors in metadata and description", () => {
    const names = new Set<string>();
    for (const r of registry) {
      const [area, verb] = r.name.split("-");
      expect(AREAS).toContain(area);
      expect(VERBS).toContain(verb);
      expect(r.metadata.area).toBe(area);
      expect(r.description).toContain(`Anchors: ${r.metadata.anchors.join(", ")}.`);
      expect(names.has(r.name)).toBe(false);
      names.add(r.name);
    }
  });
  it("declares config schemas the engine accepts (described, no enforcementLevel property)", () => {
    for (const p of rules) {
      for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
        expect(key).not.toBe("enforcementLevel");
        expect(schema.description, `${p.name}.${key}`).toBeTruthy();
      }
    }
  });
});

describe("policies/README.md", () => {
  it("has the rules table the code generates", () => {
    const readme = fs.readFileSync(README, "utf8");
    expect(withRulesTable(readme)).toBe(readme);
    expect(renderRulesTable().split("\n")).toHaveLength(2 + registry.length + notImplemented.length);
  });
  it("detects a stale table", () => {
    const readme = fs.readFileSync(README, "utf8");
    const stale = readme.replace(
      "(../docs/policies.md#kubernetes-disallow-privileged-containers) | mandatory",
      "(../docs/policies.md#kubernetes-disallow-privileged-containers) | advisory",
    );
    expect(stale).not.toBe(readme);
    expect(withRulesTable(stale)).not.toBe(stale);
  });
});

describe("example policy config files", () => {
  for (const file of ["prod.example.json", "staging.example.json"]) {
    it(`${file} names only rules and properties of this pack`, () => {
      const config = JSON.parse(fs.readFileSync(`${__dirname}/../../policies/config/${file}`, "utf8"));
      expect(checkConfig([...rules], config)).toEqual([]);
    });
  }
  it("reports unknown rules, properties and wrong types", () => {
    expect(checkConfig([...rules], { "no-such-rule": "advisory", "kubernetes-configure-replicas": { minReplicas: "2", other: 1 } })).toEqual([
      '"no-such-rule" is not a rule of this pack',
      "kubernetes-configure-replicas.minReplicas must be integer, got string",
      "kubernetes-configure-replicas.other is not a config property of that rule",
    ]);
  });
});

describe("README.md (repository)", () => {
  it("has the cluster prerequisites table the code generates, one row per prerequisite and exporter", () => {
    const readme = fs.readFileSync(ROOT_README, "utf8");
    expect(withPrerequisitesTable(readme)).toBe(readme);
    expect(renderPrerequisitesTable().split("\n")).toHaveLength(2 + CLUSTER_PREREQUISITES.length + EXPORTERS.length);
    expect(withPrerequisitesTable(readme.replace("`kube-state-metrics`", "`ksm`"))).not.toBe(readme.replace("`kube-state-metrics`", "`ksm`"));
  });
});
