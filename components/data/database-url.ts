/**
 * A product's `DATABASE_URL` is written for the app (Prisma, an ORM, a pooler), not for the
 * platform's PostgreSQL clients. Each client accepts its own query parameters:
 *
 * - libpq (pg_dump, pg_restore, psql: the backup and maintenance jobs) exits at once on a URI
 *   parameter it does not know ("invalid URI query parameter"), e.g. Prisma's `schema`,
 *   `pgbouncer`, `connection_limit`, `pool_timeout`;
 * - lib/pq (postgres_exporter) sends every parameter that is not one of its own driver settings
 *   to the server as a startup (run-time) parameter, and the server refuses unknown ones, so the
 *   exporter never connects (`pg_up 0`).
 *
 * So each consumer gets the URL with only the parameters it accepts. Prisma's `schema` (the
 * schema the app's tables live in, Prisma docs "PostgreSQL connection URL arguments") is taken
 * out and handed to the backup as the schema to dump. The scripts do the same for libpq in
 * `scripts/pg-url.sh` (its `libpq_parameter` list is this file's `LIBPQ_URI_PARAMETERS`; a test
 * keeps them equal). The URL stays a secret: callers apply this inside `pulumi.secret`.
 */

/**
 * libpq's connection parameter key words (PostgreSQL 17, the backup image's libpq: "34.1.2.
 * Parameter Key Words", https://www.postgresql.org/docs/17/libpq-connect.html#LIBPQ-PARAMKEYWORDS).
 * `ssl=true` is libpq's JDBC-compatible alias of `sslmode=require` (same page, "Connection URIs").
 */
export const LIBPQ_URI_PARAMETERS: readonly string[] = [
  "host",
  "hostaddr",
  "port",
  "dbname",
  "user",
  "password",
  "passfile",
  "require_auth",
  "channel_binding",
  "connect_timeout",
  "client_encoding",
  "options",
  "application_name",
  "fallback_application_name",
  "keepalives",
  "keepalives_idle",
  "keepalives_interval",
  "keepalives_count",
  "tcp_user_timeout",
  "replication",
  "gssencmode",
  "sslmode",
  "sslnegotiation",
  "sslcompression",
  "sslcert",
  "sslkey",
  "sslcertmode",
  "sslpassword",
  "sslrootcert",
  "sslcrl",
  "sslcrldir",
  "sslsni",
  "requirepeer",
  "ssl_min_protocol_version",
  "ssl_max_protocol_version",
  "krbsrvname",
  "gsslib",
  "gssdelegation",
  "service",
  "target_session_attrs",
  "load_balance_hosts",
  "ssl",
];

/**
 * What postgres_exporter's driver, lib/pq, takes from a URL without sending it to the server: its
 * driver settings (`isDriverSetting` in github.com/lib/pq conn.go) plus the two startup parameters
 * every PostgreSQL server accepts (`application_name`, `options`). Anything else would reach the
 * server as a run-time parameter.
 */
export const LIB_PQ_URI_PARAMETERS: readonly string[] = [
  "host",
  "port",
  "dbname",
  "user",
  "password",
  "sslmode",
  "sslcert",
  "sslkey",
  "sslrootcert",
  "sslinline",
  "sslsni",
  "fallback_application_name",
  "connect_timeout",
  "krbsrvname",
  "krbspn",
  "application_name",
  "options",
];

/** A `DATABASE_URL` reduced to what one client accepts. */
export interface NormalisedDatabaseUrl {
  /** The URL with only the accepted query parameters, in their order. */
  readonly url: string;
  /** Prisma's `schema` parameter, percent-decoded, when the URL had one. */
  readonly schema?: string;
  /** Names (never values) of the parameters left out. */
  readonly dropped: readonly string[];
}

/**
 * `url` with only the query parameters in `accepted` (by name, case-sensitive as libpq). Not a
 * `postgres://` / `postgresql://` URI (a key=value string): returned as it is.
 */
export function normaliseDatabaseUrl(url: string, accepted: readonly string[]): NormalisedDatabaseUrl {
  if (!/^postgres(ql)?:\/\//.test(url)) return { url, dropped: [] };
  const q = url.indexOf("?");
  if (q < 0) return { url, dropped: [] };
  const kept: string[] = [];
  const dropped: string[] = [];
  let schema: string | undefined;
  for (const pair of url.slice(q + 1).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (name === "schema") schema = decodeURIComponent(pair.slice(eq + 1));
    else if (accepted.includes(name)) kept.push(pair);
    else dropped.push(name);
  }
  return { url: url.slice(0, q) + (kept.length ? `?${kept.join("&")}` : ""), ...(schema !== undefined ? { schema } : {}), dropped };
}

/** The URL postgres_exporter (lib/pq) connects with: Prisma's and other clients' parameters left out. */
export function exporterDatabaseUrl(url: string): string {
  return normaliseDatabaseUrl(url, LIB_PQ_URI_PARAMETERS).url;
}
