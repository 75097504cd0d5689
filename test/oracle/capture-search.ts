// The search oracle: loads a seeded corpus (20,000 users, public and private
// rooms) into Synapse's PostgreSQL schema, runs Synapse's search SQL for
// thousands of generated terms in every mode, and writes the ranked results
// with PostgreSQL's scores to snapshots/search-corpus.json and
// snapshots/search-queries.json. It also ranks each query with our own
// primitives over the whole corpus and reports any disagreement.
// Usage: npx tsx test/oracle/capture-search.ts [--write] [queries] [seed]
import { writeFileSync } from 'node:fs'
import { matchesQuery, synapseScore } from '../../src/search/rank/index.js'
import { normalizeText } from '../../src/text/normalize.js'
import { parseQueryWords } from '../../src/text/parse-words.js'
import { buildSearchQuery } from '../../src/text/pg-tsquery.js'
import { buildUserDocument, type UserDocument } from '../../src/text/pg-tsvector.js'
import { jsonLiteral, runSql } from '../../postgres/index.js'
import { Random } from '../../corpus/index.js'
import { generateCorpus, visibilityOf, type Corpus } from './random-corpus.js'
import { searchTerm } from './random-users.js'
import { RANK_WEIGHTS, synapseQueries, VECTOR_SQL } from '../../postgres/index.js'

const args = process.argv.slice(2)
const write = args.includes('--write')
const [queryCount = 2400, seed = 7] = args.filter((a) => a !== '--write').map(Number)
const r = new Random(seed)
const corpus: Corpus = generateCorpus(r, 20000, 3000)
const { publicMembers, privatePairs } = visibilityOf(corpus)
const local = (userId: string): boolean => userId.endsWith(`:${corpus.localServer}`)
const localpartOf = (userId: string): string => userId.slice(1, userId.indexOf(':'))
const serverOf = (userId: string): string => userId.slice(userId.indexOf(':') + 1)

// Synapse's tables (the columns the search reads).
const rows = {
  users: corpus.users.filter((u) => local(u.user_id)).map((u) => ({ name: u.user_id, locked: u.locked === true })),
  directory: corpus.users.map((u) => ({
    user_id: u.user_id, display_name: u.display_name, avatar_url: u.avatar_url,
    localpart: localpartOf(u.user_id), server_name: serverOf(u.user_id),
    display_name_normalized: u.display_name === null ? null : normalizeText(u.display_name),
  })),
  publicRooms: corpus.rooms.filter((room) => room.public && room.members.some(local))
    .flatMap((room) => room.members.map((m) => ({ user_id: m, room_id: room.room_id }))),
  privateRooms: corpus.rooms.filter((room) => !room.public && room.members.some(local)).flatMap((room) =>
    room.members.filter(local).flatMap((l) => room.members.filter((m) => m !== l).map((m) => ({ user_id: l, other_user_id: m, room_id: room.room_id })))),
}
runSql(`
  SET client_min_messages = warning;
  DROP TABLE IF EXISTS users, user_directory, user_directory_search, users_in_public_rooms, users_who_share_private_rooms;
  CREATE TABLE users (name TEXT PRIMARY KEY, locked BOOLEAN NOT NULL DEFAULT FALSE);
  CREATE TABLE user_directory (user_id TEXT NOT NULL UNIQUE, room_id TEXT, display_name TEXT, avatar_url TEXT);
  CREATE TABLE user_directory_search (user_id TEXT NOT NULL UNIQUE, vector tsvector);
  CREATE INDEX user_directory_search_fts_idx ON user_directory_search USING GIN (vector);
  CREATE TABLE users_in_public_rooms (user_id TEXT NOT NULL, room_id TEXT NOT NULL, UNIQUE (user_id, room_id));
  CREATE TABLE users_who_share_private_rooms (user_id TEXT NOT NULL, other_user_id TEXT NOT NULL, room_id TEXT NOT NULL,
    UNIQUE (user_id, other_user_id, room_id));
  INSERT INTO users SELECT e->>'name', (e->>'locked')::boolean FROM json_array_elements(${jsonLiteral(rows.users)}) e;
  INSERT INTO user_directory (user_id, display_name, avatar_url)
    SELECT e->>'user_id', e->>'display_name', e->>'avatar_url' FROM json_array_elements(${jsonLiteral(rows.directory)}) e;
  INSERT INTO user_directory_search (user_id, vector)
    SELECT user_id, ${VECTOR_SQL} FROM (SELECT e->>'user_id' AS user_id, e->>'localpart' AS localpart,
      e->>'server_name' AS server_name, e->>'display_name_normalized' AS display_name_normalized
      FROM json_array_elements(${jsonLiteral(rows.directory)}) e) s;
  INSERT INTO users_in_public_rooms SELECT e->>'user_id', e->>'room_id' FROM json_array_elements(${jsonLiteral(rows.publicRooms)}) e
    ON CONFLICT DO NOTHING;
  INSERT INTO users_who_share_private_rooms SELECT e->>'user_id', e->>'other_user_id', e->>'room_id'
    FROM json_array_elements(${jsonLiteral(rows.privateRooms)}) e ON CONFLICT DO NOTHING;
  ANALYZE;`)

