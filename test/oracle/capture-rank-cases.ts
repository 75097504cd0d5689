// Compares our document, query, @@ and ts_rank_cd with PostgreSQL 15 on
// generated users and search terms, and with --write stores the cases as the
// golden snapshots/pg-rank-cases.json that test/search/rank reads.
// Usage: npx tsx test/oracle/capture-rank-cases.ts [--write] [count] [seed]
import { writeFileSync } from 'node:fs'
import { normalizeText } from '../../src/text/normalize.js'
import { buildSearchQuery, formatTsquery } from '../../src/text/pg-tsquery.js'
import { buildUserDocument, formatTsvector } from '../../src/text/pg-tsvector.js'
import { matchesQuery, tsRankCd } from '../../src/search/rank/index.js'
import { jsonLiteral, queryJson } from '../../postgres/index.js'
import { Random } from '../../corpus/index.js'
import { randomText } from './random-text.js'
import { displayName, localpart, parseQueryWords, REMOTE_SERVERS, LOCAL_SERVER, searchTerm } from './random-users.js'
import { RANK_WEIGHTS, synapseQueries, VECTOR_SQL } from '../../postgres/index.js'

const args = process.argv.slice(2)
const write = args.includes('--write')
const [count = 4000, seed = 3] = args.filter((a) => a !== '--write').map(Number)
const r = new Random(seed)

interface Case {
  localpart: string
  serverName: string
  displayName: string | null
  words: string[]
}
// Dense cases: a tiny vocabulary, so documents repeat lexemes and queries
// hit several covers, overlapping phrases and the same lexeme twice.
const VOCAB = ['a', 'b', 'ab', 'a-b', 'b-a', 'a-b-a', 'c', 'a.b', 'x-1', 'ba', "a'b", 'a_b', '-1', 'aa']
function denseText(n: number): string {
  return Array.from({ length: n }, () => r.pick(VOCAB)).join(r.pick([' ', ' ', '-', '.', ' - ']))
}
const cases: Case[] = []
while (cases.length < count) {
  if (r.chance(0.3)) {
    const words = Array.from({ length: r.int(1, 4) }, () => (r.chance(0.05) ? randomText(r) : r.pick(VOCAB)))
    const name = r.chance(0.1) ? null : denseText(r.int(1, 12))
    cases.push({ localpart: r.chance(0.5) ? denseText(r.int(1, 3)) : localpart(r), serverName: r.pick(REMOTE_SERVERS), displayName: name, words })
    continue
  }
  const lp = localpart(r)
  const serverName = r.chance(0.5) ? LOCAL_SERVER : r.pick(REMOTE_SERVERS)
  const name = displayName(r, lp)
  const target = r.chance(0.85)
    ? { userId: `@${lp}:${serverName}`, displayName: name }
    : { userId: `@${localpart(r)}:${r.pick(REMOTE_SERVERS)}`, displayName: displayName(r, 'x') }
  cases.push({ localpart: lp, serverName, displayName: name, words: parseQueryWords(searchTerm(r, target)) })
}

const rows = cases.map((c) => ({
  localpart: c.localpart,
  server_name: c.serverName,
  display_name_normalized: c.displayName === null ? null : normalizeText(c.displayName),
  ...synapseQueries(c.words),
}))
type PgRow = [string, boolean, number, number, string, string, string]
const expected = queryJson<PgRow[]>(`
  SET client_min_messages = warning;
  SELECT json_agg(json_build_array(v::text, v @@ to_tsquery('simple', both_q),
      ts_rank_cd(${RANK_WEIGHTS}, v, to_tsquery('simple', exact_q), 8)::float8,
      ts_rank_cd(${RANK_WEIGHTS}, v, to_tsquery('simple', prefix_q), 8)::float8,
      to_tsquery('simple', both_q)::text, to_tsquery('simple', exact_q)::text, to_tsquery('simple', prefix_q)::text)
    ORDER BY i)
  FROM (SELECT i, ${VECTOR_SQL} AS v, e->>'both' AS both_q, e->>'exact' AS exact_q, e->>'prefix' AS prefix_q
        FROM json_array_elements(${jsonLiteral(rows)}) WITH ORDINALITY t(e, i),
        LATERAL (SELECT e->>'localpart' AS localpart, e->>'server_name' AS server_name,
                        e->>'display_name_normalized' AS display_name_normalized) f) s`)

const counts = { vector: 0, query: 0, matches: 0, exact: 0, prefix: 0, matched: 0 }
for (let i = 0; i < cases.length; i++) {
  const c = cases[i]
  const [vector, matches, exact, prefix, both, exactQ, prefixQ] = expected[i]
  const doc = buildUserDocument(c.localpart, c.serverName, c.displayName)
  const q = buildSearchQuery(c.words)
  if (matches) counts.matched++
  const report = (what: keyof typeof counts, ours: unknown, pg: unknown): void => {
    if (counts[what]++ < 5) console.log(what, JSON.stringify(c), '\n  pg:  ', pg, '\n  ours:', ours)
  }
  if (formatTsvector(doc) !== vector) report('vector', formatTsvector(doc), vector)
  const ourQueries = [formatTsquery(q, 'both'), formatTsquery(q, 'exact'), formatTsquery(q, 'prefix')]
  if (ourQueries.join('\n') !== [both, exactQ, prefixQ].join('\n')) report('query', ourQueries, [both, exactQ, prefixQ])
  if (matchesQuery(doc, q) !== matches) report('matches', matchesQuery(doc, q), matches)
  if (tsRankCd(doc, q, false) !== exact) report('exact', tsRankCd(doc, q, false), exact)
  if (tsRankCd(doc, q, true) !== prefix) report('prefix', tsRankCd(doc, q, true), prefix)
}
console.log(`${cases.length} cases (${counts.matched} matching in PostgreSQL); mismatches: vector ${counts.vector}, ` +
  `tsquery ${counts.query}, @@ ${counts.matches}, rank exact ${counts.exact}, rank prefix ${counts.prefix}`)

if (write) {
  const golden = cases.map((c, i) => ({
    localpart: c.localpart, serverName: c.serverName, displayName: c.displayName, words: c.words,
    vector: expected[i][0], matches: expected[i][1], exact: expected[i][2], prefix: expected[i][3],
    queries: { both: expected[i][4], exact: expected[i][5], prefix: expected[i][6] },
  }))
  writeFileSync('snapshots/pg-rank-cases.json', JSON.stringify({ postgres: 'PostgreSQL 15, UTF8, C locale', seed, cases: golden }, null, 0) + '\n')
  console.log('wrote snapshots/pg-rank-cases.json')
}
