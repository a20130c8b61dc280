/**
 * The conformance table of the platform's one cron grammar (policies/lib/cron.ts), checked
 * against both of its consumers: the components (`parseCron` + `cronIntervals` of
 * components/data/job-kernel.ts, which BackupJob, RestoreVerification, DatabaseMaintenance and
 * the backup freshness alerts use) and the policy pack (`maxIntervalSeconds`, `kubernetes-enforce-backup-schedule-rpo`).
 *
 * `kubernetes` is whether the API server accepts the schedule on create: robfig/cron v3.0.1
 * `ParseStandard` (parser.go `getRange`, spec.go `bounds`, `dayMatches`), plus Kubernetes'
 * `validateScheduleFormat`, which refuses any schedule containing `TZ`. A row whose `ours`
 * differs from it is a chosen deviation and says why.
 */
import { describe, expect, it } from "vitest";
import { cronGaps, isCronProblem, maxIntervalSeconds, parseCron } from "../../policies/lib/cron";
import { cronIntervals, parseCron as componentParseCron } from "../../components/data/job-kernel";

const M = 60;
const H = 3600;
const D = 86_400;

interface Row {
  readonly schedule: string;
  /** Whether Kubernetes accepts it on create. */
  readonly kubernetes: boolean;
  /** Whether the platform accepts it, when that differs from `kubernetes`, and why. */
  readonly ours?: { readonly valid: boolean; readonly why: string };
  /** For a rejected schedule: what the problem says. */
  readonly problem?: RegExp;
  /** For an accepted one: runs on each day it fires, and the longest and shortest gap in seconds ("never": it never fires). */
  readonly runsPerDay?: number;
  readonly longest?: number | "never";
  readonly shortest?: number;
}

