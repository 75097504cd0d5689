// Synapse's search on SQLite: its tables and indexes, the FTS4 table
// `user_directory_search(user_id, value)` whose value is "user_id
// normalised-display-name", the MATCH string of `_parse_query_sqlite`
// ("(w* OR w)" per word, joined by " & ") and the `rank(matchinfo(...))`
// function Synapse registers (peewee's: sum over phrases and columns of hits
// in this row / hits in all rows). Written from those facts, not copied.
import Database from 'better-sqlite3'
import { parseQueryWords } from '../../src/text/index.js'
import type { BenchCorpus, BenchQuery, Mode } from '../../corpus/index.js'
import { MODES, directoryRows, privatePairRows, publicRoomRows } from '../../corpus/index.js'
import type { EngineRun } from './search-postgres.js'
import { elapsedUs } from './measure.js'

const SCHEMA = `
  CREATE TABLE users (name TEXT, locked BOOLEAN DEFAULT 0, UNIQUE (name));
  CREATE TABLE user_directory (user_id TEXT NOT NULL, room_id TEXT, display_name TEXT, avatar_url TEXT);
  CREATE INDEX user_directory_room_idx ON user_directory (room_id);
  CREATE UNIQUE INDEX user_directory_user_idx ON user_directory (user_id);
  CREATE VIRTUAL TABLE user_directory_search USING fts4 (user_id, value);
  CREATE TABLE users_in_public_rooms (user_id TEXT NOT NULL, room_id TEXT NOT NULL);
  CREATE UNIQUE INDEX users_in_public_rooms_u_idx ON users_in_public_rooms (user_id, room_id);
  CREATE INDEX users_in_public_rooms_r_idx ON users_in_public_rooms (room_id);
  CREATE TABLE users_who_share_private_rooms (user_id TEXT NOT NULL, other_user_id TEXT NOT NULL, room_id TEXT NOT NULL);
  CREATE UNIQUE INDEX users_who_share_private_rooms_u_idx ON users_who_share_private_rooms (user_id, other_user_id, room_id);
  CREATE INDEX users_who_share_private_rooms_r_idx ON users_who_share_private_rooms (room_id);
  CREATE INDEX users_who_share_private_rooms_o_idx ON users_who_share_private_rooms (other_user_id);`

/** peewee's rank over matchinfo 'pcx' (native-endian uint32s), as Synapse registers it. */
export function rank(matchinfo: Buffer): number {
  const words = new Uint32Array(matchinfo.buffer, matchinfo.byteOffset, matchinfo.byteLength / 4)
  const phrases = words[0]
  const columns = words[1]
  let score = 0
  for (let p = 0; p < phrases; p++) {
    for (let c = 0; c < columns; c++) {
      const at = 2 + (p * columns + c) * 3
      if (words[at] > 0) score += words[at] / words[at + 1]
    }
  }
  return score
}

/** Synapse's `_parse_query_sqlite`. */
export function sqliteMatch(term: string): string {
  return parseQueryWords(term).map((w) => `(${w}* OR ${w})`).join(' & ')
}

function searchSql(mode: Mode): string {
  const where = [
    mode.searchAllUsers
      ? 'user_id != ?'
      : `(EXISTS (SELECT 1 FROM users_in_public_rooms WHERE user_id = t.user_id)
          OR EXISTS (SELECT 1 FROM users_who_share_private_rooms WHERE user_id = ? AND other_user_id = t.user_id))`,
    ...(mode.showLockedUsers ? [] : ['(u.locked IS NULL OR u.locked = 0)']),
  ].join(' AND ')
  return `
    SELECT d.user_id AS user_id, display_name, avatar_url
    FROM user_directory_search AS t
    INNER JOIN user_directory AS d USING (user_id)
    ${mode.excludeRemoteUsers ? 'JOIN' : 'LEFT JOIN'} users AS u ON t.user_id = u.name
    WHERE ${where} AND value MATCH ?
    ORDER BY rank(matchinfo(user_directory_search)) DESC,
      ${mode.preferLocalUsers ? 'user_id LIKE ? DESC,' : ''}
      display_name IS NULL, avatar_url IS NULL
    LIMIT ?`
}

/** Creates the database file at `path` and loads the corpus in one transaction; returns the load time and file size. */
export function loadSqlite(path: string, corpus: BenchCorpus): { db: Database.Database; loadMs: number; bytes: number } {
  const t0 = performance.now()
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.function('rank', { deterministic: true }, (info: unknown) => rank(info as Buffer))
  db.exec(SCHEMA)
  const users = corpus.users
  const rooms = corpus.rooms
  const insertUser = db.prepare('INSERT INTO users (name, locked) VALUES (?, ?)')
  const insertEntry = db.prepare('INSERT INTO user_directory (user_id, display_name, avatar_url) VALUES (?, ?, ?)')
  const insertSearch = db.prepare('INSERT INTO user_directory_search (user_id, value) VALUES (?, ?)')
  const insertPublic = db.prepare('INSERT INTO users_in_public_rooms (user_id, room_id) VALUES (?, ?)')
  const insertPair = db.prepare('INSERT INTO users_who_share_private_rooms (user_id, other_user_id, room_id) VALUES (?, ?, ?)')
  db.transaction(() => {
    for (const i of corpus.locals) insertUser.run(users[i].userId, users[i].locked ? 1 : 0)
    for (const row of directoryRows(corpus)) {
      insertEntry.run(row.user.userId, row.user.displayName, row.user.avatarUrl)
      insertSearch.run(row.user.userId, row.normalizedName === null ? row.user.userId : `${row.user.userId} ${row.normalizedName}`)
    }
    for (const [u, r] of publicRoomRows(corpus)) insertPublic.run(users[u].userId, rooms[r].roomId)
    for (const [l, m, r] of privatePairRows(corpus)) insertPair.run(users[l].userId, users[m].userId, rooms[r].roomId)
  })()
  db.exec('ANALYZE')
  const pageCount = db.pragma('page_count', { simple: true }) as number
  const pageSize = db.pragma('page_size', { simple: true }) as number
  return { db, loadMs: performance.now() - t0, bytes: pageCount * pageSize }
}

/** Runs the queries (warm-up pass, then timed pass) within `budgetMs` each. */
export function measureSqlite(db: Database.Database, corpus: BenchCorpus, queries: readonly BenchQuery[], budgetMs: number): EngineRun {
  const statements = MODES.map((mode) => db.prepare<unknown[], { user_id: string }>(searchSql(mode)))
  const run: EngineRun = { latencyUs: queries.map(() => NaN), ids: queries.map(() => null), errors: 0 }
  const one = (i: number, timed: boolean): void => {
    const q = queries[i]
    const mode = MODES[q.mode]
    const params: unknown[] = [corpus.users[q.requester].userId, sqliteMatch(q.term)]
    if (mode.preferLocalUsers) params.push(`%:${corpus.serverName}`)
    params.push(q.limit + 1)
    const start = process.hrtime.bigint()
    let ids: string[] | null = null
    try {
      ids = statements[q.mode].all(...params).slice(0, q.limit).map((r) => r.user_id)
    } catch (error) {
      if (timed) {
        run.errors++
        run.firstError ??= `${q.term}: ${String(error)}`
      }
    }
    if (timed) {
      run.latencyUs[i] = elapsedUs(start)
      run.ids[i] = ids
    }
  }
  const warmUntil = performance.now() + budgetMs / 4
  for (let i = 0; i < queries.length && performance.now() < warmUntil; i++) one(i, false)
  const until = performance.now() + budgetMs
  for (let i = 0; i < queries.length && performance.now() < until; i++) one(i, true)
  return run
}
