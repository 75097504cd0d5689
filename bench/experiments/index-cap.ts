// What the indexed prefix length costs and buys: for each cap, FlexSearch's
// heap and build time over the corpus's lexemes (cut to the cap, as
// src/search/prefix-postings.ts indexes them), and how many candidates the
// query mix's driver lexemes list (a longer lexeme is looked up by its first
// `cap` characters, so its list grows).
//
//   node --max-old-space-size=12000 --expose-gc --import tsx bench/experiments/index-cap.ts --size 1m [--caps 24,8,6,4]
import { parseArgs } from 'node:util'
import flexsearch from 'flexsearch'
import { buildSearchQuery, buildUserDocument, parseQueryWords } from '../../src/text/index.js'
import { generateCorpus, generateQueries } from '../../corpus/index.js'
import { collectGarbage } from '../run/measure.js'

interface FlexIndex {
  add(id: number, content: string): void
  search(query: string, options: { resolve: false }): { result: number[][] }
}

const { values: args } = parseArgs({ options: { size: { type: 'string', default: '100k' }, caps: { type: 'string', default: '24,8,6,4' } } })
const userCount = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 }[args.size.toLowerCase()]
if (userCount === undefined) throw new Error('--size must be 10k, 100k or 1m')
const corpus = generateCorpus(userCount)
const lexemes = corpus.users.map((u) => {
  const colon = u.userId.indexOf(':')
  return buildUserDocument(u.userId.slice(1, colon), u.userId.slice(colon + 1), u.displayName).lexemes
})
// The driver of a query is its lexeme with the fewest candidates (as in searcher.ts).
const queryLexemes = generateQueries(corpus, 4000).map((q) => buildSearchQuery(parseQueryWords(q.term)).operands).filter((o) => o.length > 0)
const { Index } = flexsearch as unknown as { Index: new (options: object) => FlexIndex }

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

const count = (index: FlexIndex, lexeme: string, cap: number): number => index.search(lexeme.slice(0, cap), { resolve: false }).result.reduce((n, list) => n + list.length, 0)

for (const cap of args.caps.split(',').map(Number)) {
  collectGarbage()
  const heapBefore = process.memoryUsage().heapUsed
  const index = new Index({ tokenize: 'forward', resolution: 1, fastupdate: true, encode: (text: string) => text.split(' ') })
  const start = performance.now()
  for (let i = 0; i < lexemes.length; i++) index.add(i, [...new Set(lexemes[i].map((l) => l.slice(0, cap)))].join(' '))
  const buildMs = performance.now() - start
  collectGarbage()
  const heapBytesPerUser = (process.memoryUsage().heapUsed - heapBefore) / userCount
  const candidates = queryLexemes.map((operands) => Math.min(...operands.map((l) => count(index, l, cap))))
  const mean = candidates.reduce((a, b) => a + b, 0) / candidates.length
  console.log(JSON.stringify({ cap, buildS: +(buildMs / 1000).toFixed(1), heapBytesPerUser: Math.round(heapBytesPerUser), candidatesMean: Math.round(mean), candidatesP50: percentile(candidates, 0.5), candidatesP99: percentile(candidates, 0.99) }))
}
