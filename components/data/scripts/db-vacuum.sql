-- db-vacuum.sql: the monthly VACUUM (ANALYZE) of seeds 000 ("Index Optimization: Monthly VACUUM
-- ANALYZE"), 001 §7.1 ("Run database maintenance (VACUUM, REINDEX)") and 004 ("Monthly: Database
-- maintenance (VACUUM, ANALYZE)"). Run by components/scripts/db-maintenance.sh through psql with
-- ON_ERROR_STOP and the variables `statement_timeout` (the rest of the maintenance window) and
-- `lock_timeout`. VACUUM runs outside a transaction block (psql autocommit); it vacuums and
-- analyzes every table the connecting role may vacuum and skips the others with a warning.
SET statement_timeout = :'statement_timeout';
SET lock_timeout = :'lock_timeout';
SELECT format('db-maintenance: vacuum: %s tables in %s', count(*), current_database())
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%';
VACUUM (ANALYZE);