const TABLE: readonly Row[] = [
  // Plain five fields, as the stacks write them.
  { schedule: "15 3 * * *", kubernetes: true, runsPerDay: 1, longest: D, shortest: D },
  { schedule: "0 3,15 * * *", kubernetes: true, runsPerDay: 2, longest: 12 * H, shortest: 12 * H },
  { schedule: "0 2 1-7 1,4,7,10 *", kubernetes: true, runsPerDay: 1, longest: 86 * D, shortest: D },
  { schedule: "* * * * *", kubernetes: true, runsPerDay: 1440, longest: M, shortest: M },
  { schedule: "0 * * * *", kubernetes: true, runsPerDay: 24, longest: H, shortest: H },
  { schedule: "*/15 * * * *", kubernetes: true, runsPerDay: 96, longest: 15 * M, shortest: 15 * M },
  { schedule: "5/15 * * * *", kubernetes: true, runsPerDay: 96, longest: 15 * M, shortest: 15 * M },
  { schedule: "*/61 * * * *", kubernetes: true, runsPerDay: 24, longest: H, shortest: H },
  { schedule: "30 3 * * 0", kubernetes: true, runsPerDay: 1, longest: 7 * D, shortest: 7 * D },
  { schedule: "0 3 * * sun", kubernetes: true, runsPerDay: 1, longest: 7 * D, shortest: 7 * D },
  { schedule: "0 3 * * 1-5", kubernetes: true, runsPerDay: 1, longest: 3 * D, shortest: D },
  { schedule: "0 0 * * MON-FRI", kubernetes: true, runsPerDay: 1, longest: 3 * D, shortest: D },
  { schedule: "0 3 * JAN-mar *", kubernetes: true, runsPerDay: 1, longest: 276 * D, shortest: D },
  { schedule: "0 3 1 * *", kubernetes: true, runsPerDay: 1, longest: 31 * D, shortest: 28 * D },
  { schedule: " 0 3 * * * ", kubernetes: true, runsPerDay: 1, longest: D, shortest: D },
  // Day of month and day of week: either, unless one is starred; a step clears the star.
  { schedule: "0 3 1,15 * mon", kubernetes: true, runsPerDay: 1, longest: 7 * D, shortest: D },
  { schedule: "0 0 */2 * 1", kubernetes: true, runsPerDay: 1, longest: 2 * D, shortest: D },
  { schedule: "0 0 */1 * 1", kubernetes: true, runsPerDay: 1, longest: 7 * D, shortest: 7 * D },
  { schedule: "0 0 ? * 1", kubernetes: true, runsPerDay: 1, longest: 7 * D, shortest: 7 * D },
  { schedule: "0 3 ? * *", kubernetes: true, runsPerDay: 1, longest: D, shortest: D },
  // Macros: exactly as written here.
  { schedule: "@hourly", kubernetes: true, runsPerDay: 24, longest: H, shortest: H },
  { schedule: "@daily", kubernetes: true, runsPerDay: 1, longest: D, shortest: D },
  { schedule: "@midnight", kubernetes: true, runsPerDay: 1, longest: D, shortest: D },
  { schedule: "@weekly", kubernetes: true, runsPerDay: 1, longest: 7 * D, shortest: 7 * D },
  { schedule: "@monthly", kubernetes: true, runsPerDay: 1, longest: 31 * D, shortest: 28 * D },
  { schedule: "@yearly", kubernetes: true, runsPerDay: 1, longest: 366 * D, shortest: 365 * D },
  { schedule: "@annually", kubernetes: true, runsPerDay: 1, longest: 366 * D, shortest: 365 * D },
  { schedule: "@DAILY", kubernetes: false, problem: /not a macro Kubernetes knows/ },
  { schedule: "@daily ", kubernetes: false, problem: /not a macro Kubernetes knows/ },
  { schedule: " @daily", kubernetes: false, problem: /has 1 field\(s\)/ },
  { schedule: "@reboot", kubernetes: false, problem: /not a macro Kubernetes knows/ },
  { schedule: "@every", kubernetes: false, problem: /not a macro Kubernetes knows/ },
  {
    schedule: "@every 6h",
    kubernetes: true,
    ours: { valid: false, why: "not a calendar schedule: the controller counts it from the last run; five fields say the same" },
    problem: /`@every` is not a calendar schedule.*"0 \*\/6 \* \* \*"/,
  },
  { schedule: "@every 1h30m", kubernetes: true, ours: { valid: false, why: "as @every 6h" }, problem: /`@every`/ },
  // Time zones belong in spec.timeZone.
  { schedule: "TZ=UTC 0 3 * * *", kubernetes: false, problem: /spec\.timeZone/ },
  { schedule: "CRON_TZ=Europe/Berlin 0 3 * * *", kubernetes: false, problem: /spec\.timeZone/ },
  // robfig's quirks, which the API server accepts.
  { schedule: "0 3 * * +1", kubernetes: true, runsPerDay: 1, longest: 7 * D, shortest: 7 * D },
  { schedule: "*-5 * * * *", kubernetes: true, runsPerDay: 1440, longest: M, shortest: M },
  { schedule: "1,,2 * * * *", kubernetes: true, runsPerDay: 48, longest: 59 * M, shortest: M },
  // Valid, but rare or never.
  { schedule: "0 0 29 2 *", kubernetes: true, runsPerDay: 1, longest: 1461 * D, shortest: 1461 * D },
  { schedule: "0 0 30 2 *", kubernetes: true, longest: "never" },
  { schedule: "0 0 31 4 *", kubernetes: true, longest: "never" },
  { schedule: ", * * * *", kubernetes: true, longest: "never" },
  // Malformed.
  { schedule: "", kubernetes: false, problem: /has 0 field\(s\); use 5/ },
  { schedule: "0 3 * *", kubernetes: false, problem: /has 4 field\(s\); use 5/ },
  { schedule: "0 0 3 * * *", kubernetes: false, problem: /has 6 field\(s\)/ },
  { schedule: "60 3 * * *", kubernetes: false, problem: /^minute "60" is outside 0-59$/ },
  { schedule: "0 24 * * *", kubernetes: false, problem: /^hour "24" is outside 0-23$/ },
  { schedule: "0 3 0 * *", kubernetes: false, problem: /^day of month "0" is outside 1-31$/ },
  { schedule: "0 3 * 13 *", kubernetes: false, problem: /^month "13" is outside 1-12$/ },
  { schedule: "0 3 * * 7", kubernetes: false, problem: /^day of week "7" is outside 0-6$/ },
  { schedule: "0 3 * * 5-7", kubernetes: false, problem: /^day of week "5-7" is outside 0-6$/ },
  { schedule: "0 3 * * funday", kubernetes: false, problem: /day of week "funday" has an unknown value/ },
  { schedule: "0 3 * * MON#1", kubernetes: false, problem: /day of week "MON#1" has an unknown value/ },
  { schedule: "0 3 L * *", kubernetes: false, problem: /day of month "L" has "L", which is not a number/ },
  { schedule: "0 3 15W * *", kubernetes: false, problem: /not a number/ },
  { schedule: "H 3 * * *", kubernetes: false, problem: /not a number/ },
  { schedule: "5-1 3 * * *", kubernetes: false, problem: /^minute "5-1" is a range that ends before it starts$/ },
  { schedule: "fri-mon 3 * * *", kubernetes: false, problem: /not a number/ },
  { schedule: "0 3 * * fri-mon", kubernetes: false, problem: /ends before it starts/ },
  { schedule: "*/0 3 * * *", kubernetes: false, problem: /^minute "\*\/0" has a step of 0$/ },
  { schedule: "*/-1 3 * * *", kubernetes: false, problem: /negative step/ },
  { schedule: "1-2-3 * * * *", kubernetes: false, problem: /more than one "-"/ },
  { schedule: "*/2/3 * * * *", kubernetes: false, problem: /more than one "\/"/ },
];

