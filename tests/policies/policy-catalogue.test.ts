/**
 * docs/policies.md is the project's policy catalogue, generated from the rules' metadata by
 * tools/policy-catalogue.ts (`npm run policy-docs`). These tests fail when the committed file and
 * the code disagree, and when a rule lacks the rationale or standard the catalogue shows.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGUE, renderCatalogue, ROOT, sourceFile } from "../../tools/policy-catalogue";
import { notImplemented, registry } from "../../policies/rules";
import { defineResourceRule, defineStackRule } from "../../policies/lib/rule";

describe("docs/policies.md", () => {
  const committed = fs.readFileSync(CATALOGUE, "utf8");

  it("is what tools/policy-catalogue.ts generates from the rules' metadata (npm run policy-docs)", () => {
    expect(renderCatalogue()).toBe(committed);
  });

  it("would be reported stale when a rule's metadata changes", () => {
    const [first, ...rest] = registry;
    const changed = { ...first, metadata: { ...first.metadata, rationale: `${first.metadata.rationale} Changed.` } };
    expect(renderCatalogue([changed, ...rest])).not.toBe(committed);
    expect(renderCatalogue(registry.slice(1))).not.toBe(committed);
  });

  it("has one section per rule, anchored by its name, with its level, rationale and standard", () => {
    for (const r of registry) {
      const start = committed.indexOf(`\n### ${r.name}\n`);
      expect(start, r.name).toBeGreaterThan(0);
      const section = committed.slice(start + 1).split(/\n(?=### |## )/)[0];
      expect(section).toContain(`- **Rationale:** ${r.metadata.rationale}`);
      expect(section).toContain(`- **Standard:** ${r.metadata.standard}`);
      expect(section).toMatch(/- \*\*Level:\*\* (mandatory|advisory)/);
      expect(committed, r.name).toContain(`[\`${r.name}\`](#${r.name})`);
    }
    for (const n of notImplemented) expect(committed).toContain(`\n### ${n.name}\n`);
    const headings = committed.match(/^### .+$/gm) ?? [];
    expect(headings).toHaveLength(registry.length + notImplemented.length);
  });

  it("links every rule's source file, and the file exists", () => {
    for (const r of registry) expect(fs.existsSync(path.join(ROOT, sourceFile(r))), sourceFile(r)).toBe(true);
  });
});

describe("rule metadata", () => {
  it("gives every rule a non-empty rationale and standard", () => {
    for (const r of [...registry.map((r) => ({ name: r.name, ...r.metadata })), ...notImplemented]) {
      expect(r.rationale.trim(), `${r.name} rationale`).not.toBe("");
      expect(r.standard.trim(), `${r.name} standard`).not.toBe("");
    }
  });

  it("refuses to declare a rule with an empty rationale or standard", () => {
    const spec = {
      name: "kubernetes-disallow-example",
      description: "Example.",
      enforcementLevel: "mandatory" as const,
      numbers: [],
      origin: "a test",
      anchors: ["example"],
      rationale: "It matters.",
      standard: "A standard",
    };
    expect(() => defineResourceRule("kubernetes", { ...spec, validateResource: () => {} })).not.toThrow();
    expect(() => defineResourceRule("kubernetes", { ...spec, rationale: " ", validateResource: () => {} })).toThrow(/rationale/);
    expect(() => defineStackRule("kubernetes", { ...spec, standard: "", validateStack: () => {} })).toThrow(/standard/);
  });
});
