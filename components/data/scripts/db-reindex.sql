-- db-reindex.sql: the quarterly rebuild of the vector indexes (seed 000 "Index Optimization:
-- Quarterly reindex of vector indices"), online: REINDEX INDEX CONCURRENTLY, one index at a time,
-- so reads and writes go on. Run by components/scripts/db-maintenance.sh through psql with
-- ON_ERROR_STOP and the variables:
--   statement_timeout  the rest of the maintenance window (seed 001 §7.1), e.g. '3h';
--   lock_timeout       how long to wait for a lock before giving up, e.g. '10s' (a REINDEX that
--                      waits on a long transaction would otherwise queue every writer behind it);
--   access_methods     index access methods to rebuild, comma-separated: pgvector's 'ivfflat,hnsw'.
-- \gexec runs each generated statement on its own, outside a transaction block, as CONCURRENTLY
-- requires.
SET statement_timeout = :'statement_timeout';
SET lock_timeout = :'lock_timeout';

-- A REINDEX CONCURRENTLY that was cancelled (lock timeout, deadline) leaves an invalid copy named
-- <index>_ccnew[N]; it slows every write until dropped. Drop those first.
SELECT format('DROP INDEX CONCURRENTLY IF EXISTS %s', c.oid::regclass)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE NOT i.indisvalid AND c.relname ~ '_ccnew[0-9]*$'
\gexec

SELECT format('db-maintenance: reindex: %s %s indexes in %s', count(*), :'access_methods', current_database())
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE am.amname = ANY (string_to_array(:'access_methods', ',')) AND i.indisvalid
   AND n.nspname NOT IN ('pg_catalog', 'information_schema');

SELECT format('REINDEX INDEX CONCURRENTLY %s', c.oid::regclass)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE am.amname = ANY (string_to_array(:'access_methods', ',')) AND i.indisvalid
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1
\gexec
