/**
 * The per-client URL normalisation (components/data/database-url.ts) and its shell twin in
 * components/data/scripts/pg-url.sh: one list of libpq's parameters, Prisma's arguments left out.
 * The real clients run in tests/drill/database-url.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LIBPQ_URI_PARAMETERS, exporterDatabaseUrl, normaliseDatabaseUrl } from "../../components/data/database-url";
import { PG_URL_SCRIPT_PATH } from "../../components/data/backup-job";

describe("database URL normalisation", () => {
  it("pg-url.sh's libpq_parameter names exactly LIBPQ_URI_PARAMETERS", () => {
    const script = readFileSync(PG_URL_SCRIPT_PATH, "utf8");
    const body = /libpq_parameter\(\) \{\s*case "\$1" in\s*([\s\S]*?)\) return 0 ;;/.exec(script)![1];
    const names = body.split(/[|\\\s]+/).filter(Boolean);
    expect([...names].sort()).toEqual([...LIBPQ_URI_PARAMETERS].sort());
  });

  it("keeps libpq's parameters in order, takes out Prisma's schema, and names (never shows) the rest", () => {
    const r = normaliseDatabaseUrl(
      "postgresql://u:p@h:6543/db?schema=my%20app&pgbouncer=true&sslmode=require&connection_limit=1&application_name=x",
      LIBPQ_URI_PARAMETERS,
    );
    expect(r).toEqual({ url: "postgresql://u:p@h:6543/db?sslmode=require&application_name=x", schema: "my app", dropped: ["pgbouncer", "connection_limit"] });
    expect(normaliseDatabaseUrl("postgresql://u@h/db?pool_timeout=0", LIBPQ_URI_PARAMETERS).url).toBe("postgresql://u@h/db");
    expect(normaliseDatabaseUrl("host=h dbname=d", LIBPQ_URI_PARAMETERS).url).toBe("host=h dbname=d");
  });

  it("the exporter's copy keeps only what lib/pq does not send to the server", () => {
    expect(exporterDatabaseUrl("postgres://u:p@h/db?sslmode=require&channel_binding=require&pgbouncer=true&connect_timeout=5")).toBe(
      "postgres://u:p@h/db?sslmode=require&connect_timeout=5",
    );
  });
});