interface Mode {
  searchAllUsers: boolean
  preferLocalUsers: boolean
  excludeRemoteUsers: boolean
  showLockedUsers: boolean
}
interface Query {
  term: string
  words: string[]
  mode: Mode
  requester: string
  limit: number
}

const sql = (s: string): string => `'${s.replace(/'/g, "''")}'`
const locals = corpus.users.filter((u) => local(u.user_id))

// Synapse's search_user_dir SQL, plus the score as a column and user_id as
// the last sort key.
function searchSql(q: Query): string {
  const { both, exact, prefix } = synapseQueries(q.words)
  const where = [
    q.mode.searchAllUsers
      ? `user_id != ${sql(q.requester)}`
      : `(EXISTS (SELECT 1 FROM users_in_public_rooms WHERE user_id = t.user_id)
          OR EXISTS (SELECT 1 FROM users_who_share_private_rooms WHERE user_id = ${sql(q.requester)} AND other_user_id = t.user_id))`,
    ...(q.mode.showLockedUsers ? [] : ['(u.locked IS NULL OR u.locked = FALSE)']),
  ].join(' AND ')
  const preferLocal = q.mode.preferLocalUsers ? `* (CASE WHEN user_id LIKE ${sql(`%:${corpus.localServer}`)} THEN 2.0 ELSE 1.0 END)` : ''
  const score = `(CASE WHEN d.user_id IS NOT NULL THEN 4.0 ELSE 1.0 END)
      * (CASE WHEN display_name IS NOT NULL THEN 1.2 ELSE 1.0 END)
      * (CASE WHEN avatar_url IS NOT NULL THEN 1.2 ELSE 1.0 END)
      * (3 * ts_rank_cd(${RANK_WEIGHTS}, vector, to_tsquery('simple', ${sql(exact)}), 8)
         + ts_rank_cd(${RANK_WEIGHTS}, vector, to_tsquery('simple', ${sql(prefix)}), 8))
      ${preferLocal}`
  return `SELECT json_build_object(
    'rows', (SELECT coalesce(json_agg(json_build_array(user_id, score) ORDER BY rn), '[]') FROM (
      WITH matching_users AS (
        SELECT user_id, vector FROM user_directory_search WHERE vector @@ to_tsquery('simple', ${sql(both)}) LIMIT 10000
      )
      SELECT d.user_id AS user_id, ${score} AS score,
        row_number() OVER (ORDER BY ${score} DESC, display_name IS NULL, avatar_url IS NULL, user_id) AS rn
      FROM matching_users AS t
      INNER JOIN user_directory AS d USING (user_id)
      ${q.mode.excludeRemoteUsers ? 'JOIN' : 'LEFT JOIN'} users AS u ON t.user_id = u.name
      WHERE ${where}
      ORDER BY ${score} DESC, display_name IS NULL, avatar_url IS NULL, user_id
      LIMIT ${q.limit + 1}) s),
    'matchCount', (SELECT count(*) FROM user_directory_search WHERE vector @@ to_tsquery('simple', ${sql(both)})));`
}

