// Memory the ranked-list cache retains after 250k unique long search terms
// (issue 19 item 4): each term is ten words, so its cache key (the parsed
// query) is a few hundred bytes, and most match nothing (empty lists are
// cached too). Two runs:
//  1. the cache alone (SearchIndex + Searcher over the bench corpus's
//     names): retained heap + array buffers against the bytes the cache
//     counts (`RankedListCache.bytes`), which calibrates the per-list
//     overhead, and against the bound (DEFAULT_RANKED_LIST_BYTES, 52 MB);
//  2. the same terms through a UserDirectory's `search` (its own small LRU of
//     parsed terms included): retained memory growth.
//
//   node --expose-gc --import tsx bench/experiments/ranked-list-memory.ts [--terms 250000] [--users 10000]
import { UserDirectory } from '../../src/index.js'
import { SearchIndex, Searcher, buildSearchQuery } from '../../src/search/index.js'
import { DEFAULT_RANKED_LIST_BYTES } from '../../src/search/ranked-lists.js'
import type { UserId } from '../../src/ids/index.js'
import { parseQueryWords } from '../../src/text/index.js'
import { generateCorpus, feedDirectory } from '../../corpus/index.js'
import { collectGarbage } from '../run/measure.js'

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}

if ((globalThis as { gc?: unknown }).gc === undefined) throw new Error('run with node --expose-gc')

const termCount = flag('terms', 250_000)
const users = flag('users', 10_000)
const MB = 1_000_000

// Ten words of 20 letters, unique per n: a key of ~240 characters.
function term(n: number): string {
  const words: string[] = []
  for (let w = 0; w < 10; w++) words.push(`${String.fromCharCode(97 + ((n + w) % 26))}${(n * 7919 + w * 104_729).toString(36).padStart(19, 'q')}`)
  return words.join(' ')
}

function retainedBytes(): number {
  collectGarbage()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

const corpus = generateCorpus(users)

// 1. The cache alone.
{
  const index = new SearchIndex()
  corpus.users.forEach((u, n) => index.upsert({ userId: `@u${n}:bench` as UserId, localpart: u.displayName ?? `u${n}`, serverName: 'bench', displayName: null, avatarUrl: null, isLocal: true }))
  const searcher = new Searcher()
  const everyone = { accepts: () => true }
  const before = retainedBytes()
  for (let n = 0; n < termCount; n++) searcher.search(index, buildSearchQuery(parseQueryWords(term(n))), 10, everyone, false)
  const after = retainedBytes()
  const cache = searcher.rankings
  console.log(`cache alone: ${termCount} unique terms, keys of about ${('A' + JSON.stringify(term(0).split(' ').map((w) => [w]))).length} characters`)
  console.log(`  counted ${(cache.bytes / MB).toFixed(1)} MB; retained heap + buffers grew ${((after - before) / MB).toFixed(1)} MB; bound ${(DEFAULT_RANKED_LIST_BYTES / MB).toFixed(0)} MB`)
}

// 2. Through a directory.
{
  const dir = await UserDirectory.open({ serverName: corpus.serverName })
  await feedDirectory(dir, corpus)
  const requester = corpus.users[corpus.locals[0]].userId
  const before = retainedBytes()
  for (let n = 0; n < termCount; n++) await dir.search(requester, term(n), 10)
  const after = retainedBytes()
  console.log(`directory: ${termCount} unique terms through search(): retained heap + buffers grew ${((after - before) / MB).toFixed(1)} MB (bound ${(DEFAULT_RANKED_LIST_BYTES / MB).toFixed(0)} MB for the cache)`)
  await dir.close()
}
