/**
 * Database builders, from postgres_exporter: connections against `max_connections`, pool
 * exhaustion, slow statements (`pg_stat_statements`) and the database being unreachable (`pg_up`).
 */
import { Duration } from "../../values";
import { type AlertSpec, type SeriesSelector, type AlertOptions, RATE_WINDOW, METRICS } from "./types";
import { renderSelector, describeSelector, percent, durationText, checkServiceSelector, checkRatio, checkPositiveDuration } from "./helpers";
import { type BuilderDefaults, tierFor, buildSpec } from "./builder";

// --- database --------------------------------------------------------------------------------

/** Options of `dbConnectionsHigh`. */
export interface DbConnectionsOptions extends AlertOptions {
  /** The postgres_exporter series of the product's database. @example { job: "voyager-postgres" } */
  readonly selector: SeriesSelector;
  /** Share of `max_connections` in use above which the alert fires. @default 0.8 */
  readonly ratio?: number;
}

/** Defaults of `dbConnectionsHigh`: seed 003 "Connection pool exhaustion (>80%)", seed 004 "db_connections > 80%" "2m". */
export const DB_CONNECTIONS_DEFAULTS: BuilderDefaults<number> = {
  name: "DatabaseConnectionsHigh",
  severity: "warning", // seed 003: e-mail alert; seed 004: action "scale_db", not a page
  tiers: { warning: { threshold: 0.8, for: Duration.minutes(2) } },
};

/**
 * Connections in use against `max_connections`, per database server (postgres_exporter):
 * `sum by (instance) (pg_stat_activity_count{<selector>}) / max by (instance)
 * (pg_settings_max_connections{<selector>}) > ratio`.
 */
export function dbConnectionsHigh(opts: DbConnectionsOptions): AlertSpec {
  const { severity, tier } = tierFor(DB_CONNECTIONS_DEFAULTS, opts);
  const ratio = opts.ratio ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkRatio("ratio", ratio, problems);
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, DB_CONNECTIONS_DEFAULTS, tier, {
    builder: "dbConnectionsHigh",
    severity,
    expr: `sum by (instance) (${METRICS.pgActivity}${sel}) / max by (instance) (${METRICS.pgMaxConnections}${sel}) > ${ratio}`,
    summary: `Database connections above ${percent(ratio)} of max_connections (${describeSelector(opts.selector)})`,
    description: `{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its max_connections (threshold ${percent(ratio)}); check for connection leaks or raise the pool size.`,
    problems,
  });
}

/** Options of `dbPoolExhausted`. */
export interface DbPoolExhaustedOptions extends AlertOptions {
  /** The postgres_exporter series of the product's database. @example { job: "codebook-postgres" } */
  readonly selector: SeriesSelector;
}

/** Defaults of `dbPoolExhausted`: seed 001 §1.4 critical "Database connection pool exhausted". */
export const DB_POOL_EXHAUSTED_DEFAULTS: BuilderDefaults<number> = {
  name: "DatabasePoolExhausted",
  severity: "critical",
  // "exhausted" = every connection the application may open is taken (ratio 1); 2m as seed 004's DB alert
  tiers: { critical: { threshold: 1, for: Duration.minutes(2) } },
};

/**
 * Every connection the application can open is in use: connections against `max_connections`
 * minus `superuser_reserved_connections` (postgres_exporter), `>= 1`.
 */
export function dbPoolExhausted(opts: DbPoolExhaustedOptions): AlertSpec {
  const { severity, tier } = tierFor(DB_POOL_EXHAUSTED_DEFAULTS, opts);
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, DB_POOL_EXHAUSTED_DEFAULTS, tier, {
    builder: "dbPoolExhausted",
    severity,
    expr:
      `sum by (instance) (${METRICS.pgActivity}${sel}) / max by (instance) ` +
      `(${METRICS.pgMaxConnections}${sel} - ${METRICS.pgReservedConnections}${sel}) >= ${tier.threshold}`,
    summary: `Database connection pool exhausted (${describeSelector(opts.selector)})`,
    description: `{{ $labels.instance }} has {{ $value | humanizePercentage }} of its usable connections (max_connections minus superuser_reserved_connections) in use; new connections are refused.`,
    problems,
  });
}

/** Options of `slowQueries`. */
export interface SlowQueriesOptions extends AlertOptions {
  /** The postgres_exporter series of the product's database. @example { job: "voyager-postgres" } */
  readonly selector: SeriesSelector;
  /** Mean execution time per call above which a statement counts as slow. @default Duration.seconds(0.5) */
  readonly threshold?: Duration;
}

/** Defaults of `slowQueries`: seed 003 "Slow queries (>500ms)" (an e-mail alert, so warning). */
export const SLOW_QUERIES_DEFAULTS: BuilderDefaults<Duration> = {
  name: "SlowDatabaseQueries",
  severity: "warning",
  tiers: { warning: { threshold: Duration.seconds(0.5), for: Duration.minutes(10) } },
};

/**
 * Statements whose mean execution time over 5 m exceeds the threshold, per `queryid`
 * (postgres_exporter `stat_statements` collector; needs the `pg_stat_statements` extension):
 * `rate(pg_stat_statements_seconds_total[5m]) / rate(pg_stat_statements_calls_total[5m]) > s`.
 */
