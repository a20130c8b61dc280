import { describe, expect, it } from "vitest";
import { AUDIT_RETENTION_MAX_DAYS, LOG_CLASSES, classifyLogLine, logClass } from "../../components/logs/log-classes";

describe("log classes (seed 001 §2.5)", () => {
  it("keeps each class as long as the seed says, audit for 7 calendar years at most", () => {
    expect(Object.fromEntries(LOG_CLASSES.map((c) => [c.class, c.retention.days]))).toEqual({ app: 30, error: 90, debug: 7, audit: 7 * 365 + 2 });
    // A 7-calendar-year window holding two Feb 29ths (2028 and 2032) is the longest.
    const longest = (Date.UTC(2035, 1, 1) - Date.UTC(2028, 1, 1)) / 86_400_000;
    expect(longest).toBe(AUDIT_RETENTION_MAX_DAYS);
  });

  it("gives every class its own prefix under logs/", () => {
    const prefixes = LOG_CLASSES.map((c) => c.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const p of prefixes) expect(p).toMatch(/^logs\/[a-z]+\/$/);
    expect(logClass("audit").prefix).toBe("logs/audit/");
  });

  it.each([
    ['{"level":"ERROR","message":"x"}', "error"],
    ['{"level":"fatal"}', "error"],
    ['{"level":"DEBUG"}', "debug"],
    ['{"level":"trace"}', "debug"],
    ['{"level":"INFO"}', "app"],
    ['{"level":"WARN"}', "app"],
    ['{"level":"DEBUG","audit":true}', "audit"],
    ['{"level":"INFO","audit":"true"}', "app"],
    ["plain text line", "app"],
    ["[1,2]", "app"],
    ['{"message":"no level"}', "app"],
  ])("classifies %s as %s", (line, cls) => {
    expect(classifyLogLine(line)).toBe(cls);
  });
});