const queries: Query[] = []
for (let i = 0; i < queryCount; i++) {
  const target = r.pick(corpus.users)
  const term = searchTerm(r, { userId: target.user_id, displayName: target.display_name })
  queries.push({
    term,
    words: parseQueryWords(term),
    mode: {
      searchAllUsers: i % 2 === 1,
      preferLocalUsers: (i >> 1) % 2 === 1,
      excludeRemoteUsers: r.chance(0.2),
      showLockedUsers: r.chance(0.2),
    },
    requester: r.pick(locals).user_id,
    limit: r.pick([10, 10, 10, 10, 1, 5, 20, 50, 50, 0]),
  })
}
const out = runSql(`SET client_min_messages = warning;\n${queries.map(searchSql).join('\n')}`).trim().split('\n')
const results = out.map((line, i) => {
  const { rows: found, matchCount } = JSON.parse(line) as { rows: [string, number][]; matchCount: number }
  const limit = queries[i].limit
  return {
    ...queries[i],
    results: found.slice(0, limit).map(([user_id, score]) => ({ user_id, score })),
    limited: found.length > limit,
    matchCount,
    capHit: matchCount > 10000,
  }
})

// Our primitives over the whole corpus: brute-force search per SPEC §3.
const docs = new Map<string, UserDocument>()
for (const u of corpus.users) docs.set(u.user_id, buildUserDocument(localpartOf(u.user_id), serverOf(u.user_id), u.display_name))
function ourSearch(q: Query): { ids: string[]; scores: number[]; limited: boolean } {
  const query = buildSearchQuery(q.words)
  const scored: { id: string; score: number; user: (typeof corpus.users)[number] }[] = []
  for (const u of corpus.users) {
    const id = u.user_id
    if (q.mode.searchAllUsers ? id === q.requester : !(publicMembers.has(id) || privatePairs.has(`${q.requester}\n${id}`))) continue
    if (q.mode.excludeRemoteUsers && !local(id)) continue
    if (!q.mode.showLockedUsers && u.locked === true) continue
    const doc = docs.get(id) as UserDocument
    if (!matchesQuery(doc, query)) continue
    scored.push({ id, user: u, score: synapseScore(doc, query, u.display_name !== null, u.avatar_url !== null, q.mode.preferLocalUsers && local(id)) })
  }
  scored.sort((a, b) => b.score - a.score || Number(a.user.display_name === null) - Number(b.user.display_name === null) ||
    Number(a.user.avatar_url === null) - Number(b.user.avatar_url === null) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const page = scored.slice(0, q.limit)
  return { ids: page.map((s) => s.id), scores: page.map((s) => s.score), limited: scored.length > q.limit }
}
let compared = 0
let disagreements = 0
let capped = 0
for (const res of results) {
  if (res.capHit) {
    capped++
    continue
  }
  compared++
  const ours = ourSearch(res)
  const same = JSON.stringify(ours.ids) === JSON.stringify(res.results.map((x) => x.user_id)) &&
    JSON.stringify(ours.scores) === JSON.stringify(res.results.map((x) => x.score)) && ours.limited === res.limited
  if (!same && disagreements++ < 5) console.log(JSON.stringify(res.term), res.words, res.mode, '\n  pg:  ', JSON.stringify(res.results), res.limited, '\n  ours:', JSON.stringify(ours))
}
const nonEmpty = results.filter((x) => x.results.length > 0).length
console.log(`${results.length} queries (${nonEmpty} with results, ${capped} over the 10,000-row cap); ` +
  `compared ${compared} with our primitives: ${disagreements} disagreements`)

if (write) {
  writeFileSync('snapshots/search-corpus.json', JSON.stringify({ seed, ...corpus }) + '\n')
  writeFileSync('snapshots/search-queries.json', JSON.stringify({
    postgres: 'PostgreSQL 15, UTF8, C locale', seed, localServer: corpus.localServer, queries: results,
  }) + '\n')
  console.log('wrote snapshots/search-corpus.json and snapshots/search-queries.json')
}
