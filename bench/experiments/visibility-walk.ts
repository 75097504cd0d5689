// What issue 22's move of visibility costs on its hot paths, in memory:
// the delta stream (each membership and publicity change now returns a
// VisibilityChange, and the search bits are set at commit) and searches
// whose ranking is cached (the walk asks the visibility filter per
// candidate). Per mode of corpus/queries.ts: a fresh directory fed the
// seeded corpus, one untimed pass of the mode's queries, then `--rounds`
// timed passes; it prints ingest deltas/s and per-search p50/p99 µs.
// For a before figure run it in a `git archive` of an older commit with
// `node_modules` linked (as experiments/rebuild-stall.ts says).
//
//   node --expose-gc --import tsx bench/experiments/visibility-walk.ts [--size 10k] [--rounds 5] [--mode default]
import { parseArgs } from 'node:util'
import { UserDirectory } from '../../src/index.js'
import { MODES, feedDirectory, generateCorpus, generateQueries } from '../../corpus/index.js'

const { values: args } = parseArgs({ options: { size: { type: 'string', default: '10k' }, rounds: { type: 'string', default: '5' }, mode: { type: 'string' } } })
const userCount = Number(args.size.replace(/k$/i, '000').replace(/m$/i, '000000'))
const rounds = Number(args.rounds)
const corpus = generateCorpus(userCount, 1)
const queries = generateQueries(corpus, 4000, 2)
const gc = (globalThis as { gc?: () => void }).gc

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]
}

for (const [modeIndex, mode] of MODES.entries()) {
  const { name, ...options } = mode
  if (args.mode !== undefined && args.mode !== name) continue
  const dir = await UserDirectory.open({ serverName: corpus.serverName, ...options, warmSearch: false })
  gc?.()
  const fed = await feedDirectory(dir, corpus)
  const mine = queries.filter((q) => q.mode === modeIndex).map((q) => ({ requester: corpus.users[q.requester].userId, term: q.term, limit: q.limit }))
  for (const q of mine) await dir.search(q.requester, q.term, q.limit)
  gc?.()
  const times: number[] = []
  for (let round = 0; round < rounds; round++) {
    for (const q of mine) {
      const t0 = performance.now()
      await dir.search(q.requester, q.term, q.limit)
      times.push((performance.now() - t0) * 1000)
    }
  }
  times.sort((x, y) => x - y)
  console.log(
    `${name.padEnd(28)} ingest ${Math.round(fed.deltas / (fed.ingestMs / 1000))} deltas/s (${fed.deltas} deltas)  search p50 ${percentile(times, 50).toFixed(1)} µs  p99 ${percentile(times, 99).toFixed(1)} µs  (${times.length} searches)`,
  )
  await dir.close()
}
