/**
 * The Kubernetes CronJob schedule format (robfig/cron standard parser: five fields, names for
 * months and weekdays, `@hourly`-style macros) and the longest gap between two runs, which a
 * backup schedule must keep within the RPO.
 */

const MACROS: Record<string, string> = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
};

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
    readonly values: ReadonlySet<number>;
    /** The field is `*` or `?` (matters for the day-of-month/day-of-week rule). */
    readonly star: boolean;
}

export interface CronSchedule {
    readonly minute: Field;
    readonly hour: Field;
    readonly dayOfMonth: Field;
    readonly month: Field;
    readonly dayOfWeek: Field;
}

function parseValue(token: string, names: readonly string[] | undefined, offset: number): number {
    const upper = token.toUpperCase();
    if (names) {
        const i = names.indexOf(upper);
        if (i >= 0) return i + offset;
    }
    if (!/^\d+$/.test(token)) throw new Error(`"${token}" is not a number`);
    return Number(token);
}

function parseField(text: string, min: number, max: number, names?: readonly string[], nameOffset = 0): Field {
    const values = new Set<number>();
    for (const part of text.split(",")) {
        const [range, stepText] = part.split("/");
        const step = stepText === undefined ? 1 : Number(stepText);
        if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in "${part}"`);
        let lo: number;
        let hi: number;
        if (range === "*" || range === "?") {
            lo = min;
            hi = max;
        } else if (range.includes("-")) {
            const [a, b] = range.split("-");
            lo = parseValue(a, names, nameOffset);
            hi = parseValue(b, names, nameOffset);
        } else {
            lo = parseValue(range, names, nameOffset);
            hi = stepText === undefined ? lo : max;
        }
        if (lo < min || hi > max || lo > hi) throw new Error(`"${part}" is outside ${min}-${max}`);
        for (let v = lo; v <= hi; v += step) values.add(v);
    }
    return { values, star: text.startsWith("*") || text.startsWith("?") };
}

/** Parses a schedule; throws an Error saying what is wrong. */
export function parseCron(schedule: string): CronSchedule {
    const text = MACROS[schedule.trim().toLowerCase()] ?? schedule.trim();
    if (/^(CRON_)?TZ=/.test(text)) throw new Error("time zones go in `spec.timeZone`, not in the schedule");
    const fields = text.split(/\s+/);
    if (fields.length !== 5) throw new Error(`expected 5 fields, got ${fields.length}`);
    const dayOfWeek = parseField(fields[4], 0, 7, DAYS);
    // 7 is Sunday too.
    const dow = new Set([...dayOfWeek.values].map((d) => d % 7));
    return {
        minute: parseField(fields[0], 0, 59),
        hour: parseField(fields[1], 0, 23),
        dayOfMonth: parseField(fields[2], 1, 31),
        month: parseField(fields[3], 1, 12, MONTHS, 1),
        dayOfWeek: { values: dow, star: dayOfWeek.star },
    };
}

function dayMatches(s: CronSchedule, date: Date): boolean {
    if (!s.month.values.has(date.getUTCMonth() + 1)) return false;
    const dom = s.dayOfMonth.values.has(date.getUTCDate());
    const dow = s.dayOfWeek.values.has(date.getUTCDay());
    // Both restricted: either matches (cron's OR rule); otherwise both must match.
    return s.dayOfMonth.star || s.dayOfWeek.star ? dom && dow : dom || dow;
}

/**
 * The longest time in seconds between two consecutive runs over about two years (so yearly and
 * leap-day schedules are seen), or `Infinity` when it runs less than twice in that window.
 */
export function maxIntervalSeconds(schedule: string | CronSchedule): number {
    const s = typeof schedule === "string" ? parseCron(schedule) : schedule;
    const start = Date.UTC(2025, 0, 1);
    const minutes = [...s.minute.values].sort((a, b) => a - b);
    const hours = [...s.hour.values].sort((a, b) => a - b);
    let previous: number | undefined;
    let max = 0;
    let runs = 0;
    for (let day = 0; day < 2 * 366 + 31; day++) {
        const dayStart = start + day * 86_400_000;
        if (!dayMatches(s, new Date(dayStart))) continue;
        for (const h of hours) {
            for (const m of minutes) {
                const t = dayStart + (h * 60 + m) * 60_000;
                if (previous !== undefined) max = Math.max(max, (t - previous) / 1000);
                previous = t;
                runs++;
            }
        }
    }
    return runs < 2 ? Infinity : max;
}
