// Our search called in-process: one warm-up pass over the queries (which
// also collects the scores, with `explain`), then a timed pass, one `search`
// call per query (the `await` included). The timed pass finds each query's
// ranking cached by the warm-up (as a repeated query does); a third pass
// drops the cache of searched queries before each query, timing a query seen
// for the first time (the frequent prefixes' rankings, built by the
// directory's own warm-up after open, stay); a fourth drops those too, so
// every match of every query is scored.
import type { UserDirectory } from '../../src/index.js'
import { elapsedUs } from './measure.js'

/** A query as a directory sees it. */
export interface PlainQuery {
  term: string
  requesterId: string
  limit: number
}

/** Latency (µs), returned user ids and their scores (from the warm-up pass, with `explain`) of each query, in order. */
export interface InProcessRun {
  latencyUs: number[]
  /** Latency with the ranking cache dropped before each query (first sight), the frequent prefixes' rankings kept. */
  coldLatencyUs: number[]
  /** Same, with the frequent prefixes' rankings dropped too. */
  coldUnpinnedLatencyUs: number[]
  ids: string[][]
  scores: number[][]
}

export async function measureInProcess(dir: UserDirectory, queries: readonly PlainQuery[]): Promise<InProcessRun> {
  const scores: number[][] = []
  for (const q of queries) scores.push((await dir.search(q.requesterId, q.term, q.limit, { explain: true })).results.map((r) => r.score ?? NaN))
  const latencyUs: number[] = []
  const ids: string[][] = []
  for (const q of queries) {
    const start = process.hrtime.bigint()
    const page = await dir.search(q.requesterId, q.term, q.limit)
    latencyUs.push(elapsedUs(start))
    ids.push(page.results.map((r) => r.user_id))
  }
  const coldLatencyUs: number[] = []
  for (const q of queries) {
    dir.clearSearchCache()
    const start = process.hrtime.bigint()
    await dir.search(q.requesterId, q.term, q.limit)
    coldLatencyUs.push(elapsedUs(start))
  }
  const coldUnpinnedLatencyUs: number[] = []
  for (const q of queries) {
    dir.clearSearchCache({ pinned: true })
    const start = process.hrtime.bigint()
    await dir.search(q.requesterId, q.term, q.limit)
    coldUnpinnedLatencyUs.push(elapsedUs(start))
  }
  return { latencyUs, coldLatencyUs, coldUnpinnedLatencyUs, ids, scores }
}