const accepted = (r: Row): boolean => r.ours?.valid ?? r.kubernetes;

describe("the cron grammar's conformance table", () => {
  it("covers each kind of row", () => {
    expect(TABLE.filter((r) => accepted(r)).length).toBeGreaterThan(20);
    expect(TABLE.filter((r) => !r.kubernetes).length).toBeGreaterThan(20);
    // Every deviation from Kubernetes is written down with its reason.
    for (const r of TABLE.filter((x) => x.ours)) expect(r.ours!.valid, r.schedule).not.toBe(r.kubernetes);
    // A row is either a rejection with its problem, or an accepted schedule with its gaps.
    for (const r of TABLE) expect(accepted(r) ? r.longest !== undefined : r.problem !== undefined, JSON.stringify(r)).toBe(true);
  });

  it.each(TABLE.map((r) => [JSON.stringify(r.schedule), r] as const))("%s", (_, r) => {
    const parsed = parseCron(r.schedule);
    if (!accepted(r)) {
      expect(isCronProblem(parsed) && parsed.problem).toMatch(r.problem!);
      // The pack reads it as unparseable; the components as invalid.
      expect(() => maxIntervalSeconds(r.schedule)).toThrow(r.problem!);
      expect(isCronProblem(componentParseCron(r.schedule))).toBe(true);
      return;
    }
    if (isCronProblem(parsed)) throw new Error(`${r.schedule}: ${parsed.problem}`);
    const gaps = cronGaps(parsed);
    const intervals = cronIntervals(parsed);
    if (r.longest === "never") {
      expect(gaps).toBeUndefined();
      expect(intervals).toBeUndefined();
      expect(maxIntervalSeconds(r.schedule)).toBe(Infinity);
      return;
    }
    expect(gaps).toEqual({ runsPerDay: r.runsPerDay, longestSeconds: r.longest, shortestSeconds: r.shortest });
    // The pack's figure (`kubernetes-enforce-backup-schedule-rpo`) and the components' (BackupJob's RPO check, the
    // freshness alert's schedule period) are the same numbers.
    expect(maxIntervalSeconds(r.schedule)).toBe(r.longest);
    expect(intervals!.longest!.toSeconds()).toBe(r.longest);
    expect(intervals!.shortest!.toSeconds()).toBe(r.shortest);
  });

  it("gives the pack Infinity for a schedule that fires on one day only in the eight years scanned", () => {
    // Not writable as a Kubernetes schedule (29 February that is a Thursday needs an AND of
    // both day fields): 2024-02-29 is one, the next is in 2052.
    const leapThursday = {
      minutes: new Set([0]),
      hours: new Set([0]),
      daysOfMonth: new Set([29]),
      months: new Set([2]),
      daysOfWeek: new Set([4]),
      daysOfMonthStar: false,
      daysOfWeekStar: true,
    };
    expect(cronGaps(leapThursday)).toEqual({ runsPerDay: 1, longestSeconds: undefined, shortestSeconds: undefined });
    expect(maxIntervalSeconds(leapThursday)).toBe(Infinity);
    expect(cronIntervals(leapThursday)).toEqual({ longest: undefined, shortest: undefined });
  });
});
