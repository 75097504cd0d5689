// Synapse's user-directory tables on PostgreSQL with all their indexes
// (synapse/storage/schema: users_in_public_rooms_u_idx/_r_idx,
// users_who_share_private_rooms_u_idx/_o_idx/_r_idx, user_directory_user_idx/
// _room_idx, user_directory_search_user_idx and the GIN index), and the
// search query of search_user_dir (storage/databases/main/user_directory.py)
// as one parameterised statement per mode. The vector expression, the rank
// weights and the tsquery strings come from postgres/synapse-sql.ts.
import { RANK_WEIGHTS, VECTOR_SQL } from '../../postgres/index.js'
import type { Mode } from '../../corpus/index.js'

/** Tables first (loaded with COPY), indexes after (built once over the data). */
export const PG_TABLES = `
  DROP TABLE IF EXISTS users, user_directory, user_directory_search, users_in_public_rooms, users_who_share_private_rooms, bench_profiles;
  CREATE TABLE users (name TEXT, locked BOOLEAN NOT NULL DEFAULT FALSE, UNIQUE (name));
  CREATE TABLE user_directory (user_id TEXT NOT NULL, room_id TEXT, display_name TEXT, avatar_url TEXT);
  CREATE TABLE user_directory_search (user_id TEXT NOT NULL, vector tsvector);
  CREATE TABLE users_in_public_rooms (user_id TEXT NOT NULL, room_id TEXT NOT NULL);
  CREATE TABLE users_who_share_private_rooms (user_id TEXT NOT NULL, other_user_id TEXT NOT NULL, room_id TEXT NOT NULL);
  CREATE UNLOGGED TABLE bench_profiles (user_id TEXT, localpart TEXT, server_name TEXT, display_name_normalized TEXT);`

export const PG_FILL_VECTORS = `
  INSERT INTO user_directory_search (user_id, vector) SELECT user_id, ${VECTOR_SQL} FROM bench_profiles;
  DROP TABLE bench_profiles;`

export const PG_INDEXES = `
  CREATE UNIQUE INDEX user_directory_user_idx ON user_directory (user_id);
  CREATE INDEX user_directory_room_idx ON user_directory (room_id);
  CREATE UNIQUE INDEX user_directory_search_user_idx ON user_directory_search (user_id);
  CREATE INDEX user_directory_search_fts_idx ON user_directory_search USING GIN (vector);
  CREATE UNIQUE INDEX users_in_public_rooms_u_idx ON users_in_public_rooms (user_id, room_id);
  CREATE INDEX users_in_public_rooms_r_idx ON users_in_public_rooms (room_id);
  CREATE UNIQUE INDEX users_who_share_private_rooms_u_idx ON users_who_share_private_rooms (user_id, other_user_id, room_id);
  CREATE INDEX users_who_share_private_rooms_o_idx ON users_who_share_private_rooms (other_user_id);
  CREATE INDEX users_who_share_private_rooms_r_idx ON users_who_share_private_rooms (room_id);
  VACUUM ANALYZE;`

export const PG_DIRECTORY_TABLES = ['users', 'user_directory', 'user_directory_search', 'users_in_public_rooms', 'users_who_share_private_rooms'] as const

/**
 * Synapse's search for one mode. Parameters: $1 the "both" tsquery, $2 the
 * searcher, $3 the exact and $4 the prefix tsquery, $5 limit + 1, and with
 * preferLocalUsers $6 the `%:server` pattern. excludeRemoteUsers turns the
 * users join into an inner join, as the oracle capture does. `withScore`
 * also selects the score (for checking answers, never timed).
 */
export function pgSearchSql(mode: Mode, withScore = false): string {
  const where = [
    mode.searchAllUsers
      ? 'user_id != $2'
      : `(EXISTS (SELECT 1 FROM users_in_public_rooms WHERE user_id = t.user_id)
          OR EXISTS (SELECT 1 FROM users_who_share_private_rooms WHERE user_id = $2 AND other_user_id = t.user_id))`,
    ...(mode.showLockedUsers ? [] : ['(u.locked IS NULL OR u.locked = FALSE)']),
  ].join(' AND ')
  const score = `(CASE WHEN d.user_id IS NOT NULL THEN 4.0 ELSE 1.0 END)
      * (CASE WHEN display_name IS NOT NULL THEN 1.2 ELSE 1.0 END)
      * (CASE WHEN avatar_url IS NOT NULL THEN 1.2 ELSE 1.0 END)
      * (3 * ts_rank_cd(${RANK_WEIGHTS}, vector, to_tsquery('simple', $3), 8)
         + ts_rank_cd(${RANK_WEIGHTS}, vector, to_tsquery('simple', $4), 8))
      ${mode.preferLocalUsers ? '* (CASE WHEN user_id LIKE $6 THEN 2.0 ELSE 1.0 END)' : ''}`
  return `
    WITH matching_users AS (
      SELECT user_id, vector FROM user_directory_search WHERE vector @@ to_tsquery('simple', $1) LIMIT 10000
    )
    SELECT d.user_id AS user_id, display_name, avatar_url${withScore ? `, ${score} AS score` : ''}
    FROM matching_users AS t
    INNER JOIN user_directory AS d USING (user_id)
    ${mode.excludeRemoteUsers ? 'JOIN' : 'LEFT JOIN'} users AS u ON t.user_id = u.name
    WHERE ${where}
    ORDER BY
      ${score}
      DESC,
      display_name IS NULL,
      avatar_url IS NULL
    LIMIT $5`
}
