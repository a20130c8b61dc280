/**
 * Real `promtool` checks of the alert builders: the rules of all five products must pass
 * `promtool check rules`, and the unit-test suites in ./suites must pass `promtool test rules`
 * against a rule file rendered from the builders at test time. Fixtures prove both gates fail.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderRuleFile } from "../../components/monitoring/alerts";
import { findPromtool, runPromtool } from "../helpers/promtool";
import { productRuleGroups, renderProductRuleFile } from "./product-alerts";

const SUITES_DIR = join(__dirname, "suites");
const FIXTURES_DIR = join(__dirname, "fixtures");
const suiteFiles = readdirSync(SUITES_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

let work: string;

beforeAll(() => {
  findPromtool(); // installs Debian's `prometheus` package once when missing (as root)
  work = mkdtempSync(join(tmpdir(), "alert-rules-"));
  writeFileSync(join(work, "rules.yaml"), renderProductRuleFile());
  for (const f of suiteFiles) copyFileSync(join(SUITES_DIR, f), join(work, f));
  copyFileSync(join(FIXTURES_DIR, "wrong-expectation.yaml"), join(work, "wrong-expectation.yaml"));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("promtool check rules", () => {
  it("accepts every builder's rules for all five products", () => {
    const total = productRuleGroups().reduce((n, g) => n + g.rules.length, 0);
    const r = runPromtool(["check", "rules", "rules.yaml"], work);
    expect(r.output).toContain(`SUCCESS: ${total} rules found`);
    expect(r.code, r.output).toBe(0);
  });

  it("rejects a malformed expression and a bad annotation template", () => {
    const bad = renderRuleFile([
      {
        name: "malformed",
        rules: [
          {
            alert: "BadExpr",
            expr: 'sum(rate(http_requests_total{job="codebook-api"}[5x])) > 0.05',
            for: "5m",
            labels: { severity: "critical" },
            annotations: { summary: "s", description: "d", runbook_url: "https://runbooks.example.com/x" },
          },
          {
            alert: "BadTemplate",
            expr: "up == 0",
            for: "5m",
            labels: { severity: "critical" },
            annotations: { summary: "s", description: "{{ $value | humanizePercent }}", runbook_url: "https://runbooks.example.com/x" },
          },
        ],
      },
    ]);
    writeFileSync(join(work, "malformed.yaml"), bad);
    const r = runPromtool(["check", "rules", "malformed.yaml"], work);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/"BadExpr": could not parse expression/);
    expect(r.output).toMatch(/"BadTemplate": annotation "description"/);
  });
});

describe("promtool test rules", () => {
  it.each(suiteFiles)("suite %s passes", (file) => {
    const r = runPromtool(["test", "rules", file], work);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("fails a suite whose expectation is wrong", () => {
    const r = runPromtool(["test", "rules", "wrong-expectation.yaml"], work);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("FAILED");
    expect(r.output).toContain("HighErrorRate");
  });

  it("exercises every rendered alert: it fires in its product's namespace and is silent somewhere", () => {
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const file of suiteFiles) {
      const suite = parse(readFileSync(join(SUITES_DIR, file), "utf8"));
      for (const test of suite.tests) {
        for (const check of test.alert_rule_test ?? []) {
          if ((check.exp_alerts ?? []).length === 0) silent.add(check.alertname);
          for (const alert of check.exp_alerts ?? []) {
            firing.add(`${check.alertname} ${alert.exp_labels.namespace}`);
            // every firing expectation states the severity and all three annotations
            expect(alert.exp_labels.severity, `${file} ${check.alertname}`).toMatch(/^(critical|warning|info)$/);
            expect(Object.keys(alert.exp_annotations ?? {}).sort(), `${file} ${check.alertname}`).toEqual(["description", "runbook_url", "summary"]);
          }
        }
      }
    }
    const rendered = productRuleGroups().flatMap((g) => g.rules.map((r) => `${r.alert} ${r.labels.namespace}`));
    expect(rendered.length).toBeGreaterThan(20);
    expect(
      rendered.filter((a) => !firing.has(a)),
      "alerts without a firing case",
    ).toEqual([]);
    const names = [...new Set(rendered.map((a) => a.split(" ")[0]))];
    expect(
      names.filter((n) => !silent.has(n)),
      "alerts without a silent case",
    ).toEqual([]);
  });
});
