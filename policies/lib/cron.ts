/**
 * The platform's one cron grammar: a Kubernetes CronJob `spec.schedule` as the API server accepts
 * it when a CronJob is created, and how often such a schedule runs. Both the components (which
 * check a schedule against the RPO before anything is created) and the policy pack
 * (`kubernetes-enforce-backup-schedule-rpo`, on the planned CronJob) use this file; the pack is its own package, so it lives here and the
 * components import it. `tests/policies/cron-conformance.test.ts` is its conformance table.
 *
 * Kubernetes validates the schedule with `cron.ParseStandard` of robfig/cron v3.0.1 and, on create,
 * refuses any schedule containing `TZ` (`validateScheduleFormat`); the controller evaluates it in
 * `spec.timeZone`. This grammar follows robfig's parser, quirks included, so that it accepts what
 * the API server accepts and reads it as the controller does:
 *
 * - exactly five whitespace-separated fields: minute 0-59, hour 0-23, day of month 1-31, month
 *   1-12 or `jan`-`dec`, day of week 0-6 or `sun`-`sat` (names in any case; **7 is not Sunday**:
 *   robfig's day of week ends at 6, and the API server refuses 7);
 * - each field a comma list (empty items are skipped, so `1,,2` is `1,2`) of `*`, `?` (the same as
 *   `*`, in any field), `n`, `a-b`, each optionally `/step`; `n/step` means `n-max/step`; a step
 *   of 0, a second `-` or `/`, a negative number, or a value out of range is an error; anything
 *   after `*-` is ignored (`*-5` is `*`), as robfig does;
 * - day of month and day of week: when either field is "starred" (an item that is `*` or `?` with
 *   no step above 1), a day must match both; otherwise it matches either (`0 0 1,15 * mon` runs on
 *   the 1st, the 15th and every Monday). `*\/2` is not starred (robfig clears the star on a step);
 * - the macros `@yearly` = `@annually` (`0 0 1 1 *`), `@monthly` (`0 0 1 * *`), `@weekly`
 *   (`0 0 * * 0`), `@daily` = `@midnight` (`0 0 * * *`) and `@hourly` (`0 * * * *`), written
 *   exactly so (lower case, no surrounding spaces, as robfig matches them).
 *
 * Chosen deviations, both refusals of what robfig itself parses:
 * - `TZ=<zone> …` / `CRON_TZ=<zone> …` (any schedule containing `TZ`) is refused, as the API
 *   server refuses it on create: the zone goes in `spec.timeZone` (the platform's jobs set
 *   `Etc/UTC`).
 * - `@every <duration>` is refused although the API server accepts it: it is not a calendar
 *   schedule (the controller counts it from the last scheduled time, so its runs drift with
 *   restarts and ignore `spec.timeZone`; kubernetes/kubernetes#104012), and every interval it
 *   can express that divides a day has a five-field form (`@every 6h` → `0 *\/6 * * *`).
 *
 * Not supported, as in robfig and Kubernetes: seconds or years fields, `L`, `W`, `#`, `H`.
 */

/** A parsed schedule: the values each field allows. */
export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  readonly daysOfWeek: ReadonlySet<number>;
  /** Whether day of month / day of week are starred: a day then has to match both, else either. */
  readonly daysOfMonthStar: boolean;
  readonly daysOfWeekStar: boolean;
}

/** What is wrong with a schedule, in words that fit after "… is not a valid cron expression: ". */
export interface CronProblem {
  readonly problem: string;
}

/** The macros Kubernetes accepts and the five fields each stands for (robfig's descriptors). */
export const CRON_MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names of the values from `min` on. */
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { label: "minute", min: 0, max: 59 },
  { label: "hour", min: 0, max: 23 },
  { label: "day of month", min: 1, max: 31 },
  { label: "month", min: 1, max: 12, names: MONTHS },
  { label: "day of week", min: 0, max: 6, names: WEEKDAYS },
];

/** A whole number as Go's `strconv.Atoi` reads it (an optional sign, decimal digits). */
function integer(token: string): number | undefined {
  return /^[+-]?\d+$/.test(token) ? Number(token) : undefined;
}

function valueOf(token: string, f: FieldSpec, item: string): number | string {
  const named = f.names?.indexOf(token.toLowerCase()) ?? -1;
  if (named >= 0) return f.min + named;
  const n = integer(token);
  if (n === undefined) {
    return f.names
      ? `${f.label} "${item}" has an unknown value "${token}" (use ${f.min}-${f.max} or ${f.names[0]}-${f.names[f.names.length - 1]})`
      : `${f.label} "${item}" has "${token}", which is not a number`;
  }
  if (n < 0) return `${f.label} "${item}" has a negative number`;
  return n;
}

function parseField(text: string, f: FieldSpec): { values: Set<number>; star: boolean } | string {
  const values = new Set<number>();
  let star = false;
  for (const item of text.split(",").filter((i) => i !== "")) {
    const rangeAndStep = item.split("/");
    const lowAndHigh = rangeAndStep[0].split("-");
    let start: number;
    let end: number;
    let starred = false;
    if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
      // robfig ignores whatever follows `*-`.
      start = f.min;
      end = f.max;
      starred = true;
    } else {
      const lo = valueOf(lowAndHigh[0], f, item);
      if (typeof lo === "string") return lo;
      start = lo;
      if (lowAndHigh.length === 1) {
        end = start;
      } else if (lowAndHigh.length === 2) {
        const hi = valueOf(lowAndHigh[1], f, item);
        if (typeof hi === "string") return hi;
        end = hi;
      } else {
        return `${f.label} "${item}" has more than one "-"`;
      }
    }
    let step = 1;
    if (rangeAndStep.length === 2) {
      const s = integer(rangeAndStep[1]);
      if (s === undefined) return `${f.label} "${item}" has a step "${rangeAndStep[1]}" that is not a number`;
      if (s < 0) return `${f.label} "${item}" has a negative step`;
      step = s;
      // `n/step` runs from n to the field's maximum.
      if (lowAndHigh.length === 1) end = f.max;
      if (step > 1) starred = false;
    } else if (rangeAndStep.length > 2) {
      return `${f.label} "${item}" has more than one "/"`;
    }
    if (start < f.min || end > f.max) return `${f.label} "${item}" is outside ${f.min}-${f.max}`;
    if (start > end) return `${f.label} "${item}" is a range that ends before it starts`;
    if (step === 0) return `${f.label} "${item}" has a step of 0`;
    for (let v = start; v <= end; v += step) values.add(v);
    star ||= starred;
  }
  return { values, star };
}

