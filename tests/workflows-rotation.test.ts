/**
 * Rotation happens on schedule without a person remembering: the deploy workflow runs on a
 * schedule that fires on the first day of every rotation period (the program keys generated
 * secrets on the date, so the first `up` of a period rotates them), and the drift job stays a
 * preview-only refresh, which has nothing to find now that no resource expires on refresh.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseCron, type CronSchedule } from "../components/data/job-kernel";
import { ROTATION_DEFAULTS, rotationPeriod, rotationPeriodStart } from "../components/secrets/secret-set";

const ROOT = path.resolve(__dirname, "..");
const workflow = (name: string) => parse(fs.readFileSync(path.join(ROOT, ".github/workflows", name), "utf8"));

/** Whether the cron fires at `t` (UTC, minute precision); day of month and week ORed unless one is `*`. */
function fires(c: CronSchedule, t: Date): boolean {
  const dom = c.daysOfMonth.has(t.getUTCDate());
  const dow = c.daysOfWeek.has(t.getUTCDay());
  const day = c.daysOfMonthStar || c.daysOfWeekStar ? dom && dow : dom || dow;
  return day && c.months.has(t.getUTCMonth() + 1) && c.hours.has(t.getUTCHours()) && c.minutes.has(t.getUTCMinutes());
}

/** Whether any of the crons fires within `hours` hours from `start`. */
function firesWithin(crons: CronSchedule[], start: Date, hours: number): boolean {
  for (let m = 0; m < hours * 60; m++) {
    const t = new Date(start.getTime() + m * 60_000);
    if (crons.some((c) => fires(c, t))) return true;
  }
  return false;
}

/** The first days of the rotation periods of the next `years` years, as dates. */
function periodStarts(years: number): Date[] {
  const months = ROTATION_DEFAULTS.months;
  const first = rotationPeriod(new Date(Date.UTC(2026, 0, 1)), months);
  const last = rotationPeriod(new Date(Date.UTC(2026 + years, 0, 1)), months);
  const out: Date[] = [];
  for (let p = first; p < last; p++) out.push(new Date(`${rotationPeriodStart(p, months)}T00:00:00Z`));
  return out;
}

function schedulesOf(wf: any): CronSchedule[] {
  return ((wf.on?.schedule ?? []) as Array<{ cron: string }>).map((s) => {
    const c = parseCron(s.cron);
    if ("problem" in c) throw new Error(`${s.cron}: ${c.problem}`);
    return c;
  });
}

describe("deploy.yml rotates secrets on schedule", () => {
  it("runs on a schedule that fires within a day of every rotation period's start", () => {
    const crons = schedulesOf(workflow("deploy.yml"));
    expect(crons.length).toBeGreaterThan(0);
    for (const start of periodStarts(8)) {
      expect(firesWithin(crons, start, 24), `no scheduled deploy on ${start.toISOString().slice(0, 10)}`).toBe(true);
    }
  });

  it("the check fails for a schedule that misses a quarter (yearly in January)", () => {
    const yearly = parseCron("23 4 1 1 *") as CronSchedule;
    expect(periodStarts(1).map((d) => firesWithin([yearly], d, 24))).toEqual([true, false, false, false]);
  });

  it("the scheduled run is an `up` of the stacks (not a preview)", () => {
    const wf = workflow("deploy.yml");
    const commands = Object.values(wf.jobs as Record<string, any>).flatMap((j) =>
      (j.steps as any[]).filter((s) => String(s.uses ?? "").startsWith("pulumi/actions")).map((s) => s.with?.command),
    );
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.every((c) => c === "up")).toBe(true);
  });
});

describe("drift.yml", () => {
  it("stays a preview-only refresh (the program has no refresh-expiring resource: tests/secret-rotation.test.ts)", () => {
    const text = fs.readFileSync(path.join(ROOT, ".github/workflows/drift.yml"), "utf8");
    expect(text).toMatch(/pulumi refresh [^\n]*--preview-only[^\n]*--expect-no-changes/);
  });
});
