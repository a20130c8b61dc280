/** Dump schemas against restore schemas, and BackupJob's checks of `dumpSchemas`. */
import { describe, expect, it } from "vitest";
import { SUPABASE_INTERNAL_SCHEMAS, schemaMatches, schemasNotDumped } from "../../components/data/postgres-providers";
import { dumpSchemasEnv } from "../../components/data/backup-job";

describe("dump schemas", () => {
  it("matches pg_dump patterns as pg_dump does (* any characters)", () => {
    expect(schemaMatches("pg_*", "pg_temp_1")).toBe(true);
    expect(schemaMatches("pg_*", "public")).toBe(false);
    expect(schemaMatches("_timescaledb_*", "_timescaledb_internal")).toBe(true);
  });

  it("names the restore schemas a dump would not hold", () => {
    expect(schemasNotDumped(["public"], { exclude: SUPABASE_INTERNAL_SCHEMAS })).toEqual([]);
    expect(schemasNotDumped(["public", "auth"], { exclude: SUPABASE_INTERNAL_SCHEMAS })).toEqual(["auth"]);
    expect(schemasNotDumped(["public", "app"], { include: ["app"] })).toEqual(["public"]);
    expect(schemasNotDumped(["public"], undefined)).toEqual([]);
  });

  it("hands pg-backup.sh one variable per form", () => {
    expect(dumpSchemasEnv({ include: ["public", "app"] })).toEqual([{ name: "DUMP_SCHEMAS", value: "public,app" }]);
    expect(dumpSchemasEnv({ exclude: ["auth", "pg_*"] })).toEqual([{ name: "DUMP_EXCLUDE_SCHEMAS", value: "auth,pg_*" }]);
    expect(dumpSchemasEnv(undefined)).toEqual([]);
  });
});
