/**
 * @module PostgreSQL 15 as Synapse runs it, the ranking referee: a private
 * cluster started on first use (`ensurePostgres`), SQL through psql with JSON
 * back (`runSql`, `queryJson`), and Synapse's user-directory search SQL
 * (`synapseQueries`, `VECTOR_SQL`, `RANK_WEIGHTS`). Shared by the capture
 * scripts in test/oracle/ (they write snapshots/) and the bench's PostgreSQL
 * side (bench/run/); the default test run never needs it. Imports nothing
 * from src/, bench/ or test/.
 */
export { ensurePostgres } from './server.js'
export { jsonLiteral, queryJson, runSql } from './psql.js'
export { RANK_WEIGHTS, synapseQueries, VECTOR_SQL } from './synapse-sql.js'