/** Parses a schedule, or says what is wrong with it. */
export function parseCron(schedule: string): CronSchedule | CronProblem {
  if (schedule.includes("TZ")) {
    return { problem: "it names a time zone (TZ= or CRON_TZ=), which Kubernetes refuses in the schedule; set the CronJob's `spec.timeZone` instead" };
  }
  let text = schedule;
  if (text.startsWith("@")) {
    if (text.startsWith("@every ")) {
      return {
        problem:
          '`@every` is not a calendar schedule (Kubernetes counts it from the last run, so it drifts); write it as five fields, e.g. "0 */6 * * *" for every 6 hours',
      };
    }
    const expanded = CRON_MACROS[text];
    if (expanded === undefined) return { problem: `"${text}" is not a macro Kubernetes knows (${Object.keys(CRON_MACROS).join(", ")})` };
    text = expanded;
  }
  const fields = text.split(/\s+/).filter((f) => f !== "");
  if (fields.length !== 5) return { problem: `has ${fields.length} field(s); use 5: minute hour day-of-month month day-of-week` };
  const parsed: { values: Set<number>; star: boolean }[] = [];
  for (let i = 0; i < 5; i++) {
    const field = parseField(fields[i], FIELDS[i]);
    if (typeof field === "string") return { problem: field };
    parsed.push(field);
  }
  return {
    minutes: parsed[0].values,
    hours: parsed[1].values,
    daysOfMonth: parsed[2].values,
    months: parsed[3].values,
    daysOfWeek: parsed[4].values,
    daysOfMonthStar: parsed[2].star,
    daysOfWeekStar: parsed[4].star,
  };
}

/** Whether {@link parseCron} found a problem. */
export function isCronProblem(parsed: CronSchedule | CronProblem): parsed is CronProblem {
  return "problem" in parsed;
}

/** How often a schedule runs (UTC, which is what the platform's jobs set as `spec.timeZone`). */
export interface CronGaps {
  /** Runs on each day it fires (hours × minutes). */
  readonly runsPerDay: number;
  /** The longest time between two consecutive runs; undefined when it fires on one day only in the scan. */
  readonly longestSeconds?: number;
  /** The shortest time between two consecutive runs; undefined when it runs once only in the scan. */
  readonly shortestSeconds?: number;
}

/** Days scanned for the gaps between runs: 8 years, so leap days and every weekday/date pairing recur. */
const SCAN_DAYS = 8 * 365 + 2;
const SCAN_START = Date.UTC(2024, 0, 1);

/**
 * The longest and shortest gap between consecutive runs, found by walking 8 years of the calendar
 * from 2024-01-01 (exact for every expression that recurs within that span): "15 3 * * *" → 24 h,
 * "0 3 * * 0" → 168 h, "0 * * * *" → 1 h, "0 0 29 2 *" → 1461 days. `undefined` when it never fires
 * (e.g. "0 0 30 2 *").
 */
export function cronGaps(cron: CronSchedule): CronGaps | undefined {
  const times: number[] = [];
  for (const h of [...cron.hours].sort((a, b) => a - b)) {
    for (const m of [...cron.minutes].sort((a, b) => a - b)) times.push(h * 60 + m);
  }
  if (times.length === 0) return undefined;
  let longest = 0;
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) {
    longest = Math.max(longest, times[i] - times[i - 1]);
    shortest = Math.min(shortest, times[i] - times[i - 1]);
  }
  let previousDay: number | undefined;
  let runDays = 0;
  for (let day = 0; day < SCAN_DAYS; day++) {
    const date = new Date(SCAN_START + day * 86_400_000);
    if (!cron.months.has(date.getUTCMonth() + 1)) continue;
    const dom = cron.daysOfMonth.has(date.getUTCDate());
    const dow = cron.daysOfWeek.has(date.getUTCDay());
    if (!(cron.daysOfMonthStar || cron.daysOfWeekStar ? dom && dow : dom || dow)) continue;
    runDays++;
    if (previousDay !== undefined) {
      const gap = (day - previousDay) * 1440 + times[0] - times[times.length - 1];
      longest = Math.max(longest, gap);
      shortest = Math.min(shortest, gap);
    }
    previousDay = day;
  }
  if (runDays === 0) return undefined;
  return {
    runsPerDay: times.length,
    longestSeconds: runDays > 1 ? longest * 60 : undefined,
    shortestSeconds: Number.isFinite(shortest) ? shortest * 60 : undefined,
  };
}

/**
 * The longest gap in seconds between two runs of a schedule, or `Infinity` when it never fires
 * or fires on one day only in 8 years. Throws an Error with the problem of an invalid schedule.
 */
export function maxIntervalSeconds(schedule: string | CronSchedule): number {
  const cron = typeof schedule === "string" ? parseCron(schedule) : schedule;
  if (isCronProblem(cron)) throw new Error(cron.problem);
  return cronGaps(cron)?.longestSeconds ?? Infinity;
}
