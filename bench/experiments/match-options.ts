// The cost of the opt-in match tiers (README "Beyond Synapse"): on the
// 20,000-user snapshot corpus, the search index's heap and the mean time of
// the 2,400 snapshot queries, each run once on a fresh index (first sight:
// rankings are cached per query, so a repeat would measure the cache).
// Each setting runs in its own process, so one index's garbage does not
// blur the next one's heap figure.
//
//   node --expose-gc --import tsx bench/experiments/match-options.ts
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { UserId } from '../../src/ids/index.js'
import { SearchIndex, Searcher, buildSearchQuery } from '../../src/search/index.js'
import type { MatchOptions } from '../../src/search/index.js'
import { parseQueryWords } from '../../src/text/index.js'
import { collectGarbage } from '../run/measure.js'

interface Corpus { localServer: string; users: { user_id: string; display_name: string | null; avatar_url: string | null }[] }
const root = join(import.meta.dirname, '..', '..', 'snapshots')
const corpus = JSON.parse(readFileSync(join(root, 'search-corpus.json'), 'utf8')) as Corpus
const terms = (JSON.parse(readFileSync(join(root, 'search-queries.json'), 'utf8')) as { queries: { term: string }[] }).queries.map((q) => q.term)
const everyone = { accepts: () => true }

const settings: [string, MatchOptions][] = [
  ['off (Synapse)', { accentInsensitive: false, infixMatch: false }],
  ['`accentInsensitive`', { accentInsensitive: true, infixMatch: false }],
  ['`infixMatch`', { accentInsensitive: false, infixMatch: true }],
  ['both', { accentInsensitive: true, infixMatch: true }],
]
const only = process.argv[2]
if (only === undefined) {
  console.log('| options | index heap | per query |\n|---|---|---|')
  for (let i = 0; i < settings.length; i++) {
    process.stdout.write(execFileSync(process.execPath, [...process.execArgv, import.meta.filename, String(i)], { encoding: 'utf8' }))
  }
} else {
  const [name, options] = settings[Number(only)]
  collectGarbage()
  const before = process.memoryUsage().heapUsed
  const index = new SearchIndex(options)
  for (const user of corpus.users) {
    const colon = user.user_id.indexOf(':')
    index.upsert({ userId: user.user_id as UserId, localpart: user.user_id.slice(1, colon), serverName: user.user_id.slice(colon + 1), displayName: user.display_name, avatarUrl: user.avatar_url, isLocal: user.user_id.endsWith(`:${corpus.localServer}`) })
  }
  collectGarbage()
  const heapMB = (process.memoryUsage().heapUsed - before) / 1e6
  const searcher = new Searcher()
  const start = performance.now()
  for (const term of terms) searcher.search(index, buildSearchQuery(parseQueryWords(term)), 10, everyone, false)
  const perQueryMs = (performance.now() - start) / terms.length
  console.log(`| ${name} | ${heapMB.toFixed(0)} MB | ${perQueryMs.toFixed(2)} ms |`)
}
