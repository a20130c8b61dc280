/**
 * Facts about the managed PostgreSQL providers the seeds name (Supabase: seed 001, seed 004
 * option 2; Neon: seed 003, seed 004 option 1; seed 000 "Neon or Supabase"), written once.
 */

/**
 * Supabase's internal schemas: created by the supabase/postgres image and owned by Supabase's
 * roles or by extensions. The `postgres` role a project's DATABASE_URL uses cannot dump them
 * (supabase/supabase#10982, #1856, #21615: `permission denied ... LOCK TABLE
 * "supabase_functions"."hooks"`), so every full pg_dump fails. This is the Supabase CLI's own
 * list of what `supabase db dump` leaves out: `InternalSchemas` in supabase/cli
 * pkg/migration/dump.go (commit fdb14047832af335aa22be83dba27557cd0ffa90). Entries are pg_dump
 * patterns (`*` matches any characters).
 */
export const SUPABASE_INTERNAL_SCHEMAS: readonly string[] = [
  "information_schema",
  "pg_*",
  "_analytics",
  "_realtime",
  "_supavisor",
  "auth",
  "extensions",
  "pgbouncer",
  "realtime",
  "storage",
  "supabase_functions",
  "supabase_migrations",
  "cron",
  "dbdev",
  "graphql",
  "graphql_public",
  "net",
  "pgmq",
  "pgsodium",
  "pgsodium_masks",
  "pgtle",
  "repack",
  "tiger",
  "tiger_data",
  "timescaledb_*",
  "_timescaledb_*",
  "topology",
  "vault",
];

/** Which schemas a backup dumps: only these, or all but these (pg_dump patterns). */
export type DumpSchemas = { readonly include: readonly string[] } | { readonly exclude: readonly string[] };

/** Whether `schema` matches the pg_dump pattern `pattern` (`*` = any characters, `?` = one). */
export function schemaMatches(pattern: string, schema: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
  );
  return re.test(schema);
}

/** The restore schemas a dump would not contain (empty when every one of them is dumped). */
export function schemasNotDumped(restoreSchemas: readonly string[], dump: DumpSchemas | undefined): string[] {
  if (!dump) return [];
  if ("include" in dump) return restoreSchemas.filter((s) => !dump.include.some((p) => schemaMatches(p, s)));
  return restoreSchemas.filter((s) => dump.exclude.some((p) => schemaMatches(p, s)));
}