export function slowQueries(opts: SlowQueriesOptions): AlertSpec {
  const { severity, tier } = tierFor(SLOW_QUERIES_DEFAULTS, opts);
  const threshold = opts.threshold ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkPositiveDuration("threshold", threshold, problems);
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, SLOW_QUERIES_DEFAULTS, tier, {
    builder: "slowQueries",
    severity,
    expr: `rate(${METRICS.pgStatementSeconds}${sel}[${RATE_WINDOW}]) / ` + `rate(${METRICS.pgStatementCalls}${sel}[${RATE_WINDOW}]) > ${threshold.toSeconds()}`,
    summary: `Database statements slower than ${durationText(threshold)} on average (${describeSelector(opts.selector)})`,
    description: `Query {{ $labels.queryid }} on database {{ $labels.datname }} takes {{ $value | humanizeDuration }} per call on average (threshold ${durationText(threshold)}); run EXPLAIN ANALYZE and add an index.`,
    problems,
  });
}

/** Options of `databaseDown`. */
export interface DatabaseDownOptions extends AlertOptions {
  /** The postgres_exporter's series; from the `PostgresExporter` that owns them. @example { namespace: "codebook-prod", job: "codebook-postgres" } */
  readonly selector: SeriesSelector;
}

/**
 * Defaults of `databaseDown`: the database refuses the exporter's connections (seed 002 "Database
 * Connection Failures", which take the API down) — it pages, after 5 m (seed 001 §1.4's critical
 * convention).
 */
export const DATABASE_DOWN_DEFAULTS: BuilderDefaults<number> = {
  name: "DatabaseDown",
  severity: "critical",
  tiers: { critical: { threshold: 0, for: Duration.minutes(5) } },
};

/**
 * `pg_up{<selector>} == 0`: postgres_exporter answers its scrape (`up` stays 1) but cannot reach the
 * database. Without this a stopped database is silent: its other series (connections, settings)
 * simply vanish.
 */
export function databaseDown(opts: DatabaseDownOptions): AlertSpec {
  const { severity, tier } = tierFor(DATABASE_DOWN_DEFAULTS, opts);
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  return buildSpec(opts, DATABASE_DOWN_DEFAULTS, tier, {
    builder: "databaseDown",
    severity,
    expr: `${METRICS.pgUp}${renderSelector(opts.selector)} == ${tier.threshold}`,
    summary: `Database unreachable (${describeSelector(opts.selector)})`,
    description: `postgres_exporter {{ $labels.instance }} cannot connect to the database of ${describeSelector(opts.selector)} (pg_up = {{ $value }}): check the database's status page and the connection string.`,
    problems,
  });
}

/** Options of `databaseStorageHigh`. */
export interface DatabaseStorageOptions extends AlertOptions {
  /** The postgres_exporter series of the product's database. @example { namespace: "voyager-prod", job: "voyager-postgres" } */
  readonly selector: SeriesSelector;
  /** The storage the database may use, in bytes: the plan's allowance or the budgeted size (a product config key). */
  readonly limitBytes: number;
  /** Share of `limitBytes` above which the alert fires. @default 0.8 */
  readonly ratio?: number;
}

/** Defaults of `databaseStorageHigh`: seed 003 "Storage >80% capacity" (an e-mail alert, so warning). */
export const DATABASE_STORAGE_DEFAULTS: BuilderDefaults<number> = {
  name: "DatabaseStorageHigh",
  severity: "warning",
  tiers: { warning: { threshold: 0.8, for: Duration.minutes(10) } },
};

/**
 * The databases of one server together use more than `ratio` of the storage limit
 * (postgres_exporter `database` collector):
 * `sum by (instance) (pg_database_size_bytes{<selector>}) / limitBytes > ratio`.
 * The logical size of every database the exporter sees; a hosted plan (Neon) also bills history
 * (WAL kept for point-in-time restore), so the console's figure is higher: the limit is a budget,
 * set below the plan's hard cap where it has one.
 */
export function databaseStorageHigh(opts: DatabaseStorageOptions): AlertSpec {
  const { severity, tier } = tierFor(DATABASE_STORAGE_DEFAULTS, opts);
  const ratio = opts.ratio ?? tier.threshold;
  const problems: string[] = [];
  checkServiceSelector(opts.selector, problems);
  checkRatio("ratio", ratio, problems);
  if (!Number.isSafeInteger(opts.limitBytes) || opts.limitBytes <= 0) {
    problems.push(`\`limitBytes\` must be a positive whole number of bytes, got ${opts.limitBytes}`);
  }
  const sel = renderSelector(opts.selector);
  return buildSpec(opts, DATABASE_STORAGE_DEFAULTS, tier, {
    builder: "databaseStorageHigh",
    severity,
    expr: `sum by (instance) (${METRICS.pgDatabaseSize}${sel}) / ${opts.limitBytes} > ${ratio}`,
    summary: `Database storage above ${percent(ratio)} of its ${gibText(opts.limitBytes)} limit (${describeSelector(opts.selector)})`,
    description: `The databases behind {{ $labels.instance }} use {{ $value | humanizePercentage }} of the ${gibText(opts.limitBytes)} storage limit (threshold ${percent(ratio)}); archive or delete old data, or raise the plan and the limit.`,
    problems,
  });
}

/** `10737418240` → "10 GiB" (whole or one decimal). */
function gibText(bytes: number): string {
  const gib = bytes / 2 ** 30;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}
