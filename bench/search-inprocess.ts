// Our search called in-process: one warm-up pass over the queries (which
// also collects the scores, with `explain`), then a timed pass, one `search` call per query (the `await` included).
import type { UserDirectory } from '../src/index.js'
import { elapsedUs } from './stats.js'

/** A query as a directory sees it. */
export interface PlainQuery {
  term: string
  requesterId: string
  limit: number
}

/** Latency (µs), returned user ids and their scores (from the warm-up pass, with `explain`) of each query, in order. */
export interface InProcessRun {
  latencyUs: number[]
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
  return { latencyUs, ids, scores }
}
