// Compares toTsvectorString and the tsquery forms with PostgreSQL 15 on
// generated text, and with --write stores them as the goldens
// snapshots/pg-tsvector-cases.json and snapshots/pg-tsquery-cases.json that
// test/text reads.
// Usage: npx tsx test/oracle/capture-text-cases.ts [--write] [count] [seed]
import { writeFileSync } from 'node:fs'
import { buildSearchQuery, formatTsquery } from '../../src/text/pg-tsquery.js'
import { toTsvectorString } from '../../src/text/pg-tsvector.js'
import { jsonLiteral, queryJson } from '../../postgres/index.js'
import { Random } from '../../corpus/index.js'
import { FIXED_TEXTS, randomText, soup } from './random-text.js'
import { parseQueryWords, searchTerm } from './random-users.js'
import { synapseQueries } from '../../postgres/index.js'

const args = process.argv.slice(2)
const write = args.includes('--write')
const [count = 5000, seed = 1] = args.filter((a) => a !== '--write').map(Number)
const r = new Random(seed)

const texts = [...FIXED_TEXTS]
while (texts.length < count) texts.push(r.chance(0.15) ? soup(r, r.int(1, 40)) : randomText(r))
const vectors = queryJson<string[]>(
  `SELECT json_agg(to_tsvector('simple', x)::text ORDER BY i) FROM json_array_elements_text(${jsonLiteral(texts)}) WITH ORDINALITY t(x, i)`,
)
let vectorMismatches = 0
for (let i = 0; i < texts.length; i++) {
  if (toTsvectorString(texts[i]) === vectors[i]) continue
  if (vectorMismatches++ < 10) console.log(JSON.stringify(texts[i]), '\n  pg:  ', vectors[i], '\n  ours:', toTsvectorString(texts[i]))
}

// Synapse never sends an empty word (PostgreSQL rejects '' as a syntax error).
const wordLists: string[][] = FIXED_TEXTS.filter((t) => t !== '').map((t) => [t])
while (wordLists.length < count / 2) {
  wordLists.push(r.chance(0.7) ? parseQueryWords(searchTerm(r, { userId: '@x:y', displayName: randomText(r) })) : [randomText(r)])
}
const queries = queryJson<[string, string, string][]>(`
  SET client_min_messages = warning;
  SELECT json_agg(json_build_array(to_tsquery('simple', e->>'both')::text, to_tsquery('simple', e->>'exact')::text,
    to_tsquery('simple', e->>'prefix')::text) ORDER BY i)
  FROM json_array_elements(${jsonLiteral(wordLists.map(synapseQueries))}) WITH ORDINALITY t(e, i)`)
let queryMismatches = 0
for (let i = 0; i < wordLists.length; i++) {
  const q = buildSearchQuery(wordLists[i])
  const ours = [formatTsquery(q, 'both'), formatTsquery(q, 'exact'), formatTsquery(q, 'prefix')]
  if (ours.join('\n') === queries[i].join('\n')) continue
  if (queryMismatches++ < 10) console.log(JSON.stringify(wordLists[i]), '\n  pg:  ', queries[i], '\n  ours:', ours)
}
console.log(`tsvector: ${texts.length} texts, ${vectorMismatches} mismatches; tsquery: ${wordLists.length} word lists, ${queryMismatches} mismatches`)

if (write) {
  const header = { postgres: 'PostgreSQL 15, UTF8, C locale', seed }
  writeFileSync('snapshots/pg-tsvector-cases.json', JSON.stringify({ ...header, cases: texts.map((input, i) => ({ input, tsvector: vectors[i] })) }) + '\n')
  writeFileSync('snapshots/pg-tsquery-cases.json', JSON.stringify({
    ...header,
    cases: wordLists.map((words, i) => ({ words, both: queries[i][0], exact: queries[i][1], prefix: queries[i][2] })),
  }) + '\n')
  console.log('wrote snapshots/pg-tsvector-cases.json and snapshots/pg-tsquery-cases.json')
}
